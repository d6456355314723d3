"""Event-driven work on always-on capacity: the average concurrency it must hold (issue 9).

Lambda's own rule (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html):
concurrency = average requests per second x average duration in seconds.  For event-driven
work ``compute.vcpus`` and the memory used are what *one* invocation takes (as Lambda's
memory floor reads them), so an EC2 instance or a Fargate task that replaces the function
must hold that many invocations at once: 30 M x 1 s a month is 11.4 invocations in flight on
average, not one.  Below one in flight the per-invocation figures stand unchanged, and so
do figures sized from a host's measured utilization (they already describe that host).
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.core.profile import ComputeProfile
from recommender.core.response import Reason
from recommender.rules.base import PERF02_RIGHTSIZE, fmt_num, reason

CONCURRENCY_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"
SECONDS_PER_HOUR = 3600.0


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class EventLoad:
    """The vCPU and memory need of always-on capacity for event-driven work, and why."""

    vcpus: float | None
    memory_gib: float | None
    reasons: tuple[Reason, ...] = ()


def in_flight(invocations_per_month: float, duration_ms: float, hours: float) -> float:
    """Invocations in flight on average: requests/s x duration s (CONCURRENCY_URL)."""
    return invocations_per_month / (hours * SECONDS_PER_HOUR) * duration_ms / 1000.0


def average_concurrency(c: ComputeProfile | None, hours: float) -> float | None:
    """:func:`in_flight` of an event-driven profile, None when not given."""
    if c is None or not c.event_driven or not c.invocations_per_month or not c.duration_ms:
        return None
    return in_flight(c.invocations_per_month, c.duration_ms, hours)


def event_load(c: ComputeProfile | None, vcpus: float | None, memory_gib: float | None, *,
               hours: float, cpu_headroom_pct: float) -> EventLoad:
    """Scale the per-invocation need by the average concurrency when it exceeds one.

    vCPUs: per-invocation vCPUs x concurrency x (1 + CPU headroom), at least one
    invocation's; memory: the per-invocation memory need (used + headroom) x concurrency.
    Peaks above the average need more: the reason says so (PERF02-BP04; the rule and
    the reason come from this function, page: ``CONCURRENCY_URL``).
    """
    conc = average_concurrency(c, hours)
    if conc is None or conc <= 1.0 or (vcpus is None and memory_gib is None):
        return EventLoad(vcpus, memory_gib)
    assert c is not None  # conc is not None
    if c.cpu_utilization is not None or c.utilization_series_pct:
        # Utilization measured on a host sizes that host already: not per invocation.
        return EventLoad(vcpus, memory_gib)
    new_v = None if vcpus is None else max(vcpus, vcpus * conc * (1 + cpu_headroom_pct / 100))
    new_m = None if memory_gib is None else memory_gib * conc
    parts = []
    if new_v is not None:
        parts.append(f"{fmt_num(vcpus or 0)} vCPU each x {conc:.2f} x (1 + {cpu_headroom_pct:g}% "
                     f"headroom) = {fmt_num(new_v)} vCPUs")
    if new_m is not None:
        parts.append(f"{fmt_num(memory_gib or 0)} GiB each x {conc:.2f} = {fmt_num(new_m)} GiB")
    assert c.invocations_per_month and c.duration_ms  # conc is not None
    return EventLoad(new_v, new_m, (reason(
        "compute.event_concurrency", PERF02_RIGHTSIZE,
        f"Always-on capacity holds the invocations in flight: {fmt_num(c.invocations_per_month)}"
        f" a month x {fmt_num(c.duration_ms)} ms over {fmt_num(hours)} h = {conc:.2f} on average"
        f" (Lambda's concurrency rule, {CONCURRENCY_URL}), so " + "; ".join(parts)
        + "; peaks above the average need more (Lambda scales per request).", "caution"),))
