"""Declared schemas of the catalog tables.

Every table of the snapshot is declared here once, with units in the column names, and
validated once: at build time before anything is written, and at load time before anything
is returned.  Downstream code (the recommender, the models, the app) may rely on these
columns and dtypes without checking them again.

Conventions
-----------
* ``*_usd_per_hour``, ``*_usd_per_month``, ``*_gib``, ``*_gbps``, ``*_mibps``... carry the unit.
* A missing figure is ``NaN`` / ``<NA>``, never zero: "unknown" and "none" differ.
* Every price row carries ``price_as_of`` (ISO date of the source's publication),
  ``price_source`` (a short source id listed in the manifest) and ``verify`` (True when the
  source itself marks the figure as unchecked; users must see that flag).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

# The declarations readers need without pandera live in catalog.declared (re-exported).
from catalog.declared import SCHEMA_VERSION as SCHEMA_VERSION
from catalog.declared import UNIT_SCALE as UNIT_SCALE


class _Strict(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class Ec2Schema(_Strict):
    """One row per EC2 instance type (specs only; prices live in ``ec2_prices``)."""

    instance_type: Series[str] = pa.Field(unique=True)
    family: Series[str]  # "m5", "c7i-flex", "u7i-12tb"
    size: Series[str]  # "large", "metal-24xl"
    vcpus: Series[int] = pa.Field(gt=0)
    physical_cores: Series[float] = pa.Field(nullable=True, gt=0)
    threads_per_core: Series[float] = pa.Field(nullable=True, gt=0)
    memory_gib: Series[float] = pa.Field(gt=0)
    arch: Series[str] = pa.Field(isin=["x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac"])
    processor_manufacturer: Series[str] = pa.Field(nullable=True)
    clock_ghz: Series[float] = pa.Field(nullable=True, gt=0)
    gpus: Series[float] = pa.Field(nullable=True, ge=0)  # NaN: unknown (partial-spec rows)
    gpu_model: Series[str] = pa.Field(nullable=True)
    gpu_memory_gib: Series[float] = pa.Field(nullable=True, ge=0)
    # Inferentia/Trainium/FPGA/media accelerators; NaN: unknown (partial-spec rows)
    accelerators: Series[float] = pa.Field(nullable=True, ge=0)
    burstable: Series[bool]
    baseline_pct_per_vcpu: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    cpu_credits_per_hour: Series[float] = pa.Field(nullable=True, ge=0)
    max_cpu_credits: Series[float] = pa.Field(nullable=True, ge=0)
    network_performance: Series[str] = pa.Field(nullable=True)
    network_baseline_gbps: Series[float] = pa.Field(nullable=True, ge=0)
    network_peak_gbps: Series[float] = pa.Field(nullable=True, ge=0)
    ena_support: Series[str] = pa.Field(nullable=True)  # required | supported | unsupported
    efa_supported: Series[bool]
    ena_express_supported: Series[bool]
    ebs_baseline_bandwidth_mbps: Series[float] = pa.Field(nullable=True, ge=0)  # megabits/s
    ebs_max_bandwidth_mbps: Series[float] = pa.Field(nullable=True, ge=0)
    ebs_baseline_iops: Series[float] = pa.Field(nullable=True, ge=0)
    ebs_max_iops: Series[float] = pa.Field(nullable=True, ge=0)
    ebs_baseline_throughput_mbps: Series[float] = pa.Field(nullable=True, ge=0)  # megabytes/s
    ebs_max_throughput_mbps: Series[float] = pa.Field(nullable=True, ge=0)
    instance_storage_gib: Series[float] = pa.Field(nullable=True, ge=0)
    instance_storage_disks: Series[float] = pa.Field(nullable=True, ge=0)
    instance_storage_type: Series[str] = pa.Field(nullable=True)  # ssd | hdd
    instance_storage_nvme: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    placement_group_strategies: Series[str]  # comma-separated, e.g. "cluster,partition,spread"
    current_generation: Series[bool]
    bare_metal: Series[bool]
    hypervisor: Series[str] = pa.Field(nullable=True)
    regions: Series[str]  # comma-separated region codes where the type is offered (known)
    coremark_iterations_per_s: Series[float] = pa.Field(nullable=True, gt=0)
    # Relative whole-instance compute capacity, m5.large = 1.0 (CoreMark where measured).
    perf_index: Series[float] = pa.Field(nullable=True, gt=0)
    perf_index_low: Series[float] = pa.Field(nullable=True, gt=0)  # interval when predicted
    perf_index_high: Series[float] = pa.Field(nullable=True, gt=0)
    perf_index_source: Series[str] = pa.Field(isin=["measured", "predicted", "missing"])
    # perf_index a type delivers without spending CPU credits: perf_index x
    # baseline_pct_per_vcpu / 100 for burstable types (AWS burstable baseline utilization),
    # perf_index otherwise.  Added by the build after the perf fill (catalog.merge), so the
    # readers' tables, validated before that fill, do not have it yet.
    sustained_perf_index: Series[float] | None = pa.Field(nullable=True, ge=0)
    spec_source: Series[str]

    @pa.dataframe_check
    @classmethod
    def sustained_within_perf_index(cls, df: pd.DataFrame) -> pd.Series:
        """A sustained baseline never exceeds the burst figure (baseline <= 100 %)."""
        if "sustained_perf_index" not in df:
            return pd.Series(True, index=df.index)
        sustained, perf = df["sustained_perf_index"], df["perf_index"]
        return sustained.isna() | (sustained <= perf * (1 + 1e-12))


class Ec2PriceSchema(_Strict):
    """One row per (instance type, region): Linux, shared tenancy prices."""

    instance_type: Series[str]
    region: Series[str]
    ondemand_usd_per_hour: Series[float] = pa.Field(nullable=True, gt=0)
    # Negative when the spot price exceeded on-demand (the advisor has p5.48xlarge at -62%).
    spot_savings_pct: Series[float] = pa.Field(nullable=True, le=100)
    spot_interruption_band: Series[str] = pa.Field(nullable=True)  # "<5%", "5-10%"...
    spot_usd_per_hour_est: Series[float] = pa.Field(nullable=True, gt=0)  # OD x (1 - s/100)
    reserved_1y_no_upfront_usd_per_hour: Series[float] = pa.Field(nullable=True, gt=0)
    reserved_3y_no_upfront_usd_per_hour: Series[float] = pa.Field(nullable=True, gt=0)
    # Measured spot price (DescribeSpotPriceHistory): the lowest of the latest per-AZ prices of
    # the region (details in ``ec2_spot_prices``); NaN when none was measured.
    spot_usd_per_hour: Series[float] = pa.Field(nullable=True, gt=0)
    spot_price_as_of: Series[str] = pa.Field(nullable=True)
    spot_price_source: Series[str] = pa.Field(nullable=True)
    price_as_of: Series[str]
    price_source: Series[str]
    verify: Series[bool]

    class Config:
        unique = ["instance_type", "region"]


#: Commitment offerings of ``ec2_commitments`` (Reserved Instances and Savings Plans).
COMMITMENT_OFFERINGS = (
    "reserved_standard",
    "reserved_convertible",
    "savings_plan_compute",
    "savings_plan_ec2_instance",
)
#: Payment options, as the Price List's PurchaseOption "No Upfront" etc. in snake case.
COMMITMENT_PAYMENTS = ("no_upfront", "partial_upfront", "all_upfront")


class Ec2CommitmentSchema(_Strict):
    """One row per (type, region, offering, term, payment): Linux shared RI and SP rates."""

    instance_type: Series[str]
    region: Series[str]
    offering: Series[str] = pa.Field(isin=list(COMMITMENT_OFFERINGS))
    term_years: Series[int] = pa.Field(isin=[1, 3])
    payment: Series[str] = pa.Field(isin=list(COMMITMENT_PAYMENTS))
    # Hourly rate plus the upfront fee spread over the term (365-day years).
    effective_usd_per_hour: Series[float] = pa.Field(gt=0)
    upfront_usd: Series[float] = pa.Field(nullable=True, ge=0)  # per instance; NaN: not given
    recurring_usd_per_hour: Series[float] = pa.Field(nullable=True, ge=0)  # NaN: not given
    price_as_of: Series[str]
    price_source: Series[str]
    verify: Series[bool]

    class Config:
        unique = ["instance_type", "region", "offering", "term_years", "payment"]


class Ec2SpotPriceSchema(_Strict):
    """Latest measured spot price per (type, region, availability zone), Linux/UNIX."""

    instance_type: Series[str]
    region: Series[str]
    availability_zone: Series[str]
    spot_usd_per_hour: Series[float] = pa.Field(gt=0)
    price_as_of: Series[str]  # the record's Timestamp (ISO)
    price_source: Series[str]
    verify: Series[bool]

    class Config:
        unique = ["instance_type", "availability_zone"]


class EbsSchema(_Strict):
    """One row per (EBS volume type, region): limits, burst model and prices."""

    volume_type: Series[str]  # API name: gp3, gp2, io1, io2, st1, sc1, standard
    region: Series[str]
    media: Series[str]  # SSD | HDD | Magnetic
    size_min_gib: Series[float] = pa.Field(gt=0)
    size_max_gib: Series[float] = pa.Field(gt=0)
    iops_min: Series[float] = pa.Field(nullable=True, ge=0)
    iops_max: Series[float] = pa.Field(nullable=True, gt=0)
    iops_per_gib_max: Series[float] = pa.Field(nullable=True, gt=0)
    included_iops: Series[float] = pa.Field(nullable=True, ge=0)
    throughput_max_mibps: Series[float] = pa.Field(nullable=True, gt=0)
    included_throughput_mibps: Series[float] = pa.Field(nullable=True, ge=0)
    # Most MiB/s per provisioned IOPS (gp3: 0.25, EC2 user guide); NaN where no source says.
    throughput_mibps_per_iops_max: Series[float] = pa.Field(nullable=True, gt=0)
    baseline_throughput_mibps_per_tib: Series[float] = pa.Field(nullable=True, ge=0)
    burst_throughput_mibps_per_tib: Series[float] = pa.Field(nullable=True, ge=0)
    burst_model: Series[str]
    latency_class: Series[str]  # "sub-ms" | "single-digit-ms" | "tens-of-ms"
    storage_usd_per_gb_month: Series[float] = pa.Field(gt=0)
    iops_usd_per_iops_month: Series[float] = pa.Field(nullable=True, ge=0)
    throughput_usd_per_mibps_month: Series[float] = pa.Field(nullable=True, ge=0)
    # io2 prices provisioned IOPS in tiers: iops_usd_per_iops_month up to the tier-2 start,
    # then the tier-2 rate up to the tier-3 start, then the tier-3 rate (NaN = no tier).
    iops_tier2_start: Series[float] = pa.Field(nullable=True, gt=0)
    iops_tier2_usd_per_iops_month: Series[float] = pa.Field(nullable=True, ge=0)
    iops_tier3_start: Series[float] = pa.Field(nullable=True, gt=0)
    iops_tier3_usd_per_iops_month: Series[float] = pa.Field(nullable=True, ge=0)
    price_as_of: Series[str]
    price_source: Series[str]
    verify: Series[bool]

    class Config:
        unique = ["volume_type", "region"]


class DatabaseSchema(_Strict):
    """One row per priced database node: RDS, Aurora, Redshift, ElastiCache, OpenSearch."""

    service: Series[str] = pa.Field(isin=["rds", "aurora", "redshift", "elasticache", "opensearch"])
    engine: Series[str]  # mysql, postgresql, redis, valkey, memcached, opensearch, redshift
    instance_class: Series[str]  # db.m5.large, cache.r7g.large, ra3.xlplus, r6g.large.search
    # single_az, multi_az, multi_az_readable_standbys, standard, io_optimized
    deployment: Series[str]
    region: Series[str]
    vcpus: Series[float] = pa.Field(nullable=True, gt=0)
    memory_gib: Series[float] = pa.Field(nullable=True, gt=0)
    storage_desc: Series[str] = pa.Field(nullable=True)
    ondemand_usd_per_hour: Series[float] = pa.Field(gt=0)
    reserved_1y_no_upfront_usd_per_hour: Series[float] = pa.Field(nullable=True, gt=0)
    current_generation: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    price_as_of: Series[str]
    price_source: Series[str]
    verify: Series[bool]

    class Config:
        unique = ["service", "engine", "instance_class", "deployment", "region"]


class UnitPriceSchema(_Strict):
    """Usage-priced items, one row per (item, region, tier).

    ``item`` is a stable dotted id (``lambda.request``, ``dynamodb.on_demand.read_request_unit``,
    ``s3.standard.storage``, ``datatransfer.internet_out``...); the recommender looks items up by
    it.  Tiered prices have ``tier_start``/``tier_end`` in the unit's quantity (``NaN`` = open).
    """

    service: Series[str]
    item: Series[str]
    region: Series[str]
    unit: Series[str] = pa.Field(isin=list(UNIT_SCALE))  # declared units only
    price_usd: Series[float] = pa.Field(ge=0)  # 0 is a real price for free tiers
    tier_start: Series[float] = pa.Field(nullable=True, ge=0)
    tier_end: Series[float] = pa.Field(nullable=True, gt=0)
    to_region: Series[str] = pa.Field(nullable=True)  # inter-region transfer destination
    price_as_of: Series[str]
    price_source: Series[str]
    verify: Series[bool]
    notes: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["item", "region", "tier_start", "to_region"]


class FactSchema(_Strict):
    """Service facts and options as rows: Lambda/Fargate limits, network options..."""

    topic: Series[str]  # lambda, fargate, network_option, burstable...
    key: Series[str]
    value: Series[str] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(nullable=True)
    scope: Series[str] = pa.Field(nullable=True)  # architecture/platform/region the fact is for
    source_url: Series[str] = pa.Field(nullable=True)
    verify: Series[bool]
    notes: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["topic", "key", "scope"]


class RegionSchema(_Strict):
    """AWS regions with their location (SpareCores, CC BY-SA 4.0)."""

    region: Series[str] = pa.Field(unique=True)
    display_name: Series[str] = pa.Field(nullable=True)
    city: Series[str] = pa.Field(nullable=True)
    country: Series[str] = pa.Field(nullable=True)
    # NaN for a region the APIs list but no location record places (live builds).
    lat: Series[float] = pa.Field(nullable=True, ge=-90, le=90)
    lon: Series[float] = pa.Field(nullable=True, ge=-180, le=180)
    priced_ec2: Series[bool]  # on-demand EC2 prices are in the catalog for this region
    # The ``latency`` table has a measured RTT from or to this region; False says "no figure".
    latency_measured: Series[bool]


class LatencySchema(_Strict):
    """Measured inter-region round-trip time (cloudping p50 over one year)."""

    from_region: Series[str]
    to_region: Series[str]
    rtt_ms_p50: Series[float] = pa.Field(gt=0)

    class Config:
        unique = ["from_region", "to_region"]


#: Table name -> schema.  The snapshot holds exactly these tables.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "ec2": Ec2Schema,
    "ec2_prices": Ec2PriceSchema,
    "ebs": EbsSchema,
    "database": DatabaseSchema,
    "unit_prices": UnitPriceSchema,
    "facts": FactSchema,
    "regions": RegionSchema,
    "latency": LatencySchema,
    "ec2_commitments": Ec2CommitmentSchema,
    "ec2_spot_prices": Ec2SpotPriceSchema,
}


def validate_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate ``df`` against the schema of table ``name`` and return the coerced frame.

    Raises
    ------
    catalog.errors.CatalogSchemaError
        Naming the table, the column and the failed check.
    """
    from catalog.errors import CatalogSchemaError

    if name not in TABLES:
        raise CatalogSchemaError(f"unknown catalog table {name!r}; known: {sorted(TABLES)}")
    try:
        return TABLES[name].validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        detail = cases.head(10).to_string() if cases is not None else str(exc)
        raise CatalogSchemaError(f"catalog table {name!r} fails its schema:\n{detail}") from exc
