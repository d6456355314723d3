"""Database audit 9 (issue 9): sizing and costs checked against AWS's own pages.

Catalog rows used (``recommender catalog show database --region us-east-1``, ``... unit_prices``),
us-east-1, 730 hours a month:
ElastiCache Valkey node-hours (memory GiB): cache.t2.small $0.0272 (1.55), t4g.micro $0.0128
(0.5), t4g.small $0.0256 (1.37), t4g.medium $0.052 (3.09), t3.medium $0.0544 (3.09),
m4.xlarge $0.2488 (14.28).
RDS MySQL db.r6in.8xlarge Single-AZ $5.534/h; rds.storage.io2_gb_month $0.125,
rds.storage.io2_iops_month $0.10, multi_az $0.25 and $0.20 (per copy).
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend
from recommender.rules.base import Rejections
from recommender.rules.database import database_options
from recommender.rules.database_gp3 import gp3_plan

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


# --- RDS above gp3's maximum: io2 Block Express, priced ------------------------------------------
# gp3 on RDS provisions at most 64,000 IOPS (SQL Server 16,000; CHAP_Storage.html#gp3-storage);
# RDS recommends Provisioned IOPS SSD io2 Block Express for I/O-intensive workloads, up to
# 256,000 IOPS (SQL Server 64,000), 100 GiB at least (CHAP_Storage.html#USER_PIOPS), IOPS at
# most 1,000 x the GiB allocated (io2 Block Express on RDS: "up to 1,000 IOPS per GiB", 20
# times io1's 50, https://aws.amazon.com/blogs/database/optimize-amazon-rds-performance-with-
# io2-block-express-storage-for-production-workloads/; 50 x was io1's ratio, used before).
# Before, the IOPS above 64,000 were named unpriced ("io2 Block Express goes
# further ... not counted") although the catalog has the io2 rows, at risk 2.

def _rds(profile, cat, book, db, *, multi_az=False):
    out = database_options(profile(database=db), cat, book, "us-east-1", Rejections())
    return next(c for c in out if c.kind == "rds" and bool(c.config["multi_az"]) == multi_az)


IO2_LOAD = {"data_model": "relational", "engine": "mysql", "size_gib": 1000,
            "reads_per_s": 10000, "writes_per_s": 90000}


def test_io_above_gp3_maximum_is_priced_on_io2(profile, cat, book):
    # 10,000 reads (10 % of the load: no read replica) + 90,000 writes, no cache: 100,000 IOPS
    # per instance > gp3's 64,000 -> io2: max(1,000, 100, 100,000 / 1,000 = 100) = 1,000 GiB.
    # Storage 1,000 x 0.125 = 125.00 + IOPS 100,000 x 0.10 = 10,000.00 = $10,125.00; the
    # instance db.r6in.8xlarge (the class whose EBS baseline carries them) 5.534 x 730 =
    # 4,039.82 -> $14,164.82, risk 0 (at io1's 50:1, 2,000 GiB: $14,289.82).  Before: gp3
    # 1,000 x 0.115 + 52,000 x 0.02 = 1,155.00 -> $5,194.82 at risk 2, 36,000 IOPS named unpriced.
    c = _rds(profile, cat, book, IO2_LOAD)
    assert (c.config["storage_type"], c.config["storage_gib"], c.config["iops"]) == \
        ("io2", 1000, 100000)
    assert c.config["instance_class"] == "db.r6in.8xlarge"
    assert c.monthly_cost_usd == pytest.approx(14164.82, abs=0.01)
    assert c.risk == 0
    assert not [u for u in c.unpriced if "IOPS above" in u.item]
    size = next(r.text for r in c.reasons if r.rule == "database.size")
    assert "io2 Block Express" in size and "CHAP_Storage.html#USER_PIOPS" in size


def test_io2_multi_az_bills_each_copy(profile, cat, book):
    # Multi-AZ: the io2 rows per copy, 1,000 x 0.25 = 250.00 + 100,000 x 0.20 = 20,000.00 =
    # $20,250.00 beside the Multi-AZ instance.
    c = _rds(profile, cat, book, IO2_LOAD, multi_az=True)
    rate = _rate(cat, "mysql", c.config["instance_class"], "multi_az")
    assert c.monthly_cost_usd == pytest.approx(rate * 730 + 20250.00, abs=0.01)


def _rate(cat, engine, cls, deployment):
    """The catalog's us-east-1 RDS on-demand rate of ``cls`` (the instance beside the storage)."""
    return next(r for r in cat.database.to_dict("records")
                if (r["service"], r["engine"], r["instance_class"], r["deployment"],
                    r["region"]) == ("rds", engine, cls, deployment, "us-east-1")
                )["ondemand_usd_per_hour"]


