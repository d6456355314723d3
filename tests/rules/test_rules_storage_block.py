"""EBS latency classes, instance store and RAID 0 striping (issue 9), hand-worked figures.

Prices are the us-east-1 list prices of https://aws.amazon.com/ebs/pricing/ (gp3 $0.08 per
GB-month with 3,000 IOPS and 125 MiB/s included, $0.005 per provisioned IOPS-month above;
io2 $0.125 per GB-month, IOPS $0.065 up to 32,000, $0.0455 from 32,001 to 64,000, $0.03185
above) and https://aws.amazon.com/ec2/pricing/on-demand/ (i3en.xlarge $0.452 per hour).
"""

from __future__ import annotations

import pytest

from recommender.rules.base import Rejections
from recommender.rules.storage.block import (
    LATENCY_REJECT,
    latency_fit,
    storage_options,
)
from recommender.rules.storage.need import storage_need
from recommender.rules.storage.striping import striped_options


def _opts(profile, cat, book, storage, **kw):
    rej = Rejections()
    out = storage_options(profile(storage=storage, **kw), cat, book, "us-east-1", rej)
    return {(c.option, c.count): c for c in out}, rej


@pytest.mark.parametrize(("cls", "need", "fit"), [
    # https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html: io2 Block
    # Express sub-millisecond, other SSDs single-digit milliseconds, HDD tens of ms.
    ("single-digit-ms", 5.0, "measure"), ("single-digit-ms", 8.0, "measure"),
    ("single-digit-ms", 1.0, "measure"), ("single-digit-ms", 10.0, "meets"),
    ("single-digit-ms", 0.9, "fails"), ("sub-ms", 0.5, "closest"), ("sub-ms", 5.0, "meets"),
    ("tens-of-ms", 5.0, "fails"), ("tens-of-ms", 20.0, "measure"),
])
def test_latency_fit_follows_the_aws_classes(cls, need, fit):
    assert latency_fit(cls, need) == fit


def test_five_ms_admits_gp3_first_and_cheapest(profile, cat, book):
    opts, rej = _opts(profile, cat, book, {"size_gib": 500, "iops": 6000, "latency_ms": 5})
    gp3, io2 = opts[("gp3", 1)], opts[("io2", 1)]
    # gp3: 500 x 0.08 + (6,000 - 3,000) x 0.005 = 40 + 15 = $55.00
    assert gp3.monthly_cost_usd == pytest.approx(55.0, abs=0.01)
    # io2: 500 x 0.125 + 6,000 x 0.065 = 62.50 + 390 = $452.50
    assert io2.monthly_cost_usd == pytest.approx(452.5, abs=0.01)
    texts = [r.text for r in gp3.reasons if r.rule == "storage.latency"]
    assert texts and "measure" in texts[0] and gp3.reasons[0].rule == "storage.volume_type"
    assert any(r.severity == "caution" for r in gp3.reasons if r.rule == "storage.latency")
    assert gp3.config["price_as_of"] and gp3.config["price_source"]


def test_under_one_ms_requires_io2(profile, cat, book):
    opts, rej = _opts(profile, cat, book, {"size_gib": 500, "iops": 6000, "latency_ms": 0.5})
    assert ("gp3", 1) not in opts and ("io2", 1) in opts
    assert "gp3" in rej.examples[LATENCY_REJECT]


def test_ten_ms_meets_without_caution(profile, cat, book):
    opts, _ = _opts(profile, cat, book, {"size_gib": 500, "iops": 6000, "latency_ms": 10})
    lat = [r for r in opts[("gp3", 1)].reasons if r.rule == "storage.latency"]
    assert lat and lat[0].severity == "info"


def test_scratch_storage_only_gets_instance_store(profile, cat, book):
    opts, _ = _opts(profile, cat, book, {"size_gib": 2000, "iops": 400000, "latency_ms": 0.2,
                                         "persistence": "scratch"})
    c = opts[("instance_store", 1)]
    # EC2 "SSD instance store volumes": i3en.xlarge 1 x 2,500 GB NVMe = 2,328 GiB >= 2,000;
    # the cheapest type with that much local SSD; $0.452/h x 730 h = $329.96.
    assert c.config["instance_type"] == "i3en.xlarge"
    assert c.config["size_gib"] >= 2000
    assert c.monthly_cost_usd == pytest.approx(0.452 * 730, abs=0.01)
    # No stored source has per-type instance-store IOPS: said, not assumed.
    assert any(r.rule == "storage.instance_store_iops" and r.severity == "caution"
               for r in c.reasons)


