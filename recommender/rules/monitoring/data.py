"""Alarms for the chosen database and CloudFront (PERF05-BP02).

* RDS/Aurora ``CPUUtilization`` above the sizing headroom; ``FreeableMemory`` under half of
  what the working-set estimate left free; ``ReplicaLag`` (RDS, seconds) or
  ``AuroraReplicaLag`` (milliseconds) when read replicas were advised
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html,
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html).
* RDS (not Aurora, whose cluster volume grows by itself) ``FreeStorageSpace`` under 10 % of
  the allocated storage, in bytes: Minimum over 60 s, 5 of 5 datapoints, as CloudWatch's
  recommended alarm has it ("calculate the value of 10 percent of the allocated storage
  space and use that result as the threshold value"; not with storage auto scaling, which
  the export does not turn on,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html).
* DynamoDB ``ReadThrottleEvents``/``WriteThrottleEvents`` (any), and for provisioned tables
  ``ConsumedRead/WriteCapacityUnits`` per second above 90 % of what is provisioned
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
* ElastiCache ``Evictions`` (any: the node was sized to hold the data) and, for Valkey/Redis,
  ``DatabaseMemoryUsagePercentage`` above the memory headroom
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html).
* OpenSearch (namespace ``AWS/ES``, dimensions ``DomainName`` and ``ClientId``, the account):
  three of the alarms AWS recommends for a domain, as it gives them: ``ClusterStatus.red``
  maximum >= 1 for 1 minute (a primary shard and its replicas unallocated),
  ``ClusterIndexWritesBlocked`` maximum >= 1 for 5 minutes, and ``FreeStorageSpace``
  (megabytes, per node) minimum <= 25 % of each data node's EBS volume for 1 minute, "we
  recommend setting it to 25% of the storage space for each node"; none for a type that
  keeps the index on its own instance storage, whose size the option does not carry
  (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/cloudwatch-alarms.html).
* CloudFront ``CacheHitRate`` under 80 % of the static share when caching was advised
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/viewing-cloudfront-metrics.html).
"""

from __future__ import annotations

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Monitor, Option
from recommender.rules.compute.sizing import DEFAULT_CPU_HEADROOM_PCT, DEFAULT_MEMORY_HEADROOM_PCT
from recommender.rules.database import DYNAMODB_TARGET_UTILIZATION, WORKING_SET_FRACTION
from recommender.rules.database_usage import RDS_MIN_STORAGE_GIB
from recommender.rules.monitoring.base import RECOMMENDED_ALARMS, monitor, num
from recommender.rules.monitoring.compute import headroom_limit_pct
from recommender.rules.monitoring.storage import LIMIT_SHARE

#: Replica staleness alarmed when the profile gives no bound: reads tolerating eventual
#: consistency rarely tolerate more than this.
DEFAULT_REPLICA_LAG_S = 30.0
#: The cache-hit alarm sits at this share of the expected (static) share.
HIT_RATE_SHARE = 0.8
_GIB = 1024**3


def rds_cpu(o: Option) -> Monitor:
    """Database CPU above the default sizing headroom."""
    limit = headroom_limit_pct(DEFAULT_CPU_HEADROOM_PCT)
    return monitor("db_cpu_headroom", "database", o.option, namespace="AWS/RDS",
                   metric="CPUUtilization", dimensions={"DBInstanceIdentifier": "db_instance"},
                   statistic="Average", threshold=limit, comparison="GreaterThanThreshold",
                   page="AWS/RDS", unit="Percent",
                   text=f"CPU above {limit:g}% for 15 minutes uses the "
                        f"{DEFAULT_CPU_HEADROOM_PCT:g}% headroom of the sizing: a larger class "
                        "or read replicas")


def rds_memory(p: WorkloadProfile, o: Option, memory_gib: float | None) -> Monitor | None:
    """FreeableMemory under half of what the working set leaves free."""
    d = p.database
    size = d.size_gib.min if d and d.size_gib else None
    if d is None or memory_gib is None or not size:
        return None
    share = d.working_set_fraction or WORKING_SET_FRACTION
    ws = size * share
    floor_gib = max(0.05 * memory_gib, (memory_gib - ws) / 2.0)
    cls = o.config.get("instance_class")
    return monitor("db_freeable_memory", "database", o.option, namespace="AWS/RDS",
                   metric="FreeableMemory", dimensions={"DBInstanceIdentifier": "db_instance"},
                   statistic="Minimum", threshold=round(floor_gib * _GIB),
                   comparison="LessThanThreshold", page="AWS/RDS", unit="Bytes",
                   text=f"{cls} has {memory_gib:g} GiB for a working set of {ws:g} GiB "
                        f"({share:.0%} of {size:g} GiB); freeable memory under "
                        f"{floor_gib:.1f} GiB (half of what it leaves free, at least 5%) means "
                        "the working set outgrew the estimate and reads go to storage")