def test_io_above_io2_maximum_names_the_rest(profile, cat, book):
    # 300,000 writes/s on 500 GiB PostgreSQL: io2 carries 256,000 on max(500, 256,000 / 1,000)
    # = 500 GiB: 500 x 0.125 = 62.50 + 256,000 x 0.10 = 25,600.00 = $25,662.50 of storage;
    # 44,000 IOPS named unpriced (more than one instance's storage), risk 2.
    c = _rds(profile, cat, book, {"data_model": "relational", "engine": "postgresql",
                                  "size_gib": 500, "writes_per_s": 300000})
    assert (c.config["storage_type"], c.config["storage_gib"], c.config["iops"]) == \
        ("io2", 500, 256000)
    rate = _rate(cat, "postgresql", c.config["instance_class"], "single_az")
    assert c.monthly_cost_usd == pytest.approx(rate * 730 + 25662.50, abs=0.01)
    assert c.risk == 2
    [u] = [u for u in c.unpriced if "IOPS above io2" in u.item]
    assert u.item.startswith("Storage for 44,000 IOPS")


def test_gp3_plan_switches_at_the_gp3_maximum():
    # 64,000 IOPS on 1,000 GiB PostgreSQL stays gp3 (52,000 provisioned above the 12,000
    # included); 64,001 goes to io2 with every IOPS provisioned, on the data's 1,000 GiB
    # (64,001 / 1,000 = 64.001 GiB is below it).  SQL Server: gp3 up to 16,000,
    # io2 up to 64,000 (20,000 IOPS on 1,000 GiB: 1,000 GiB, 20,000 provisioned).
    gp3 = gp3_plan("postgresql", 1000, 64000)
    assert (gp3.storage_type, gp3.extra_iops, gp3.short_iops) == ("gp3", 52000, 0)
    io2 = gp3_plan("postgresql", 1000, 64001)
    assert (io2.storage_type, io2.allocated_gib, io2.extra_iops) == ("io2", 1000, 64001)
    sql = gp3_plan("sqlserver", 1000, 20000)
    assert (sql.storage_type, sql.allocated_gib, sql.extra_iops, sql.short_iops) == \
        ("io2", 1000, 20000, 0)
    assert gp3_plan("sqlserver", 1000, 70000).short_iops == 6000


def test_io_intensive_load_ranks_aurora_with_rds_by_cost(cat):
    # The same 100,000 IOPS load: AWS names Aurora I/O-Optimized for "I/O-intensive
    # applications" (Aurora.Overview.StorageReliability.html#aurora-storage-type), so Aurora is
    # in RDS's guidance tier and balanced ranks by cost.  Aurora MySQL db.r6g.8xlarge (256 GiB
    # for the 250 GiB working set) I/O-Optimized 5.399 x 730 = 3,941.27 + 1,000 x 0.225 =
    # 225.00 -> $4,166.27 (Standard: 4.153 x 730 = 3,031.69 + 100 + 100,000 x 2,628,000 x
    # 0.20 / 1M = 52,560.00 -> $55,691.69), before RDS io2 $14,164.82.  Before: RDS ranked #1
    # (the tier) although dearer.
    db = _db(cat, database=IO2_LOAD)
    assert [(o.kind, o.config["deployment"]) for o in db[:2]] == [
        ("aurora", "io_optimized"), ("rds", "single_az")]
    assert [o.monthly_cost_usd for o in db[:2]] == pytest.approx([4166.27, 14164.82], abs=0.01)
    assert any(r.rule == "database.aurora_io" for r in db[0].reasons)


