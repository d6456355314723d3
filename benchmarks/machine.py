"""A fixed pure-Python workload timed on this machine, printed beside the benchmarks' figures.

The targets of issue 11 are absolute (milliseconds, requests per second) but machines differ,
and one sandbox can run 2x slower one day than the next.  The reference loop below does not
change with the code, so two runs' figures can be compared through it: a figure that moved
with the reference moved with the machine, not with the code.  (Best of three: the least
disturbed by other processes.)
"""

from __future__ import annotations

import time

#: Iterations of the reference loop (about 0.5 s on a 2020s x86 core under CPython 3.11).
REFERENCE_LOOPS = 10_000_000


def reference_seconds(repeat: int = 3) -> float:
    """Least wall time of ``repeat`` runs of a 10M-iteration integer-sum loop, seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        s = 0
        for i in range(REFERENCE_LOOPS):
            s += i
        best = min(best, time.perf_counter() - t)
    return best


def reference_line() -> str:
    """The line the benchmarks print: the reference loop's time on this machine."""
    return (f"machine reference: {reference_seconds():.2f} s for a {REFERENCE_LOOPS:,}-iteration "
            "Python loop (compare runs through it: the code does not change it)")
