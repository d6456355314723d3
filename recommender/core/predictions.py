"""Request and response models of the prediction endpoints (CONTRACT section 4).

These pydantic models are the contract: the CLI, the HTTP API and the Python functions all
validate through them, so one input is refused with the same message everywhere.  Every rule
JSON Schema can express is in the published schema (bounds, patterns, ``anyOf`` for "this or
that is required"), so a client generator sees it; a rule it cannot express is named in the
field's description and checked here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The models here build their validator and serializer on first use (``defer_build``): a
#: process that never predicts (``recommender recommend``) does not pay for them at import,
#: and one that does builds only those it uses; a model nested in another (``RuntimeRequest``
#: in the profile) is built as part of it, as before.  The three request models are built at
#: once (``_STRICT_NOW``): the API wraps them in FastAPI's own adapters, which would build
#: them later outside FastAPI's warning filter.
_LAZY = ConfigDict(defer_build=True)
_STRICT = ConfigDict(extra="forbid", defer_build=True)
_STRICT_NOW = ConfigDict(extra="forbid")
#: Plausible job input sizes (1 KiB to 1 EiB): outside them the size is a unit mistake, and
#: the model's log features would overflow.
INPUT_GIB_RANGE = (2.0**-20, 2.0**30)
#: AWS region code, e.g. ``us-east-1``, ``ap-southeast-5``, ``us-gov-west-1`` (here, not in
#: ``profile``, because the profile imports this module).  ECMA-262 (JSON Schema) and
#: pydantic's Rust engine read ``$`` as the end of the text; Python code matches it with
#: ``fullmatch`` (``$`` also matches before a final newline).  ``[0-9]``, not ``\d``, which
#: matches any Unicode digit in Python.
REGION_REGEX: Final = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$"
#: JSON Schema of "``measurements`` holds at least one completed run" (no ``failed: true``).
COMPLETED_RUN_SCHEMA: Final[dict[str, Any]] = {
    "contains": {"properties": {"failed": {"const": False}}}}
#: Shortest measured runtime accepted, seconds (no job completes faster; smaller values are
#: unit slips, and a subnormal one overflows the model's ratios).
MIN_RUNTIME_S = 1e-3
#: Largest price accepted, USD per hour (the largest EC2 type is ~$400/h; beyond, a unit slip).
MAX_PRICE_USD_PER_HOUR = 1e6

_Region: Any = Field(default="us-east-1", max_length=40, pattern=REGION_REGEX,
                examples=["us-east-1"], description=(
                    "AWS region whose catalog prices are used; a region with no EC2 prices "
                    "is refused (checked by the server)"))
_Notes: Any = Field(default_factory=list, description="caveats in words (assumptions, clamps)")


class ModelInfo(BaseModel):
    """The response's ``model`` block: which trained artifacts answered."""

    model_config = _LAZY

    version: str = Field(description="model artifacts version, e.g. '2026.11.1'")
    trained_at: str = Field(description="when the artifacts were trained, ISO 8601")


class RuntimeMeasurement(BaseModel):
    """One measured run: ``runtime_s``, or ``failed: true`` for a run that did not complete
    (out of memory): clusters with no more memory are then predicted to fail."""

    model_config = ConfigDict(**_STRICT, json_schema_extra={"anyOf": [
        {"required": ["runtime_s"], "properties": {"runtime_s": {"type": "number"}}},
        {"required": ["failed"], "properties": {"failed": {"const": True}}},
    ]})
    instance_type: str = Field(min_length=1, max_length=40, examples=["m5.xlarge"],
                               description="EC2 instance type of the nodes")
    count: int = Field(ge=1, le=10_000, examples=[4], description="number of nodes")
    #: At most ~31 years: beyond it the model's log features and the costs overflow (a
    #: 1e308 runtime answered 200 with null results; issue 12).  At least a millisecond: a
    #: subnormal runtime (5e-324 s) divided the model by zero (a 500 schemathesis found).
    runtime_s: float | None = Field(default=None, ge=MIN_RUNTIME_S, le=1e9, allow_inf_nan=False,
                                    examples=[900], description=(
                                        "measured wall-clock runtime of the job, seconds "
                                        "(required unless `failed`)"))
    failed: bool = Field(default=False, description=(
        "true for a run that did not complete (out of memory)"))

    @model_validator(mode="after")
    def _outcome(self) -> RuntimeMeasurement:
        if self.runtime_s is None and not self.failed:
            raise ValueError("give runtime_s (s) for a completed run, or failed: true")
        return self


class RuntimeCandidate(BaseModel):
    """A cluster to predict: ``count`` nodes of ``instance_type``."""

    model_config = _STRICT
    instance_type: str = Field(min_length=1, max_length=40, examples=["c5.2xlarge"],
                               description="EC2 instance type of the nodes")
    count: int = Field(ge=1, le=10_000, examples=[8], description="number of nodes")


