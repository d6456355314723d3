"""ElastiCache (Valkey/Redis OSS): one node or a sharded cluster, and the client it needs
(issue 9, ``database.cluster_mode``).

A sharded cluster (cluster mode enabled) asks of the application that it "use a Valkey or
Redis OSS client that is capable of using Cluster protocol and use a configuration endpoint"
and keep "keys in database 0 only" (MODE_URL), and that multi-key commands' keys "be hashed to
the same hash slot" (CROSSSLOT_URL).  So: ``enabled`` -> the cheaper of one node and a
cluster, no risk; ``disabled`` -> one shard only; absent -> both, the cluster at performance
risk 1 (``balanced`` ranks it at cost x 1.10, docs/CONTRACT.md).

Every figure is worked by hand from the snapshot's us-east-1 ElastiCache Valkey node prices
(per node-hour, memory in GiB): cache.t2.small $0.0272 (1.55; T2 is never chosen: no new
cluster on T2), t4g.small $0.0256 (1.37),
t4g.medium $0.052 (3.09), t2.medium $0.0544 (3.22), m6g.large $0.1192 (6.38), r6g.large
$0.1648 (13.07), m4.xlarge $0.2488 (14.28), r6g.xlarge $0.3288 (26.32), r6g.2xlarge $0.6568
(52.82), r6g.4xlarge $1.3136 (105.81), m4.10xlarge $2.4896 (154.64); 730 hours a month; the
need is data / 0.75 (25 % reserved memory, redis-memory-management.html).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
MODE_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/modify-cluster-mode.html"
CROSSSLOT_URL = "https://repost.aws/knowledge-center/elasticache-crossslot-keys-error-redis"


def _run(cat, name, mode=None, **extra):
    p = json.loads((EXAMPLES / f"{name}.json").read_text()) | extra
    if mode is not None:
        p["database"] = p["database"] | {"cluster_mode": mode}
    return recommend(p, catalog=cat, models=False)


def _layout(o):
    return (o.config["instance_class"], o.count, o.config.get("shards"),
            o.config.get("replicas_per_shard"))


# cache80: 80 GiB -> 80 / 0.75 = 106.67 GiB.
#   One node: the cheapest holding 106.67 GiB is cache.m4.10xlarge (154.64; m6g.8xlarge
#   103.68 and r6g.4xlarge 105.81 are short): 2.4896 x 730 = $1,817.41.
#   Shards of a smaller class, ceil(106.67 / memory) x price an hour:
#     r6g.large   9 x 0.1648 = 1.4832  <- cheapest: 1.4832 x 730 = $1,082.74
#     r6g.xlarge  5 x 0.3288 = 1.644;  t4g.medium 35 x 0.052 = 1.82;  t2.medium 34 x 0.0544
#     = 1.8496;  r6g.2xlarge 3 x 0.6568 = 1.9704;  m6g.large 17 x 0.1192 = 2.0264;
#     r6g.4xlarge 2 x 1.3136 = 2.6272 (t4g.micro: 214 nodes, beyond the 90 a cluster).
SHARDED_80 = ("cache.r6g.large", 9, 9, 0)
ONE_80 = ("cache.m4.10xlarge", 1, None, None)


@pytest.mark.parametrize("objective", ["cost", "balanced"])
def test_cache80_the_cheaper_sharded_cluster_ranks_first(cat, objective):
    # cost: $1,082.74 < $1,817.41.  balanced: the cluster at risk 1 ranks at 1,082.74 x 1.10
    # = $1,191.01, still below the one node's $1,817.41 (risk 0).
    db = _run(cat, "cache80", objective=objective).recommendations.database
    assert [_layout(o) for o in db] == [SHARDED_80, ONE_80]
    assert [o.monthly_cost_usd for o in db] == pytest.approx([1082.74, 1817.41], abs=0.01)
    assert [o.performance_risk for o in db] == [1.0, 0.0]
    caution = next(x for x in db[0].reasons if x.rule == "database.cluster_mode")
    assert caution.severity == "caution"
    assert MODE_URL in caution.text and CROSSSLOT_URL in caution.text
    assert "$1,191.01" in caution.text and "10%" in caution.text
    size = next(x.text for x in db[0].reasons if x.rule == "database.size")
    assert "9 shards (cluster mode enabled)" in size and "$1,817.41" in size
    other = next(x.text for x in db[1].reasons if x.rule == "database.size")
    assert "cluster mode disabled" in other and "$1,082.74" in other


def test_cache80_performance_takes_the_lower_risk(cat):
    # Both hold the need (equal fit: capacity beyond the need earns nothing), so risk decides
    # before cost: the one node (risk 0) first.
    db = _run(cat, "cache80", objective="performance").recommendations.database
    assert [_layout(o) for o in db] == [ONE_80, SHARDED_80]


@pytest.mark.parametrize("objective", ["cost", "balanced", "performance"])
def test_cache80_cluster_mode_enabled_takes_the_cluster_at_no_risk(cat, objective):
    # The client supports cluster mode: no risk, so every objective takes $1,082.74.
    db = _run(cat, "cache80", "enabled", objective=objective).recommendations.database
    assert _layout(db[0]) == SHARDED_80 and db[0].performance_risk == 0.0
    assert db[0].monthly_cost_usd == pytest.approx(1082.74, abs=0.01)
    assert [x.severity for x in db[0].reasons if x.rule == "database.cluster_mode"] == ["info"]


def test_cache80_cluster_mode_disabled_keeps_one_node(cat):
    db = _run(cat, "cache80", "disabled").recommendations.database
    assert [_layout(o) for o in db] == [ONE_80]
    assert db[0].monthly_cost_usd == pytest.approx(1817.41, abs=0.01)


def test_cache80_production_keeps_a_replica_per_shard(cat):
    # Multi-AZ: a replica in every shard (AutoFailover.html), 2 nodes a shard, <= 45 shards.
    #   9 shards x 2 x r6g.large 0.1648 = 2.9664/h x 730 = $2,165.47 (r6g.xlarge 10 x 0.3288 =
    #   3.288; t4g.medium 70 x 0.052 = 3.64); one shard: 2 x m4.10xlarge 4.9792/h = $3,634.82.
    #   balanced: 2,165.47 x 1.10 = 2,382.02 < 3,634.82.
    db = _run(cat, "cache80", environment="production").recommendations.database
    assert [_layout(o) for o in db] == [("cache.r6g.large", 18, 9, 1),
                                        ("cache.m4.10xlarge", 2, None, None)]
    assert [o.monthly_cost_usd for o in db] == pytest.approx([2165.47, 3634.82], abs=0.01)


def test_cache10_one_node_when_no_cluster_is_cheaper(cat):
    # 10 GiB -> 13.33 GiB.  One node: m4.xlarge (14.28; r6g.large's 13.07 is short) 0.2488 x
    # 730 = $181.62.  Shards, T2 left out (ElastiCache no longer creates clusters on T2,
    # CacheNodes.SupportedTypes.html; before: 9 x t2.small 0.2448/h = $178.70 under cost):
    # t4g.small ceil(13.33 / 1.37) = 10 x 0.0256 = 0.256/h (t4g.medium 5 x 0.052 = 0.26;
    # r6g.large 2 x 0.1648 = 0.3296), dearer than the one node: the one node alone, under
    # cost and balanced.
    for objective in ("cost", "balanced"):
        db = _run(cat, "cache10", objective=objective).recommendations.database
        assert [_layout(o) for o in db] == [("cache.m4.xlarge", 1, None, None)]
        assert db[0].monthly_cost_usd == pytest.approx(181.62, abs=0.01)


def test_cache5_production_with_and_without_cluster_mode(cat):
    # 5 GiB production -> 6.67 GiB, 2 nodes a shard.  One shard: 2 x r6g.large 0.3296/h =
    # $240.61.  Shards: t4g.small ceil(6.67 / 1.37) = 5 shards x 2 = 10 x 0.0256 = 0.256/h =
    # $186.88 (t2.small 10 x 0.0272 = 0.272; t4g.medium 6 x 0.052 = 0.312; m6g.large 4 x 0.1192
    # = 0.4768); balanced 186.88 x 1.10 = $205.57 < $240.61.  Disabled: $240.61.
    db = _run(cat, "cache5_prod").recommendations.database
    assert _layout(db[0]) == ("cache.t4g.small", 10, 5, 1)
    assert db[0].monthly_cost_usd == pytest.approx(186.88, abs=0.01)
    one = _run(cat, "cache5_prod", "disabled").recommendations.database
    assert [_layout(o) for o in one] == [("cache.r6g.large", 2, None, None)]
    assert one[0].monthly_cost_usd == pytest.approx(240.61, abs=0.01)


def test_a_cache_only_shards_hold_is_rejected_when_cluster_mode_is_disabled(cat):
    # 1,000 GiB -> 1,333.33 GiB; the largest node (r5.24xlarge) has 635.61 GiB: with cluster
    # mode disabled nothing holds it.  Absent, the 51-shard r6g.xlarge cluster ($12,241.22,
    # test_aws_scenarios_audit5) at risk 1; enabled, the same at risk 0.
    r = _run(cat, "cache1000", "disabled")
    assert r.recommendations.database == []
    assert r.rejected == {"database.cache_needs_cluster_mode": 1}
    assert any("cluster mode" in w for w in r.warnings)
    unknown = _run(cat, "cache1000").recommendations.database
    enabled = _run(cat, "cache1000", "enabled").recommendations.database
    assert [(_layout(o), o.performance_risk) for o in unknown] == [
        (("cache.r6g.xlarge", 51, 51, 0), 1.0)]
    assert [(_layout(o), o.performance_risk) for o in enabled] == [
        (("cache.r6g.xlarge", 51, 51, 0), 0.0)]
    assert enabled[0].monthly_cost_usd == pytest.approx(12241.22, abs=0.01)


def test_memcached_takes_the_cheaper_partitioned_cluster_at_no_risk(cat):
    # Memcached has no cluster mode: "Because you can partition your data across all the
    # nodes in a Memcached cluster, scaling up to a node type with greater memory is seldom
    # required" (Scaling.Memcached.manually.html).  Memcached node-hours (snapshot): r6g.large
    # $0.206 (13.07 GiB), r6g.4xlarge $1.642 (105.81).  Memcached keeps 100 MB of
    # memcached_connections_overhead, not 25 % (ParameterGroups.Engine.html
    # #ParameterGroups.Memcached; audit 9, test_aws_scenarios_database_audit9.py): 80 GiB + 100
    # MB = 80.1 GiB: 7 x 0.206 = 1.442/h = $1,052.66 (r5.large 7 x 0.216 = 1.512; r7g.large 7 x
    # 0.219 = 1.533; r6g.2xlarge 2 x 0.821 = 1.642) vs one r6g.4xlarge 1.642 x 730 = $1,198.66;
    # both risk 0, so every objective.  (Before audit 9: 106.67 GiB, 9 x r6g.large $1,353.42
    # vs one m4.10xlarge $2,271.76.)
    for objective in ("balanced", "performance"):
        db = _run(cat, "cache80", objective=objective,
                  database={"data_model": "cache", "size_gib": 80, "engine": "memcached"}
                  ).recommendations.database
        assert [(o.option, _layout(o), o.performance_risk) for o in db] == [
            ("elasticache:memcached", ("cache.r6g.large", 7, None, None), 0.0),
            ("elasticache:memcached", ("cache.r6g.4xlarge", 1, None, None), 0.0)]
        assert [o.monthly_cost_usd for o in db] == pytest.approx([1052.66, 1198.66], abs=0.01)
