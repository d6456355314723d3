"""Export to CloudFormation (checked with cfn-lint) and Terraform (parsed with python-hcl2)."""

from __future__ import annotations

import functools
import json
from typing import Any

import hcl2
import pytest
from cfnlint.api import ManualArgs, lint

from recommender.core.errors import UserError
from recommender.surfaces.export import chosen_bundle, export_response


def _opt(option: str, kind: str, rank: int = 1, **extra: Any) -> dict[str, Any]:
    return {"rank": rank, "option": option, "kind": kind, "count": extra.pop("count", 1),
            "purchase_option": extra.pop("purchase_option", "on_demand"), "score": 0.8,
            "monthly_cost_usd": 10.0, "performance_risk": 1.0, "predicted": {}, "reasons": [],
            "config": extra}


def _response(compute=(), storage=(), database=(), network=()) -> dict[str, Any]:
    return {
        "schema_version": "1", "name": "Test workload", "region": "us-east-1",
        "catalog": {"version": "1+test", "generated_at": "2026-01-01", "regions": ["us-east-1"]},
        "model": {"version": "rules-only", "trained_at": None},
        "recommendations": {"compute": list(compute), "storage": list(storage),
                            "database": list(database), "network": list(network),
                            "tradeoffs": []},
        "rejected": {}, "warnings": [],
    }


CASES = {
    "ec2-single-gp3-rds": _response(
        [_opt("m7i.large", "ec2"), _opt("m7g.large", "ec2", rank=2)],
        [_opt("gp3", "ebs", size_gib=500, iops=6000, throughput_mibps=250)],
        [_opt("rds:postgresql", "rds", instance_class="db.m6g.large", storage_gib=500,
              iops=12000, deployment="multi_az", node_count=2, read_replicas=1)],
    ),
    "ec2-asg-spot-cluster-pg-efa": _response(
        [_opt("c6in.32xlarge", "ec2", count=4, purchase_option="spot",
              scaling={"approach": "demand", "min_count": 2, "max_count": 8, "target": 60})],
        [_opt("io2", "ebs", size_gib=200, iops=20000)],
        [],
        [_opt("placement_group:cluster", "placement_group"), _opt("efa", "efa", rank=2)],
    ),
    "lambda-dynamodb-provisioned": _response(
        [_opt("lambda", "lambda", memory_mb=1024, arch="arm64")],
        [_opt("s3", "s3", storage_class="standard_ia")],
        [_opt("dynamodb", "dynamodb", capacity_mode="provisioned", rcu=200, wcu=50)],
    ),
    "static-site": _response(
        [], [_opt("s3", "s3", storage_class="standard")], [],
        [_opt("region:us-east-1", "region"), _opt("cloudfront", "cloudfront", rank=2)],
    ),
    "fargate-efs-aurora": _response(
        [_opt("fargate", "fargate", vcpu=1, memory_gib=2, arch="x86_64", count=3)],
        [_opt("efs", "efs", storage_class="ia")],
        [_opt("aurora:postgresql", "aurora", instance_class="db.r6g.large",
              deployment="io_optimized", count=2)],
    ),
    "standalone-ebs-elasticache": _response(
        [], [_opt("st1", "ebs", size_gib=2000)],
        [_opt("elasticache:valkey", "elasticache", instance_class="cache.r7g.large", count=2)],
    ),
    "memcached": _response([], [], [_opt("elasticache:memcached", "elasticache",
                                         instance_class="cache.m7g.large")]),
    "redshift": _response([], [], [_opt("redshift", "redshift", node_type="ra3.xlplus",
                                        count=2)]),
    "opensearch": _response([], [], [_opt("opensearch", "opensearch",
                                          instance_class="r6g.large.search", count=3,
                                          storage_gib=500)]),
    "dynamodb-on-demand": _response([], [], [_opt("dynamodb", "dynamodb")]),
    "dynamodb-provisioned-without-units": _response(
        [], [], [_opt("dynamodb", "dynamodb", capacity_mode="provisioned")]),
}