def test_instance_store_respects_the_compute_need(profile, cat, book):
    opts, _ = _opts(profile, cat, book, {"size_gib": 500, "persistence": "scratch"},
                    )
    small = opts[("instance_store", 1)]
    p = profile(storage={"size_gib": 500, "persistence": "scratch"},
                compute={"vcpus": 16, "memory_gib": 128})
    rej = Rejections()
    from recommender.rules.storage.instance_store import instance_store_option
    big = instance_store_option(p, storage_need(p), cat, "us-east-1", rej)
    row = cat.ec2.set_index("instance_type").loc[big.config["instance_type"]]
    assert row["vcpus"] >= 16 and row["memory_gib"] >= 128
    assert big.monthly_cost_usd > small.monthly_cost_usd


def test_raid0_stripes_io2_beyond_one_volume(profile, cat, book):
    opts, _ = _opts(profile, cat, book, {"size_gib": 2000, "iops": 400000})
    arr = opts[("io2", 2)]
    # One io2 volume tops out at 256,000 IOPS: ceil(400,000 / 256,000) = 2 volumes of
    # 1,000 GiB and 200,000 IOPS each.  Per volume: 1,000 x 0.125 = 125;
    # IOPS 32,000 x 0.065 = 2,080 + 32,000 x 0.0455 = 1,456 + 136,000 x 0.03185 = 4,331.60;
    # 125 + 2,080 + 1,456 + 4,331.60 = 7,992.60; the array: 2 x 7,992.60 = $15,985.20.
    assert arr.config["raid"] == "raid0" and arr.config["volumes"] == 2
    assert arr.config["iops_per_volume"] == 200000
    assert arr.monthly_cost_usd == pytest.approx(15985.20, abs=0.05)
    gp3 = opts[("gp3", 5)]
    # gp3 tops out at 80,000 IOPS: 5 volumes of 400 GiB and 80,000 IOPS each;
    # per volume 400 x 0.08 = 32 + (80,000 - 3,000) x 0.005 = 385 -> 417; 5 x 417 = $2,085.
    assert gp3.monthly_cost_usd == pytest.approx(2085.0, abs=0.05)


def test_raid0_refused_beyond_the_instance_ebs_limit(profile, cat, book):
    p = profile(storage={"size_gib": 2000, "iops": 400000})
    n = storage_need(p)
    from recommender.rules.storage.block import ebs_rows
    rej = Rejections()
    out = striped_options(n, ebs_rows(cat)["us-east-1"], "us-east-1", rej,
                          instance={"instance_type": "m5.large", "max_iops": 18750.0,
                                    "max_mbps": 593.75})
    assert out == []
    assert rej.counts["storage.striping_above_instance_ebs_limit"] >= 2


def test_gp3_provisions_the_iops_its_throughput_needs(profile, cat, book):
    # https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html: gp3 allows at most
    # 0.25 MiB/s per provisioned IOPS, so 1,000 MiB/s needs 1,000 / 0.25 = 4,000 IOPS even
    # though only 3,000 are asked.  Cost (https://aws.amazon.com/ebs/pricing/, throughput
    # $40.96 per GiBps-month = $0.04 per MiB/s-month): 500 x 0.08 = 40 + (4,000 - 3,000)
    # x 0.005 = 5 + (1,000 - 125) x 0.04 = 35 -> $80.00.
    opts, _ = _opts(profile, cat, book, {"size_gib": 500, "iops": 3000,
                                         "throughput_mibps": 1000})
    gp3 = opts[("gp3", 1)]
    assert gp3.config["iops"] == 4000 and gp3.config["throughput_mibps"] == 1000
    assert gp3.monthly_cost_usd == pytest.approx(80.0, abs=0.01)
    assert any(r.rule == "storage.throughput_iops" and "general-purpose.html" in r.text
               for r in gp3.reasons)


def test_gp3_size_covers_the_iops_its_throughput_needs(profile, cat, book):
    # https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html: gp3 allows at most
    # 500 IOPS per GiB and 0.25 MiB/s per IOPS.  5 GiB at 1,000 MiB/s needs 1,000 / 0.25 =
    # 4,000 IOPS, and 4,000 IOPS need 4,000 / 500 = 8 GiB, so the volume grows to 8 GiB.
    # Cost: 8 x 0.08 = 0.64 + (4,000 - 3,000) x 0.005 = 5 + (1,000 - 125) x 0.04 = 35
    # -> $40.64.
    opts, _ = _opts(profile, cat, book, {"size_gib": 5, "throughput_mibps": 1000})
    gp3 = opts[("gp3", 1)]
    assert gp3.config["size_gib"] == 8 and gp3.config["iops"] == 4000
    assert gp3.monthly_cost_usd == pytest.approx(40.64, abs=0.01)


