"""Database audit 6 (issue 9): RDS gp3 storage carries the load's I/O, by AWS's own table.

"Amazon RDS DB instance storage", gp3 storage
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage):
Db2/MariaDB/MySQL/PostgreSQL 20-399 GiB include 3,000 IOPS and none can be provisioned,
400-65,536 GiB include 12,000 and provision up to 64,000; Oracle's threshold is 200 GiB; SQL
Server includes 3,000 at any size and provisions up to 16,000; at most 500 IOPS per GiB; "you
pay for only the additional provisioned storage performance".  The IOPS asked are the I/O
Aurora Standard bills for the same load: writes + reads the cache misses.  "The maximum IOPS
rate is enforced at the DB instance level" (same page): a class carries them within the EBS
baseline IOPS of its EC2 type (the catalog's ec2 rows, ``ebs_baseline_iops``).

Catalog rows used (``recommender catalog show database --region us-east-1``, ``... unit_prices``):
db.t4g.small PostgreSQL Single-AZ $0.032/h; db.r6g.xlarge PostgreSQL Single-AZ $0.45/h,
Multi-AZ $0.899/h; db.r6g.4xlarge PostgreSQL
Single-AZ $1.798/h; db.r6g.8xlarge PostgreSQL Single-AZ $3.597/h, MySQL Single-AZ $3.437/h,
Multi-AZ $6.874/h; db.r5b.xlarge PostgreSQL $0.592/h, Multi-AZ $1.184/h; db.m6in.large
PostgreSQL $0.258/h; db.m6in.xlarge PostgreSQL $0.516/h; db.r5b.8xlarge MySQL $4.736/h;
rds.storage.gp3_gb_month $0.115, multi_az $0.23;
rds.storage.gp3_iops_month $0.02, multi_az $0.04.
"""

from __future__ import annotations

import numpy as np
import pytest

from recommender.rules.base import Rejections
from recommender.rules.database import database_options
from recommender.rules.database_class_io import pick_for_io
from recommender.rules.database_gp3 import gp3_plan
from recommender.rules.database_redshift import redshift_nodes


def _rds(profile, cat, book, db, *, multi_az=False, **top):
    out = database_options(profile(database=db, **top), cat, book, "us-east-1", Rejections())
    return next(c for c in out if c.kind == "rds" and bool(c.config["multi_az"]) == multi_az)


def test_io_above_3000_on_small_postgresql_allocates_the_400_gib_threshold(profile, cat, book):
    # 2,000 reads + 8,000 writes/s, no cacheable share: 10,000 IOPS on 100 GiB, where gp3
    # includes 3,000 and provisions none; 400 GiB includes 12,000.  Working set 25 GiB:
    # db.r6g.xlarge (32 GiB) has an EBS baseline of 6,000 IOPS (EC2 r6g.xlarge), below the
    # 10,000; the cheapest r/m/t class with 25 GiB and 10,000 is db.r5b.xlarge (32 GiB,
    # r5b.xlarge 10,833 IOPS; db.m6g.2xlarge 12,000 at $0.636).  Single-AZ 0.592 x 730 =
    # 432.16 + 400 x 0.115 = 46.00 -> $478.16 (before: db.r6g.xlarge and 100 GiB, $340.00,
    # an instance and a volume that deliver 6,000 and 3,000 IOPS).  Multi-AZ 1.184 x 730 =
    # 864.32 + 400 x 0.23 = 92.00 -> $956.32.
    db = {"data_model": "relational", "size_gib": 100, "reads_per_s": 2000,
          "writes_per_s": 8000}
    one = _rds(profile, cat, book, db)
    assert one.config["instance_class"] == "db.r5b.xlarge"
    assert one.config["storage_gib"] == 400 and "iops" not in one.config
    assert one.monthly_cost_usd == pytest.approx(478.16, abs=0.01)
    assert any("db.r6g.xlarge delivers at most 6,000 IOPS" in r.text for r in one.reasons)
    assert any("CHAP_Storage.html#gp3-storage" in r.text for r in one.reasons)
    two = _rds(profile, cat, book, db, multi_az=True)
    assert two.monthly_cost_usd == pytest.approx(956.32, abs=0.01)


