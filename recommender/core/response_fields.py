"""The documented keys of an option's ``predicted`` and ``config`` (CONTRACT section 2).

An option's ``predicted`` (figures the rules and models predict) and ``config`` (how to set
the option up) are plain dicts in Python, so every rule can add what its option needs; the
published JSON Schema describes them as typed objects through these models, so a client
generator and a reader of ``/docs`` see each key's meaning and unit.  Every key is optional
(an option carries the ones that apply to its kind) and more keys may appear
(``additionalProperties``).  ``tests/surfaces/test_api_schema.py`` checks that every key the
presets' responses carry is listed here, with the type listed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GetJsonSchemaHandler, JsonSchemaValue
from pydantic_core import CoreSchema

#: Built on first use (``defer_build``): only the JSON Schema (``/docs``, ``/openapi.json``,
#: ``export-schema``) needs these models, so a process that answers requests does not build
#: them at import.
_OPEN = ConfigDict(extra="allow", defer_build=True)
Num = float | None


def _f(text: str) -> Any:
    return Field(default=None, description=text)


class DocumentedAs:
    """``Annotated[dict[str, Any], DocumentedAs(Model)]``: validated as a dict, published
    with ``Model``'s JSON Schema (typed, described keys)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if not self.model.__pydantic_complete__:  # deferred (see _OPEN): build it now
            self.model.model_rebuild()
        return handler(self.model.__pydantic_core_schema__)


class OptionPredicted(BaseModel):
    """Predicted figures of an option; which keys appear depends on its kind."""

    model_config = _OPEN

    perf_index: Num = _f("EC2: the type's relative compute capacity (the catalog's perf_index; "
                         "higher is faster)")
    perf_index_low: Num = _f("EC2: low end of the perf_index interval (predicted types)")
    perf_index_high: Num = _f("EC2: high end of the perf_index interval (predicted types)")
    perf_index_source: str | None = _f("EC2: 'measured' (a benchmark) or 'predicted' (the model)")
    capacity: Num = _f("EC2: delivered compute capacity, perf_index units (sustained "
                       "perf_index per vCPU x the vCPUs the work can use, all nodes)")
    cpu_utilization_p995_pct: Num = _f("EC2: projected P99.5 CPU utilization on this option, %")
    memory_utilization_pct: Num = _f("EC2: projected memory utilization on this option, %")
    credit_balance: list[float] | None = _f(
        "burstable EC2: CPU credit balance over the utilization series, credits (below zero "
        "in unlimited mode: the surplus credits spent)")
    credit_balance_hours: list[float] | None = _f(
        "burstable EC2: the hours of the credit_balance points, hours from the start")
    credit_balance_min: Num = _f("burstable EC2: lowest credit balance over the series, credits; "
                                 "in unlimited mode below zero by the surplus credits borrowed "
                                 "(the instance's CPUCreditBalance itself never goes below 0: "
                                 "AWS counts those as CPUSurplusCreditBalance)")
    surplus_credits_month: Num = _f("burstable EC2 unlimited: surplus credits billed per month")
    monthly_cost_usd_with_scaling: Num = _f(
        "EC2 with a scaling plan: monthly cost at the expected average node count "
        "(a reserved/savings_plan option: its node_count committed, billed every hour), USD")
    on_demand_monthly_cost_usd: Num = _f("committed purchase options: the on-demand monthly "
                                         "cost it is compared with, USD")
    savings_vs_on_demand_pct: Num = _f("committed purchase options: saving against on-demand, %")
    runtime_s: Num = _f("batch job on EC2: predicted runtime of one run, seconds")
    runtime_s_low: Num = _f("batch job: low end of the runtime interval, seconds")
    runtime_s_high: Num = _f("batch job: high end of the runtime interval, seconds")
    cost_per_run_usd: Num = _f("batch job: predicted cost of one run, USD")
    cost_per_run_usd_low: Num = _f("batch job: cost at runtime_s_low, USD")
    cost_per_run_usd_high: Num = _f("batch job: cost at runtime_s_high, USD")
    job_hours_per_month: Num = _f("batch job: hours per node per month (runs x runtime), "
                                  "billed on-demand/spot; a commitment bills max(them, 730): "
                                  "config.billed_hours_per_month, hours")
    duration_ms: Num = _f("Lambda: predicted duration of one invocation at this memory, ms")
    duration_ms_low: Num = _f("Lambda: low end of the duration interval, ms")
    duration_ms_high: Num = _f("Lambda: high end of the duration interval, ms")
    billed_duration_ms: int | None = _f("Lambda: billed duration (1 ms steps), ms")
    gb_seconds_month: Num = _f("Lambda: GB-seconds billed per month")
    average_concurrency: Num = _f("Lambda: average concurrent executions (invocations x "
                                  "duration / month), executions")
    cost_excludes: list[str] | None = _f("EFS/S3: price items the monthly figure leaves out "
                                         "(request and transfer charges)")
    monthly_cost_usd_all_standard: Num = _f("EFS: monthly cost with every byte in Standard, USD "
                                            "(what the lifecycle policy saves against)")
    egress_usd_month: Num = _f("CDN trade-off: internet egress cost per month, USD")
    offloaded_reads_per_s: Num = _f("cache trade-off: reads per second the cache takes off "
                                    "the database")
    price_index: Num = _f("region: median ratio of its EC2 on-demand prices to us-east-1's "
                          "(1.0 = same); for a profile with storage and neither compute nor "
                          "a database, the ratio of that storage's first-tier price (the S3 "
                          "or EFS class or EBS volume type chosen) to us-east-1's")
    user_rtt_ms: Num = _f("region: the users' share-weighted round-trip time to it, ms")