def test_striped_gp3_carries_the_ratio_per_volume(profile, cat, book):
    # 3,000 MiB/s > one gp3's 2,000: 2 volumes of 1,000 GiB at 1,500 MiB/s, each needing
    # 1,500 / 0.25 = 6,000 IOPS.  Per volume 1,000 x 0.08 = 80 + 3,000 x 0.005 = 15
    # + 1,375 x 0.04 = 55 -> 150; the array 2 x 150 = $300.00.  One io2 (Block Express, up to
    # 4,000 MiB/s) carries it at 0.256 MiB/s per provisioned IOPS (provisioned-iops.html):
    # 3,000 / 0.256 = 11,718.75 -> 11,719 IOPS; 2,000 x 0.125 = 250 + 11,719 x 0.065 =
    # 761.735 -> $1,011.735, at no risk now that the throughput is provisioned.
    opts, _ = _opts(profile, cat, book, {"size_gib": 2000, "throughput_mibps": 3000,
                                         "access_pattern": "sequential"})
    arr = opts[("gp3", 2)]
    assert arr.config["iops_per_volume"] == 6000
    assert arr.monthly_cost_usd == pytest.approx(300.0, abs=0.01)
    io2 = opts[("io2", 1)]
    assert io2.config["iops"] == 11719
    assert io2.monthly_cost_usd == pytest.approx(1011.735, abs=0.001)
    assert io2.risk == 0.0


def test_provisioned_iops_volumes_are_sized_for_their_throughput(profile, cat, book):
    # https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html: io1 up to 32,000
    # IOPS moves I/Os of up to 256 KiB, "as much as 500 MiB/s", peak at 2,000 IOPS; above
    # 32,000 IOPS, 16 KiB per IOPS (750 MiB/s at 48,000); io2 Block Express 0.256 MiB/s per
    # IOPS.  us-east-1: $0.125/GB-month, IOPS $0.065 up to 32,000, $0.0455 to 64,000.
    from recommender.rules.storage.ebs import piops_iops_for_throughput as need

    assert need("io1", 500) == 2000 and need("io1", 750) == 48000 and need("io1", 1000) == 64000
    assert need("io2", 500) == 1954  # 500 / 0.256 = 1,953.1
    assert need("io1", 100, io_size_kib=16) == 6400  # 100 MiB/s of 16 KiB I/Os
    assert need("io2", 100, io_size_kib=1024) == 391  # I/O above 256 KiB counts as 256 KiB
    # 500 GiB, 400 MiB/s sequential: io1 1,600 IOPS -> 500 x 0.125 + 1,600 x 0.065 = $166.50.
    opts, _ = _opts(profile, cat, book, {"size_gib": 500, "throughput_mibps": 400,
                                         "access_pattern": "sequential"})
    io1 = opts[("io1", 1)]
    assert io1.config["iops"] == 1600
    assert io1.monthly_cost_usd == pytest.approx(166.50, abs=0.01)
    assert any(r.rule == "storage.throughput_iops" and "1,600 IOPS" in r.text
               for r in io1.reasons)


def _ranked(profile, cat, book, storage, objective):
    from recommender.rules.rank import rank_others

    opts, _ = _opts(profile, cat, book, storage)
    return [c.option for c in rank_others(list(opts.values()), objective)]


SEQ_4TB = {"size_gib": 4000, "throughput_mibps": 300, "access_pattern": "sequential"}


@pytest.mark.parametrize("objective", ["cost", "balanced"])
def test_gp3_ranks_before_st1_when_cheaper(profile, cat, book, objective):
    # st1 baseline 40 MiB/s per TiB (hdd-vols.html): 300 / 40 = 7.5 TiB = 7,680 GiB x $0.045
    # = $345.60.  gp3: 4,000 x $0.08 + (300 - 125) x $0.04 = 320 + 7 = $327.00; 300 MiB/s
    # needs 300 / 0.25 = 1,200 IOPS, under the 3,000 included.  Same risk: gp3 first.
    opts, _ = _opts(profile, cat, book, SEQ_4TB)
    assert opts[("st1", 1)].monthly_cost_usd == pytest.approx(345.60, abs=0.01)
    assert opts[("st1", 1)].config["size_gib"] == 7680
    assert opts[("gp3", 1)].monthly_cost_usd == pytest.approx(327.00, abs=0.01)
    assert _ranked(profile, cat, book, SEQ_4TB, objective)[:2] == ["gp3", "st1"]


@pytest.mark.parametrize("objective", ["cost", "balanced"])
def test_st1_ranks_first_when_cheaper(profile, cat, book, objective):
    # 10,240 GiB at 400 MiB/s: st1's baseline is 10 TiB x 40 = 400 MiB/s at its size:
    # 10,240 x $0.045 = $460.80; gp3 10,240 x $0.08 + (400 - 125) x $0.04 = $830.20.
    s = {"size_gib": 10240, "throughput_mibps": 400, "iops": 200,
         "access_pattern": "sequential"}
    opts, _ = _opts(profile, cat, book, s)
    assert opts[("st1", 1)].monthly_cost_usd == pytest.approx(460.80, abs=0.01)
    assert opts[("gp3", 1)].monthly_cost_usd == pytest.approx(830.20, abs=0.01)
    assert _ranked(profile, cat, book, s, objective)[:2] == ["st1", "gp3"]
