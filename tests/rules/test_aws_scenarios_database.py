"""AWS-documented database scenarios, each expectation worked out by hand (issue 9).

Prices are the catalog's us-east-1 rows (``recommender catalog show database --region
us-east-1``, ``... unit_prices``): db.r6g.4xlarge PostgreSQL Single-AZ $1.798/h, Multi-AZ
$3.597/h; db.r6g.xlarge Single-AZ $0.45/h; RDS gp3 storage $0.115/GB-month, Multi-AZ $0.23;
cache.m4.10xlarge (154.64 GiB) $2.4896/h.

* RDS read replicas are DB instances of their own, billed at the Single-AZ rate with their own
  storage (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html,
  https://aws.amazon.com/rds/pricing/); Multi-AZ doubles the primary and its storage
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html).
* ElastiCache keeps 25% of node memory reserved
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/redis-memory-management.html)
  and Multi-AZ needs a replica per shard
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html).
"""

from __future__ import annotations

import pytest

from recommender.rules.base import Rejections
from recommender.rules.database import database_options


def _db(profile, cat, book, db, **top):
    return database_options(profile(database=db, **top), cat, book, "us-east-1", Rejections())


def test_multi_az_primary_and_a_single_az_read_replica(profile, cat, book):
    # 500 GiB, 8,000 reads/s of 10,000 ops (80% reads): the primary serves 5,000 reads/s,
    # one read replica the other 3,000; production asks for Multi-AZ.  Working set 25% =
    # 125 GiB -> db.r6g.4xlarge (128 GiB).
    # Primary Multi-AZ 3.597 x 730 = 2,625.81 + storage 500 x 0.23 = 115.00;
    # replica Single-AZ 1.798 x 730 = 1,312.54 + its storage 500 x 0.115 = 57.50;
    # total $4,110.85 (the replica at the Multi-AZ rate would have been $5,366.62).
    out = _db(profile, cat, book, {"data_model": "relational", "engine": "postgresql",
                                   "size_gib": 500, "reads_per_s": 8000, "writes_per_s": 2000},
              environment="production")
    rds = [c for c in out if c.option == "rds:postgresql"]
    assert len(rds) == 1
    c = rds[0]
    assert c.config["instance_class"] == "db.r6g.4xlarge" and c.config["multi_az"]
    assert c.config["read_replicas"] == 1 and c.count == 2 and c.config["node_count"] == 2
    assert c.monthly_cost_usd == pytest.approx(4110.85, abs=0.01)
    assert any("Single-AZ db.r6g.4xlarge" in r.text and "USER_ReadRepl" in r.text
               for r in c.reasons)


def test_reads_one_instance_serves_need_no_replica(profile, cat, book):
    # 2,000 reads/s of 2,500 (80% reads) is within the 5,000 reads/s the primary serves, so
    # no replica: production Multi-AZ db.r6g.4xlarge 3.597 x 730 = 2,625.81 + storage
    # 500 x 0.23 = 115.00 -> $2,740.81 (a replica added $1,370.04 before).
    out = _db(profile, cat, book, {"data_model": "relational", "engine": "postgresql",
                                   "size_gib": 500, "reads_per_s": 2000, "writes_per_s": 500},
              environment="production")
    c = next(c for c in out if c.option == "rds:postgresql")
    assert c.config["read_replicas"] == 0 and c.count == 1
    assert c.monthly_cost_usd == pytest.approx(2740.81, abs=0.01)