def test_io_above_the_included_12000_is_provisioned_and_billed(profile, cat, book):
    # MySQL 1,000 GiB, 30,000 writes/s: 12,000 IOPS included, 18,000 provisioned.  Working
    # set 250 GiB -> db.r6g.8xlarge (256 GiB).  Single-AZ 3.437 x 730 = 2,509.01 +
    # 1,000 x 0.115 = 115.00 + 18,000 x 0.02 = 360.00 -> $2,984.01 (before $2,624.01).
    # Production (Multi-AZ): 6.874 x 730 = 5,018.02 + 1,000 x 0.23 = 230.00 + 18,000 x 0.04
    # = 720.00 -> $5,968.02.
    db = {"data_model": "relational", "engine": "mysql", "size_gib": 1000,
          "reads_per_s": 0, "writes_per_s": 30000}
    one = _rds(profile, cat, book, db)
    assert one.config["instance_class"] == "db.r6g.8xlarge"
    assert one.config["iops"] == 30000 and one.config["storage_gib"] == 1000
    assert one.monthly_cost_usd == pytest.approx(2984.01, abs=0.01)
    prod = _rds(profile, cat, book, db, multi_az=True, environment="production")
    assert prod.monthly_cost_usd == pytest.approx(5968.02, abs=0.01)


def test_read_replicas_get_the_primarys_gp3_allocation(profile, cat, book):
    # PostgreSQL 1,000 GiB, 40,000 reads + 10,000 writes/s (80% reads): ceil(40,000 / 5,000)
    # - 1 = 7 replicas (within RDS for PostgreSQL's 15).  Each of the 8 instances applies the
    # 10,000 writes and an eighth of the reads: 10,000 + 40,000 / 8 = 15,000 IOPS -> 3,000
    # provisioned above the 12,000 included.  Per instance 3.597 x 730 = 2,625.81 +
    # 1,000 x 0.115 = 115.00 + 3,000 x 0.02 = 60.00; 8 x (2,625.81 + 175.00) = $22,406.48.
    c = _rds(profile, cat, book, {"data_model": "relational", "size_gib": 1000,
                                  "reads_per_s": 40000, "writes_per_s": 10000})
    assert c.config["read_replicas"] == 7 and c.config["instance_class"] == "db.r6g.8xlarge"
    assert c.config["iops"] == 15000
    assert c.monthly_cost_usd == pytest.approx(22406.48, abs=0.01)
    assert any("3,000 provisioned IOPS" in r.text for r in c.reasons)


def test_read_replicas_stop_at_15_per_source(profile, cat, book):
    # "You can create up to 15 read replicas from one DB instance within the same Region"
    # (USER_MySQL.Replication.ReadReplicas.html; PostgreSQL the same): 200,000 reads/s of
    # 200,000 want ceil(200,000 / 5,000) - 1 = 39 replicas, 15 are created (before: 5), and
    # the sizing says the reads above 16 x 5,000 = 80,000/s need a cache or sharding.
    c = _rds(profile, cat, book, {"data_model": "relational", "engine": "mysql",
                                  "size_gib": 100, "reads_per_s": 200000, "writes_per_s": 0,
                                  "cacheable_read_fraction": 0.99})
    assert c.config["read_replicas"] == 15 and c.count == 16
    assert any("reads above 80,000/s need a cache" in r.text for r in c.reasons)


def test_io_within_the_baseline_changes_nothing(profile, cat, book):
    # 300 GiB, 10,000 reads (80% cacheable) + 500 writes/s: one replica; each instance
    # 500 + 2,000 / 2 = 1,500 IOPS, within 3,000: 300 GiB each.  Working set 75 GiB ->
    # db.r6g.4xlarge: 2 x 1.798 x 730 = 2,625.08 + 2 x 300 x 0.115 = 69.00 -> $2,694.08.
    c = _rds(profile, cat, book, {"data_model": "relational", "size_gib": 300,
                                  "reads_per_s": 10000, "writes_per_s": 500,
                                  "cacheable_read_fraction": 0.8})
    assert c.config["read_replicas"] == 1 and c.config["storage_gib"] == 300
    assert c.monthly_cost_usd == pytest.approx(2694.08, abs=0.01)
    assert not any("gp3 for" in r.text for r in c.reasons)


def test_tiny_data_with_io_is_billed_at_the_threshold_not_the_20_gib_minimum(profile, cat,
                                                                              book):
    # 5 GiB, 5,000 writes/s: 400 GiB (not the 20 GiB minimum).  Working set 1.25 GiB:
    # db.t4g.small (2 GiB) carries 1,000 IOPS (t4g.small's EBS baseline; the T classes stop
    # at 4,000), so db.m6in.large (8 GiB, m6in.large 6,250 IOPS, PostgreSQL Single-AZ
    # $0.258/h): 0.258 x 730 = 188.34 + 400 x 0.115 = 46.00 -> $234.34 (before:
    # db.t4g.small and 20 GiB, $25.66); the 20 GiB note is not given.
    c = _rds(profile, cat, book, {"data_model": "relational", "size_gib": 5,
                                  "reads_per_s": 0, "writes_per_s": 5000})
    assert c.config["instance_class"] == "db.m6in.large" and c.config["storage_gib"] == 400
    assert c.monthly_cost_usd == pytest.approx(234.34, abs=0.01)
    assert not any("allocates at least 20 GiB" in r.text for r in c.reasons)


