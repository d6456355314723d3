"""The databases of an export bundle as CloudFormation resources, each in its subnet group
and security group.
"""

from __future__ import annotations

from typing import Any

from recommender.surfaces.export import spec
from recommender.surfaces.export.cloudformation_base import (
    _KEEP,
    _RETAIN,
    _ref,
    _sg,
    _Template,
)


def _subnet_group(t: _Template, rtype: str, subnets: spec.Input) -> dict[str, str]:
    """A subnet group over the subnets list (RDS, ElastiCache and Redshift each have one)."""
    description = f"{t.name}: the database's subnets"
    props = ({"DBSubnetGroupDescription": description, "SubnetIds": t.param(subnets)}
             if rtype == "AWS::RDS::DBSubnetGroup"
             else {"Description": description, "SubnetIds": t.param(subnets)})
    t.add("SubnetGroup", rtype, props)
    return _ref("SubnetGroup")


# --------------------------------------------------------------------------- database


def _table(t: _Template, s: spec.Table) -> None:
    pk = t.param(s.partition_key)
    capacity = {"ReadCapacityUnits": s.rcu, "WriteCapacityUnits": s.wcu}
    t.add("Table", "AWS::DynamoDB::Table", {
        "BillingMode": s.billing_mode,
        "AttributeDefinitions": [{"AttributeName": pk, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
        "ProvisionedThroughput": capacity if s.billing_mode == "PROVISIONED" else None,
    }, **_RETAIN)
    t.output("TableName", _ref("Table"), "DynamoDB table")


def _rds(t: _Template, s: spec.Rds) -> None:
    t.add("Database", "AWS::RDS::DBInstance", {
        "Engine": s.engine, "DBInstanceClass": s.instance_class,
        "AllocatedStorage": str(s.storage_gib), "StorageType": s.storage_type,
        "Iops": s.iops or None, "MultiAZ": s.multi_az, "MasterUsername": t.param(s.user),
        "ManageMasterUserPassword": True, "StorageEncrypted": True,
        "DBSubnetGroupName": _subnet_group(t, "AWS::RDS::DBSubnetGroup", s.subnets),
        "VPCSecurityGroups": [_sg("database")]}, **_KEEP)
    for i in range(s.read_replicas):
        # A same-region replica lives in its source's subnet group.
        t.add(f"ReadReplica{i + 1}", "AWS::RDS::DBInstance", {
            "SourceDBInstanceIdentifier": _ref("Database"),
            "DBInstanceClass": s.instance_class, "VPCSecurityGroups": [_sg("database")]})


def _aurora(t: _Template, s: spec.Aurora) -> None:
    t.add("DatabaseCluster", "AWS::RDS::DBCluster", {
        "Engine": s.engine, "MasterUsername": t.param(s.user),
        "ManageMasterUserPassword": True, "StorageEncrypted": True,
        "StorageType": "aurora-iopt1" if s.io_optimized else None,
        "DBSubnetGroupName": _subnet_group(t, "AWS::RDS::DBSubnetGroup", s.subnets),
        "VpcSecurityGroupIds": [_sg("database")]}, **_KEEP)
    for i in range(s.instances):
        t.add(f"DatabaseInstance{i + 1}", "AWS::RDS::DBInstance", {
            "DBClusterIdentifier": _ref("DatabaseCluster"), "Engine": s.engine,
            "DBInstanceClass": s.instance_class})


def _cache(t: _Template, s: spec.Cache) -> None:
    subnets = _subnet_group(t, "AWS::ElastiCache::SubnetGroup", s.subnets)
    if not s.replicated:
        t.add("Cache", "AWS::ElastiCache::CacheCluster", {
            "Engine": s.engine, "CacheNodeType": s.node_type, "NumCacheNodes": s.nodes,
            "CacheSubnetGroupName": subnets, "VpcSecurityGroupIds": [_sg("database")]})
        return
    if s.sharded:
        _sharded_cache(t, s, subnets)
        return
    t.add("Cache", "AWS::ElastiCache::ReplicationGroup", {
        "ReplicationGroupDescription": f"{t.name} cache", "Engine": s.engine,
        "CacheNodeType": s.node_type, "NumCacheClusters": s.nodes,
        "AutomaticFailoverEnabled": s.nodes > 1, "MultiAZEnabled": s.multi_az or None,
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "CacheSubnetGroupName": subnets,
        "SecurityGroupIds": [_sg("database")]})


def _sharded_cache(t: _Template, s: spec.Cache, subnets: Any) -> None:
    """Cluster mode enabled: ``NumNodeGroups`` shards of a primary and
    ``ReplicasPerNodeGroup`` replicas, a cluster-on parameter group (:data:`spec.CLUSTER_ON`)
    and automatic failover, which cluster mode enabled requires
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html)."""
    version, group = s.cluster_on
    t.add("Cache", "AWS::ElastiCache::ReplicationGroup", {
        "ReplicationGroupDescription": f"{t.name} cache", "Engine": s.engine,
        "EngineVersion": version, "CacheParameterGroupName": group, "ClusterMode": "enabled",
        "CacheNodeType": s.node_type, "NumNodeGroups": s.shards,
        "ReplicasPerNodeGroup": s.replicas_per_shard, "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": s.multi_az or None, "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "CacheSubnetGroupName": subnets, "SecurityGroupIds": [_sg("database")]})


def _warehouse(t: _Template, s: spec.Warehouse) -> None:
    t.add("Warehouse", "AWS::Redshift::Cluster", {
        "NodeType": s.node_type, "ClusterType": "multi-node" if s.nodes > 1 else "single-node",
        "NumberOfNodes": s.nodes if s.nodes > 1 else None, "DBName": "dev",
        "MasterUsername": t.param(s.user), "ManageMasterPassword": True, "Encrypted": True,
        "ClusterSubnetGroupName": _subnet_group(t, "AWS::Redshift::ClusterSubnetGroup",
                                                s.subnets),
        "VpcSecurityGroupIds": [_sg("database")]}, **_KEEP)


def _search(t: _Template, s: spec.Search) -> None:
    subnets, aware = t.param(s.subnets), s.zones > 1
    t.add("SearchDomain", "AWS::OpenSearchService::Domain", {
        "ClusterConfig": {
            "InstanceType": s.instance_type, "InstanceCount": s.instances,
            "ZoneAwarenessEnabled": aware,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": s.zones} if aware else None,
            **({"DedicatedMasterEnabled": True, "DedicatedMasterType": s.master_type,
                "DedicatedMasterCount": s.masters} if s.master_type else {})},
        "EBSOptions": {"EBSEnabled": False} if s.volume_gib is None else {
            "EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": s.volume_gib},
        "VPCOptions": {"SubnetIds": [{"Fn::Select": [k, subnets]} for k in range(s.zones)],
                       "SecurityGroupIds": [_sg("database")]},
    }, **_RETAIN)


#: The renderer of each database spec.
DATABASES: dict[type, Any] = {
    spec.Table: _table,
    spec.Rds: _rds,
    spec.Aurora: _aurora,
    spec.Cache: _cache,
    spec.Warehouse: _warehouse,
    spec.Search: _search,
}
