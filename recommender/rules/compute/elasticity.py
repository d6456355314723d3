"""Elasticity: the Auto Scaling approach the Performance pillar names (PERF02-BP05).

* **time-based** (scheduled) when the load repeats day to day (autocorrelation at one day);
* **buffer-based** (a queue in front, scaling on backlog) when work can wait (event-driven
  or interruption-tolerant work);
* **demand-based** (target tracking) otherwise, with a target utilization low enough that
  the spare capacity covers how fast demand rises while a new instance starts up.

Lambda scales per request up to its Region's quotas (:func:`concurrency_quota_check`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import PERF02_SCALE, fmt_num, percentile, reason
from recommender.rules.compute.concurrency import in_flight

#: Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
#: "Concurrent executions", default 1,000 per Region, shared by every function of the
#: account, can be increased (a Service Quotas request).  A documented service quota, not a
#: price; the catalog's facts do not carry it, so it lives here.
LAMBDA_QUOTAS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_CONCURRENCY_QUOTA = 1000.0
#: Invocation requests per Region per second: 10 x the concurrent executions quota (the
#: same page, "Lambda API requests"; 10,000 a second at the default).
LAMBDA_RPS_PER_CONCURRENCY = 10.0
SECONDS_PER_HOUR = 3600.0


def concurrency_quota_check(inv: float | None, dur: float | None, hours: float
                            ) -> tuple[float, list[Reason]]:
    """(risk, reasons) of a need above Lambda's default Regional quotas, (0, []) within them.

    Concurrency = average requests per second x average duration in seconds
    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html, ``in_flight``);
    above :data:`LAMBDA_CONCURRENCY_QUOTA`, or above 10 x it requests per second, invocations
    are throttled (429) until the account's quota is raised, so the option is risk 1 and a
    caution says what to request.  Peaks above the average need more, as the reason says.
    """
    if not inv or not dur or hours <= 0:
        return 0.0, []
    conc = in_flight(inv, dur, hours)
    rps = inv / (hours * SECONDS_PER_HOUR)
    rps_quota = LAMBDA_RPS_PER_CONCURRENCY * LAMBDA_CONCURRENCY_QUOTA
    over = []
    if conc > LAMBDA_CONCURRENCY_QUOTA:
        over.append(f"{conc:,.0f} concurrent executions on average ({fmt_num(inv)} a month x "
                    f"{fmt_num(dur)} ms over {fmt_num(hours)} h), above the default quota of "
                    f"{LAMBDA_CONCURRENCY_QUOTA:,.0f} per Region")
    if rps > rps_quota:
        over.append(f"{rps:,.0f} requests per second on average, above the default "
                    f"{rps_quota:,.0f} (10 x the concurrency quota)")
    if not over:
        return 0.0, []
    return 1.0, [reason(
        "lambda.concurrency_quota", PERF02_SCALE,
        "Lambda needs " + "; and ".join(over) + ", shared by every function of the account: "
        "invocations beyond it are throttled until the quota is raised (a Service Quotas "
        f"request; {LAMBDA_QUOTAS_URL}, concurrency = requests per second x duration, "
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); peaks above "
        "the average need more.", "caution")]


#: "Scaling policy based on Amazon SQS": scale a group of queue workers on the backlog per
#: instance (ApproximateNumberOfMessages / instances in service).
SQS_SCALING_URL = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html"
#: "Scheduled scaling for Amazon EC2 Auto Scaling": scaling actions at set times, for a load
#: that changes predictably.
SCHEDULED_URL = ("https://docs.aws.amazon.com/autoscaling/ec2/userguide/"
                 "ec2-auto-scaling-scheduled-scaling.html")
#: Lag-one-day autocorrelation above which the load counts as periodic.
PERIODIC_AUTOCORR = 0.7
#: Bounds of the target-tracking utilization the rule proposes (percent).
TARGET_BOUNDS = (30.0, 90.0)


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class ScalingPlan:
    approach: str  # demand | time | buffer
    min_count: int
    max_count: int
    target_pct: float
    reasons: tuple[Reason, ...]
    extra: dict[str, Any]

    def as_config(self) -> dict[str, Any]:
        return {"approach": self.approach, "min_count": self.min_count,
                "max_count": self.max_count, "target": round(self.target_pct, 1), **self.extra}


def daily_autocorrelation(demand: np.ndarray, interval_min: float) -> float | None:
    """Correlation of the series with itself one day later (None when under two days)."""
    lag = int(round(24 * 60 / interval_min))
    if lag < 1 or len(demand) < 2 * lag:
        return None
    a, b = demand[:-lag], demand[lag:]
    if a.std() == 0 or b.std() == 0:
        return 1.0 if np.allclose(a, b) else 0.0
    return float(np.corrcoef(a, b)[0, 1])


def startup_target(demand: np.ndarray, interval_min: float, startup_s: float) -> float:
    """Target utilization (%) whose spare capacity covers the 95th-percentile rise of demand
    over one start-up time: spare = demand x (100/T - 1) >= rise."""
    w = max(1, int(math.ceil(startup_s / 60.0 / interval_min)))
    if len(demand) <= w:
        return TARGET_BOUNDS[1]
    rise = demand[w:] - demand[:-w]
    level = np.maximum(demand[:-w], 1e-9)
    r95 = percentile(np.maximum(rise, 0.0) / level, 95)
    # np.clip of one number, as Python's min/max (NaN stays NaN in both)
    return float(min(max(100.0 / (1.0 + r95), TARGET_BOUNDS[0]), TARGET_BOUNDS[1]))


def plan_scaling(
    *,
    series_pct: np.ndarray | None,
    measured_vcpus: float | None,
    interval_min: float,
    node_vcpus: float,
    count: int,
    max_nodes: int | None,
    startup_s: float | None,
    min_nodes: int = 1,
    can_wait: bool,
    cpu_headroom_pct: float,
    memo: dict[tuple[Any, ...], Any] | None = None,
) -> ScalingPlan:
    """The scaling approach and its min/max/target for nodes of ``node_vcpus``.

    ``min_nodes`` bounds the group's minimum from below: a horizontal fleet keeps one node
    per Availability Zone even when demand would fit on one.  ``memo`` (one dict per
    recommendation, for the same series) keeps what does not depend on the node: the
    target and the approach are computed once for all the options shown.
    """
    rs: list[Reason] = []
    if startup_s is None:
        startup_s = interval_min * 60.0
        rs.append(reason("elasticity.startup", PERF02_SCALE,
                         f"Start-up time not given: assumed one sample interval "
                         f"({interval_min:g} min).", "caution"))
    if series_pct is None or measured_vcpus is None:
        return _plan_without_series(rs, count=count, max_nodes=max_nodes, can_wait=can_wait,
                                    cpu_headroom_pct=cpu_headroom_pct)
    key = ("plan_scaling", measured_vcpus, interval_min, startup_s, can_wait)
    shared = memo.get(key) if memo is not None else None
    if shared is None:
        demand = measured_vcpus * np.asarray(series_pct, dtype=float) / 100.0
        target = startup_target(demand, interval_min, startup_s)
        peak_hours: dict[str, Any] = {}
        approach, text = _approach(demand, interval_min, can_wait=can_wait, extra=peak_hours)
        shared = (demand, target, approach, reason("elasticity.approach", PERF02_SCALE, text),
                  peak_hours.get("scheduled_peak_hours"),
                  (float(demand.min()), float(demand.max())))
        if memo is not None:
            memo[key] = shared
    demand, target, approach, approach_reason, hours, bounds = shared
    fleet = _fleet_range(demand, node_vcpus * target / 100.0, count=count,
                         max_nodes=max_nodes, min_nodes=min_nodes, bounds=bounds)
    extra: dict[str, Any] = {"expected_average_count": fleet.average}
    if approach == "time" and fleet.hi == fleet.lo:
        # A daily pattern the minimum fleet already carries: no scheduled action adds a node.
        approach_reason = reason("elasticity.approach", PERF02_SCALE, approach_reason.text.split(
            "; schedule")[0] + f"; but {fleet.lo} nodes carry its busiest hour, so there is "
            f"nothing to schedule ({SCHEDULED_URL}).")
    elif hours is not None:
        extra["scheduled_peak_hours"] = list(hours)
    rs.append(approach_reason)
    rs.append(_range_reason(bounds, fleet, target=target, startup_s=startup_s,
                            node_vcpus=node_vcpus, min_nodes=min_nodes, max_nodes=max_nodes))
    return ScalingPlan(approach, fleet.lo, fleet.hi, target, tuple(rs), extra)


def _range_reason(bounds: tuple[float, float], fleet: FleetRange, *, target: float,
                  startup_s: float, node_vcpus: float, min_nodes: int,
                  max_nodes: int | None) -> Reason:
    """The group's range in words: demand (its least and most), target, nodes, and why the
    bounds are where."""
    lo, hi = fleet.lo, fleet.hi
    return reason(
        "elasticity.range", PERF02_SCALE,
        f"Demand {fmt_num(bounds[0])}-{fmt_num(bounds[1])} vCPUs; "
        f"target {target:.0f}% leaves room for demand rising during a {startup_s:g} s "
        f"start-up: {lo}-{hi} nodes of {fmt_num(node_vcpus)} vCPUs."
        + (f" Minimum {min_nodes}, one per Availability Zone, for availability."
           if lo == min_nodes and min_nodes > 1 else "")
        + (f" Capped at max_nodes {max_nodes}." if fleet.capped else "")
        + (f" The demand fits the minimum fleet, so a fixed group of {lo} needs no scaling "
           "policy." if hi == lo else ""),
        "caution" if fleet.capped else "info")


def _plan_without_series(rs: list[Reason], *, count: int, max_nodes: int | None,
                         can_wait: bool, cpu_headroom_pct: float) -> ScalingPlan:
    """No utilization series: the target from the CPU headroom, the range from the count.

    Work that can wait scales on its queue's backlog per instance ("Scaling policy based on
    Amazon SQS", SQS_SCALING_URL), the CPU target then only a safety net."""
    target = 100.0 / (1.0 + cpu_headroom_pct / 100.0)
    head = (f"Buffer-based: work can wait, so a queue in front absorbs bursts and the group "
            f"scales on backlog per instance ({SQS_SCALING_URL}); no utilization series, so "
            f"the CPU target {target:.0f}% (100 / (1 + {cpu_headroom_pct:g}%), the CPU "
            "headroom) is only a safety net" if can_wait else
            f"Demand-based target tracking on CPU; no utilization series, so the target "
            f"{target:.0f}% comes from the {cpu_headroom_pct:g}% CPU headroom")
    rs.append(reason("elasticity.approach", PERF02_SCALE,
                     head + "; the range comes from the node count.", "caution"))
    return ScalingPlan("buffer" if can_wait else "demand", count,
                       max(count, max_nodes or count), target, tuple(rs), {})


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class FleetRange:
    lo: int
    hi: int
    capped: bool  # hi was cut to max_nodes
    average: float  # nodes the policy would run over the series, on average


