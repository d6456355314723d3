"""AWS-documented storage and region scenarios, audit 11 (issue 9).

* Region price level of a storage-only profile.  COST07-BP02 ("Identify Regional cost
  differences and only deploy in Regions with higher costs to meet latency, data residency and
  data sovereignty requirements", https://docs.aws.amazon.com/wellarchitected/latest/
  cost-optimization-pillar/cost_pricing_model_region_cost.html) is about the workload's own
  costs.  A profile with S3 storage and no compute or database pays S3's prices, and S3
  Standard is $0.023 per GB-month for the first 50 TB in eu-west-1 and in eu-north-1 alike
  (https://aws.amazon.com/s3/pricing/; the catalog's rows below).  Ranking its regions by
  EC2's price level sent it to eu-north-1, farther from its users, for no saving.
Prices and round trips: the catalog's rows, checked below.
"""

from __future__ import annotations

import pytest

from recommender import recommend
from recommender.core.profile import parse_profile
from recommender.rules.base import Rejections
from recommender.rules.storage.block import storage_options

COST07_BP02 = ("https://docs.aws.amazon.com/wellarchitected/latest/cost-optimization-pillar/"
               "cost_pricing_model_region_cost.html")


def _first_tier(cat, item: str, region: str) -> float:
    u = cat.unit_prices
    row = u[(u["item"] == item) & (u["region"] == region) & (u["tier_start"] == 0)]
    return float(row["price_usd"].iloc[0])


def _rtt(cat, a: str, b: str) -> float:
    lat = cat.tables["latency"]
    row = lat[(lat["from_region"] == a) & (lat["to_region"] == b)]
    return float(row["rtt_ms_p50"].iloc[0])


def test_catalog_rows_behind_the_region_figures(cat):
    """S3 Standard's first tier in the three regions, and the measured p50 round trips."""
    std = "s3.standard.storage_gb_month"
    assert {r: _first_tier(cat, std, r) for r in ("eu-west-1", "eu-north-1", "us-east-1")} == \
        pytest.approx({"eu-west-1": 0.023, "eu-north-1": 0.023, "us-east-1": 0.023})
    assert _rtt(cat, "eu-central-1", "eu-west-1") == pytest.approx(26.86)
    assert _rtt(cat, "eu-central-1", "eu-north-1") == pytest.approx(22.77)
    assert _rtt(cat, "eu-west-1", "eu-north-1") == pytest.approx(41.212)


EU_S3 = {"region": "auto",
         "storage": {"size_gib": 100_000, "sharing": "web", "access_frequency": "hot"},
         "network": {"user_regions": {"eu-west-1": 0.5, "eu-central-1": 0.5}}}


def test_a_storage_only_profile_ranks_regions_by_its_storage_price():
    """100,000 GiB of hot web objects, users half in eu-west-1, half in eu-central-1 (balanced:
    regions within 20 ms of the lowest latency are admitted, the cheapest wins).

    Round trips: eu-west-1 0.5 x 0 + 0.5 x 26.86 = 13.43 ms (the lowest); eu-north-1
    0.5 x 41.212 + 0.5 x 22.77 = 31.99 ms (within 13.43 + 20).  S3 Standard costs the same in
    both, 51,200 x 0.023 + 48,800 x 0.022 = 1,177.60 + 1,073.60 = $2,251.20, so the nearer
    eu-west-1 wins (equal price, latency breaks the tie).  Before: eu-north-1 by EC2's price
    level (1.06 against eu-west-1's 1.12), 32 ms for the same $2,251.20.
    """
    r = recommend(parse_profile(EU_S3), models=False)
    assert r.region == "eu-west-1"
    region = next(o for o in r.recommendations.network if o.kind == "region")
    assert region.predicted["user_rtt_ms"] == pytest.approx(13.4, abs=0.05)
    assert region.predicted["price_index"] == pytest.approx(1.0)
    price = next(x.text for x in region.reasons if x.rule == "network.region_price")
    assert "S3 standard storage price level 1.00 x us-east-1" in price
    assert "https://aws.amazon.com/s3/pricing/" in price and COST07_BP02 in price
    s3 = next(o for o in r.recommendations.storage if o.kind == "s3")
    assert s3.monthly_cost_usd == pytest.approx(2251.20, abs=0.005)


