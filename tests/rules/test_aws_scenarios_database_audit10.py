"""Database audit 10 (issue 9): sizing and costs checked against AWS's own pages.

Catalog rows used (``recommender catalog show database --region us-east-1``), us-east-1,
730 hours a month, on-demand USD/h (memory GiB, storage):
OpenSearch i4i.24xlarge.search $13.179 (768, "6 x 3,750 Nitro SSD"), r7g.16xlarge.search
$5.689 (512, EBS only), m6g.large.search $0.128 (8, EBS only), t3.small.search $0.036 (2, EBS
only).
"""

from __future__ import annotations

import pytest

# The database options of a profile on the catalog, rules only: audit 9's helper.
from test_aws_scenarios_database_audit9 import _db

LIMITS_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
              "limits.html#ebsresource")


# --- OpenSearch: each data node's storage within what its type holds ---------------------------
# "EBS volume size quotas" (limits.html#ebsresource): per instance type the minimum EBS volume
# (10 GiB; OR1/OR2/OM2 20 GiB) and the maximum gp3 volume; the types with local NVMe storage
# (I3, I4i, I4g, Im4gn, R6gd, R7gd) show N/A, and "EBS volumes are not an option when you
# select these instance types" (petabyte-scale.html): their index lives on the instance
# storage the instance price includes.  Before, every data node was given an EBS volume of its
# share and the index's EBS named unpriced, even on i4i, and below the 10 GiB minimum.

def test_instance_store_data_nodes_keep_the_index_on_their_own_storage(cat):
    # 10,000 GiB, production: index 10,000 x 2 x 1.45 = 29,000 GiB; memory 29,000 / 16 / 3 =
    # 604.2 GiB a node -> i4i.24xlarge.search (768 GiB; r7g.16xlarge's 512 is short), whose
    # 6 x 3,750 GB = 22,500 GB = 20,955 GiB of instance storage holds its 29,000 / 3 = 9,667
    # GiB.  3 x 13.179 x 730 = 28,862.01 + masters 3 x 0.128 x 730 = 280.32 = $29,142.33
    # (unchanged).  Before: volume_gib_per_node 9,667 and "29,000 GiB of EBS" named unpriced.
    [c] = _db(cat, environment="production",
              database={"data_model": "search", "size_gib": 10000})
    assert (c.config["instance_class"], c.count) == ("i4i.24xlarge.search", 3)
    assert c.monthly_cost_usd == pytest.approx(29142.33, abs=0.01)
    cfg = c.config
    assert cfg.get("storage_type") == "instance_store" and "volume_gib_per_node" not in cfg
    assert not [u for u in c.unpriced if "EBS" in u.item]
    size = next(r.text for r in c.reasons if r.rule == "database.size")
    assert "20,955 GiB of instance storage" in size and LIMITS_URL in size


def test_ebs_volume_is_at_least_the_10_gib_minimum(cat):
    # 1 GiB of data: index 1 x 2 x 1.45 = 2.9 GiB, 1 GiB of memory a node (the floor) ->
    # t3.small.search (2 GiB, $0.036/h): 3 x 0.036 x 730 = $78.84.  Each node's share is
    # ceil(2.9 / 3) = 1 GiB, below the 10 GiB minimum: the volume is 10 GiB (before: 1), and
    # the EBS named unpriced is 3 x 10 = 30 GiB.
    [c] = _db(cat, database={"data_model": "search", "size_gib": 1})
    assert (c.config["instance_class"], c.count) == ("t3.small.search", 3)
    assert c.monthly_cost_usd == pytest.approx(78.84, abs=0.01)
    assert c.config["volume_gib_per_node"] == 10
    [ebs] = [u for u in c.unpriced if u.item == "OpenSearch EBS storage for the index"]
    assert "3 x 10 GiB = 30 GiB" in ebs.reason


