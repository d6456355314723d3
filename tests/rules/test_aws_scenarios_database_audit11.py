"""Database audit 11 (issue 9): sizing and costs checked against AWS's own pages.

Catalog rows used (``recommender catalog show database --region us-east-1``, ``... unit_prices``),
us-east-1, 730 hours a month: rds.storage.gp3_gb_month $0.115, multi_az $0.23 (per copy);
dynamodb.storage_gb_month $0.25.  The catalog has RDS rows for MySQL and PostgreSQL only: no
SQL Server, Oracle or MariaDB class in any region.
"""

from __future__ import annotations

import pytest

# The database options of a profile on the catalog, rules only: audit 9's helper.
from test_aws_scenarios_database_audit9 import _db

from recommender.core.engine import recommend

DYNAMODB_PRICING_URL = "https://aws.amazon.com/dynamodb/pricing/"


def _items(unpriced):
    return {u.item: u for u in unpriced}


# --- Every cost counted or named: an option without a node price names its nodes ----------------
# Issue 9: "Any component the engine cannot price ... is listed in the option and in the bundle's
# unpriced list with the reason".  An RDS for SQL Server database (no class in the catalog) had no
# cost, and its unpriced list named only the backup storage beyond the free allowance; the
# bundle then listed that and not the DB instance, and read "Total $0/month".

def test_rds_without_a_class_names_its_instance_and_its_storage(cat):
    # 200 GiB of SQL Server, Single-AZ: gp3 200 x $0.115 = $23.00 priced but not counted (the
    # option has no cost without its instance); Multi-AZ 200 x $0.23 = $46.00.
    r = recommend({"schema_version": "1", "region": "us-east-1",
                   "database": {"data_model": "relational", "engine": "sqlserver",
                                "size_gib": 200}}, catalog=cat, models=False)
    db = r.recommendations.database
    single = next(o for o in db if not o.config["multi_az"])
    multi = next(o for o in db if o.config["multi_az"])
    assert single.monthly_cost_usd is None
    got = _items(single.unpriced)
    assert "https://aws.amazon.com/rds/pricing/" in got["rds:sqlserver nodes"].reason
    assert got["rds:sqlserver storage/I/O"].estimate_monthly_usd == pytest.approx(23.00)
    assert _items(multi.unpriced)["rds:sqlserver storage/I/O"].estimate_monthly_usd == \
        pytest.approx(46.00)
    # The bundle's list carries the instance, not only the backup storage.
    assert "rds:sqlserver nodes" in _items(r.bundle.unpriced)


def test_dynamodb_without_request_rates_names_its_capacity(cat):
    # 50 GiB of 1 KiB items (assumed): storage billed 50 x (1 + 100 / 1,024) = 54.88 GiB x
    # $0.25 = $13.72, priced but not counted; reads and writes unknown, so no capacity price.
    db = _db(cat, database={"data_model": "key_value", "size_gib": 50})
    on_demand = next(o for o in db if o.config["capacity_mode"] == "on_demand")
    prov = next(o for o in db if o.config["capacity_mode"] == "provisioned")
    assert on_demand.monthly_cost_usd is None and prov.monthly_cost_usd is None
    od = _items(on_demand.unpriced)
    assert DYNAMODB_PRICING_URL in od["DynamoDB on-demand read and write request units"].reason
    assert od["DynamoDB table storage"].estimate_monthly_usd == pytest.approx(13.72)
    assert "DynamoDB provisioned read and write capacity unit-hours" in _items(prov.unpriced)


def test_dynamodb_without_size_or_rates_names_both(cat):
    db = _db(cat, database={"data_model": "key_value"})
    got = _items(next(o for o in db if o.config["capacity_mode"] == "on_demand").unpriced)
    assert set(got) == {"DynamoDB on-demand read and write request units",
                        "DynamoDB table storage"}
    assert got["DynamoDB table storage"].estimate_monthly_usd is None  # no size: no estimate


# --- OpenSearch masters: the hourly rate as the catalog row gives it --------------------------
# The masters' text read "3 x $0.13/h x 730 h = $280.32/month": m6g.large.search is $0.128/h
# in the catalog, so the quoted rate (3 x 0.13 x 730 = $284.70) did not give the cost counted.

