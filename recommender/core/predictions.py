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
    model_config = _STRICT
    instance_type: str
    count: int = Field(ge=1, le=10_000)
    runtime_s: float = Field(gt=0)


class RuntimeCandidate(BaseModel):
    model_config = _STRICT
    instance_type: str
    count: int = Field(ge=1, le=10_000)


class RuntimeRequest(BaseModel):
    """Input of ``predict-runtime``.

    ``job`` is free (``framework``, ``application``, ``input_gib``...); only ``input_gib`` is
    used, to place a job without measurements and to gauge memory pressure.
    """

    model_config = _STRICT
    job: dict[str, Any] = Field(default_factory=dict)
    measurements: list[RuntimeMeasurement] = Field(default_factory=list, max_length=3)
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
        if not self.measurements and not (isinstance(gib, int | float) and gib > 0):
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
    notes: list[str] = Field(default_factory=list)


class RuntimeResponse(BaseModel):
    predictions: list[RuntimePrediction]
    best: RuntimePrediction | None
    objective: str
    notes: list[str] = Field(default_factory=list)
    model: ModelInfo


class LambdaMeasurement(BaseModel):
    model_config = _STRICT
    memory_mb: int = Field(ge=128, le=10240)
    # Lambda reports durations to 0.01 ms; anything smaller is not a measurement (and
    # subnormal values overflow the model's ratios).  The upper bound is checked against
    # the catalog's Lambda timeout in ``predict_lambda_memory``.
    duration_ms: float = Field(ge=0.01, allow_inf_nan=False)
    max_memory_used_mb: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class LambdaMemoryRequest(BaseModel):
    """Input of ``lambda-memory``.

    ``parallel`` says the code runs on several threads, so vCPUs above 1,769 MB help it.
    """

    model_config = _STRICT
    measurements: list[LambdaMeasurement] = Field(min_length=1, max_length=20)
    arch: Literal["x86_64", "arm64"] = "x86_64"
    invocations_per_month: float = Field(default=1_000_000, ge=0)
    candidate_memory_mb: list[int] | None = None
    objective: Literal["cost", "speed", "balanced"] = "cost"
    parallel: bool = False
    region: str = "us-east-1"

    @field_validator("candidate_memory_mb")
    @classmethod
    def _in_range(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            bad = [m for m in v if not 128 <= m <= 10240]
            if bad or not v:
                raise ValueError(f"candidate memory sizes must be 128..10240 MB; bad: {bad}")
        return v


class LambdaPrediction(BaseModel):
    memory_mb: int
    duration_ms: float
    duration_ms_low: float
    duration_ms_high: float
    billed_duration_ms: int
    monthly_cost_usd: float
    monthly_cost_usd_low: float
    monthly_cost_usd_high: float


class LambdaMemoryResponse(BaseModel):
    predictions: list[LambdaPrediction]
    best: LambdaPrediction | None
    objective: str
    arch: str
    notes: list[str] = Field(default_factory=list)
    model: ModelInfo
