"""Render an export :class:`~.spec.Bundle` as a CloudFormation template (JSON).

Every decision is in the bundle's specs; this module only names CloudFormation's resource
types and properties
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
"""

from __future__ import annotations

import json
from typing import Any

from recommender.surfaces.export import spec
from recommender.surfaces.export.cloudformation_base import (
    _EFS_KEYS,
    _KEEP,
    _RETAIN,
    _att,
    _ref,
    _sg,
    _Template,
)
from recommender.surfaces.export.cloudformation_databases import DATABASES

# --------------------------------------------------------------------------- network


def _security_groups(t: _Template, groups: list[spec.SecurityGroup]) -> None:
    """Each group in the VPC, its inbound rules as resources of their own (a rule may name
    its own group, as EFA's does); outbound stays CloudFormation's default allow-all."""
    for g in groups:
        name = spec.pascal(g.key) + "SecurityGroup"
        t.add(name, "AWS::EC2::SecurityGroup", {
            "GroupDescription": f"{t.name}: {g.description}", "VpcId": t.param(spec.VPC),
            "Tags": t.tags()})
        for k, rule in enumerate(g.ingress, start=1):
            t.add(f"{name}Ingress{k}", "AWS::EC2::SecurityGroupIngress", {
                "GroupId": _sg(g.key), "SourceSecurityGroupId": _sg(rule.source),
                "IpProtocol": "-1" if rule.port is None else "tcp",
                "FromPort": rule.port, "ToPort": rule.port, "Description": rule.description})
    if any(g.key == spec.APP_SG for g in groups):
        t.output("AppSecurityGroupId", _sg(spec.APP_SG), "Security group of the app tier")


def _endpoint(t: _Template, s: spec.GatewayEndpoint) -> None:
    t.add("GatewayEndpoint", "AWS::EC2::VPCEndpoint", {
        "VpcEndpointType": "Gateway", "VpcId": t.param(spec.VPC),
        "ServiceName": {"Fn::Sub": f"com.amazonaws.${{AWS::Region}}.{s.service}"},
        "RouteTableIds": t.param(s.route_tables)})


# --------------------------------------------------------------------------- compute


def _ebs(v: spec.Volume) -> list[dict[str, Any]]:
    """One block device mapping per volume (a RAID 0 array has several)."""
    return [{"DeviceName": device, "Ebs": {
        "VolumeType": v.volume_type, "VolumeSize": v.size_gib, "Encrypted": True,
        "DeleteOnTermination": v.delete_on_termination, "Iops": v.iops,
        "Throughput": v.throughput_mibps}} for device in v.devices()]


def _launch_template(t: _Template, s: spec.Ec2) -> None:
    groups, in_nic = [_sg(spec.APP_SG)], s.efa or s.ena_express
    nic = {"DeviceIndex": 0, "Groups": groups, "InterfaceType": "efa" if s.efa else None,
           "EnaSrdSpecification": {"EnaSrdEnabled": True} if s.ena_express else None,
           # a group's subnets come from VPCZoneIdentifier
           "SubnetId": t.param(s.subnets) if s.group is None else None}
    t.add("LaunchTemplate", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "InstanceType": s.instance_type, "ImageId": t.param(s.image),
        "BlockDeviceMappings": _ebs(s.volume) if s.volume else None,
        "Placement": {"GroupName": _ref("PlacementGroup")} if s.placement else None,
        "NetworkInterfaces": [nic] if in_nic else None,
        "SecurityGroupIds": None if in_nic else groups,
        "InstanceMarketOptions": {"MarketType": "spot"} if s.spot else None,
        "CreditSpecification": {"CpuCredits": s.credit_mode} if s.credit_mode else None,
        "TagSpecifications": [{"ResourceType": "instance", "Tags": t.tags()}]}})


