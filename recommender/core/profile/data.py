"""The storage and database sections: what the data needs (CONTRACT 1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from recommender.core.profile.fields import (
    MAX_RATE,
    PROFILE_CONFIG,
    Fraction,
    RangeField,
    optional,
)


class StorageProfile(BaseModel):
    """Block, file or object storage needs."""

    model_config = PROFILE_CONFIG

    size_gib: RangeField | None = optional("capacity needed, GiB (a number is the minimum)", 500)
    iops: RangeField | None = optional("I/O operations per second needed (a number is the minimum)",
                                   3000)
    throughput_mibps: RangeField | None = optional(
        "throughput needed, MiB/s (a number is the minimum)", 250)
    access_pattern: Literal["random", "sequential", "mixed"] | None = optional(
        "how the data is read and written", "random")
    read_fraction: Fraction | None = optional("share of the I/O that is reads, 0-1", 0.7)
    io_size_kib: float | None = Field(default=None, gt=0, le=16384, examples=[16], description=(
        "size of one I/O operation, KiB (EBS counts IOPS in 16 KiB or 256 KiB units)"))
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[1], description=(
        "highest acceptable I/O latency, milliseconds"))
    sharing: Literal["single_instance", "multi_instance", "web"] | None = optional(
        "who reads the data: one instance (block), many instances (file system) or the web "
        "(object storage)", "single_instance")
    persistence: Literal["persistent", "scratch"] | None = optional(
        "`scratch`: the data may be lost with the instance (instance store is considered)",
        "persistent")
    access_frequency: Literal["hot", "warm", "cold", "archive"] | None = optional(
        "how often the data is read (chooses the S3/EFS storage class)", "warm")
    object_lifetime_days: float | None = Field(
        default=None, gt=0, le=MAX_RATE, examples=[365], description=(
            "days an object lives before it is deleted or overwritten; S3 classes whose "
            "minimum storage duration is longer are not chosen"))
    throughput_hours_per_month: float | None = Field(
        default=None, gt=0, le=744, examples=[200], description=(
            "hours per month the file system moves data at `throughput_mibps` (EFS Elastic "
            "Throughput bills per GB moved); absent: the whole month (730 h)"))
    peak_minutes_per_day: float | None = Field(
        default=None, gt=0, le=1440, examples=[20], description=(
            "minutes a day the storage load runs above its baseline (its peak); 30 or less "
            "lets an EBS-optimized instance carry it at its maximum EBS performance, which "
            "AWS guarantees 30 minutes at least once every 24 hours (risk 2); absent: the "
            "load is sustained and must fit the instance's baseline"))


#: RDS API engine names (CreateDBInstance ``Engine``: "postgres", "aurora-postgresql",
#: "aurora-mysql"; https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html)
#: that name an engine the profile calls by its Price List name (``postgresql``, ``mysql``).
#: Aurora's editions map to their engine: RDS and Aurora are both sized and ranked for it.
ENGINE_ALIASES = {"postgres": "postgresql", "aurora-postgresql": "postgresql",
                  "aurora-mysql": "mysql"}


def canonical_engine(name: str) -> str:
    """The profile's name of an engine: lower case, trimmed, RDS API names mapped.

    "Postgres" was looked up as an engine the catalog does not have (every RDS and Aurora
    option then unpriced, "No rds:postgres node classes in the catalog"), although it is
    RDS's own name for PostgreSQL (:data:`ENGINE_ALIASES`).
    """
    e = name.strip().lower()
    return ENGINE_ALIASES.get(e, e)


class DatabaseProfile(BaseModel):
    """Data store needs."""

    model_config = PROFILE_CONFIG

    data_model: (
        Literal["relational", "key_value", "document", "analytics", "search", "cache"] | None
    ) = optional("the kind of data store the workload needs", "relational")
    size_gib: RangeField | None = optional("data size, GiB (a number is the minimum)", 200)
    reads_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE, examples=[2000],
                                      description="reads (queries, gets) per second at peak")
    writes_per_s: float | None = Field(default=None, ge=0, le=MAX_RATE, examples=[200],
                                       description="writes per second at peak")
    item_size_kib: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[2],
                                        description=(
                                            "size of one item or row, KiB (DynamoDB capacity "
                                            "units count 1 KiB writes, 4 KiB reads)"))
    consistency: Literal["strong", "eventual"] | None = optional(
        "read consistency the application needs", "strong")
    query_pattern: Literal["key_lookup", "joins", "aggregations", "full_text"] | None = optional(
        "the dominant kind of query", "joins")
    latency_ms: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[10],
                                     description="highest acceptable query latency, ms")
    cacheable_read_fraction: Fraction | None = optional(
        "share of reads a cache could answer, 0-1 (a cache in front is suggested above 0.5)",
        0.6)
    engine: str | None = Field(default=None, min_length=1, max_length=40,
                               examples=["postgresql"], description=(
                                   "preferred engine, e.g. postgresql, mysql, valkey; "
                                   "case is ignored and RDS API names are accepted "
                                   "(postgres, aurora-postgresql -> postgresql; "
                                   "aurora-mysql -> mysql)"))
    working_set_fraction: float | None = Field(
        default=None, gt=0, le=1, examples=[0.25], description=(
            "share of the data that is hot and should fit in memory, 0-1; absent: 0.25"))
    availability: Literal["single_az", "multi_az"] | None = optional(
        "`multi_az` asks for a standby in another Availability Zone (RDS Multi-AZ...)",
        "multi_az")
    cluster_mode: Literal["enabled", "disabled"] | None = optional(
        "Valkey/Redis OSS cache: `enabled` when the client supports cluster mode (the "
        "Cluster protocol through the configuration endpoint, multi-key commands within one "
        "hash slot, database 0 only), so a cheaper sharded cluster carries no risk; "
        "`disabled` keeps the cache on one shard; absent: a sharded cluster is offered at "
        "performance risk 1", "enabled")

    @field_validator("engine")
    @classmethod
    def _engine(cls, v: str | None) -> str | None:
        if v is None:
            return v
        e = canonical_engine(v)
        if not e:
            raise ValueError("must name an engine (e.g. postgresql), not only spaces")
        return e
