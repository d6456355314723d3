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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import PERF02_SELECT, reason

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
    # ``known`` is non-empty, so the first known of peak, p95, average is a float.
    peak_v: float = next(v for v in (peak, p95, average) if v is not None)
    p95_v: float = p95 if p95 is not None else min(
        peak_v, average if average is not None else peak_v)
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


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
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
    cycle_hours: float = 0.0  # hours of one series cycle (the series repeats)


def simulate_credits(
    series_pct: np.ndarray,
    measured_vcpus: float,
    interval_min: float,
    *,
    vcpus: np.ndarray,
    count: np.ndarray,
    credits_per_hour: np.ndarray,
    max_credits: np.ndarray,
    hours_per_month: float,
    demand_scale: np.ndarray | None = None,
) -> BurstResult:
    """Simulate the credit balance of K burstable candidates over the repeating series.

    Parameters
    ----------
    series_pct : (L,) utilization, percent of ``measured_vcpus``
    measured_vcpus : the capacity the series was measured on
    interval_min : minutes per sample
    vcpus, count, credits_per_hour, max_credits : (K,) candidate facts and node counts
    hours_per_month : hours the workload runs per month
    demand_scale : (K,) the candidate's vCPUs per measured vCPU (the measured type's perf per
        vCPU over the candidate's), None: one for one.  One CPU credit is one of the
        candidate's own vCPUs at 100 % for a minute (burstable-credits-baseline-concepts.html),
        so a load measured on another type is spent in the candidate's vCPUs.
    """
    demand = measured_vcpus * np.asarray(series_pct, dtype=float) / 100.0  # vCPUs, (L,)
    per_node = demand[None, :] / count[:, None]
    if demand_scale is not None:
        per_node = per_node * np.asarray(demand_scale, dtype=float)[:, None]
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
        cycle_hours=cycle_hours,
    )


def unlimited_surplus_usd(surplus_credits: float, usd_per_vcpu_hour: float) -> float:
    """Cost of surplus credits: one credit is one vCPU-minute."""
    return surplus_credits / 60.0 * usd_per_vcpu_hour


# --------------------------------------------------------------------------- the rule

#: Minimum steady-state balance, as a share of the maximum, below which standard mode is
#: judged at risk 2 (a longer burst than the series shows would run the credits out).
LOW_BALANCE_SHARE = 0.1
#: An average utilization above this share of the baseline leaves little credit surplus:
#: standard mode is judged at risk 2 (AWS: burstable types suit loads below their baseline).
BASELINE_MARGIN = 0.8


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class BurstVerdict:
    """One burstable candidate judged by its credits: mode, extra cost, risk and reason."""

    mode: str  # standard | unlimited
    surplus_usd: float  # unlimited-mode surplus credits per month (0 in standard mode)
    risk: float
    #: Writes the verdict's text: only the options shown read it (most judged types are not).
    write: Callable[[], str]
    verify: bool
    sim: BurstResult
    k: int  # row of ``sim``

    @property
    def text(self) -> str:
        """The verdict in words, with the numbers it was judged by."""
        return self.write()


def judge_burstable(
    ctx: BurstInputs, i: int, k: int, cheapest_other: float
) -> tuple[BurstVerdict | None, str]:
    """Admit burstable candidate ``i`` (row ``k`` of the simulation) or say why not.

    Standard mode is admitted when its steady-state balance never runs out (the peak need
    only fit in 100 % of the vCPUs); otherwise unlimited mode, which runs as a
    fixed-performance instance, when it meets the need with its headroom (``fixed_ok``) and
    its surplus credits still leave it cheaper than the cheapest non-burstable fit (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
    burstable-performance-instances-unlimited-mode-concepts.html).  Risk: 0, or 2 when the
    standard balance dips under LOW_BALANCE_SHARE of its maximum, 1 in unlimited mode.

    Returns
    -------
    (verdict, "") when admitted, (None, rejection key) when not.
    """
    ix, sim = ctx.ix, ctx.sim
    # (Python numbers of the row, read once: numpy's scalar isnan and arithmetic cost
    # several times Python's, about a dozen rows a call.)
    if math.isnan(ix.credits_per_hour.item(i)):
        return None, "ec2.burstable_credit_facts_missing"
    cap = float(ix.max_credits.item(i))

    def head() -> str:
        return (f"CPU credits: earns {ix.credits_per_hour[i]:g}/h (baseline "
                f"{sim.baseline_pct[k]:.0f}% per vCPU), holds at most {cap:g}; the load "
                f"averages {sim.avg_util_pct[k]:.0f}% per vCPU; " + (
                    f"steady-state minimum balance {sim.min_balance[k]:.0f}. "
                    if sim.holds.item(k) else shortfall_text(
                        sim, k, float(ix.credits_per_hour.item(i)), cap)))

    if sim.holds.item(k):
        low = sim.min_balance.item(k) < LOW_BALANCE_SHARE * cap
        near = sim.avg_util_pct.item(k) > BASELINE_MARGIN * sim.baseline_pct.item(k)
        tail = "Standard mode holds: the balance never runs out" + (
            f", but it falls under {LOW_BALANCE_SHARE:.0%} of the maximum (risk 2)." if low
            else f", but the average is above {BASELINE_MARGIN:.0%} of the baseline, so a "
            "little more load runs the credits out (risk 2)." if near else ".")
        return BurstVerdict("standard", 0.0, 2.0 if low or near else 0.0,
                            lambda: head() + tail, False, sim, k), ""
    if not ctx.fixed_ok[i]:
        # Unlimited mode runs above baseline for long stretches, i.e. as a fixed-performance
        # instance, so it must meet the need with its headroom like one.
        return None, "ec2.burstable_credits_run_out"
    fact = ctx.surplus_price(str(ix.family[i]))
    if fact is None or fact.value is None:
        return None, "ec2.burstable_credits_run_out"
    usd = unlimited_surplus_usd(float(sim.surplus_credits_month[k]), float(fact.value)) * \
        float(ctx.count[i])
    if ctx.cost[i] + usd >= cheapest_other:
        return None, "ec2.burstable_credits_run_out"
    return BurstVerdict("unlimited", usd, 1.0, lambda: head() + unlimited_text(
        float(sim.surplus_credits_month[k]), fact, str(ix.family[i]), count=int(ctx.count[i]),
        usd=usd, cheapest_other=cheapest_other), bool(fact.verify), sim, k), ""