def test_a_profile_with_compute_keeps_the_ec2_price_level():
    """With compute the EC2 bill is the one the region's prices move most: unchanged."""
    prof = {**EU_S3, "compute": {"vcpus": 2, "memory_gib": 8}}
    r = recommend(parse_profile(prof), models=False)
    region = next(o for o in r.recommendations.network if o.kind == "region")
    price = next(x.text for x in region.reasons if x.rule == "network.region_price")
    assert price.startswith("EC2 price level")


# Instance EBS limits count I/O operations.  "Amazon EBS counts each I/O operation per second
# (that is 256 KiB or smaller) as one IOPS" (https://docs.aws.amazon.com/ebs/latest/userguide/
# ebs-io-characteristics.html), and an instance's EBS limits are IOPS as well as MB/s, its
# baseline the sustained figure (https://docs.aws.amazon.com/ebs/latest/userguide/
# ebs-optimized.html).
SMALL_IO = {"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
            "storage": {"size_gib": 500, "throughput_mibps": 500, "io_size_kib": 4}}


def _limits(cat, itype: str) -> dict:
    """The instance's EBS limits from the catalog, as the compute stage hands them over."""
    e = cat.ec2
    row = e[e["instance_type"] == itype].iloc[0]
    return {"instance_type": itype, "base_iops": float(row["ebs_baseline_iops"]),
            "max_iops": float(row["ebs_max_iops"]),
            "base_mbps": float(row["ebs_baseline_throughput_mbps"]),
            "max_mbps": float(row["ebs_max_throughput_mbps"])}


def test_the_instance_limit_counts_the_ios_of_the_throughput(cat, book):
    """500 MiB/s of 4 KiB I/O is 500 x 1,024 / 4 = 128,000 IOPS at the instance.  On
    m8gb.xlarge (catalog: 30,000 IOPS baseline, 120,000 maximum; 781.25 MB/s baseline) every
    EBS option carrying that throughput is risk 4, the rule for a sustained need above the
    baseline, with the count said.  Before: risk 0, only 'm8gb.xlarge sustains 781 EBS
    throughput MB/s, enough for 524' (500 x 1.048576 = 524.3 MB/s), the IOPS never compared
    (the compute stage offered m8gb.xlarge for this profile)."""
    limits = _limits(cat, "m8gb.xlarge")
    assert (limits["base_iops"], limits["max_iops"]) == (30_000, 120_000)
    ebs = [c for c in storage_options(parse_profile(SMALL_IO), cat, book, "us-east-1",
                                      Rejections(), instance=limits) if c.kind == "ebs"]
    assert ebs
    for c in ebs:
        texts = [x.text for x in c.reasons if x.rule == "storage.instance_limit"]
        assert any("128,000 I/O operations a second at m8gb.xlarge" in t
                   and "ebs-io-characteristics" in t for t in texts), texts
        assert any("below the need 128,000" in t for t in texts), texts
        assert c.risk == 4.0


def test_without_an_io_size_only_the_profiles_iops_are_compared():
    """No storage.io_size_kib: the I/O count of the throughput is unknown (unchanged)."""
    prof = {**SMALL_IO, "storage": {"size_gib": 500, "throughput_mibps": 500}}
    r = recommend(parse_profile(prof), models=False)
    for o in (o for o in r.recommendations.storage if o.kind == "ebs"):
        assert not any("I/O operations a second" in x.text for x in o.reasons)


