"""Storage sizing audited against AWS's pages (issue 9, sixth audit), worked out by hand.

gp2 (General Purpose SSD page, https://docs.aws.amazon.com/ebs/latest/userguide/
general-purpose.html): baseline IOPS are 3 per GiB between a minimum of 100 ("volumes 33.33
GiB and smaller") and 16,000; throughput is "IOPS performance x I/O size in KiB" up to 250
MiB/s, and 334 GiB is "the min size for max throughput".  An SSD I/O is at most 256 KiB
("I/O size is capped at 256 KiB for SSD volumes", https://docs.aws.amazon.com/ebs/latest/
userguide/ebs-io-characteristics.html), so throughput needs IOPS = MiB/s x 1,024 / I/O KiB.

Prices from the catalog's us-east-1 ebs rows: gp2 $0.10 per GB-month; gp3 $0.08 per
GB-month with 3,000 IOPS and 125 MiB/s included, $0.005 per IOPS-month and $0.04 per
MiB/s-month above, at most 80,000 IOPS and 2,000 MiB/s; io1 at most 64,000 IOPS.
"""

from __future__ import annotations

import pytest

from recommender.rules.base import Rejections
from recommender.rules.storage.block import storage_options
from recommender.rules.storage.ebs import ebs_rows, evaluate_volume
from recommender.rules.storage.need import storage_need
from recommender.rules.storage.ssd import gp2_baseline


def _row(cat, vt):
    return next(r for r in ebs_rows(cat)["us-east-1"] if r["volume_type"] == vt)


def _volume(profile, cat, vt, **storage):
    return evaluate_volume(_row(cat, vt), storage_need(profile(storage=storage)), "us-east-1")


def test_gp2_is_sized_for_the_throughput_its_baseline_sustains(profile, cat):
    # 200 MiB/s at the largest I/O, 256 KiB: 200 x 1,024 / 256 = 800 IOPS; at 3 IOPS per GiB
    # 800 / 3 = 266.7 -> 267 GiB (801 IOPS x 256 KiB = 200.25 MiB/s): 267 x 0.10 = $26.70.
    # Before, the 100 GiB asked for was offered at $10.00: its 300 IOPS sustain 75 MiB/s.
    c, key = _volume(profile, cat, "gp2", size_gib=100, throughput_mibps=200,
                     access_pattern="sequential")
    assert key is None and c is not None
    assert c.config["size_gib"] == 267
    assert c.config["baseline_iops"] == 801
    assert c.monthly_cost_usd == pytest.approx(26.70, abs=0.005)
    size = next(r.text for r in c.reasons if r.rule == "storage.size")
    assert "267 GiB" in size and "800 IOPS" in size and "256 KiB" in size


def test_gp2_reaches_250_mibps_at_334_gib(profile, cat):
    # 250 x 1,024 / 256 = 1,000 IOPS / 3 = 333.3 -> 334 GiB, the page's "min size for max
    # throughput": 334 x 0.10 = $33.40.
    c, _ = _volume(profile, cat, "gp2", size_gib=50, throughput_mibps=250)
    assert c is not None and c.config["size_gib"] == 334
    assert c.monthly_cost_usd == pytest.approx(33.40, abs=0.005)
    assert gp2_baseline(_row(cat, "gp2"), 334) == (1002.0, 250.0)
    assert gp2_baseline(_row(cat, "gp2"), 170)[1] == pytest.approx(127.5)  # "170 GiB: 128"


def test_gp2_minimum_100_iops_needs_no_larger_volume(profile, cat):
    # 100 IOPS is gp2's minimum at any size (33.33 GiB and smaller): 10 x 0.10 = $1.00.
    # Before, 100 / 3 raised it to 34 GiB, $3.40.
    c, _ = _volume(profile, cat, "gp2", size_gib=10, iops=100)
    assert c is not None and c.config["size_gib"] == 10 and c.config["baseline_iops"] == 100
    assert c.monthly_cost_usd == pytest.approx(1.00, abs=0.005)


