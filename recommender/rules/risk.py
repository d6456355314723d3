"""Performance risk 0-4 per option, with Compute Optimizer's meaning (PERF02-BP04).

Risk is the worst of the resource dimensions: CPU, memory, EBS IOPS/throughput and network.
0 = very low (ample headroom) ... 4 = very high (the need exceeds what the option sustains).
"""

from __future__ import annotations

import numpy as np

#: Projected utilization (need / capacity) -> risk: <=60 % 0, <=80 % 1, <=90 % 2,
#: <=100 % 3, above 4.
UTIL_STEPS = (0.6, 0.8, 0.9, 1.0)


def utilization_risk(projected: np.ndarray) -> np.ndarray:
    """Risk from projected peak utilization (NaN = unknown -> 0)."""
    p = np.nan_to_num(np.asarray(projected, dtype=float), nan=0.0)
    return np.searchsorted(np.array(UTIL_STEPS), p, side="left").astype(float)


def limit_risk(need: float | None, baseline: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Risk from a sustained limit: within baseline 0, only within burst 2, above peak 4."""
    base = np.asarray(baseline, dtype=float)
    if need is None:
        return np.zeros(len(base))
    pk = np.where(np.isnan(peak), base, peak)
    out = np.where(np.nan_to_num(base, nan=0.0) >= need, 0.0, 2.0)
    return np.where(np.nan_to_num(pk, nan=0.0) >= need, out, 4.0)


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
) -> tuple[np.ndarray, np.ndarray]:
    """(risk, index of the worst dimension: 0 cpu, 1 memory, 2 ebs, 3 network)."""
    n = len(vcpus_total)
    cpu = utilization_risk(demand_vcpus / vcpus_total) if demand_vcpus else np.zeros(n)
    mem = utilization_risk(memory_used_gib / memory_total) if memory_used_gib else np.zeros(n)
    ebs = np.maximum(limit_risk(ebs_iops, base_iops, max_iops),
                     limit_risk(ebs_mbps, base_mbps, max_mbps))
    net = limit_risk(bandwidth_gbps, net_base, net_peak)
    stack = np.vstack([cpu, mem, ebs, net])
    return stack.max(axis=0), stack.argmax(axis=0)


DIMENSIONS = ("CPU", "memory", "EBS", "network")
LABELS = ("very low", "low", "medium", "high", "very high")


def risk_label(risk: float) -> str:
    return LABELS[int(min(4, max(0, round(risk))))]
