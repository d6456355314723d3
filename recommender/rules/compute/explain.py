"""The reasons of one EC2 option: one function per rule, listed in :data:`EC2_REASONS`.

Each function reads one :class:`Ec2Row` (the facts of a ranked candidate, taken from the
same arrays that filtered and ranked it) and returns its reasons, so the numbers in a reason
are the numbers the rule used.  The risk rule returns its number and its reason together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_BENCHMARK,
    PERF01_COST,
    PERF02_ACCEL,
    PERF02_CONFIG,
    PERF02_RIGHTSIZE,
    PERF02_SELECT,
    clean,
    fmt_num,
    fmt_usd,
    reason,
    round_list,
)
from recommender.rules.compute.burst import BurstResult, BurstVerdict, spot_unlimited
from recommender.rules.compute.candidates import Ec2Index, ec2_index
from recommender.rules.compute.fleet import explain_nodes
from recommender.rules.compute.generation import PREVIOUS_GENERATION
from recommender.rules.compute.job_billing import monthly_cost_text
from recommender.rules.compute.jobs import JobInfo
from recommender.rules.compute.purchase import Pricing
from recommender.rules.compute.risk import (
    DIMENSIONS,
    ebs_burst_reason,
    perf_interval_reason,
    risk_label,
)
from recommender.rules.compute.sizing import INSTANCE_TYPES_URL, ComputeNeed
from recommender.rules.compute.spot import SPOT_NOTICE
from recommender.rules.prices import per_catalog


@dataclass(frozen=True, slots=True)
class TypeFacts:
    """What an option says of its instance type alone, the same in every call: read off the
    index once per type (:func:`type_facts`) instead of a dozen numpy scalar reads, ``clean``
    calls and format strings per option shown."""

    itype: str
    family: str
    vcpus: float
    memory_gib: float
    vcpus_text: str  # fmt_num(vcpus): the text of one node
    memory_text: str
    #: The perf_index fields of ``predicted`` (a fresh dict per option is made from it).
    predicted: dict[str, Any]
    capacity_src: str  # the perf_index source and its interval, as capacity_reasons says it
    capacity_severity: str
    accelerator: tuple[Reason, ...]
    graviton: bool
    generation: tuple[Reason, ...]
    family_text: str  # "<category> family (<ratio> GiB per vCPU)"
    category: str
    config: dict[str, Any]  # the type's part of ``config`` (a fresh dict per option)
    #: compute.family's reason by the workload's expected category (a few per type).
    family_reasons: dict[tuple[str, str], Reason] = field(default_factory=dict)
    #: compute.size's reason by :func:`_size_key` (the need's numbers): the same need asks
    #: again (at most :data:`_SIZES_PER_TYPE`, emptied when full).
    size_reasons: dict[tuple[Any, ...], Reason] = field(default_factory=dict)


FactsMemo = list["TypeFacts | None"]


def facts_memo(catalog: Any, ix: Ec2Index) -> FactsMemo:
    """Where the facts of ``ix``'s types are kept once read: on the catalog
    (:meth:`catalog.store.Catalog.derive`, so they live and die with it) when ``ix`` is that
    catalog's own index, else a fresh list for this one table (a test's or a what-if's index
    must never answer with another index's facts)."""
    if hasattr(catalog, "derive") and ec2_index(catalog) is ix:
        memo: FactsMemo = per_catalog("ec2_type_facts", catalog,
                                      lambda c: [None] * ix.n)
        return memo
    return [None] * ix.n


def type_facts(memo: FactsMemo, ix: Ec2Index, i: int) -> TypeFacts:
    """The :class:`TypeFacts` of type ``i``, read once per ``memo`` (:func:`facts_memo`; a
    race reads it twice, the same)."""
    facts = memo[i]
    if facts is None:
        facts = memo[i] = _read_facts(ix, i)
    return facts