def test_io2_provisions_one_iops_per_small_io(book):
    """500 GiB, 500 MiB/s of 4 KiB I/O, 0.5 ms (only io2 Block Express is sub-millisecond,
    https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html).  Each 4 KiB I/O
    is one IOPS (ebs-io-characteristics.html, above): 500 x 1,024 / 4 = 128,000 IOPS (128 GiB
    at 1,000 IOPS per GiB, under the 500 GiB asked).  io2's tiers (https://aws.amazon.com/ebs/
    pricing/, the catalog's rows): 500 x 0.125 = 62.50 + 32,000 x 0.065 = 2,080.00 + 32,000 x
    0.0455 = 1,456.00 + 64,000 x 0.03185 = 2,038.40 -> $5,636.90.  Before: AWS's 0.256 MiB/s
    per IOPS at 256 KiB scaled to 4 KiB (0.004 MiB/s) gave 125,000 IOPS, which move
    125,000 x 4 / 1,024 = 488.3 MiB/s, for $5,541.35."""
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "size_gib": 500, "throughput_mibps": 500, "io_size_kib": 4, "latency_ms": 0.5}}),
        models=False)
    io2 = r.recommendations.storage[0]
    assert io2.option == "io2"
    assert io2.config["iops"] == 128_000
    assert io2.monthly_cost_usd == pytest.approx(5636.90, abs=0.005)
    why = next(x.text for x in io2.reasons if x.rule == "storage.throughput_iops")
    assert "needs 128,000 IOPS" in why and "ebs-io-characteristics.html" in why


def test_io2_at_the_largest_io_keeps_awss_ratio():
    """No I/O size: 256 KiB, AWS's 0.256 MiB/s per IOPS: 1,000 / 0.256 = 3,906.25 -> 3,907
    IOPS (https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html; unchanged)."""
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "size_gib": 1000, "throughput_mibps": 1000, "latency_ms": 0.5}}), models=False)
    assert r.recommendations.storage[0].config["iops"] == 3907


# Restored copies.  "When you restore an archive, you pay for both the archive and the restored
# copy.  Because there is a storage cost for the copy, restore objects only for the duration you
# need them" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html):
# Glacier Flexible Retrieval and Deep Archive objects are read through a temporary copy, whose
# storage the option neither counted nor named.
def _archive(**storage):
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "size_gib": 1000, "access_frequency": "archive", **storage}}), models=False)
    return r, next(o for o in r.recommendations.storage if o.kind == "s3")


@pytest.mark.parametrize("storage", [{}, {"object_lifetime_days": 100}])
def test_restored_copies_of_archives_are_named(storage):
    """Deep Archive (no lifetime) and Glacier Flexible Retrieval (100-day objects): the copies'
    storage is named in the option's and the bundle's unpriced, with the page; the profile
    gives no restore duration (days), so it has no figure."""
    r, s3 = _archive(**storage)
    cls = s3.config["storage_class"]
    assert cls in ("glacier_deep_archive", "glacier_flexible")
    item = f"s3.{cls} restored copies (stored beside the archive while kept)"
    named = [u for u in s3.unpriced if u.item == item]
    assert named and "restoring-objects.html" in named[0].reason
    assert item in [u.item for u in r.bundle.unpriced]


def test_restored_copies_cost_per_day_from_the_reads():
    """Read at 1 MiB/s for 10 h a month, all reads: 1 x 3,600 x 10 / 1,024 = 35.16 GB restored
    (config 35.2); kept one day each at S3 Standard's $0.023 per GB-month (the catalog's
    us-east-1 row, https://aws.amazon.com/s3/pricing/): 35.2 x 0.023 x 24 / 730 = $0.0266,
    '$0.03 for each day they are kept'.  Deep Archive's own figure is unchanged: 1,000 x
    0.00099 + 35.16 x 0.02 retrieval = 0.99 + 0.70 = $1.69."""
    _, s3 = _archive(throughput_mibps=1, throughput_hours_per_month=10, read_fraction=1.0)
    assert s3.config["storage_class"] == "glacier_deep_archive"
    assert s3.monthly_cost_usd == pytest.approx(0.99 + 35.15625 * 0.02, abs=0.005)
    named = next(u for u in s3.unpriced if "restored copies" in u.item)
    assert "35.2 GB restored a month" in named.reason
    assert "$0.03 for each day they are kept" in named.reason


def test_glacier_instant_retrieval_needs_no_restore():
    """Glacier Instant Retrieval serves in milliseconds without a restore: nothing named."""
    _, s3 = _archive(latency_ms=100)
    assert s3.config["storage_class"] == "glacier_instant"
    assert not [u for u in s3.unpriced if "restored copies" in u.item]


