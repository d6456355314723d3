"""The workload profile: what an architect knows about a workload (CONTRACT section 1).

Every section and field is optional and an absent field means *unknown / no constraint*,
never zero, so every field defaults to ``None``.  Ranges accept a number (a minimum) or
``{"min": .., "max": ..}`` and are always stored as :class:`Range`.

The models are strict (a string where a number belongs is refused, not coerced), frozen
(a profile is a value) and forbid unknown keys (a typo is refused rather than silently
ignored).  :func:`parse_profile` turns pydantic's errors into a :class:`ProfileError` whose
message names each field and the rule it breaks; :func:`profile_errors` gives the same as
data (``[{"field": "compute.vcpus.min", "rule": "..."}]``) for the API and the app.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from recommender.core.errors import ProfileError
from recommender.core.predictions import RuntimeMeasurement, RuntimeRequest

SCHEMA_VERSION: Final = "1"

#: AWS region code, e.g. ``us-east-1``, ``ap-southeast-5``, ``us-gov-west-1``.
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")

#: Tolerance on ``network.user_regions`` shares summing to 1 (rounded shares are common).
SHARE_TOLERANCE = 0.01
#: Sanity ceilings: far beyond any real workload, low enough that the arithmetic over a month
#: (rates x 2.6 million seconds, sizes x prices) stays finite.  A larger number is refused
#: with the rule named rather than overflowing.
MAX_QUANTITY = 1e12
MAX_RATE = 1e9
#: Longest utilization series accepted (a year of one-minute samples).
MAX_SERIES = 527_040

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Range(BaseModel):
    """A closed interval; either end may be absent (unbounded)."""

    model_config = _CONFIG

    min: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    max: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range (absent ends do not constrain)."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


def _number_is_minimum(value: Any) -> Any:
    # The contract lets a bare number mean "at least this much".
    if isinstance(value, bool):
        return value  # refused by Range: True is not a quantity
    if isinstance(value, int | float):
        # A bare number is the minimum: refuse it at the field the user wrote, not at ".min".
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        if value < 0:
            raise ValueError("must be at least 0")
        return {"min": value}
    if not isinstance(value, dict | Range):
        # Name both accepted forms instead of pydantic's "a valid dictionary" message.
        raise ValueError(
            f"must be a number (the minimum) or {{'min': .., 'max': ..}}; got {value!r}"
        )
    return value


#: A range field: a number (minimum) or ``{"min", "max"}``.
RangeField = Annotated[
    Range,
    BeforeValidator(
        _number_is_minimum, json_schema_input_type=Annotated[float, Field(ge=0)] | Range
    ),
]

Pct = Annotated[float, Field(ge=0, le=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class CpuUtilization(BaseModel):
    """Summary statistics of CPU utilization, percent of the measured capacity."""

    model_config = _CONFIG

    average_pct: Pct | None = None
    p95_pct: Pct | None = None
    peak_pct: Pct | None = None

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

    model_config = _CONFIG

    #: The model's rule (> 0) plus the profile's sanity ceiling, so monthly sums stay finite.
    runtime_s: float = Field(gt=0, le=MAX_RATE)


class JobProfile(BaseModel):
    """A batch job whose runtime the runtime model predicts (extension of CONTRACT v1).

    ``framework``, ``application`` and ``input_gib`` are the model's free job features;
    ``measurements`` are 0-3 measured runs; ``deadline_s`` bounds one run's runtime;
    ``runs_per_month`` turns the predicted runtime into the hours billed each month.
    """

    model_config = _CONFIG

    framework: str | None = Field(default=None, min_length=1, max_length=100)
    application: str | None = Field(default=None, min_length=1, max_length=100)
    input_gib: float | None = Field(default=None, gt=0, le=MAX_QUANTITY)
    measurements: list[JobMeasurement] | None = Field(default=None,
                                                      max_length=MAX_JOB_MEASUREMENTS)
    deadline_s: float | None = Field(default=None, gt=0, le=MAX_RATE)
    runs_per_month: float | None = Field(default=None, gt=0, le=MAX_RATE)

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


class ComputeProfile(BaseModel):
    """Compute needs.  When utilization is given, ``vcpus`` is the capacity it was measured on."""

    model_config = _CONFIG

    vcpus: RangeField | None = None
    memory_gib: RangeField | None = None
    arch: Literal["x86_64", "arm64", "any"] | None = None
    gpus: RangeField | None = None
    cpu_utilization: CpuUtilization | None = None
    utilization_series_pct: list[Pct] | None = Field(default=None, min_length=1,
                                                     max_length=MAX_SERIES)
    parallelism: int | None = Field(default=None, ge=1, le=10_000_000)
    scale_out: Literal["none", "horizontal", "tightly_coupled"] | None = None
    max_nodes: int | None = Field(default=None, ge=1, le=1_000_000)
    hours_per_month: float | None = Field(default=None, gt=0, le=744)
    interruption_tolerant: bool | None = None
    event_driven: bool | None = None
    invocations_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    duration_ms: float | None = Field(default=None, ge=0.001, le=MAX_RATE)
    memory_mb_used: float | None = Field(default=None, ge=1, le=MAX_RATE)
    # Extensions (not in CONTRACT v1; compatible additions).
    #: Minutes between samples of ``utilization_series_pct`` (CloudWatch's 5 by default).
    series_interval_minutes: float | None = Field(default=None, ge=1 / 60, le=1440)
    #: Compute Optimizer's CPU headroom, percent added to P99.5 demand (default 20).
    cpu_headroom_pct: float | None = Field(default=None, ge=0, le=100)
    #: Memory headroom, percent added to ``memory_used_gib`` (default 20).
    memory_headroom_pct: float | None = Field(default=None, ge=0, le=100)
    #: Peak memory actually used (GiB); sized with ``memory_headroom_pct``.
    memory_used_gib: float | None = Field(default=None, gt=0, le=MAX_QUANTITY)
    #: Seconds a new instance needs before it serves (boot + warm-up), for scaling headroom.
    startup_time_s: float | None = Field(default=None, ge=0, le=86_400)
    #: A batch job: runtime predicted per option by the runtime model (see JobProfile).
    job: JobProfile | None = None
    #: The instance type ``vcpus`` / utilization were measured on: its perf_index converts
    #: the demand into capacity on other types (fewer vCPUs on a faster generation).
    measured_on: str | None = Field(default=None, min_length=1, max_length=40)

    @field_validator("gpus")
    @classmethod
    def _integral_gpus(cls, v: Range | None) -> Range | None:
        if v is not None:
            for end in (v.min, v.max):
                if end is not None and end != int(end):
                    raise ValueError("gpus must be whole numbers")
        return v


class StorageProfile(BaseModel):
    """Block, file or object storage needs."""

    model_config = _CONFIG

    size_gib: RangeField | None = None
    iops: RangeField | None = None
    throughput_mibps: RangeField | None = None
    access_pattern: Literal["random", "sequential", "mixed"] | None = None
    read_fraction: Fraction | None = None
    io_size_kib: float | None = Field(default=None, gt=0, le=16384)
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE)
    sharing: Literal["single_instance", "multi_instance", "web"] | None = None
    persistence: Literal["persistent", "scratch"] | None = None
    access_frequency: Literal["hot", "warm", "cold", "archive"] | None = None
    #: How long an object lives before it is deleted or overwritten (days).  S3 bills a
    #: storage class's minimum duration for shorter-lived objects, so it bounds the class.
    object_lifetime_days: float | None = Field(default=None, gt=0, le=MAX_RATE)
    #: Hours per month the file system reads/writes at ``throughput_mibps`` (EFS Elastic
    #: Throughput is billed per GB transferred); absent: the whole month (730 h).
    throughput_hours_per_month: float | None = Field(default=None, gt=0, le=744)


class DatabaseProfile(BaseModel):
    """Data store needs."""

    model_config = _CONFIG

    data_model: (
        Literal["relational", "key_value", "document", "analytics", "search", "cache"] | None
    ) = None
    size_gib: RangeField | None = None
    reads_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE)
    writes_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE)
    item_size_kib: float | None = Field(default=None, gt=0, le=MAX_RATE)
    consistency: Literal["strong", "eventual"] | None = None
    query_pattern: Literal["key_lookup", "joins", "aggregations", "full_text"] | None = None
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE)
    cacheable_read_fraction: Fraction | None = None
    # Extension: preferred engine for relational/cache families (e.g. postgresql, mysql, valkey).
    engine: str | None = Field(default=None, min_length=1, max_length=40)
    #: Share of the data that is hot and should fit in memory (relational sizing; default
    #: 0.25 when absent).
    working_set_fraction: float | None = Field(default=None, gt=0, le=1)
    #: ``multi_az`` asks for a standby in another Availability Zone (RDS Multi-AZ, ...).
    availability: Literal["single_az", "multi_az"] | None = None


class NetworkProfile(BaseModel):
    """Where the users are and how data moves."""

    model_config = _CONFIG

    user_regions: dict[str, Fraction] | None = None
    egress_gib_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    static_content_fraction: Fraction | None = None
    inter_node_latency_sensitive: bool | None = None
    bandwidth_gbps: float | None = Field(default=None, gt=0, le=MAX_RATE)
    on_premises_link: bool | None = None
    # Extension: GiB/month between the workload and S3 (drives the VPC endpoint advice).
    s3_traffic_gib_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)

    @field_validator("user_regions")
    @classmethod
    def _shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("must name at least one region")
        bad = [r for r in v if not REGION_PATTERN.match(r)]
        if bad:
            raise ValueError(f"keys must be AWS region codes (e.g. eu-west-1); not: {bad}")
        total = sum(v.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares must sum to 1 (got {total:.4g})")
        return v


PurchaseOption = Literal["on_demand", "spot", "savings_plan", "reserved"]


class WorkloadProfile(BaseModel):
    """A workload profile, schema version "1" (CONTRACT section 1)."""

    model_config = _CONFIG

    schema_version: Literal["1"] = SCHEMA_VERSION
    name: str | None = Field(default=None, max_length=200)
    region: str | None = None
    objective: Literal["cost", "performance", "balanced"] | None = None
    purchase_options: list[PurchaseOption] | None = Field(default=None, min_length=1)
    top_n: int | None = Field(default=None, ge=1, le=50)
    #: ``performance`` ranks within this monthly budget (USD); over it an option is rejected.
    max_monthly_usd: float | None = Field(default=None, gt=0, le=MAX_QUANTITY)
    #: Reserved / Savings Plans term (years) and payment option; default 1 year, no upfront.
    purchase_term_years: Literal[1, 3] | None = None
    purchase_payment: Literal["no_upfront", "partial_upfront", "all_upfront"] | None = None
    #: Option ids to explain ("why not t3.medium?"): answered in ``response.why_not``.
    explain: list[str] | None = Field(default=None, max_length=20)
    #: ``production`` asks for AWS's availability best practices (Multi-AZ databases,
    #: OpenSearch across three AZs).
    environment: Literal["production", "staging", "development", "test"] | None = None
    compute: ComputeProfile | None = None
    storage: StorageProfile | None = None
    database: DatabaseProfile | None = None
    network: NetworkProfile | None = None

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None and v != "auto" and not REGION_PATTERN.match(v):
            raise ValueError(f"must be an AWS region code (e.g. us-east-1) or 'auto'; got {v!r}")
        return v

    @field_validator("purchase_options")
    @classmethod
    def _unique_options(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("must not repeat an option")
        return v

    def to_json_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready data, without absent fields."""
        return self.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------------------- errors