def _read_facts(ix: Ec2Index, i: int) -> TypeFacts:
    """Read type ``i``'s :class:`TypeFacts` (the texts the rules below used to build)."""
    src = {"measured": "measured CoreMark", "predicted": "model prediction",
           "estimated": "no benchmark: neutral estimate from vCPUs"}[str(ix.perf_source[i])]
    lo, hi = float(ix.perf_low[i]), float(ix.perf_high[i])
    interval = "" if math.isnan(lo) or math.isnan(hi) else f", interval {lo:.2f}-{hi:.2f}"
    model = ix.gpu_model[i]
    vcpus, mem = float(ix.vcpus[i]), float(ix.memory_gib[i])
    return TypeFacts(
        itype=str(ix.types[i]), family=str(ix.family[i]), vcpus=vcpus, memory_gib=mem,
        vcpus_text=fmt_num(vcpus), memory_text=fmt_num(mem),
        predicted={"perf_index": clean(round(float(ix.perf[i]), 3)),
                   "perf_index_source": str(ix.perf_source[i]),
                   "perf_index_low": clean(ix.perf_low[i]),
                   "perf_index_high": clean(ix.perf_high[i])},
        capacity_src=src + interval,
        capacity_severity="caution" if ix.perf_source[i] == "estimated" else "info",
        accelerator=(reason("compute.accelerator", PERF02_ACCEL,
                            f"{int(ix.gpus[i])} GPU(s){' (' + model + ')' if model else ''}."),
                     ) if ix.gpus[i] > 0 else (),
        graviton=bool(ix.arch[i] == "arm64"),
        generation=() if ix.current[i] else (PREVIOUS_GENERATION,),
        family_text=f"{ix.category[i]} family ({mem / vcpus:g} GiB per vCPU)",
        category=str(ix.category[i]),
        config={"instance_type": str(ix.types[i]), "vcpus": int(ix.vcpus[i]),
                "memory_gib": mem, "arch": str(ix.arch[i])})


_GRAVITON = reason("compute.graviton", PERF02_CONFIG,
                   "Graviton (arm64): the architecture is free; check that your software builds "
                   "for arm64.")


@dataclass(slots=True)
class Ec2Row:
    """One EC2 candidate as the option builder sees it (index ``i`` into ``ix``; not frozen:
    a frozen dataclass sets each of its twenty fields through ``object.__setattr__``, one
    row per option shown, and nothing changes a row once made)."""

    ix: Ec2Index
    i: int
    facts: TypeFacts
    r: int  # region position
    need: ComputeNeed
    count: int
    cost: float
    hours: float
    pricing: Pricing
    price: PriceTexts  # what the option says of type i's price (price_texts)
    eff_vcpus: float  # per node, in the demand's units
    capacity: float  # delivered (sustained) perf_index of the fleet
    risk_dims: float  # worst resource-dimension risk (CPU, memory, EBS, network)
    worst: int  # index into DIMENSIONS
    cpu_low: float
    objective: str
    region: str
    burst: BurstVerdict | None = None
    job: JobInfo | None = None
    family_min: float | None = None
    #: What the options of one recommendation share (the table's memo), e.g. rounded hours.
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @property
    def itype(self) -> str:
        return self.facts.itype


def size_reasons(w: Ec2Row) -> list[Reason]:
    """What the size gives against the need, with the margin (PERF02-BP04)."""
    f, need = w.facts, w.need
    key = _size_key(w)
    size = f.size_reasons.get(key)
    if size is None:
        size = _size_reason(f, *key)
        if len(f.size_reasons) >= _SIZES_PER_TYPE:
            f.size_reasons.clear()
        f.size_reasons[key] = size
    out = [*need.reasons, size]
    if need.horizontal:
        out.append(explain_nodes(need, f.itype, f.family, w.count, w.family_min,
                                 efa=bool(w.ix.efa[w.i])))
    return out


#: The size reasons kept per type (:attr:`TypeFacts.size_reasons`).
_SIZES_PER_TYPE = 16

