"""The typed queries and estimates of the model interface (:mod:`.interface`).

Plain frozen dataclasses, standard library only: the rules build them from a validated
profile, the models answer with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class NodeConfig:
    """``count`` nodes of ``instance_type``."""

    instance_type: str
    count: int


@dataclass(frozen=True)
class MeasuredRun:
    """A measured run of the job: its runtime, or ``failed`` (did not complete: memory)."""

    instance_type: str
    count: int
    runtime_s: float | None = None
    failed: bool = False


@dataclass(frozen=True)
class RuntimeQuery:
    """What the runtime model needs: the configurations to estimate and the job's evidence.

    ``prices_usd_per_hour``: ``(instance type, USD/h)`` pairs that price a configuration
    (the option's own purchase option); other types take the catalog's on-demand price of
    ``region``.  ``input_gib`` places a job without measured runs; ``memory_gib`` (cluster
    memory the job needs) marks smaller clusters as failing.  Frozen and hashable: the
    estimates of one query are memoised per catalog.
    """

    configs: tuple[NodeConfig, ...]
    runs: tuple[MeasuredRun, ...] = ()
    input_gib: float | None = None
    memory_gib: float | None = None
    prices_usd_per_hour: tuple[tuple[str, float], ...] = ()
    region: str = "us-east-1"


@dataclass(frozen=True)
class RuntimeEstimate:
    """Predicted runtime (s) of one configuration with its interval, and its cost per run.

    Costs are None when the configuration has no price; ``price_source`` is ``"override"``
    (the query's price) or ``"catalog:<source>"``.
    """

    instance_type: str
    count: int
    runtime_s: float
    runtime_s_low: float
    runtime_s_high: float
    cost_usd: float | None
    cost_usd_low: float | None
    cost_usd_high: float | None
    price_usd_per_hour: float | None
    price_source: str | None
    perf_index_source: str | None
    measured: bool
    predicted_to_fail: bool


@dataclass(frozen=True)
class LambdaRun:
    """One measured memory size of a Lambda function."""

    memory_mb: int
    duration_ms: float
    max_memory_used_mb: float | None = None
    cpu_time_ms: float | None = None


@dataclass(frozen=True)
class LambdaQuery:
    """What the Lambda model needs to choose a memory size.

    ``candidate_memory_mb`` None means the default grid; ``parallel`` None lets the model's
    prior decide how much CPU work is multi-threaded; ``kind`` (declared cpu_bound, io_bound
    or mixed; None: not said) conditions the one-size prior.
    """

    runs: tuple[LambdaRun, ...]
    candidate_memory_mb: tuple[int, ...] | None = None
    arch: Literal["x86_64", "arm64"] = "x86_64"
    invocations_per_month: float = 1_000_000.0
    objective: Literal["cost", "speed", "balanced"] = "cost"
    parallel: bool | None = None
    region: str = "us-east-1"
    kind: Literal["cpu_bound", "io_bound", "mixed"] | None = None


@dataclass(frozen=True)
class LambdaEstimate:
    """Duration (ms) with its interval and the monthly cost at one memory size."""

    memory_mb: int
    measured: bool
    duration_ms: float
    duration_ms_low: float
    duration_ms_high: float
    billed_duration_ms: int
    monthly_cost_usd: float
    monthly_cost_usd_low: float
    monthly_cost_usd_high: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LambdaChoice:
    """Every candidate size's estimate, the best one for the objective, and notes."""

    estimates: tuple[LambdaEstimate, ...]
    best: LambdaEstimate
    notes: tuple[str, ...] = ()


def price_pairs(prices: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    """``{type: USD/h}`` as the sorted pairs :class:`RuntimeQuery` holds."""
    return tuple(sorted((str(k), float(v)) for k, v in prices.items()))
