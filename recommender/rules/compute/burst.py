"""Burstable (T family) CPU-credit simulation (PERF02-BP01/BP04).

One CPU credit is one vCPU at 100 % for one minute.  A T instance earns
``cpu_credits_per_hour`` (its baseline), accrues at most ``max_cpu_credits`` and spends
credits for the CPU it uses.  The utilization series is assumed to repeat (a day, a week);
the simulation starts full and runs the series twice, keeping the second pass: the steady
state.  Standard mode holds when that balance never goes below zero; otherwise unlimited
mode pays for the surplus credits the cycle consumes beyond what it earns, priced from the
catalog's ``facts`` (topic ``burstable``).

All candidates are simulated at once: with upper-reflected cumulative sums
(``b_t = S_t - max(0, max_{k<=t} S_k - cap)``) there is no Python loop over time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Samples in the synthetic day built from summary statistics (5-minute resolution).
SYNTHETIC_SAMPLES = 288
#: Points kept in ``predicted.credit_balance`` (the curve is down-sampled for transport).
CURVE_POINTS = 96


def synthetic_series(
    average: float | None, p95: float | None, peak: float | None, n: int = SYNTHETIC_SAMPLES
) -> np.ndarray:
    """A day of utilization (% per 5 min) matching the given average, p95 and peak.

    The top 0.5 % of samples sit at the peak and the rest of the top 5 % fall linearly to the
    p95, all in one contiguous block (the hardest case for a credit balance); the remaining
    samples carry the level that reproduces the average (capped at p95).  A missing average
    is taken as the p95, which errs towards spending credits.
    """
    known = [v for v in (average, p95, peak) if v is not None]
    if not known:
        raise ValueError("need at least one of average, p95, peak")
    peak_v = peak if peak is not None else (p95 if p95 is not None else average)
    p95_v = p95 if p95 is not None else min(peak_v, average if average is not None else peak_v)
    k1 = max(1, math.ceil(0.005 * n))
    # One sample more than 5 % so the 95th percentile lands on the p95 value itself.
    k = max(k1 + 1, math.ceil(0.05 * n) + 1)
    top = np.concatenate([np.full(k1, peak_v), np.linspace(peak_v, p95_v, k - k1 + 1)[1:]])
    if average is None:
        base = p95_v
    else:
        base = (average * n - top.sum()) / (n - k)
        base = float(min(max(base, 0.0), p95_v))
    out = np.full(n, base)
    start = n // 2
    out[start:start + k] = top
    return out


@dataclass(frozen=True)
class BurstResult:
    """Per-candidate outcome of the credit simulation (arrays aligned with the input)."""

    holds: np.ndarray  # standard mode never runs out of credits
    min_balance: np.ndarray
    net_per_cycle: np.ndarray  # earned - spent over one series cycle
    surplus_credits_month: np.ndarray  # unlimited-mode credits charged per month
    avg_util_pct: np.ndarray  # average utilization of the candidate's vCPUs
    baseline_pct: np.ndarray
    curves: np.ndarray  # (K, <= CURVE_POINTS) steady-state balance
    curve_hours: np.ndarray  # hours since cycle start of each curve point


def simulate_credits(
    series_pct: np.ndarray,
    measured_vcpus: float,
    interval_min: float,
    vcpus: np.ndarray,
    count: np.ndarray,
    credits_per_hour: np.ndarray,
    max_credits: np.ndarray,
    hours_per_month: float,
) -> BurstResult:
    """Simulate the credit balance of K burstable candidates over the repeating series.

    Parameters
    ----------
    series_pct : (L,) utilization, percent of ``measured_vcpus``
    measured_vcpus : the capacity the series was measured on
    interval_min : minutes per sample
    vcpus, count, credits_per_hour, max_credits : (K,) candidate facts and node counts
    hours_per_month : hours the workload runs per month
    """
    demand = measured_vcpus * np.asarray(series_pct, dtype=float) / 100.0  # vCPUs, (L,)
    per_node = demand[None, :] / count[:, None]
    used = np.minimum(per_node, vcpus[:, None])  # a node cannot use more than its vCPUs
    spent = used * interval_min  # credits per step
    earned = (credits_per_hour * interval_min / 60.0)[:, None]
    x = earned - spent  # (K, L)
    cap = max_credits[:, None]
    two = np.concatenate([x, x], axis=1)
    s = cap + np.cumsum(two, axis=1)  # start full
    over = np.maximum.accumulate(np.maximum(s - cap, 0.0), axis=1)
    bal = (s - over)[:, x.shape[1]:]  # second pass = steady state
    net = x.sum(axis=1)
    cycle_hours = len(series_pct) * interval_min / 60.0
    cycles = hours_per_month / cycle_hours if cycle_hours > 0 else 0.0
    holds = (bal.min(axis=1) >= -1e-9) & (net >= -1e-9)
    surplus = np.where(net < 0, -net * cycles, 0.0)
    step = max(1, math.ceil(bal.shape[1] / CURVE_POINTS))
    idx = np.arange(0, bal.shape[1], step)
    baseline = np.where(vcpus > 0, credits_per_hour / 60.0 / vcpus * 100.0, np.nan)
    return BurstResult(
        holds=holds,
        min_balance=bal.min(axis=1),
        net_per_cycle=net,
        surplus_credits_month=surplus,
        avg_util_pct=used.mean(axis=1) / vcpus * 100.0,
        baseline_pct=baseline,
        curves=bal[:, idx],
        curve_hours=(idx + 1) * interval_min / 60.0,
    )


def unlimited_surplus_usd(surplus_credits: float, usd_per_vcpu_hour: float) -> float:
    """Cost of surplus credits: one credit is one vCPU-minute."""
    return surplus_credits / 60.0 * usd_per_vcpu_hour