def test_aurora_stays_below_rds_without_io_pressure(cat):
    # rds_prod's 2,500 IOPS fit gp3: the tier is unchanged, RDS Multi-AZ $2,740.81 first.
    db = _db(cat, environment="production",
             database={"data_model": "relational", "engine": "postgresql", "size_gib": 500,
                       "reads_per_s": 2000, "writes_per_s": 500})
    assert db[0].kind == "rds" and not any(r.rule == "database.aurora_io"
                                           for o in db for r in o.reasons)


# --- Memcached: its 100 MB connection overhead, not Valkey/Redis OSS's 25 % ---------------------
# reserved-memory-percent (25 % by default) is a Valkey/Redis OSS parameter
# (redis-memory-management.html); Memcached reserves memcached_connections_overhead, "the amount
# of memory to be reserved for memcached connections and other miscellaneous overhead", 100 MB
# by default (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
# #ParameterGroups.Memcached).  Memcached node-hours: r6g.large $0.206 (13.07 GiB), r6g.xlarge
# $0.411 (26.32), r6g.4xlarge $1.642 (105.81), m4.10xlarge $3.112 (154.64).

def test_memcached_need_is_the_data_and_its_connection_overhead(cat):
    # 80 GiB + 100 MB = 80.1 GiB (was 80 / 0.75 = 106.67).  One node: cache.r6g.4xlarge (105.81
    # GiB) 1.642 x 730 = $1,198.66 (was m4.10xlarge $2,271.76: 105.81 < 106.67); partitioned:
    # ceil(80.1 / 13.07) = 7 x cache.r6g.large 7 x 0.206 = 1.442/h = $1,052.66 (was 9, $1,353.42).
    db = _db(cat, database={"data_model": "cache", "engine": "memcached", "size_gib": 80})
    assert [(o.config["instance_class"], o.count) for o in db] == [
        ("cache.r6g.large", 7), ("cache.r6g.4xlarge", 1)]
    assert [o.monthly_cost_usd for o in db] == pytest.approx([1052.66, 1198.66], abs=0.01)
    size = next(r.text for r in db[0].reasons if r.rule == "database.size")
    assert "memcached_connections_overhead" in size and "ParameterGroups.Memcached" in size


def test_valkey_keeps_its_25_percent_reserve(cat):
    # The same 80 GiB on Valkey: 80 / 0.75 = 106.67 GiB, cluster mode disabled: one
    # cache.m4.10xlarge (154.64 GiB; r6g.4xlarge's 105.81 is short) 2.4896 x 730 = $1,817.41.
    db = _db(cat, database={"data_model": "cache", "size_gib": 80, "cluster_mode": "disabled"})
    assert [(o.config["instance_class"], o.count) for o in db] == [("cache.m4.10xlarge", 1)]
    assert db[0].monthly_cost_usd == pytest.approx(1817.41, abs=0.01)


# --- purchase_options reserved: database nodes at their reserved rate -----------------------------
# RDS Reserved Instances (https://aws.amazon.com/rds/reserved-instances/), ElastiCache reserved
# nodes, OpenSearch Reserved Instances (opensearch-service/latest/developerguide/ri.html) and
# Redshift reserved nodes bill a term's every hour at a discount.  The catalog rows carry the
# 1-year No Upfront rate.  Before, a profile asking for reserved got its databases on-demand
# without a word.  Rows (us-east-1, on-demand / 1-year No Upfront per hour): db.r6g.xlarge
# PostgreSQL Single-AZ 0.45 / 0.2597, Multi-AZ 0.899 / 0.5194; r6g.xlarge.search 0.335 / 0.231;
# m6g.large.search 0.128 / 0.088; cache.m4.xlarge Valkey 0.2488 / none.

