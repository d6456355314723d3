"""Export audit 11: every property valid for its resource type and equal to the option's
configuration (cfn-lint for CloudFormation; the figures worked by hand from the AWS pages)."""

from __future__ import annotations

import json

import hcl2
from cfn_lint_helper import linted_template, unquote

from recommender.core.engine import recommend
from recommender.surfaces.export import export_response


def _response(profile: dict) -> dict:
    return json.loads(recommend(profile, models=False).model_dump_json())


def test_a_raid0_array_is_exported_as_its_volumes() -> None:
    # 2,000 GiB at 300,000 IOPS, 0.5 ms: io2 Block Express (the sub-millisecond type) gives
    # at most 256,000 IOPS a volume (https://docs.aws.amazon.com/ebs/latest/userguide/
    # provisioned-iops.html), so the option is RAID 0 across ceil(300,000 / 256,000) = 2
    # volumes of 2,000 / 2 = 1,000 GiB and 300,000 / 2 = 150,000 IOPS each
    # (https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html).  Before, the
    # template asked for ONE io2 volume of 2,000 GiB at 300,000 IOPS, which CreateVolume
    # refuses (above 256,000).
    resp = _response({"name": "array", "region": "us-east-1", "storage": {
        "size_gib": 2000, "iops": 300000, "access_pattern": "random", "latency_ms": 0.5,
        "persistence": "persistent", "sharing": "single_instance"}})
    best = resp["recommendations"]["storage"][0]
    assert (best["option"], best["config"]["volumes"]) == ("io2", 2)
    tpl = linted_template(export_response(resp, "cloudformation"))
    vols = {k: v["Properties"] for k, v in tpl["Resources"].items()
            if v["Type"] == "AWS::EC2::Volume"}
    assert sorted(vols) == ["Volume", "Volume2"]
    for p in vols.values():
        assert (p["VolumeType"], p["Size"], p["Iops"]) == ("io2", 1000, 150000)
    doc = unquote(hcl2.loads(export_response(resp, "terraform")))
    tf = {name: body for r in doc["resource"] if "aws_ebs_volume" in r
          for name, body in r["aws_ebs_volume"].items()}
    assert sorted(tf) == ["this", "this_2"]
    assert {(b["size"], b["iops"]) for b in tf.values()} == {(1000, 150000)}
    assert "raid-config.html" in " ".join(tpl["Metadata"]["Recommender"]["not_exported"])


def test_an_instance_s_raid0_array_is_one_mapping_per_volume() -> None:
    # 8 vCPUs / 32 GiB with 4,000 GiB at 150,000 IOPS and 3,000 MiB/s: one gp3 gives at most
    # 80,000 IOPS and 2,000 MiB/s (https://docs.aws.amazon.com/ebs/latest/userguide/
    # general-purpose.html), so 2 gp3 of 4,000 / 2 = 2,000 GiB, 150,000 / 2 = 75,000 IOPS
    # and 3,000 / 2 = 1,500 MiB/s each, mapped on /dev/xvdb and /dev/xvdc.  Before: one
    # mapping of 4,000 GiB at 150,000 IOPS and 3,000 MiB/s, above one gp3's maxima.
    resp = _response({"name": "array-host", "region": "us-east-1",
                      "compute": {"vcpus": 8, "memory_gib": 32, "hours_per_month": 730},
                      "storage": {"size_gib": 4000, "iops": 150000, "throughput_mibps": 3000,
                                  "access_pattern": "random", "sharing": "single_instance",
                                  "persistence": "persistent"}})
    assert resp["recommendations"]["storage"][0]["config"]["volumes"] == 2
    tpl = linted_template(export_response(resp, "cloudformation"))
    data = tpl["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    maps = [(m["DeviceName"], m["Ebs"]["VolumeSize"], m["Ebs"]["Iops"], m["Ebs"]["Throughput"])
            for m in data["BlockDeviceMappings"]]
    assert maps == [("/dev/xvdb", 2000, 75000, 1500), ("/dev/xvdc", 2000, 75000, 1500)]
    doc = unquote(hcl2.loads(export_response(resp, "terraform")))
    lt = next(r["aws_launch_template"]["this"] for r in doc["resource"]
              if "aws_launch_template" in r)
    assert [m["device_name"] for m in lt["block_device_mappings"]] == ["/dev/xvdb", "/dev/xvdc"]