def profile_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Readable ``[{"field": "compute.vcpus.min", "rule": "..."}]`` from a ValidationError."""
    return field_errors(exc.errors(include_url=False))


def field_errors(
    errors: Iterable[Mapping[str, Any]], root: str = "(profile)", schema: str = "profile schema"
) -> list[dict[str, str]]:
    """Readable ``{"field", "rule"}`` pairs from pydantic error dicts (also the API's 422s).

    Parameters
    ----------
    errors : iterable of dict
        Pydantic's ``ValidationError.errors()`` (or FastAPI's request validation errors).
    root : str
        The field name of an error on the whole document.
    schema : str
        What an unknown field is "not in".

    Returns
    -------
    list of dict
    """
    from recommender.core.messages import sentences

    return sentences(errors, root=root, schema=schema)


def _error_text(errors: list[dict[str, str]]) -> str:
    lines = [f"{e['field']}: {e['rule']}" for e in errors]
    return "invalid workload profile:\n  " + "\n  ".join(lines)


def make_profile_error(errors: list[dict[str, str]]) -> ProfileError:
    """A :class:`ProfileError` whose text lists each field and rule; ``.errors`` holds them."""
    err = ProfileError(_error_text(errors))
    err.errors = errors  # type: ignore[attr-defined]
    return err


def parse_profile(data: Any) -> WorkloadProfile:
    """Validate a profile given as a dict, JSON text/bytes or a :class:`WorkloadProfile`.

    Raises
    ------
    ProfileError
        Naming each field and the rule it breaks (``.errors`` has them as data).
    """
    if isinstance(data, WorkloadProfile):
        return data
    try:
        if isinstance(data, str | bytes | bytearray):
            return WorkloadProfile.model_validate_json(data)
        if not isinstance(data, dict):
            raise make_profile_error(
                [{"field": "(profile)", "rule": "must be a JSON object (a mapping of sections)"}]
            )
        return WorkloadProfile.model_validate(data)
    except ValidationError as exc:
        raise make_profile_error(profile_errors(exc)) from None
    except json.JSONDecodeError as exc:  # pragma: no cover - pydantic reports JSON itself
        raise make_profile_error([{"field": "(profile)", "rule": f"not JSON: {exc}"}]) from None
