"""Render an export :class:`~.bundle.Bundle` as a CloudFormation template (JSON)."""

from __future__ import annotations

import json
from typing import Any

from recommender.surfaces.export.alarms import cfn_alarms
from recommender.surfaces.export.bundle import EFS_TRANSITIONS, Bundle, Spec

_AMI_SSM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
_KEEP = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
_RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _tags(bundle: Bundle) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": bundle.name}, {"Key": "generated-by", "Value": "recommender"}]


class _Template:
    """Accumulates parameters, resources and outputs."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.params: dict[str, Any] = {}
        self.resources: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}

    def param(self, name: str, ptype: str, description: str, default: Any = None) -> dict:
        p: dict[str, Any] = {"Type": ptype, "Description": description}
        if default is not None:
            p["Default"] = default
        self.params[name] = p
        return _ref(name)

    def add(self, name: str, rtype: str, props: dict[str, Any], **extra: Any) -> None:
        self.resources[name] = {"Type": rtype, **extra, "Properties": props}

    def output(self, name: str, value: Any, description: str) -> None:
        self.outputs[name] = {"Description": description, "Value": value}


def _ebs_block(spec: Spec, *, replaceable: bool) -> dict[str, Any]:
    """The data volume; in an auto scaling group it goes with its instance (a replaced
    instance must not leave an orphaned, still-billed volume behind)."""
    p = spec.props
    ebs: dict[str, Any] = {
        "VolumeType": p["volume_type"],
        "VolumeSize": p["size_gib"],
        "Encrypted": True,
        "DeleteOnTermination": replaceable,
    }
    if p.get("iops"):
        ebs["Iops"] = p["iops"]
    if p.get("throughput_mibps"):
        ebs["Throughput"] = p["throughput_mibps"]
    return {"DeviceName": "/dev/xvdb", "Ebs": ebs}


def _ec2(t: _Template, spec: Spec) -> None:
    p, b = spec.props, t.bundle
    image = t.param(
        "ImageId",
        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        f"AMI id (or SSM parameter) for {p['arch']} instances",
        _AMI_SSM.format(arch=p["arch"]),
    )
    group = bool(p["auto_scaling"])
    if group:  # nodes spread over the subnets given, one per Availability Zone
        subnet = t.param("SubnetIds", "List<AWS::EC2::Subnet::Id>",
                         "Subnets for the group, one per Availability Zone")
    else:
        subnet = t.param("SubnetId", "AWS::EC2::Subnet::Id", "Subnet for the instance")
    groups = t.param("SecurityGroupIds", "List<AWS::EC2::SecurityGroup::Id>",
                     "Security groups of the instances")
    data: dict[str, Any] = {"InstanceType": p["instance_type"], "ImageId": image}
    if b.storage is not None and b.storage.kind == "ebs":
        data["BlockDeviceMappings"] = [_ebs_block(b.storage, replaceable=group)]
    if b.placement_strategy:
        t.add("PlacementGroup", "AWS::EC2::PlacementGroup", {"Strategy": b.placement_strategy})
        data["Placement"] = {"GroupName": _ref("PlacementGroup")}
    if b.efa:
        nic: dict[str, Any] = {"DeviceIndex": 0, "InterfaceType": "efa", "Groups": groups}
        if not group:  # a group's subnets come from VPCZoneIdentifier
            nic["SubnetId"] = subnet
        data["NetworkInterfaces"] = [nic]
    else:
        data["SecurityGroupIds"] = groups
    if p["spot"] and not p["auto_scaling"]:
        data["InstanceMarketOptions"] = {"MarketType": "spot"}
    data["TagSpecifications"] = [{"ResourceType": "instance", "Tags": _tags(b)}]
    t.add("LaunchTemplate", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": data})
    lt = {
        "LaunchTemplateId": _ref("LaunchTemplate"),
        "Version": {"Fn::GetAtt": ["LaunchTemplate", "LatestVersionNumber"]},
    }
    if not p["auto_scaling"]:
        props: dict[str, Any] = {"LaunchTemplate": lt}
        if not b.efa:
            props["SubnetId"] = subnet
        t.add("Instance", "AWS::EC2::Instance", props)
        t.output("InstanceId", _ref("Instance"), f"{p['instance_type']} instance")
        return
    asg: dict[str, Any] = {
        "MinSize": str(p["min_count"]),
        "MaxSize": str(p["max_count"]),
        "DesiredCapacity": str(p["desired_count"]),
        "VPCZoneIdentifier": subnet,
    }
    if b.placement_strategy:
        asg["PlacementGroup"] = _ref("PlacementGroup")
    if p["spot"]:
        asg["MixedInstancesPolicy"] = {
            "InstancesDistribution": {
                "OnDemandPercentageAboveBaseCapacity": 0,
                "SpotAllocationStrategy": "price-capacity-optimized",
            },
            "LaunchTemplate": {"LaunchTemplateSpecification": lt},
        }
    else:
        asg["LaunchTemplate"] = lt
    t.add("AutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", asg)
    if p["target_cpu_pct"]:
        t.add("CpuTargetTracking", "AWS::AutoScaling::ScalingPolicy", {
            "AutoScalingGroupName": _ref("AutoScalingGroup"),
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": p["target_cpu_pct"],
            },
        })
    t.output("AutoScalingGroupName", _ref("AutoScalingGroup"), f"{p['instance_type']} group")


def _fargate(t: _Template, spec: Spec) -> None:
    p = spec.props
    image = t.param("ContainerImage", "String", "Container image URI of the task")
    subnet = t.param("SubnetId", "AWS::EC2::Subnet::Id", "Subnet for the tasks")
    t.add("Cluster", "AWS::ECS::Cluster", {})
    t.add(
        "TaskDefinition",
        "AWS::ECS::TaskDefinition",
        {
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": str(p["cpu_units"]),
            "Memory": str(p["memory_mib"]),
            "RuntimePlatform": {
                "CpuArchitecture": "ARM64" if p["arch"] == "arm64" else "X86_64",
                "OperatingSystemFamily": "LINUX",
            },
            "ContainerDefinitions": [{"Name": "app", "Image": image, "Essential": True}],
        },
    )
    t.add(
        "Service",
        "AWS::ECS::Service",
        {
            "Cluster": _ref("Cluster"),
            "LaunchType": "FARGATE",
            "DesiredCount": p["desired_count"],
            "TaskDefinition": _ref("TaskDefinition"),
            "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": [subnet]}},
        },
    )
    t.output("ServiceName", {"Fn::GetAtt": ["Service", "Name"]}, "Fargate service")


def _lambda(t: _Template, spec: Spec) -> None:
    p = spec.props
    props = {
        "Role": t.param("FunctionRoleArn", "String", "ARN of the function's execution role"),
        "Runtime": t.param("Runtime", "String", "Lambda runtime", "python3.12"),
        "Handler": t.param("Handler", "String", "Function handler", "app.handler"),
        "Code": {
            "S3Bucket": t.param("CodeS3Bucket", "String", "S3 bucket of the deployment package"),
            "S3Key": t.param("CodeS3Key", "String", "S3 key of the deployment package"),
        },
        "MemorySize": p["memory_mb"],
        "Architectures": [p["arch"]],
        "Timeout": p["timeout_s"],
    }
    t.add("Function", "AWS::Lambda::Function", props)
    t.output("FunctionArn", {"Fn::GetAtt": ["Function", "Arn"]}, "Lambda function")


def _storage(t: _Template, spec: Spec) -> None:
    p, b = spec.props, t.bundle
    if spec.kind == "ebs":
        if b.compute is not None and b.compute.kind == "ec2":
            return  # mapped into the launch template so every instance gets its volume
        props = {
            "AvailabilityZone": t.param(
                "AvailabilityZone", "AWS::EC2::AvailabilityZone::Name", "AZ of the volume"
            ),
            "VolumeType": p["volume_type"],
            "Size": p["size_gib"],
            "Encrypted": True,
        }
        if p.get("iops"):
            props["Iops"] = p["iops"]
        if p.get("throughput_mibps"):
            props["Throughput"] = p["throughput_mibps"]
        t.add("Volume", "AWS::EC2::Volume", props, **_KEEP)
    elif spec.kind == "efs":
        props = {"Encrypted": True, "ThroughputMode": p["throughput_mode"]}
        if p.get("provisioned_mibps"):
            props["ProvisionedThroughputInMibps"] = p["provisioned_mibps"]
        if p.get("lifecycle"):
            # One object per transition: EFS refuses a policy naming two of them.
            props["LifecyclePolicies"] = [
                {EFS_TRANSITIONS[k][0]: v} for k, v in p["lifecycle"].items()
            ]
        t.add("FileSystem", "AWS::EFS::FileSystem", props, **_RETAIN)
        subnet = t.param("SubnetId", "AWS::EC2::Subnet::Id", "Subnet for the mount target")
        groups = t.param("MountTargetSecurityGroups", "List<AWS::EC2::SecurityGroup::Id>",
                         "Security groups allowing NFS (2049) from the clients")
        t.add("MountTarget", "AWS::EFS::MountTarget",
              {"FileSystemId": _ref("FileSystem"), "SubnetId": subnet, "SecurityGroups": groups})
        t.output("FileSystemId", _ref("FileSystem"), "EFS file system")
    elif spec.kind == "s3":
        props = {}
        if p["storage_class"] != "STANDARD":
            props["LifecycleConfiguration"] = {
                "Rules": [
                    {
                        "Id": "to-recommended-class",
                        "Status": "Enabled",
                        "Transitions": [
                            {
                                "StorageClass": p["storage_class"],
                                "TransitionInDays": p["transition_days"],
                            }
                        ],
                    }
                ]
            }
        t.add("Bucket", "AWS::S3::Bucket", props, **_RETAIN)
        t.output("BucketName", _ref("Bucket"), "S3 bucket")


def _database(t: _Template, spec: Spec) -> None:
    p = spec.props
    if spec.kind == "dynamodb":
        pk = t.param("PartitionKeyName", "String", "Partition key attribute name", "pk")
        props: dict[str, Any] = {
            "BillingMode": p["billing_mode"],
            "AttributeDefinitions": [{"AttributeName": pk, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
        }
        if p["billing_mode"] == "PROVISIONED":
            props["ProvisionedThroughput"] = {
                "ReadCapacityUnits": p["rcu"],
                "WriteCapacityUnits": p["wcu"],
            }
        t.add("Table", "AWS::DynamoDB::Table", props, **_RETAIN)
        t.output("TableName", _ref("Table"), "DynamoDB table")
        return
    user = None
    if spec.kind in ("rds", "aurora", "redshift"):
        user = t.param("MasterUsername", "String", "Database administrator user name", "admin1")
    if spec.kind == "rds":
        props = {
            "Engine": p["engine"],
            "DBInstanceClass": p["instance_class"],
            "AllocatedStorage": str(p["storage_gib"]),
            "StorageType": p["storage_type"],
            "MultiAZ": p["multi_az"],
            "MasterUsername": user,
            "ManageMasterUserPassword": True,
            "StorageEncrypted": True,
        }
        if p.get("iops"):
            props["Iops"] = p["iops"]
        t.add("Database", "AWS::RDS::DBInstance", props, **_KEEP)
        for i in range(p["read_replicas"]):
            t.add(f"ReadReplica{i + 1}", "AWS::RDS::DBInstance", {
                "SourceDBInstanceIdentifier": _ref("Database"),
                "DBInstanceClass": p["instance_class"],
            })
    elif spec.kind == "aurora":
        cluster = {
            "Engine": p["engine"],
            "MasterUsername": user,
            "ManageMasterUserPassword": True,
            "StorageEncrypted": True,
        }
        if p["io_optimized"]:
            cluster["StorageType"] = "aurora-iopt1"
        t.add("DatabaseCluster", "AWS::RDS::DBCluster", cluster, **_KEEP)
        for i in range(p["instances"]):
            t.add(
                f"DatabaseInstance{i + 1}",
                "AWS::RDS::DBInstance",
                {
                    "DBClusterIdentifier": _ref("DatabaseCluster"),
                    "Engine": p["engine"],
                    "DBInstanceClass": p["instance_class"],
                },
            )
    elif spec.kind == "elasticache" and p["engine"] == "memcached":
        t.add(
            "Cache",
            "AWS::ElastiCache::CacheCluster",
            {"Engine": "memcached", "CacheNodeType": p["node_type"], "NumCacheNodes": p["nodes"]},
        )
    elif spec.kind == "elasticache":
        t.add(
            "Cache",
            "AWS::ElastiCache::ReplicationGroup",
            {
                "ReplicationGroupDescription": f"{t.bundle.name} cache",
                "Engine": p["engine"],
                "CacheNodeType": p["node_type"],
                "NumCacheClusters": p["nodes"],
                "AutomaticFailoverEnabled": p["nodes"] > 1,
                "AtRestEncryptionEnabled": True,
                "TransitEncryptionEnabled": True,
            },
        )
    elif spec.kind == "redshift":
        props = {
            "NodeType": p["node_type"],
            "ClusterType": "multi-node" if p["nodes"] > 1 else "single-node",
            "DBName": "dev",
            "MasterUsername": user,
            "ManageMasterPassword": True,
            "Encrypted": True,
        }
        if p["nodes"] > 1:
            props["NumberOfNodes"] = p["nodes"]
        t.add("Warehouse", "AWS::Redshift::Cluster", props, **_KEEP)
    elif spec.kind == "opensearch":
        props = {
            "ClusterConfig": {"InstanceType": p["instance_type"], "InstanceCount": p["instances"]},
            "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": p["volume_gib"]},
        }
        t.add("SearchDomain", "AWS::OpenSearchService::Domain", props, **_RETAIN)


def render_cloudformation(bundle: Bundle) -> str:
    """Return the bundle as a CloudFormation template (JSON text)."""
    t = _Template(bundle)
    compute = {"ec2": _ec2, "fargate": _fargate, "lambda": _lambda}
    if bundle.compute is not None:
        compute[bundle.compute.kind](t, bundle.compute)
    if bundle.storage is not None:
        _storage(t, bundle.storage)
    if bundle.database is not None:
        _database(t, bundle.database)
    conditions = cfn_alarms(t, bundle)  # the response's monitoring as CloudWatch alarms
    chosen = ", ".join(s.option for s in bundle.specs)
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{bundle.name}: rank-1 options of the recommendation ({chosen})",
        "Metadata": {
            "Recommender": {
                "chosen": {s.kind: s.option for s in bundle.specs},
                "region": bundle.region,
                "not_exported": bundle.not_exported,
            }
        },
    }
    if t.params:
        doc["Parameters"] = t.params
    if conditions:
        doc["Conditions"] = conditions
    doc["Resources"] = t.resources
    if t.outputs:
        doc["Outputs"] = t.outputs
    return json.dumps(doc, indent=2) + "\n"
