"""Monitoring audit 11: alarms checked against the AWS pages, thresholds worked by hand."""

from __future__ import annotations

from typing import Any

from recommender import recommend


def _monitors(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    r = recommend(profile).model_dump(mode="json")
    return {m["id"]: m for m in r["monitoring"]}


def test_a_raid0_array_is_alarmed_per_volume_on_its_share() -> None:
    # 2,000 GiB at 300,000 IOPS, 0.5 ms: only io2 Block Express is sub-millisecond, and one
    # io2 volume gives at most 256,000 IOPS (https://docs.aws.amazon.com/ebs/latest/userguide/
    # provisioned-iops.html), so RAID 0 across ceil(300,000 / 256,000) = 2 volumes of
    # 300,000 / 2 = 150,000 IOPS each (https://docs.aws.amazon.com/ebs/latest/userguide/
    # raid-config.html: the array's IOPS are the sum of its volumes').  The AWS/EBS metrics
    # are per VolumeId, so one volume is alarmed against its own 150,000 IOPS:
    #   IOPS alarm 0.9 x 150,000 = 135,000 ops/s (not 0.9 x 300,000 = 270,000, which one
    #   volume can never reach);
    #   queue (Little's law) 150,000 IOPS x 0.5 ms / 1,000 = 75 requests (not 150).
    m = _monitors({"name": "io2-array", "region": "us-east-1", "storage": {
        "size_gib": 2000, "iops": 300000, "access_pattern": "random", "latency_ms": 0.5,
        "persistence": "persistent", "sharing": "single_instance"}})
    assert m["ebs_iops"]["dimensions"] == {"VolumeId": "volume"}
    assert m["ebs_iops"]["expression"] == "(m1+m2)/PERIOD(m1)"
    assert m["ebs_iops"]["threshold"] == 135000.0
    assert m["ebs_queue_length"]["threshold"] == 75.0
    assert "raid-config.html" in m["ebs_iops"]["reason"]["text"]


def test_a_gp3_array_is_alarmed_on_one_volume_s_throughput() -> None:
    # 4,000 GiB at 150,000 IOPS and 3,000 MiB/s: one gp3 gives at most 80,000 IOPS and
    # 2,000 MiB/s (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html), so
    # ceil(150,000 / 80,000) = 2 = ceil(3,000 / 2,000) volumes of 75,000 IOPS and 1,500 MiB/s
    # each.  Per volume: IOPS 0.9 x 75,000 = 67,500; throughput 0.9 x 1,500 = 1,350 MiB/s
    # (before: 0.9 x 150,000 = 135,000 and 0.9 x 3,000 = 2,700, above one gp3's maxima).
    m = _monitors({"name": "gp3-array", "region": "us-east-1", "storage": {
        "size_gib": 4000, "iops": 150000, "throughput_mibps": 3000,
        "access_pattern": "random", "sharing": "single_instance",
        "persistence": "persistent"}})
    assert m["ebs_iops"]["threshold"] == 67500.0
    assert m["ebs_throughput"]["threshold"] == 1350.0


def test_an_rds_instance_gets_the_recommended_free_storage_alarm() -> None:
    # CloudWatch's recommended FreeStorageSpace alarm (https://docs.aws.amazon.com/
    # AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html):
    # Minimum, LessThanThreshold, period 60 s, 5 of 5 datapoints, "calculate the value of 10
    # percent of the allocated storage space and use that result as the threshold value"
    # (FreeStorageSpace is in bytes, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/
    # rds-metrics.html).  500 GiB of PostgreSQL data on RDS: 0.1 x 500 GiB = 50 GiB
    # = 50 x 1,073,741,824 = 53,687,091,200 bytes.
    m = _monitors({"name": "pg", "region": "us-east-1", "environment": "production",
                   "database": {"data_model": "relational", "engine": "postgresql",
                                "size_gib": 500, "reads_per_s": 5000, "writes_per_s": 500}})
    a = m["db_free_storage"]
    assert (a["namespace"], a["metric"], a["statistic"], a["comparison"]) == (
        "AWS/RDS", "FreeStorageSpace", "Minimum", "LessThanThreshold")
    assert (a["period_s"], a["evaluation_periods"], a["datapoints_to_alarm"]) == (60, 5, 5)
    assert a["dimensions"] == {"DBInstanceIdentifier": "db_instance"}
    assert a["threshold"] == 53_687_091_200
    assert "Best_Practice_Recommended_Alarms_AWS_Services" in a["reason"]["text"]


def test_the_free_storage_alarm_watches_the_storage_allocated() -> None:
    # 10 GiB of MySQL data: RDS allocates (and bills) at least 20 GiB, CreateDBInstance's
    # minimum (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/
    # API_CreateDBInstance.html), and the export creates AllocatedStorage 20; 10 % of it is
    # 2 GiB = 2 x 1,073,741,824 = 2,147,483,648 bytes (not 10 % of the 10 GiB of data).
    m = _monitors({"name": "small", "region": "us-east-1", "database": {
        "data_model": "relational", "engine": "mysql", "size_gib": 10,
        "reads_per_s": 100, "writes_per_s": 20}})
    assert m["db_free_storage"]["threshold"] == 2_147_483_648


def test_an_opensearch_domain_gets_the_alarms_aws_recommends() -> None:
    # Recommended CloudWatch alarms for OpenSearch Service (https://docs.aws.amazon.com/
    # opensearch-service/latest/developerguide/cloudwatch-alarms.html), namespace AWS/ES,
    # dimensions DomainName and ClientId: ClusterStatus.red maximum >= 1 for 1 minute;
    # ClusterIndexWritesBlocked >= 1 for 5 minutes; FreeStorageSpace (megabytes) minimum
    # <= 25 % of each node's storage for 1 minute.  500 GiB of production search: 3 data
    # nodes with 500 x 2 x 1.45 / 3 = 483.3 -> 484 GiB of EBS each (sizing-domains.html), so
    # 484 x 1,024 MB x 0.25 = 123,904 MB.  Before, an OpenSearch option had no alarm at all.
    m = _monitors({"name": "search", "region": "us-east-1", "environment": "production",
                   "database": {"data_model": "search", "size_gib": 500,
                                "query_pattern": "full_text"}})
    red, blocked, free = m["search_cluster_red"], m["search_writes_blocked"], \
        m["search_free_storage"]
    for a in (red, blocked, free):
        assert a["namespace"] == "AWS/ES"
        assert a["dimensions"] == {"DomainName": "search_domain", "ClientId": "account_id"}
        assert a["evaluation_periods"] == 1
    assert (red["metric"], red["statistic"], red["comparison"], red["threshold"],
            red["period_s"]) == ("ClusterStatus.red", "Maximum",
                                 "GreaterThanOrEqualToThreshold", 1.0, 60)
    assert (blocked["metric"], blocked["threshold"], blocked["period_s"]) == (
        "ClusterIndexWritesBlocked", 1.0, 300)
    assert (free["metric"], free["statistic"], free["comparison"], free["period_s"]) == (
        "FreeStorageSpace", "Minimum", "LessThanOrEqualToThreshold", 60)
    assert free["threshold"] == 123_904
    assert "cloudwatch-alarms.html" in free["reason"]["text"]


def test_ec2_gets_the_recommended_status_check_alarm() -> None:
    # CloudWatch's recommended StatusCheckFailed alarm for EC2 (https://docs.aws.amazon.com/
    # AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html):
    # dimension InstanceId, Maximum, threshold 1.0 ("when a status check fails, the value of
    # this metric is 1"), period 300, 2 of 2 datapoints, GreaterThanOrEqualToThreshold.
    # Before, an EC2 option had CPU (and credit) alarms only.
    m = _monitors({"name": "api", "region": "us-east-1",
                   "compute": {"vcpus": 4, "memory_gib": 16, "arch": "any"}})
    a = m["ec2_status_check"]
    assert (a["namespace"], a["metric"], a["statistic"], a["threshold"], a["comparison"]) == (
        "AWS/EC2", "StatusCheckFailed", "Maximum", 1.0, "GreaterThanOrEqualToThreshold")
    assert (a["period_s"], a["evaluation_periods"], a["datapoints_to_alarm"]) == (300, 2, 2)
    assert a["dimensions"] == {"InstanceId": "instance"}