def shortfall_text(sim: BurstResult, k: int, per_hour: float, cap: float) -> str:
    """Why standard mode does not hold, in credits: the cycle's deficit (the balance falls
    each cycle and runs out) or, with a surplus over the cycle, the credits a burst within
    it lacks.  A credit balance never goes below zero: a standard instance low on credits
    has its performance "gradually lowered to the baseline performance level"
    (STANDARD_URL)."""
    net, hours = float(sim.net_per_cycle[k]), sim.cycle_hours
    earned = per_hour * hours
    if net < 0:
        return (f"standard mode runs out: each {hours:g}-hour cycle spends "
                f"{earned - net:,.0f} credits and earns {earned:,.0f}, so the balance falls "
                f"{-net:,.0f} a cycle and a full {cap:g} is spent within "
                f"{math.ceil(cap / -net - 1e-9):,} cycle(s); then performance is lowered to "
                f"the baseline ({STANDARD_URL}). ")
    return (f"standard mode runs out within the cycle: its longest burst spends "
            f"{-float(sim.min_balance[k]):,.0f} credits more than a full balance of {cap:g} "
            f"holds, and performance is lowered to the baseline until they are earned "
            f"back ({STANDARD_URL}). ")


#: "Standard mode for burstable performance instances": "If the instance is running low on
#: accrued credits, performance is gradually lowered to the baseline performance level".
STANDARD_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                "burstable-performance-instances-standard-mode.html")


#: "Unlimited mode concepts" (Amazon EC2 User Guide): surplus credits beyond the 24-hour
#: average baseline are charged at a flat rate per vCPU-hour.
UNLIMITED_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                 "burstable-performance-instances-unlimited-mode-concepts.html")


def unlimited_text(surplus: float, fact: Any, family: str, *, count: int, usd: float,
                   cheapest_other: float) -> str:
    """The unlimited-mode sentence: surplus credits per node, the vCPU-hours and the catalog
    rate they are charged at, the node count, and the cheapest fixed-performance fit."""
    nodes = f" x {count} nodes" if count > 1 else ""
    check = ", marked to verify" if fact.verify else ""
    return (f"Unlimited mode: {surplus:,.0f} surplus credits a month per node (one credit is "
            f"one vCPU-minute: {surplus / 60.0:,.1f} vCPU-hours at ${float(fact.value):g} per "
            f"vCPU-hour, the catalog's {family} rate{check}){nodes} cost ${usd:,.2f}, charged "
            f"when the 24-hour average is above the baseline ({UNLIMITED_URL}); "
            + (f"it still beats the cheapest non-burstable fit (${cheapest_other:,.2f}/month)."
               if math.isfinite(cheapest_other) else "no non-burstable type fits the other "
               "constraints to compare it with."))


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class BurstInputs:
    """What :func:`judge_burstable` reads: the index, counts, costs, the simulation, prices."""

    ix: Any
    count: np.ndarray
    cost: np.ndarray
    sim: BurstResult
    surplus_price: Any  # family -> Fact | None
    fixed_ok: np.ndarray  # per type: meets the need with headroom (as fixed performance)


def sustained_capacity(perf: np.ndarray, baseline_pct: np.ndarray, burst: np.ndarray
                       ) -> np.ndarray:
    """perf_index a type sustains: a burstable type's baseline share of it, else all of it."""
    b = np.asarray(baseline_pct, dtype=float)
    share = np.where(burst, np.where(np.isnan(b), 0.0, b) / 100.0, 1.0)  # unknown -> 0
    return perf * share


#: "Unlimited mode for burstable performance instances": "If you launch Spot Instances as
#: unlimited and plan to use them immediately and for a short duration, with no idle time for
#: accruing CPU credits, you incur charges for surplus credits. We recommend that you launch
#: your Spot Instances in standard mode"; T4g, T3a and T3 get no launch credits (standard
#: mode concepts), and spent surplus credits are charged when the instance is terminated.
SPOT_UNLIMITED_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                      "burstable-performance-instances-unlimited-mode.html")


def spot_unlimited(family: str) -> Reason:
    """The caution of a Spot node judged in unlimited mode (SPOT_UNLIMITED_URL)."""
    launch = "" if family == "t2" else " (T4g, T3a and T3 receive no launch credits)"
    return reason(
        "burst.spot_unlimited", PERF02_SELECT,
        "Spot in unlimited mode: AWS recommends launching Spot Instances in standard mode, "
        "since a Spot Instance used at once with no idle time to accrue credits is charged for "
        f"surplus credits ({SPOT_UNLIMITED_URL}). Each replacement after an interruption starts "
        f"without the accrued balance{launch} and the surplus credits it has not paid down are "
        "charged when it is terminated, so the surplus cost shown (a node that runs the whole "
        "month) is a floor.", "caution")