def test_gp2_small_io_needs_more_iops(profile, cat):
    # 100 MiB/s of 64 KiB I/O: 100 x 1,024 / 64 = 1,600 IOPS / 3 = 533.3 -> 534 GiB = $53.40.
    c, _ = _volume(profile, cat, "gp2", size_gib=100, throughput_mibps=100, io_size_kib=64)
    assert c is not None and c.config["size_gib"] == 534
    assert c.monthly_cost_usd == pytest.approx(53.40, abs=0.005)


def test_gp3_provisions_the_iops_its_io_size_needs(profile, cat):
    # 500 MiB/s of 16 KiB I/O: 500 x 1,024 / 16 = 32,000 IOPS (the 0.25 MiB/s ratio alone
    # asks 2,000).  500 x 0.08 = 40 + (32,000 - 3,000) x 0.005 = 145 + (500 - 125) x 0.04 =
    # 15 -> $200.00.  Before: 3,000 IOPS, $55.00 (3,000 x 16 KiB carries 46.9 MiB/s).
    c, _ = _volume(profile, cat, "gp3", size_gib=500, throughput_mibps=500, io_size_kib=16)
    assert c is not None and c.config["iops"] == 32000
    assert c.monthly_cost_usd == pytest.approx(200.0, abs=0.005)
    why = next(r.text for r in c.reasons if r.rule == "storage.throughput_iops")
    assert "32,000" in why and "16 KiB" in why and "ebs-io-characteristics" in why


def test_gp3_without_an_io_size_keeps_the_ratio(profile, cat):
    # 500 MiB/s / 0.25 = 2,000 IOPS <= 3,000 included: 500 x 0.08 + 375 x 0.04 = $55.00.
    c, _ = _volume(profile, cat, "gp3", size_gib=500, throughput_mibps=500)
    assert c is not None and c.config["iops"] == 3000
    assert c.monthly_cost_usd == pytest.approx(55.0, abs=0.005)


def test_iops_the_throughput_needs_above_the_volume_max_reject_it(profile, cat):
    # io1 at 900 MiB/s of 4 KiB I/O: 900 x 1,024 / 4 = 230,400 IOPS > io1's 64,000; gp3 at
    # 1,500 MiB/s of 16 KiB: 96,000 > 80,000.  Before, both were offered above their max.
    for vt, mibps, kib in (("io1", 900, 4), ("gp3", 1500, 16)):
        c, key = _volume(profile, cat, vt, size_gib=500, throughput_mibps=mibps,
                         io_size_kib=kib)
        assert c is None and key == "ebs.iops_above_volume_max"


def test_gp3_is_striped_for_the_iops_its_io_size_needs(profile, cat, book):
    # 1,500 MiB/s of 16 KiB = 96,000 IOPS: two gp3 volumes of 250 GiB, each 48,000 IOPS and
    # 750 MiB/s: 250 x 0.08 = 20 + 45,000 x 0.005 = 225 + 625 x 0.04 = 25 -> $270 x 2 = $540.
    rej = Rejections()
    p = profile(storage={"size_gib": 500, "throughput_mibps": 1500, "io_size_kib": 16})
    out = {(c.option, c.count): c for c in storage_options(p, cat, book, "us-east-1", rej)}
    assert ("gp3", 1) not in out
    two = out[("gp3", 2)]
    assert two.config["iops_per_volume"] == 48000
    assert two.monthly_cost_usd == pytest.approx(540.0, abs=0.005)


# S3 ("Comparing the Amazon S3 storage classes", https://docs.aws.amazon.com/AmazonS3/latest/
# userguide/storage-class-intro.html): minimum billable object size 128 KB for Standard-IA,
# One Zone-IA and Glacier Instant Retrieval, 40 KB for Glacier Flexible Retrieval and Deep
# Archive, none for Standard and Intelligent-Tiering; Flexible Retrieval and Deep Archive
# objects "are not available for real-time access" (restored first), Glacier Instant
# Retrieval is for archives that need "milliseconds retrieval".  Catalog us-east-1 storage
# per GB-month: Standard-IA $0.0125, Glacier Instant $0.004, Deep Archive $0.00099.
def _s3(profile, cat, book, **storage):
    from recommender.rules.storage.objects import s3_option

    n = storage_need(profile(storage={"sharing": "web", **storage}))
    return s3_option(n, book, cat, "us-east-1")


