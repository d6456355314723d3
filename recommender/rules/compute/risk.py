"""Performance risk 0-4 per option, with Compute Optimizer's meaning (PERF02-BP04).

Risk is the worst of the resource dimensions: CPU, memory, EBS IOPS/throughput and network.
0 = very low (ample headroom) ... 4 = very high (the need exceeds what the option sustains).
"""

from __future__ import annotations

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import PERF02_SELECT, reason

#: Projected utilization (need / capacity) -> risk: <=60 % 0, <=80 % 1, <=90 % 2,
#: <=100 % 3, above 4.
UTIL_STEPS = (0.6, 0.8, 0.9, 1.0)


_STEPS = np.array(UTIL_STEPS)


def _nan0(a: np.ndarray) -> np.ndarray:
    """NaN as 0 (cheaper than ``np.nan_to_num``; infinities stay, which the comparisons and
    the step search here treat as the largest finite numbers would be)."""
    return np.where(np.isnan(a), 0.0, a)


def utilization_risk(projected: np.ndarray) -> np.ndarray:
    """Risk from projected peak utilization (NaN = unknown -> 0)."""
    p = _nan0(np.asarray(projected, dtype=float))
    return np.asarray(np.searchsorted(_STEPS, p, side="left"), dtype=float)


def limit_risk(need: float | None, baseline: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Risk from a sustained limit: within baseline 0, only within burst 2, above peak 4."""
    base = np.asarray(baseline, dtype=float)
    if need is None:
        return np.zeros(len(base))
    return clean_limit_risk(need, *clean_limits(base, peak))


def clean_limits(baseline: np.ndarray, peak: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A limit's (baseline, peak) as :func:`limit_risk` compares them: the peak is the
    baseline where unknown, and an unknown figure is 0.  The catalog's alone, so the hot
    path keeps them once per index (``rank_inputs``)."""
    base = np.asarray(baseline, dtype=float)
    return _nan0(base), _nan0(np.where(np.isnan(peak), base, peak))


def clean_limit_risk(need: float, base0: np.ndarray, peak0: np.ndarray) -> np.ndarray:
    """:func:`limit_risk` of limits already cleaned by :func:`clean_limits`."""
    out = np.where(base0 >= need, 0.0, 2.0)
    return np.where(peak0 >= need, out, 4.0)


def ec2_risk(
    *,
    demand_vcpus: float | None,
    vcpus_total: np.ndarray,
    memory_used_gib: float | None,
    memory_total: np.ndarray,
    ebs_iops: float | None,
    ebs_mbps: float | None,
    base_iops: np.ndarray,
    max_iops: np.ndarray,
    base_mbps: np.ndarray,
    max_mbps: np.ndarray,
    bandwidth_gbps: float | None,
    net_base: np.ndarray,
    net_peak: np.ndarray,
    ebs_sustained: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(risk, index of the worst dimension: 0 cpu, 1 memory, 2 ebs, 3 network).

    A sustained storage load (``ebs_sustained``, the default) has only the baseline EBS
    limits: the maximum lasts "30 minutes at least once every 24 hours" (EBS-optimized
    instances, EBS_OPTIMIZED_URL), so a need above the baseline is risk 4.  A load with
    short peaks may burst to the maximum: between baseline and maximum is risk 2.  (The hot
    path, ``rank_inputs``, computes the same from the index's cleaned limits.)
    """
    if ebs_sustained:
        max_iops, max_mbps = base_iops, base_mbps
    return worst_dimension(len(vcpus_total), (
        utilization_risk(demand_vcpus / vcpus_total) if demand_vcpus else None,
        utilization_risk(memory_used_gib / memory_total) if memory_used_gib else None,
        np.maximum(limit_risk(ebs_iops, base_iops, max_iops),
                   limit_risk(ebs_mbps, base_mbps, max_mbps))
        if ebs_iops is not None or ebs_mbps is not None else None,
        limit_risk(bandwidth_gbps, net_base, net_peak) if bandwidth_gbps is not None else None,
    ))


def worst_dimension(n: int, dims: tuple[np.ndarray | None, ...]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(risk, index of the worst dimension: 0 cpu, 1 memory, 2 ebs, 3 network) of ``n``
    options from each dimension's risk (None: the profile gives no need for it, 0 there).

    A dimension without a need never raises the risk, so it is skipped; the worst is the
    first dimension that reaches the maximum, as ``argmax`` would say.  The first present
    dimension's risks (>= 0, never -0.0) are the maximum so far as they are.
    """
    risk: np.ndarray | None = None
    worst = np.zeros(n, dtype=np.intp)
    for k, d in enumerate(dims):
        if d is None:
            continue
        if risk is None:
            if k:
                worst[d > 0.0] = k
            risk = d
            continue
        worst[d > risk] = k
        risk = np.maximum(risk, d)
    return (np.zeros(n) if risk is None else risk), worst


#: The EBS-optimized instances page (EC2 User Guide, now in the EBS User Guide).
EBS_OPTIMIZED_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html"
#: Minutes a day that page guarantees an instance's maximum EBS performance.
EBS_BURST_MINUTES_PER_DAY = 30


def ebs_load_sustained(peak_minutes_per_day: float | None) -> bool:
    """Whether a storage load must fit an instance's *baseline* EBS limits.

    EBS-optimized instances "can support maximum performance for 30 minutes at least once
    every 24 hours ... After the maximum performance duration, they revert to baseline
    performance" (EBS_OPTIMIZED_URL).  So only a load whose peaks last at most
    EBS_BURST_MINUTES_PER_DAY (``storage.peak_minutes_per_day``) may use the maximum; absent
    (the default) or longer, it is sustained.
    """
    return peak_minutes_per_day is None or peak_minutes_per_day > EBS_BURST_MINUTES_PER_DAY


def ebs_burst_reason(itype: str, base_iops: float, base_mbps: float) -> Reason:
    """Why a storage need above ``itype``'s baseline EBS limits is risk 2, not a rejection:
    its peaks are short, and the maximum is guaranteed "for 30 minutes at least once every
    24 hours" (EBS-optimized instances, EBS_OPTIMIZED_URL)."""
    return reason(
        "risk.ebs_burst", PERF02_SELECT,
        f"The storage need is above {itype}'s baseline EBS limits ({base_iops:g} IOPS, "
        f"{base_mbps:g} MB/s) and within its maximum, which AWS guarantees only "
        f"{EBS_BURST_MINUTES_PER_DAY} minutes at least once every 24 hours, then it reverts "
        f"to baseline ({EBS_OPTIMIZED_URL}): the profile's storage peaks "
        f"(storage.peak_minutes_per_day) are that short, so it may carry them there.",
        "caution")


DIMENSIONS = ("CPU", "memory", "EBS", "network")
LABELS = ("very low", "low", "medium", "high", "very high")


def risk_label(risk: float) -> str:
    return LABELS[int(min(4, max(0, round(risk))))]


def perf_interval_cpu_risk(
    demand_vcpus: float | None,
    vcpus_total: np.ndarray,
    perf: np.ndarray,
    perf_low: np.ndarray,
    perf_source: np.ndarray,
) -> np.ndarray:
    """CPU risk raised one step where a *predicted* perf_index's low bound misses the need.

    The vCPU need assumes the candidate delivers its point perf_index; where that figure is
    a model prediction, the candidate may be as slow as ``perf_index_low``, which scales the
    projected utilization up by ``perf / perf_low``.  When the point estimate meets the need
    (utilization <= 100 %) but the low bound does not, the CPU risk goes up one step.

    Returns
    -------
    ndarray
        The raised CPU risk where that happens, 0 elsewhere (measured or unknown capacity,
        no CPU demand, the need missed or met at both bounds).
    """
    n = len(vcpus_total)
    if not demand_vcpus:
        return np.zeros(n)
    util = demand_vcpus / np.asarray(vcpus_total, dtype=float)
    # perf_source: the sources, or already the mask of predicted rows (the index's).
    predicted = perf_source if perf_source.dtype == bool else perf_source == "predicted"
    return raised_cpu_risk(util, utilization_risk(util), low_bound_factor(perf, perf_low),
                           predicted)


def low_bound_factor(perf: np.ndarray, perf_low: np.ndarray) -> np.ndarray:
    """How much the utilization grows at the low bound of perf_index: ``perf / perf_low``
    where that is finite and positive, else 1 (the catalog's alone: kept per index)."""
    ratio = np.asarray(perf, dtype=float) / np.asarray(perf_low, dtype=float)
    return np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)


def raised_cpu_risk(util: np.ndarray, point_risk: np.ndarray, factor: np.ndarray,
                    predicted: np.ndarray) -> np.ndarray:
    """:func:`perf_interval_cpu_risk` from the projected utilization ``util``, its risk
    (:func:`utilization_risk`), the :func:`low_bound_factor` and the predicted rows."""
    hit = predicted & (util <= UTIL_STEPS[-1]) & (util * factor > UTIL_STEPS[-1])
    return np.where(hit, np.minimum(4.0, point_risk + 1.0), 0.0)


def perf_interval_reason(perf: float, perf_low: float, raised: float) -> Reason:
    """The reason for a CPU risk raised by :func:`perf_interval_cpu_risk`."""
    return reason(
        "risk.perf_interval", PERF02_SELECT,
        f"perf_index is predicted ({perf:.2f}, low bound {perf_low:.2f}): the CPU need is met "
        f"at the point estimate but not at the low bound, so the CPU risk is raised one step "
        f"to {raised:g}.", "caution")
