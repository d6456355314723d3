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
from recommender.core.predictions import (
    COMPLETED_RUN_SCHEMA,
    INPUT_GIB_RANGE,
    MIN_RUNTIME_S,
    REGION_REGEX,
    RuntimeMeasurement,
    RuntimeRequest,
)

SCHEMA_VERSION: Final = "1"

#: AWS region code (see ``predictions.REGION_REGEX``); match with ``fullmatch``.
REGION_PATTERN = re.compile(REGION_REGEX, re.ASCII)
#: A profile's ``region``: a region code or ``auto``.
REGION_OR_AUTO_REGEX: Final = r"^(auto|" + REGION_REGEX[1:-1] + r")$"

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
    """A closed interval in the unit of the field that holds it; either end may be absent.

    ``min`` must not exceed ``max`` (checked by the server: JSON Schema cannot compare two
    fields).
    """

    model_config = _CONFIG

    min: float | None = Field(default=None, ge=0, le=MAX_QUANTITY, examples=[2], description=(
        "lower bound, inclusive, in the unit of the field (e.g. vCPUs); null: unbounded"))
    max: float | None = Field(default=None, ge=0, le=MAX_QUANTITY, examples=[8], description=(
        "upper bound, inclusive, at least `min`; null: unbounded"))

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


def _doc(text: str, *examples: Any) -> Any:
    """A field of default ``None`` (absent: unknown, no constraint) with its description."""
    return Field(default=None, description=text, examples=list(examples) or None)