@pytest.mark.parametrize(("freq", "life", "cls", "kb", "usd"), [
    ("warm", 60, "standard_ia", 128, 12.50),            # 1,000 x 0.0125
    ("cold", 365, "glacier_instant", 128, 4.00),         # 1,000 x 0.004
    ("archive", 365, "glacier_deep_archive", 40, 0.99),  # 1,000 x 0.00099
])
def test_s3_minimum_billable_object_size_is_named(profile, cat, book, freq, life, cls, kb,
                                                  usd):
    c = _s3(profile, cat, book, access_frequency=freq, object_lifetime_days=life,
            size_gib=1000)
    assert c.config["storage_class"] == cls
    assert c.monthly_cost_usd == pytest.approx(usd, abs=0.005)  # storage alone, unchanged
    item = f"s3.{cls} minimum billable object size ({kb} KB)"
    named = [u for u in c.unpriced if u.item == item]
    assert named and "storage-class-intro" in named[0].reason
    assert named[0].estimate_monthly_usd is None


@pytest.mark.parametrize(("freq", "life"), [("hot", None), ("warm", None), ("warm", 10)])
def test_s3_classes_without_a_minimum_object_size_name_none(profile, cat, book, freq, life):
    # Standard (hot; warm 10-day objects) and Intelligent-Tiering (warm, no lifetime).
    st = {"access_frequency": freq, "size_gib": 100}
    if life is not None:
        st["object_lifetime_days"] = life
    c = _s3(profile, cat, book, **st)
    assert c.config["storage_class"] in ("standard", "intelligent_tiering")
    assert not [u for u in c.unpriced if "minimum billable object size" in u.item]


def test_archive_with_a_latency_need_goes_to_glacier_instant(profile, cat, book):
    # 50,000 GiB archival objects read at 100 ms: Deep Archive objects must be restored
    # (hours) first, so Glacier Instant Retrieval: 50,000 x 0.004 = $200.00.  Before: Deep
    # Archive, 50,000 x 0.00099 = $49.50, with nothing said about the restore.
    c = _s3(profile, cat, book, access_frequency="archive", size_gib=50000, latency_ms=100)
    assert c.config["storage_class"] == "glacier_instant"
    assert c.monthly_cost_usd == pytest.approx(200.0, abs=0.005)
    assert "restored" in c.reasons[0].text
    assert not [r for r in c.reasons if r.rule == "storage.s3_restore"]


def test_deep_archive_says_objects_are_restored_before_a_read(profile, cat, book):
    # No latency need: Deep Archive stays, 10,240 x 0.00099 = $10.14, with the restore said.
    c = _s3(profile, cat, book, access_frequency="archive", size_gib=10240)
    assert c.config["storage_class"] == "glacier_deep_archive"
    assert c.monthly_cost_usd == pytest.approx(10.14, abs=0.005)
    why = next(r for r in c.reasons if r.rule == "storage.s3_restore")
    assert why.severity == "caution" and "12 hours" in why.text


# EFS.  Lifecycle management (https://docs.aws.amazon.com/efs/latest/ug/
# lifecycle-management-efs.html): "Files smaller than 128 KB aren't eligible for lifecycle
# management and are always stored in the Standard class", and metadata always is.  The
# performance specifications (https://docs.aws.amazon.com/efs/latest/ug/performance.html):
# per-file-system maximum writes 1-3.33 GiBps with Provisioned Throughput (by Region), 1
# GiBps on One Zone.  Catalog us-east-1: Standard $0.30, One Zone $0.16, IA $0.016 per
# GB-month, Provisioned Throughput $6.00 per MB/s-month; Bursting baseline 50 KiB/s per GiB.
def _efs(profile, cat, book, environment=None, **storage):
    from recommender.rules.storage.efs import efs_option

    kw = {} if environment is None else {"environment": environment}
    n = storage_need(profile(storage={"sharing": "multi_instance", **storage}, **kw))
    return efs_option(n, book, cat, "us-east-1")


