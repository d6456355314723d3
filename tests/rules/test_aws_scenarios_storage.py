"""AWS-documented storage scenarios, each expectation worked out by hand (issue 9).

EFS: Bursting baseline 50 KiB/s per GiB of Standard storage
(https://docs.aws.amazon.com/efs/latest/ug/performance.html); Bursting and Provisioned
Throughput limit metered throughput, and reads are metered at one third of the rate of
writes (https://repost.aws/knowledge-center/efs-choosing-correct-throughput-mode;
https://aws.amazon.com/blogs/storage/amazon-efs-introduces-3x-read-throughput-increase-at-no-additional-charge/).
Prices from the catalog's us-east-1 rows: Standard $0.30/GB-month, Provisioned Throughput
$6.00 per MB/s-month, Elastic reads $0.03/GB and writes $0.06/GB
(https://aws.amazon.com/efs/pricing/).
"""

from __future__ import annotations

import pytest

from recommender.rules.storage.need import storage_need
from recommender.rules.storage.objects import efs_option


def _efs(profile, cat, book, **storage):
    p = profile(storage={"sharing": "multi_instance", "access_frequency": "hot", **storage})
    return efs_option(storage_need(p), book, cat, "us-east-1")


def test_provisioned_throughput_meters_reads_at_a_third(profile, cat, book):
    # 2,048 GiB at 1,000 MiB/s, 70% reads: metered 1,000 x (0.7 / 3 + 0.3) = 533.33 MiB/s;
    # Bursting baseline 2,048 x 50 / 1,024 = 100 MiB/s; provisioned above it 433.33 x $6 =
    # $2,600.00; storage 2,048 x 0.30 = $614.40 -> $3,214.40.  Elastic would move
    # 1,000 x 3,600 x 730 / 1,024 = 2,566,406 GiB x (0.7 x 0.03 + 0.3 x 0.06) = $100,089.84.
    c = _efs(profile, cat, book, size_gib=2048, throughput_mibps=1000, read_fraction=0.7)
    assert c.config["throughput_mode"] == "provisioned"
    assert c.config["provisioned_throughput_mibps"] == pytest.approx(533.3, abs=0.05)
    assert c.monthly_cost_usd == pytest.approx(3214.40, abs=0.01)
    assert c.config["elastic_monthly_cost_usd"] == pytest.approx(100089.84, abs=0.01)


def test_without_a_read_share_everything_is_metered(profile, cat, book):
    # No read_fraction: metered in full, (1,000 - 100) x $6 = $5,400 + $614.40 = $6,014.40.
    c = _efs(profile, cat, book, size_gib=2048, throughput_mibps=1000)
    assert c.config["throughput_mode"] == "provisioned"
    assert c.monthly_cost_usd == pytest.approx(6014.40, abs=0.01)


def test_read_heavy_load_fits_the_bursting_baseline(profile, cat, book):
    # 1,000 GiB Standard earns 1,000 x 50 / 1,024 = 48.83 MiB/s; 120 MiB/s at 90% reads is
    # metered 120 x (0.9 / 3 + 0.1) = 48 MiB/s: Bursting, storage only 1,000 x 0.30 = $300.
    c = _efs(profile, cat, book, size_gib=1000, throughput_mibps=120, read_fraction=0.9)
    assert c.config["throughput_mode"] == "bursting"
    assert c.monthly_cost_usd == pytest.approx(300.0, abs=0.01)


def test_intelligent_tiering_names_its_monitoring_fee(profile, cat, book):
    # Warm web objects with no lifetime: Intelligent-Tiering (no minimum duration,
    # https://aws.amazon.com/s3/storage-classes/), Frequent Access tier 2,000 x 0.023 =
    # $46.00; its monitoring and automation fee (per 1,000 objects,
    # https://aws.amazon.com/s3/pricing/) is not in the catalog's price, so it is named.
    from recommender.rules.storage.objects import s3_option

    p = profile(storage={"sharing": "web", "access_frequency": "warm", "size_gib": 2000})
    c = s3_option(storage_need(p), book, cat, "us-east-1")
    assert c.config["storage_class"] == "intelligent_tiering"
    assert c.monthly_cost_usd == pytest.approx(46.0, abs=0.01)
    assert any("monitoring fee" in u.item and "1,000 objects" in u.reason for u in c.unpriced)


@pytest.mark.parametrize(("peak", "risk", "text"), [
    (None, 4.0, "taken as sustained"),       # a sustained load: the baseline, 40,000 < 150,000
    (45, 4.0, "taken as sustained"),         # peaks longer than 30 minutes: still sustained
    (20, 2.0, "30 minutes at least once"),   # short peaks: the 160,000 maximum carries them
])
def test_raid_array_relying_on_instance_burst_is_a_risk(profile, cat, book, peak, risk, text):
    # 150,000 IOPS as 2 x gp3 on an instance that sustains 40,000 EBS IOPS and bursts to
    # 160,000 (illustrative limits): EBS-optimized instances hold their maximum only "for 30
    # minutes at least once every 24 hours" (https://docs.aws.amazon.com/ebs/latest/userguide/
    # ebs-optimized.html).  A sustained need above the 40,000 baseline is what the compute
    # filter rejects (risk 4, as a type over its limit); with storage.peak_minutes_per_day
    # <= 30 the array relies on the burst: risk 2 with the burst caution.
    from recommender.rules.base import Rejections
    from recommender.rules.storage.block import storage_options

    st = {"size_gib": 1000, "iops": 150000, "access_pattern": "random"}
    p = profile(storage=st if peak is None else st | {"peak_minutes_per_day": peak})
    inst = {"instance_type": "x.test", "base_iops": 40000.0, "max_iops": 160000.0,
            "base_mbps": 1250.0, "max_mbps": 10000.0}
    out = storage_options(p, cat, book, "us-east-1", Rejections(), instance=inst)
    arr = next(c for c in out if c.option == "gp3" and c.count == 2)
    assert arr.risk == risk
    assert any(r.rule == "storage.instance_limit" and text in r.text and "x.test" in r.text
               for r in arr.reasons)