def test_production_masters_text_quotes_the_row_rate(cat):
    # 500 GiB, production: 3 masters of m6g.large.search (AWS's minimum for up to 10 data nodes,
    # managedomains-dedicatedmasternodes.html), 3 x $0.128 x 730 = $280.32.
    db = _db(cat, environment="production", database={"data_model": "search", "size_gib": 500})
    [o] = db
    assert o.config["dedicated_master_type"] == "m6g.large.search"
    size = next(r.text for r in o.reasons if r.rule == "database.size")
    assert "3 x $0.128/h x 730 h = $280.32/month" in size


# --- OpenSearch: the memory each data node needs, on the nodes chosen --------------------------
# Sizing guide (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/
# sizing-domains.html): storage = source x (1 + replicas) x 1.45; the memory follows the index at
# about 16 GiB of index per GiB (the rule's heuristic).  Before, the text gave the share of three
# nodes whatever the count.

def test_memory_per_node_is_the_share_of_the_nodes_chosen(cat):
    # 50,000 GiB, production: index 50,000 x 2 x 1.45 = 145,000 GiB; memory 145,000 / 16 =
    # 9,062.5 GiB in all, 3,020.8 GiB a node on three, more than any type: i4i.32xlarge.search
    # (1,024 GiB) x ceil(3,020.8 / 1,024) = 3 -> 9 nodes, 9,062.5 / 9 = 1,006.9 GiB each.
    [o] = _db(cat, environment="production", database={"data_model": "search",
                                                        "size_gib": 50000})
    assert (o.config["instance_class"], o.count) == ("i4i.32xlarge.search", 9)
    size = next(r.text for r in o.reasons if r.rule == "database.size")
    assert "9 data nodes (at least three, against split brain) with >= 1,007 GiB memory each" \
        in size
    assert "3,021 GiB" not in size


# --- ElastiCache without a data size: the need text states the floor it sizes for --------------
# The need is the data / 0.75 (25% reserved-memory-percent, https://docs.aws.amazon.com/
# AmazonElastiCache/latest/dg/redis-memory-management.html), the data at least 0.5 GiB (the
# rule's floor).  Before, no size read "0 GiB of data ...: memory >= 0 / 0.75 = 0.67 GiB".

def test_cache_without_size_states_the_half_gib_it_sizes_for(cat):
    # 0.5 / 0.75 = 0.667 GiB -> the cheapest node of >= 0.67 GiB without T2, cache.t4g.small
    # (1.37 GiB; t4g.micro's 0.5 is short): 0.0256 x 730 = $18.69.
    [o] = _db(cat, database={"data_model": "cache"})
    assert o.config["instance_class"] == "cache.t4g.small"
    assert o.monthly_cost_usd == pytest.approx(18.69, abs=0.01)
    size = next(r.text for r in o.reasons if r.rule == "database.size")
    assert "memory >= 0.5 / 0.75 = 0.67 GiB" in size and "database.size_gib not given" in size
    assert "0 / 0.75" not in size


# --- RDS and Aurora T4g/T3 classes: surplus CPU credits in Unlimited mode, named -----------------
# RDS pricing ("Amazon RDS T4g and T3 DB instances run in Unlimited mode, which means that you
# will be charged if your average CPU utilization over a rolling 24-hour period exceeds the
# baseline of the instance", per vCPU-hour; https://aws.amazon.com/rds/mysql/pricing/, Aurora:
# https://aws.amazon.com/rds/aurora/pricing/).  The profile gives no CPU use and the catalog no
# credit price; before, nothing was said.

def test_t4g_database_names_its_unlimited_cpu_credits(cat):
    # 10 GiB MySQL, development: memory >= 2.5 GiB -> db.t4g.medium (4 GiB), RDS $47.45 + 20 GiB
    # of gp3 x $0.115 = $2.30 -> $49.75, unchanged.
    db = _db(cat, objective="cost", environment="development",
             database={"data_model": "relational", "engine": "mysql", "size_gib": 10})
    rds = next(o for o in db if o.kind == "rds" and not o.config["multi_az"])
    assert rds.config["instance_class"] == "db.t4g.medium"
    assert rds.monthly_cost_usd == pytest.approx(49.75, abs=0.01)
    [u] = [u for u in rds.unpriced if u.item.startswith("CPU credits")]
    assert "1 x db.t4g.medium" in u.item and "https://aws.amazon.com/rds/mysql/pricing/" in u.reason
    aurora = next(o for o in db if o.kind == "aurora")
    assert [u for u in aurora.unpriced if "https://aws.amazon.com/rds/aurora/pricing/" in u.reason
            and u.item.startswith("CPU credits")]


