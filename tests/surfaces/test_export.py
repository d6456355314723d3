"""Export to CloudFormation (checked with cfn-lint) and Terraform (parsed with python-hcl2)."""

from __future__ import annotations

import functools
import json
from typing import Any

import hcl2
import pytest
from cfn_lint_helper import cfn_lint, unquote

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
                                          storage_gib=500, volume_gib_per_node=484,
                                          dedicated_master_type="m6g.large.search",
                                          dedicated_master_count=3)]),
    "dynamodb-on-demand": _response([], [], [_opt("dynamodb", "dynamodb")]),
    "lambda-rds-mysql": _response(
        [_opt("lambda", "lambda", memory_mb=512, arch="x86_64")], [],
        [_opt("rds:mysql", "rds", instance_class="db.t4g.medium", storage_gib=50)]),
    "ec2-group-s3-endpoint": _response(
        [_opt("m7g.large", "ec2", count=2)], [_opt("s3", "s3")], [],
        [_opt("vpc_endpoint", "vpc_endpoint", service="s3", type="gateway")]),
    "dynamodb-provisioned-without-units": _response(
        [], [], [_opt("dynamodb", "dynamodb", capacity_mode="provisioned")]),
}


@functools.cache
def _cfn(case: str) -> dict[str, Any]:
    """The linted CloudFormation template of ``CASES[case]`` (cfn-lint takes ~2 s a run)."""
    text = export_response(CASES[case], "cloudformation")
    matches = cfn_lint(text)
    errors = [f"{m.rule.id} {m.message}" for m in matches]  # no errors and no warnings
    assert not errors, "\n".join(errors)
    return json.loads(text)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_cloudformation_passes_cfn_lint(case: str) -> None:
    tpl = _cfn(case)
    assert tpl["Resources"], "a template with no resources"


