"""Monitoring thresholds: each derived from the profile and the decision, worked by hand."""

from __future__ import annotations

from typing import Any

from recommender.core.profile import parse_profile
from recommender.core.response import Option
from recommender.rules.monitoring.compute import compute_monitors, ec2_credits, lambda_duration
from recommender.rules.monitoring.data import cloudfront, database_monitors
from recommender.rules.monitoring.storage import storage_monitors


def _opt(option: str, kind: str, count: int = 1, predicted: dict | None = None,
         **config: Any) -> Option:
    return Option(rank=1, option=option, kind=kind, count=count, score=0.5,
                  predicted=predicted or {}, config=config, region="us-east-1")


def _by_metric(monitors) -> dict[str, Any]:
    return {m.metric: m for m in monitors}


def test_cpu_alarm_sits_where_the_sizing_headroom_is_used_up() -> None:
    p = parse_profile({"compute": {"vcpus": 2, "cpu_headroom_pct": 25}})
    single = _by_metric(compute_monitors(p, _opt("m7g.large", "ec2")))["CPUUtilization"]
    # 100 / (1 + 25/100) = 80 % of the instance: beyond it the 25 % headroom is gone.
    assert (single.threshold, single.comparison) == (80.0, "GreaterThanThreshold")
    assert single.dimensions == {"InstanceId": "instance"} and single.namespace == "AWS/EC2"
    group = compute_monitors(p, _opt("m7g.large", "ec2", count=3))[0]
    assert group.dimensions == {"AutoScalingGroupName": "auto_scaling_group"}
    assert single.reason.best_practice == "PERF05-BP02"
    assert "viewing_metrics_with_cloudwatch" in single.reason.text


def test_credit_alarms_follow_the_burst_simulation() -> None:
    std = ec2_credits(_opt("t4g.small", "ec2", credit_mode="standard",
                           predicted={"credit_balance_min": 551.2}))
    # Half the simulated steady-state minimum: 551.2 / 2 = 275.6 credits.
    assert (std.metric, std.statistic, std.threshold) == ("CPUCreditBalance", "Minimum", 275.6)
    unl = ec2_credits(_opt("t3.small", "ec2", credit_mode="unlimited",
                           predicted={"surplus_credits_month": 90}))
    # A day's share of the month's charged surplus: 90 / 30 = 3 credits, summed over a day.
    # (Not CPUSurplusCreditBalance: it stays at its cap, a day's earned credits, whenever
    # surplus is spent as priced, so that alarm always fired; CPUSurplusCreditsCharged counts
    # the credits that incur the charge, burstable-performance-instances-monitoring-cpu-credits.)
    assert (unl.metric, unl.statistic, unl.period_s, unl.threshold) == (
        "CPUSurplusCreditsCharged", "Sum", 86400, 3.0)
    none = ec2_credits(_opt("t3.small", "ec2", credit_mode="unlimited"))
    assert none.threshold == 1.0  # no surplus expected: any surplus is news
    assert ec2_credits(_opt("m5.large", "ec2")) is None


def test_lambda_duration_against_the_timeout_and_the_estimate() -> None:
    timeout, = lambda_duration(_opt("lambda", "lambda", timeout_s=10))
    # 80 % of a 10 s timeout = 8,000 ms at p99.
    assert (timeout.statistic, timeout.threshold) == ("p99", 8000.0)
    # Without a timeout the export's 30 s applies: 0.8 x 30,000 ms = 24,000 ms.
    assert lambda_duration(_opt("lambda", "lambda"))[0].threshold == 24000.0
    est = [m for m in lambda_duration(_opt("lambda", "lambda", memory_mb=512,
                                           predicted={"duration_ms_high": 170.1}))
           if m.id == "lambda_duration_estimate"][0]
    assert (est.statistic, est.threshold) == ("Average", 170.1)