#: (node count, (vCPUs per node in the need's units, vCPUs wanted, burstable) or None
#: without a vCPU need, memory wanted or None): all the size reason reads besides the type.
SizeKey = tuple[int, "tuple[float, float, bool] | None", "float | None"]


def _size_key(w: Ec2Row) -> SizeKey:
    need = w.need
    if need.vcpus is None:
        return w.count, None, need.memory_gib
    burst = w.burst is not None
    want = need.demand_vcpus if burst and need.demand_vcpus else need.vcpus
    return w.count, (w.eff_vcpus, want, burst), need.memory_gib


def _size_reason(f: TypeFacts, n: int, cpu: tuple[float, float, bool] | None,
                 memory: float | None) -> Reason:
    """compute.size of ``n`` nodes of ``f`` against the need (its :data:`SizeKey` alone)."""
    nodes = f"{n} x " if n > 1 else ""
    vt, mt = f.vcpus * n, f.memory_gib * n
    parts = []
    if cpu is not None:
        eff_vcpus, want, burst = cpu
        cap = eff_vcpus * n
        conv = f" ({fmt_num(round(cap, 2))} in the need's vCPUs)" if abs(cap - vt) > 0.01 else ""
        parts.append(f"{f.vcpus_text if n == 1 else fmt_num(vt)} vCPUs{conv} for "
                     f"{fmt_num(round(want, 2))}"
                     + (" (peak, burstable at 100%)" if burst else "")
                     + f": {_margin(cap, want)}")
    if memory is not None:
        parts.append(f"{f.memory_text if n == 1 else fmt_num(mt)} GiB for "
                     f"{fmt_num(round(memory, 2))}: {_margin(mt, memory)}")
    text = (f"{nodes}{f.itype} gives " + "; ".join(parts) + "." if parts else
            f"{nodes}{f.itype}: no size given, the smallest fit.")
    return reason("compute.size", PERF02_RIGHTSIZE, text)


def _margin(have: float, want: float) -> str:
    return f"{(have / want - 1) * 100:.0f}% margin" if want > 0 else "no need given"


def capacity_reasons(w: Ec2Row) -> list[Reason]:
    """Capacity delivered (perf_index; sustained baseline for burstable types), PERF01-BP06."""
    text = (f"Capacity {w.capacity:.2f} (perf_index, m5.large = 1; {w.facts.capacity_src}"
            + ("; a burstable type counts its sustained baseline" if w.burst else "") + ").")
    if w.objective == "performance" or w.job is not None:
        text += f" {w.capacity / w.cost * 100:.2f} per $100/month." if w.cost > 0 else ""
    else:
        text += (" Capacity beyond the need earns nothing for a fixed demand: the rank "
                 "follows cost.")
    return [reason("compute.capacity", PERF01_BENCHMARK, text, w.facts.capacity_severity)]


def feature_reasons(w: Ec2Row) -> list[Reason]:
    """Accelerators, Graviton, generation: facts to know, not weights (PERF02-BP01/02/06)."""
    f, exp, basis = w.facts, w.need.expected_category, w.need.category_basis
    fam = f.family_reasons.get((exp, basis))
    if fam is None:
        fam = f.family_reasons[(exp, basis)] = reason(
            "compute.family", PERF02_SELECT, f.family_text + (
                "; matches the workload." if f.category == exp else
                f"; {basis or 'the workload'} points to {exp} ({INSTANCE_TYPES_URL}), this "
                "one is cheaper for the same need."))
    if f.graviton and w.need.arch_free:
        return [*f.accelerator, _GRAVITON, *f.generation, fam]
    return [*f.accelerator, *f.generation, fam]