@functools.cache
def _cfn(case: str) -> dict[str, Any]:
    """The linted CloudFormation template of ``CASES[case]`` (cfn-lint takes ~2 s a run)."""
    text = export_response(CASES[case], "cloudformation")
    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    errors = [f"{m.rule.id} {m.message}" for m in matches]  # no errors and no warnings
    assert not errors, "\n".join(errors)
    return json.loads(text)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_cloudformation_passes_cfn_lint(case: str) -> None:
    tpl = _cfn(case)
    assert tpl["Resources"], "a template with no resources"


def _unquote(v: Any) -> Any:
    """python-hcl2 keeps the quotes of labels and strings; drop them for comparisons."""
    if isinstance(v, str) and len(v) >= 2 and v[0] == v[-1] == '"':
        return v[1:-1]
    if isinstance(v, list):
        return [_unquote(x) for x in v]
    if isinstance(v, dict):
        return {_unquote(k): _unquote(x) for k, x in v.items() if k != "__is_block__"}
    return v


def _tf(response: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parsed Terraform document and its resources keyed by ``type.name``."""
    doc = _unquote(hcl2.loads(export_response(response, "terraform")))
    resources = {
        f"{rtype}.{name}": body
        for block in doc.get("resource", [])
        for rtype, named in block.items()
        for name, body in named.items()
    }
    return doc, resources


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_terraform_parses(case: str) -> None:
    doc, resources = _tf(CASES[case])
    assert resources, "no resources"
    assert doc["provider"][0]["aws"]["region"] == "${var.region}"


def test_ec2_launch_template_carries_volume_and_instance_type() -> None:
    lt = _cfn("ec2-single-gp3-rds")["Resources"]["LaunchTemplate"]
    data = lt["Properties"]["LaunchTemplateData"]
    assert data["InstanceType"] == "m7i.large"  # rank 1, not rank 2
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    assert (ebs["VolumeType"], ebs["VolumeSize"], ebs["Iops"], ebs["Throughput"]) == (
        "gp3", 500, 6000, 250)


def test_cluster_placement_group_spot_group_and_efa() -> None:
    res = _cfn("ec2-asg-spot-cluster-pg-efa")["Resources"]
    assert res["PlacementGroup"]["Properties"]["Strategy"] == "cluster"
    asg = res["AutoScalingGroup"]["Properties"]
    assert (asg["MinSize"], asg["DesiredCapacity"], asg["MaxSize"]) == ("2", "4", "8")
    assert "MixedInstancesPolicy" in asg
    policy = res["CpuTargetTracking"]["Properties"]["TargetTrackingConfiguration"]
    assert policy["TargetValue"] == 60
    data = res["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["NetworkInterfaces"][0]["InterfaceType"] == "efa"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Iops"] == 20000


def test_rds_read_replicas_follow_the_primary() -> None:
    res = _cfn("ec2-single-gp3-rds")["Resources"]
    assert res["Database"]["Properties"]["MultiAZ"] is True
    assert res["ReadReplica1"]["Properties"]["SourceDBInstanceIdentifier"] == {"Ref": "Database"}
    _, tf = _tf(CASES["ec2-single-gp3-rds"])
    assert tf["aws_db_instance.replica"]["count"] == 1


def test_dynamodb_capacity_is_never_invented() -> None:
    res = _cfn("dynamodb-provisioned-without-units")["Resources"]
    assert res["Table"]["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    bundle = chosen_bundle(CASES["dynamodb-provisioned-without-units"])
    assert "RCU/WCU" in bundle.not_exported[0]


def test_lambda_memory_and_arch_and_dynamodb_capacity() -> None:
    res = _cfn("lambda-dynamodb-provisioned")["Resources"]
    fn = res["Function"]["Properties"]
    assert (fn["MemorySize"], fn["Architectures"]) == (1024, ["arm64"])
    table = res["Table"]["Properties"]
    assert table["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"] == {"ReadCapacityUnits": 200, "WriteCapacityUnits": 50}
    rule = res["Bucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert rule["Transitions"][0] == {"StorageClass": "STANDARD_IA", "TransitionInDays": 30}


def test_fargate_task_cpu_memory_and_aurora_io_optimized() -> None:
    res = _cfn("fargate-efs-aurora")["Resources"]
    task = res["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"]) == ("1024", "2048")
    assert res["Service"]["Properties"]["DesiredCount"] == 3
    assert res["DatabaseCluster"]["Properties"]["StorageType"] == "aurora-iopt1"
    assert {"DatabaseInstance1", "DatabaseInstance2"} <= set(res)
    # 3 tasks, one per Availability Zone: a mount target in each of the 3 subnets given.
    mounts = [res[f"MountTarget{k}"]["Properties"] for k in (1, 2, 3)]
    assert "MountTarget4" not in res
    assert [m["SubnetId"] for m in mounts] == [
        {"Fn::Select": [k, {"Ref": "SubnetIds"}]} for k in (0, 1, 2)]
    assert all(m["FileSystemId"] == {"Ref": "FileSystem"} for m in mounts)


def test_terraform_values() -> None:
    _, res = _tf(CASES["ec2-asg-spot-cluster-pg-efa"])
    lt = res["aws_launch_template.this"]
    assert lt["instance_type"] == "c6in.32xlarge"
    assert lt["block_device_mappings"][0]["ebs"][0]["iops"] == 20000
    assert lt["network_interfaces"][0]["interface_type"] == "efa"
    assert res["aws_placement_group.this"]["strategy"] == "cluster"
    asg = res["aws_autoscaling_group.this"]
    assert (asg["min_size"], asg["desired_capacity"], asg["max_size"]) == (2, 4, 8)
    target = res["aws_autoscaling_policy.cpu"]["target_tracking_configuration"][0]
    assert target["target_value"] == 60
    _, res = _tf(CASES["lambda-dynamodb-provisioned"])
    fn = res["aws_lambda_function.this"]
    assert (fn["memory_size"], fn["architectures"]) == (1024, ["arm64"])
    table = res["aws_dynamodb_table.this"]
    assert (table["billing_mode"], table["read_capacity"], table["write_capacity"]) == (
        "PROVISIONED", 200, 50)


def test_arm_instance_gets_arm_ami() -> None:
    resp = _response([_opt("m7g.large", "ec2")])
    tpl = json.loads(export_response(resp, "cloudformation"))
    assert tpl["Parameters"]["ImageId"]["Default"].endswith("arm64")


@pytest.mark.parametrize(
    ("response", "match"),
    [
        ({"foo": 1}, "recommendations"),
        ([], "recommendations"),
        (_response([_opt("m5.large", "ec2")]), "format"),
        (_response(network=[_opt("cloudfront", "cloudfront")]), "no rank-1"),
    ],
    ids=["no-recommendations", "not-a-dict", "bad-format", "nothing-exportable"],
)
def test_export_refuses_what_it_cannot_export(response: Any, match: str) -> None:
    fmt = "yaml" if match == "format" else "terraform"
    with pytest.raises(UserError, match=match):
        export_response(response, fmt)


def test_unknown_kind_is_listed_as_not_exported() -> None:
    bundle = chosen_bundle(_response([_opt("m5.large", "ec2")],
                                     [_opt("instance_store", "instance_store")]))
    assert bundle.not_exported == ["storage: instance_store"]


def test_fixed_size_group_gets_no_target_tracking_policy() -> None:
    fixed = _opt("t4g.small", "ec2", count=2,
                 scaling={"approach": "demand", "min_count": 2, "max_count": 2, "target": 70})
    template = json.loads(export_response(_response([fixed]), "cloudformation"))
    asg = template["Resources"]["AutoScalingGroup"]["Properties"]
    assert (asg["MinSize"], asg["MaxSize"]) == ("2", "2")
    assert "CpuTargetTracking" not in template["Resources"]
    assert not lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))


def test_efs_archive_lifecycle_is_exported_to_both_formats() -> None:
    efs = _opt("efs", "efs", storage_class="archive",
               lifecycle={"transition_to_ia": "AFTER_30_DAYS",
                          "transition_to_archive": "AFTER_90_DAYS"})
    response = _response([_opt("m7g.large", "ec2")], [efs])
    cfn = json.loads(export_response(response, "cloudformation"))
    policies = cfn["Resources"]["FileSystem"]["Properties"]["LifecyclePolicies"]
    assert policies == [{"TransitionToIA": "AFTER_30_DAYS"},
                        {"TransitionToArchive": "AFTER_90_DAYS"}]
    assert not lint(json.dumps(cfn), config=ManualArgs(regions=["us-east-1"]))
    _, resources = _tf(response)
    assert resources["aws_efs_file_system.this"]["lifecycle_policy"] == [
        {"transition_to_ia": "AFTER_30_DAYS"}, {"transition_to_archive": "AFTER_90_DAYS"}]
    # An IA class without an explicit lifecycle falls back to EFS's 30-day default.
    ia = _opt("efs", "efs", storage_class="ia")
    cfn = json.loads(export_response(_response([_opt("m7g.large", "ec2")], [ia]),
                                     "cloudformation"))
    assert cfn["Resources"]["FileSystem"]["Properties"]["LifecyclePolicies"] == [
        {"TransitionToIA": "AFTER_30_DAYS"}]


def test_group_spreads_over_subnets_and_its_volumes_go_with_the_instances() -> None:
    tpl = _cfn("ec2-asg-spot-cluster-pg-efa")
    # "one per AZ" needs several subnets: a list parameter, used as the group's zones.
    assert tpl["Parameters"]["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    res = tpl["Resources"]
    assert res["AutoScalingGroup"]["Properties"]["VPCZoneIdentifier"] == {"Ref": "SubnetIds"}
    data = res["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    # A replaced instance must not leave its data volume behind.
    assert data["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is True
    assert data["NetworkInterfaces"][0]["Groups"] == {"Ref": "SecurityGroupIds"}
    single = _cfn("ec2-single-gp3-rds")
    sdata = single["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert sdata["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is False
    assert sdata["SecurityGroupIds"] == {"Ref": "SecurityGroupIds"}
    doc, resources = _tf(CASES["ec2-asg-spot-cluster-pg-efa"])
    asg = resources["aws_autoscaling_group.this"]
    assert asg["vpc_zone_identifier"] == "${var.subnet_ids}"
    variables = {k: v for block in doc["variable"] for k, v in block.items()}
    assert variables["subnet_ids"]["type"] == "${list(string)}"


# --- S3 + CloudFront with origin access control, as AWS's page sets it up:
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html


def test_static_site_is_a_private_bucket_behind_cloudfront_with_oac() -> None:
    res = _cfn("static-site")["Resources"]  # cfn-lint clean (see _cfn)
    block = res["Bucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                     "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    oac = res["OriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    # The page: origin type s3, sign requests always, signing protocol SigV4.
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"],
            oac["SigningProtocol"]) == ("s3", "always", "sigv4")
    config = res["Distribution"]["Properties"]["DistributionConfig"]
    origin = config["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}
    # With OAC the legacy origin access identity stays empty.
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == origin["Id"]
    statement = res["BucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert (statement["Effect"], statement["Action"]) == ("Allow", "s3:GetObject")
    assert statement["Resource"] == {"Fn::Sub": "${Bucket.Arn}/*"}
    source = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":cloudfront::${AWS::AccountId}:distribution/${Distribution}")


def test_static_site_terraform_has_the_same_pieces() -> None:
    _, res = _tf(CASES["static-site"])
    assert all(res["aws_s3_bucket_public_access_block.this"][k] is True for k in (
        "block_public_acls", "block_public_policy", "ignore_public_acls",
        "restrict_public_buckets"))
    oac = res["aws_cloudfront_origin_access_control.this"]
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"],
            oac["signing_protocol"]) == ("s3", "always", "sigv4")
    origin = res["aws_cloudfront_distribution.this"]["origin"][0]
    assert origin["origin_access_control_id"] == (
        "${aws_cloudfront_origin_access_control.this.id}")
    assert origin["domain_name"] == "${aws_s3_bucket.this.bucket_regional_domain_name}"
    policy = res["aws_s3_bucket_policy.this"]["policy"]
    for part in ("cloudfront.amazonaws.com", "AWS:SourceArn", "s3:GetObject",
                 "aws_cloudfront_distribution.this.arn", "${aws_s3_bucket.this.arn}/*"):
        assert part in policy


def test_cache_hit_alarm_watches_the_exported_distribution() -> None:
    response = dict(CASES["static-site"], monitoring=[{
        "id": "cloudfront_cache_hit_rate", "category": "network", "option": "cloudfront",
        "namespace": "AWS/CloudFront", "metric": "CacheHitRate",
        "dimensions": {"DistributionId": "distribution", "Region": "Global"},
        "statistic": "Average", "threshold": 80.0, "comparison": "LessThanThreshold",
        "period_s": 3600, "evaluation_periods": 3, "datapoints_to_alarm": 3}])
    tpl = json.loads(export_response(response, "cloudformation"))
    alarm = tpl["Resources"]["AlarmCloudfrontCacheHitRate"]
    assert "Condition" not in alarm  # the distribution is in the template: no id to ask for
    assert {"Name": "DistributionId", "Value": {"Ref": "Distribution"}} in (
        alarm["Properties"]["Dimensions"])
    assert not lint(json.dumps(tpl), config=ManualArgs(regions=["us-east-1"]))


def test_cloudfront_without_a_bucket_is_said_not_exported() -> None:
    response = _response([_opt("t4g.small", "ec2", count=2)], [], [],
                         [_opt("cloudfront", "cloudfront")])
    bundle = chosen_bundle(response)
    assert any(n.startswith("cloudfront:") for n in bundle.not_exported)
    assert "Distribution" not in json.loads(export_response(response, "cloudformation"))[
        "Resources"]


def test_ena_express_is_set_on_the_interface_and_enhanced_networking_is_built_in() -> None:
    response = _response([_opt("c7gn.16xlarge", "ec2")], [], [],
                         [_opt("ena_express", "ena_express"),
                          _opt("enhanced_networking", "enhanced_networking", rank=2)])
    tpl = json.loads(export_response(response, "cloudformation"))
    nic = tpl["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"][
        "NetworkInterfaces"][0]
    assert nic["EnaSrdSpecification"] == {"EnaSrdEnabled": True}
    assert nic["SubnetId"] == {"Ref": "SubnetId"}  # one instance: its subnet is the NIC's
    assert "SubnetId" not in tpl["Resources"]["Instance"]["Properties"]
    assert not lint(json.dumps(tpl), config=ManualArgs(regions=["us-east-1"]))
    notes = chosen_bundle(response).not_exported
    assert any(n.startswith("enhanced_networking: on by default") for n in notes)
    _, res = _tf(response)
    tf_nic = res["aws_launch_template.this"]["network_interfaces"][0]
    assert tf_nic["ena_srd_specification"][0]["ena_srd_enabled"] is True


def _tf_json_resources(response: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(export_response(response, "terraform-json"))
    return {f"{rtype}.{name}": body for rtype, named in doc.get("resource", {}).items()
            for name, body in named.items()}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_terraform_json_holds_the_same_resources_as_hcl(case: str) -> None:
    _, hcl_resources = _tf(CASES[case])
    assert set(_tf_json_resources(CASES[case])) == set(hcl_resources)


def test_terraform_json_writes_references_as_templates() -> None:
    doc = json.loads(export_response(CASES["ec2-asg-spot-cluster-pg-efa"], "terraform-json"))
    # JSON syntax: an expression is a "${...}" string; a variable's type is a bare type.
    asg = doc["resource"]["aws_autoscaling_group"]["this"]
    assert asg["vpc_zone_identifier"] == "${var.subnet_ids}"
    assert (asg["min_size"], asg["max_size"]) == (2, 8)
    assert doc["variable"]["subnet_ids"]["type"] == "list(string)"
    assert doc["provider"]["aws"]["region"] == "${var.region}"
    lt = doc["resource"]["aws_launch_template"]["this"]
    assert lt["block_device_mappings"]["ebs"]["iops"] == 20000


def test_cli_writes_terraform_json(tmp_path) -> None:
    from recommender.surfaces.cli.main import main

    saved, out = tmp_path / "response.json", tmp_path / "main.tf.json"
    saved.write_text(json.dumps(CASES["static-site"]))
    assert main(["export", "--format", "terraform-json", str(saved), "--out", str(out)]) == 0
    resources = json.loads(out.read_text())["resource"]
    assert "aws_cloudfront_origin_access_control" in resources