#: ``job`` of a runtime request: free, with these known keys documented and bounded.
_JOB_SCHEMA: dict[str, Any] = {"properties": {
    "framework": {"type": "string", "description": "e.g. spark, hadoop, ray"},
    "application": {"type": "string", "description": "what the job does, e.g. sort, kmeans"},
    "input_gib": {"type": "number", "minimum": INPUT_GIB_RANGE[0],
                  "maximum": INPUT_GIB_RANGE[1],
                  "description": "size of the input data, GiB; places a job with no run"},
    "memory_gib": {"type": "number", "exclusiveMinimum": 0, "maximum": 2.0**30,
                   "description": "cluster memory the job needs, GiB; smaller clusters are "
                                  "predicted to fail"},
}, "additionalProperties": True}

PositivePrice = Annotated[float, Field(gt=0, le=MAX_PRICE_USD_PER_HOUR, allow_inf_nan=False)]


class RuntimeRequest(BaseModel):
    """Input of ``predict-runtime``.

    ``job`` is free (``framework``, ``application``, ``input_gib``, ``memory_gib``...);
    ``input_gib`` places a job without measurements, ``memory_gib`` (the cluster memory the
    job needs) marks smaller clusters as failing.  Up to 20 measured runs.  A request needs
    ``job.input_gib`` or a completed measured run (the schema's ``anyOf``).
    """

    model_config = ConfigDict(**_STRICT_NOW, json_schema_extra={"anyOf": [
        {"required": ["job"], "properties": {"job": {"required": ["input_gib"]}}},
        {"required": ["measurements"], "properties": {"measurements": COMPLETED_RUN_SCHEMA}},
    ]})
    job: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra=_JOB_SCHEMA,
        examples=[{"framework": "spark", "application": "sort", "input_gib": 100}],
        description="the job's features (free keys; the known ones are listed)")
    measurements: list[RuntimeMeasurement] = Field(
        default_factory=list, max_length=20, description="measured runs of the job (0-20)")
    candidates: list[RuntimeCandidate] | None = Field(default=None, description=(
        "clusters to predict; absent or empty: current-generation general purpose types at "
        "the measured node counts"))
    objective: Literal["cost", "time"] = Field(default="cost", description=(
        "what `best` minimises: cost per run or runtime"))
    deadline_s: float | None = Field(default=None, gt=0, allow_inf_nan=False, examples=[3600],
                                     description=(
                                         "longest acceptable runtime, seconds; `best` meets "
                                         "it when any candidate does"))
    prices_usd_per_hour: dict[str, PositivePrice] = Field(
        default_factory=dict, examples=[{"m5.xlarge": 0.192}], description=(
            "instance type -> price per node, USD per hour, overriding the catalog"))
    region: str = _Region

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
    """The predicted runtime and cost of one cluster, with an interval."""

    model_config = _LAZY

    instance_type: str = Field(description="EC2 instance type of the nodes")
    count: int = Field(description="number of nodes")
    runtime_s: float = Field(description="predicted runtime, seconds")
    runtime_s_low: float = Field(description="low end of the prediction interval, seconds")
    runtime_s_high: float = Field(description="high end of the prediction interval, seconds")
    cost_usd: float | None = Field(description=(
        "cost of one run, USD (runtime x nodes x price); null without a price"))
    cost_usd_low: float | None = Field(default=None, description="cost at runtime_s_low, USD")
    cost_usd_high: float | None = Field(default=None, description="cost at runtime_s_high, USD")
    price_usd_per_hour: float | None = Field(default=None, description=(
        "price per node, USD per hour"))
    price_source: str | None = Field(default=None, description=(
        "where the price comes from: 'override' or 'catalog:<source id>'"))
    perf_index_source: str | None = Field(default=None, description=(
        "whether the type's compute capacity is 'measured' or 'predicted'"))
    measured: bool = Field(default=False, description=(
        "true for a measured configuration (predicted at its measurement)"))
    predicted_to_fail: bool = Field(default=False, description=(
        "true when the cluster has no more memory than a failed run or job.memory_gib"))
    notes: list[str] = _Notes


class RuntimeResponse(BaseModel):
    """Output of ``predict-runtime``."""

    model_config = _LAZY

    predictions: list[RuntimePrediction] = Field(description="one per candidate cluster")
    best: RuntimePrediction | None = Field(description=(
        "the candidate that minimises the objective (within the deadline); null if none"))
    objective: str = Field(description="the objective `best` minimises: cost or time")
    notes: list[str] = _Notes
    model: ModelInfo = Field(description="the model artifacts that answered")