def test_node_storage_follows_the_quota_table():
    from recommender.rules.database_search import ebs_min_gib, node_storage, nodes_for_storage

    # limits.html#ebsresource gp3 maxima: r7g.medium 768 GiB, m6g.large 1 TiB, c6g.large 256.
    assert node_storage({"instance_class": "r7g.medium.search",
                         "storage_desc": "EBS Only"}).gib == 768
    assert node_storage({"instance_class": "m6g.large.search"}).gib == 1024
    # 1,000 GiB of index on c6g.large.search: ceil(1,000 / 256) = 4 nodes.
    assert nodes_for_storage({"instance_class": "c6g.large.search"}, 1000) == 4
    # Instance storage: "1 x 468 Nitro SSD" GB = 468e9 / 2^30 = 435.9 GiB, local.
    st = node_storage({"instance_class": "i4i.large.search", "storage_desc": "1 x 468 Nitro SSD"})
    assert st.local and st.gib == pytest.approx(435.86, abs=0.01)
    assert ebs_min_gib("or1.medium.search") == 20 and ebs_min_gib("r7g.large.search") == 10


# --- DynamoDB provisioned: at least one unit of each ---------------------------------------------
# ProvisionedThroughput ReadCapacityUnits / WriteCapacityUnits: "Valid Range: Minimum value of 1"
# (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughput.html).
# Before, a table with no reads was provisioned 0 RCU (an invalid table), and priced without it.

def test_provisioned_table_without_reads_still_has_one_rcu(cat):
    # 100 writes/s of 1 KiB: ceil(100 / 0.7) = 143 WCU x $0.00065 x 730 = 67.8535; 1 RCU (was 0)
    # x $0.00013 x 730 = 0.0949; storage 5 GiB + 100 bytes per 1 KiB item (5 x 100 / 1,024 =
    # 0.49 GiB) 5.49 x $0.25 = 1.3721 -> $69.32 (before the overhead, $69.20; before, $69.10).
    db = _db(cat, database={"data_model": "key_value", "size_gib": 5, "reads_per_s": 0,
                            "writes_per_s": 100})
    prov = next(o for o in db if o.config["capacity_mode"] == "provisioned")
    assert (prov.config["rcu"], prov.config["wcu"]) == (1, 143)
    assert prov.monthly_cost_usd == pytest.approx(69.32, abs=0.01)
    text = next(r.text for r in prov.reasons if r.rule == "database.provisioned")
    assert "API_ProvisionedThroughput.html" in text


# --- Reserved: DynamoDB says why it stays at its standard price ---------------------------------
# DynamoDB reserved capacity is for provisioned tables of the Standard table class, in 100-unit
# allocations, a one-year term with a one-time upfront fee and a discounted hourly rate, not for
# on-demand mode (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
# reserved-capacity.html); the catalog has none of its rates.  Before, a profile asking only
# for reserved got DynamoDB at the standard rates without a word (the node families say so).

def test_reserved_dynamodb_keeps_its_standard_price_and_says_so(cat):
    # 1,000 strong reads/s and 100 writes/s of 1 KiB, 5 GiB: ceil(1,000 / 0.7) = 1,429 RCU x
    # 0.00013 x 730 = 135.61; 143 WCU x 0.00065 x 730 = 67.85; storage (5 GiB + 100 bytes per
    # 1 KiB item) 5.49 x 0.25 = 1.37 -> $204.84.
    db = _db(cat, purchase_options=["reserved"],
             database={"data_model": "key_value", "size_gib": 5, "reads_per_s": 1000,
                       "writes_per_s": 100, "consistency": "strong"})
    prov = next(o for o in db if o.config["capacity_mode"] == "provisioned")
    assert prov.monthly_cost_usd == pytest.approx(204.84, abs=0.01)
    assert prov.purchase_option == "provisioned"
    url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/reserved-capacity.html"
    for o in db:
        [r] = [r for r in o.reasons if r.rule == "database.reserved"]
        assert url in r.text and r.severity == "caution"


# --- RDS for Oracle and SQL Server: up to 256 TiB over four volumes ------------------------------
# "Every DB instance has a primary storage volume with a maximum capacity of 64 TiB ... You can
# increase the total storage capacity of an RDS for Oracle or RDS for SQL Server instance by
# adding up to three volumes to each DB instance. Each additional volume allocates up to 64 TiB
# of storage, up to a maximum of 256 TiB per instance" (https://docs.aws.amazon.com/AmazonRDS/
# latest/UserGuide/USER_PIOPS.ModifyingExisting.html).  Before, 64 TiB bounded every engine, so
# 100,000 GiB of SQL Server (97.7 TiB; no Aurora edition) had no relational option at all.