def test_efs_ia_names_the_small_files_that_stay_in_standard(profile, cat, book):
    # 1,000 GiB warm: IA 1,000 x 0.016 = $16.00; small files and metadata stay in Standard,
    # whose 1,000 x 0.30 = $300.00 bounds it.
    c = _efs(profile, cat, book, size_gib=1000, access_frequency="warm")
    assert c.config["storage_class"] == "ia"
    assert c.monthly_cost_usd == pytest.approx(16.0, abs=0.005)
    assert c.predicted["monthly_cost_usd_all_standard"] == pytest.approx(300.0)
    named = [u for u in c.unpriced if u.item.startswith("EFS files under 128 KB")]
    assert named and "lifecycle-management-efs" in named[0].reason
    hot = _efs(profile, cat, book, size_gib=1000, access_frequency="hot")
    assert not [u for u in hot.unpriced if u.item.startswith("EFS files under")]


@pytest.mark.parametrize(("mibps", "rf", "env", "risk", "usd"), [
    # 2,000 MiB/s, half reads: 1,000 MiB/s each, within 3 GiBps reads and 1 GiBps writes.
    # Metered 2,000 x (0.5 / 3 + 0.5) = 1,333.33; baseline 1,000 x 50 / 1,024 = 48.83;
    # (1,333.33 - 48.83) x 6 = 7,707.03 + 300 = $8,007.03.
    (2000, 0.5, None, 0.0, 8007.03),
    # 1,500 MiB/s of writes: above 1 GiBps (1,024), within 3.33 GiBps: risk 1.
    # (1,500 - 48.83) x 6 = 8,707.03 + 300 = $9,007.03.
    (1500, 0.0, None, 1.0, 9007.03),
    # 8,000 MiB/s, no read share (all writes): above 3.33 GiBps everywhere: risk 2.
    # (8,000 - 48.83) x 6 = 47,707.03 + 300 = $48,007.03.
    (8000, None, None, 2.0, 48007.03),
    # One Zone (development): 1,500 MiB/s of writes above its 1 GiBps: risk 2.
    # 1,000 x 0.16 = 160 + 8,707.03 = $8,867.03.
    (1500, 0.0, "development", 2.0, 8867.03),
])
def test_efs_throughput_above_the_file_system_maximum_is_a_risk(profile, cat, book, mibps,
                                                                rf, env, risk, usd):
    st = {"size_gib": 1000, "access_frequency": "hot", "throughput_mibps": mibps}
    if rf is not None:
        st["read_fraction"] = rf
    c = _efs(profile, cat, book, environment=env, **st)
    assert c.config["throughput_mode"] == "provisioned"
    assert c.monthly_cost_usd == pytest.approx(usd, abs=0.01)
    assert c.risk == risk
    limit = [r for r in c.reasons if r.rule == "storage.efs_throughput_limit"]
    assert bool(limit) is (risk > 0)
    if limit:
        assert "performance.html" in limit[0].text and limit[0].severity == "caution"


