"""Fourth audit round of ``examples/aws_scenarios`` (issue 9): lifecycle blends, One Zone,
Aurora's volume maximum and a further pass over documented sizing rules.

Every expectation is worked by hand in its comment from the AWS page named there and the
catalog's us-east-1 unit prices (the snapshot's): EFS Standard $0.30, IA $0.016 (Elastic
Throughput), Archive $0.008, One Zone $0.16 per GB-month, Provisioned Throughput $6.00 per
MB/s-month (https://aws.amazon.com/efs/pricing/); Aurora PostgreSQL db.r6g.16xlarge $8.306/h
(Standard), storage $0.10 per GB-month, I/O $0.20 per million requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
LIFECYCLE_URL = "https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html"


def _run(cat, name, **extra):
    p = json.loads((EXAMPLES / f"{name}.json").read_text()) | extra
    return recommend(p, catalog=cat, models=False)


@pytest.mark.parametrize(("name", "cls", "shares", "usd"), [
    # LIFECYCLE_URL: "By default, files that are not accessed in Standard storage for 30 days
    # are transitioned into IA" (Archive after 90).  A 60-day file spends days 0-30 in
    # Standard and 30-60 in IA; files written and deleted at a steady rate leave half the data
    # in each: 5,000 x (0.5 x 0.30 + 0.5 x 0.016) = 750 + 40 = $790.00 (was all IA $80.00).
    ("efs_arch60", "ia", {"standard": 0.5, "ia": 0.5}, 790.00),
    # 365-day archive files: 30 days Standard, 60 IA, 275 Archive: 5,000 x (30 x 0.30 + 60 x
    # 0.016 + 275 x 0.008) / 365 = 5,000 x 12.16 / 365 = $166.58 (was all Archive $40.00).
    ("efs_arch365", "archive", {"standard": 0.0822, "ia": 0.1644, "archive": 0.7534}, 166.58),
    # 45-day cold files: 30 days Standard, 15 IA: 2,000 x (30 x 0.30 + 15 x 0.016) / 45 =
    # 2,000 x 9.24 / 45 = $410.67 (all IA would be $32.00).
    ("efs_cold45", "ia", {"standard": 0.6667, "ia": 0.3333}, 410.67),
])
def test_efs_priced_time_weighted_over_the_file_lifetime(cat, name, cls, shares, usd):
    top = _run(cat, name).recommendations.storage[0]
    assert (top.option, top.config["storage_class"]) == ("efs", cls)
    assert top.config["class_shares"] == shares
    assert top.monthly_cost_usd == pytest.approx(usd, abs=0.01)
    note = next(x.text for x in top.reasons if x.text.startswith("Files live"))
    assert LIFECYCLE_URL in note and "time-weighted" in note


def test_efs_without_a_lifetime_is_all_in_the_class(cat):
    # No lifetime: long-lived files, all of the data in IA: 1,000 x 0.016 = $16.00, unchanged.
    top = _run(cat, "efs_ia").recommendations.storage[0]
    assert top.monthly_cost_usd == pytest.approx(16.00, abs=0.01)
    assert "class_shares" not in top.config


def test_efs_one_zone_for_non_production_files(cat):
    # https://docs.aws.amazon.com/efs/latest/ug/availability-durability.html: "One Zone file
    # systems store data within a single Availability Zone"; suited to development, build and
    # staging.  1,000 GiB hot development files: One Zone 1,000 x 0.16 = $160.00 (Regional
    # Standard 1,000 x 0.30 = $300.00, named in the reason; was $300.00).
    r = _run(cat, "efs_dev")
    top = r.recommendations.storage[0]
    assert (top.option, top.config["file_system_type"]) == ("efs", "one_zone")
    assert top.monthly_cost_usd == pytest.approx(160.00, abs=0.01)
    why = next(x.text for x in top.reasons if x.rule == "storage.efs_one_zone")
    assert "availability-durability.html" in why and "$300.00" in why
    assert "EFS One Zone access from other Availability Zones" in {u.item for u in top.unpriced}
    # Production keeps the Regional file system: 1,000 x 0.30 = $300.00.
    prod = _run(cat, "efs_dev", environment="production").recommendations.storage[0]
    assert "file_system_type" not in prod.config
    assert prod.monthly_cost_usd == pytest.approx(300.00, abs=0.01)


def test_efs_one_zone_ia_prices_cold_development_files(cat):
    # Cold development files settle in IA; the stored EFS feed prices One Zone-IA ("One Zone
    # Infrequent Access Storage GB Mo", us-east-1 $0.0133, https://aws.amazon.com/efs/
    # pricing/), so they go on One Zone: 1,000 x 0.0133 = $13.30 (was Regional IA 1,000 x
    # 0.016 = $16.00 with One Zone-IA named; storage audit 10).
    top = _run(cat, "efs_dev_cold").recommendations.storage[0]
    assert top.config["file_system_type"] == "one_zone"
    assert top.monthly_cost_usd == pytest.approx(13.30, abs=0.01)
    assert not any("One Zone-IA" in u.item for u in top.unpriced)
    why = next(x.text for x in top.reasons if x.rule == "storage.efs_one_zone")
    assert "a Regional file system's IA storage would cost $16.00" in why


def test_efs_scratch_on_one_zone(cat):
    # Scratch (re-creatable) shared files, 4,096 GiB at 2,000 MiB/s: One Zone 4,096 x 0.16 =
    # 655.36 + Provisioned (2,000 - 4,096 x 50 / 1,024 = 200) = 1,800 x 6 = 10,800 ->
    # $11,455.36 (Regional $12,028.80).
    top = _run(cat, "fsx_scratch").recommendations.storage[0]
    assert top.config["file_system_type"] == "one_zone"
    assert top.monthly_cost_usd == pytest.approx(11455.36, abs=0.01)


def test_aurora_refused_above_its_128_tib_volume(cat):
    # "Amazon Aurora size limits" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/
    # CHAP_Limits.html#RDS_Limits.FileSize.Aurora): the cluster volume grows to 128 TiB =
    # 131,072 GiB.  150,000 GiB fits neither RDS (64 TiB) nor one Aurora cluster (was Aurora
    # Standard priced for it): no relational option, both rejections counted, why-not cites
    # the page.
    r = _run(cat, "aurora_150t", explain=["aurora:postgresql"])
    assert r.recommendations.database == []
    assert r.rejected == {"database.rds_storage_above_64_tib": 1,
                          "database.aurora_storage_above_128_tib": 1}
    w = r.why_not[0]
    assert (w.verdict, w.rule) == ("rejected", "database.aurora_storage_above_128_tib")
    assert "CHAP_Limits.html" in w.text and "131,072 GiB" in w.text


def test_aurora_at_128_tib_is_still_offered(cat):
    # 131,072 GiB, working set 0.39% = 511.2 GiB -> db.r6g.16xlarge (512 GiB): Standard
    # 8.306 x 730 = 6,063.38 + 131,072 x 0.10 = 13,107.20 + (500 writes + 1,000 reads) x
    # 2,628,000 x 0.20/M = 788.40 -> $19,958.98.
    r = _run(cat, "aurora_150t", database={"data_model": "relational", "engine": "postgresql",
                                           "size_gib": 131072, "working_set_fraction": 0.0039,
                                           "reads_per_s": 1000, "writes_per_s": 500})
    db = r.recommendations.database
    assert [(o.option, o.config["instance_class"]) for o in db] == [("aurora:postgresql",
                                                                     "db.r6g.16xlarge")]
    assert db[0].monthly_cost_usd == pytest.approx(19958.98, abs=0.01)
    assert r.rejected.get("database.aurora_storage_above_128_tib") is None


def test_more_data_than_one_volume_holds_is_striped(cat):
    # "EBS currently supports a maximum volume size of 64 TiB" (volume_constraints.html; io2
    # 65,536 GiB in the catalog); "the resulting size of a RAID 0 array is the sum of the sizes
    # of the volumes within it" (raid-config.html).  70,000 GiB at 100,000 IOPS, 0.5 ms (io2
    # only): 2 x io2 of 35,000 GiB and 50,000 IOPS, each 35,000 x 0.125 = 4,375 + 32,000 x
    # 0.065 = 2,080 + 18,000 x 0.0455 = 819 -> 7,274.00; the array $14,548.00 (was: no
    # storage option at all).
    top = _run(cat, "io2_70t").recommendations.storage[0]
    assert (top.option, top.count, top.config["raid"]) == ("io2", 2, "raid0")
    assert top.config["size_gib_per_volume"] == 35000
    assert top.monthly_cost_usd == pytest.approx(14548.00, abs=0.01)
    assert any("70,000 GiB > one io2's 65,536 GiB maximum" in x.text for x in top.reasons)


@pytest.mark.parametrize(("name", "category", "option", "usd"), [
    # gp3 now holds 16 GiB-64 TiB (catalog size_max_gib 65,536, CreateVolume): one 20,000 GiB
    # gp3 at its 3,000 IOPS baseline, 20,000 x 0.08 = $1,600.00.
    ("gp3_20t", "storage", "gp3", 1600.00),
    # DynamoDB (https://aws.amazon.com/dynamodb/pricing/): 2.5 KiB strong reads take
    # ceil(2.5 / 4) = 1 RCU, writes ceil(2.5 / 1) = 3 WCU; 100/s each -> 100 RCU / 0.7 = 143,
    # 300 WCU / 0.7 = 429: 143 x 0.00013 x 730 = 13.57 + 429 x 0.00065 x 730 = 203.56 +
    # storage (10 GiB + 100 bytes per 2,560-byte item = 10.39 GiB, CapacityUnitCalculations
    # .html) x 0.25 = 2.60 -> $219.73 (on-demand 32.85 + 492.75 + 2.60 = $528.20 second).
    ("ddb_2k5", "database", "dynamodb", 219.73),
    # ElastiCache (redis-memory-management.html): 5 / 0.75 = 6.67 GiB -> cache.r6g.large
    # (13.07 GiB; the m-class large nodes hold 6.38); production: a replica per shard (Multi-AZ,
    # AutoFailover.html): Valkey 2 x 0.1648 x 730 = $240.61.  Since database.cluster_mode
    # (absent: a sharded cluster at risk 1): 5 shards x 2 x t4g.small (1.37 GiB) = 10 x 0.0256
    # x 730 = $186.88, ranked at 186.88 x 1.10 = $205.57 < $240.61 (test_cache_cluster_mode).
    ("cache5_prod", "database", "elasticache:valkey", 186.88),
    # 2 vCPU / 4 GiB arm64: c6g.large 0.068 x 730 = $49.64
    # (https://aws.amazon.com/ec2/pricing/on-demand/).
    ("far_arm", "compute", "c6g.large", 49.64),
])
def test_fourth_pass_matches_by_hand(cat, name, category, option, usd):
    top = getattr(_run(cat, name).recommendations, category)[0]
    assert top.option == option
    assert top.monthly_cost_usd == pytest.approx(usd, abs=0.01)


def test_data_out_tiers_to_60_tib(cat):
    # https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer out to the internet): first
    # 10 TB $0.09, next 40 TB $0.085, next 100 TB $0.07 per GB: 10,240 x 0.09 = 921.60 +
    # 40,960 x 0.085 = 3,481.60 + 10,240 x 0.07 = 716.80 -> $5,120.00 (the 100 GB monthly
    # allowance is aggregated across services and named, not deducted).
    r = _run(cat, "net_dt60t")
    assert r.bundle.total_monthly_usd == pytest.approx(5120.00, abs=0.01)


def test_rds_bills_at_least_20_gib_of_gp3(cat):
    # CreateDBInstance AllocatedStorage (https://docs.aws.amazon.com/AmazonRDS/latest/
    # APIReference/API_CreateDBInstance.html): MySQL gp3 "Must be an integer from 20 to 65536".
    # 10 GiB of MySQL, working set 2.5 GiB -> db.t4g.medium 0.065 x 730 = 47.45 + 20 x 0.115
    # = 2.30 -> $49.75 (was 10 x 0.115 = 1.15 -> $48.60); Multi-AZ 94.17 + 20 x 0.23 = $98.77.
    # Aurora bills the volume used: 10 x 0.10 + 25 I/O/s x 2,628,000 x 0.20/M -> $67.43.
    db = _run(cat, "rds_10g").recommendations.database
    costs = {(o.option, o.config["multi_az"]): o.monthly_cost_usd for o in db}
    assert costs[("rds:mysql", False)] == pytest.approx(49.75, abs=0.01)
    assert costs[("rds:mysql", True)] == pytest.approx(98.77, abs=0.01)
    assert costs[("aurora:mysql", False)] == pytest.approx(67.43, abs=0.01)
    size = next(x.text for x in db[0].reasons if x.rule == "database.size")
    assert "20 GiB of gp3 billed for 10 GiB" in size
