"""The Lambda memory setting a profile's duration was measured at (``compute.measured_memory_mb``).

Lambda's settings run "between 128 MB and 10,240 MB in 1-MB increments" and CPU is allocated
in proportion to memory (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
so a duration means little without the setting it ran at.  Given, the Lambda model reads the
run there and that size is never refused (the function really ran there); absent, the
duration is taken as measured at the rules' floor, an assumption the reason states.
"""

from __future__ import annotations

from typing import Any

from recommender.core.profile import ComputeProfile
from recommender.rules.base import fmt_num


def measured_mb(c: ComputeProfile) -> float | None:
    """``compute.measured_memory_mb`` as a whole setting (Lambda's 1-MB steps), or None."""
    m = c.measured_memory_mb
    return None if m is None else float(round(m))


def used_memory_mb(c: ComputeProfile) -> float:
    """The memory one invocation uses, MB (0 when not given): ``memory_mb_used``, or
    ``memory_used_gib`` x 1,024 when that is larger (one invocation's memory floors the
    function's setting even where the used GiB, which sizes the other options, is smaller)."""
    return max(c.memory_mb_used or 0.0, (c.memory_used_gib or 0.0) * 1024.0)


def declared_memory_mb(c: ComputeProfile) -> float:
    """``compute.memory_gib`` (its minimum) x 1,024 MB, 0 when not given."""
    return c.memory_gib.min * 1024.0 if c.memory_gib and c.memory_gib.min else 0.0


def measured_at(c: ComputeProfile, rule_mb: float, mem_max: float) -> float:
    """The setting ``duration_ms`` was measured at: the given one, else (assumed) the rules'
    floor, at most the largest setting."""
    m = measured_mb(c)
    return m if m is not None else min(rule_mb, mem_max)


def ran_at(c: ComputeProfile, memory_mb: float) -> bool:
    """Whether the function was measured at ``memory_mb`` (a size never refused)."""
    m = measured_mb(c)
    return m is not None and int(memory_mb) == int(m)


def keeps_measured(c: ComputeProfile, *, cpu_mb: float, declared_mb: float,
                   used_mb: float) -> bool:
    """Without the model, keep the measured setting: the only size whose duration is known.

    It stands when it holds what the function needs: the CPU share of ``compute.vcpus``
    (``cpu_mb``), the declared memory and the memory the function used there (a real run is
    evidence enough: the headroom on the memory used is not asked of a size it ran at).
    """
    m = measured_mb(c)
    return m is not None and m >= max(cpu_mb, declared_mb, used_mb)


def unknown_use_floor(c: ComputeProfile, used_mb: float) -> float:
    """The measured setting when the memory the function uses is not given (else 0).

    It ran there, so that setting holds it; below it the memory it needs is unknown and a
    smaller size may run out of memory (Lambda's Max Memory Used is what tells).
    """
    m = measured_mb(c)
    return m if m is not None and not used_mb else 0.0


def known_text(known_mb: float) -> str:
    """The floor part for :func:`unknown_use_floor`."""
    return (f"memory used not given: at least the {fmt_num(known_mb)} MB it was measured at "
            "(compute.measured_memory_mb), the smallest setting known to hold it")


def kept_text(mem: float, duration_ms: float | None, floor_how: str) -> str:
    """The reason text of the rules keeping the measured setting."""
    return (f"memory {fmt_num(mem)} MB, the setting the duration ({fmt_num(duration_ms or 0)} "
            "ms) was measured at (compute.measured_memory_mb; the rules cannot say the "
            f"duration at another size); the rules' floor: {floor_how}")


def model_text(mem: float, best: Any, c: ComputeProfile, at_mb: float) -> str:
    """The reason text of a memory the Lambda model chose, with where the run was taken."""
    where = (f"measured at {fmt_num(at_mb)} MB, compute.measured_memory_mb)"
             if c.measured_memory_mb is not None else f"taken as measured at {fmt_num(at_mb)} MB)")
    return (f"memory {fmt_num(mem)} MB from the Lambda model (duration "
            f"{best.duration_ms:.0f} ms, interval {best.duration_ms_low:.0f}-"
            f"{best.duration_ms_high:.0f} ms; the given {fmt_num(c.duration_ms or 0)} ms " + where)
