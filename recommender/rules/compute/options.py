"""EC2 options of the response (the ones shown, the top type's facts, the instance-store pick),
and the human message when no compute option fits."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Option, Reason, built_option
from recommender.rules.base import PERF01_COST, PERF02_SELECT, fmt_num, fmt_usd, reason
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.compute.elasticity import plan_scaling
from recommender.rules.compute.explain import (
    EC2_REASONS,
    Ec2Row,
    option_risk,
    predicted_fields,
    price_texts,
    type_facts,
)
from recommender.rules.compute.jobs import JobPlan
from recommender.rules.compute.purchase import COMMITMENT_BILLING_URL, OFFERING
from recommender.rules.compute.risk import EBS_OPTIMIZED_URL
from recommender.rules.compute.sizing import ComputeNeed
from recommender.rules.rank import Ranking, chunks

#: The instance-store page: local disks "ideal for temporary storage ... scratch data".
INSTANCE_STORE_URL = ("https://docs.aws.amazon.com/ec2/latest/instancetypes/"
                      "so-instance-store-volumes.html")

if TYPE_CHECKING:  # the table is defined by select.py, which imports this module
    from recommender.rules.compute.table import Ec2Table


def ec2_option(t: Ec2Table, i: int, *, rank: int, k: int, ranking: Ranking, score: float,
               facts: dict[str, np.ndarray], objective: str, region: str,
               job: JobPlan | None) -> Option:
    """The response option of EC2 type ``i`` (position ``k`` of the ranking)."""
    # (ndarray.item: the Python number at once, without a numpy scalar between.)
    ix, n, tf = t.ix, int(t.count.item(i)), type_facts(t.type_memo, t.ix, i)
    info = job.for_option(i) if job is not None else None
    hours = info.hours if info is not None and info.hours is not None else t.need.hours
    # A job whose month bills less on-demand (or Spot) than under a commitment switched to it.
    pricing = info.pricing if info is not None and info.pricing is not None else t.pricing
    pt = price_texts(pricing, ix, i, t.r, region)
    row = Ec2Row(
        ix=ix, i=i, facts=tf, r=t.r, need=t.need, count=n, cost=float(t.cost.item(i)),
        hours=hours, pricing=pricing, price=pt, eff_vcpus=float(t.eff.item(i)),
        capacity=float(ranking.table.capacity.item(k)),
        risk_dims=float(facts["dims"].item(k)), worst=int(facts["worst"].item(k)),
        cpu_low=float(facts["cpu_low"].item(k)),
        objective=objective, region=region, burst=t.burst.get(i), job=info,
        family_min=t.family_min.get(tf.family), memo=t.memo)
    reasons: list[Reason] = [x for rule in EC2_REASONS for x in rule(row)]
    if t.filters.rejected.get("ec2.ebs_limits_below_storage_need"):
        reasons.append(ebs_fit_reason(t, i))
    config = _ec2_config(t, row)
    predicted = predicted_fields(row)
    scaling = _scaling(t, row)
    if scaling is not None:
        config["scaling"], plan_reasons, avg = scaling
        reasons.extend(plan_reasons)
        if avg is not None and n > 0:
            scaled, why = scaled_cost(row, config["scaling"], avg)
            predicted["monthly_cost_usd_with_scaling"] = round(scaled, 2)
            reasons.extend(why)
    if info is not None:
        config.update(info.config)
        reasons.extend(info.reasons)
        predicted.update(info.predicted)
    risk, risk_reasons = option_risk(row)
    reasons.extend(risk_reasons)
    if info is None or not info.predicted:
        reasons.append(ranking.reason(k, shown=rank))
    return built_option(rank=rank, option=row.itype, kind="ec2", count=n,
                        purchase_option=pt.po, score=round(score, 4),
                        monthly_cost_usd=round(row.cost, 2), performance_risk=float(risk),
                        predicted=predicted, reasons=reasons, config=config, region=region,
                        unpriced=pricing.unpriced(i, row.itype, region),
                        verify=pt.unverified or "verify" in [x.severity for x in reasons])


def ebs_fit_reason(t: Ec2Table, i: int) -> Reason:
    """Why type ``i`` holds the storage's EBS load when the EBS limits ruled out other types
    (``ec2.ebs_limits_below_storage_need``): the limits it carries the load at against the
    need (EBS-optimized instances, EBS_OPTIMIZED_URL), so a type larger than the CPU and
    memory need is not a mystery."""
    ctx, ix = t.ctx, t.ix
    gone = int(t.filters.rejected["ec2.ebs_limits_below_storage_need"])
    if ctx.scratch_gib is not None and ix.store_ssd[i] and ix.store_gib[i] >= ctx.scratch_gib:
        return reason(
            "compute.ebs_limits", PERF02_SELECT,
            f"Instance store: {ix.types[i]} holds the {fmt_num(ctx.scratch_gib)} GiB of "
            f"scratch data on its {fmt_num(float(ix.store_gib[i]))} GiB of local SSD, so no "
            f"EBS volume carries it; {gone} types with neither EBS limits for the storage's "
            f"load nor such a store were left out ({EBS_OPTIMIZED_URL}, {INSTANCE_STORE_URL}).")
    base = ctx.ebs_sustained
    iops = ix.ebs_base_iops[i] if base else ix.ebs_max_iops[i]
    mbps = ix.ebs_base_mbps[i] if base else ix.ebs_max_mbps[i]
    need = " and ".join(
        x for x in (f"{fmt_num(ctx.ebs_iops)} IOPS" if ctx.ebs_iops is not None else "",
                    f"{fmt_num(ctx.ebs_mibps)} MiB/s" if ctx.ebs_mibps is not None else "")
        if x)
    at = ("its baseline, the load being sustained" if base else
          "its maximum, the load peaking under 30 minutes a day")
    return reason(
        "compute.ebs_limits", PERF02_SELECT,
        f"EBS: {ix.types[i]} carries {fmt_num(float(iops))} IOPS and {fmt_num(float(mbps))} "
        f"MB/s ({at}) for the storage's {need}; {gone} types with lower EBS limits were "
        f"left out ({EBS_OPTIMIZED_URL}).")


def _ec2_config(t: Ec2Table, w: Ec2Row) -> dict[str, Any]:
    """``config`` of an EC2 option: the type, its node count and purchase provenance."""
    # (The purchase part, with a spot option's interruption band, is read once per type:
    # explain.price_texts.)
    config: dict[str, Any] = {**w.facts.config, "node_count": w.count, **w.price.config}
    if w.burst is not None:
        config["credit_mode"] = w.burst.mode
    return config


def _scaling(t: Ec2Table, w: Ec2Row
             ) -> tuple[dict[str, Any], tuple[Reason, ...], float | None] | None:
    """The Auto Scaling plan of a scaled-out or series-backed multi-node option."""
    need, n = t.need, w.count
    if not ((need.horizontal and not need.tightly_coupled)
            or (need.series_pct is not None and n > 1)):
        return None
    plan = plan_scaling(
        series_pct=need.series_pct, measured_vcpus=need.measured_vcpus,
        interval_min=need.interval_min, node_vcpus=w.eff_vcpus, count=n,
        max_nodes=need.max_nodes, min_nodes=need.min_nodes, startup_s=need.startup_s,
        can_wait=need.can_wait, cpu_headroom_pct=need.cpu_headroom_pct, memo=t.memo)
    return plan.as_config(), plan.reasons, plan.extra.get("expected_average_count")


def scaled_cost(w: Ec2Row, scaling: dict[str, Any], avg: float) -> tuple[float, list[Reason]]:
    """``monthly_cost_usd_with_scaling`` of an option of ``w.count`` nodes whose group runs
    ``avg`` on average, and, for a commitment, the reason it saves nothing.

    On-demand and Spot bill the nodes running: the monthly cost / count x ``avg``.  The
    engine's commitment covers every node it prices (``config.node_count``, the sized fleet
    ``monthly_cost_usd`` counts at the committed rate), and a committed node bills every
    hour of the term whether the group runs it or not (Reserved Instances "regardless of
    whether the Reserved Instance is being used", a Savings Plan's USD per hour for the term:
    COMMITMENT_BILLING_URL): scaling in frees none of those hours, so the scaled cost is the
    monthly cost, plus on-demand hours for nodes above the committed count (a lower bound:
    ``avg`` above the count).  The reason prices the alternative of committing only the
    group's minimum and running the rest on-demand.
    """
    n, po = w.count, w.price.po
    if po not in OFFERING:
        return w.cost / n * avg, []
    if avg == n:  # a fixed group: nothing scales in or out
        return w.cost, []
    od = float(w.ix.ondemand[w.r][w.i])
    above = max(0.0, avg - n) * od * w.hours if math.isfinite(od) else 0.0
    scaled = w.cost + above
    per_node = w.cost / n
    lo = int(scaling.get("min_count") or n)
    text = (f"The {po} commitment covers the {n} node(s) priced (config.node_count); a "
            f"committed node bills every hour of the term whether the group runs it or not "
            f"({COMMITMENT_BILLING_URL[po]}), so scaling in to {fmt_num(avg)} nodes on "
            f"average saves nothing: {n} x {fmt_usd(per_node)} = {fmt_usd(w.cost)}/month"
            + (f" + {fmt_num(avg - n)} node(s) above them on-demand, {fmt_usd(above)}"
               if above else "") + ".")
    if lo < n and math.isfinite(od):
        mix = lo * per_node + max(0.0, avg - lo) * od * w.hours
        if mix < scaled:
            text += (f" Committing only the group's minimum of {lo} node(s) and running the "
                     f"rest on-demand: {lo} x {fmt_usd(per_node)} + {fmt_num(avg - lo)} x "
                     f"{fmt_num(w.hours)} h x ${od:.4f}/h = {fmt_usd(mix)}/month.")
    return scaled, [reason("elasticity.commitment", PERF01_COST, text, "caution")]


def pick_shown(order: np.ndarray | Ranking, idx: np.ndarray, n_ec2: int, ix: Ec2Index,
               top_n: int) -> list[int]:
    """The positions shown: one size per family (alternatives, not near-duplicates)."""
    seen: set[int] = set()
    picked: list[int] = []
    if top_n <= 0:
        return picked
    # The family codes stand for the names (one code per name); the order is read a chunk
    # at a time, as the few shown are near its head (a ranking sorts only what is read).
    for ks in chunks(order, 4 * top_n):
        fams = ix.family_code[idx[np.minimum(ks, n_ec2 - 1)]].tolist() if n_ec2 else []
        for j, k in enumerate(ks.tolist()):
            if k < n_ec2:
                if fams[j] in seen:
                    continue
                seen.add(fams[j])
            picked.append(k)
            if len(picked) >= top_n:
                return picked
    return picked


def first_ec2(order: np.ndarray | Ranking, n_ec2: int) -> int | None:
    """The first EC2 position of ``order`` (serverless positions are ``n_ec2`` and up)."""
    if isinstance(order, Ranking):  # nearly always #1: read off the head already listed
        k = next((k for k in order.head_list if k < n_ec2), None)
        if k is not None:
            return k
    for ks in chunks(order, 8):
        ec2 = ks[ks < n_ec2]
        if len(ec2):
            return int(ec2[0])
    return None


def nothing_fits_message(t: Ec2Table, need: ComputeNeed) -> str:
    """No compute option fits: the tightest constraint in words and numbers, and what would
    admit options (scale out, relax memory, another region...)."""
    from recommender.rules.compute.candidates import tightest_constraint

    ix = t.ix
    key, closest = tightest_constraint(
        ix, t.filters, ignore=("ec2.not_offered_in_region", "ec2.mac_or_32bit_platform",
                               "ec2.no_price_in_region_for_purchase_option"))
    if key is None:
        return ("No compute option fits, and no single constraint explains it: every instance "
                "type fails two or more of the profile's constraints. Relax vCPUs, memory or "
                "the architecture, or try another region.")
    others = np.ones(ix.n, dtype=bool)
    for c in t.filters.checks:
        if c.key != key:
            others &= c.mask
    head = f"No compute option fits. Tightest constraint ({key}): "
    tail = (f" Relaxing it admits {len(closest)} instance types; closest: "
            f"{', '.join(closest[:3])}.")
    if key == "ec2.vcpus" and need.vcpus is not None:
        return head + _vcpu_text(t, need, others, need.vcpus) + tail
    if key == "ec2.memory" and need.memory_gib is not None:
        return head + _memory_text(t, need, others, need.memory_gib) + tail
    if key == "ec2.above_budget":
        # Closest to a budget is cheapest: the cheapest fit says what the budget must reach
        # (current generation first, as generation_stage admits them; only the types the
        # budget rejects: one it admits was left out by a later stage).
        closest = sorted((n for n in closest if t.filters.first_failure(ix.pos[n])),
                         key=lambda n: (not ix.current[ix.pos[n]], float(t.cost[ix.pos[n]]), n))
        tail = (f" Relaxing it admits {len(closest)} instance types; closest: "
                f"{', '.join(closest[:3])}.")
    near = ix.pos.get(closest[0]) if closest else None
    why = t.filters.first_failure(near) if near is not None else None
    hint = {"ec2.ebs_limits_below_storage_need": "stripe volumes or use instance store",
            "ec2.network_bandwidth": "scale out or relax bandwidth",
            "ec2.above_budget": "raise max_monthly_usd or relax the need",
            "ec2.architecture": "allow arch any"}.get(key, "relax it or try another region")
    return (head + (why.why(near) if why is not None and near is not None else key)
            + f"; {hint}." + tail)


def _vcpu_text(t: Ec2Table, need: ComputeNeed, others: np.ndarray, vcpus: float) -> str:
    """No single node has the vCPUs: the largest admissible, and the nodes to scale out to."""
    cap = float(np.max(t.eff[others])) if others.any() else 0.0
    text = (f"no single instance has {vcpus:g} vCPUs of capacity"
            + (f" with at most {need.memory_max:g} GiB" if need.memory_max else "")
            + f"; the largest admissible by the other constraints has {cap:.0f} vCPUs")
    if cap > 0 and not need.horizontal and vcpus > cap:
        text += (f"; scale out to {math.ceil(vcpus / cap)} nodes "
                 "(compute.scale_out horizontal)")
    if need.memory_max:
        # What the memory ceiling costs: the largest node once it is lifted.
        free = np.ones(t.ix.n, dtype=bool)
        for c in t.filters.checks:
            if c.key not in ("ec2.vcpus", "ec2.memory"):
                free &= c.mask
        big = float(np.max(t.eff[free])) if free.any() else 0.0
        if big > cap:
            text += (f", raise the memory limit (without it the largest has {big:.0f} vCPUs"
                     + (f": {math.ceil(vcpus / big)} nodes" if vcpus > big else "") + ")")
    return text + " or relax the vCPU need."


def _memory_text(t: Ec2Table, need: ComputeNeed, others: np.ndarray, memory: float) -> str:
    """No single node has the memory: the largest admissible, and when splitting would do."""
    mem = float(np.max(t.ix.memory_gib[others])) if others.any() else 0.0
    text = (f"no single instance has {memory:g} GiB; the largest admissible by "
            f"the other constraints has {mem:g} GiB")
    if mem > 0 and not need.horizontal and memory > mem:
        text += (f"; scale out to {math.ceil(memory / mem)} nodes if the work "
                 "can split its memory (compute.scale_out horizontal)")
    return text + ", or relax memory."


def ec2_facts(ix: Ec2Index, i: int) -> dict[str, Any]:
    """The network and EBS facts of type ``i`` the other categories read (``top_ec2``)."""
    return {"instance_type": str(ix.types[i]), "efa": bool(ix.efa[i]),
            "ena_express": bool(ix.ena_express[i]), "ena_support": ix.ena_support[i],
            "cluster_pg": bool(ix.cluster_pg[i]),
            "net_baseline_gbps": float(ix.net_baseline_gbps[i]),
            "base_iops": float(ix.ebs_base_iops[i]),
            "max_iops": float(ix.ebs_max_iops[i]), "base_mbps": float(ix.ebs_base_mbps[i]),
            "max_mbps": float(ix.ebs_max_mbps[i])}


def instance_store_pick(p: WorkloadProfile, t: Ec2Table, idx: np.ndarray,
                        order: np.ndarray | Ranking) -> dict[str, Any] | None:
    """Scratch storage: the best-ranked type with enough SSD instance store, or None."""
    s, ix = p.storage, t.ix
    if s is None or s.persistence != "scratch":
        return None
    size = s.size_gib.min if s.size_gib else 0.0
    for k in (k for ks in chunks(order, 32) for k in ks.tolist()):
        if k >= len(idx):
            continue
        i = int(idx[k])
        if ix.store_ssd[i] and ix.store_gib[i] >= (size or 1e-9):
            return {"instance_type": str(ix.types[i]), "store_gib": float(ix.store_gib[i]),
                    "nvme": bool(ix.store_nvme[i]), "monthly_cost_usd": float(t.cost[i]),
                    "node_count": int(t.count[i])}  # the cost is for this many nodes
    return None