def _ec2(t: _Template, s: spec.Ec2) -> None:
    if s.placement:
        t.add("PlacementGroup", "AWS::EC2::PlacementGroup", {"Strategy": s.placement})
    _launch_template(t, s)
    lt = {"LaunchTemplateId": _ref("LaunchTemplate"),
          "Version": _att("LaunchTemplate", "LatestVersionNumber")}
    if s.group is None:
        in_nic = s.efa or s.ena_express  # the subnet is then the interface's
        t.add("Instance", "AWS::EC2::Instance",
              {"LaunchTemplate": lt, "SubnetId": None if in_nic else t.param(s.subnets)})
        t.output("InstanceId", _ref("Instance"), f"{s.instance_type} instance")
        return
    g = s.group
    mixed = {"InstancesDistribution": {"OnDemandPercentageAboveBaseCapacity": 0,
                                       "SpotAllocationStrategy": "price-capacity-optimized"},
             "LaunchTemplate": {"LaunchTemplateSpecification": lt}}
    t.add("AutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", {
        "MinSize": str(g.min_count), "MaxSize": str(g.max_count),
        "DesiredCapacity": str(g.desired_count), "VPCZoneIdentifier": t.param(s.subnets),
        "PlacementGroup": _ref("PlacementGroup") if s.placement else None,
        "MixedInstancesPolicy": mixed if g.spot else None,
        "LaunchTemplate": None if g.spot else lt})
    if g.target_cpu_pct:
        t.add("CpuTargetTracking", "AWS::AutoScaling::ScalingPolicy", {
            "AutoScalingGroupName": _ref("AutoScalingGroup"),
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": g.target_cpu_pct}})
    t.output("AutoScalingGroupName", _ref("AutoScalingGroup"), f"{s.instance_type} group")


def _fargate(t: _Template, s: spec.Fargate) -> None:
    t.add("Cluster", "AWS::ECS::Cluster", {
        "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]
        if s.container_insights else None})
    t.add("TaskDefinition", "AWS::ECS::TaskDefinition", {
        "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc",
        "Cpu": str(s.cpu_units), "Memory": str(s.memory_mib),
        "RuntimePlatform": {"CpuArchitecture": s.cpu_architecture,
                            "OperatingSystemFamily": "LINUX"},
        "EphemeralStorage": {"SizeInGiB": s.ephemeral_storage_gib}
        if s.ephemeral_storage_gib else None,
        "ContainerDefinitions": [{"Name": "app", "Image": t.param(s.image), "Essential": True}]})
    t.add("Service", "AWS::ECS::Service", {
        "Cluster": _ref("Cluster"), "LaunchType": "FARGATE", "DesiredCount": s.desired_count,
        "TaskDefinition": _ref("TaskDefinition"),
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "Subnets": t.subnet_list(s.subnets), "SecurityGroups": [_sg(spec.APP_SG)]}}})
    t.output("ServiceName", _att("Service", "Name"), "Fargate service")


def _lambda(t: _Template, s: spec.Lambda) -> None:
    t.add("Function", "AWS::Lambda::Function", {
        "Role": t.param(s.role), "Runtime": t.param(s.runtime), "Handler": t.param(s.handler),
        "Code": {"S3Bucket": t.param(s.code_bucket), "S3Key": t.param(s.code_key)},
        "MemorySize": s.memory_mb, "Architectures": [s.arch], "Timeout": s.timeout_s,
        "EphemeralStorage": {"Size": s.ephemeral_storage_mb} if s.ephemeral_storage_mb else None,
        "VpcConfig": {"SubnetIds": t.param(s.subnets), "SecurityGroupIds": [_sg(spec.APP_SG)]}
        if s.subnets else None})
    t.output("FunctionArn", _att("Function", "Arn"), "Lambda function")


# --------------------------------------------------------------------------- storage


def _volume(t: _Template, v: spec.Volume) -> None:
    if v.availability_zone is None:
        return  # mapped into the launch template so every instance gets its volume
    for name in v.names("Volume"):  # Volume, Volume2, ... for a RAID 0 array
        t.add(name, "AWS::EC2::Volume", {
            "AvailabilityZone": t.param(v.availability_zone), "VolumeType": v.volume_type,
            "Size": v.size_gib, "Encrypted": True, "Iops": v.iops,
            "Throughput": v.throughput_mibps}, **_KEEP)


def _efs(t: _Template, s: spec.Efs) -> None:
    t.add("FileSystem", "AWS::EFS::FileSystem", {
        "Encrypted": True, "ThroughputMode": s.throughput_mode,
        "ProvisionedThroughputInMibps": s.provisioned_mibps or None,
        # One object per transition: EFS refuses a policy naming two of them.
        "LifecyclePolicies": [{_EFS_KEYS[k]: age} for k, age in s.transitions] or None,
        # Set: a One Zone file system in that zone (its one mount target is there too).
        "AvailabilityZoneName": t.param(s.availability_zone) if s.availability_zone
        else None,
    }, **_RETAIN)
    subnets, groups = t.param(s.subnets), [_sg("efs")]
    many = s.subnets.kind == "subnets"
    for k in range(s.mount_targets if many else 1):
        t.add(f"MountTarget{k + 1}", "AWS::EFS::MountTarget", {
            "FileSystemId": _ref("FileSystem"), "SecurityGroups": groups,
            "SubnetId": {"Fn::Select": [k, subnets]} if many else subnets})
    t.output("FileSystemId", _ref("FileSystem"), "EFS file system")


def _bucket(t: _Template, s: spec.Bucket) -> None:
    rule = {"Id": "to-recommended-class", "Status": "Enabled", "Transitions": [
        {"StorageClass": s.storage_class, "TransitionInDays": s.transition_days}]}
    t.add("Bucket", "AWS::S3::Bucket", {
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True},
        "LifecycleConfiguration": {"Rules": [rule]} if s.storage_class != "STANDARD" else None,
    }, **_RETAIN)
    t.output("BucketName", _ref("Bucket"), "S3 bucket")