def test_above_gp3s_maximum_the_storage_is_io2(profile, cat, book):
    # MySQL 1,000 GiB, 70,000 writes/s: above gp3's 64,000 maximum.  Audit 9
    # (test_aws_scenarios_database_audit9.py): io2 Block Express carries them (up to 256,000,
    # CHAP_Storage.html#USER_PIOPS), IOPS at most 1,000 x GiB (the RDS io2 blog in
    # database_gp3): max(1,000, 70,000 / 1,000 = 70) = 1,000 GiB x 0.125 = 125.00 + 70,000 x
    # 0.10 = 7,000.00.  (Before audit 9: gp3's 64,000,
    # 52,000 x 0.02 = 1,040.00 + 1,000 x 0.115 and 6,000 IOPS named unpriced at risk 2:
    # $4,612.28.)  Working set 250 GiB and 70,000 IOPS: db.r6g.8xlarge carries 40,000 (EBS
    # baseline), so db.r5b.8xlarge (256 GiB, r5b.8xlarge 86,667, MySQL Single-AZ $4.736/h).
    c = _rds(profile, cat, book, {"data_model": "relational", "engine": "mysql",
                                  "size_gib": 1000, "reads_per_s": 0, "writes_per_s": 70000})
    assert (c.config["storage_type"], c.config["storage_gib"], c.config["iops"]) == \
        ("io2", 1000, 70000)
    assert c.risk == 0
    assert not [u for u in c.unpriced if "IOPS above" in u.item]
    # 4.736 x 730 = 3,457.28 + 125.00 + 7,000.00 = 10,582.28
    assert c.config["instance_class"] == "db.r5b.8xlarge"
    assert c.monthly_cost_usd == pytest.approx(10582.28, abs=0.01)


def test_rds_without_a_data_size_bills_its_20_gib_minimum(profile, cat, book):
    # No size_gib: every RDS instance still allocates at least 20 GiB (CreateDBInstance
    # AllocatedStorage, gp3 20-65,536): db.t4g.micro (1 GiB, the working set's 1 GiB floor;
    # PostgreSQL Single-AZ $0.016/h) 0.016 x 730 = 11.68 + 20 x 0.115 = 2.30 -> $13.98
    # (before $11.68, the storage neither counted nor named).  Aurora's cluster storage, billed
    # per GB-month of data, is named unpriced instead.
    out = database_options(profile(database={"data_model": "relational"}), cat, book,
                           "us-east-1", Rejections())
    rds = next(c for c in out if c.kind == "rds" and not c.config["multi_az"])
    assert rds.config["storage_gib"] == 20
    assert rds.monthly_cost_usd == pytest.approx(13.98, abs=0.01)
    aurora = next(c for c in out if c.kind == "aurora")
    assert any(u.item == "Aurora cluster storage" for u in aurora.unpriced)


def test_rds_without_a_data_size_still_carries_its_io(profile, cat, book):
    # No size_gib, 100 reads + 8,000 writes/s = 8,100 IOPS: 400 GiB; db.m6in.xlarge (the
    # cheapest class whose EBS baseline, 12,500, carries 8,100; PostgreSQL $0.516/h):
    # 0.516 x 730 = 376.68 + 400 x 0.115 = 46.00 -> $422.68.
    c = _rds(profile, cat, book, {"data_model": "relational", "reads_per_s": 100,
                                  "writes_per_s": 8000})
    assert c.config["storage_gib"] == 400 and c.config["instance_class"] == "db.m6in.xlarge"
    assert c.monthly_cost_usd == pytest.approx(422.68, abs=0.01)