class ScalingConfig(BaseModel):
    """An EC2 Auto Scaling plan for the option."""

    model_config = _OPEN

    approach: str | None = _f("'demand' (target tracking), 'time' (scheduled) or 'buffer'")
    min_count: int | None = _f("fewest nodes")
    max_count: int | None = _f("most nodes")
    target: Num = _f("target CPU utilization of target tracking, %")
    expected_average_count: Num = _f("average node count over the month, nodes")
    scheduled_peak_hours: list[int] | None = _f("time-based plan: hours of the day (0-23, UTC) "
                                                "to scale out")


class EfsLifecycle(BaseModel):
    """EFS lifecycle policies (``TransitionToIA``, ``TransitionToArchive``)."""

    model_config = _OPEN

    transition_to_ia: str | None = _f("when files move to Infrequent Access, e.g. AFTER_30_DAYS")
    transition_to_archive: str | None = _f("when files move to Archive, e.g. AFTER_90_DAYS")


class OptionConfig(BaseModel):
    """How to set the option up; which keys appear depends on its kind."""

    model_config = _OPEN

    # Prices behind the option.
    price_as_of: str | None = _f("date of the catalog price used, ISO 8601")
    price_source: str | None = _f("the catalog source(s) of the price")
    price_verify: bool | None = _f("true when the price's source marks it as unchecked")
    # EC2, Fargate, Lambda.
    instance_type: str | None = _f("EC2 instance type (EC2 and instance store options)")
    vcpus: int | None = _f("EC2: vCPUs per node")
    vcpu: Num = _f("Fargate: vCPUs per task")
    memory_gib: Num = _f("EC2/Fargate: memory per node or task, GiB")
    memory_mb: int | None = _f("Lambda: memory setting, MB")
    timeout_s: Num = _f("Lambda: the function timeout to set, s (2 x the duration's upper bound, "
                        "30 to 900; https://docs.aws.amazon.com/lambda/latest/dg/"
                        "configuration-timeout.html)")
    arch: str | None = _f("CPU architecture: x86_64 or arm64")
    task_count: int | None = _f("Fargate: number of tasks")
    node_count: int | None = _f("nodes (EC2 fleet, database cluster)")
    credit_mode: str | None = _f("burstable EC2: 'standard' or 'unlimited' CPU credits")
    spot_interruption_band: str | None = _f("Spot: the type's interruption frequency band from "
                                            "the Spot Instance Advisor, e.g. '<5%'")
    spot_price_basis: str | None = _f("Spot: whether the Spot price is measured (a catalog "
                                      "price history) or an estimate")
    spot_price_note: str | None = _f("Spot: where the Spot price comes from, in words")
    offering: str | None = _f("committed purchase: the offering, e.g. reserved_standard, "
                              "compute_savings_plan")
    term_years: int | None = _f("committed purchase: term, years (1 or 3)")
    payment: str | None = _f("committed purchase: no_upfront, partial_upfront or all_upfront")
    upfront_usd_per_node: Num = _f("committed purchase: upfront payment per node, USD")
    scaling: ScalingConfig | None = _f("EC2 Auto Scaling plan")
    # Block storage.
    volume_type: str | None = _f("EBS volume type, e.g. gp3, io2")
    size_gib: Num = _f("EBS/instance store: capacity, GiB")
    iops: Num = _f("EBS: provisioned IOPS (all volumes)")
    throughput_mibps: Num = _f("EBS: provisioned throughput (all volumes), MiB/s")
    baseline_iops: Num = _f("EBS gp2/st1/sc1: baseline IOPS of the size")
    baseline_throughput_mibps: Num = _f("EBS st1/sc1: baseline throughput of the size, MiB/s")
    volumes: int | None = _f("EBS RAID 0: number of volumes striped")
    raid: str | None = _f("EBS: 'raid0' when volumes are striped")
    size_gib_per_volume: int | None = _f("EBS RAID 0: size of each volume, GiB")
    iops_per_volume: Num = _f("EBS RAID 0: IOPS of each volume")
    throughput_mibps_per_volume: Num = _f("EBS RAID 0: throughput of each volume, MiB/s")
    baseline_throughput_mibps_per_volume: Num = _f("EBS st1/sc1 RAID 0: baseline throughput "
                                                   "of each volume, MiB/s")
    # File and object storage.
    storage_class: str | None = _f("EFS/S3 storage class, e.g. standard, ia, glacier_ir")
    lifecycle: EfsLifecycle | None = _f("EFS lifecycle policies")
    class_shares: dict[str, float] | None = _f("EFS: share of the data in each lifecycle "
                                               "class over the file lifetime, 0-1")
    file_system_type: str | None = _f("EFS: 'one_zone' for a One Zone file system "
                                      "(absent: Regional)")
    throughput_mode: str | None = _f("EFS: elastic, bursting or provisioned")
    provisioned_throughput_mibps: Num = _f("EFS Provisioned Throughput, MiB/s")
    bursting_baseline_mibps: Num = _f("EFS Bursting: baseline throughput of the size, MiB/s")
    transferred_gib_month: Num = _f("EFS Elastic: data moved per month, GiB")
    read_fraction: Num = _f("EFS Elastic: share of the data moved that is reads, 0-1")
    elastic_monthly_cost_usd: Num = _f("EFS: what Elastic Throughput would cost, USD/month")
    minimum_storage_duration_days: Num = _f("S3: the class's minimum storage duration, days")
    retrieval_gib_month: Num = _f("S3 IA/Glacier: GB retrieved a month (the profile's reads)")
    retrieval_usd: Num = _f("S3 IA/Glacier: per-GB retrieval charge in the cost, USD/month")
    colder_class: str | None = _f("S3 Standard chosen instead: the colder class the access "
                                  "frequency called for")
    colder_class_monthly_cost_usd: Num = _f("S3: the colder class's cost with its "
                                            "retrievals, USD/month")
    deployment: str | None = _f("FSx/databases: deployment, e.g. scratch_2, single_az, "
                                "multi_az")
    storage_capacity_tib: Num = _f("FSx for Lustre: storage capacity, TiB")
    # Databases.
    instance_class: str | None = _f("database node class, e.g. db.r7g.large")
    storage_gib: Num = _f("database storage, GiB")
    storage_type: str | None = _f("RDS: storage type, io2 (Block Express) above gp3's IOPS "
                                  "maximum (absent: gp3); OpenSearch: instance_store when the "
                                  "data nodes keep the index on their instance storage (no "
                                  "EBS volume)")
    multi_az: bool | None = _f("RDS/Aurora: a standby in another Availability Zone")
    read_replicas: int | None = _f("RDS/Aurora: read replicas")
    shards: int | None = _f("ElastiCache Valkey/Redis OSS: shards (node groups) the data is "
                            "partitioned across, cluster mode enabled (absent: one shard, "
                            "cluster mode disabled)")
    replicas_per_shard: int | None = _f("ElastiCache Valkey/Redis OSS, cluster mode enabled: "
                                        "read replicas in each shard (node_count = shards x "
                                        "(1 + replicas_per_shard))")
    capacity_mode: str | None = _f("DynamoDB: on_demand or provisioned")
    rcu: int | None = _f("DynamoDB provisioned: read capacity units")
    wcu: int | None = _f("DynamoDB provisioned: write capacity units")
    item_size_kib: Num = _f("DynamoDB: item size the capacity units are counted on, KiB")
    # Network and trade-offs.
    region: str | None = _f("region option: the AWS region code")
    attached_to: str | None = _f("network add-on: the option it attaches to")
    strategy: str | None = _f("placement group strategy, e.g. cluster")
    service: str | None = _f("trade-off / VPC endpoint: the service, e.g. s3")
    type: str | None = _f("VPC endpoint type: gateway or interface")
    applies_when: str | None = _f("trade-off: the profile facts that make it apply, in words")
    trades: str | None = _f("trade-off: what is given up for what, in words")