def _cdn(t: _Template, s: spec.Cdn) -> None:
    """CloudFront over the bucket through an origin access control; the bucket policy lets
    only this distribution read
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html)."""
    t.add("OriginAccessControl", "AWS::CloudFront::OriginAccessControl", {
        "OriginAccessControlConfig": {
            "Name": f"{t.name}-s3", "Description": f"{t.name}: CloudFront reads the bucket",
            "OriginAccessControlOriginType": "s3", "SigningBehavior": "always",
            "SigningProtocol": "sigv4"}})
    origin = {"Id": s.origin_id, "DomainName": _att("Bucket", "RegionalDomainName"),
              "S3OriginConfig": {"OriginAccessIdentity": ""},
              "OriginAccessControlId": _att("OriginAccessControl", "Id")}
    behavior = {"TargetOriginId": s.origin_id, "ViewerProtocolPolicy": s.viewer_protocol_policy,
                "AllowedMethods": list(s.methods), "CachedMethods": list(s.methods),
                "CachePolicyId": s.cache_policy_id, "Compress": s.compress}
    t.add("Distribution", "AWS::CloudFront::Distribution", {"DistributionConfig": {
        "Enabled": True, "Comment": t.name, "DefaultRootObject": s.default_root_object,
        "Origins": [origin], "DefaultCacheBehavior": behavior}, "Tags": t.tags()})
    if s.additional_metrics:  # CacheHitRate is an additional metric, off by default
        t.add("MonitoringSubscription", "AWS::CloudFront::MonitoringSubscription", {
            "DistributionId": _ref("Distribution"), "MonitoringSubscription": {
                "RealtimeMetricsSubscriptionConfig": {
                    "RealtimeMetricsSubscriptionStatus": "Enabled"}}})
    arn = "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
    t.add("BucketPolicy", "AWS::S3::BucketPolicy", {
        "Bucket": _ref("Bucket"),
        "PolicyDocument": spec.oac_bucket_policy({"Fn::Sub": "${Bucket.Arn}/*"},
                                                 {"Fn::Sub": arn})})
    t.output("DistributionDomainName", _att("Distribution", "DomainName"), "CloudFront domain")


# --------------------------------------------------------------------------- alarms


def _metric(t: _Template, a: spec.Alarm) -> dict[str, Any]:
    dims = [{"Name": name, "Value": t.dim(v)} for name, v in a.dimensions]
    if not a.expression:
        stat = {"ExtendedStatistic" if a.extended else "Statistic": a.statistic}
        return {"Namespace": a.namespace, "MetricName": a.metric, "Dimensions": dims,
                "Period": a.period_s, **stat}
    queries: list[dict[str, Any]] = [
        {"Id": f"m{k}", "ReturnData": False,
         "MetricStat": {"Metric": {"Namespace": a.namespace, "MetricName": name,
                                   "Dimensions": dims},
                        "Period": a.period_s, "Stat": a.statistic}}
        for k, name in enumerate(a.math_metrics, start=1)]
    queries.append({"Id": "e1", "Expression": a.expression, "Label": a.metric,
                    "ReturnData": True})
    return {"Metrics": queries}


def _alarm(t: _Template, a: spec.Alarm, actions: Any) -> None:
    extra: dict[str, Any] = {}
    if a.needs is not None:
        cond = "Has" + a.needs.cfn
        t.conditions[cond] = {"Fn::Not": [{"Fn::Equals": [t.param(a.needs), ""]}]}
        extra["Condition"] = cond
    t.add("Alarm" + spec.pascal(a.key), "AWS::CloudWatch::Alarm", {
        "AlarmName": a.name, "AlarmDescription": a.description, **_metric(t, a),
        "Threshold": a.threshold, "ComparisonOperator": a.comparison,
        "EvaluationPeriods": a.evaluation_periods, "DatapointsToAlarm": a.datapoints_to_alarm,
        "TreatMissingData": "missing", "AlarmActions": actions}, **extra)


_RENDERERS: dict[type, Any] = {
    spec.Ec2: _ec2, spec.Fargate: _fargate, spec.Lambda: _lambda, spec.Volume: _volume,
    spec.Efs: _efs, spec.Bucket: _bucket, spec.Cdn: _cdn,
    spec.GatewayEndpoint: _endpoint, **DATABASES,
}


def render_cloudformation(bundle: spec.Bundle) -> str:
    """Return the bundle as a CloudFormation template (JSON text)."""
    t = _Template(bundle)
    _security_groups(t, bundle.security_groups)
    for c in bundle.components:
        _RENDERERS[type(c.spec)](t, c.spec)
    if bundle.alarms:
        topic = t.param(spec.ALARM_TOPIC)
        t.conditions["HasAlarmTopic"] = {"Fn::Not": [{"Fn::Equals": [topic, ""]}]}
        actions = {"Fn::If": ["HasAlarmTopic", [topic], {"Ref": "AWS::NoValue"}]}
        for a in bundle.alarms:
            _alarm(t, a, actions)
    chosen = ", ".join(c.option for c in bundle.components)
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{bundle.name}: chosen options of the recommendation ({chosen})",
        "Metadata": {"Recommender": {
            "chosen": {c.category: c.option for c in bundle.components},
            "region": bundle.region, "not_exported": bundle.not_exported}},
    }
    sections = {"Parameters": t.params, "Conditions": t.conditions,
                "Resources": t.resources, "Outputs": t.outputs}
    doc.update({k: v for k, v in sections.items() if v or k == "Resources"})
    return json.dumps(doc, indent=2) + "\n"