def _relational(profile, cat, book, engine, size):
    from recommender.rules.base import Rejections
    from recommender.rules.database import database_options

    rej = Rejections()
    out = database_options(profile(database={"data_model": "relational", "engine": engine,
                                             "size_gib": size}), cat, book, "us-east-1", rej)
    return out, rej


def test_sql_server_above_64_tib_is_still_an_rds_instance(profile, cat, book):
    # 100,000 GiB <= 4 x 65,536 = 262,144 GiB: RDS for SQL Server is offered (Single-AZ and
    # Multi-AZ; the catalog has no SQL Server rows, so they say they have no price).
    out, rej = _relational(profile, cat, book, "sqlserver", 100000)
    assert [c.option for c in out] == ["rds:sqlserver", "rds:sqlserver"]
    assert "database.rds_storage_above_64_tib" not in rej.counts
    # 300,000 GiB > 262,144 GiB: rejected, the note names the 256 TiB maximum and the page.
    out, rej = _relational(profile, cat, book, "oracle", 300000)
    assert out == [] and rej.counts["database.rds_storage_above_64_tib"] == 1
    assert "262,144 GiB (256 TiB)" in rej.notes["database.rds_storage_above_64_tib"]
    # MySQL keeps the one 64 TiB volume: 100,000 GiB is Aurora's only.
    out, rej = _relational(profile, cat, book, "mysql", 100000)
    assert [c.kind for c in out] == ["aurora"]


# --- DynamoDB storage: 100 bytes of indexing overhead per item ----------------------------------
# "For storage billing, each item includes a per-item storage overhead ... Every item in DynamoDB
# requires 100 bytes of storage overhead for indexing" (DynamoDB item sizes and formats,
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
# Before, the table was billed for the data alone.

def test_storage_bills_the_per_item_overhead(cat):
    # 10 GiB of 0.5 KiB items: 10 x 2^30 / 512 items x 100 bytes = 10 x 100 / 512 = 1.95 GiB
    # of overhead, 11.95 GiB billed x $0.25 = 2.99 (was 2.50).  Provisioned 10 strong reads/s
    # -> ceil(10 / 0.7) = 15 RCU x 0.00013 x 730 = 1.42; 5 writes/s -> 8 WCU x 0.00065 x 730 =
    # 3.80: $8.21 (was $7.72).
    db = _db(cat, database={"data_model": "key_value", "size_gib": 10, "reads_per_s": 10,
                            "writes_per_s": 5, "item_size_kib": 0.5,
                            "consistency": "strong"})
    prov = next(o for o in db if o.config["capacity_mode"] == "provisioned")
    assert prov.monthly_cost_usd == pytest.approx(8.21, abs=0.01)
    text = next(r.text for r in prov.reasons if r.rule == "database.dynamodb_storage")
    assert "11.95 GiB" in text and "CapacityUnitCalculations.html" in text


# --- OpenSearch dedicated masters for 31-75 data nodes -------------------------------------------
# "Choosing instance types for dedicated master nodes": 31-75 instances, 32 GiB of master RAM,
# "r5.xlarge.search or r6g.xlarge.search" (https://docs.aws.amazon.com/opensearch-service/latest/
# developerguide/managedomains-dedicatedmasternodes.html).  Before: c5.4xlarge or c6g.4xlarge.

def test_masters_for_31_to_75_data_nodes_are_r6g_xlarge(cat):
    from recommender.rules.database_common import db_rows
    from recommender.rules.database_nodes import search_masters

    rows = db_rows(cat)[("opensearch", "opensearch", "node", "us-east-1")]
    # r6g.xlarge.search $0.335/h (r5.xlarge $0.372): 3 x 0.335 x 730 = $733.65 (before
    # c6g.4xlarge.search 3 x 0.903 x 730 = $1,977.57).
    m = search_masters(rows, 36, False)
    assert (m.instance_class, m.monthly_usd) == ("r6g.xlarge.search", pytest.approx(733.65))
    # The neighbours are unchanged: 30 -> c6g.2xlarge, 76 -> r6g.2xlarge.
    assert search_masters(rows, 30, False).instance_class == "c6g.2xlarge.search"
    assert search_masters(rows, 76, False).instance_class == "r6g.2xlarge.search"