def test_ebs_queue_iops_throughput_and_burst_balance() -> None:
    p = parse_profile({"storage": {"size_gib": 100, "iops": 3000, "latency_ms": 2}})
    gp3 = _by_metric(storage_monitors(p, _opt("gp3", "ebs", volume_type="gp3", iops=3000,
                                              throughput_mibps=125), "single-digit-ms"))
    # Little's law: 3,000 IOPS x 2 ms = 6 requests in flight at the latency target.
    assert gp3["VolumeQueueLength"].threshold == 6.0
    # 90 % of 3,000 IOPS = 2,700; 90 % of 125 MiB/s = 112.5.
    iops = gp3["VolumeReadOps+VolumeWriteOps"]
    assert (iops.threshold, iops.expression) == (2700.0, "(m1+m2)/PERIOD(m1)")
    assert iops.metrics == ["VolumeReadOps", "VolumeWriteOps"]
    assert gp3["VolumeReadBytes+VolumeWriteBytes"].threshold == 112.5
    assert "BurstBalance" not in gp3
    st1 = _by_metric(storage_monitors(parse_profile({"storage": {"size_gib": 2000}}),
                                      _opt("st1", "ebs", volume_type="st1",
                                           baseline_throughput_mibps=80), "tens-of-ms"))
    assert (st1["BurstBalance"].threshold, st1["BurstBalance"].comparison) == (
        20.0, "LessThanThreshold")
    assert st1["VolumeReadBytes+VolumeWriteBytes"].threshold == 72.0  # 0.9 x 80


def test_st1_sized_for_a_daily_peak_has_no_baseline_throughput_alarm() -> None:
    # 2,048 GiB st1 (80 MiB/s baseline, 500 MiB/s burst: hdd-vols.html) sized for 500 MiB/s
    # 30 minutes a day: above 72 MiB/s every day by design, so no alarm on the baseline; the
    # burst balance (under 20 %) says when the peak outgrows the bucket.
    p = parse_profile({"storage": {"size_gib": 1000, "throughput_mibps": 500,
                                   "access_pattern": "sequential", "peak_minutes_per_day": 30}})
    st1 = _by_metric(storage_monitors(p, _opt("st1", "ebs", volume_type="st1", size_gib=2048,
                                              baseline_throughput_mibps=80), "tens-of-ms"))
    assert "VolumeReadBytes+VolumeWriteBytes" not in st1
    assert st1["BurstBalance"].threshold == 20.0
    # A sustained need (no peak minutes) keeps the baseline alarm.
    steady = parse_profile({"storage": {"size_gib": 1000, "throughput_mibps": 500,
                                        "access_pattern": "sequential"}})
    assert "VolumeReadBytes+VolumeWriteBytes" in _by_metric(storage_monitors(
        steady, _opt("st1", "ebs", volume_type="st1", size_gib=12800,
                     baseline_throughput_mibps=500), "tens-of-ms"))


def test_database_alarms() -> None:
    p = parse_profile({"database": {"data_model": "relational", "size_gib": 100}})
    rds = _by_metric(database_monitors(p, _opt("rds:postgresql", "rds", count=2,
                                               instance_class="db.r7g.large",
                                               read_replicas=1), 32.0))
    # Working set 25 % x 100 GiB = 25 GiB of 32 GiB; half of the 7 GiB left = 3.5 GiB.
    assert rds["FreeableMemory"].threshold == 3.5 * 1024**3
    assert rds["ReplicaLag"].threshold == 30.0
    assert rds["ReplicaLag"].dimensions == {"DBInstanceIdentifier": "db_replica"}
    aurora = _by_metric(database_monitors(p, _opt("aurora:postgresql", "aurora",
                                                  read_replicas=1), None))
    assert aurora["AuroraReplicaLag"].threshold == 30000.0  # milliseconds
    ddb = _by_metric(database_monitors(p, _opt("dynamodb", "dynamodb",
                                               capacity_mode="provisioned", rcu=143, wcu=20),
                                       None))
    # 90 % of 143 RCU = 128.7 per second; 90 % of 20 WCU = 18.
    assert ddb["ConsumedReadCapacityUnits"].threshold == 128.7
    assert ddb["ConsumedWriteCapacityUnits"].threshold == 18.0
    assert {"ReadThrottleEvents", "WriteThrottleEvents"} <= set(ddb)
    cache = _by_metric(database_monitors(p, _opt("elasticache:valkey", "elasticache"), None))
    assert cache["Evictions"].threshold == 0
    assert cache["DatabaseMemoryUsagePercentage"].threshold == 83.3  # 100 / 1.2


def test_cloudfront_hit_rate_from_the_static_share() -> None:
    m = cloudfront(parse_profile({"network": {"static_content_fraction": 0.5}}))
    # 80 % of the 50 % static share = 40 %.
    assert (m.metric, m.threshold, m.dimensions["Region"]) == ("CacheHitRate", 40.0, "Global")
    assert cloudfront(parse_profile({"network": {}})) is None
