"""What the ranking reads of each EC2 row: risk, its worst dimension and delivered capacity.

The inputs of :func:`~recommender.rules.compute.select.rank_stage` (PERF02-BP01, Compute
Optimizer's performance risk per dimension: CPU, memory, EBS, network; burstable types by
their credit verdict), kept apart from the pipeline's stages.
"""

from __future__ import annotations

import numpy as np

from recommender.rules.compute.burst import sustained_capacity
from recommender.rules.compute.candidates import MIB_IN_MB
from recommender.rules.compute.index import index_memo
from recommender.rules.compute.risk import ec2_risk, perf_interval_cpu_risk, utilization_risk
from recommender.rules.compute.table import Ec2Table


def ec2_rank_inputs(t: Ec2Table, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Risk (worst dimension, credits judged for T types), worst dimension, CPU-low risk and
    delivered capacity of the EC2 rows ``idx``."""
    ix, need = t.ix, t.need
    # One node per type (the index's shared array of ones, build_table's count when the work
    # does not scale out): x * 1.0 is x, so the node counts are neither gathered nor applied.
    n = None if t.count is index_memo(ix, "one_node", lambda: np.ones(ix.n)) else t.count[idx]
    burst = _judged_rows(t, idx)
    vt = t.eff[idx] if n is None else t.eff[idx] * n
    risk, worst = _limits_risk(t, idx, n, vt)
    perf = ix.perf[idx]
    if need.demand_vcpus:
        # A burstable type's CPU is judged by its credits (burst_stage), not by its peak
        # headroom.
        demand_t = need.demand_vcpus if burst is None else np.where(burst, 0.0,
                                                                    need.demand_vcpus)
        cpu = utilization_risk(demand_t / vt)
        worst = np.where(cpu >= risk, 0, worst)
        dims = np.maximum(risk, cpu)
        cpu_low = perf_interval_cpu_risk(need.demand_vcpus, vt, perf, ix.perf_low[idx],
                                         ix.perf_predicted[idx])
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
    per_vcpu = (sustained_capacity(perf, ix.baseline_pct[idx], burst)
                if burst is not None and burst.any() else perf) / vcpus
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
    """:func:`ec2_risk` of the memory, EBS and network limits of rows ``idx`` (the CPU is
    judged by the caller): each >= 0 or NaN, never -0.0 (maxima with a zero start)."""
    ix, need, ctx = t.ix, t.need, t.ctx
    ebs_mbps = ctx.ebs_mibps * MIB_IN_MB if ctx.ebs_mibps else None
    # A limit without its need is never read (ec2_risk skips that dimension): not gathered.
    ebs = (lambda a: a[idx]) if ctx.ebs_iops is not None or ebs_mbps is not None else _as_is
    net = (lambda a: a[idx]) if ctx.bandwidth_gbps is not None else _as_is
    return ec2_risk(
        demand_vcpus=None, vcpus_total=vt, memory_used_gib=need.memory_used_gib,
        memory_total=(ix.memory_gib[idx] if n is None else ix.memory_gib[idx] * n)
        if need.memory_used_gib else vt,
        ebs_iops=ctx.ebs_iops, ebs_mbps=ebs_mbps,
        base_iops=ebs(ix.ebs_base_iops), max_iops=ebs(ix.ebs_max_iops),
        base_mbps=ebs(ix.ebs_base_mbps), max_mbps=ebs(ix.ebs_max_mbps),
        bandwidth_gbps=ctx.bandwidth_gbps, net_base=net(ix.net_baseline_gbps),
        net_peak=net(ix.net_peak_gbps), ebs_sustained=ctx.ebs_sustained)


def _as_is(a: np.ndarray) -> np.ndarray:
    return a