def test_a_36_node_production_domain_prices_its_r6g_xlarge_masters(cat):
    # 200,000 GiB: index 580,000 GiB; 580,000 / 16 / 3 = 12,083 GiB of memory a node, more than
    # any type: the largest, i4i.32xlarge.search (1,024 GiB), x ceil(12,083 / 1,024) = 12 -> 36
    # nodes, each keeping 580,000 / 36 = 16,111 GiB on its 8 x 3,750 GB = 27,940 GiB of
    # instance storage.  36 x 17.572 x 730 = 461,792.16 + masters 733.65 = $462,525.81 (before
    # with c6g.4xlarge masters $463,769.73).
    [c] = _db(cat, environment="production",
              database={"data_model": "search", "size_gib": 200000})
    assert (c.config["instance_class"], c.count) == ("i4i.32xlarge.search", 36)
    assert c.config["dedicated_master_type"] == "r6g.xlarge.search"
    assert c.monthly_cost_usd == pytest.approx(462525.81, abs=0.01)


# --- Redshift RA3: 128 TB of managed storage per ra3.4xlarge / ra3.16xlarge node -----------------
# "Node type details", RA3 node types: "Managed storage limit per node" ra3.xlplus (multi-node)
# 32 TB, ra3.4xlarge 128 TB, ra3.16xlarge 128 TB, "a hard limit" (https://docs.aws.amazon.com/
# redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info).  The catalog's rows say
# "64TB RMS" for the two larger types, which the sizing read, doubling their node count.

def test_ra3_4xlarge_holds_128_tb_a_node(cat):
    # 200,000 GiB (TB read as 1,024 GiB): ra3.xlplus ceil(200,000 / 32,768) = 7 x 1.086 =
    # 7.602/h; ra3.4xlarge ceil(200,000 / 131,072) = 2 x 3.26 = 6.52/h (at 64 TB: 4 nodes,
    # 13.04/h); ra3.large 8 TB 25 x 0.543 = 13.575/h.  2 x 3.26 x 730 = $4,759.60 (before:
    # 7 x ra3.xlplus, 7.602 x 730 = $5,549.46).
    [c] = _db(cat, database={"data_model": "analytics", "size_gib": 200000})
    assert (c.config["instance_class"], c.count) == ("ra3.4xlarge", 2)
    assert c.monthly_cost_usd == pytest.approx(4759.60, abs=0.01)
    size = next(r.text for r in c.reasons if r.rule == "database.size")
    assert "131,072 GiB managed storage per node" in size
    assert "working-with-clusters.html#rs-node-type-info" in size


# --- OpenSearch: more data nodes than the default instances-per-domain quota --------------------
# Domain and instance quotas: "Instances per domain | 80 | Yes" (adjustable; "You can request an
# increase up to 200 instances"), https://docs.aws.amazon.com/opensearch-service/latest/
# developerguide/limits.html#clusterresource.  Before, a 90-node domain was offered without it.

def test_a_domain_above_80_instances_says_to_raise_the_quota(cat):
    # 500,000 GiB production: index 1,450,000 GiB; 1,450,000 / 16 / 3 = 30,208 GiB a node ->
    # i4i.32xlarge.search (1,024 GiB) x ceil(30,208 / 1,024) = 30 -> 90 nodes (16,111 GiB of
    # the index on each one's 27,940 GiB): 90 x 17.572 x 730 = 1,154,480.40 + masters for
    # 76-125 nodes, r6g.2xlarge.search 3 x 0.669 x 730 = 1,465.11 -> $1,155,945.51.
    [c] = _db(cat, environment="production",
              database={"data_model": "search", "size_gib": 500000})
    assert (c.config["instance_class"], c.count) == ("i4i.32xlarge.search", 90)
    assert c.monthly_cost_usd == pytest.approx(1155945.51, abs=0.01)
    [q] = [r for r in c.reasons if r.rule == "database.opensearch_instance_quota"]
    assert q.severity == "caution" and "limits.html#clusterresource" in q.text
    # 36 nodes (200,000 GiB) are within the quota: no caution.
    [small] = _db(cat, environment="production",
                  database={"data_model": "search", "size_gib": 200000})
    assert not [r for r in small.reasons if r.rule == "database.opensearch_instance_quota"]


