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
from recommender.core.profile.compute import LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB
from recommender.core.response import Reason
from recommender.rules.base import PERF02_RIGHTSIZE, fmt_num, reason
from recommender.rules.compute.lambda_measured import declared_memory_mb, used_memory_mb

CONCURRENCY_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"
#: Lambda allocates CPU in proportion to memory (the catalog's ``memory_per_vcpu_equivalent``).
LAMBDA_MEMORY_URL = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html"
SECONDS_PER_HOUR = 3600.0


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class EventLoad:
    """The vCPU and memory need of always-on capacity for event-driven work, and why."""

    vcpus: float | None
    memory_gib: float | None
    reasons: tuple[Reason, ...] = ()
    #: ``vcpus`` came from Lambda's CPU share (:func:`invocation_cpu`), not the profile.
    cpu_inferred: bool = False


def in_flight(invocations_per_month: float, duration_ms: float, hours: float) -> float:
    """Invocations in flight on average: requests/s x duration s (CONCURRENCY_URL)."""
    return invocations_per_month / (hours * SECONDS_PER_HOUR) * duration_ms / 1000.0


def average_concurrency(c: ComputeProfile | None, hours: float) -> float | None:
    """:func:`in_flight` of an event-driven profile, None when not given."""
    if c is None or not c.event_driven or not c.invocations_per_month or not c.duration_ms:
        return None
    return in_flight(c.invocations_per_month, c.duration_ms, hours)


def invocation_cpu(c: ComputeProfile | None, mb_per_vcpu: float | None, *,
                   memory_headroom_pct: float) -> tuple[float, float] | None:
    """(vCPUs, MB): the CPU share Lambda gives one invocation at the setting its duration was
    measured at, when the profile gives no CPU need of its own; else None.

    The setting: ``compute.measured_memory_mb``, else the smallest the rules allow Lambda
    (the memory used + headroom, the declared memory, 128 MB), at most 10,240 MB.  Lambda
    gives one vCPU per ``mb_per_vcpu`` (1,769 MB, :data:`LAMBDA_MEMORY_URL`), so one
    invocation used at most that share for its duration: always-on capacity that replaces
    the function takes it in full (a function that waits on I/O needs less and can say so
    with ``compute.vcpus``), capped by ``compute.parallelism``.  Without it, 30 M x 1 s a
    month at 480 MB was put on one vCPU for 11.4 invocations in flight.
    """
    if c is None or not c.event_driven or not c.duration_ms or not mb_per_vcpu:
        return None
    if c.vcpus is not None or c.cpu_utilization is not None or c.utilization_series_pct:
        return None
    setting = c.measured_memory_mb
    if setting is None:  # the parts of the rules' Lambda floor (serverless._rule_floor)
        setting = max(float(LAMBDA_MIN_MEMORY_MB),
                      used_memory_mb(c) * (1 + memory_headroom_pct / 100),
                      declared_memory_mb(c))
    setting = min(float(setting), float(LAMBDA_MAX_MEMORY_MB))
    share = setting / mb_per_vcpu
    return (min(share, float(c.parallelism)) if c.parallelism else share), setting


def _cpu_text(inferred: tuple[float, float], mb_per_vcpu: float, given: bool,
              need_mb: float = 0.0) -> str:
    """The invocation_cpu reason; ``need_mb`` the memory needed: above Lambda's maximum (the
    setting then used), no Lambda run bounds the CPU, and the share is an assumption."""
    share, setting = inferred
    if need_mb > LAMBDA_MAX_MEMORY_MB:
        return (f"CPU per invocation not given (compute.vcpus): the {fmt_num(need_mb)} MB it "
                f"needs is above Lambda's {fmt_num(setting)} MB maximum ({LAMBDA_MEMORY_URL}), "
                "so no Lambda run bounds its CPU; Lambda's share at that maximum, "
                f"{fmt_num(setting)} / {fmt_num(mb_per_vcpu)} MB = {fmt_num(share)} vCPU, is "
                "assumed (give compute.vcpus)")
    return (f"CPU per invocation not given (compute.vcpus): at most Lambda's share at the "
            f"{fmt_num(setting)} MB the duration was "
            + ("measured at" if given else "taken at") + f", {fmt_num(setting)} / "
            f"{fmt_num(mb_per_vcpu)} MB = {fmt_num(share)} vCPU ({LAMBDA_MEMORY_URL}), taken "
            "in full (a function that waits on I/O needs less: give compute.vcpus)")


def event_load(c: ComputeProfile | None, vcpus: float | None, memory_gib: float | None, *,
               hours: float, cpu_headroom_pct: float,
               inferred: tuple[float, float] | None = None,
               mb_per_vcpu: float | None = None) -> EventLoad:
    """Scale the per-invocation need by the average concurrency when it exceeds one.

    vCPUs: per-invocation vCPUs x concurrency x (1 + CPU headroom), at least one
    invocation's; memory: the per-invocation memory need (used + headroom) x concurrency.
    Peaks above the average need more: the reason says so (PERF02-BP04; the rule and
    the reason come from this function, page: ``CONCURRENCY_URL``).  ``inferred``: the
    per-invocation vCPUs of :func:`invocation_cpu` when the profile gives none.
    """
    conc = average_concurrency(c, hours)
    said: tuple[Reason, ...] = ()
    if vcpus is None and inferred is not None and mb_per_vcpu:
        vcpus = inferred[0]
        said = (reason("compute.invocation_cpu", PERF02_RIGHTSIZE, _cpu_text(
            inferred, mb_per_vcpu, c is not None and c.measured_memory_mb is not None,
            max(used_memory_mb(c), declared_memory_mb(c)) if c is not None else 0.0)
            + ".", "caution"),)
    if conc is None or conc <= 1.0 or (vcpus is None and memory_gib is None):
        return EventLoad(vcpus, memory_gib, said, cpu_inferred=bool(said))
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
    return EventLoad(new_v, new_m, said + (reason(
        "compute.event_concurrency", PERF02_RIGHTSIZE,
        f"Always-on capacity holds the invocations in flight: {fmt_num(c.invocations_per_month)}"
        f" a month x {fmt_num(c.duration_ms)} ms over {fmt_num(hours)} h = {conc:.2f} on average"
        f" (Lambda's concurrency rule, {CONCURRENCY_URL}), so " + "; ".join(parts)
        + "; peaks above the average need more (Lambda scales per request).", "caution"),),
        cpu_inferred=bool(said))