def test_production_classes_have_no_cpu_credits(cat):
    # Production excludes T classes (Concepts.DBInstanceClass.Types.html): nothing to name.
    db = _db(cat, environment="production",
             database={"data_model": "relational", "engine": "mysql", "size_gib": 10})
    assert not [u for o in db for u in o.unpriced if u.item.startswith("CPU credits")]


# --- RDS read replicas per source instance, by engine ------------------------------------------
# CreateDBInstanceReadReplica, SourceDBInstanceIdentifier: "Each DB instance can have up to 15
# read replicas, except for the following engines: Db2 - Can have up to three replicas. Oracle -
# Can have up to five read replicas. SQL Server - Can have up to five read replicas"
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html).
# Before, SQL Server had 15 and Db2 five.

@pytest.mark.parametrize(("engine", "replicas"), [("sqlserver", 5), ("db2", 3), ("oracle", 5),
                                                  ("mysql", 11), ("postgresql", 11)])
def test_read_replicas_stop_at_the_engines_maximum(cat, engine, replicas):
    # 60,000 reads/s and 100 writes/s (99.8% reads): the primary serves 5,000 reads/s and each
    # replica 5,000 more (the rule's heuristic), ceil(60,000 / 5,000) - 1 = 11 replicas, at most
    # the engine's maximum.
    db = _db(cat, database={"data_model": "relational", "engine": engine, "size_gib": 200,
                            "reads_per_s": 60000, "writes_per_s": 100})
    rds = next(o for o in db if o.kind == "rds" and not o.config["multi_az"])
    assert rds.config["read_replicas"] == replicas
    if replicas < 11:
        size = next(r.text for r in rds.reasons if r.rule == "database.size")
        assert (f"at most {replicas} read replicas per source instance (https://docs.aws."
                "amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html)"
                f", so the reads above {(1 + replicas) * 5000:,}/s need a cache or sharding"
                ) in size


# --- DynamoDB without a read consistency: the assumption is said, against AWS's default --------
# "Eventually consistent is the default read consistent model for all read operations"
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
# The rule prices an absent consistency as strong (an upper bound); before, the reason read "1 RCU
# per strong read" as if the profile had asked for strong reads.

def test_absent_consistency_is_dynamodbs_default_eventual(cat):
    # 'Eventually consistent is the default read consistent model for all read operations'
    # (HowItWorks.ReadConsistency.html), and the caching trade-off already took absent
    # consistency as eventual (DAX offloads those reads).  2,000 reads/s, 500 writes/s of
    # 3 KiB: ceil(3 / 4) x 0.5 = 0.5 RCU per eventual read, 3 WCU per write; provisioned
    # ceil(1,000 / 0.7) = 1,429 RCU x 730 x $0.00013 = $135.61, ceil(1,500 / 0.7) = 2,143 WCU x
    # 730 x $0.00065 = $1,016.85, storage 50 x (1 + 100 / 3,072) = 51.63 GiB x $0.25 = $12.91:
    # $1,165.37 (strongly consistent, as before: 2,858 RCU, $271.22, $1,300.98).
    load = {"data_model": "key_value", "size_gib": 50, "reads_per_s": 2000,
            "writes_per_s": 500, "item_size_kib": 3}
    prov = next(o for o in _db(cat, database=load) if o.config["capacity_mode"] == "provisioned")
    assert prov.config["rcu"] == 1429
    assert prov.monthly_cost_usd == pytest.approx(1165.37, abs=0.01)
    units = next(r.text for r in prov.reasons if r.rule == "database.capacity_units")
    assert "0.5 RCU per eventual read" in units
    assert "database.consistency not given: DynamoDB's default" in units
    assert "HowItWorks.ReadConsistency.html" in units
    given = _db(cat, database={**load, "consistency": "strong"})
    strong = next(o for o in given if o.config["capacity_mode"] == "provisioned")
    assert strong.monthly_cost_usd == pytest.approx(1300.98, abs=0.01)
    assert not [r for o in given for r in o.reasons if "consistency not given" in r.text]