class CpuUtilization(BaseModel):
    """Summary statistics of CPU utilization, percent of the measured capacity.

    Must satisfy ``average_pct <= p95_pct <= peak_pct`` (checked by the server: JSON Schema
    cannot compare fields).
    """

    model_config = _CONFIG

    average_pct: Pct | None = _doc("mean CPU utilization over the period, percent (0-100)", 25)
    p95_pct: Pct | None = _doc("95th percentile of CPU utilization, percent (0-100)", 60)
    peak_pct: Pct | None = _doc("highest CPU utilization seen, percent (0-100)", 85)

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

    model_config = ConfigDict(**_CONFIG, json_schema_extra={"anyOf": [
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


class ComputeProfile(BaseModel):
    """Compute needs.  When utilization is given, ``vcpus`` is the capacity it was measured on."""

    model_config = _CONFIG

    vcpus: RangeField | None = _doc(
        "vCPUs needed (a number is the minimum), or the capacity utilization was measured on",
        4, {"min": 2, "max": 8})
    memory_gib: RangeField | None = _doc("memory needed, GiB (a number is the minimum)", 16)
    arch: Literal["x86_64", "arm64", "any"] | None = _doc(
        "CPU architecture the software runs on; absent or `any`: either", "arm64")
    gpus: RangeField | None = _doc(
        "GPUs needed, whole numbers (a number is the minimum; whole numbers are checked by "
        "the server)", 1)
    cpu_utilization: CpuUtilization | None = _doc(
        "measured CPU utilization of the current `vcpus` (summary statistics)")
    utilization_series_pct: list[Pct] | None = Field(
        default=None, min_length=1, max_length=MAX_SERIES, examples=[[12.5, 40.0, 85.0]],
        description=("CPU utilization samples, percent (0-100), one per "
                     "`series_interval_minutes`; sizes on the P99.5 demand"))
    parallelism: int | None = Field(default=None, ge=1, le=10_000_000, examples=[8], description=(
        "threads or tasks the work can use at once"))
    scale_out: Literal["none", "horizontal", "tightly_coupled"] | None = _doc(
        "how the work spreads over nodes: `none` (one node), `horizontal` (independent "
        "nodes), `tightly_coupled` (MPI-style, nodes talk constantly)", "horizontal")
    max_nodes: int | None = Field(default=None, ge=1, le=1_000_000, examples=[10], description=(
        "most nodes the work may run on"))
    hours_per_month: float | None = Field(default=None, gt=0, le=744, examples=[730],
                                          description=(
                                              "hours per month the compute runs; absent: "
                                              "always on (730 h)"))
    interruption_tolerant: bool | None = _doc(
        "true when the work survives an interruption (Spot is then considered)", True)
    event_driven: bool | None = _doc(
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
    job: JobProfile | None = _doc(
        "a batch job: its runtime is predicted per option by the runtime model")
    measured_on: str | None = Field(
        default=None, min_length=1, max_length=40, examples=["m5.xlarge"], description=(
            "the instance type `vcpus`/utilization were measured on: its perf_index converts "
            "the demand into capacity on other types"))

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

    size_gib: RangeField | None = _doc("capacity needed, GiB (a number is the minimum)", 500)
    iops: RangeField | None = _doc("I/O operations per second needed (a number is the minimum)",
                                   3000)
    throughput_mibps: RangeField | None = _doc(
        "throughput needed, MiB/s (a number is the minimum)", 250)
    access_pattern: Literal["random", "sequential", "mixed"] | None = _doc(
        "how the data is read and written", "random")
    read_fraction: Fraction | None = _doc("share of the I/O that is reads, 0-1", 0.7)
    io_size_kib: float | None = Field(default=None, gt=0, le=16384, examples=[16], description=(
        "size of one I/O operation, KiB (EBS counts IOPS in 16 KiB or 256 KiB units)"))
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[1], description=(
        "highest acceptable I/O latency, milliseconds"))
    sharing: Literal["single_instance", "multi_instance", "web"] | None = _doc(
        "who reads the data: one instance (block), many instances (file system) or the web "
        "(object storage)", "single_instance")
    persistence: Literal["persistent", "scratch"] | None = _doc(
        "`scratch`: the data may be lost with the instance (instance store is considered)",
        "persistent")
    access_frequency: Literal["hot", "warm", "cold", "archive"] | None = _doc(
        "how often the data is read (chooses the S3/EFS storage class)", "warm")
    object_lifetime_days: float | None = Field(
        default=None, gt=0, le=MAX_RATE, examples=[365], description=(
            "days an object lives before it is deleted or overwritten; S3 classes whose "
            "minimum storage duration is longer are not chosen"))
    throughput_hours_per_month: float | None = Field(
        default=None, gt=0, le=744, examples=[200], description=(
            "hours per month the file system moves data at `throughput_mibps` (EFS Elastic "
            "Throughput bills per GB moved); absent: the whole month (730 h)"))


class DatabaseProfile(BaseModel):
    """Data store needs."""

    model_config = _CONFIG

    data_model: (
        Literal["relational", "key_value", "document", "analytics", "search", "cache"] | None
    ) = _doc("the kind of data store the workload needs", "relational")
    size_gib: RangeField | None = _doc("data size, GiB (a number is the minimum)", 200)
    reads_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE, examples=[2000],
                                      description="reads (queries, gets) per second at peak")
    writes_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE, examples=[200],
                                       description="writes per second at peak")
    item_size_kib: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[2],
                                        description=(
                                            "size of one item or row, KiB (DynamoDB capacity "
                                            "units count 1 KiB writes, 4 KiB reads)"))
    consistency: Literal["strong", "eventual"] | None = _doc(
        "read consistency the application needs", "strong")
    query_pattern: Literal["key_lookup", "joins", "aggregations", "full_text"] | None = _doc(
        "the dominant kind of query", "joins")
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[10],
                                     description="highest acceptable query latency, ms")
    cacheable_read_fraction: Fraction | None = _doc(
        "share of reads a cache could answer, 0-1 (a cache in front is suggested above 0.5)",
        0.6)
    engine: str | None = Field(default=None, min_length=1, max_length=40,
                               examples=["postgresql"], description=(
                                   "preferred engine, e.g. postgresql, mysql, valkey"))
    working_set_fraction: float | None = Field(
        default=None, gt=0, le=1, examples=[0.25], description=(
            "share of the data that is hot and should fit in memory, 0-1; absent: 0.25"))
    availability: Literal["single_az", "multi_az"] | None = _doc(
        "`multi_az` asks for a standby in another Availability Zone (RDS Multi-AZ...)",
        "multi_az")


#: ``network.user_regions`` in the JSON Schema: region-code keys, at least one, shares 0-1.
_USER_REGIONS_SCHEMA: dict[str, Any] = {
    "propertyNames": {"pattern": REGION_REGEX}, "minProperties": 1,
}


