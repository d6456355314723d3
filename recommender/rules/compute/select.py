"""The compute pipeline: stages over one candidate table (PERF02-BP01, PERF01-BP03).

1. :func:`build_table`: prices under the allowed purchase options, node counts, the hard
   filters of :mod:`~recommender.rules.compute.candidates` (need + headroom in the need's
   vCPUs, memory per node, EBS/network limits, budget);
2. :data:`NARROWING_STAGES`, one signature each: :func:`generation_stage` (previous
   generation only when nothing current fits), :func:`fleet_stage` (the fewest nodes per
   family for scaled-out work), :func:`burst_stage` (burstable types judged by their credits);
3. :func:`rank_stage`: EC2, Fargate and Lambda rows ranked by the objective
   (:mod:`recommender.rules.rank`), a batch job re-ranking by its predicted runs;
4. :func:`options_stage`: the options shown, one size per family, each explained by the
   rules of :mod:`~recommender.rules.compute.explain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Option
from recommender.rules.base import Candidate, Rejections
from recommender.rules.compute import sizing as cr
from recommender.rules.compute.budget import (
    over_budget,
    serverless_within_budget,
    unlimited_budget_note,
)
from recommender.rules.compute.burst import (
    BurstInputs,
    BurstResult,
    judge_burstable,
    simulate_credits,
)
from recommender.rules.compute.candidates import (
    Ec2Index,
    FilterContext,
    apply_filters,
    ebs_load_sustained,
)
from recommender.rules.compute.ebs_need import ebs_iops_need
from recommender.rules.compute.explain import facts_memo
from recommender.rules.compute.fleet import fewest_nodes
from recommender.rules.compute.index import index_memo, one_node
from recommender.rules.compute.jobs import JobCandidates, JobPlan, JobSettings, plan_job
from recommender.rules.compute.options import (
    ec2_facts,
    ec2_option,
    first_ec2,
    instance_store_pick,
    nothing_fits_message,
    pick_shown,
)
from recommender.rules.compute.purchase import allowed_purchase_options, effective_prices
from recommender.rules.compute.rank_inputs import ec2_rank_inputs
from recommender.rules.compute.serverless import serverless_candidates, serverless_option
from recommender.rules.compute.table import Ec2Table
from recommender.rules.prices import PriceBook
from recommender.rules.rank import Ranking, RankTable, RowIds, rank


@dataclass
class ComputeResult:
    options: list[Option] = field(default_factory=list)
    top_ec2: dict[str, Any] | None = None
    instance_store: dict[str, Any] | None = None
    peak_to_average: float | None = None
    #: What "why not X" reads: the table, the ranked rows and the serverless candidates.
    table: Ec2Table | None = None
    ranking: Ranking | None = None
    idx: np.ndarray | None = None
    serverless: list[Candidate] = field(default_factory=list)
    shown: dict[str, int] = field(default_factory=dict)


def build_table(p: WorkloadProfile, need: cr.ComputeNeed, ix: Ec2Index, region: str, *,
                catalog: Any = None, warnings: list[str]) -> Ec2Table:
    """Price every type, count its nodes and apply the hard filters."""
    r = ix.region_pos[region]
    pricing = effective_prices(ix, r, allowed_purchase_options(p, warnings), p=p,
                               catalog=catalog, warnings=warnings)
    ref = p.compute.measured_on if p.compute else None
    # measured_on converts the need both ways; without it only slower vCPUs are discounted.
    ref_speed = float(ix.speed[ix.pos[ref]]) if ref in ix.pos else None
    # Both depend on the index (and the measured-on type) alone unless the work scales out:
    # kept once per index, read-only (index_memo).
    eff = index_memo(ix, ("capacity_vcpus", ref_speed),
                     lambda: cr.capacity_vcpus(ix.speed, ix.vcpus, ref_speed))
    single = not need.horizontal  # one node of each type: the index's shared count
    count = one_node(ix) if single else cr.node_counts(eff, ix.memory_gib, need)
    if need.horizontal and need.demand_vcpus is not None and need.series_pct is not None:
        # Burstable nodes carry the peak at 100 % of their vCPUs (credits judged later).
        peak = cr.node_counts(eff, ix.memory_gib, replace(need, vcpus=need.demand_vcpus))
        count = np.where(ix.is_burst, peak, count)
    s = p.storage
    # Scratch data on one instance goes to EBS or to the instance store: the EBS limits bind
    # unless the type's store holds it (candidates.filter_ebs).
    ebs = s is not None and s.sharing in (None, "single_instance")
    scratch = (s.size_gib.min if s.size_gib else 0.0) if s is not None and ebs and \
        s.persistence == "scratch" else None
    ctx = FilterContext(
        region=region, vcpus_need=need.vcpus, vcpus_max=need.vcpus_max,
        memory_need=need.memory_gib, memory_max=need.memory_max, gpus_min=need.gpus_min,
        gpus_max=need.gpus_max, arch=need.arch, count=count, max_nodes=need.max_nodes,
        parallelism=need.parallelism, horizontal=need.horizontal,
        tightly_coupled=need.tightly_coupled,
        bandwidth_gbps=p.network.bandwidth_gbps if p.network else None,
        ebs_iops=ebs_iops_need(s) if s is not None and ebs else None,
        ebs_mibps=s.throughput_mibps.min if s is not None and ebs and s.throughput_mibps
        else None,
        price=pricing.price, priced=pricing.priced, node_floor_vcpus=need.node_floor_vcpus,
        node_floor_memory_gib=need.node_floor_memory_gib, vcpus_eff=eff,
        vcpus_need_burst=need.demand_vcpus if need.series_pct is not None else None,
        hours=need.hours, max_monthly_usd=p.max_monthly_usd, single_node=single,
        ebs_sustained=ebs_load_sustained(s.peak_minutes_per_day if s else None),
        scratch_gib=scratch)
    fr = apply_filters(ix, ctx)
    # (One node each: price x hours, the same floats as price x 1 x hours.)
    cost = pricing.price * need.hours if single else (
        pricing.price * count * need.hours)
    return Ec2Table(ix, r, need, pricing, count, eff, cost,
                    fr.passed.copy(), ctx, fr, type_memo=facts_memo(catalog, ix),
                    ref_speed=ref_speed)


def generation_stage(t: Ec2Table, book: PriceBook, rej: Rejections) -> None:
    """Previous-generation types only when no current-generation type fits: AWS keeps them
    for existing workloads and recommends current ones (https://aws.amazon.com/ec2/
    previous-generation/), PERF02-BP01."""
    old = t.alive > t.ix.current  # alive and not current (one pass, no inverted copy)
    gone = old.nonzero()[0]  # (np.flatnonzero of a 1-D mask, without its wrapper)
    # The alive rows are the old ones and the current ones: a current one fits unless every
    # alive row is old (counted, not masked and searched again).
    if not len(gone) or np.count_nonzero(t.alive) == len(gone):
        return
    rej.add("ec2.previous_generation", len(gone))
    types = t.ix.types
    t.dropped.add(gone, lambda i: (
        f"{types[i]} is a previous-generation type and current-generation types fit (AWS "
        "recommends current generation for new workloads)"))
    t.alive[gone] = False


def fleet_stage(t: Ec2Table, book: PriceBook, rej: Rejections) -> None:
    """Scaled-out work: keep the fewest nodes per family (see fleet.fewest_nodes)."""
    need = t.need
    if not need.horizontal:
        return
    keep, t.family_min = fewest_nodes(
        t.ix.family, t.count, t.cost, t.alive,
        cheaper_may_add_nodes=bool(need.parallelism) and not need.tightly_coupled,
        codes=(t.ix.family_code, t.ix.family_names))
    gone = (t.alive > keep).nonzero()[0]  # alive and not kept (no inverted copy)
    rej.add("ec2.more_nodes_than_a_larger_size", len(gone))
    ix, count, family_min = t.ix, t.count, t.family_min
    t.dropped.add(gone, lambda i: (
        f"{int(count[i])} x {ix.types[i]}: a larger {ix.family[i]} size meets the need in "
        f"{int(family_min[str(ix.family[i])])} node(s) (fewest nodes first)"))
    t.alive[gone] = False  # (keep drops alive rows only: the same as alive &= keep)


def burst_stage(t: Ec2Table, book: PriceBook, rej: Rejections) -> None:
    """Burstable types: admitted by their credit simulation, not by headroom on the peak."""
    ix, need = t.ix, t.need
    b_idx = (t.alive & ix.is_burst).nonzero()[0]
    if not len(b_idx):
        return
    if need.series_pct is None or need.measured_vcpus is None:
        rej.add("ec2.burstable_needs_cpu_utilization", len(b_idx))
        t.alive[b_idx] = False
        t.dropped.add(b_idx, lambda i: (
            f"{ix.types[i]} is burstable: judging its CPU credits needs "
            "compute.cpu_utilization or a utilization series"))
        return
    # (The fixed-performance rows' costs: empty when none is alive.)
    others = t.cost[t.alive > ix.is_burst]
    cheapest = _nanmin(others) if len(others) else np.inf
    sim = simulate_credits(
        need.series_pct, need.measured_vcpus, need.interval_min, vcpus=ix.vcpus[b_idx],
        count=t.count[b_idx], credits_per_hour=ix.credits_per_hour0[b_idx],
        max_credits=ix.max_credits0[b_idx], hours_per_month=need.hours,
        # Measured on another type: its vCPUs are converted to each T type's own (a credit
        # is one of the T type's vCPUs for a minute), as the need converts both ways.
        demand_scale=None if t.ref_speed is None else t.ref_speed / ix.speed[b_idx])
    fixed_ok = t.eff * t.count >= (need.vcpus or 0.0) - 1e-9
    inputs = BurstInputs(ix, t.count, t.cost, sim, lambda fam: book.fact(
        "burstable", "unlimited_surplus_credit_usd_per_vcpu_hour", f"{fam} "), fixed_ok)
    for k, i in enumerate(b_idx.tolist()):
        verdict, key = judge_burstable(inputs, i, k, cheapest)
        if verdict is None:
            rej.add(key)
            t.alive[i] = False
            # Written when "why not" asks (a dozen of these per call, rarely read); what it
            # reads of the table (types, eff, count, need) no later stage changes.
            t.dropped.add(np.array([i], dtype=np.intp), partial(
                _burst_drop_note, t, sim=sim, k=k, key=key, fixed_ok=bool(fixed_ok[i]),
                cheapest=cheapest))
            continue
        budget = t.ctx.max_monthly_usd
        if verdict.surplus_usd and over_budget(t.cost[i] + verdict.surplus_usd, budget):
            # The surplus credits come after the price filter: held to the budget here.
            assert budget is not None
            rej.add("ec2.above_budget")
            t.alive[i] = False
            note = unlimited_budget_note(str(ix.types[i]), float(t.cost[i]),
                                         verdict.surplus_usd, budget)
            t.dropped[i] = note
            continue
        t.cost[i] += verdict.surplus_usd
        t.burst[i] = verdict


def _burst_drop_note(t: Ec2Table, i: int, *, sim: BurstResult, k: int, key: str,
                     fixed_ok: bool, cheapest: float) -> str:
    """Why burstable type ``i`` (row ``k`` of the simulation) was dropped, in numbers."""
    return (f"{t.ix.types[i]}: {key.split('.')[-1].replace('_', ' ')} (standard mode: the "
            f"load averages {sim.avg_util_pct[k]:.0f}% per vCPU against a "
            f"{sim.baseline_pct[k]:.0f}% baseline, so the balance runs out; unlimited mode "
            + ("would need the " if not fixed_ok else "is not cheaper than the "
               f"cheapest fixed-performance fit, ${cheapest:,.2f}/month")
            + (f"{t.need.vcpus or 0.0:.2f} vCPUs with headroom, it has "
               f"{t.eff[i] * t.count[i]:.2f})" if not fixed_ok else ")"))


#: The stages that narrow the table after the hard filters, in order.  Each drops rows from
#: ``t.alive``, counts them under its rejection key and notes why in ``t.dropped``.
NARROWING_STAGES: tuple[Callable[[Ec2Table, PriceBook, Rejections], None], ...] = (
    generation_stage, fleet_stage, burst_stage,
)


def rank_stage(t: Ec2Table, idx: np.ndarray, cands: list[Candidate], objective: str
               ) -> tuple[Ranking, dict[str, np.ndarray]]:
    """Rank EC2 rows ``idx`` and the serverless candidates on one table by the objective."""
    f = ec2_rank_inputs(t, idx)
    pv = t.ix.perf_per_vcpu_median
    extra = [c.option for c in cands]
    id_rank = _id_rank(t.ix, idx, extra)
    # Without serverless rows the EC2 columns are the table's as they are (no copies: the
    # ranking only reads them, and the facts' risk and capacity are read from it alone).
    table = RankTable(
        ids=RowIds(t.ix.types, idx, extra) if id_rank is not None else np.concatenate(
            [t.ix.types[idx].astype(object), np.array(extra, dtype=object)]), id_rank=id_rank,
        cost=_with(t.cost[idx], [np.nan if c.monthly_cost_usd is None else c.monthly_cost_usd
                                 for c in cands]),
        risk=_with(f["risk"], [min(4.0, c.risk) for c in cands]),
        capacity=_with(f["capacity"], [c.components.get("vcpus_total", 0.0) * pv
                                       for c in cands]))
    return rank(table, objective), f


def _with(rows: np.ndarray, extra: list[float]) -> np.ndarray:
    """``rows`` followed by ``extra`` (``rows`` itself when there is none)."""
    return np.concatenate([rows, extra]) if extra else rows


def _id_rank(ix: Ec2Index, idx: np.ndarray, extra: list[str]) -> np.ndarray | None:
    """Codes ordering ``types[idx] + extra`` as a stable sort of the strings would.

    The index's types are sorted and unique, so the EC2 rows (``idx`` ascending) are in
    order already; only the few serverless ids are placed among them (by bisection).
    """
    if not ix.types_sorted:
        return None
    n = len(idx)
    code = np.arange(n + len(extra), dtype=np.intp)
    if len(extra) == 1:  # (the usual case, Fargate alone: the steps below for one id)
        a = int(idx.searchsorted(_id_place(ix, extra[0])))
        code[a:n] += 1
        code[n] = a
    elif extra:
        q = sorted(range(len(extra)), key=extra.__getitem__)  # stable: equal ids keep order
        # The rows at or below an extra id: those of idx before its place among all types
        # (types sorted, idx ascending), so types[idx] is not gathered.
        # (An id's place among the types is the index's alone: found once per id.)
        place = [_id_place(ix, extra[j]) for j in q]
        at = np.searchsorted(idx, place, side="left").astype(np.intp)
        for a in at.tolist():  # the rows from an extra's place on come after it
            code[a:n] += 1
        code[n + np.array(q, dtype=np.intp)] = at + np.arange(len(extra))
    return code


def _id_place(ix: Ec2Index, option: str) -> int:
    """How many of the index's (sorted) types sort at or before ``option``: the index's
    alone, so found once per id."""
    def build() -> int:
        return int(np.searchsorted(ix.types, np.array([option], dtype=object),
                                   side="right")[0])
    place: int = index_memo(ix, ("id_place", option), build)
    return place


def select_compute(
    p: WorkloadProfile, need: cr.ComputeNeed, ix: Ec2Index, book: PriceBook, region: str,
    *, objective: str, top_n: int, rej: Rejections, warnings: list[str], models: Any,
    catalog: Any = None,
) -> ComputeResult:
    """Ranked compute options (EC2, Fargate, Lambda) for the profile in ``region``."""
    t = build_table(p, need, ix, region, catalog=catalog, warnings=warnings)
    for key, v in t.filters.rejected.items():
        rej.add(key, v)
    for stage in NARROWING_STAGES:
        stage(t, book, rej)
    res = ComputeResult(table=t, peak_to_average=_peak_to_average(need))
    res.idx = t.alive.nonzero()[0]
    res.serverless = serverless_within_budget(serverless_candidates(
        p, need, book, region, rej, models=models, catalog=catalog, objective=objective),
        p.max_monthly_usd, rej)
    if len(res.idx) == 0 and not res.serverless:
        warnings.append(nothing_fits_message(t, need))
        return res
    ranking, f = rank_stage(t, res.idx, res.serverless, objective)
    res.ranking = ranking
    settings = JobSettings(need.hours, region, objective, top_n)
    # The scores shown: the ranking's, with a job plan's predicted options re-scored in place.
    score = ranking.score  # (a fresh array each time it is read: the job stage writes it)
    job = _job_stage(p, t, res, settings, score=score, rej=rej, warnings=warnings,
                     models=models, catalog=catalog)
    # Without a job plan the ranking itself is read: only the head that is shown is sorted.
    order = job.order if job is not None and job.order is not None else ranking
    options_stage(res, order, score=score, facts=f, job=job, settings=settings)
    res.instance_store = instance_store_pick(p, t, res.idx, order)
    if res.instance_store is not None and res.options:
        # What the store's host replaces: the storage stage prices the store as the change.
        first = res.options[0]
        res.instance_store["instead_of"] = (first.option, first.monthly_cost_usd)
    return res


def _peak_to_average(need: cr.ComputeNeed) -> float | None:
    if need.series_pct is None:
        return None
    s = need.series_pct  # a float array: np.mean and np.max as their reductions
    avg = float(np.add.reduce(s) / len(s))
    return float(np.maximum.reduce(s)) / avg if avg > 0 else None


def _nanmin(a: np.ndarray) -> float:
    """``float(np.nanmin(a))`` of a non-empty float array: its own ``np.fmin.reduce``, and
    ``np.nanmin`` itself (its all-NaN warning) only when that gives NaN."""
    m = float(np.fmin.reduce(a))
    return float(np.nanmin(a)) if m != m else m


def _job_stage(p: WorkloadProfile, t: Ec2Table, res: ComputeResult, settings: JobSettings, *,
               score: np.ndarray, rej: Rejections, warnings: list[str], models: Any,
               catalog: Any) -> JobPlan | None:
    """A batch job re-ranks the EC2 rows by its predicted runs (cost per run, deadline);
    its options' scores are replaced in ``score``."""
    if p.compute is None or p.compute.job is None:  # (plan_job's own test, before pp)
        return None
    ranking, idx = res.ranking, res.idx
    assert ranking is not None and idx is not None
    cap, cost_pos = ranking.table.capacity, ranking.table.cost
    # Capacity per dollar; a near-zero cost (fuzzed profiles) overflows to inf, which ranks
    # such a row first as it should, so numpy is not asked to warn about it.
    with np.errstate(over="ignore"):
        pp = np.where(np.isfinite(cost_pos) & (cost_pos > 0), cap / np.where(
            cost_pos > 0, cost_pos, 1.0), 0.0)
    return plan_job(p, JobCandidates(t.ix, idx, ranking, pp, len(idx), t.count,
                                     t.pricing.price, t.pricing.po, t.cost, score),
                    settings, rej, warnings, models=models, catalog=catalog)


def options_stage(res: ComputeResult, order: np.ndarray | Ranking, *, score: np.ndarray,
                  facts: dict[str, np.ndarray],
                  job: JobPlan | None, settings: JobSettings) -> None:
    """The options shown (one size per family), each explained, and the top EC2 facts."""
    t, ranking, idx = res.table, res.ranking, res.idx
    assert t is not None and ranking is not None and idx is not None
    n_ec2 = len(idx)
    for pos, k in enumerate(pick_shown(order, idx, n_ec2, t.ix, settings.top_n), start=1):
        if k >= n_ec2:
            c = res.serverless[k - n_ec2]
            c.reasons = [*c.reasons, ranking.reason(k, shown=pos)]
            res.options.append(serverless_option(c, pos, float(score[k]), settings.region))
        else:
            res.options.append(ec2_option(
                t, int(idx[k]), rank=pos, k=k, ranking=ranking, score=float(score[k]),
                facts=facts, objective=settings.objective, region=settings.region, job=job))
        res.shown[res.options[-1].option] = pos
    best = first_ec2(order, n_ec2)
    if best is not None:
        i = int(idx[best])
        res.top_ec2 = {**ec2_facts(t.ix, i), "node_count": int(t.count[i])}