@pytest.mark.parametrize(("engine", "gib", "iops", "alloc", "extra", "short"), [
    ("postgresql", 300.0, 3000.0, 300.0, 0.0, 0.0),    # within the 3,000 baseline
    ("mariadb", 399.0, 3001.0, 400.0, 0.0, 0.0),       # one above: the 400 GiB threshold
    ("oracle-ee", 150.0, 5000.0, 200.0, 0.0, 0.0),     # Oracle stripes from 200 GiB
    ("oracle-ee", 150.0, 2500.0, 150.0, 0.0, 0.0),
    ("db2-se", 100.0, 20000.0, 400.0, 8000.0, 0.0),    # Db2 as MySQL: 400 GiB, then 12,000
    ("sqlserver-se", 100.0, 5000.0, 100.0, 2000.0, 0.0),  # no striping: 3,000 + provisioned
    ("sqlserver-ee", 20.0, 16000.0, 32.0, 13000.0, 0.0),  # 500 IOPS per GiB: 16,000 / 500
    # Above gp3's maximum (SQL Server 16,000, others 64,000) io2 Block Express provisions
    # every IOPS on at least IOPS / 1,000 GiB and io2's 100 GiB (audit 9; before, gp3's maximum
    # and the rest short: (100, 13,000, 4,000) and (1,000, 52,000, 6,000)): 20,000 / 1,000 = 20
    # -> 100 GiB, 70,000 / 1,000 = 70 -> the data's 1,000 GiB.
    ("sqlserver-ee", 100.0, 20000.0, 100.0, 20000.0, 0.0),
    ("postgresql", 1000.0, 70000.0, 1000.0, 70000.0, 0.0),
])
def test_gp3_plan_follows_the_table(engine, gib, iops, alloc, extra, short):
    plan = gp3_plan(engine, gib, iops)
    assert (plan.allocated_gib, plan.extra_iops, plan.short_iops) == (alloc, extra, short)


# Redshift, "Node type details"
# (https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info):
# ra3.xlplus single-node 4 TB of managed storage, multi-node 2-16 nodes of 32 TB; ra3.4xlarge
# 2-32; ra3.16xlarge 2-128; dc2.large 1-32; dc2.8xlarge 2-128; single-node clusters are not
# recommended for production.  Catalog rows (us-east-1): ra3.large $0.543/h 8TB RMS,
# ra3.xlplus $1.086/h 32TB, ra3.4xlarge $3.26/h 64TB, ra3.16xlarge $13.04/h 64TB, dc2.large
# $0.25/h 0.16TB, dc2.8xlarge $4.80/h 2.56TB (TB read as 1,024 GiB).

def _warehouse(profile, cat, book, size, **top):
    out = database_options(profile(database={"data_model": "analytics", "size_gib": size},
                                   **top), cat, book, "us-east-1", Rejections())
    return next(c for c in out if c.option == "redshift")


def test_20_tb_is_not_one_single_node_ra3_xlplus(profile, cat, book):
    # 20,000 GiB: one ra3.xlplus holds 4,096 GiB as a single-node cluster; 2 x ra3.xlplus
    # = 2.172/h; 3 x ra3.large (24,576 GiB) = 1.629/h -> 1.629 x 730 = $1,189.17 (before:
    # 1 x ra3.xlplus $792.78, five times its single-node limit).
    c = _warehouse(profile, cat, book, 20000)
    assert (c.config["instance_class"], c.count) == ("ra3.large", 3)
    assert c.monthly_cost_usd == pytest.approx(1189.17, abs=0.01)


def test_above_ra3_xlplus_16_nodes_the_next_type(profile, cat, book):
    # 600,000 GiB: ra3.xlplus needs 19 nodes (> 16); ra3.large 74 x 0.543 = 40.18/h;
    # ra3.4xlarge, 128 TB of managed storage per node ("Managed storage limit per node",
    # rs-node-type-info; the catalog row's 64TB read before gave 10 nodes, $23,798.00):
    # ceil(600,000 / 131,072) = 5 x 3.26 = 16.30/h -> 16.30 x 730 = $11,899.00
    # (before audit 6: 19 x ra3.xlplus, $15,062.82, beyond the node range).
    c = _warehouse(profile, cat, book, 600000)
    assert (c.config["instance_class"], c.count) == ("ra3.4xlarge", 5)
    assert c.monthly_cost_usd == pytest.approx(11899.00, abs=0.01)


def test_production_warehouse_has_two_nodes(profile, cat, book):
    # 100 GiB production: 2 x dc2.large = 2 x 0.25 x 730 = $365.00 (before: 1 node, $182.50).
    c = _warehouse(profile, cat, book, 100, environment="production")
    assert (c.config["instance_class"], c.count) == ("dc2.large", 2)
    assert c.monthly_cost_usd == pytest.approx(365.00, abs=0.01)
    assert any("single-node clusters are not recommended" in r.text for r in c.reasons)


