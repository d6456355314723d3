"""Database audit 9 (issue 9): sizing and costs checked against AWS's own pages.

Catalog rows used (``recommender catalog show database --region us-east-1``, ``... unit_prices``),
us-east-1, 730 hours a month:
ElastiCache Valkey node-hours (memory GiB): cache.t2.small $0.0272 (1.55), t4g.micro $0.0128
(0.5), t4g.small $0.0256 (1.37), t4g.medium $0.052 (3.09), t3.medium $0.0544 (3.09),
m4.xlarge $0.2488 (14.28).
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend

CACHE_NODE_TYPES_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                        "CacheNodes.SupportedTypes.html")


def _db(cat, **top):
    top.setdefault("schema_version", "1")
    top.setdefault("region", "us-east-1")
    return recommend(top, catalog=cat, models=False).recommendations.database


# --- ElastiCache: no new cluster on T2 ---------------------------------------------------------
# "Amazon ElastiCache is transitioning T2 instances to previous generation status. You will no
# longer be able to create new ElastiCache clusters with T2 instances or purchase new T2
# reserved nodes" (Supported node types, CACHE_NODE_TYPES_URL).  The feed still marks T2 as
# current generation, so T2 nodes were chosen.

def test_small_cache_is_not_put_on_a_t2_node(cat):
    # 1.1 GiB of data, one shard (cluster_mode disabled): memory >= 1.1 / 0.75 = 1.47 GiB.
    # Before: cache.t2.small (1.55 GiB) 0.0272 x 730 = $19.86.  Without T2 the cheapest node of
    # >= 1.47 GiB is cache.t4g.medium (3.09 GiB; t4g.small's 1.37 is short; t3.medium $0.0544
    # dearer): 0.052 x 730 = $37.96.
    db = _db(cat, database={"data_model": "cache", "size_gib": 1.1, "cluster_mode": "disabled"})
    assert [(o.config["instance_class"], o.count) for o in db] == [("cache.t4g.medium", 1)]
    assert db[0].monthly_cost_usd == pytest.approx(37.96, abs=0.01)
    size = next(r.text for r in db[0].reasons if r.rule == "database.size")
    assert CACHE_NODE_TYPES_URL in size and "T2" in size


def test_cache10_cheapest_cluster_is_no_longer_t2(cat):
    # 10 GiB -> 13.33 GiB.  One node: cache.m4.xlarge (14.28 GiB) 0.2488 x 730 = $181.62.
    # Before, under cost: 9 x cache.t2.small (ceil(13.33 / 1.55) = 9) 9 x 0.0272 = 0.2448/h =
    # $178.70 first.  Without T2 the cheapest shards are t4g.small ceil(13.33 / 1.37) = 10 x
    # 0.0256 = 0.256/h (t4g.medium 5 x 0.052 = 0.26, t3.small 10 x 0.0272 = 0.272), dearer than
    # the one node's 0.2488/h, so no sharded cluster is offered: m4.xlarge alone, $181.62.
    db = _db(cat, objective="cost", database={"data_model": "cache", "size_gib": 10})
    assert [(o.config["instance_class"], o.count) for o in db] == [("cache.m4.xlarge", 1)]
    assert db[0].monthly_cost_usd == pytest.approx(181.62, abs=0.01)


@pytest.mark.parametrize("engine", ["valkey", "redis", "memcached"])
@pytest.mark.parametrize("size", [0.3, 1.1, 2.3, 10.0])
def test_no_cache_option_uses_t2(cat, engine, size):
    db = _db(cat, objective="cost", database={"data_model": "cache", "size_gib": size,
                                              "engine": engine})
    assert db and not [o for o in db if o.config["instance_class"].startswith("cache.t2.")]
