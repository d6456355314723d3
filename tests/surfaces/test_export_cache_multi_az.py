"""Export of a Multi-AZ ElastiCache cache sets ``MultiAZEnabled`` / ``multi_az_enabled``.

A production (or ``availability: multi_az``) Valkey/Redis OSS cache has a replica in every
shard for automatic failover (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/
AutoFailover.html: "Multi-AZ is only supported on Valkey and Redis OSS clusters that have more
than one node in each shard"). Automatic failover and Multi-AZ are two settings of the
replication group (CloudFormation AWS::ElastiCache::ReplicationGroup ``AutomaticFailoverEnabled``
and ``MultiAZEnabled``, Terraform ``aws_elasticache_replication_group``
``automatic_failover_enabled`` and ``multi_az_enabled``, which "Defaults to false" and needs
automatic failover), so the export sets both; a cache without a replica per shard sets neither.

Hand calculation of the engine cases (tests/rules/test_cache_cluster_mode.py): cache5_prod 5 GiB
production -> 6.67 GiB; with cluster_mode disabled one shard of 2 x cache.r6g.large (a primary
and a replica: NumCacheClusters 2); absent, 5 shards x (1 + 1 replica) of cache.t4g.small.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_export_sharded_cache import _cache_option, _cfn, _response, _tf_resources
from test_export_terraform_tool import _problems, _validate, needs_provider

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"


def _engine(catalog: Any, name: str, **database: Any) -> dict[str, Any]:
    from recommender.core.engine import recommend

    profile = json.loads((EXAMPLES / f"{name}.json").read_text())
    profile["database"] = profile["database"] | database
    return json.loads(recommend(profile, catalog=catalog, models=False).model_dump_json())


@pytest.mark.parametrize(("nodes", "config", "multi_az"), [
    (2, {}, True),                                            # a primary and a replica
    (6, {"shards": 3, "replicas_per_shard": 1}, True),        # a replica in every shard
    (1, {}, False),                                           # one node: nothing to fail over to
    (3, {"shards": 3, "replicas_per_shard": 0}, False),       # shards without replicas
])
def test_multi_az_is_set_with_a_replica_per_shard(nodes: int, config: dict[str, Any],
                                                   multi_az: bool) -> None:
    response = _response(_cache_option("valkey", nodes, **config))
    props = _cfn(response)["Resources"]["Cache"]["Properties"]
    rg = _tf_resources(response)["aws_elasticache_replication_group.this"]
    if multi_az:
        assert props["MultiAZEnabled"] is True and props["AutomaticFailoverEnabled"] is True
        assert rg["multi_az_enabled"] is True and rg["automatic_failover_enabled"] is True
    else:
        assert "MultiAZEnabled" not in props and "multi_az_enabled" not in rg


def test_memcached_has_no_multi_az_flag() -> None:
    # Memcached is a plain cluster (AWS::ElastiCache::CacheCluster): no replicas, no failover.
    response = _response(_cache_option("memcached", 2))
    cache = _cfn(response)["Resources"]["Cache"]
    assert cache["Type"] == "AWS::ElastiCache::CacheCluster"
    assert "MultiAZEnabled" not in cache["Properties"]


def test_production_caches_from_the_engine_export_multi_az(catalog: Any) -> None:
    one = _engine(catalog, "cache5_prod", cluster_mode="disabled")
    props = _cfn(one)["Resources"]["Cache"]["Properties"]
    assert (props["NumCacheClusters"], props["MultiAZEnabled"]) == (2, True)
    sharded = _engine(catalog, "cache5_prod")
    props = _cfn(sharded)["Resources"]["Cache"]["Properties"]
    assert (props["NumNodeGroups"], props["ReplicasPerNodeGroup"]) == (5, 1)
    assert props["MultiAZEnabled"] is True
    dev = _engine(catalog, "cache80", cluster_mode="disabled")
    assert "MultiAZEnabled" not in _cfn(dev)["Resources"]["Cache"]["Properties"]


@needs_provider
def test_multi_az_caches_validate_against_the_provider_schema(
        catalog: Any, tmp_path: Path) -> None:
    result = _validate(tmp_path, {
        "one_shard": _engine(catalog, "cache5_prod", cluster_mode="disabled"),
        "sharded": _engine(catalog, "cache5_prod")})
    assert result["valid"] and result["warning_count"] == 0, "\n".join(_problems(result))