def test_opensearch_alarms_name_the_domain_and_the_account() -> None:
    # AWS/ES metrics are per DomainName and ClientId (the account id,
    # https://docs.aws.amazon.com/opensearch-service/latest/developerguide/
    # managedomains-cloudwatchmetrics.html): CloudFormation fills them with Ref SearchDomain
    # (the domain name) and Ref AWS::AccountId, Terraform with the domain's domain_name and
    # data.aws_caller_identity's account_id.
    resp = _response({"name": "search", "region": "us-east-1", "environment": "production",
                      "database": {"data_model": "search", "size_gib": 500,
                                   "query_pattern": "full_text"}})
    tpl = linted_template(export_response(resp, "cloudformation"))
    red = tpl["Resources"]["AlarmSearchClusterRed"]["Properties"]
    assert (red["Namespace"], red["MetricName"], red["Threshold"]) == (
        "AWS/ES", "ClusterStatus.red", 1.0)
    assert red["Dimensions"] == [{"Name": "DomainName", "Value": {"Ref": "SearchDomain"}},
                                 {"Name": "ClientId", "Value": {"Ref": "AWS::AccountId"}}]
    text = export_response(resp, "terraform")
    assert 'data "aws_caller_identity" "current"' in text
    doc = unquote(hcl2.loads(text))
    alarms = {name: body for r in doc["resource"] if "aws_cloudwatch_metric_alarm" in r
              for name, body in r["aws_cloudwatch_metric_alarm"].items()}
    dims = alarms["search_free_storage"]["dimensions"]
    assert dims == {"DomainName": "${aws_opensearch_domain.this.domain_name}",
                    "ClientId": "${data.aws_caller_identity.current.account_id}"}


def _static_site(region: str) -> dict:
    return _response({"name": "site", "region": region, "objective": "cost", "storage": {
        "size_gib": 20, "sharing": "web", "persistence": "persistent",
        "access_frequency": "hot"}, "network": {
        "user_regions": {"us-east-1": 0.5, "eu-west-1": 0.3, "ap-northeast-1": 0.2},
        "egress_gib_per_month": 2000, "static_content_fraction": 1.0}})


def test_the_cache_hit_alarm_turns_on_the_metric_it_watches() -> None:
    # CacheHitRate is one of CloudFront's additional metrics: "you can turn on additional
    # metrics for an additional cost ... must be turned on for each distribution
    # separately" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/
    # monitoring-using-cloudwatch.html).  Before, the template created the distribution and
    # the alarm but not the subscription, so the alarm never had data.
    resp = _static_site("us-east-1")
    assert any(m["id"] == "cloudfront_cache_hit_rate" for m in resp["monitoring"])
    tpl = linted_template(export_response(resp, "cloudformation"))
    sub = tpl["Resources"]["MonitoringSubscription"]
    assert sub["Type"] == "AWS::CloudFront::MonitoringSubscription"
    assert sub["Properties"] == {"DistributionId": {"Ref": "Distribution"},
                                 "MonitoringSubscription": {
                                     "RealtimeMetricsSubscriptionConfig": {
                                         "RealtimeMetricsSubscriptionStatus": "Enabled"}}}
    assert "AlarmCloudfrontCacheHitRate" in tpl["Resources"]
    doc = unquote(hcl2.loads(export_response(resp, "terraform")))
    subs = [r["aws_cloudfront_monitoring_subscription"]["this"] for r in doc["resource"]
            if "aws_cloudfront_monitoring_subscription" in r]
    assert subs and subs[0]["distribution_id"] == "${aws_cloudfront_distribution.this.id}"


def test_a_cloudfront_alarm_is_not_put_in_another_region_s_stack() -> None:
    # "To get the CloudFront metrics from the CloudWatch API, you must use the US East (N.
    # Virginia) Region (us-east-1)" (https://docs.aws.amazon.com/AmazonCloudFront/latest/
    # DeveloperGuide/programming-cloudwatch-metrics.html): an alarm in an eu-west-1 stack
    # would watch a metric that is never there.  Before, the eu-west-1 template created it;
    # now it is left out and the output says to create it in us-east-1.
    resp = _static_site("eu-west-1")
    assert any(m["id"] == "cloudfront_cache_hit_rate" for m in resp["monitoring"])
    tpl = linted_template(export_response(resp, "cloudformation"))
    assert "AlarmCloudfrontCacheHitRate" not in tpl["Resources"]
    notes = " ".join(tpl["Metadata"]["Recommender"]["not_exported"])
    assert "us-east-1 only" in notes and "programming-cloudwatch-metrics.html" in notes
    tf = export_response(resp, "terraform")
    assert 'resource "aws_cloudwatch_metric_alarm" "cloudfront_cache_hit_rate"' not in tf
