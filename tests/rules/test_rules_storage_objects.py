"""EFS throughput modes and IA price, S3 minimum durations (issue 9), hand-worked figures.

EFS us-east-1 prices from https://aws.amazon.com/efs/pricing/: Standard $0.30 per
GB-month, Infrequent Access $0.016 per GB-month with Elastic Throughput ($0.025 with
Bursting/Provisioned), Elastic Throughput reads $0.03 and writes $0.06 per GB, Provisioned
Throughput $6.00 per MB/s-month.  Bursting baseline 50 KiB/s per GiB of Standard storage
(https://docs.aws.amazon.com/efs/latest/ug/performance.html).  S3 minimum storage durations
from https://aws.amazon.com/s3/storage-classes/ (IA 30 days, Glacier Instant/Flexible 90,
Deep Archive 180).
"""

from __future__ import annotations

import pytest

from recommender.rules.storage.need import storage_need
from recommender.rules.storage.objects import efs_option, s3_class, s3_option


def _efs(profile, cat, book, **storage):
    p = profile(storage={"sharing": "multi_instance", **storage})
    return efs_option(storage_need(p), book, cat, "us-east-1")


def test_efs_provisioned_when_cheaper_than_elastic(profile, cat, book):
    c = _efs(profile, cat, book, size_gib=2048, throughput_mibps=1000)
    # Storage 2,048 x 0.30 = 614.40.  Bursting baseline 2,048 x 50 / 1,024 = 100 MiB/s;
    # Provisioned (1,000 - 100) x 6.00 = 5,400 (read_fraction not given: metered in full).
    # Elastic, all month, on the same assumption (all writes): 1,000 x 3,600 x 730 / 1,024
    # = 2,566,406.25 GiB x 0.06 = 153,984.38 (at half reads it was priced 115,488.28, the
    # cheap side beside Provisioned's dear one) -> Provisioned wins: 614.40 + 5,400 =
    # $6,014.40.
    assert c.config["throughput_mode"] == "provisioned"
    assert c.monthly_cost_usd == pytest.approx(6014.40, abs=0.01)
    assert c.config["elastic_monthly_cost_usd"] == pytest.approx(153984.38, abs=0.01)
    assert c.config["price_as_of"] == "2025-05-22"


def test_efs_elastic_when_cheaper(profile, cat, book):
    c = _efs(profile, cat, book, size_gib=100, throughput_mibps=100,
             throughput_hours_per_month=10, read_fraction=0.9)
    # GiB moved: 100 x 3,600 x 10 / 1,024 = 3,515.625; reads 0.9 x 3,515.625 x 0.03 = 94.92;
    # writes 0.1 x 3,515.625 x 0.06 = 21.09 -> 116.02.  Provisioned: baseline
    # 100 x 50 / 1,024 = 4.883 MiB/s; (100 - 4.883) x 6 = 570.70.  Elastic wins; storage
    # 100 x 0.30 = 30 -> $146.02.
    assert c.config["throughput_mode"] == "elastic"
    assert c.monthly_cost_usd == pytest.approx(146.02, abs=0.01)


def test_efs_bursting_when_the_baseline_suffices(profile, cat, book):
    c = _efs(profile, cat, book, size_gib=2048, throughput_mibps=50)
    # 2,048 GiB earn 100 MiB/s >= 50: Bursting, storage only: 2,048 x 0.30 = $614.40.
    assert c.config["throughput_mode"] in ("bursting", "elastic")
    assert c.monthly_cost_usd == pytest.approx(614.40, abs=0.01)


def test_efs_ia_price_is_the_elastic_throughput_rate(profile, cat, book):
    c = _efs(profile, cat, book, size_gib=1000, access_frequency="warm")
    # IA with Elastic Throughput (the default): 1,000 x 0.016 = $16.00 (legacy 0.025: $25).
    assert c.config["storage_class"] == "ia"
    assert c.monthly_cost_usd == pytest.approx(16.0, abs=0.01)
    named = [u.item for u in c.unpriced]
    assert any("Elastic Throughput" in i for i in named)  # no throughput given: named
    assert any(i.startswith("efs.ia.") for i in named)  # IA reads/tiering per GB: named


@pytest.mark.parametrize(("freq", "life", "cls"), [
    ("warm", None, "intelligent_tiering"),  # warm alone is not enough for Standard-IA
    ("warm", 10, "standard"),  # 10 < 30-day IA minimum
    ("warm", 45, "standard_ia"),
    ("cold", 20, "standard"),  # Glacier Instant 90, IA 30: neither fits 20 days
    ("cold", 60, "standard_ia"),
    ("archive", 100, "glacier_flexible"),  # 100 < Deep Archive's 180, >= Flexible's 90
    ("archive", 365, "glacier_deep_archive"),
])
def test_s3_class_respects_minimum_durations(profile, freq, life, cls):
    st = {"sharing": "web", "access_frequency": freq}
    if life is not None:
        st["object_lifetime_days"] = life
    assert s3_class(storage_need(profile(storage=st)))[0] == cls


def test_s3_scratch_never_in_ia(profile, cat, book):
    n = storage_need(profile(storage={"sharing": "web", "access_frequency": "cold",
                                      "persistence": "scratch", "size_gib": 100}))
    c = s3_option(n, book, cat, "us-east-1")
    assert c.config["storage_class"] == "standard"
    # S3 Standard first 50 TB $0.023 per GB-month: 100 x 0.023 = $2.30; requests named.
    assert c.monthly_cost_usd == pytest.approx(2.30, abs=0.001)
    assert {"s3.standard.put_request", "s3.standard.get_request"} <= {u.item for u in c.unpriced}


def test_efs_modes_compared_on_one_read_assumption(profile, cat, book):
    # 100 GiB shared, 100 MiB/s for 30 h a month, no read_fraction.  Provisioned meters it
    # in full: (100 - 100 x 50 / 1,024 = 4.88 baseline) x 6.00 = 570.70.  Elastic on the same
    # assumption, all writes: 100 x 3,600 x 30 / 1,024 = 10,546.875 GiB x 0.06 = 632.81, so
    # Provisioned wins: storage 100 x 0.30 = 30.00 + 570.70 = $600.70.  (At half reads
    # Elastic was 10,546.875 x 0.045 = 474.61 and won, on the cheaper assumption.)
    c = _efs(profile, cat, book, size_gib=100, throughput_mibps=100,
             throughput_hours_per_month=30, access_frequency="hot")
    assert c.config["throughput_mode"] == "provisioned"
    assert c.monthly_cost_usd == pytest.approx(600.70, abs=0.01)
    assert c.config["elastic_monthly_cost_usd"] == pytest.approx(632.81, abs=0.01)