@pytest.mark.parametrize(("cls", "cap", "size", "production", "nodes"), [
    ("ra3.4xlarge", 65536.0, 100.0, False, 2),     # 2-32: never one node
    ("dc2.8xlarge", 2621.44, 100.0, False, 2),     # 2-128
    ("dc2.large", 163.84, 6000.0, False, None),    # 37 nodes > 32
    ("ra3.xlplus", 32768.0, 4096.0, False, 1),     # single-node: 4 TB
    ("ra3.xlplus", 32768.0, 4097.0, False, 2),     # multi-node: 32 TB each
    ("ra3.xlplus", 32768.0, 600000.0, False, None),  # 19 nodes > 16
    ("dc2.large", 163.84, 100.0, True, 2),         # production: not single-node
])
def test_redshift_node_range(cls, cap, size, production, nodes):
    assert redshift_nodes(cls, cap, size, production) == nodes


def test_dynamodb_without_a_data_size_names_its_storage(profile, cat, book):
    # DynamoDB bills table storage per GB-month in either capacity mode
    # (https://aws.amazon.com/dynamodb/pricing/): without size_gib it is named, not silent.
    # Provisioned 100 reads/s strong 1 KiB / 0.7 = 143 RCU x 730 x 0.00013 = 13.57 +
    # 10 writes/s / 0.7 = 15 WCU x 730 x 0.00065 = 7.12 -> $20.69.
    out = database_options(profile(database={"data_model": "key_value", "reads_per_s": 100,
                                             "writes_per_s": 10, "consistency": "strong"}),
                           cat, book, "us-east-1", Rejections())
    assert {c.purchase_option for c in out} == {"on_demand", "provisioned"}
    for c in out:
        assert any(u.item == "DynamoDB table storage" for u in c.unpriced)
    prov = next(c for c in out if c.purchase_option == "provisioned")
    assert prov.monthly_cost_usd == pytest.approx(20.69, abs=0.01)


def test_no_class_carrying_the_io_keeps_the_memory_pick_and_says_so(cat):
    # A stand-in EC2 index where every type carries 1,000 IOPS: no class carries 5,000, so
    # the memory pick stays and the note gives its limit; without an index nothing changes.
    class Ix:
        pos = {"r6g.large": 0, "r6g.xlarge": 1}
        ebs_base_iops = np.array([1000.0, 1000.0])

    rows = [{"instance_class": "db.r6g.large", "memory_gib": 16.0},
            {"instance_class": "db.r6g.xlarge", "memory_gib": 32.0}]

    def pick(rs, mem, allowed):
        ok = [r for i, r in enumerate(rs) if allowed is None or allowed[i]]
        return next(r for r in ok if r["memory_gib"] >= mem), None

    row, note = pick_for_io(pick, rows, 8.0, 5000.0, Ix())
    assert row is rows[0] and "no class carries 5,000 IOPS" in (note or "")
    assert pick_for_io(pick, rows, 8.0, 5000.0, None) == (rows[0], None)
    # 900 IOPS fit the first pick's 1,000: unchanged.
    assert pick_for_io(pick, rows, 8.0, 900.0, Ix()) == (rows[0], None)


def test_dynamodb_above_the_default_table_quota_says_to_raise_it(profile, cat, book):
    # "Per table: 40,000 read request units and 40,000 write request units" on-demand, and
    # 40,000 RCU/WCU provisioned, adjustable (ServiceQuotas.html#default-limits-throughput).
    # 35,000 strong 1 KiB reads/s: on-demand 35,000 RRU (within), provisioned 35,000 / 0.7 =
    # 50,000 RCU (above); 100 writes: within both.
    out = database_options(profile(database={"data_model": "key_value", "size_gib": 10,
                                             "reads_per_s": 35000, "writes_per_s": 100,
                                             "consistency": "strong"}),
                           cat, book, "us-east-1", Rejections())
    od = next(c for c in out if c.purchase_option == "on_demand")
    prov = next(c for c in out if c.purchase_option == "provisioned")
    assert not any(r.rule == "database.dynamodb_table_quota" for r in od.reasons)
    q = [r for r in prov.reasons if r.rule == "database.dynamodb_table_quota"]
    assert len(q) == 1 and q[0].severity == "caution"
    assert "50,000 read capacity units" in q[0].text and "write" not in q[0].text.split("per")[0]
    # 45,000 reads/s: on-demand 45,000 RRU is above too.
    out = database_options(profile(database={"data_model": "key_value", "size_gib": 10,
                                             "reads_per_s": 45000, "writes_per_s": 100,
                                             "consistency": "strong"}),
                           cat, book, "us-east-1", Rejections())
    od = next(c for c in out if c.purchase_option == "on_demand")
    assert any("45,000 read request units" in r.text for r in od.reasons)
