"""The compute section: vCPUs, memory, utilization, events, and batch jobs (CONTRACT 1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from recommender.core.predictions import (
    COMPLETED_RUN_SCHEMA,
    INPUT_GIB_RANGE,
    MIN_RUNTIME_S,
    RuntimeMeasurement,
    RuntimeRequest,
)
from recommender.core.profile.fields import (
    MAX_QUANTITY,
    MAX_RATE,
    MAX_SERIES,
    PROFILE_CONFIG,
    Pct,
    Range,
    RangeField,
    optional,
)


class CpuUtilization(BaseModel):
    """Summary statistics of CPU utilization, percent of the measured capacity.

    Must satisfy ``average_pct <= p95_pct <= peak_pct`` (checked by the server: JSON Schema
    cannot compare fields).
    """

    model_config = PROFILE_CONFIG

    average_pct: Pct | None = optional("mean CPU utilization over the period, percent (0-100)", 25)
    p95_pct: Pct | None = optional("95th percentile of CPU utilization, percent (0-100)", 60)
    peak_pct: Pct | None = optional("highest CPU utilization seen, percent (0-100)", 85)

    @model_validator(mode="after")
    def _ordered(self) -> CpuUtilization:
        vals = [v for v in (self.average_pct, self.p95_pct, self.peak_pct) if v is not None]
        if vals != sorted(vals):
            raise ValueError("must satisfy average_pct <= p95_pct <= peak_pct")
        return self


#: The runtime model's limit on measured runs, read from its request schema (one source).
MAX_JOB_MEASUREMENTS = next(
    m.max_length for m in RuntimeRequest.model_fields["measurements"].metadata
    if getattr(m, "max_length", None) is not None
)


class JobMeasurement(RuntimeMeasurement):
    """A measured run of the job: ``instance_type``, ``count`` (nodes), ``runtime_s``.

    The fields and their rules are the runtime model's (:class:`RuntimeMeasurement`); only
    the profile's strictness is added, so a string where a number belongs is refused here
    too rather than coerced.
    """

    model_config = PROFILE_CONFIG

    #: The model's rule (>= 1 ms) plus the profile's sanity ceiling, so monthly sums stay finite.
    runtime_s: float = Field(ge=MIN_RUNTIME_S, le=MAX_RATE, examples=[900], description=(
        "measured wall-clock runtime of the whole job on `count` nodes, seconds"))


class JobProfile(BaseModel):
    """A batch job whose runtime the runtime model predicts (extension of CONTRACT v1).

    ``framework``, ``application`` and ``input_gib`` are the model's free job features;
    ``measurements`` are 0-3 measured runs; ``deadline_s`` bounds one run's runtime;
    ``runs_per_month`` turns the predicted runtime into the hours billed each month.
    A job needs ``input_gib`` or a completed measured run (the schema's ``anyOf``).
    """

    model_config = ConfigDict(**PROFILE_CONFIG, json_schema_extra={"anyOf": [
        {"required": ["input_gib"], "properties": {"input_gib": {"type": "number"}}},
        {"required": ["measurements"], "properties": {"measurements": COMPLETED_RUN_SCHEMA}},
    ]})

    framework: str | None = Field(default=None, min_length=1, max_length=100, examples=["spark"],
                                  description="the job's framework, e.g. spark, hadoop, ray")
    application: str | None = Field(default=None, min_length=1, max_length=100,
                                    examples=["sort"], description=(
                                        "what the job does, e.g. sort, kmeans, pagerank"))
    input_gib: float | None = Field(
        default=None, ge=INPUT_GIB_RANGE[0], le=INPUT_GIB_RANGE[1], examples=[100],
        description="size of the job's input data, GiB; places a job with no measured run")
    measurements: list[JobMeasurement] | None = Field(
        default=None, max_length=MAX_JOB_MEASUREMENTS, description=(
            "measured runs of this job (instance type, node count, runtime)"))
    deadline_s: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[3600],
                                     description=(
                                         "longest acceptable runtime of one run, seconds; "
                                         "options predicted to miss it are rejected"))
    runs_per_month: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[30],
                                         description=(
                                             "runs per month; x predicted runtime = the hours "
                                             "billed (replaces compute.hours_per_month)"))

    @model_validator(mode="after")
    def _placeable(self) -> JobProfile:
        # The runtime model's own request rules (e.g. a job needs a measurement or its input
        # size), checked here so the profile is refused before the engine runs.
        try:
            RuntimeRequest.model_validate(self.runtime_request_fields())
        except ValidationError as exc:
            raise ValueError("; ".join(
                str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())) from None
        return self

    def runtime_request_fields(self) -> dict[str, Any]:
        """``job``, ``measurements`` and ``deadline_s`` as a :class:`RuntimeRequest` takes them."""
        job = {k: v for k in ("framework", "application", "input_gib")
               if (v := getattr(self, k)) is not None}
        return {"job": job, "measurements": [m.model_dump() for m in self.measurements or []],
                "deadline_s": self.deadline_s}


#: Lambda's memory settings: "between 128 MB and 10,240 MB in 1-MB increments"
#: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
LAMBDA_MIN_MEMORY_MB = 128
LAMBDA_MAX_MEMORY_MB = 10_240


class ComputeProfile(BaseModel):
    """Compute needs.  When utilization is given, ``vcpus`` is the capacity it was measured on."""

    model_config = PROFILE_CONFIG

    vcpus: RangeField | None = optional(
        "vCPUs needed (a number is the minimum), or the capacity utilization was measured on",
        4, {"min": 2, "max": 8})
    memory_gib: RangeField | None = optional("memory needed, GiB (a number is the minimum)", 16)
    arch: Literal["x86_64", "arm64", "any"] | None = optional(
        "CPU architecture the software runs on; absent or `any`: either", "arm64")
    gpus: RangeField | None = optional(
        "GPUs needed, whole numbers (a number is the minimum; whole numbers are checked by "
        "the server)", 1)
    cpu_utilization: CpuUtilization | None = optional(
        "measured CPU utilization of the current `vcpus` (summary statistics)")
    utilization_series_pct: list[Pct] | None = Field(
        default=None, min_length=1, max_length=MAX_SERIES, examples=[[12.5, 40.0, 85.0]],
        description=("CPU utilization samples, percent (0-100), one per "
                     "`series_interval_minutes`; sizes on the P99.5 demand"))
    parallelism: int | None = Field(default=None, ge=1, le=10_000_000, examples=[8], description=(
        "threads or tasks the work can use at once"))
    scale_out: Literal["none", "horizontal", "tightly_coupled"] | None = optional(
        "how the work spreads over nodes: `none` (one node), `horizontal` (independent "
        "nodes), `tightly_coupled` (MPI-style, nodes talk constantly)", "horizontal")
    max_nodes: int | None = Field(default=None, ge=1, le=1_000_000, examples=[10], description=(
        "most nodes the work may run on"))
    hours_per_month: float | None = Field(default=None, gt=0, le=744, examples=[730],
                                          description=(
                                              "hours per month the compute runs; absent: "
                                              "always on (730 h)"))
    interruption_tolerant: bool | None = optional(
        "true when the work survives an interruption (Spot is then considered)", True)
    event_driven: bool | None = optional(
        "true when the work runs per event or request (Lambda and Fargate are considered)",
        True)
    invocations_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY,
                                                examples=[3_000_000], description=(
                                                    "function invocations per month"))
    duration_ms: float | None = Field(default=None, ge=0.001, le=MAX_RATE, examples=[120],
                                      description="duration of one invocation, milliseconds")
    memory_mb_used: float | None = Field(default=None, ge=1, le=MAX_RATE, examples=[190],
                                         description=(
                                             "memory one invocation uses, MB (sizes Lambda)"))
    measured_memory_mb: float | None = Field(
        default=None, ge=LAMBDA_MIN_MEMORY_MB, le=LAMBDA_MAX_MEMORY_MB, examples=[1024],
        description=(
            "the Lambda memory setting `duration_ms` (and `memory_mb_used`) were measured at, "
            "MB (128-10,240); absent: the duration is taken as measured at the smallest "
            "setting the rules allow"))
    # Extensions (not in CONTRACT v1; compatible additions).
    series_interval_minutes: float | None = Field(
        default=None, ge=1 / 60, le=1440, examples=[5], description=(
            "minutes between samples of `utilization_series_pct`; absent: 5 (CloudWatch's "
            "basic monitoring)"))
    cpu_headroom_pct: float | None = Field(default=None, ge=0, le=100, examples=[20],
                                           description=(
                                               "CPU headroom added to the P99.5 demand, "
                                               "percent; absent: 20 (Compute Optimizer's)"))
    memory_headroom_pct: float | None = Field(default=None, ge=0, le=100, examples=[20],
                                              description=(
                                                  "headroom added to `memory_used_gib`, "
                                                  "percent; absent: 20"))
    memory_used_gib: float | None = Field(default=None, gt=0, le=MAX_QUANTITY, examples=[6],
                                          description=(
                                              "peak memory actually used, GiB; sized with "
                                              "`memory_headroom_pct`"))
    startup_time_s: float | None = Field(default=None, ge=0, le=86_400, examples=[90],
                                         description=(
                                             "seconds a new instance needs before it serves "
                                             "(boot + warm-up), for scaling headroom"))
    job: JobProfile | None = optional(
        "a batch job: its runtime is predicted per option by the runtime model")
    measured_on: str | None = Field(
        default=None, min_length=1, max_length=40, examples=["m5.xlarge"], description=(
            "the instance type `vcpus`/utilization were measured on: its perf_index converts "
            "the demand into capacity on other types"))

    @model_validator(mode="after")
    def _measured_memory(self) -> ComputeProfile:
        # A measured setting describes a measured run: its duration, and the memory it used,
        # which Lambda's "Max Memory Used" never puts above the setting.
        m = self.measured_memory_mb
        if m is None:
            return self
        if self.duration_ms is None:
            raise ValueError("measured_memory_mb needs duration_ms (the duration measured at "
                             "that memory setting)")
        if self.memory_mb_used is not None and self.memory_mb_used > m:
            raise ValueError(f"memory_mb_used ({self.memory_mb_used:g} MB) is above "
                             f"measured_memory_mb ({m:g} MB): a function uses at most its "
                             "memory setting")
        return self

    @field_validator("gpus")
    @classmethod
    def _integral_gpus(cls, v: Range | None) -> Range | None:
        if v is not None:
            for end in (v.min, v.max):
                if end is not None and end != int(end):
                    raise ValueError("gpus must be whole numbers")
        return v
