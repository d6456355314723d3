"""The example profiles of ``examples/aws_scenarios`` give their hand-worked figures (issue 9).

Each expectation is the README table's "expected by hand", from the AWS page named there and
the catalog's us-east-1 list prices: EC2 x2gd.large $0.167/h; Fargate x86 $0.04048 per
vCPU-hour and $0.004445 per GB-hour; EBS gp3 $0.08/GB-month, $0.005 per IOPS above 3,000,
$0.04 per MiB/s above 125; st1 $0.045/GB-month; io2 $0.125/GB-month, IOPS $0.065 to 32,000
then $0.0455; EFS Standard $0.30/GB-month, Provisioned Throughput $6.00 per MB/s-month;
data out $0.09/GB (first 10 TB) then $0.085/GB; RDS PostgreSQL db.r6g.2xlarge $0.899/h
Single-AZ, $1.798/h Multi-AZ, gp3 storage $0.115/GB-month.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"


def _run(cat, name):
    return recommend(json.loads((EXAMPLES / f"{name}.json").read_text()), catalog=cat,
                     models=False)


def _top(r, category):
    return getattr(r.recommendations, category)[0]


def test_ec2_mb(cat):
    # 20,480 MB / 1,024 = 20 GiB x 1.2 = 24 GiB, 2 vCPUs: x2gd.large, 0.167 x 730 = $121.91.
    top = _top(_run(cat, "ec2_mb"), "compute")
    assert (top.option, top.monthly_cost_usd) == ("x2gd.large", pytest.approx(121.91, abs=0.01))


def test_far_h900(cat):
    # 2 tasks x (0.5 x 0.04048 + 2 x 0.004445) x 730 = $42.53.
    top = _top(_run(cat, "far_h900"), "compute")
    assert (top.option, top.count) == ("fargate", 2)
    assert top.monthly_cost_usd == pytest.approx(42.53, abs=0.01)


@pytest.mark.parametrize(("name", "order", "first_usd"), [
    # st1 7,680 x 0.045 = 345.60 vs gp3 4,000 x 0.08 + 175 x 0.04 = 327.00.
    ("st1_seq4t", ["gp3", "st1"], 327.00),
    # st1 10,240 x 0.045 = 460.80 vs gp3 10,240 x 0.08 + 275 x 0.04 = 830.20.
    ("st1_10t", ["st1", "gp3"], 460.80),
    # io2 500 x 0.125 + 32,000 x 0.065 + 18,000 x 0.0455 = 62.50 + 2,080 + 819 = 2,961.50.
    ("io2_50k", ["io2"], 2961.50),
    # Scratch files on EFS One Zone (availability-durability.html): 4,096 x 0.16 + (2,000 -
    # 4,096 x 50 / 1,024) x 6 = 655.36 + 10,800 = 11,455.36 (Regional 1,228.80: $12,028.80).
    ("fsx_scratch", ["efs"], 11455.36),
])
def test_storage_examples(cat, name, order, first_usd):
    r = _run(cat, name)
    assert [o.option for o in r.recommendations.storage][:len(order)] == order
    assert r.recommendations.storage[0].monthly_cost_usd == pytest.approx(first_usd, abs=0.01)


def test_net_dt20t(cat):
    # 10,240 x 0.09 + 10,240 x 0.085 = 921.60 + 870.40 = $1,792.00; allowance named.
    r = _run(cat, "net_dt20t")
    assert r.bundle.total_monthly_usd == pytest.approx(1792.00, abs=0.01)
    assert any("free allowance" in u.item for u in r.bundle.unpriced)


def test_rds_ws10(cat):
    # 400 GiB x 10% = 40 GiB -> db.r6g.2xlarge (64 GiB); Multi-AZ asked, so every option is
    # Multi-AZ.  200 reads/s need no replica (the primary serves 5,000).  RDS: 1.798 x 730 =
    # 1,312.54 + 400 x 0.115 x 2 = 92 -> $1,404.54.
    r = _run(cat, "rds_ws10")
    assert all(o.config["multi_az"] for o in r.recommendations.database)
    rds = next(o for o in r.recommendations.database if o.option == "rds:postgresql")
    assert rds.config["instance_class"] == "db.r6g.2xlarge"
    assert rds.config["read_replicas"] == 0
    assert rds.monthly_cost_usd == pytest.approx(1404.54, abs=0.05)
