"""Request and response models of the prediction endpoints (CONTRACT section 4).

These pydantic models are the contract: the CLI, the HTTP API and the Python functions all
validate through them, so one input is refused with the same message everywhere.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_STRICT = ConfigDict(extra="forbid")
#: Plausible job input sizes (1 KiB to 1 EiB): outside them the size is a unit mistake, and
#: the model's log features would overflow.
INPUT_GIB_RANGE = (2.0**-20, 2.0**30)


class ModelInfo(BaseModel):
    """The response's ``model`` block."""

    version: str
    trained_at: str


class RuntimeMeasurement(BaseModel):
    """One measured run: ``runtime_s``, or ``failed: true`` for a run that did not complete
    (out of memory): clusters with no more memory are then predicted to fail."""

    model_config = _STRICT
    instance_type: str
    count: int = Field(ge=1, le=10_000)
    #: At most ~31 years: beyond it the model's log features and the costs overflow (a
    #: 1e308 runtime answered 200 with null results; issue 12).
    runtime_s: float | None = Field(default=None, gt=0, le=1e9, allow_inf_nan=False)
    failed: bool = False

    @model_validator(mode="after")
    def _outcome(self) -> RuntimeMeasurement:
        if self.runtime_s is None and not self.failed:
            raise ValueError("give runtime_s (s) for a completed run, or failed: true")
        return self


class RuntimeCandidate(BaseModel):
    model_config = _STRICT
    instance_type: str
    count: int = Field(ge=1, le=10_000)


