"""Export of a sharded (cluster mode enabled) ElastiCache cache.

A cache no single node holds is partitioned across shards (``config.shards``, with
``config.replicas_per_shard``; docs/CONTRACT.md's ``database.size_gib``). "A Valkey or Redis
OSS (cluster mode enabled) replication group has from 1 to 500 shards (API/CLI: node groups),
a primary node in each shard, and up to 5 read replicas in each shard"
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Replication.CreatingReplGroup.NoExistingCluster.Cluster.html),
so the export sets CloudFormation's ``NumNodeGroups``/``ReplicasPerNodeGroup`` (Terraform's
``num_node_groups``/``replicas_per_node_group``), a cluster-on default parameter group
(``default.valkey8.cluster.on``, ``default.redis7.cluster.on``:
https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/ParameterGroups.Redis.html,
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html) and
automatic failover; ``NumCacheClusters`` (one shard's nodes, at most 6) is not set.

Hand calculation (catalog: cache.r6g.xlarge 26.32 GiB, cache.r6g.4xlarge 105.81 GiB; see
tests/rules/test_aws_scenarios_audit5.py): cache1000 holds 1,000 GiB with 25% of node memory
reserved, 1,000 / 0.75 = 1,333.33 GiB: ceil(1,333.33 / 26.32) = 51 shards of one
cache.r6g.xlarge (no replica); in production a replica per shard, ceil(1,333.33 / 105.81) =
13 shards of 2 cache.r6g.4xlarge (26 nodes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
from cfn_lint_helper import linted_template, unquote
from test_export_terraform_tool import _problems, _validate, needs_provider

from recommender.surfaces.export import export_response

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios" / "cache1000.json"


def _engine(catalog: Any, **overrides: Any) -> dict[str, Any]:
    """The rules-only engine response for cache1000 (with ``overrides`` of the profile)."""
    from recommender.core.engine import recommend

    profile = {**json.loads(SCENARIO.read_text()), **overrides}
    return json.loads(recommend(profile, catalog=catalog, models=False).model_dump_json())


def _cfn(response: dict[str, Any]) -> dict[str, Any]:
    return linted_template(export_response(response, "cloudformation"))


def _tf_resources(response: dict[str, Any]) -> dict[str, Any]:
    doc = unquote(hcl2.loads(export_response(response, "terraform")))
    return {f"{t}.{n}": body for block in doc.get("resource", [])
            for t, named in block.items() for n, body in named.items()}


def _cache_option(engine: str, nodes: int, **config: Any) -> dict[str, Any]:
    return {"rank": 1, "option": f"elasticache:{engine}", "kind": "elasticache",
            "count": nodes, "purchase_option": "on_demand", "score": 1.0,
            "monthly_cost_usd": 100.0, "performance_risk": 0.0, "predicted": {},
            "reasons": [], "config": {"instance_class": "cache.r6g.large",
                                      "deployment": "node", "node_count": nodes, **config}}


def _response(db: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": "1", "name": "cache", "region": "us-east-1",
        "catalog": {"version": "1+test", "generated_at": "2026-01-01", "regions": ["us-east-1"]},
        "model": {"version": "rules-only", "trained_at": None},
        "recommendations": {"compute": [], "storage": [], "database": [db],
                            "network": [], "tradeoffs": []},
        "rejected": {}, "warnings": [],
    }


def test_cache1000_exports_51_shards(catalog: Any) -> None:
    response = _engine(catalog)
    cfg = response["recommendations"]["database"][0]["config"]
    assert (cfg["instance_class"], cfg["shards"], cfg["replicas_per_shard"]) == (
        "cache.r6g.xlarge", 51, 0)
    cache = _cfn(response)["Resources"]["Cache"]
    assert cache["Type"] == "AWS::ElastiCache::ReplicationGroup"
    props = cache["Properties"]
    assert (props["NumNodeGroups"], props["ReplicasPerNodeGroup"]) == (51, 0)
    assert props["ClusterMode"] == "enabled"
    assert props["AutomaticFailoverEnabled"] is True
    assert (props["Engine"], props["EngineVersion"], props["CacheParameterGroupName"]) == (
        "valkey", "8.0", "default.valkey8.cluster.on")
    assert props["CacheNodeType"] == "cache.r6g.xlarge"
    assert "NumCacheClusters" not in props


def test_production_cache1000_exports_13_shards_of_a_primary_and_a_replica(
        catalog: Any) -> None:
    response = _engine(catalog, environment="production")
    option = response["recommendations"]["database"][0]
    assert option["count"] == 26  # 13 shards x (1 primary + 1 replica)
    assert (option["config"]["shards"], option["config"]["replicas_per_shard"]) == (13, 1)
    props = _cfn(response)["Resources"]["Cache"]["Properties"]
    assert (props["NumNodeGroups"], props["ReplicasPerNodeGroup"]) == (13, 1)
    assert props["CacheNodeType"] == "cache.r6g.4xlarge"
    assert "NumCacheClusters" not in props


def test_sharded_cache_in_terraform(catalog: Any) -> None:
    rg = _tf_resources(_engine(catalog, environment="production"))[
        "aws_elasticache_replication_group.this"]
    assert (rg["num_node_groups"], rg["replicas_per_node_group"]) == (13, 1)
    assert rg["parameter_group_name"] == "default.valkey8.cluster.on"
    assert (rg["engine_version"], rg["cluster_mode"]) == ("8.0", "enabled")
    assert rg["automatic_failover_enabled"] is True
    assert "num_cache_clusters" not in rg


def test_sharded_redis_takes_the_redis7_cluster_on_group() -> None:
    response = _response(_cache_option("redis", 6, shards=3, replicas_per_shard=1))
    props = _cfn(response)["Resources"]["Cache"]["Properties"]
    assert (props["EngineVersion"], props["CacheParameterGroupName"]) == (
        "7.1", "default.redis7.cluster.on")
    assert (props["NumNodeGroups"], props["ReplicasPerNodeGroup"]) == (3, 1)
    rg = _tf_resources(response)["aws_elasticache_replication_group.this"]
    assert rg["parameter_group_name"] == "default.redis7.cluster.on"


def test_sharded_cache_alarms_watch_the_first_shards_primary(catalog: Any) -> None:
    # Cluster mode enabled node groups are numbered from 0001 (API_NodeGroup.html): the first
    # node is "<id>-0001-001", not the cluster mode disabled "<id>-001".
    tpl = _cfn(_engine(catalog))
    dims = [d for r in tpl["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
            and r["Properties"]["Namespace"] == "AWS/ElastiCache"
            for d in r["Properties"]["Dimensions"]]
    assert dims and all(d["Value"] == {"Fn::Join": ["", [{"Ref": "Cache"}, "-0001-001"]]}
                        for d in dims)


def test_single_node_cache_exports_as_before() -> None:
    # One node (no shards key): cluster mode disabled, one member cluster, no failover.
    tpl = _cfn(_response(_cache_option("valkey", 1)))
    props = tpl["Resources"]["Cache"]["Properties"]
    assert props == {
        "ReplicationGroupDescription": "cache cache", "Engine": "valkey",
        "CacheNodeType": "cache.r6g.large", "NumCacheClusters": 1,
        "AutomaticFailoverEnabled": False, "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "CacheSubnetGroupName": {"Ref": "SubnetGroup"},
        "SecurityGroupIds": [{"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}]}
    rg = _tf_resources(_response(_cache_option("valkey", 1)))[
        "aws_elasticache_replication_group.this"]
    assert rg["num_cache_clusters"] == 1
    assert not {"num_node_groups", "replicas_per_node_group", "parameter_group_name",
                "cluster_mode"} & set(rg)


def test_small_engine_cache_has_no_shards(catalog: Any) -> None:
    # 40 GiB / 0.75 = 53.33 GiB: one node holds it; with database.cluster_mode disabled it
    # stays one shard (no shards key).  Absent, the cheaper 5 x cache.r6g.large cluster (5 x
    # 0.1648 x 730 = $601.52 vs one m4.4xlarge $727.08) ranks first and exports 5 node groups.
    response = _engine(catalog, database={"data_model": "cache", "size_gib": 40,
                                          "cluster_mode": "disabled"})
    assert "shards" not in response["recommendations"]["database"][0]["config"]
    props = _cfn(response)["Resources"]["Cache"]["Properties"]
    assert props["NumCacheClusters"] == 1 and "NumNodeGroups" not in props
    sharded = _engine(catalog, database={"data_model": "cache", "size_gib": 40})
    props = _cfn(sharded)["Resources"]["Cache"]["Properties"]
    assert (props["NumNodeGroups"], props["ReplicasPerNodeGroup"]) == (5, 0)


def test_memcached_exports_its_node_count(catalog: Any) -> None:
    # Memcached partitions the data across its nodes (Clusters.html): 1,000 GiB + its 100 MB
    # memcached_connections_overhead (ParameterGroups.Engine.html#ParameterGroups.Memcached;
    # was 1,000 / 0.75, 51 x cache.r6g.xlarge) = 1,000.1 GiB: 19 x cache.r6g.2xlarge (52.82
    # GiB, 19 x 0.821 = 15.599/h; 38 x r6g.xlarge 15.618/h), a plain cluster of NumCacheNodes 19.
    response = _engine(catalog, database={"data_model": "cache", "size_gib": 1000,
                                          "engine": "memcached"})
    option = response["recommendations"]["database"][0]
    assert option["option"] == "elasticache:memcached" and "shards" not in option["config"]
    cache = _cfn(response)["Resources"]["Cache"]
    assert cache["Type"] == "AWS::ElastiCache::CacheCluster"
    assert cache["Properties"]["NumCacheNodes"] == 19
    cluster = _tf_resources(response)["aws_elasticache_cluster.this"]
    assert cluster["num_cache_nodes"] == 19


@needs_provider
def test_sharded_cache_validates_against_the_provider_schema(
        catalog: Any, tmp_path: Path) -> None:
    result = _validate(tmp_path, {"sharded": _engine(catalog, environment="production")})
    assert result["valid"] and result["warning_count"] == 0, "\n".join(_problems(result))