# --- Aurora Standard without request rates: its I/O named, not silently left out --------------
# Aurora pricing (https://aws.amazon.com/rds/aurora/pricing/): Aurora Standard bills I/O per
# request ($0.20 per million in us-east-1), I/O-Optimized includes it.  Without reads_per_s and
# writes_per_s the I/O is unknown; before, Aurora Standard counted its instance and storage only,
# named nothing, and read "cheaper here than io_optimized" on that omission.

def test_aurora_standard_without_rates_names_its_io(cat):
    # 10 GiB PostgreSQL, development: db.t4g.medium Aurora Standard $53.29 + 10 GiB x $0.10 =
    # $54.29 (I/O-Optimized $71.60), figures unchanged.
    db = _db(cat, objective="cost", environment="development",
             database={"data_model": "relational", "engine": "postgresql", "size_gib": 10})
    aurora = next(o for o in db if o.kind == "aurora")
    assert aurora.config["deployment"] == "standard"
    assert aurora.monthly_cost_usd == pytest.approx(54.29, abs=0.01)
    io = _items(aurora.unpriced)["Aurora Standard I/O requests"]
    assert "https://aws.amazon.com/rds/aurora/pricing/" in io.reason
    config = next(r.text for r in aurora.reasons if r.rule == "database.aurora_storage_config")
    assert "before its I/O requests, which are not counted" in config


def test_aurora_with_rates_counts_its_io_and_names_none(cat):
    # 100 writes/s, no reads: 100 x 2,628,000 s = 262,800,000 I/Os x $0.20 per million =
    # $52.56, counted.
    db = _db(cat, database={"data_model": "relational", "engine": "postgresql",
                            "size_gib": 10, "reads_per_s": 0, "writes_per_s": 100})
    aurora = next(o for o in db if o.kind == "aurora")
    assert "Aurora Standard I/O requests" not in _items(aurora.unpriced)


# --- Memcached's node quota is cited to its own page ---------------------------------------------
# "Memcached clusters contain 1 to 60 nodes" (https://docs.aws.amazon.com/AmazonElastiCache/latest/
# dg/Clusters.html); Shards.html's "up to 90 nodes per cluster" is Valkey/Redis OSS's.  Before,
# the Memcached partitioned cluster's 60 nodes cited Shards.html first.

def test_memcached_cluster_cites_the_clusters_page_for_its_60_nodes(cat):
    # 5 GiB + 100 MB = 5.1 GiB: 4 x cache.t4g.small (1.37 GiB each; Memcached $0.032/h) 4 x
    # 0.032 x 730 = $93.44, cheaper than one cache.m6g.large (6.38 GiB) 0.149 x 730 = $108.77.
    db = _db(cat, database={"data_model": "cache", "engine": "memcached", "size_gib": 5})
    many = next(o for o in db if o.count > 1)
    assert (many.config["instance_class"], many.count) == ("cache.t4g.small", 4)
    assert many.monthly_cost_usd == pytest.approx(93.44, abs=0.01)
    size = next(r.text for r in many.reasons if r.rule == "database.size")
    assert ("within the default 60 nodes a cluster (https://docs.aws.amazon.com/"
            "AmazonElastiCache/latest/dg/Clusters.html)") in size
    assert "Shards.html" not in size


# --- A sub-millisecond relational need: the cache caution cites its page -----------------------
# "ElastiCache is a fully managed, in-memory caching service that provides microsecond read and
# write latencies" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/creating-elasticache-
# cluster-with-RDS-settings.html; Aurora's user guide has the same page).  Before, the caution
# "Sub-millisecond reads need a cache in front (see trade-offs: caching)." cited nothing.