class LambdaMeasurement(BaseModel):
    """One measured memory size: what a Lambda REPORT line (or CloudWatch) gives.

    ``duration_ms`` or ``billed_duration_ms`` (at least one, the schema's ``anyOf``; billed
    alone is taken as the duration, an upper bound within the 1 ms billing step);
    ``max_memory_used_mb``, ``cpu_time_ms`` (CPU time the function measured itself, e.g.
    ``process.cpuUsage()``) and ``init_duration_ms`` (cold-start init) are optional.
    """

    model_config = ConfigDict(**_STRICT, json_schema_extra={"anyOf": [
        {"required": ["duration_ms"], "properties": {"duration_ms": {"type": "number"}}},
        {"required": ["billed_duration_ms"],
         "properties": {"billed_duration_ms": {"type": "number"}}},
    ]})
    memory_mb: int = Field(ge=128, le=10240, examples=[512], description=(
        "the function's memory setting, MB (Lambda allows 128-10,240)"))
    # Lambda reports durations to 0.01 ms; anything smaller is not a measurement (and
    # subnormal values overflow the model's ratios).  The upper bound is checked against
    # the catalog's Lambda timeout in ``predict_lambda_memory``.
    duration_ms: float | None = Field(default=None, ge=0.01, allow_inf_nan=False,
                                      examples=[820], description=(
                                          "measured duration of one invocation, ms (REPORT "
                                          "line's Duration); at most the Lambda timeout"))
    billed_duration_ms: float | None = Field(default=None, ge=1, allow_inf_nan=False,
                                             examples=[821], description=(
                                                 "billed duration, ms (REPORT line's Billed "
                                                 "Duration)"))
    max_memory_used_mb: float | None = Field(default=None, gt=0, allow_inf_nan=False,
                                             examples=[190], description=(
                                                 "peak memory used, MB (REPORT line's Max "
                                                 "Memory Used)"))
    cpu_time_ms: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                      description=(
                                          "CPU time the function measured itself, ms (e.g. "
                                          "process.cpuUsage())"))
    init_duration_ms: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                           description="cold-start init duration, ms")

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


MemoryMb = Annotated[int, Field(ge=128, le=10240)]


class LambdaMemoryRequest(BaseModel):
    """Input of ``lambda-memory``.

    ``measurements`` (one or more sizes) or ``power_tuning`` (the output JSON of AWS Lambda
    Power Tuning, read as one measurement per tested size), or both (the schema's ``anyOf``).
    ``parallel``: true when the code runs several threads (vCPUs above 1,769 MB help it),
    false when it is single-threaded, null (default) to let the model's prior decide.
    ``kind`` (optional): cpu_bound, io_bound or mixed, what the function spends its time on.
    """

    model_config = ConfigDict(**_STRICT_NOW, json_schema_extra={"anyOf": [
        {"required": ["measurements"], "properties": {"measurements": {"minItems": 1}}},
        {"required": ["power_tuning"],
         "properties": {"power_tuning": {"type": "object", "minProperties": 1}}},
    ]})
    measurements: list[LambdaMeasurement] = Field(
        default_factory=list, max_length=50, description="measured memory sizes (0-50)")
    power_tuning: dict[str, Any] | None = Field(default=None, description=(
        "the output JSON of AWS Lambda Power Tuning (`{\"results\": {...}}` or its "
        "`results`), read as one measurement per tested size"))
    arch: Literal["x86_64", "arm64"] = Field(default="x86_64", description=(
        "the function's architecture (arm64 is priced lower per GB-second)"))
    invocations_per_month: float = Field(default=1_000_000, ge=0, le=1e15, allow_inf_nan=False,
                                         description="invocations per month, for the cost")
    candidate_memory_mb: list[MemoryMb] | None = Field(
        default=None, min_length=1, max_length=200, examples=[[256, 512, 1024, 2048]],
        description=("memory sizes to predict, MB (128-10,240); absent: a standard ladder "
                     "plus the measured sizes"))
    objective: Literal["cost", "speed", "balanced"] = Field(default="cost", description=(
        "what `best` optimises: monthly cost, duration, or both"))
    parallel: bool | None = Field(default=None, description=(
        "true: multi-threaded (vCPUs above 1,769 MB help); false: single-threaded; null: the "
        "model's prior decides"))
    kind: Literal["cpu_bound", "io_bound", "mixed"] | None = Field(default=None, description=(
        "what the function spends its time on, if known: cpu_bound (computes), io_bound "
        "(waits on S3, DynamoDB, HTTP...), mixed; from one measured size the model weighs "
        "training functions of that kind first (mixed and null: every kind alike)"))
    region: str = _Region

    @model_validator(mode="after")
    def _something_measured(self) -> LambdaMemoryRequest:
        if not self.measurements and not self.power_tuning:
            raise ValueError("give measurements (at least one memory size) or power_tuning")
        return self