def _fleet_range(demand: np.ndarray, per_node: float, *, count: int, max_nodes: int | None,
                 min_nodes: int, bounds: tuple[float, float]) -> FleetRange:
    """Group minimum and maximum covering the demand (least and most: ``bounds``) at
    ``per_node`` vCPUs per node."""
    lo = max(1, min_nodes, int(math.ceil(bounds[0] / per_node - 1e-9)))
    hi = max(lo, int(math.ceil(bounds[1] / per_node - 1e-9)))
    hi = max(hi, count)  # the sized count (which also covers memory) is the peak fleet
    capped = max_nodes is not None and hi > max_nodes
    if capped and max_nodes is not None:  # (the second test only narrows the type)
        hi = max_nodes
        lo = min(lo, hi)
    # Nodes the policy would run over the series, on average (what scaling saves).
    # (np.clip and np.mean as their ufuncs: lo <= hi here, and mean is the sum over n)
    nodes = np.minimum(np.maximum(np.ceil(demand / per_node - 1e-9), lo), hi)
    return FleetRange(lo, hi, capped, round(float(np.add.reduce(nodes) / len(nodes)), 2))


def _approach(demand: np.ndarray, interval_min: float, *, can_wait: bool,
              extra: dict[str, Any]) -> tuple[str, str]:
    """Buffer-, time- or demand-based, and the reason text (PERF02-BP05).

    A time-based plan adds its ``scheduled_peak_hours`` to ``extra``.
    """
    if can_wait:
        return "buffer", ("Buffer-based: the work can wait, so put a queue (SQS/Kinesis) in "
                          "front and scale on backlog per instance; instances run near full.")
    ac = daily_autocorrelation(demand, interval_min)
    if ac is not None and ac >= PERIODIC_AUTOCORR and demand.max() > 1.5 * demand.min():
        hourly = _hourly_profile(demand, interval_min)
        busy_level = float(np.median(hourly)) * 1.25  # once, not once per hour
        extra["scheduled_peak_hours"] = [h for h, v in enumerate(hourly) if v > busy_level]
        return "time", (f"Time-based (scheduled): the load repeats daily (autocorrelation "
                        f"{ac:.2f} at one day); schedule capacity for the busy hours and keep "
                        "target tracking as a safety net.")
    return "demand", ("Demand-based target tracking on CPU: the load varies without a daily "
                      "pattern.")


def _hourly_profile(demand: np.ndarray, interval_min: float) -> list[float]:
    """Mean demand per hour of day (series assumed to start at midnight)."""
    hours = (np.arange(len(demand)) * interval_min / 60.0).astype(int) % 24
    return [float(demand[hours == h].mean()) if (hours == h).any() else 0.0 for h in range(24)]
