"""Third audit round of ``examples/aws_scenarios`` (issue 9): AWS's documented limits.

Every expectation is worked by hand in its comment from the AWS page named there and the
catalog's us-east-1 unit prices (the snapshot's): DynamoDB provisioned $0.00013 per RCU-hour,
$0.00065 per WCU-hour, on-demand $0.125 per million read and $0.625 per million write
request units, storage $0.25 per GB-month; Aurora PostgreSQL db.r6g.16xlarge $8.306/h
(Standard) and $10.798/h (I/O-Optimized), storage $0.10 (Standard) and $0.225
(I/O-Optimized) per GB-month, I/O $0.20 per million requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"


def _run(cat, name, **extra):
    p = json.loads((EXAMPLES / f"{name}.json").read_text()) | extra
    return recommend(p, catalog=cat, models=False)


def test_dynamodb_refuses_items_above_400_kb(cat):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html: "The
    # maximum item size in DynamoDB is 400 KB" (1 KB = 1,024 bytes): 500 KiB items cannot be
    # stored, so no DynamoDB option; the why-not cites the page and S3 for large values (was:
    # provisioned $5,109.08 for items DynamoDB refuses).
    r = _run(cat, "ddb_500k", explain=["dynamodb"])
    assert r.recommendations.database == []
    assert r.rejected == {"database.dynamodb_item_above_400_kb": 1}
    w = r.why_not[0]
    assert (w.verdict, w.category, w.rule) == ("rejected", "database",
                                               "database.dynamodb_item_above_400_kb")
    assert "Constraints.html" in w.text and "bp-use-s3-too.html" in w.text
    assert any("dynamodb_item_above_400_kb" in x for x in r.warnings)


def test_dynamodb_item_at_the_400_kb_maximum_is_priced(cat):
    # 400 KiB eventual reads: ceil(400 / 4) x 0.5 = 50 RCU per read, 400 WCU per write
    # (https://aws.amazon.com/dynamodb/pricing/).  100 reads/s -> 5,000 RCU / 0.7 = 7,143;
    # 10 writes/s -> 4,000 WCU / 0.7 = 5,715: 7,143 x 0.00013 x 730 = 677.87 + 5,715 x
    # 0.00065 x 730 = 2,711.77 + storage (100 GiB + 100 bytes per 400 KiB item, 100 x 100 /
    # 409,600 = 0.02 GiB, CapacityUnitCalculations.html) 100.02 x 0.25 = 25.01 -> $3,414.64.
    # On-demand: 5,000 x 2,628,000 x 0.125/M = 1,642.50 + 4,000 x 2,628,000 x 0.625/M = 6,570
    # + 25.01 -> $8,237.51.
    db = _run(cat, "ddb_400k").recommendations.database
    assert [(o.config["capacity_mode"], o.config.get("rcu"), o.config.get("wcu")) for o in db] \
        == [("provisioned", 7143, 5715), ("on_demand", None, None)]
    assert db[0].monthly_cost_usd == pytest.approx(3414.64, abs=0.01)
    assert db[1].monthly_cost_usd == pytest.approx(8237.51, abs=0.01)


def test_rds_storage_above_64_tib_leaves_aurora(cat):
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.ModifyingExisting.html:
    # "Every DB instance has a primary storage volume with a maximum capacity of 64 TiB"
    # (65,536 GiB): 100,000 GiB rejects RDS (was RDS db.r6g.16xlarge $16,751.62 #1).  Aurora:
    # working set 0.5% = 500 GiB -> db.r6g.16xlarge (512 GiB); Standard 8.306 x 730 =
    # 6,063.38 + 100,000 x 0.10 = 10,000 + (500 + 1,000) x 2,628,000 x 0.20/M = 788.40
    # -> $16,851.78 < I/O-Optimized 10.798 x 730 + 100,000 x 0.225 = $30,382.54.
    r = _run(cat, "rds_100t", explain=["rds:postgresql"])
    db = r.recommendations.database
    assert [(o.option, o.config["deployment"]) for o in db] == [("aurora:postgresql",
                                                                  "standard")]
    assert db[0].config["instance_class"] == "db.r6g.16xlarge"
    assert db[0].monthly_cost_usd == pytest.approx(16851.78, abs=0.01)
    assert "$30,382.54" in next(x.text for x in db[0].reasons
                                if x.rule == "database.aurora_storage_config")
    w = r.why_not[0]
    assert (w.verdict, w.rule) == ("rejected", "database.rds_storage_above_64_tib")
    assert "65,536 GiB" in w.text


def test_rds_at_64_tib_is_still_offered(cat):
    # 65,536 GiB is the maximum itself: RDS stays (gp3 65,536 x 0.115 = 7,536.64 of storage).
    r = _run(cat, "rds_100t", database={"data_model": "relational", "engine": "postgresql",
                                        "size_gib": 65536, "working_set_fraction": 0.005})
    assert "rds:postgresql" in [o.option for o in r.recommendations.database]
    assert r.rejected.get("database.rds_storage_above_64_tib") is None


@pytest.mark.parametrize(("name", "cls", "usd"), [
    # https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html: "By default,
    # files that are not accessed in Standard storage for 30 days are transitioned into IA"
    # and after 90 days into Archive.  Files deleted after 20 days never leave Standard:
    # 5,000 x 0.30 = $1,500.00 (was Archive 5,000 x 0.008 = $40.00).
    ("efs_arch20", "standard", 1500.00),
    # 60-day files reach IA (30 < 60) but not Archive (90), after 30 days in Standard: half
    # their life in each, time-weighted 5,000 x (0.5 x 0.30 + 0.5 x 0.016) = $790.00 (was
    # $40; $80.00 all in IA before the fourth audit pass).
    ("efs_arch60", "ia", 790.00),
    # 365-day files: 30 days Standard, 60 IA, 275 Archive: 5,000 x (30 x 0.30 + 60 x 0.016 +
    # 275 x 0.008) / 365 = 5,000 x 12.16 / 365 = $166.58 ($40.00 all in Archive before).
    ("efs_arch365", "archive", 166.58),
])
def test_efs_lifecycle_class_reached_within_the_file_lifetime(cat, name, cls, usd):
    top = _run(cat, name).recommendations.storage[0]
    assert (top.option, top.config["storage_class"]) == ("efs", cls)
    assert top.monthly_cost_usd == pytest.approx(usd, abs=0.01)
    notes = [x.text for x in top.reasons if x.rule == "storage.efs_class"]
    assert any(t.startswith("Files live") for t in notes)


@pytest.mark.parametrize(("name", "vcpu", "gib", "usd"), [
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html:
    # 2 vCPU allows 4-16 GB, so 20 GiB needs 4 vCPU (8-30 GB in 1 GB steps):
    # (4 x 0.04048 + 20 x 0.004445) x 730 = $183.10.
    ("far_2v20", 4.0, 20.0, 183.10),
    # 8 vCPU: 16-60 GB in 4 GB steps, so 18 GiB -> 20 GB: (8 x 0.04048 + 20 x 0.004445)
    # x 730 = $301.30.
    ("far_8v18", 8.0, 20.0, 301.30),
    # 0.5 vCPU allows 1-4 GB, so 5 GiB needs 1 vCPU: (0.04048 + 5 x 0.004445) x 730 = $45.77.
    ("far_05v5", 1.0, 5.0, 45.77),
])
def test_fargate_valid_cpu_memory_combinations(cat, name, vcpu, gib, usd):
    r = _run(cat, name, explain=["fargate"])
    far = next((o for o in r.recommendations.compute if o.option == "fargate"), None)
    cost = far.monthly_cost_usd if far else r.why_not[0].monthly_cost_usd
    assert cost == pytest.approx(usd, abs=0.01)
    if far is not None:
        assert (far.config["vcpu"], far.config["memory_gib"]) == (vcpu, gib)


def test_fargate_above_120_gb_is_rejected(cat):
    # Same page: 16 vCPU tasks take 32-120 GB; 125 GiB fits no Fargate task.
    r = _run(cat, "far_16v125")
    assert r.rejected.get("fargate.task_size_limit") == 1


@pytest.mark.parametrize(("name", "option", "size", "usd"), [
    # st1/sc1 volumes are 125-16,384 GiB (CreateVolume): 100 GiB cold at 1 MiB/s -> sc1 at its
    # 125 GiB minimum, 125 x 0.015 = $1.875.
    ("sc1_min", "sc1", 125.0, 1.875),
    # io2 allows 1,000 IOPS per GiB: 10 GiB at 20,000 IOPS -> 20 GiB; 20 x 0.125 + 20,000 x
    # 0.065 = $1,302.50.
    ("io2_small", "io2", 20.0, 1302.50),
])
def test_ebs_volume_minimums_and_ratios(cat, name, option, size, usd):
    top = _run(cat, name).recommendations.storage[0]
    assert (top.option, top.config["size_gib"]) == (option, size)
    assert top.monthly_cost_usd == pytest.approx(usd, abs=0.01)


def test_lambda_two_vcpus_and_efs_provisioned_throughput(cat):
    # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html: 1,769 MB per
    # vCPU -> 3,538 MB; 1M x 0.5 s x 3,538/1,024 = 1,727,539 GB-s - 400,000 = 1,327,539 x
    # 0.0000133334 (arm64) = $17.70 (1M requests free).
    lam = _run(cat, "lam2v").recommendations.compute[0]
    assert (lam.option, lam.config["memory_mb"]) == ("lambda", 3538)
    assert lam.monthly_cost_usd == pytest.approx(17.70, abs=0.01)
    # https://aws.amazon.com/efs/pricing/: 100 GiB writing 100 MiB/s all month; the Bursting
    # baseline is 50 KiB/s per GiB = 4.88 MiB/s: (100 - 4.88) x 6 = 570.70 + 100 x 0.30
    # -> $600.70 Provisioned (Elastic: 100 MiB/s x 2,628,000 s / 1,024 x 0.06 = $15,398).
    efs = _run(cat, "efs_prov").recommendations.storage[0]
    assert (efs.option, efs.config["throughput_mode"]) == ("efs", "provisioned")
    assert efs.monthly_cost_usd == pytest.approx(600.70, abs=0.01)