class NetworkProfile(BaseModel):
    """Where the users are and how data moves."""

    model_config = _CONFIG

    user_regions: dict[str, Fraction] | None = Field(
        default=None, json_schema_extra=_USER_REGIONS_SCHEMA,
        examples=[{"us-east-1": 0.6, "eu-west-1": 0.4}], description=(
            "AWS region code -> share of the users there, 0-1; at least one region; the "
            f"shares must sum to 1 (within {SHARE_TOLERANCE}), which the server checks "
            "(JSON Schema cannot express a sum)"))
    egress_gib_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY,
                                               examples=[2000], description=(
                                                   "data sent to the internet, GiB per month"))
    static_content_fraction: Fraction | None = _doc(
        "share of the egress that is static content a CDN can cache, 0-1", 0.8)
    inter_node_latency_sensitive: bool | None = _doc(
        "true when nodes exchange data constantly (cluster placement group, EFA)", True)
    bandwidth_gbps: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[25],
                                         description="network bandwidth per node, Gbps")
    on_premises_link: bool | None = _doc(
        "true when the workload talks to an on-premises site (VPN / Direct Connect)", False)
    s3_traffic_gib_per_month: float | None = Field(
        default=None, ge=0, le=MAX_QUANTITY, examples=[5000], description=(
            "data between the workload and S3, GiB per month (drives the VPC endpoint "
            "advice)"))

    @field_validator("user_regions")
    @classmethod
    def _shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("must name at least one region")
        bad = [r for r in v if not REGION_PATTERN.fullmatch(r)]
        if bad:
            raise ValueError(f"keys must be AWS region codes (e.g. eu-west-1); not: {bad}")
        total = sum(v.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares must sum to 1 (got {total:.4g})")
        return v


PurchaseOption = Literal["on_demand", "spot", "savings_plan", "reserved"]


class WorkloadProfile(BaseModel):
    """A workload profile, schema version "1" (CONTRACT section 1).

    Every field is optional: an absent field means unknown / no constraint, never zero.
    """

    model_config = _CONFIG

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description=(
        "version of this profile schema; always \"1\""))
    name: str | None = Field(default=None, max_length=200, examples=["checkout service"],
                             description="a label for the workload, echoed in the response")
    region: str | None = Field(default=None, max_length=40, pattern=REGION_OR_AUTO_REGEX,
                               examples=["us-east-1", "auto"], description=(
                                   "AWS region code the options are priced in, or `auto` "
                                   "(also when absent) to let the recommender choose on price "
                                   "and the users' latency. A code the catalog has no prices "
                                   "for is refused (checked by the server)"))
    objective: Literal["cost", "performance", "balanced"] | None = _doc(
        "what to rank by among the options that meet every constraint; absent: balanced",
        "cost")
    purchase_options: list[PurchaseOption] | None = Field(
        default=None, min_length=1, json_schema_extra={"uniqueItems": True},
        examples=[["on_demand", "spot"]], description=(
            "purchase options to consider, each at most once; absent: on_demand (and spot "
            "when compute.interruption_tolerant)"))
    top_n: int | None = Field(default=None, ge=1, le=50, examples=[5], description=(
        "options per category; absent: 3"))
    max_monthly_usd: float | None = Field(default=None, gt=0, le=MAX_QUANTITY, examples=[500],
                                          description=(
                                              "monthly budget, USD; `performance` ranks within "
                                              "it and options over it are rejected"))
    purchase_term_years: Literal[1, 3] | None = _doc(
        "Reserved Instance / Savings Plans term, years; absent: 1", 1)
    purchase_payment: Literal["no_upfront", "partial_upfront", "all_upfront"] | None = _doc(
        "Reserved Instance / Savings Plans payment option; absent: no_upfront", "no_upfront")
    explain: list[str] | None = Field(default=None, max_length=20, examples=[["t3.medium"]],
                                      description=(
                                          "option ids to explain (\"why not t3.medium?\"), "
                                          "answered in the response's `why_not`"))
    environment: Literal["production", "staging", "development", "test"] | None = _doc(
        "`production` asks for AWS's availability best practices (Multi-AZ databases, "
        "OpenSearch across three AZs)", "production")
    compute: ComputeProfile | None = _doc("compute needs (EC2, Fargate, Lambda, batch jobs)")
    storage: StorageProfile | None = _doc("block, file or object storage needs")
    database: DatabaseProfile | None = _doc("data store needs")
    network: NetworkProfile | None = _doc("where the users are and how data moves")

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
