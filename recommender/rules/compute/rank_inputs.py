"""What the ranking reads of each EC2 row: risk, its worst dimension and delivered capacity.

The inputs of :func:`~recommender.rules.compute.select.rank_stage` (PERF02-BP01, Compute
Optimizer's performance risk per dimension: CPU, memory, EBS, network; burstable types by
their credit verdict), kept apart from the pipeline's stages.
"""

from __future__ import annotations

import numpy as np

from recommender.rules.compute.burst import sustained_capacity
from recommender.rules.compute.candidates import MIB_IN_MB
from recommender.rules.compute.ebs_need import holds_scratch
from recommender.rules.compute.index import Ec2Index, index_memo
from recommender.rules.compute.risk import (
    clean_limit_risk,
    clean_limits,
    low_bound_factor,
    raised_cpu_risk,
    utilization_risk,
    worst_dimension,
)
from recommender.rules.compute.table import Ec2Table


def ec2_rank_inputs(t: Ec2Table, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Risk (worst dimension, credits judged for T types), worst dimension, CPU-low risk and
    delivered capacity of the EC2 rows ``idx``."""
    ix, need = t.ix, t.need
    # One node per type (the index's shared array of ones, build_table's count when the work
    # does not scale out): x * 1.0 is x, so the node counts are neither gathered nor applied.
    n = None if t.ctx.single_node else t.count[idx]
    burst = _judged_rows(t, idx)
    vt = t.eff[idx] if n is None else t.eff[idx] * n
    risk, worst = _limits_risk(t, idx, n, vt)
    if need.demand_vcpus:
        util = need.demand_vcpus / vt
        point = utilization_risk(util)
        # A burstable type's CPU is judged by its credits (burst_stage), not by its peak
        # headroom: its utilization counts as 0, whose risk is 0.
        cpu = point if burst is None else np.where(burst, 0.0, point)
        worst = np.where(cpu >= risk, 0, worst)
        dims = np.maximum(risk, cpu)
        # (perf_interval_cpu_risk of the same utilization, its factor the index's alone.)
        factor = index_memo(ix, "low_bound_factor",
                            lambda: low_bound_factor(ix.perf, ix.perf_low))
        cpu_low = raised_cpu_risk(util, point, factor[idx], ix.perf_predicted[idx])
    else:
        # No CPU demand: the CPU and interval risks are 0 everywhere, and the limits' risk is
        # >= 0 (or NaN) already, so taking the maximum with 0 would change nothing.
        dims, cpu_low = risk, np.zeros(len(idx))
    # (Every reader takes these as they are: "risk" is dims itself until a step changes it.)
    full = dims.copy() if burst is not None else dims
    if burst is not None:
        for k in burst.nonzero()[0].tolist():
            full[k] = max(full[k], t.burst[int(idx[k])].risk)
    if need.demand_vcpus or burst is not None:
        full = np.maximum(full, cpu_low)
    # Delivered capacity: sustained perf_index per vCPU x the vCPUs the work can use (its
    # parallelism, else its need); vCPUs beyond the need deliver nothing to a fixed demand.
    # Without a burstable row every share is 1.0, and perf x 1.0 is perf.
    vcpus = ix.vcpus[idx]
    per_vcpu = sustained_capacity(ix.perf[idx], ix.baseline_pct[idx], burst) / vcpus \
        if burst is not None and burst.any() else index_memo(
            ix, "perf_per_vcpu", lambda: ix.perf / ix.vcpus)[idx]
    usable = need.parallelism or need.vcpus
    vn = vcpus if n is None else vcpus * n
    cap = per_vcpu * (np.minimum(vn, usable) if usable else vn)
    return {"risk": full, "dims": dims, "worst": worst, "cpu_low": cpu_low, "capacity": cap}


def _judged_rows(t: Ec2Table, idx: np.ndarray) -> np.ndarray | None:
    """Which rows of ``idx`` the burst stage judged (None when it judged none)."""
    if not t.burst:
        return None
    burst = np.zeros(len(idx), dtype=bool)
    # idx is sorted (flatnonzero), so the judged rows are found by bisection.
    rows = np.fromiter(t.burst, dtype=np.intp)
    at = np.minimum(np.searchsorted(idx, rows), max(len(idx) - 1, 0))
    burst[at[idx[at] == rows]] = True
    return burst


def _limits_risk(t: Ec2Table, idx: np.ndarray, n: np.ndarray | None, vt: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(risk, worst dimension) of the memory, EBS and network limits of rows ``idx`` (the
    CPU is judged by the caller): each >= 0, never -0.0.

    A sustained storage load (the default) has only the baseline EBS limits: the maximum
    lasts "30 minutes at least once every 24 hours" (EBS-optimized instances,
    EBS_OPTIMIZED_URL), so a need above the baseline is risk 4; a load with short peaks may
    burst to the maximum, where it is risk 2 (risk.limit_risk).  A dimension without a need
    is skipped, and its limits are not gathered.
    """
    ix, need, ctx = t.ix, t.need, t.ctx
    mem = None
    if need.memory_used_gib:
        total = ix.memory_gib[idx] if n is None else ix.memory_gib[idx] * n
        mem = utilization_risk(need.memory_used_gib / total)
    ebs = None
    if ctx.ebs_iops is not None or ctx.ebs_mibps:
        iops, mbps = _clean_ebs(ix, ctx.ebs_sustained)
        ebs = np.maximum(_limit(ctx.ebs_iops, iops, idx),
                         _limit(ctx.ebs_mibps * MIB_IN_MB if ctx.ebs_mibps else None, mbps,
                                idx))
        if ctx.scratch_gib is not None:  # scratch data on the type's own store: no EBS load
            ebs[holds_scratch(ix, ctx.scratch_gib)[idx]] = 0.0
    net = None if ctx.bandwidth_gbps is None else _limit(ctx.bandwidth_gbps, index_memo(
        ix, "clean_net", lambda: _frozen(clean_limits(ix.net_baseline_gbps,
                                                      ix.net_peak_gbps))), idx)
    return worst_dimension(len(idx), (None, mem, ebs, net))


def _limit(need: float | None, limits: tuple[np.ndarray, np.ndarray], idx: np.ndarray
           ) -> np.ndarray:
    """risk.limit_risk of rows ``idx`` against the index's cleaned (baseline, peak)."""
    if need is None:
        return np.zeros(len(idx))
    return clean_limit_risk(need, limits[0][idx], limits[1][idx])


def _clean_ebs(ix: Ec2Index, sustained: bool
               ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The cleaned (baseline, peak) EBS IOPS and MB/s limits: a sustained load has only
    the baseline (its peak is the baseline too).  Kept once per index."""
    def build() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        peak_iops = ix.ebs_base_iops if sustained else ix.ebs_max_iops
        peak_mbps = ix.ebs_base_mbps if sustained else ix.ebs_max_mbps
        return (_frozen(clean_limits(ix.ebs_base_iops, peak_iops)),
                _frozen(clean_limits(ix.ebs_base_mbps, peak_mbps)))
    got: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = index_memo(
        ix, ("clean_ebs", sustained), build)
    return got


def _frozen(pair: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``pair`` made read-only (shared by every call through index_memo)."""
    for a in pair:
        a.setflags(write=False)
    return pair
