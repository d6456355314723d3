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


# --- RDS / Aurora backup storage beyond the free allowance, named --------------------------------
# RDS: "There is no additional charge for backup storage up to 100% of your total database
# storage for a region" (https://aws.amazon.com/rds/pricing/); Aurora: "up to 100% of your total
# Aurora database storage for each Aurora database cluster" (https://aws.amazon.com/rds/aurora/
# pricing/).  Beyond it backups are billed per GB-month; the catalog has no backup price and the
# profile no retention period, so the excess is named in `unpriced` (before: not mentioned).

def _named(items, prefix):
    return [u for u in items if u.item.startswith(prefix)]


def test_relational_backup_beyond_the_free_allowance_is_named(cat):
    # rds_prod: 500 GiB PostgreSQL, production.  RDS Multi-AZ db.r6g.4xlarge 3.597 x 730 =
    # 2,625.81 + 500 x 0.23 = 115.00 -> $2,740.81, unchanged; the free backup allowance is the
    # 500 GiB of database storage.
    r = recommend({"schema_version": "1", "region": "us-east-1", "environment": "production",
                   "database": {"data_model": "relational", "engine": "postgresql",
                                "size_gib": 500, "reads_per_s": 2000, "writes_per_s": 500,
                                "query_pattern": "joins"}}, catalog=cat, models=False)
    db = r.recommendations.database
    rds = next(o for o in db if o.kind == "rds")
    assert rds.monthly_cost_usd == pytest.approx(2740.81, abs=0.01)
    [b] = _named(rds.unpriced, "RDS backup storage beyond the free allowance")
    assert "500 GiB" in b.reason and "https://aws.amazon.com/rds/pricing/" in b.reason
    aurora = next(o for o in db if o.kind == "aurora")
    [a] = _named(aurora.unpriced, "Aurora backup storage beyond the free allowance")
    assert "https://aws.amazon.com/rds/aurora/pricing/" in a.reason
    assert _named(r.bundle.unpriced, "RDS backup storage")  # the chosen component's
    assert any(x.rule == "database.unpriced" and "backup" in x.text for x in rds.reasons)


def test_backup_allowance_is_the_storage_allocated(cat):
    # 100 GiB PostgreSQL at 10,000 IOPS allocates gp3's 400 GiB threshold (CHAP_Storage.html
    # #gp3-storage), so the free backup allowance is 400 GiB, not the 100 GiB of data.
    db = _db(cat, database={"data_model": "relational", "engine": "postgresql",
                            "size_gib": 100, "writes_per_s": 10000})
    rds = next(o for o in db if o.kind == "rds" and not o.config["multi_az"])
    assert rds.config["storage_gib"] == 400
    [b] = _named(rds.unpriced, "RDS backup storage")
    assert "400 GiB here" in b.reason
