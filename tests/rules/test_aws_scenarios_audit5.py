"""Fifth audit round of ``examples/aws_scenarios`` (issue 9): large ElastiCache clusters and
RDS for SQL Server's storage maximum.

Every expectation is worked by hand in its comment from the AWS page named there and the
catalog's us-east-1 ElastiCache Valkey node prices (the snapshot's, per node-hour):
cache.r6g.xlarge $0.3288 (26.32 GiB), r6g.2xlarge $0.6568 (52.82), r6g.4xlarge $1.3136
(105.81), r6g.8xlarge $2.6272 (209.55), r6g.12xlarge $3.94 (317.77), r6g.large $0.1648
(13.07), r5.24xlarge $8.2944 (635.61, the largest); 730 hours a month.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
SHARDS_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Shards.html"


def _run(cat, name, **extra):
    p = json.loads((EXAMPLES / f"{name}.json").read_text()) | extra
    return recommend(p, catalog=cat, models=False)


@pytest.mark.parametrize("objective", ["cost", "balanced", "performance"])
def test_large_cache_is_the_cheapest_cluster_that_holds_it(cat, objective):
    # 1,000 GiB with the default 25% reserved memory (redis-memory-management.html): the
    # need is 1,000 / 0.75 = 1,333.33 GiB; no node holds it (the largest, r5.24xlarge, has
    # 635.61 GiB), so the data is sharded (cluster mode enabled, Shards.html: up to 90 nodes
    # a cluster by default).  Shards x price an hour, one node a shard:
    #   r6g.large    ceil(1,333.33 / 13.07)  = 103 x 0.1648 = 16.9744
    #   r6g.xlarge   ceil(1,333.33 / 26.32)  =  51 x 0.3288 = 16.7688  <- cheapest
    #   r6g.2xlarge  ceil(1,333.33 / 52.82)  =  26 x 0.6568 = 17.0768
    #   r6g.4xlarge  ceil(1,333.33 / 105.81) =  13 x 1.3136 = 17.0768
    #   r6g.12xlarge ceil(1,333.33 / 317.77) =   5 x 3.94   = 19.70 ($14,381.00)
    #   r5.24xlarge  3 x 8.2944 = 24.8832 (the old pick, $18,164.74)
    # 16.7688 x 730 = $12,241.22.  Capacity beyond the need earns nothing and no risk step
    # is defined for a shard count, so every objective picks the same cluster.
    top = _run(cat, "cache1000", objective=objective).recommendations.database[0]
    assert (top.config["instance_class"], top.count) == ("cache.r6g.xlarge", 51)
    assert top.monthly_cost_usd == pytest.approx(12241.22, abs=0.01)
    size = next(x.text for x in top.reasons if x.rule == "database.size")
    assert "51 shards" in size and SHARDS_URL in size


def test_large_production_cache_keeps_a_replica_per_shard_within_90_nodes(cat):
    # Production: a replica in each shard for Multi-AZ (AutoFailover.html), so 2 nodes a
    # shard and at most 45 shards in 90 nodes: r6g.xlarge's 51 shards (102 nodes) are out.
    #   r6g.2xlarge 26 shards x 2 x 0.6568 = 34.1536; r6g.4xlarge 13 x 2 x 1.3136 = 34.1536
    #   (a tie: fewer nodes first); r6g.8xlarge 7 x 2 x 2.6272 = 36.7808.
    # 26 x cache.r6g.4xlarge: 34.1536 x 730 = $24,932.13 (was 6 x r5.24xlarge $36,329.47).
    top = _run(cat, "cache1000", environment="production").recommendations.database[0]
    assert (top.config["instance_class"], top.count) == ("cache.r6g.4xlarge", 26)
    assert top.monthly_cost_usd == pytest.approx(24932.13, abs=0.01)


def test_a_cache_one_node_holds_stays_on_one_node(cat):
    # 80 GiB: 106.67 GiB fits one cache.m4.10xlarge (154.64 GiB), 2.4896 x 730 = $1,817.41,
    # one shard (cluster mode disabled).  Since database.cluster_mode, that holds when the
    # profile says its client cannot use cluster mode; absent, the cheaper 9 x r6g.large
    # cluster ($1,082.74) ranks first (tests/rules/test_cache_cluster_mode.py).
    top = _run(cat, "cache80", database={"data_model": "cache", "size_gib": 80,
                                         "cluster_mode": "disabled"}
               ).recommendations.database[0]
    assert (top.config["instance_class"], top.count) == ("cache.m4.10xlarge", 1)
    assert top.monthly_cost_usd == pytest.approx(1817.41, abs=0.01)


def test_a_cache_beyond_the_node_quota_says_so(cat):
    # 100,000 GiB: 133,333 GiB / 635.61 = 210 nodes of the largest class, above the default
    # 90 nodes a cluster (Shards.html), and every smaller class needs more: the largest node
    # is kept and the reason names the quota.
    top = _run(cat, "cache1000", database={"data_model": "cache", "size_gib": 100000}
               ).recommendations.database[0]
    assert (top.config["instance_class"], top.count) == ("cache.r5.24xlarge", 210)
    size = next(x.text for x in top.reasons if x.rule == "database.size")
    assert "quota" in size and SHARDS_URL in size


def test_aurora_is_not_offered_for_sql_server(cat):
    # Aurora User Guide (CHAP_AuroraOverview.html): "Amazon Aurora (Aurora) is a fully managed
    # relational database engine that's compatible with MySQL and PostgreSQL": SQL Server has
    # no Aurora edition.  Was: aurora:sqlserver offered (unpriced) beside rds:sqlserver.  The
    # catalog has no RDS for SQL Server rows (its coverage gaps list the engine), so RDS stays
    # unpriced; its storage maximum is not applied (see examples/aws_scenarios/README.md).
    p = json.loads((EXAMPLES / "rds_sqlserver.json").read_text()) | {
        "explain": ["aurora:sqlserver"]}
    r = recommend(p, catalog=cat, models=False)
    options = {o.option for o in r.recommendations.database}
    assert options == {"rds:sqlserver"}
    assert all(o.monthly_cost_usd is None for o in r.recommendations.database)
    assert r.rejected.get("database.aurora_engine_not_supported") == 1
    w = r.why_not[0]
    assert (w.verdict, w.rule) == ("rejected", "database.aurora_engine_not_supported")
    assert "CHAP_AuroraOverview.html" in w.text
    # MySQL keeps Aurora (aurora:mysql is one of its options).
    mysql = _run(cat, "rds_sqlserver", database={"data_model": "relational",
                                                 "engine": "mysql", "size_gib": 200})
    assert "aurora:mysql" in {o.option for o in mysql.recommendations.database}