def test_single_az_read_replica_has_its_own_storage(profile, cat, book):
    # 100 GiB, 6,000 reads/s of 7,000 (86% reads): one replica for the 1,000 reads/s above
    # the primary's 5,000; working set 25 GiB -> db.r6g.xlarge (32 GiB).  Each instance
    # applies the 1,000 writes/s and half the 6,000 reads (no cacheable share given: all
    # reach storage) = 4,000 IOPS, above the 3,000 a PostgreSQL gp3 volume below 400 GiB
    # includes (none provisionable there, CHAP_Storage.html#gp3-storage), so each allocates
    # 400 GiB (12,000 included): 2 x 0.45 x 730 = 657.00 + 2 copies x 400 x 0.115 = 92.00
    # -> $749.00 (at 100 GiB each, $680.00, the storage could not carry the I/O).
    out = _db(profile, cat, book, {"data_model": "relational", "size_gib": 100,
                                   "reads_per_s": 6000, "writes_per_s": 1000})
    c = [c for c in out if c.option == "rds:postgresql" and not c.config["multi_az"]][0]
    assert c.config["instance_class"] == "db.r6g.xlarge" and c.count == 2
    assert c.config["storage_gib"] == 400 and "iops" not in c.config
    assert c.monthly_cost_usd == pytest.approx(749.00, abs=0.01)


def test_production_cache_has_a_replica_per_shard(profile, cat, book):
    # 80 GiB of data / 0.75 = 106.67 GiB of node memory: cache.r6g.4xlarge (105.81) is too
    # small; the cheapest current node with >= 106.67 GiB is cache.m4.10xlarge (154.64 GiB,
    # $2.4896/h).  Production: primary + 1 replica = 2 x 2.4896 x 730 = $3,634.82.
    c = _db(profile, cat, book, {"data_model": "cache", "size_gib": 80},
            environment="production")[0]
    assert c.config["instance_class"] == "cache.m4.10xlarge"
    assert c.count == 2
    assert c.monthly_cost_usd == pytest.approx(3634.82, abs=0.01)
    assert any("AutoFailover" in r.text for r in c.reasons)


def test_development_cache_is_one_node(profile, cat, book):
    # Same data outside production: one node, 2.4896 x 730 = $1,817.41.
    c = _db(profile, cat, book, {"data_model": "cache", "size_gib": 80})[0]
    assert c.count == 1
    assert c.monthly_cost_usd == pytest.approx(1817.41, abs=0.01)


def test_opensearch_has_three_current_generation_data_nodes(profile, cat, book):
    # The sizing guide's step 1: "a minimum of three nodes ... split brain"
    # (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/sizing-domains.html),
    # even outside production.  300 GiB x 2 x 1.45 = 870 GiB of index; 870 / 16 / 3 = 18.1 GiB
    # of memory per node -> r6g.xlarge.search (32 GiB, $0.335/h): 3 x 0.335 x 730 = $733.65.
    c = _db(profile, cat, book, {"data_model": "search", "size_gib": 300})[0]
    assert c.count == 3 and c.config["instance_class"] == "r6g.xlarge.search"
    assert c.monthly_cost_usd == pytest.approx(733.65, abs=0.01)
    # Step 2 of the same guide: each node's storage is the requirement / nodes: 870 / 3 = 290.
    assert c.config["volume_gib_per_node"] == 290
    # 5 GiB: never t2 (previous generation) or an UltraWarm node as a data node.
    small = _db(profile, cat, book, {"data_model": "search", "size_gib": 5})[0]
    assert small.count == 3
    assert not small.config["instance_class"].startswith(("t2.", "ultrawarm", "m3.", "r3."))


def test_production_opensearch_prices_three_dedicated_masters(profile, cat, book):
    # "We recommend that you add three dedicated master nodes to each production OpenSearch
    # Service domain"; for 1-10 instances the recommended minimum is m5.large.search or
    # m6g.large.search (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/
    # managedomains-dedicatedmasternodes.html).  us-east-1 on demand (the catalog's source,
    # ec2instances.info opensearch-instances.json): m6g.large.search $0.128/h, m5.large.search
    # $0.142/h, so m6g: 3 x 0.128 x 730 = $280.32.  Data nodes as without production:
    # 3 x r6g.xlarge.search = $733.65; total $1,013.97.
    c = _db(profile, cat, book, {"data_model": "search", "size_gib": 300},
            environment="production")[0]
    assert c.count == 3 and c.config["instance_class"] == "r6g.xlarge.search"
    assert (c.config["dedicated_master_type"], c.config["dedicated_master_count"]) == (
        "m6g.large.search", 3)
    assert c.monthly_cost_usd == pytest.approx(1013.97, abs=0.01)
    assert any("$280.32" in r.text for r in c.reasons)
    assert not any("master" in u.item for u in c.unpriced)
    # Outside production: no masters, no master cost.
    dev = _db(profile, cat, book, {"data_model": "search", "size_gib": 300})[0]
    assert "dedicated_master_type" not in dev.config
    assert dev.monthly_cost_usd == pytest.approx(733.65, abs=0.01)