PG100 = {"data_model": "relational", "engine": "postgresql", "size_gib": 100}


def test_reserved_prices_rds_nodes_at_the_reserved_rate(cat):
    # 25 GiB working set -> db.r6g.xlarge.  Single-AZ: 0.2597 x 730 = 189.58 + 100 x 0.115 =
    # 11.50 -> $201.08 (on-demand 328.50 + 11.50 = $340.00, what it was before); Multi-AZ:
    # 0.5194 x 730 = 379.16 + 100 x 0.23 = 23.00 -> $402.16.  Aurora has no reserved rate in
    # the catalog: on-demand $388.87 with a caution.
    r = recommend({"schema_version": "1", "region": "us-east-1",
                   "purchase_options": ["reserved"], "database": PG100},
                  catalog=cat, models=False)
    db = r.recommendations.database
    got = [(o.kind, o.config["deployment"], o.purchase_option, o.monthly_cost_usd) for o in db]
    assert got == [("rds", "single_az", "reserved", pytest.approx(201.08, abs=0.01)),
                   ("aurora", "standard", "on_demand", pytest.approx(388.87, abs=0.01)),
                   ("rds", "multi_az", "reserved", pytest.approx(402.16, abs=0.01))]
    assert (db[0].config["term_years"], db[0].config["payment"]) == (1, "no_upfront")
    assert any(x.rule == "database.reserved" and "rds/reserved-instances" in x.text
               for x in db[0].reasons)
    assert any(x.rule == "database.reserved" and x.severity == "caution"
               for x in db[1].reasons)
    [price] = [x for x in r.prices if x.option == "rds:postgresql" and x.rank == 1
               and x.item.startswith("rds.")]
    assert (price.item, price.usd) == ("rds.reserved", 0.2597)


def test_on_demand_and_reserved_both_offered(cat):
    db = _db(cat, purchase_options=["on_demand", "reserved"], database=PG100)
    rds = [(o.purchase_option, o.monthly_cost_usd) for o in db
           if o.kind == "rds" and o.config["deployment"] == "single_az"]
    assert rds == [("reserved", pytest.approx(201.08, abs=0.01)),
                   ("on_demand", pytest.approx(340.00, abs=0.01))]


def test_reserved_opensearch_domain_with_its_masters(cat):
    # Production 300 GiB: 3 x r6g.xlarge.search 3 x 0.231 x 730 = 505.89 + 3 dedicated
    # m6g.large.search masters 3 x 0.088 x 730 = 192.72 -> $698.61 (on-demand 733.65 + 280.32
    # = $1,013.97).
    db = _db(cat, environment="production", purchase_options=["reserved"],
             database={"data_model": "search", "size_gib": 300})
    assert [(o.option, o.purchase_option, o.count) for o in db] == [
        ("opensearch", "reserved", 3)]
    assert db[0].config["dedicated_master_type"] == "m6g.large.search"
    assert db[0].monthly_cost_usd == pytest.approx(698.61, abs=0.01)


def test_reserved_without_a_rate_stays_on_demand_and_says_so(cat):
    # cache.m4.xlarge has no reserved rate in the catalog: on-demand 0.2488 x 730 = $181.62;
    # a 3-year term has no rate at all (the rows carry 1-year No Upfront only).
    db = _db(cat, purchase_options=["reserved"], database={"data_model": "cache",
                                                           "size_gib": 10})
    assert [(o.purchase_option, o.monthly_cost_usd) for o in db] == [
        ("on_demand", pytest.approx(181.62, abs=0.01))]
    assert any(x.rule == "database.reserved" for x in db[0].reasons)
    three = _db(cat, purchase_options=["reserved"], purchase_term_years=3, database=PG100)
    assert {o.purchase_option for o in three} == {"on_demand"}
    assert all(any("1-year No Upfront" in x.text for x in o.reasons) for o in three)
