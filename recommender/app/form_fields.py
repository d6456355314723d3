"""The profile form of the app as data: every field once, with its widget, label and help.

:data:`FIELDS` lists every field of the workload profile once, with the widget that edits
it; :func:`fields_of` and :func:`groups_of` give them per section and per thing described.
The conversions to and from widget state are in :mod:`recommender.app.forms`; the readers
of the text widgets in :mod:`recommender.app.form_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIELDS", "SECTIONS", "FormField", "fields_of", "groups_of"]


@dataclass(frozen=True)
class FormField:
    """One profile field: where it lives, how it is edited and what it means.

    ``widget`` is one of ``range`` (min and max numbers), ``intrange`` (whole-number min and
    max), ``float``, ``int``, ``enum``, ``bool`` (yes / no / unset), ``text``, ``region`` (a
    region code chosen from the priced regions, or ``auto``), ``multi`` (several of
    ``options``), ``shares`` (``region=share`` pairs), ``series`` (a list of numbers) or
    ``runs`` (measured job runs written ``type x nodes = seconds``).  ``group`` is what the
    user is describing (a service, a function, a batch job...); ``help`` gives the meaning,
    the unit and an example.
    """

    section: str  # "" for the top level
    name: str
    widget: str
    label: str
    options: tuple[str, ...] = ()
    help: str = ""
    group: str = ""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name


def _f(
    section: str, name: str, widget: str, label: str, *options: str, help: str, group: str
) -> FormField:
    return FormField(section, name, widget, label, tuple(options), help, group)


SECTIONS: tuple[str, ...] = ("", "compute", "storage", "database", "network")

_W, _SVC, _FN, _JOB = "Workload", "A service (EC2 instances or containers)", \
    "A function (AWS Lambda)", "A batch job (measured runs)"
_CAP, _USE = "Capacity and performance", "How the data is used"
_DATA, _LOAD = "The data", "The load"
_NET = "Users and traffic"

FIELDS: tuple[FormField, ...] = (
    _f("", "name", "text", "Workload name", group=_W,
       help="A name for your own reference, shown above the results. Example: checkout API."),
    _f("", "region", "region", "Region", group=_W,
       help="The AWS region whose prices are used, or auto to compare every priced region. "
            "Example: us-east-1."),
    _f("", "objective", "enum", "Objective", "cost", "performance", "balanced", group=_W,
       help="What ranks the options that meet every need: the lowest monthly cost, the most "
            "performance headroom, or a balance. Default: balanced."),
    _f("", "purchase_options", "multi", "Purchase options",
       "on_demand", "spot", "savings_plan", "reserved", group=_W,
       help="How you are willing to pay. Spot needs an interruption-tolerant workload; "
            "Savings Plans and Reserved Instances are commitments. Default: on_demand."),
    _f("", "top_n", "int", "Options per category", group=_W,
       help="How many ranked options to show per category (1-50). Default: 5."),
    _f("", "environment", "enum", "Environment", "production", "staging", "development",
       "test", group=_W,
       help="Production asks for Multi-AZ databases and at least three OpenSearch data nodes "
            "across three AZs. Example: production."),
    _f("", "max_monthly_usd", "float", "Budget (USD per month)", group=_W,
       help="Options above this monthly cost are not admitted (objective performance ranks "
            "within it). Example: 500."),
    _f("", "purchase_term_years", "int", "Commitment term (years)", group=_W,
       help="Term of Savings Plans and Reserved Instances: 1 or 3 years. Default: 1."),
    _f("", "purchase_payment", "enum", "Commitment payment", "no_upfront", "partial_upfront",
       "all_upfront", group=_W,
       help="Payment option of Savings Plans and Reserved Instances. Default: no_upfront."),
    _f("", "explain", "multi", "Why not these options?", group=_W,
       help="Instance types (or other option names) to explain: the first constraint each "
            "fails, or its cost and risk against #1. Type a name and press Enter. "
            "Example: t3.medium."),
    _f("compute", "vcpus", "intrange", "vCPUs", group=_SVC,
       help="Virtual CPUs per node (a whole number). With utilization given, the vCPUs it "
            "was measured on. Example: min 2."),
    _f("compute", "memory_gib", "range", "Memory (GiB)", group=_SVC,
       help="Memory per node in GiB. Example: min 4."),
    _f("compute", "measured_on", "text", "Need measured on (instance type)", group=_SVC,
       help="The instance type the vCPU need was measured on, so it converts to faster or "
            "slower types by their perf_index. Example: m5.xlarge."),
    _f("compute", "arch", "enum", "Architecture", "x86_64", "arm64", "any", group=_SVC,
       help="CPU architecture: x86_64 (Intel/AMD), arm64 (Graviton) or any. Default: any."),
    _f("compute", "gpus", "intrange", "GPUs", group=_SVC,
       help="GPUs per node (a whole number). Example: min 1 for training."),
    _f("compute", "cpu_utilization.average_pct", "float", "CPU average %", group=_SVC,
       help="Average CPU utilization, percent of the measured vCPUs (0-100). Example: 20."),
    _f("compute", "cpu_utilization.p95_pct", "float", "CPU p95 %", group=_SVC,
       help="95th-percentile CPU utilization, percent (0-100). Example: 55."),
    _f("compute", "cpu_utilization.peak_pct", "float", "CPU peak %", group=_SVC,
       help="Peak CPU utilization, percent (0-100). Example: 85."),
    _f("compute", "utilization_series_pct", "series", "CPU utilization series (%)", group=_SVC,
       help="Comma-separated CPU samples in percent (drives the burst simulation), or upload "
            "a CloudWatch CSV below. Example: 12, 15, 70, 65, 14."),
    _f("compute", "series_interval_minutes", "float", "Minutes between samples", group=_SVC,
       help="Spacing of the utilization samples in minutes. Default: 5 (CloudWatch)."),
    _f("compute", "parallelism", "int", "Parallelism (threads/tasks)", group=_SVC,
       help="How many threads or tasks the work splits into (a whole number). Example: 16."),
    _f("compute", "scale_out", "enum", "Scale out", "none", "horizontal", "tightly_coupled",
       group=_SVC,
       help="none: one node; horizontal: independent nodes behind a load balancer; "
            "tightly_coupled: nodes that talk constantly (MPI, HPC)."),
    _f("compute", "max_nodes", "int", "Max nodes", group=_SVC,
       help="The most nodes the workload may run on (a whole number). Example: 8."),
    _f("compute", "hours_per_month", "float", "Hours per month", group=_SVC,
       help="Hours the nodes run per month (0-744). Default: 730 (always on)."),
    _f("compute", "interruption_tolerant", "bool", "Interruption tolerant", group=_SVC,
       help="Yes when the work survives a node being stopped with two minutes' notice "
            "(required for Spot)."),
    _f("compute", "memory_used_gib", "float", "Peak memory used (GiB)", group=_SVC,
       help="Memory actually used at peak in GiB; sized up by the memory headroom. "
            "Example: 3.2."),
    _f("compute", "cpu_headroom_pct", "float", "CPU headroom %", group=_SVC,
       help="Percent added to the measured CPU demand before sizing. Default: 20."),
    _f("compute", "memory_headroom_pct", "float", "Memory headroom %", group=_SVC,
       help="Percent added to the peak memory used before sizing. Default: 20."),
    _f("compute", "startup_time_s", "float", "Instance start-up time (s)", group=_SVC,
       help="Seconds a new node needs before it serves (boot and warm-up), for scaling "
            "headroom. Example: 90."),
    _f("compute", "event_driven", "bool", "Event driven", group=_FN,
       help="Yes when the work runs per event or request (a candidate for Lambda)."),
    _f("compute", "invocations_per_month", "float", "Invocations per month", group=_FN,
       help="Function invocations per month. Example: 3000000."),
    _f("compute", "duration_ms", "float", "Duration per invocation (ms)", group=_FN,
       help="Measured duration of one invocation in milliseconds. Example: 120."),
    _f("compute", "memory_mb_used", "float", "Memory used per invocation (MB)", group=_FN,
       help="Measured memory of one invocation in MB (Lambda's Max Memory Used). "
            "Example: 180."),
    _f("compute", "measured_memory_mb", "float", "Memory setting measured at (MB)", group=_FN,
       help="The Lambda memory setting the duration was measured at, 128-10,240 MB; absent: "
            "the duration is taken as measured at the smallest setting the rules allow. "
            "Example: 1024."),
    _f("compute", "job.framework", "text", "Job framework", group=_JOB,
       help="The framework the job runs on. Example: spark."),
    _f("compute", "job.application", "text", "Job application", group=_JOB,
       help="What the job computes. Example: kmeans, sort, terasort."),
    _f("compute", "job.input_gib", "float", "Job input (GiB)", group=_JOB,
       help="Input data size of one run in GiB. Example: 100."),
    _f("compute", "job.measurements", "runs", "Measured job runs", group=_JOB,
       help="Runs you have timed, written type x nodes = seconds and separated by ';'. "
            "Example: m5.xlarge x 8 = 1500; m5.xlarge x 16 = 850."),
    _f("compute", "job.deadline_s", "float", "Job deadline (s)", group=_JOB,
       help="The longest one run may take, in seconds. Example: 3600."),
    _f("compute", "job.runs_per_month", "float", "Job runs per month", group=_JOB,
       help="How often the job runs per month. Example: 30."),
    _f("storage", "size_gib", "range", "Size (GiB)", group=_CAP,
       help="Capacity to store in GiB. Example: min 50."),
    _f("storage", "iops", "range", "IOPS", group=_CAP,
       help="I/O operations per second the volume must sustain. Example: min 3000."),
    _f("storage", "throughput_mibps", "range", "Throughput (MiB/s)", group=_CAP,
       help="Sustained throughput in MiB per second. Example: min 250."),
    _f("storage", "throughput_hours_per_month", "float", "Hours at that throughput", group=_CAP,
       help="Hours per month the throughput is sustained (0-744); prices EFS Elastic "
            "Throughput's read/write charges. Default: 730 (all month)."),
    _f("storage", "peak_minutes_per_day", "float", "Peak minutes per day", group=_CAP,
       help="Minutes a day the IOPS/throughput peak lasts (0-1440). 30 or less: an instance's "
            "maximum EBS performance may carry it (AWS guarantees it 30 minutes a day), at "
            "medium risk. Default: sustained (the instance's baseline must carry it)."),
    _f("storage", "object_lifetime_days", "float", "Object lifetime (days)", group=_CAP,
       help="How long objects live before deletion; below a class's minimum storage duration "
            "(30 days Standard-IA, 90 Glacier Instant) that class is not offered. Example: 7."),
    _f("storage", "io_size_kib", "float", "I/O size (KiB)", group=_CAP,
       help="Typical size of one read or write in KiB. Example: 16 (databases), 1024 "
            "(streaming)."),
    _f("storage", "latency_ms", "float", "Latency target (ms)", group=_CAP,
       help="The highest acceptable latency of one I/O in milliseconds. Example: 1."),
    _f("storage", "read_fraction", "float", "Read fraction (0-1)", group=_CAP,
       help="Share of the I/O that is reads, between 0 and 1. Example: 0.7."),
    _f("storage", "access_pattern", "enum", "Access pattern", "random", "sequential", "mixed",
       group=_USE,
       help="random (databases), sequential (logs, analytics scans) or mixed."),
    _f("storage", "sharing", "enum", "Sharing", "single_instance", "multi_instance", "web",
       group=_USE,
       help="Who reads the data: one instance (EBS), many instances at once (EFS) or users "
            "over the web (S3)."),
    _f("storage", "persistence", "enum", "Persistence", "persistent", "scratch", group=_USE,
       help="persistent data must outlive the instance; scratch data may be lost "
            "(instance store)."),
    _f("storage", "access_frequency", "enum", "Access frequency", "hot", "warm", "cold",
       "archive", group=_USE,
       help="How often the data is read: hot (all the time) to archive (rarely, hours to "
            "restore is fine)."),
    _f("database", "data_model", "enum", "Data model", "relational", "key_value", "document",
       "analytics", "search", "cache", group=_DATA,
       help="The shape of the data: relational tables, key-value items, JSON documents, "
            "analytics (columnar), full-text search or a cache."),
    _f("database", "working_set_fraction", "float", "Working set (share of data)", group=_DATA,
       help="The share of the data read often enough to belong in memory (0-1); sizes "
            "relational instance memory. Default: 0.25."),
    _f("database", "availability", "enum", "Availability", "single_az", "multi_az", group=_DATA,
       help="multi_az keeps a standby in a second Availability Zone (priced); production "
            "implies it. Example: multi_az."),
    _f("database", "cluster_mode", "enum", "Cache cluster mode", "enabled", "disabled",
       group=_DATA,
       help="Valkey/Redis OSS: enabled if your client supports cluster mode (data sharded, "
            "multi-key commands within one hash slot); disabled keeps one shard."),
    _f("database", "engine", "text", "Preferred engine", group=_DATA,
       help="An engine you prefer, when the data model allows several. Example: postgresql, "
            "mysql, valkey."),
    _f("database", "size_gib", "range", "Size (GiB)", group=_DATA,
       help="Data size in GiB. Example: min 100."),
    _f("database", "item_size_kib", "float", "Item size (KiB)", group=_DATA,
       help="Typical size of one item or row in KiB (sizes DynamoDB capacity units). "
            "Example: 2."),
    _f("database", "consistency", "enum", "Consistency", "strong", "eventual", group=_DATA,
       help="strong: every read sees the latest write; eventual: reads may lag briefly."),
    _f("database", "query_pattern", "enum", "Query pattern", "key_lookup", "joins",
       "aggregations", "full_text", group=_DATA,
       help="The queries that matter most: lookups by key, joins, aggregations or full-text "
            "search."),
    _f("database", "reads_per_s", "float", "Reads per second", group=_LOAD,
       help="Read requests per second at peak. Example: 400."),
    _f("database", "writes_per_s", "float", "Writes per second", group=_LOAD,
       help="Write requests per second at peak. Example: 80."),
    _f("database", "latency_ms", "float", "Latency target (ms)", group=_LOAD,
       help="The highest acceptable query latency in milliseconds. Example: 10."),
    _f("database", "cacheable_read_fraction", "float", "Cacheable read fraction (0-1)",
       group=_LOAD,
       help="Share of reads a cache could answer, between 0 and 1. Example: 0.6."),
    _f("network", "user_regions", "shares", "User regions", group=_NET,
       help="Where the users are, as region=share pairs summing to 1. "
            "Example: us-east-1=0.7, eu-west-1=0.3."),
    _f("network", "egress_gib_per_month", "float", "Egress (GiB/month)", group=_NET,
       help="Data sent to the internet per month in GiB. Example: 500."),
    _f("network", "static_content_fraction", "float", "Static content fraction (0-1)",
       group=_NET,
       help="Share of the egress that is static files a CDN could cache (0-1). "
            "Example: 0.5."),
    _f("network", "inter_node_latency_sensitive", "bool", "Inter-node latency sensitive",
       group=_NET,
       help="Yes when nodes exchange messages on the critical path (placement groups, EFA)."),
    _f("network", "bandwidth_gbps", "float", "Bandwidth (Gbps)", group=_NET,
       help="Network bandwidth per node in gigabits per second. Example: 25."),
    _f("network", "on_premises_link", "bool", "On-premises link", group=_NET,
       help="Yes when the workload needs a private link to your data centre (VPN or Direct "
            "Connect)."),
    _f("network", "s3_traffic_gib_per_month", "float", "S3 traffic (GiB/month)", group=_NET,
       help="Data moved between the workload and S3 per month in GiB (drives the VPC "
            "endpoint advice). Example: 2000."),
)


def fields_of(section: str) -> list[FormField]:
    """The fields of one section (``""`` for the top level), in form order."""
    return [f for f in FIELDS if f.section == section]


def groups_of(section: str) -> dict[str, list[FormField]]:
    """The fields of one section by what they describe (a service, a function...), in order."""
    out: dict[str, list[FormField]] = {}
    for f in fields_of(section):
        out.setdefault(f.group, []).append(f)
    return out