# FSx for Lustre storage: SSD capacity comes in 1.2 TiB or multiples of 2.4 TiB, HDD (Persistent
# 1 only) in 6.0 TiB steps at 12 MB/s per TiB or 1.8 TiB steps at 40 MB/s per TiB
# (https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-storage-capacity.html); the
# option sizes by SSD's steps, so it must price an SSD row.  The stored sources have no FSx
# prices (https://aws.amazon.com/fsx/lustre/pricing/): the rows below stand for what a live
# build writes, items as catalog/sources/live_services._fsx_item names them; their figures
# only tell SSD (0.145) from HDD (0.025) apart.
FSX_COLS = ["service", "item", "region", "unit", "price_usd", "tier_start", "tier_end",
            "to_region", "price_as_of", "price_source", "verify", "notes"]


def _fsx_book(rows: list[tuple[str, float]]):
    import pandas as pd

    from recommender.rules.prices import PriceBook
    return PriceBook(pd.DataFrame(
        [["fsx", item, "us-east-1", "USD per GB-month", usd, 0.0, None, None, "2026-12-01",
          "aws-pricing-api", False, None] for item, usd in rows], columns=FSX_COLS),
        pd.DataFrame(columns=["topic", "key", "value", "unit", "scope", "source_url",
                              "verify", "notes"]))


def test_persistent_lustre_prices_ssd_not_hdd(profile):
    """2,000 GiB of shared sequential data at 50 MiB/s, persistent: SSD capacity 2.4 TiB
    (1.95 TiB of data; 2.4 TiB carries 52.4 MB/s at any SSD per-TiB throughput, 50 and up)
    = 2,457.6 GiB x 0.145 = $356.35.  Before: the sorted first '.persistent' item, HDD's,
    2,457.6 x 0.025 = $61.44, an HDD price on an SSD capacity the HDD steps (6.0 or 1.8
    TiB) do not allow."""
    from recommender.rules.storage.fsx import fsx_lustre_option
    from recommender.rules.storage.need import storage_need

    book = _fsx_book([("fsx.lustre.hdd.persistent_1.storage_gb_month", 0.025),
                      ("fsx.lustre.ssd.persistent_1.storage_gb_month", 0.145)])
    n = storage_need(profile(storage={"size_gib": 2000, "sharing": "multi_instance",
                                      "access_pattern": "sequential",
                                      "throughput_mibps": 50}))
    c = fsx_lustre_option(n, book, "us-east-1", Rejections())
    assert c is not None
    assert c.monthly_cost_usd == pytest.approx(2457.6 * 0.145, abs=0.005)
    assert "managing-storage-capacity.html" in c.reasons[0].text


def test_persistent_lustre_with_only_hdd_rows_is_not_offered(profile):
    """No SSD row: not offered, counted as no FSx price (the HDD row does not fit the SSD
    sizing)."""
    from recommender.rules.storage.fsx import fsx_lustre_option
    from recommender.rules.storage.need import storage_need

    rej = Rejections()
    n = storage_need(profile(storage={"size_gib": 2000, "sharing": "multi_instance",
                                      "access_pattern": "sequential",
                                      "throughput_mibps": 50}))
    book = _fsx_book([("fsx.lustre.hdd.persistent_1.storage_gb_month", 0.025)])
    assert fsx_lustre_option(n, book, "us-east-1", rej) is None
    assert rej.counts["storage.fsx_no_price_in_catalog"] == 1


# EFS tiering.  EFS bills each GB lifecycle management moves into IA or Archive (tiering, per
# GB: the catalog's efs.ia.tiering_gb $0.01, efs.archive.tiering_gb $0.03, us-east-1;
# https://aws.amazon.com/efs/pricing/).  With a file lifetime the time-weighted pricing
# already moves every file once into each class its life reaches
# (https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html), so the GB tiered a
# month are known: at a steady size S and lifetime L days, S / L GiB are written a day and
# S / L x 730 / 24 GiB a month are tiered into each class.  Before: named with no figure,
# "the profile's throughput does not say how much of it goes into or out of the class".
def _tiering(cat_storage: dict):
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "sharing": "multi_instance", **cat_storage}}), models=False)
    return r, r.recommendations.storage[0]


def test_catalog_rows_behind_the_tiering_figures(book):
    assert book.unit("efs.ia.tiering_gb", "us-east-1").price_usd == pytest.approx(0.01)
    assert book.unit("efs.archive.tiering_gb", "us-east-1").price_usd == pytest.approx(0.03)