def test_production_search_response_lists_the_masters_price():
    # The prices behind the option (response.prices) include the masters' row, under an item
    # of its own: m6g.large.search at $0.128/h (us-east-1, the catalog's source row).
    from recommender import recommend

    r = recommend({"region": "us-east-1", "environment": "production",
                   "database": {"data_model": "search", "size_gib": 300}}, models=False)
    rows = {(p.item, p.key): p.usd for p in r.prices if p.category == "database"}
    assert rows[("opensearch.dedicated_master_on_demand", "m6g.large.search")] == 0.128
    assert rows[("opensearch.on_demand", "r6g.xlarge.search")] == 0.335
    assert r.recommendations.database[0].monthly_cost_usd == pytest.approx(1013.97, abs=0.01)


def test_search_with_taxing_aggregations_sizes_by_vcpu_and_memory(profile, cat, book):
    # "If your cluster ... performs taxing aggregations ... try starting with a configuration
    # closer to 2 vCPU cores and 8 GiB of memory for every 100 GiB of your storage
    # requirement" (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/
    # sizing-domains.html).  300 GiB x 2 x 1.45 = 870 GiB -> 17.4 vCPUs and 69.6 GiB.
    # us-east-1 rows: m6g.large.search (2 vCPU, 8 GiB, $0.128/h) needs 9 nodes, $1.152/h;
    # m7g.medium (1, 4, $0.068) 18 nodes $1.224; m6g.xlarge (4, 16, $0.256) 5 nodes $1.28;
    # r6g.xlarge (4, 32, $0.335) 5 nodes $1.675.  9 x 0.128 x 730 = $840.96.  The data model
    # is search, so the aggregations stay on OpenSearch (not Redshift).
    c = _db(profile, cat, book, {"data_model": "search", "size_gib": 300,
                                 "query_pattern": "aggregations"})[0]
    assert c.option == "opensearch"
    assert (c.config["instance_class"], c.count) == ("m6g.large.search", 9)
    assert c.config["volume_gib_per_node"] == 97  # ceil(870 / 9)
    assert c.monthly_cost_usd == pytest.approx(840.96, abs=0.01)
    # Production, 400 GiB: 1,160 GiB -> 23.2 vCPUs, 92.8 GiB, nodes a multiple of three:
    # m6g.large 12 nodes $1.536/h; m6g.2xlarge.search (8, 32, $0.511) 3 nodes $1.533/h:
    # 3 x 0.511 x 730 = $1,119.09, + three m6g.large.search masters $280.32 = $1,399.41.
    prod = _db(profile, cat, book, {"data_model": "search", "size_gib": 400,
                                    "query_pattern": "aggregations"},
               environment="production")[0]
    assert (prod.config["instance_class"], prod.count) == ("m6g.2xlarge.search", 3)
    assert prod.monthly_cost_usd == pytest.approx(1399.41, abs=0.01)
    # Aggregations without a search data model still go to the warehouse.
    wh = _db(profile, cat, book, {"size_gib": 300, "query_pattern": "aggregations"})[0]
    assert wh.option == "redshift"