#: CloudWatch's recommended FreeStorageSpace alarm: this share of the allocated storage.
FREE_STORAGE_SHARE = 0.1


def rds_free_storage(o: Option) -> Monitor | None:
    """FreeStorageSpace under 10 % of the instance's allocated storage (RDS only)."""
    data = num(o.config, "storage_gib")
    if not o.option.startswith("rds:") or data is None or data <= 0:
        return None
    # What the instance allocates (and the export creates): at least CreateDBInstance's
    # 20 GiB, the storage billed (database_usage.relational_storage).
    gib = max(data, RDS_MIN_STORAGE_GIB)
    floor_gib = gib * FREE_STORAGE_SHARE
    return monitor("db_free_storage", "database", o.option, namespace="AWS/RDS",
                   metric="FreeStorageSpace", dimensions={"DBInstanceIdentifier": "db_instance"},
                   statistic="Minimum", threshold=round(floor_gib * _GIB),
                   comparison="LessThanThreshold", page="AWS/RDS", unit="Bytes",
                   period_s=60, evaluation_periods=5,
                   text=f"Free storage under {FREE_STORAGE_SHARE:.0%} of the {gib:g} GiB "
                        f"allocated ({floor_gib:g} GiB, in bytes) for 5 minutes: the database "
                        "is about to run out of storage and stop taking writes; grow the "
                        "storage or free space. CloudWatch's recommended alarm: Minimum over "
                        "60 s, 5 of 5 datapoints, 10 percent of the allocated storage "
                        f"({RECOMMENDED_ALARMS})")


def replica_lag(o: Option) -> Monitor | None:
    """Replica lag when read replicas were advised."""
    if not (num(o.config, "read_replicas") or 0) > 0:
        return None
    aurora = o.option.startswith("aurora:")
    metric, unit = ("AuroraReplicaLag", "Milliseconds") if aurora else ("ReplicaLag", "Seconds")
    threshold = DEFAULT_REPLICA_LAG_S * (1000 if aurora else 1)
    return monitor("db_replica_lag", "database", o.option, namespace="AWS/RDS", metric=metric,
                   dimensions={"DBInstanceIdentifier": "db_replica"}, statistic="Maximum",
                   threshold=threshold, comparison="GreaterThanThreshold",
                   page="AWS/RDS/aurora" if aurora else "AWS/RDS", unit=unit,
                   text=f"Reads were moved to replicas assuming they stay fresh; lag above "
                        f"{DEFAULT_REPLICA_LAG_S:g} s (no staleness bound in the profile) means "
                        "the replica cannot keep up with the writes")


def dynamodb(o: Option) -> list[Monitor]:
    """Throttle events, and consumed against provisioned capacity."""
    out = []
    dims = {"TableName": "table"}
    for op, metric in (("read", "ReadThrottleEvents"), ("write", "WriteThrottleEvents")):
        out.append(monitor(f"dynamodb_{op}_throttles", "database", o.option,
                           namespace="AWS/DynamoDB", metric=metric, dimensions=dims,
                           statistic="Sum", threshold=0, comparison="GreaterThanThreshold",
                           page="AWS/DynamoDB", evaluation_periods=1, unit="Count",
                           text=f"Throttled {op}s mean the table's capacity is below the "
                                "demand"))
    if o.config.get("capacity_mode") != "provisioned":
        return out
    for key, metric in (("rcu", "ConsumedReadCapacityUnits"),
                        ("wcu", "ConsumedWriteCapacityUnits")):
        units = num(o.config, key)
        if units is None:
            continue
        limit = round(units * LIMIT_SHARE, 1)
        out.append(monitor(
            f"dynamodb_consumed_{key}", "database", o.option, namespace="AWS/DynamoDB",
            metric=metric, dimensions=dims, statistic="Sum", threshold=limit,
            comparison="GreaterThanThreshold", page="AWS/DynamoDB", period_s=60,
            expression="m1/PERIOD(m1)", metrics=[metric],
            text=f"{units:g} {key.upper()} were provisioned for the profile's load at "
                 f"{DYNAMODB_TARGET_UTILIZATION:.0%} utilization; consumption above "
                 f"{LIMIT_SHARE:.0%} of them ({limit:g}/s) is about to throttle"))
    return out