def test_efs_ia_tiering_is_estimated_from_the_file_lifetime():
    """3,000 GiB of cold files living 200 days, 20 MiB/s, 90% reads: 3,000 / 200 x 730 / 24 =
    456.25 GB a month into IA x $0.01 = $4.56, named with that estimate (in the option's and
    the bundle's unpriced).  The monthly figure is unchanged: 15% Standard 450 x 0.30 =
    135.00 + 85% IA at the Bursting rate 2,550 x 0.025 = 63.75 -> $198.75 (Bursting: metered
    20 x (0.9 / 3 + 0.1) = 8 MiB/s within the 450 x 50 / 1,024 = 22 MiB/s baseline)."""
    r, efs = _tiering({"size_gib": 3000, "access_frequency": "cold",
                       "object_lifetime_days": 200, "throughput_mibps": 20,
                       "read_fraction": 0.9})
    assert efs.kind == "efs" and efs.config["throughput_mode"] == "bursting"
    assert efs.monthly_cost_usd == pytest.approx(198.75, abs=0.005)
    tier = next(u for u in efs.unpriced if u.item == "efs.ia.tiering_gb")
    assert tier.estimate_monthly_usd == pytest.approx(4.56, abs=0.005)
    assert "456 GB into IA x $0.01/GB (efs.ia.tiering_gb) = $4.56" in tier.reason
    bundled = next(u for u in r.bundle.unpriced if u.item == "efs.ia.tiering_gb")
    assert bundled.estimate_monthly_usd == pytest.approx(4.56, abs=0.005)


def test_efs_archive_tiering_counts_both_moves():
    """10,000 GiB of archival files living 365 days: 10,000 / 365 x 730 / 24 = 833.33 GB a
    month into IA (x 0.01 = $8.33) and into Archive (x 0.03 = $25.00).  The storage stays
    10,000 x (30 x 0.30 + 60 x 0.016 + 275 x 0.008) / 365 = $333.15."""
    _, efs = _tiering({"size_gib": 10000, "access_frequency": "archive",
                       "object_lifetime_days": 365})
    assert efs.config["storage_class"] == "archive"
    assert efs.monthly_cost_usd == pytest.approx(333.15, abs=0.01)
    est = {u.item: u.estimate_monthly_usd for u in efs.unpriced if "tiering" in u.item}
    assert est == pytest.approx({"efs.ia.tiering_gb": 8.33, "efs.archive.tiering_gb": 25.00},
                                abs=0.005)
    why = next(x.text for x in efs.reasons if x.rule == "storage.efs_tiering")
    assert "lifecycle-management-efs.html" in why and "https://aws.amazon.com/efs/pricing/" in why


def test_efs_tiering_without_a_lifetime_has_no_estimate():
    """No lifetime: the GB moved a month are unknown (unchanged: named, no estimate)."""
    _, efs = _tiering({"size_gib": 1000, "access_frequency": "warm"})
    tier = next(u for u in efs.unpriced if u.item == "efs.ia.tiering_gb")
    assert tier.estimate_monthly_usd is None


@pytest.mark.parametrize(("iops", "says"), [(None, "Scratch data: "),
                                            (100_000, "Scratch data at 100,000 IOPS: ")])
def test_the_compute_stages_instance_store_says_the_iops_only_when_given(iops, says):
    """8 vCPU / 32 GiB with 800 GiB of scratch data: the compute stage's local-SSD instance
    is offered as the instance store (https://docs.aws.amazon.com/ec2/latest/instancetypes/
    so-instance-store-volumes.html).  Before, its reason began 'Scratch data at high IOPS'
    whether or not the profile gave any IOPS."""
    storage = {"size_gib": 800, "persistence": "scratch"}
    if iops:
        storage["iops"] = iops
    r = recommend(parse_profile({"region": "us-east-1", "compute": {"vcpus": 8,
                                                                    "memory_gib": 32},
                                 "storage": storage}), models=False)
    store = next(o for o in r.recommendations.storage if o.kind == "instance_store")
    text = next(x.text for x in store.reasons if x.rule == "storage.instance_store")
    assert text.startswith(says) and "high IOPS" not in text