def _tf(response: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parsed Terraform document and its resources keyed by ``type.name``."""
    doc = unquote(hcl2.loads(export_response(response, "terraform")))
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
    # Instance store is the instance's own disk: nothing to create, said with the page.
    (note,) = bundle.not_exported
    assert note.startswith("storage: instance_store: the NVMe instance store of the instance")
    assert "so-instance-store-volumes.html" in note


def test_fixed_size_group_gets_no_target_tracking_policy() -> None:
    fixed = _opt("t4g.small", "ec2", count=2,
                 scaling={"approach": "demand", "min_count": 2, "max_count": 2, "target": 70})
    template = json.loads(export_response(_response([fixed]), "cloudformation"))
    asg = template["Resources"]["AutoScalingGroup"]["Properties"]
    assert (asg["MinSize"], asg["MaxSize"]) == ("2", "2")
    assert "CpuTargetTracking" not in template["Resources"]
    assert not cfn_lint(json.dumps(template))


def test_efs_archive_lifecycle_is_exported_to_both_formats() -> None:
    efs = _opt("efs", "efs", storage_class="archive",
               lifecycle={"transition_to_ia": "AFTER_30_DAYS",
                          "transition_to_archive": "AFTER_90_DAYS"})
    response = _response([_opt("m7g.large", "ec2")], [efs])
    cfn = json.loads(export_response(response, "cloudformation"))
    policies = cfn["Resources"]["FileSystem"]["Properties"]["LifecyclePolicies"]
    assert policies == [{"TransitionToIA": "AFTER_30_DAYS"},
                        {"TransitionToArchive": "AFTER_90_DAYS"}]
    assert not cfn_lint(json.dumps(cfn))
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
    assert data["NetworkInterfaces"][0]["Groups"] == [_APP_SG]
    single = _cfn("ec2-single-gp3-rds")
    sdata = single["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert sdata["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is False
    assert sdata["SecurityGroupIds"] == [_APP_SG]
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
    assert not cfn_lint(json.dumps(tpl))


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
    assert not cfn_lint(json.dumps(tpl))
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


# --- Security groups, subnet groups and the gateway endpoint, created in the VPC input.
# Expected from the cases' options by hand: the default ports are AWS's (RDS CreateDBInstance
# Port: PostgreSQL 5432, MySQL 3306; ElastiCache 6379 Valkey/Redis, 11211 Memcached; Redshift
# CreateCluster Port 5439; OpenSearch in a VPC 443; EFS NFS 2049).

_APP_SG = {"Fn::GetAtt": ["AppSecurityGroup", "GroupId"]}
_DB_SG = {"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}


def _ingress(res: dict[str, Any], group: str) -> list[tuple[Any, ...]]:
    """(protocol, from, to, source) of every inbound rule of ``group``."""
    return [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), p["SourceSecurityGroupId"])
            for r in res.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"
            for p in [r["Properties"]]
            if p["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}]


def _groups(res: dict[str, Any]) -> set[str]:
    return {k for k, r in res.items() if r["Type"] == "AWS::EC2::SecurityGroup"}


@pytest.mark.parametrize(("case", "port"), [
    ("ec2-single-gp3-rds", 5432), ("fargate-efs-aurora", 5432),
    ("standalone-ebs-elasticache", 6379), ("memcached", 11211), ("redshift", 5439),
    ("opensearch", 443), ("lambda-rds-mysql", 3306)])
def test_database_group_lets_in_only_its_port_from_the_app_group(case: str, port: int) -> None:
    tpl = _cfn(case)
    res = tpl["Resources"]
    assert {"AppSecurityGroup", "DatabaseSecurityGroup"} <= _groups(res)
    assert all(res[g]["Properties"]["VpcId"] == {"Ref": "VpcId"} for g in _groups(res))
    assert tpl["Parameters"]["VpcId"]["Type"] == "AWS::EC2::VPC::Id"
    assert _ingress(res, "DatabaseSecurityGroup") == [("tcp", port, port, _APP_SG)]
    assert _ingress(res, "AppSecurityGroup") == []  # nothing asks for inbound to the app


@pytest.mark.parametrize(("case", "rtype", "ref"), [
    ("ec2-single-gp3-rds", "AWS::RDS::DBSubnetGroup", ("Database", "DBSubnetGroupName")),
    ("fargate-efs-aurora", "AWS::RDS::DBSubnetGroup", ("DatabaseCluster", "DBSubnetGroupName")),
    ("standalone-ebs-elasticache", "AWS::ElastiCache::SubnetGroup",
     ("Cache", "CacheSubnetGroupName")),
    ("memcached", "AWS::ElastiCache::SubnetGroup", ("Cache", "CacheSubnetGroupName")),
    ("redshift", "AWS::Redshift::ClusterSubnetGroup", ("Warehouse", "ClusterSubnetGroupName"))])
def test_database_sits_in_a_subnet_group_over_the_subnets_list(
        case: str, rtype: str, ref: tuple[str, str]) -> None:
    tpl = _cfn(case)
    res = tpl["Resources"]
    assert res["SubnetGroup"]["Type"] == rtype
    assert res["SubnetGroup"]["Properties"]["SubnetIds"] == {"Ref": "SubnetIds"}
    assert tpl["Parameters"]["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    name, prop = ref
    assert res[name]["Properties"][prop] == {"Ref": "SubnetGroup"}


def test_rds_and_its_replica_use_the_database_group() -> None:
    res = _cfn("ec2-single-gp3-rds")["Resources"]
    assert res["Database"]["Properties"]["VPCSecurityGroups"] == [_DB_SG]
    assert res["ReadReplica1"]["Properties"]["VPCSecurityGroups"] == [_DB_SG]
    _, tf = _tf(CASES["ec2-single-gp3-rds"])
    assert tf["aws_db_instance.this"]["db_subnet_group_name"] == (
        "${aws_db_subnet_group.this.name}")
    assert tf["aws_db_instance.this"]["vpc_security_group_ids"] == [
        "${aws_security_group.database.id}"]
    assert tf["aws_db_subnet_group.this"]["subnet_ids"] == "${var.subnet_ids}"
    rule = tf["aws_vpc_security_group_ingress_rule.database_1"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 5432, 5432)
    assert rule["referenced_security_group_id"] == "${aws_security_group.app.id}"
    assert rule["security_group_id"] == "${aws_security_group.database.id}"
    # Terraform drops AWS's default egress rule: each group gets it written out.
    for key in ("app", "database"):
        egress = tf[f"aws_vpc_security_group_egress_rule.{key}_all"]
        assert (egress["ip_protocol"], egress["cidr_ipv4"]) == ("-1", "0.0.0.0/0")
        assert tf[f"aws_security_group.{key}"]["vpc_id"] == "${var.vpc_id}"


def test_efa_group_allows_all_traffic_within_itself() -> None:
    res = _cfn("ec2-asg-spot-cluster-pg-efa")["Resources"]
    assert _groups(res) == {"AppSecurityGroup"}  # no database, no file system
    # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html#efa-start-security
    assert _ingress(res, "AppSecurityGroup") == [("-1", None, None, _APP_SG)]
    _, tf = _tf(CASES["ec2-asg-spot-cluster-pg-efa"])
    rule = tf["aws_vpc_security_group_ingress_rule.app_1"]
    assert rule["ip_protocol"] == "-1" and "from_port" not in rule
    assert rule["referenced_security_group_id"] == "${aws_security_group.app.id}"


def test_fargate_tasks_and_efs_mount_targets_get_their_groups() -> None:
    tpl = _cfn("fargate-efs-aurora")
    res = tpl["Resources"]
    vpc = res["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert vpc["SecurityGroups"] == [_APP_SG]
    efs_sg = {"Fn::GetAtt": ["EfsSecurityGroup", "GroupId"]}
    assert all(res[f"MountTarget{k}"]["Properties"]["SecurityGroups"] == [efs_sg]
               for k in (1, 2, 3))
    assert _ingress(res, "EfsSecurityGroup") == [("tcp", 2049, 2049, _APP_SG)]
    assert res["DatabaseCluster"]["Properties"]["VpcSecurityGroupIds"] == [_DB_SG]
    # One subnets list for the tasks, mount targets and the database: 3 tasks, 3 zones.
    assert "at least 3" in tpl["Parameters"]["SubnetIds"]["Description"]


def test_cache_without_compute_gets_a_clients_group() -> None:
    tpl = _cfn("standalone-ebs-elasticache")
    assert "Clients" in tpl["Resources"]["AppSecurityGroup"]["Properties"]["GroupDescription"]
    assert tpl["Outputs"]["AppSecurityGroupId"]["Value"] == _APP_SG
    cache = tpl["Resources"]["Cache"]["Properties"]
    assert cache["SecurityGroupIds"] == [_DB_SG]


def test_opensearch_spreads_three_nodes_over_three_zones_in_the_vpc() -> None:
    dom = _cfn("opensearch")["Resources"]["SearchDomain"]["Properties"]
    # 3 data nodes: a multiple of three, so three zones, one subnet each.
    assert dom["ClusterConfig"]["ZoneAwarenessEnabled"] is True
    assert dom["ClusterConfig"]["ZoneAwarenessConfig"] == {"AvailabilityZoneCount": 3}
    assert dom["VPCOptions"]["SubnetIds"] == [
        {"Fn::Select": [k, {"Ref": "SubnetIds"}]} for k in (0, 1, 2)]
    assert dom["VPCOptions"]["SecurityGroupIds"] == [_DB_SG]
    _, tf = _tf(CASES["opensearch"])
    vpc = tf["aws_opensearch_domain.this"]["vpc_options"][0]
    assert vpc["subnet_ids"] == "${slice(var.subnet_ids, 0, 3)}"


def test_opensearch_node_volume_is_its_share_of_the_index_storage() -> None:
    # 500 GiB of data x 2 x 1.45 = 1,450 GiB over 3 nodes: ceil(483.3) = 484 GiB each
    # (sizing-domains.html, step 2), not the data size on every node.
    dom = _cfn("opensearch")["Resources"]["SearchDomain"]["Properties"]
    assert dom["EBSOptions"]["VolumeSize"] == 484
    _, tf = _tf(CASES["opensearch"])
    assert tf["aws_opensearch_domain.this"]["ebs_options"][0]["volume_size"] == 484


def test_opensearch_dedicated_masters_are_deployed_as_priced() -> None:
    # A production domain is priced with three dedicated masters of the recommended class
    # (managedomains-dedicatedmasternodes.html): the templates create those three.
    cluster = _cfn("opensearch")["Resources"]["SearchDomain"]["Properties"]["ClusterConfig"]
    assert (cluster["DedicatedMasterEnabled"], cluster["DedicatedMasterType"],
            cluster["DedicatedMasterCount"]) == (True, "m6g.large.search", 3)
    _, tf = _tf(CASES["opensearch"])
    tc = tf["aws_opensearch_domain.this"]["cluster_config"][0]
    assert (tc["dedicated_master_enabled"], tc["dedicated_master_type"],
            tc["dedicated_master_count"]) == (True, "m6g.large.search", 3)
    # Without masters in the option (not production), the templates name none.
    plain = json.loads(json.dumps(CASES["opensearch"]))
    cfg = plain["recommendations"]["database"][0]["config"]
    del cfg["dedicated_master_type"], cfg["dedicated_master_count"]
    text = export_response(plain, "cloudformation")
    assert "DedicatedMaster" not in text
    assert "dedicated_master" not in export_response(plain, "terraform")


def test_lambda_reaching_rds_runs_in_the_vpc() -> None:
    fn = _cfn("lambda-rds-mysql")["Resources"]["Function"]["Properties"]
    assert fn["VpcConfig"] == {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": [_APP_SG]}
    _, tf = _tf(CASES["lambda-rds-mysql"])
    assert tf["aws_lambda_function.this"]["vpc_config"][0]["security_group_ids"] == [
        "${aws_security_group.app.id}"]
    # Next to DynamoDB only, the function stays out of any VPC: no groups, no VPC input.
    tpl = _cfn("lambda-dynamodb-provisioned")
    assert "VpcConfig" not in tpl["Resources"]["Function"]["Properties"]
    assert "VpcId" not in tpl["Parameters"] and not _groups(tpl["Resources"])


def test_s3_gateway_endpoint_is_exported_with_the_route_tables() -> None:
    tpl = _cfn("ec2-group-s3-endpoint")
    ep = tpl["Resources"]["GatewayEndpoint"]["Properties"]
    assert ep["VpcEndpointType"] == "Gateway"
    assert ep["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"}
    assert ep["RouteTableIds"] == {"Ref": "RouteTableIds"}
    assert tpl["Parameters"]["RouteTableIds"]["Type"] == "CommaDelimitedList"
    _, tf = _tf(CASES["ec2-group-s3-endpoint"])
    endpoint = tf["aws_vpc_endpoint.gateway"]
    assert endpoint["service_name"] == "com.amazonaws.${var.region}.s3"
    assert endpoint["route_table_ids"] == "${var.route_table_ids}"
    # Without anything in a VPC there is no route to add: said, not exported.
    alone = _response([], [_opt("s3", "s3")], [], [_opt("vpc_endpoint", "vpc_endpoint")])
    assert "vpc_endpoint: nothing in the bundle runs in a VPC" in (
        chosen_bundle(alone).not_exported)


def test_cfn_lint_filter_drops_only_the_stale_gp3_iops_cap() -> None:
    # gp3 takes 3,000-80,000 IOPS (EC2 CreateVolume, botocore 1.44.8); cfn-lint's E3671 still
    # says 16,000.  64,000 passes the helper's filter; 90,000 (above AWS's own maximum) does not.
    def template(iops: int) -> str:
        return json.dumps({"Resources": {"Vm": {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-12345678", "InstanceType": "m7i.large",
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "VolumeType": "gp3", "VolumeSize": 1000, "Iops": iops}}]}}}})

    assert [m.rule.id for m in cfn_lint(template(64000))] == []
    assert "E3671" in [m.rule.id for m in cfn_lint(template(90000))]