def purchase_reasons(w: Ec2Row) -> list[Reason]:
    """Purchase option with term/payment, monthly cost and its provenance (PERF01-BP03).

    A spot option says which price it used: the measured DescribeSpotPriceHistory price
    (AZ, date; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
    using-spot-instances-history.html) or the estimate from the advisor's savings %.
    """
    pt, billed = w.price, (w.job.billed_hours if w.job is not None else None)
    return [*pt.lead, reason("compute.monthly_cost", PERF01_COST, monthly_cost_text(
        w.cost, w.hours, tail=pt.tail, po=pt.po, billed=billed)), *pt.trail]


@dataclass(frozen=True, slots=True)
class PriceTexts:
    """What an option says of type ``i``'s price under one :class:`Pricing` in one region,
    whatever the node count and hours: read once per (pricing, type, region) by
    :func:`price_texts` (:attr:`Pricing.memo`, so it lives and dies with the pricing)."""

    po: str  # the purchase option
    lead: tuple[Reason, ...]  # the spot or commitment reason
    tail: str  # the monthly-cost text after "<cost>/month for <hours> h"
    trail: tuple[Reason, ...]  # the unverified-price reason
    unverified: bool
    config: dict[str, Any]  # the purchase part of the option's config (never changed)


#: The types whose price texts one pricing keeps (a catalog keeps up to 256 pricings).
_PRICE_TEXTS_MAX = 128


def price_texts(pr: Pricing, ix: Ec2Index, i: int, r: int, region: str) -> PriceTexts:
    """:class:`PriceTexts` of type ``i`` in region ``region`` (position ``r``), once per
    ``pr`` (a race reads them twice, the same)."""
    key = (i, r, region)
    got = pr.memo.get(key)
    if got is None:
        if len(pr.memo) >= _PRICE_TEXTS_MAX:  # (the types shown are a few dozen cheap ones)
            pr.memo.clear()
        got = pr.memo[key] = _read_price_texts(pr, ix, i, r, region)
    texts: PriceTexts = got
    return texts


def _read_price_texts(pr: Pricing, ix: Ec2Index, i: int, r: int, region: str) -> PriceTexts:
    po, config = str(pr.po[i]), pr.config(i)
    lead: tuple[Reason, ...] = ()
    if po == "spot":
        band = ix.spot_band[r][i] or "unknown"
        basis = ("estimated price" if pr.spot is None else
                 pr.spot.text(i, float(pr.price[i]), pr.as_of[i]))
        lead = (reason("compute.spot", PERF01_COST,
                       f"Spot ({basis}; interruption band {band}): the workload "
                       f"tolerates interruption. {SPOT_NOTICE}", "caution"),)
        config["spot_interruption_band"] = ix.spot_band[r][i]
    elif po in ("reserved", "savings_plan"):
        up = config.get("upfront_usd_per_node")
        lead = (reason(f"compute.{po}", PERF01_COST,
                       f"{pr.label(i)} ({config['offering']}): a {pr.term_years}-year "
                       "commitment" + (f", {fmt_usd(up)} upfront per node spread over the "
                                       "term" if up else "") + "."
                       + pr.billing_note(i), "caution"),)
    unverified = pr.unverified(i)
    trail = (reason("catalog.verify", PERF01_COST,
                    "The catalog's source marks this price as unverified.", "verify"),
             ) if unverified else ()
    return PriceTexts(po, lead, f" in {region} ({pr.label(i)}; price as of {pr.as_of[i]}, "
                      f"{pr.source[i]}).", trail, unverified, config)


def burst_reasons(w: Ec2Row) -> list[Reason]:
    """The credit verdict of a burstable option (its text comes with its risk), and, for a
    Spot node in unlimited mode, AWS's advice to launch Spot in standard mode
    (SPOT_UNLIMITED_URL)."""
    b = w.burst
    if b is None:
        return []
    out = [reason("burst.credits", PERF02_SELECT, b.text)]
    if b.verify:
        out.append(reason("catalog.verify", PERF02_SELECT,
                          "The surplus-credit price is marked unverified by its source.",
                          "verify"))
    if b.mode == "unlimited" and w.price.po == "spot":
        out.append(spot_unlimited(str(w.facts.family)))
    if w.need.series_synthetic:
        out.append(reason("burst.synthetic", PERF02_SELECT,
                          "Simulated on a synthetic day built from the average/p95/peak "
                          "(peaks in one block); a real series is more precise.", "caution"))
    return out