def test_dedicated_master_class_follows_the_domain_size(cat):
    # Same page: 11-30 instances -> c5.2xlarge.search or c6g.2xlarge.search ($0.502 and
    # $0.452/h in us-east-1): c6g, 3 x 0.452 x 730 = $989.88.  Above 200 instances the table
    # names no class: the masters are named as not counted, with the reason.
    from recommender.rules.database_common import db_rows
    from recommender.rules.database_nodes import search_masters

    rows = db_rows(cat)[("opensearch", "opensearch", "node", "us-east-1")]
    m = search_masters(rows, 12, False)
    assert not isinstance(m, tuple)
    assert m.instance_class == "c6g.2xlarge.search"
    assert m.monthly_usd == pytest.approx(989.88, abs=0.01)
    assert search_masters(rows, 10, False).instance_class == "m6g.large.search"
    big = search_masters(rows, 201, False)
    assert isinstance(big, tuple) and "200" in big[1]
    # Rows sized from another region (no price here): named, not priced.
    assert isinstance(search_masters(rows, 3, True), tuple)


def test_dynamodb_capacity_units_from_item_size_and_consistency(profile, cat, book):
    # https://aws.amazon.com/dynamodb/pricing/: one RCU reads 4 KB strongly consistent, half
    # a unit eventually consistent; one WCU writes 1 KB.  6 KiB items, eventual reads:
    # ceil(6/4) x 0.5 = 1 RCU per read, ceil(6/1) = 6 WCU per write; 1,000 reads/s and
    # 100 writes/s consume 1,000 RCU and 600 WCU at peak; auto scaling's default 70% target
    # provisions ceil(1,000 / 0.7) = 1,429 RCU and ceil(600 / 0.7) = 858 WCU.
    # 1,429 x 730 x 0.00013 = 135.61; 858 x 730 x 0.00065 = 407.12; storage 50 GB + 100 bytes
    # per 6,144-byte item (50 x 100 / 6,144 = 0.81, CapacityUnitCalculations.html) 50.81 x
    # 0.25 = 12.70; total $555.44.  On-demand: 1,000 x 2.628M x 1 RRU x 0.125/M = 328.50;
    # 100 x 2.628M x 6 WRU x 0.625/M = 985.50; + 12.70 = $1,326.70.
    out = _db(profile, cat, book, {"data_model": "key_value", "size_gib": 50,
                                   "reads_per_s": 1000, "writes_per_s": 100,
                                   "item_size_kib": 6, "consistency": "eventual"})
    prov = next(c for c in out if c.config["capacity_mode"] == "provisioned")
    od = next(c for c in out if c.config["capacity_mode"] == "on_demand")
    assert (prov.config["rcu"], prov.config["wcu"]) == (1429, 858)
    assert prov.monthly_cost_usd == pytest.approx(555.44, abs=0.01)
    assert od.monthly_cost_usd == pytest.approx(1326.70, abs=0.01)
    assert any("1,000 RCU" in r.text and "600 WCU" in r.text for r in prov.reasons)


def test_a_catalog_without_database_rows_sizes_nothing_and_does_not_fail(cat):
    # A stand-in catalog whose database table is empty (a local build without the feeds):
    # no node rows, no crash (it raised IndexError in the index build).
    from recommender.rules.database_common import _DbRows

    rows = _DbRows(cat.database.iloc[0:0])
    assert len(rows) == 0 and rows.get(("rds", "postgresql", "single_az", "us-east-1")) is None


def test_memcached_has_no_replicas_even_in_production(profile, cat, book):
    # Multi-AZ failover is a Valkey/Redis OSS feature (AutoFailover.html); Memcached does not
    # replicate, so a production Memcached cache keeps one node per shard.
    c = _db(profile, cat, book, {"data_model": "cache", "size_gib": 80, "engine": "memcached"},
            environment="production")[0]
    assert c.option == "elasticache:memcached" and c.count == 1


def test_explicit_single_az_wins_over_production(profile, cat, book):
    # availability: single_az is the user's own choice: production does not override it,
    # so Single-AZ RDS is offered (200 GiB: db.r6g.2xlarge 0.899 x 730 + 200 x 0.115 =
    # $679.27).
    out = _db(profile, cat, book, {"data_model": "relational", "size_gib": 200,
                                   "availability": "single_az"}, environment="production")
    single = [c for c in out if c.option == "rds:postgresql" and not c.config["multi_az"]]
    assert single and single[0].monthly_cost_usd == pytest.approx(679.27, abs=0.01)