def test_sub_ms_relational_caution_cites_elasticache(cat):
    db = _db(cat, database={"data_model": "relational", "engine": "postgresql",
                            "size_gib": 100, "latency_ms": 0.5})
    for o in db:
        [lat] = [r for r in o.reasons if r.rule == "database.latency"]
        assert lat.severity == "caution" and "0.5 ms asked" in lat.text
        guide = "AuroraUserGuide" if o.kind == "aurora" else "UserGuide"
        assert (f"https://docs.aws.amazon.com/AmazonRDS/latest/{guide}/"
                "creating-elasticache-cluster-with-RDS-settings.html") in lat.text


# --- DynamoDB's cost reason: each charge with its figure, the storage as billed ------------------
# Pricing (https://aws.amazon.com/dynamodb/pricing/): on-demand $0.125 per million read request
# units, $0.625 per million write request units; storage $0.25 per GB-month of the data and 100
# bytes per item (CapacityUnitCalculations.html).  Before: "$3,133.66/month on-demand incl. 50
# GiB storage" (the data's 50 GiB, not the 51.63 GiB billed, and no figure for any part).

def test_dynamodb_cost_reason_breaks_down_reads_writes_and_billed_storage(cat):
    # 2,000 strong reads/s of 3 KiB (1 RRU) x 2,628,000 s x $0.125 / 1M = $657.00; 500 writes/s
    # x 3 WRU x 2,628,000 x $0.625 / 1M = $2,463.75; storage 50 x (1 + 100 / 3,072) = 51.63 GiB
    # x $0.25 = $12.91: $3,133.66.
    db = _db(cat, database={"data_model": "key_value", "size_gib": 50, "reads_per_s": 2000,
                            "writes_per_s": 500, "item_size_kib": 3, "consistency": "strong"})
    od = next(o for o in db if o.config["capacity_mode"] == "on_demand")
    assert od.monthly_cost_usd == pytest.approx(3133.66, abs=0.01)
    cost = next(r.text for r in od.reasons if r.rule == "database.monthly_cost")
    assert ("$3,133.66/month on-demand: reads $657.00 + writes $2,463.75 (request units) + "
            "storage $12.91 (51.63 GiB billed)") in cost


# --- Redshift and OpenSearch without a data size say so ----------------------------------------
# Before: "1 node(s) for 0 GiB" (Redshift) and "Index storage 0 GiB = data x ..." (OpenSearch),
# as if the data were empty.  Redshift node type details (https://docs.aws.amazon.com/redshift/
# latest/mgmt/working-with-clusters.html#rs-node-type-info): dc2.large 1-32 nodes; OpenSearch's
# least EBS volume is 10 GiB (limits.html#ebsresource).

def test_node_families_without_size_say_it_is_unknown(cat):
    # Redshift: the cheapest type's fewest nodes, 1 x dc2.large, $0.25 x 730 = $182.50.
    [rs] = _db(cat, database={"data_model": "analytics"})
    assert (rs.config["instance_class"], rs.count) == ("dc2.large", 1)
    assert rs.monthly_cost_usd == pytest.approx(182.50, abs=0.01)
    size = next(r.text for r in rs.reasons if r.rule == "database.size")
    assert "for data of unknown size (database.size_gib not given" in size
    assert "for 0 GiB" not in size
    [os_] = _db(cat, database={"data_model": "search"})
    size = next(r.text for r in os_.reasons if r.rule == "database.size")
    assert size.startswith("database.size_gib not given, so the index is sized at 0 GiB")


# --- Aurora I/O-Optimized's note cites the pricing page -----------------------------------------

def test_io_optimized_note_cites_aurora_pricing(cat):
    # 200 GiB MySQL, 800 reads/s + 200 writes/s, all missing the cache: Aurora Standard I/O
    # 1,000 x 2,628,000 = 2.628e9 I/Os x $0.20 / 1M = $525.60 makes I/O-Optimized the cheaper.
    db = _db(cat, database={"data_model": "relational", "engine": "mysql", "size_gib": 200,
                            "reads_per_s": 800, "writes_per_s": 200})
    aurora = next(o for o in db if o.kind == "aurora")
    assert aurora.config["deployment"] == "io_optimized"
    size = next(r.text for r in aurora.reasons if r.rule == "database.size")
    assert ("I/O-Optimized: no per-I/O charge, higher instance and storage prices "
            "(https://aws.amazon.com/rds/aurora/pricing/") in size