def option_risk(w: Ec2Row) -> tuple[float, list[Reason]]:
    """Performance risk 0-4 and its reasons: worst dimension, credits, perf interval, job."""
    risk, driver, out = w.risk_dims, DIMENSIONS[w.worst], []
    if w.burst is not None and w.burst.risk > risk:
        risk, driver = w.burst.risk, "the CPU credit balance"
    if w.cpu_low > risk:
        risk, driver = w.cpu_low, "CPU at the low bound of the predicted perf_index"
        out.append(perf_interval_reason(float(w.ix.perf[w.i]), float(w.ix.perf_low[w.i]),
                                        w.cpu_low))
    if w.job is not None and w.job.risk > risk:
        risk, driver = w.job.risk, "the job deadline (predicted runtime interval)"
    if driver == "EBS" and risk == 2:  # within the burst maximum only (risk.limit_risk)
        out.append(ebs_burst_reason(w.itype, float(w.ix.ebs_base_iops[w.i]),
                                    float(w.ix.ebs_base_mbps[w.i])))
    if risk > 0:
        out.append(reason("risk.performance", PERF02_SELECT,
                          f"Performance risk {risk:g} ({risk_label(risk)}), driven by "
                          f"{driver}.", "caution" if risk >= 2 else "info"))
    return risk, out


#: The reason rules of an EC2 option, in the order they are shown.
EC2_REASONS: tuple[Callable[[Ec2Row], list[Reason]], ...] = (
    size_reasons, capacity_reasons, feature_reasons, purchase_reasons, burst_reasons,
)


def predicted_fields(w: Ec2Row) -> dict[str, Any]:
    """``predicted`` of an EC2 option: perf_index, projected utilization, savings, credits."""
    ix, i, n = w.ix, w.i, w.count
    out: dict[str, Any] = {**w.facts.predicted, "capacity": round(w.capacity, 3)}
    if w.need.demand_vcpus is not None:
        out["cpu_utilization_p995_pct"] = round(w.need.demand_vcpus / (w.eff_vcpus * n) * 100, 1)
    if w.need.memory_used_gib is not None:
        out["memory_utilization_pct"] = round(
            w.need.memory_used_gib / (w.facts.memory_gib * n) * 100, 1)
    od_h = float(ix.ondemand[w.r, i])  # (one index, no row view)
    if w.price.po != "on_demand" and not math.isnan(od_h):
        od = od_h * n * w.hours  # Compute Optimizer's "savings" against on-demand
        out["on_demand_monthly_cost_usd"] = round(od, 2)
        out["savings_vs_on_demand_pct"] = round((1 - w.cost / od) * 100, 1) if od else None
    b = w.burst
    if b is not None:
        sim, k = b.sim, b.k
        out.update({
            # round(v, 1) of every point, vectorised (base.round_list, bit for bit)
            "credit_balance": round_list(sim.curves[k], 1),
            "credit_balance_hours": _curve_hours(w, sim),
            "credit_balance_min": round(float(sim.min_balance[k]), 1),
            "surplus_credits_month": round(float(sim.surplus_credits_month[k]), 1),
        })
    return out


def _curve_hours(w: Ec2Row, sim: BurstResult) -> list[float]:
    """The curve's hours, rounded once per recommendation (every burstable option of the
    one simulation shares them); a fresh list per option, as each option owns its own."""
    key = ("credit_balance_hours", id(sim))
    hours = w.memo.get(key)
    if hours is None or hours[0] is not sim:
        hours = w.memo[key] = (sim, round_list(sim.curve_hours, 3))
    return list(hours[1])