class RuntimeRequest(BaseModel):
    """Input of ``predict-runtime``.

    ``job`` is free (``framework``, ``application``, ``input_gib``, ``memory_gib``...);
    ``input_gib`` places a job without measurements, ``memory_gib`` (the cluster memory the
    job needs) marks smaller clusters as failing.  Up to 20 measured runs.
    """

    model_config = _STRICT
    job: dict[str, Any] = Field(default_factory=dict)
    measurements: list[RuntimeMeasurement] = Field(default_factory=list, max_length=20)
    candidates: list[RuntimeCandidate] | None = None
    objective: Literal["cost", "time"] = "cost"
    deadline_s: float | None = Field(default=None, gt=0)
    prices_usd_per_hour: dict[str, float] = Field(default_factory=dict)
    region: str = "us-east-1"

    @field_validator("prices_usd_per_hour")
    @classmethod
    def _positive_prices(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, p in v.items() if not p > 0]
        if bad:
            raise ValueError(f"prices must be > 0 USD/h; bad: {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _placeable(self) -> RuntimeRequest:
        gib = self.job.get("input_gib")
        if gib is not None and not (
            isinstance(gib, int | float)
            and not isinstance(gib, bool)
            and INPUT_GIB_RANGE[0] <= gib <= INPUT_GIB_RANGE[1]
        ):
            lo, hi = INPUT_GIB_RANGE
            raise ValueError(f"job.input_gib must be a number from {lo:g} to {hi:g} GiB")
        mem = self.job.get("memory_gib")
        if mem is not None and not (
            isinstance(mem, int | float) and not isinstance(mem, bool) and 0 < mem <= 2.0**30
        ):
            raise ValueError("job.memory_gib must be a number of GiB > 0")
        ok = [m for m in self.measurements if not m.failed]
        if not ok and not (isinstance(gib, int | float) and gib > 0):
            raise ValueError(
                "give at least one measurement (instance_type, count, runtime_s) or "
                "job.input_gib > 0; without either the job's size is unknown"
            )
        return self


class RuntimePrediction(BaseModel):
    instance_type: str
    count: int
    runtime_s: float
    runtime_s_low: float
    runtime_s_high: float
    cost_usd: float | None
    cost_usd_low: float | None = None
    cost_usd_high: float | None = None
    price_usd_per_hour: float | None = None
    price_source: str | None = None  # "override" | "catalog:<source id>"
    perf_index_source: str | None = None
    measured: bool = False
    predicted_to_fail: bool = False
    notes: list[str] = Field(default_factory=list)


class RuntimeResponse(BaseModel):
    predictions: list[RuntimePrediction]
    best: RuntimePrediction | None
    objective: str
    notes: list[str] = Field(default_factory=list)
    model: ModelInfo


class LambdaMeasurement(BaseModel):
    """One measured memory size: what a Lambda REPORT line (or CloudWatch) gives.

    ``duration_ms`` or ``billed_duration_ms`` (at least one; billed alone is taken as the
    duration, an upper bound within the 1 ms billing step); ``max_memory_used_mb``,
    ``cpu_time_ms`` (CPU time the function measured itself, e.g. ``process.cpuUsage()``) and
    ``init_duration_ms`` (cold-start init) are optional.
    """

    model_config = _STRICT
    memory_mb: int = Field(ge=128, le=10240)
    # Lambda reports durations to 0.01 ms; anything smaller is not a measurement (and
    # subnormal values overflow the model's ratios).  The upper bound is checked against
    # the catalog's Lambda timeout in ``predict_lambda_memory``.
    duration_ms: float | None = Field(default=None, ge=0.01, allow_inf_nan=False)
    billed_duration_ms: float | None = Field(default=None, ge=1, allow_inf_nan=False)
    max_memory_used_mb: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    cpu_time_ms: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    init_duration_ms: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _has_duration(self) -> LambdaMeasurement:
        if self.duration_ms is None and self.billed_duration_ms is None:
            raise ValueError("give duration_ms or billed_duration_ms (ms) for each measurement")
        return self

    @property
    def duration(self) -> float:
        """The measured duration (ms): ``duration_ms``, else ``billed_duration_ms``."""
        d = self.duration_ms if self.duration_ms is not None else self.billed_duration_ms
        assert d is not None  # the validator requires one of them
        return float(d)


class LambdaMemoryRequest(BaseModel):
    """Input of ``lambda-memory``.

    ``measurements`` (one or more sizes) or ``power_tuning`` (the output JSON of AWS Lambda
    Power Tuning, read as one measurement per tested size), or both.  ``parallel``: true
    when the code runs several threads (vCPUs above 1,769 MB help it), false when it is
    single-threaded, null (default) to let the model's prior decide.
    """

    model_config = _STRICT
    measurements: list[LambdaMeasurement] = Field(default_factory=list, max_length=50)
    power_tuning: dict[str, Any] | None = None
    arch: Literal["x86_64", "arm64"] = "x86_64"
    invocations_per_month: float = Field(default=1_000_000, ge=0)
    candidate_memory_mb: list[int] | None = None
    objective: Literal["cost", "speed", "balanced"] = "cost"
    parallel: bool | None = None
    region: str = "us-east-1"

    @field_validator("candidate_memory_mb")
    @classmethod
    def _in_range(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            bad = [m for m in v if not 128 <= m <= 10240]
            if bad or not v:
                raise ValueError(f"candidate memory sizes must be 128..10240 MB; bad: {bad}")
        return v

    @model_validator(mode="after")
    def _something_measured(self) -> LambdaMemoryRequest:
        if not self.measurements and not self.power_tuning:
            raise ValueError("give measurements (at least one memory size) or power_tuning")
        return self


class LambdaPrediction(BaseModel):
    memory_mb: int
    measured: bool = False
    duration_ms: float
    duration_ms_low: float
    duration_ms_high: float
    billed_duration_ms: int
    monthly_cost_usd: float
    monthly_cost_usd_low: float
    monthly_cost_usd_high: float
    notes: list[str] = Field(default_factory=list)


class LambdaMemoryResponse(BaseModel):
    predictions: list[LambdaPrediction]
    best: LambdaPrediction | None
    objective: str
    arch: str
    notes: list[str] = Field(default_factory=list)
    model: ModelInfo


class NextRunRequest(RuntimeRequest):
    """Input of ``next-run``: a job's measured runs so far and the configurations it may run.

    The fields of :class:`RuntimeRequest` (``measurements`` may include ``failed: true``
    runs), plus ``plan_runs``: how many further runs the expected-regret curve covers.
    """

    plan_runs: int = Field(default=4, ge=1, le=10)


class NextRunChoice(BaseModel):
    instance_type: str
    count: int
    predicted_runtime_s: float
    predicted_runtime_s_low: float
    predicted_runtime_s_high: float
    predicted_cost_usd: float | None
    expected_improvement: float  # in the objective's unit (USD per run, or s)
    expected_improvement_pct: float  # of the current best measured value
    probability_better: float  # that this run beats the current best
    reason: str


class MeasuredBest(BaseModel):
    instance_type: str
    count: int
    runtime_s: float
    cost_usd: float | None


class RegretStep(BaseModel):
    extra_runs: int
    expected_regret_pct: float  # expected (best measured / true optimum - 1) x 100
    next_configurations: list[str] = Field(default_factory=list)


class NextRunResponse(BaseModel):
    next: NextRunChoice | None
    current_best: MeasuredBest | None
    objective: str
    acquisition: str
    expected_regret: list[RegretStep]
    notes: list[str] = Field(default_factory=list)
    model: ModelInfo