def elasticache(o: Option) -> list[Monitor]:
    """Evictions, and memory use against the headroom (Valkey/Redis)."""
    dims = {"CacheClusterId": "cache_cluster"}
    memcached = o.option.endswith(":memcached")
    out = [monitor("cache_evictions", "database", o.option, namespace="AWS/ElastiCache",
                   metric="Evictions", dimensions=dims, statistic="Sum", threshold=0,
                   comparison="GreaterThanThreshold", unit="Count",
                   page="AWS/ElastiCache/memcached" if memcached else "AWS/ElastiCache",
                   text="The node was sized to hold the data; evictions mean it no longer "
                        "does and reads fall through to the database")]
    if not memcached:
        limit = headroom_limit_pct(DEFAULT_MEMORY_HEADROOM_PCT)
        out.append(monitor("cache_memory", "database", o.option, namespace="AWS/ElastiCache",
                           metric="DatabaseMemoryUsagePercentage", dimensions=dims,
                           statistic="Maximum", threshold=limit,
                           comparison="GreaterThanThreshold", page="AWS/ElastiCache",
                           unit="Percent",
                           text=f"Memory use above {limit:g}% uses the "
                                f"{DEFAULT_MEMORY_HEADROOM_PCT:g}% memory headroom of the "
                                "sizing: evictions follow"))
    return out


#: CloudWatch's FreeStorageSpace alarm for an OpenSearch domain: this share of a node's storage.
SEARCH_FREE_STORAGE_SHARE = 0.25
_SEARCH_DIMS = {"DomainName": "search_domain", "ClientId": "account_id"}


#: AWS's recommended OpenSearch alarms kept here: (id, metric, period s, why), each Maximum
#: >= 1 over one period.
_SEARCH_ALARMS = (
    ("search_cluster_red", "ClusterStatus.red", 60,
     "At least one primary shard and its replicas are not allocated to a node: part of the "
     "index cannot be searched or written (AWS's recommended alarm: ClusterStatus.red "
     "maximum >= 1 for 1 minute)"),
    ("search_writes_blocked", "ClusterIndexWritesBlocked", 300,
     "The domain is blocking write requests (storage or JVM memory pressure): indexing "
     "fails until it is scaled (AWS's recommended alarm: ClusterIndexWritesBlocked >= 1 "
     "for 5 minutes)"),
)


def opensearch(o: Option) -> list[Monitor]:
    """Red cluster status, blocked index writes and low free storage on a data node."""
    out = [monitor(mid, "database", o.option, namespace="AWS/ES", metric=metric,
                   dimensions=dict(_SEARCH_DIMS), statistic="Maximum", threshold=1,
                   comparison="GreaterThanOrEqualToThreshold", page="AWS/ES",
                   period_s=period, evaluation_periods=1, unit="Count", text=text)
           for mid, metric, period, text in _SEARCH_ALARMS]
    gib = num(o.config, "volume_gib_per_node")
    if gib is None or o.config.get("storage_type") == "instance_store":
        return out
    floor_mb = gib * 1024 * SEARCH_FREE_STORAGE_SHARE
    out.append(monitor(
        "search_free_storage", "database", o.option, namespace="AWS/ES",
        metric="FreeStorageSpace", dimensions=dict(_SEARCH_DIMS), statistic="Minimum",
        threshold=floor_mb, comparison="LessThanOrEqualToThreshold", page="AWS/ES",
        period_s=60, evaluation_periods=1, unit="Megabytes",
        text=f"A data node is down to {SEARCH_FREE_STORAGE_SHARE:.0%} of its {gib:g} GiB "
             f"volume ({gib:g} x 1,024 x {SEARCH_FREE_STORAGE_SHARE:g} = {floor_mb:g} MB free; "
             "the metric is in megabytes, the minimum over the nodes): writes are blocked "
             "when it fills; add storage or nodes (AWS recommends 25% of the storage space "
             "for each node, minimum over 1 minute)"))
    return out


def cloudfront(p: WorkloadProfile) -> Monitor | None:
    """Cache hit rate against the static share the caching advice counted on."""
    share = p.network.static_content_fraction if p.network else None
    if not share:
        return None
    threshold = round(share * 100 * HIT_RATE_SHARE, 1)
    return monitor("cloudfront_cache_hit_rate", "network", "cloudfront",
                   namespace="AWS/CloudFront", metric="CacheHitRate",
                   dimensions={"DistributionId": "distribution", "Region": "Global"},
                   statistic="Average", threshold=threshold, comparison="LessThanThreshold",
                   page="AWS/CloudFront", period_s=3600, unit="Percent",
                   text=f"Caching was advised for {share:.0%} static content; a hit rate under "
                        f"{threshold:g}% means the edge serves less than counted on (check "
                        "cache keys and TTLs). CacheHitRate is an additional CloudFront metric "
                        "to turn on, reported in us-east-1 only: create this alarm there")


def database_monitors(p: WorkloadProfile, o: Option, memory_gib: float | None) -> list[Monitor]:
    """The alarms of the rank-1 database option."""
    service = o.option.partition(":")[0]
    if service in ("rds", "aurora"):
        found = [rds_cpu(o), rds_memory(p, o, memory_gib), rds_free_storage(o),
                 replica_lag(o)]
        return [m for m in found if m is not None]
    if service == "dynamodb":
        return dynamodb(o)
    if service == "elasticache":
        return elasticache(o)
    if service == "opensearch":
        return opensearch(o)
    return []