# st1/sc1 burst buckets (https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html):
# st1 earns 40 MiB/s per TiB and bursts at 250 (max 500), sc1 12 and 80 (max 250); a bucket
# holds 1 TiB of credits per TiB.  Per GiB: st1 b = 40 / 1,024, u = 250 / 1,024.  A peak of T
# MiB/s for P minutes needs S >= T / u (burst rate), S >= 60 P T / (1,024 + 60 P b) (the
# bucket lasts the peak) and S >= T P / (1,440 b) (the day earns it back).  Catalog
# us-east-1: st1 $0.045, sc1 $0.015 per GB-month.
@pytest.mark.parametrize(("vt", "size", "mibps", "peak", "gib", "usd"), [
    # 500 / 0.244 = 2,048; 900,000 / 1,094.3 = 822.4; 15,000 / 56.25 = 266.7 -> 2,048 GiB
    # x 0.045 = $92.16 (sustained: 500 / 40 x 1,024 = 12,800 GiB, $576.00).
    ("st1", 1000, 500, 30, 2048, 92.16),
    # 200 / (80 / 1,024) = 2,560 GiB x 0.015 = $38.40 (sustained: 17,067 GiB > 16 TiB, so
    # sc1 was rejected).
    ("sc1", 2000, 200, 20, 2560, 38.40),
    # A 10-hour peak: the bucket binds, 500 x 36,000 / (1,024 + 36,000 x 0.0390625) =
    # 7,406.7 -> 7,407 GiB x 0.045 = $333.315.
    ("st1", 1000, 500, 600, 7407, 333.315),
])
def test_hdd_is_sized_for_a_daily_peak_by_its_burst_bucket(profile, cat, vt, size, mibps,
                                                           peak, gib, usd):
    c, key = _volume(profile, cat, vt, size_gib=size, throughput_mibps=mibps,
                     access_pattern="sequential", peak_minutes_per_day=peak)
    assert key is None and c is not None
    assert c.config["size_gib"] == gib
    assert c.monthly_cost_usd == pytest.approx(usd, abs=0.005)
    assert c.risk == 1.0
    burst = next(r for r in c.reasons if r.rule == "storage.hdd_burst")
    assert burst.severity == "caution" and "hdd-vols" in burst.text


def test_hdd_without_a_peak_is_sized_for_its_baseline(profile, cat):
    # Sustained: 500 / 40 x 1,024 = 12,800 GiB x 0.045 = $576.00, risk 0; sc1 rejected.
    c, _ = _volume(profile, cat, "st1", size_gib=1000, throughput_mibps=500,
                   access_pattern="sequential")
    assert c is not None and c.config["size_gib"] == 12800 and c.risk == 0.0
    assert c.monthly_cost_usd == pytest.approx(576.0, abs=0.005)
    assert not [r for r in c.reasons if r.rule == "storage.hdd_burst"]
    sc1, key = _volume(profile, cat, "sc1", size_gib=2000, throughput_mibps=200,
                       access_pattern="sequential")
    assert sc1 is None and key == "ebs.size_above_volume_max"


def test_hdd_data_larger_than_the_burst_size_still_bursts(profile, cat):
    # 2,000 GiB st1 at 200 MiB/s for 20 minutes: its burst 2,000 / 1,024 x 250 = 488 MiB/s
    # carries it, no raise: 2,000 x 0.045 = $90.00 at risk 1 (baseline 78.1 MiB/s).
    c, _ = _volume(profile, cat, "st1", size_gib=2000, throughput_mibps=200,
                   access_pattern="sequential", peak_minutes_per_day=20)
    assert c is not None and c.config["size_gib"] == 2000 and c.risk == 1.0
    assert c.monthly_cost_usd == pytest.approx(90.0, abs=0.005)


@pytest.mark.parametrize(("peak", "mode", "risk", "usd"), [
    # 100 GiB Standard earns 100 x 50 / 1,024 = 4.883 MiB/s; every file system bursts to
    # 100 MiB/s; a 60-minute peak moves 100 x 60 = 6,000 MiB-minutes <= 4.883 x 1,440 =
    # 7,031 earned a day, and spends (100 - 4.883) x 3,600 = 342,422 MiB of the 2.1 TiB
    # balance: Bursting, storage only 100 x 0.30 = $30.00, risk 1.  Before: Provisioned
    # (100 - 4.883) x 6 = 570.70 + 30 = $600.70.
    (60, "bursting", 1.0, 30.0),
    # 80 minutes: 8,000 > 7,031, the day cannot earn it back: Provisioned $600.70.
    (80, "provisioned", 0.0, 600.70),
])
def test_efs_bursting_carries_a_daily_peak_its_credits_cover(profile, cat, book, peak, mode,
                                                             risk, usd):
    c = _efs(profile, cat, book, size_gib=100, access_frequency="hot", throughput_mibps=100,
             peak_minutes_per_day=peak)
    assert c.config["throughput_mode"] == mode
    assert c.monthly_cost_usd == pytest.approx(usd, abs=0.01)
    assert c.risk == risk