class LambdaPrediction(BaseModel):
    """The predicted duration and monthly cost at one memory size."""

    model_config = _LAZY

    memory_mb: int = Field(description="memory setting, MB")
    measured: bool = Field(default=False, description="true for a measured size")
    duration_ms: float = Field(description="predicted duration of one invocation, ms")
    duration_ms_low: float = Field(description="low end of the prediction interval, ms")
    duration_ms_high: float = Field(description="high end of the prediction interval, ms")
    billed_duration_ms: int = Field(description="billed duration (1 ms steps), ms")
    monthly_cost_usd: float = Field(description=(
        "monthly cost at invocations_per_month, USD (GB-seconds + requests)"))
    monthly_cost_usd_low: float = Field(description="monthly cost at duration_ms_low, USD")
    monthly_cost_usd_high: float = Field(description="monthly cost at duration_ms_high, USD")
    notes: list[str] = _Notes


class LambdaMemoryResponse(BaseModel):
    """Output of ``lambda-memory``."""

    model_config = _LAZY

    predictions: list[LambdaPrediction] = Field(description="one per memory size")
    best: LambdaPrediction | None = Field(description="the size that best meets the objective")
    objective: str = Field(description="the objective: cost, speed or balanced")
    arch: str = Field(description="the architecture priced: x86_64 or arm64")
    notes: list[str] = _Notes
    model: ModelInfo = Field(description="the model artifacts that answered")


class NextRunRequest(RuntimeRequest):
    """Input of ``next-run``: a job's measured runs so far and the configurations it may run.

    The fields of :class:`RuntimeRequest` (``measurements`` may include ``failed: true``
    runs), plus ``plan_runs``: how many further runs the expected-regret curve covers.
    """

    plan_runs: int = Field(default=4, ge=1, le=10, description=(
        "further runs the expected-regret curve covers"))


class NextRunChoice(BaseModel):
    """The configuration to measure next."""

    model_config = _LAZY

    instance_type: str = Field(description="EC2 instance type of the nodes")
    count: int = Field(description="number of nodes")
    predicted_runtime_s: float = Field(description="predicted runtime, seconds")
    predicted_runtime_s_low: float = Field(description="low end of the interval, seconds")
    predicted_runtime_s_high: float = Field(description="high end of the interval, seconds")
    predicted_cost_usd: float | None = Field(description="predicted cost of one run, USD")
    expected_improvement: float = Field(description=(
        "expected improvement over the best measured run, in the objective's unit (USD per "
        "run, or seconds)"))
    expected_improvement_pct: float = Field(description=(
        "expected improvement, percent of the current best measured value"))
    probability_better: float = Field(description=(
        "probability, 0-1, that this run beats the current best"))
    reason: str = Field(description="why this configuration, in words")


class MeasuredBest(BaseModel):
    """The best run measured so far."""

    model_config = _LAZY

    instance_type: str = Field(description="EC2 instance type of the nodes")
    count: int = Field(description="number of nodes")
    runtime_s: float = Field(description="measured runtime, seconds")
    cost_usd: float | None = Field(description="cost of the run, USD; null without a price")


class RegretStep(BaseModel):
    """Expected regret after ``extra_runs`` more measured runs."""

    model_config = _LAZY

    extra_runs: int = Field(description="further runs measured (0 = now)")
    #: Null, not NaN, when there is no successful run to regret against (a NaN was written
    #: as null against a schema that said number; schemathesis found it).
    expected_regret_pct: float | None = Field(description=(
        "expected (best measured / true optimum - 1) x 100, percent; null when no run has "
        "succeeded yet (no best measured value)"))

    @field_validator("expected_regret_pct")
    @classmethod
    def _nan_is_null(cls, v: float | None) -> float | None:
        return None if v is None or math.isnan(v) else v
    next_configurations: list[str] = Field(default_factory=list, description=(
        "the configurations those runs measure, e.g. '4 x m5.xlarge'"))


class NextRunResponse(BaseModel):
    """Output of ``next-run``."""

    model_config = _LAZY

    next: NextRunChoice | None = Field(description="the run to measure next; null if none helps")
    current_best: MeasuredBest | None = Field(description="the best measured run so far")
    objective: str = Field(description="cost or time")
    acquisition: str = Field(description="how `next` is chosen: 'expected improvement'")
    expected_regret: list[RegretStep] = Field(description=(
        "expected regret after 0..plan_runs further runs"))
    notes: list[str] = _Notes
    model: ModelInfo = Field(description="the model artifacts that answered")