# --- Reserved caches: the sizing sentence quotes the other layout at the price it is shown at ---
# ElastiCache reserved nodes (https://aws.amazon.com/elasticache/reserved-cache-nodes/) bill
# the term's hours at the reserved rate; the catalog's Valkey rows: cache.r6g.large $0.1648/h
# on-demand, $0.1128 reserved; cache.t4g.small $0.0256, $0.0176.  Before, a reserved option's
# database.size sentence quoted the other layout at its on-demand price ("one cache.r6g.large
# holds it ($120.30/month)") beside that layout's own reserved option at $82.34.

def test_reserved_cache_quotes_the_other_layout_reserved(cat):
    # 5 GiB -> 5 / 0.75 = 6.67 GiB: one cache.r6g.large (13.07 GiB) or 5 x cache.t4g.small
    # (1.37 GiB each).  Reserved: one node 0.1128 x 730 = $82.34; the cluster 5 x 0.0176 x 730
    # = $64.24 (on-demand $120.30 and $93.44).
    db = _db(cat, purchase_options=["reserved"],
             database={"data_model": "cache", "size_gib": 5})
    by = {o.count: o for o in db}
    assert by[5].monthly_cost_usd == pytest.approx(64.24, abs=0.01)
    assert by[1].monthly_cost_usd == pytest.approx(82.34, abs=0.01)
    size5 = next(r.text for r in by[5].reasons if r.rule == "database.size")
    size1 = next(r.text for r in by[1].reasons if r.rule == "database.size")
    assert "one cache.r6g.large holds it ($82.34/month)" in size5
    assert "5 x cache.t4g.small costs $64.24/month" in size1
    # On-demand texts keep the on-demand figures.
    od = _db(cat, database={"data_model": "cache", "size_gib": 5})
    assert any("($120.30/month)" in r.text for o in od for r in o.reasons)


def test_on_demand_cache_beside_a_reserved_cluster_quotes_it_reserved(cat):
    # 80 GiB -> 106.67 GiB: one cache.m4.10xlarge (no reserved rate in the catalog: it stays
    # on-demand, 2.4896 x 730 = $1,817.41) or 9 x cache.r6g.large, reserved 9 x 0.1128 x 730 =
    # $741.10 (on-demand $1,082.74).  Asked only for reserved, the m4 option's sizing sentence
    # named the cluster at $1,082.74, a price no option shown has; now $741.10.
    db = _db(cat, purchase_options=["reserved"],
             database={"data_model": "cache", "size_gib": 80})
    assert [(o.count, o.purchase_option) for o in db] == [(9, "reserved"), (1, "on_demand")]
    assert db[0].monthly_cost_usd == pytest.approx(741.10, abs=0.01)
    one = db[1]
    assert one.monthly_cost_usd == pytest.approx(1817.41, abs=0.01)
    size = next(r.text for r in one.reasons if r.rule == "database.size")
    assert "9 x cache.r6g.large costs $741.10/month" in size


# --- Production Memcached: no replica to fail over to, said -------------------------------------
# "Because Memcached does not support replication, a node failure will always result in some data
# loss from your cluster"; "To mitigate the impact of an Availability Zone failure, locate your
# nodes in as many Availability Zones as possible" (Mitigating Failures when Running Memcached,
# https://docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/FaultTolerance.html).  Before, a
# production profile (which asks for Multi-AZ) got a one-node Memcached cache without a word.

def test_production_memcached_says_it_has_no_failover(cat):
    # 10 GiB + 100 MB = 10.1 GiB -> one cache.r6g.large (13.07 GiB), 0.206 x 730 = $150.38.
    [c] = _db(cat, environment="production",
              database={"data_model": "cache", "size_gib": 10, "engine": "memcached"})
    assert (c.config["instance_class"], c.count) == ("cache.r6g.large", 1)
    assert c.monthly_cost_usd == pytest.approx(150.38, abs=0.01)
    [r] = [r for r in c.reasons if r.rule == "database.memcached_availability"]
    assert r.severity == "caution" and "FaultTolerance.html" in r.text and "100%" in r.text
    # Valkey in production keeps its replica per shard and has no such caution.
    vk = _db(cat, environment="production", database={"data_model": "cache", "size_gib": 10})
    assert not [r for o in vk for r in o.reasons if r.rule == "database.memcached_availability"]
