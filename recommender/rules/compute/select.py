"""The compute pipeline: EC2 candidates -> filters -> burst check -> scores, plus Fargate and
Lambda, ranked on one monthly scale (PERF02).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Option, Reason
from recommender.rules.base import PERF02_SELECT, Rejections, clean, fmt_num, reason
from recommender.rules.compute import sizing as cr
from recommender.rules.compute.burst import simulate_credits, unlimited_surplus_usd
from recommender.rules.compute.candidates import (
    MIB_IN_MB,
    Ec2Index,
    FilterContext,
    apply_filters,
    tightest_constraint,
)
from recommender.rules.compute.elasticity import plan_scaling
from recommender.rules.compute.fleet import explain_nodes, fewest_nodes
from recommender.rules.compute.jobs import JobInfo, plan_job
from recommender.rules.compute.purchase import allowed_purchase_options, effective_prices
from recommender.rules.compute.risk import (
    DIMENSIONS,
    ec2_risk,
    perf_interval_cpu_risk,
    perf_interval_reason,
    risk_label,
)
from recommender.rules.compute.serverless import serverless_candidates, serverless_option
from recommender.rules.prices import PriceBook
from recommender.rules.rank import combine


@dataclass
class ComputeResult:
    options: list[Option] = field(default_factory=list)
    top_ec2: dict[str, Any] | None = None
    instance_store: dict[str, Any] | None = None
    peak_to_average: float | None = None


def select_compute(
    p: WorkloadProfile, need: cr.ComputeNeed, ix: Ec2Index, book: PriceBook, region: str,
    objective: str, top_n: int, rej: Rejections, warnings: list[str], models: Any,
    catalog: Any = None,
) -> ComputeResult:
    """Ranked compute options (EC2, Fargate, Lambda) for the profile in ``region``.

    Parameters
    ----------
    p : WorkloadProfile
    need : ComputeNeed
        From :func:`recommender.rules.compute.sizing.derive_need`.
    ix : Ec2Index
        The catalog's EC2 arrays (:func:`recommender.rules.compute.candidates.ec2_index`).
    book : PriceBook
    region : str
        The region to price in (already validated against the catalog).
    objective : {"cost", "balanced", "performance"}
    top_n : int
    rej : Rejections
        Incremented with every rejected candidate, by reason.
    warnings : list of str
        Appended with what the user should know (ignored purchase options, no fit...).
    models : model bundle or None
    catalog : Catalog, optional
        Needed by the Lambda model for its prices.

    Returns
    -------
    ComputeResult
        The ranked options plus facts later stages use (best EC2 type, instance store).
    """
    res = ComputeResult()
    r = ix.region_pos[region]
    allowed = allowed_purchase_options(p, warnings)
    price, po = effective_prices(ix, r, allowed)
    count = cr.node_counts(ix.vcpus, ix.memory_gib, need)
    s = p.storage
    persistent_ebs = s is not None and s.persistence != "scratch" and s.sharing in (
        None, "single_instance")
    ctx = FilterContext(
        region=region, vcpus_need=need.vcpus, vcpus_max=need.vcpus_max,
        memory_need=need.memory_gib, memory_max=need.memory_max, gpus_min=need.gpus_min,
        gpus_max=need.gpus_max, arch=need.arch, count=count, max_nodes=need.max_nodes,
        parallelism=need.parallelism, horizontal=need.horizontal,
        tightly_coupled=need.tightly_coupled,
        bandwidth_gbps=p.network.bandwidth_gbps if p.network else None,
        ebs_iops=s.iops.min if persistent_ebs and s.iops else None,
        ebs_mibps=s.throughput_mibps.min if persistent_ebs and s.throughput_mibps else None,
        price=price, node_floor_vcpus=need.node_floor_vcpus,
        node_floor_memory_gib=need.node_floor_memory_gib,
    )
    fr = apply_filters(ix, ctx)
    for k, v in fr.rejected.items():
        rej.add(k, v)
    alive = fr.passed.copy()
    cost = price * count * need.hours
    family_min: dict[str, float] = {}
    if need.horizontal:
        # Fewest nodes per family (see fleet.fewest_nodes); after the hard filters, so a size
        # ruled out by them (max_nodes, bandwidth, price...) does not set the family's count.
        keep, family_min = fewest_nodes(
            ix.family, count, cost, alive,
            cheaper_may_add_nodes=bool(need.parallelism) and not need.tightly_coupled)
        dropped = int(np.count_nonzero(alive & ~keep))
        if dropped:
            rej.add("ec2.more_nodes_than_a_larger_size", dropped)
        alive &= keep
    mode = np.full(ix.n, None, dtype=object)
    burst_info: dict[int, dict[str, Any]] = {}
    # t1 and other T types without credit facts count as burstable too (then rejected).
    b_idx = np.flatnonzero(alive & (ix.burstable | (ix.category == "burstable")))
    if len(b_idx):
        non_burst = alive & ~ix.burstable & (ix.category != "burstable")
        cheapest = float(np.nanmin(cost[non_burst])) if non_burst.any() else np.inf
        if need.series_pct is None or need.measured_vcpus is None:
            rej.add("ec2.burstable_needs_cpu_utilization", len(b_idx))
            alive[b_idx] = False
        else:
            sim = simulate_credits(
                need.series_pct, need.measured_vcpus, need.interval_min, ix.vcpus[b_idx],
                count[b_idx], np.nan_to_num(ix.credits_per_hour[b_idx]),
                np.nan_to_num(ix.max_credits[b_idx]), need.hours)
            for k, i in enumerate(b_idx):
                fam = str(ix.family[i])
                surplus_price = book.fact("burstable",
                                          "unlimited_surplus_credit_usd_per_vcpu_hour",
                                          f"{fam} ")
                info = {"sim": sim, "k": k, "surplus_fact": surplus_price}
                if np.isnan(ix.credits_per_hour[i]):
                    rej.add("ec2.burstable_credit_facts_missing")
                    alive[i] = False
                    continue
                if sim.holds[k]:
                    mode[i] = "standard"
                else:
                    usd = None
                    if surplus_price is not None and surplus_price.value is not None:
                        usd = unlimited_surplus_usd(float(sim.surplus_credits_month[k]),
                                                    float(surplus_price.value)) * count[i]
                    if usd is None or cost[i] + usd >= cheapest:
                        rej.add("ec2.burstable_credits_run_out")
                        alive[i] = False
                        continue
                    mode[i] = "unlimited"
                    cost[i] += usd
                    info["surplus_usd"] = usd
                burst_info[int(i)] = info
    idx = np.flatnonzero(alive)
    cands = serverless_candidates(p, need, book, region, rej, models, catalog, objective)
    if len(idx) == 0 and not cands:
        key, closest = tightest_constraint(
            ix, fr, ignore=("ec2.not_offered_in_region", "ec2.mac_or_32bit_platform",
                            "ec2.no_price_in_region_for_purchase_option"))
        near = closest[:3]
        warnings.append(
            "No compute option fits. Tightest constraint: "
            + (f"{key} (relaxing it admits {len(closest)} instance types; closest: "
               f"{', '.join(near)})." if key else "none identifiable in the catalog."))
        return res
    n_ec2 = len(idx)
    vt = ix.vcpus[idx] * count[idx]
    mt = ix.memory_gib[idx] * count[idx]
    useful = np.ones(len(idx))
    if need.parallelism:
        useful = np.minimum(1.0, need.parallelism / vt)
    perf = ix.perf[idx] * count[idx] * useful
    pv = ix.perf_per_vcpu_median
    comps = {
        "cost": cost[idx], "perf": perf, "speed": ix.perf[idx] / ix.vcpus[idx],
        "fit": cr.score_fit(vt, mt, need), "family": cr.score_family(ix.category[idx],
                                                                     need.expected_category),
        "generation": cr.score_generation(ix.current[idx]),
        "graviton": cr.score_graviton(ix.arch[idx], need.arch_free),
        "spot": cr.score_spot(po[idx], ix.spot_band[r][idx]),
        "confidence": cr.score_confidence(ix.perf_source[idx]),
    }
    # Serverless rows join the same arrays so one scale ranks them all.
    for c in cands:
        vc = c.components["vcpus_total"]
        comps["cost"] = np.append(comps["cost"], c.monthly_cost_usd if c.monthly_cost_usd
                                  is not None else np.nan)
        comps["perf"] = np.append(comps["perf"], vc * pv)
        comps["speed"] = np.append(comps["speed"], pv)
        comps["fit"] = np.append(comps["fit"], cr.score_fit(np.array([vc]), np.array(
            [c.components["memory_total"]]), need))
        comps["family"] = np.append(comps["family"], 0.6)
        comps["generation"] = np.append(comps["generation"], 1.0)
        arch = np.array([c.config.get("arch")], dtype=object)
        comps["graviton"] = np.append(comps["graviton"], cr.score_graviton(arch, need.arch_free))
        comps["spot"] = np.append(comps["spot"], 1.0)
        comps["confidence"] = np.append(comps["confidence"], 0.7)
    costs = comps["cost"]
    priced = ~np.isnan(costs)
    scores = {
        "cost": np.where(priced, cr.score_cost(np.where(priced, costs, np.inf))
                         if priced.any() else 0.0, 0.0),
        "price_performance": np.where(priced, cr.score_price_performance(
            comps["perf"], np.where(priced, costs, np.inf)) if priced.any() else 0.0, 0.0),
        "speed": cr.score_speed(comps["speed"]),
        **{k: comps[k] for k in ("fit", "family", "generation", "graviton", "spot",
                                 "confidence")},
    }
    total = combine(scores, objective)
    # Deterministic order: score (rounded) descending, cost ascending, id ascending.  EC2
    # rows are already in id order (the index is sorted by type), serverless rows are placed
    # by their id among them.
    id_rank = np.concatenate([idx.astype(float), [
        float(np.searchsorted(ix.types, c.option)) - 0.5 for c in cands]])
    order = np.lexsort((id_rank, np.nan_to_num(costs, nan=np.inf), -np.round(total, 9)))
    pp = scores["price_performance"]
    # A batch job re-ranks the leading EC2 options by predicted cost per run / runtime.
    job = plan_job(p, ix, idx, order, pp, n_ec2, count, price, po, cost, total, need.hours,
                   region, objective, top_n, rej, warnings, models, catalog)
    if job is not None and job.order is not None:
        order = job.order
    k_pp = int(np.argmax(pp)) if len(pp) else None
    best_pp = None if k_pp is None else (
        str(ix.types[idx[k_pp]]) if k_pp < n_ec2 else cands[k_pp - n_ec2].option)
    seen_families: set[str] = set()
    picked: list[int] = []
    for k in order:
        if k < n_ec2:
            fam = str(ix.family[idx[k]])
            if fam in seen_families:
                continue  # one size per family: alternatives, not near-duplicates
            seen_families.add(fam)
        picked.append(k)
        if len(picked) >= top_n:
            break
    ebs_iops, ebs_mbps = ctx.ebs_iops, (ctx.ebs_mibps * MIB_IN_MB if ctx.ebs_mibps else None)
    risk, worst = ec2_risk(
        demand_vcpus=need.demand_vcpus, vcpus_total=vt, memory_used_gib=need.memory_used_gib,
        memory_total=mt, ebs_iops=ebs_iops, ebs_mbps=ebs_mbps,
        base_iops=ix.ebs_base_iops[idx], max_iops=ix.ebs_max_iops[idx],
        base_mbps=ix.ebs_base_mbps[idx], max_mbps=ix.ebs_max_mbps[idx],
        bandwidth_gbps=ctx.bandwidth_gbps, net_base=ix.net_baseline_gbps[idx],
        net_peak=ix.net_peak_gbps[idx])
    cpu_low = perf_interval_cpu_risk(need.demand_vcpus, vt, ix.perf[idx], ix.perf_low[idx],
                                     ix.perf_source[idx])
    if need.series_pct is not None:
        avg = float(np.mean(need.series_pct))
        res.peak_to_average = float(np.max(need.series_pct)) / avg if avg > 0 else None
    for rank, k in enumerate(picked, start=1):
        if k >= n_ec2:
            c = cands[k - n_ec2]
            res.options.append(serverless_option(c, rank, float(total[k]), region))
            continue
        i = int(idx[k])
        res.options.append(_ec2_option(
            p, need, ix, r, i, int(count[i]), str(po[i]), float(cost[i]), float(total[k]),
            float(risk[k]), int(worst[k]), mode[i], burst_info.get(i), best_pp, rank, region,
            family_min.get(str(ix.family[i])), float(cpu_low[k]),
            job.for_option(i) if job is not None else None))
    best_ec2 = next((int(idx[k]) for k in order if k < n_ec2), None)
    if best_ec2 is not None:
        res.top_ec2 = {**_ec2_facts(ix, best_ec2), "node_count": int(count[best_ec2])}
    res.instance_store = _instance_store(p, ix, idx, order, n_ec2, cost)
    return res


def _ec2_facts(ix: Ec2Index, i: int) -> dict[str, Any]:
    return {"instance_type": str(ix.types[i]), "efa": bool(ix.efa[i]),
            "ena_express": bool(ix.ena_express[i]), "ena_support": ix.ena_support[i],
            "net_baseline_gbps": float(ix.net_baseline_gbps[i]),
            "base_iops": float(ix.ebs_base_iops[i]),
            "max_iops": float(ix.ebs_max_iops[i]), "base_mbps": float(ix.ebs_base_mbps[i]),
            "max_mbps": float(ix.ebs_max_mbps[i])}


def _instance_store(p, ix, idx, order, n_ec2, cost) -> dict[str, Any] | None:
    s = p.storage
    if s is None or s.persistence != "scratch":
        return None
    size = s.size_gib.min if s.size_gib else 0.0
    for k in order:
        if k >= n_ec2:
            continue
        i = int(idx[k])
        if ix.store_ssd[i] and ix.store_gib[i] >= (size or 1e-9):
            return {"instance_type": str(ix.types[i]), "store_gib": float(ix.store_gib[i]),
                    "nvme": bool(ix.store_nvme[i]), "monthly_cost_usd": float(cost[i])}
    return None


def _ec2_option(p, need, ix, r, i, count, po, cost, score, risk, worst, mode, burst, best_pp,
                rank, region, family_min=None, cpu_low=0.0, job: JobInfo | None = None) -> Option:
    itype = str(ix.types[i])
    # A job's runs set the billed hours when runs_per_month is given (jobs.plan_job).
    hours = job.hours if job is not None and job.hours is not None else need.hours
    reasons: list[Reason] = cr.explain_ec2(
        itype=itype, category=str(ix.category[i]), expected=need.expected_category,
        vcpus=float(ix.vcpus[i]), mem=float(ix.memory_gib[i]), count=count,
        perf=float(ix.perf[i]), perf_source=str(ix.perf_source[i]),
        perf_low=float(ix.perf_low[i]), perf_high=float(ix.perf_high[i]), cost=cost,
        best_pp_type=best_pp, arch=str(ix.arch[i]), arch_free=need.arch_free,
        current=bool(ix.current[i]), purchase=po, band=ix.spot_band[r][i], need=need,
        verify=bool(ix.verify[r][i]), gpus=float(ix.gpus[i]), gpu_model=ix.gpu_model[i],
        region=region, hours=hours)
    if need.horizontal:
        # Right after the size it explains.
        at = next((k + 1 for k, x in enumerate(reasons) if x.rule == "compute.size"),
                  len(reasons))
        reasons.insert(at, explain_nodes(need, itype, str(ix.family[i]), count, family_min))
    vt = float(ix.vcpus[i]) * count
    predicted: dict[str, Any] = {
        "perf_index": clean(round(float(ix.perf[i]), 3)), "perf_index_source":
        str(ix.perf_source[i]),
        "perf_index_low": clean(ix.perf_low[i]), "perf_index_high": clean(ix.perf_high[i]),
    }
    if need.demand_vcpus is not None:
        predicted["cpu_utilization_p995_pct"] = round(need.demand_vcpus / vt * 100, 1)
    if need.memory_used_gib is not None:
        predicted["memory_utilization_pct"] = round(
            need.memory_used_gib / (float(ix.memory_gib[i]) * count) * 100, 1)
    config: dict[str, Any] = {"instance_type": itype, "vcpus": int(ix.vcpus[i]),
                              "memory_gib": float(ix.memory_gib[i]), "arch": str(ix.arch[i]),
                              "node_count": count}
    if po == "spot":
        config["spot_interruption_band"] = ix.spot_band[r][i]
    if po != "on_demand" and not np.isnan(ix.ondemand[r][i]):
        # Compute Optimizer's "savings": what this purchase option saves against on-demand.
        od = float(ix.ondemand[r][i]) * count * hours
        predicted["on_demand_monthly_cost_usd"] = round(od, 2)
        predicted["savings_vs_on_demand_pct"] = round((1 - cost / od) * 100, 1) if od else None
    if burst is not None:
        sim, k = burst["sim"], burst["k"]
        config["credit_mode"] = mode
        predicted.update({
            "credit_balance": [round(float(v), 1) for v in sim.curves[k]],
            "credit_balance_hours": [round(float(h), 3) for h in sim.curve_hours],
            "credit_balance_min": round(float(sim.min_balance[k]), 1),
            "surplus_credits_month": round(float(sim.surplus_credits_month[k]), 1),
        })
        fact = burst["surplus_fact"]
        text = (f"CPU credits: earns {fmt_num(float(ix.credits_per_hour[i]))}/h (baseline "
                f"{sim.baseline_pct[k]:.0f}% per vCPU), holds at most "
                f"{fmt_num(float(ix.max_credits[i]))}; the load averages "
                f"{sim.avg_util_pct[k]:.0f}% per vCPU; steady-state minimum balance "
                f"{sim.min_balance[k]:.0f}. ")
        if mode == "standard":
            text += "Standard mode holds: the balance never runs out."
        else:
            text += (f"Unlimited mode: {sim.surplus_credits_month[k]:.0f} surplus credits a "
                     f"month cost ${burst['surplus_usd']:.2f} and it still beats the cheapest "
                     "non-burstable fit.")
        reasons.append(reason("burst.credits", PERF02_SELECT, text))
        if fact is not None and fact.verify and mode == "unlimited":
            reasons.append(reason("catalog.verify", PERF02_SELECT,
                                  "The surplus-credit price is marked unverified by its source.",
                                  "verify"))
        if need.series_synthetic:
            reasons.append(reason("burst.synthetic", PERF02_SELECT,
                                  "Simulated on a synthetic day built from the average/p95/peak "
                                  "(peaks in one block); a real series is more precise.",
                                  "caution"))
        if mode == "unlimited" or sim.min_balance[k] < 0.1 * float(ix.max_credits[i]):
            risk = max(risk, 2.0 if mode == "standard" else 1.0)
    c = p.compute
    if (need.horizontal and not need.tightly_coupled) or (
            need.series_pct is not None and count > 1):
        plan = plan_scaling(
            series_pct=need.series_pct, measured_vcpus=need.measured_vcpus,
            interval_min=need.interval_min, node_vcpus=float(ix.vcpus[i]), count=count,
            max_nodes=need.max_nodes, min_nodes=need.min_nodes,
            startup_s=c.startup_time_s if c else None,
            can_wait=bool(c and (c.event_driven or c.interruption_tolerant)),
            cpu_headroom_pct=c.cpu_headroom_pct if c and c.cpu_headroom_pct is not None
            else cr.DEFAULT_CPU_HEADROOM_PCT)
        config["scaling"] = plan.as_config()
        reasons.extend(plan.reasons)
        avg = plan.extra.get("expected_average_count")
        if avg is not None and count > 0:
            predicted["monthly_cost_usd_with_scaling"] = round(cost / count * avg, 2)
    driver = DIMENSIONS[worst]
    if cpu_low > risk:
        risk, driver = cpu_low, "CPU at the low bound of the predicted perf_index"
        reasons.append(perf_interval_reason(float(ix.perf[i]), float(ix.perf_low[i]), cpu_low))
    if job is not None:
        reasons.extend(job.reasons)
        predicted.update(job.predicted)
        if job.risk > risk:
            risk, driver = job.risk, "the job deadline (predicted runtime interval)"
    if risk > 0:
        reasons.append(reason("risk.performance", PERF02_SELECT,
                              f"Performance risk {risk:g} ({risk_label(risk)}), driven by "
                              f"{driver}.", "caution" if risk >= 2 else "info"))
    return Option(rank=rank, option=itype, kind="ec2", count=count, purchase_option=po,
                  score=round(score, 4), monthly_cost_usd=round(cost, 2),
                  performance_risk=float(risk), predicted=predicted, reasons=reasons,
                  config=config, region=region,
                  verify=bool(ix.verify[r][i]) or any(x.severity == "verify" for x in reasons))
