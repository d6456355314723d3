"""AWS-documented storage and region scenarios, audit 10 (issue 9).

* S3 data retrievals (https://aws.amazon.com/s3/pricing/, "Requests & data retrievals"):
  S3 Standard-IA and S3 One Zone-IA $0.01 per GB, S3 Glacier Instant Retrieval $0.03 per
  GB, S3 Glacier Flexible Retrieval Standard retrieval $0.01 per GB (Bulk free, Expedited
  $0.03), S3 Glacier Deep Archive Standard retrieval $0.02 per GB (Bulk $0.0025); the
  re:Post retrieval-cost example uses the same $0.01 per GB for Flexible Retrieval's
  Standard tier (https://repost.aws/knowledge-center/s3-manage-data-retrieval).  The stored
  price feed (services/aws-price-watcher_20250524/processed/s3.json, us-east-1) carries
  them as "Object Retrieval in Standard Infrequent Access per GB" 0.01, "... One Zone
  Infrequent Access per GB" 0.01, "... Glacier Instant Retrieval per GB" 0.03, "Glacier S3
  Standard Retrieval RestoreObject" 0.01 and (s3glacierdeeparchive.json) "S3
  Standard-Retrieval GB" 0.02.
Prices: the catalog's rows (us-east-1), checked below.
"""

from __future__ import annotations

import pytest

from recommender import recommend
from recommender.core.profile import parse_profile


def _s3(profile: dict):
    r = recommend(parse_profile(profile), models=False)
    return next(o for o in r.recommendations.storage if o.kind == "s3")


def _text(o) -> str:
    return " ".join(x.text for x in o.reasons)


#: Per-GB retrieval price of each class on the S3 pricing page (us-east-1), USD per GB.
S3_RETRIEVAL_USD_PER_GB = {
    "standard_ia": 0.01, "one_zone_ia": 0.01, "glacier_instant": 0.03,
    "glacier_flexible": 0.01, "glacier_deep_archive": 0.02,
}


def test_catalog_carries_the_s3_retrieval_prices_of_the_stored_feed(book):
    """The five per-GB retrieval rows the build reads from the stored feed (module doc)."""
    unit = {c: book.unit(f"s3.{c}.retrieval_gb", "us-east-1") for c in S3_RETRIEVAL_USD_PER_GB}
    assert {c: u.price_usd for c, u in unit.items()} == pytest.approx(S3_RETRIEVAL_USD_PER_GB)


@pytest.mark.parametrize(("storage", "cls"), [
    ({"sharing": "web", "access_frequency": "warm", "object_lifetime_days": 45}, "standard_ia"),
    ({"sharing": "web", "access_frequency": "warm", "object_lifetime_days": 45,
      "persistence": "scratch"}, "one_zone_ia"),
    ({"access_frequency": "cold"}, "glacier_instant"),
    ({"access_frequency": "archive", "object_lifetime_days": 100}, "glacier_flexible"),
    ({"access_frequency": "archive"}, "glacier_deep_archive"),
])
def test_s3_retrieval_charge_is_quoted_from_the_catalog(storage, cls):
    """1,000 GiB in each retrieval-charged class: the option quotes the page's per-GB price
    from the catalog and names the item as unpriced (no monthly read volume), where before
    it said "retrieval charges not in the catalog"."""
    o = _s3({"region": "us-east-1", "storage": {"size_gib": 1000, **storage}})
    assert o.config["storage_class"] == cls
    usd = S3_RETRIEVAL_USD_PER_GB[cls]
    assert f"s3.{cls}.retrieval_gb ${usd:.2f} USD per GB" in _text(o)
    assert "retrieval charges not in the catalog" not in _text(o)
    assert f"s3.{cls}.retrieval_gb" in [u.item for u in o.unpriced]


def _warm_web(mibps: float, hours: float) -> dict:
    return {"region": "us-east-1", "storage": {
        "size_gib": 1000, "sharing": "web", "access_frequency": "warm",
        "object_lifetime_days": 45, "throughput_mibps": mibps,
        "throughput_hours_per_month": hours, "read_fraction": 1.0}}


def test_s3_retrievals_of_the_profiles_reads_are_in_the_monthly_cost():
    """1,000 GiB of warm web objects living 45 days (Standard-IA), read at 1 MiB/s for
    10 h a month: 1 x 3,600 x 10 / 1,024 = 35.156 GB retrieved x $0.01 = $0.35; storage
    1,000 x $0.0125 = $12.50 -> $12.85 (was $12.50, the retrieval named as unpriced).
    S3 Standard would be 1,000 x $0.023 = $23.00, so Standard-IA stays."""
    o = _s3(_warm_web(1, 10))
    assert o.config["storage_class"] == "standard_ia"
    assert o.config["retrieval_gib_month"] == pytest.approx(35.2, abs=0.05)
    assert o.monthly_cost_usd == pytest.approx(12.50 + 35.15625 * 0.01, abs=0.005)
    assert "s3.standard_ia.retrieval_gb" not in [u.item for u in o.unpriced]
    assert "$12.85/month for 1,000 GiB: $12.50 storage + $0.35 retrievals (" in _text(o)


def test_s3_standard_when_the_retrievals_outweigh_what_ia_saves():
    """The same objects read at 10 MiB/s for 100 h a month: 10 x 3,600 x 100 / 1,024 =
    3,515.625 GB x $0.01 = $35.16 + $12.50 = $47.66 in Standard-IA, against S3 Standard's
    1,000 x $0.023 = $23.00 with no retrieval charge (https://aws.amazon.com/s3/pricing/):
    Standard is offered (was Standard-IA at $12.50 with the retrievals unpriced)."""
    o = _s3(_warm_web(10, 100))
    assert o.config["storage_class"] == "standard"
    assert o.monthly_cost_usd == pytest.approx(23.00, abs=0.005)
    assert o.config["colder_class"] == "standard_ia"
    assert o.config["colder_class_monthly_cost_usd"] == pytest.approx(47.66, abs=0.005)
    assert "standard_ia would cost $47.66/month with its retrievals" in _text(o)


@pytest.mark.parametrize(("storage", "cls", "put", "get", "restore"), [
    # Deep Archive: PUT $0.05, GET $0.0004, Standard restore $0.10 per 1,000 requests.
    ({"access_frequency": "archive"}, "glacier_deep_archive", 0.05, 0.0004, 0.10),
    # Flexible Retrieval: PUT $0.03, GET $0.0004, Standard restore $0.05 per 1,000.
    ({"access_frequency": "archive", "object_lifetime_days": 100}, "glacier_flexible", 0.03,
     0.0004, 0.05),
])
def test_glacier_request_charges_name_get_and_restore_requests(storage, cls, put, get, restore):
    """The S3 pricing page (https://aws.amazon.com/s3/pricing/) bills the Glacier classes'
    GET requests and each restore (RestoreObject, Standard retrieval) per 1,000 requests; the
    stored feed has them ("GET and all other requests to GDA per Requests" 0.0000004,
    "Restore Object per Requests" 0.00005, "GDA Standard Restore Requests" 0.0001), yet
    Deep Archive said "get request: no price in the catalog" and no option named restores."""
    o = _s3({"region": "us-east-1", "storage": {"size_gib": 1000, **storage}})
    assert o.config["storage_class"] == cls
    text = _text(o)
    assert (f"put requests ${put:.4f} per 1,000; get requests ${get:.4f} per 1,000; "
            f"restore requests ${restore:.4f} per 1,000") in text
    assert "no price in the catalog" not in text
    assert {f"s3.{cls}.get_request", f"s3.{cls}.restore_request"} <= {u.item for u in o.unpriced}


def test_s3_express_one_zone_is_named_with_the_feeds_storage_price():
    """A 5 ms need on 1,000 GiB of hot web objects: S3 Express One Zone, "single-digit
    millisecond data access" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    Welcome.html), stores at $0.11 per GB-month in us-east-1 (https://aws.amazon.com/s3/
    pricing/; the stored feed's "Express One Zone Storage Inf per GB Mo" 0.11): 1,000 x 0.11
    = $110.00.  Before, the option said the feed had no S3 Express One Zone row."""
    o = _s3({"region": "us-east-1", "storage": {"size_gib": 1000, "sharing": "web",
                                                "access_frequency": "hot", "latency_ms": 5}})
    assert o.config["storage_class"] == "standard" and o.performance_risk == 2.0
    u = next(u for u in o.unpriced if u.item.startswith("S3 Express One Zone"))
    assert "$0.11 per GB-month in us-east-1" in u.reason
    assert "1,000 GiB would store for $110.00/month" in u.reason
    assert "no S3 Express One Zone row" not in _text(o)


def _dev_files(**storage) -> dict:
    return {"region": "us-east-1", "environment": "development", "storage": {
        "size_gib": 1000, "access_frequency": "cold", "sharing": "multi_instance", **storage}}


def test_efs_one_zone_ia_from_the_stored_feed_time_weighted():
    """Development files living 60 days on EFS: One Zone file systems suit "development,
    build, and staging environments" (https://docs.aws.amazon.com/efs/latest/ug/
    storage-classes.html); the stored feed prices One Zone $0.16 and One Zone-IA $0.0133
    per GB-month ("One Zone Infrequent Access Storage GB Mo", https://aws.amazon.com/efs/
    pricing/).  30 days Standard, 30 IA (lifecycle-management-efs.html): 500 x 0.16 + 500 x
    0.0133 = 80.00 + 6.65 = $86.65 (was Regional 500 x 0.30 + 500 x 0.016 = $158.00, with
    "EFS One Zone-IA has no price in the catalog for any region"); the all-Standard bound
    is One Zone Standard's 1,000 x 0.16 = $160.00."""
    o = recommend(parse_profile(_dev_files(object_lifetime_days=60)),
                  models=False).recommendations.storage[0]
    assert (o.option, o.config["file_system_type"]) == ("efs", "one_zone")
    assert o.monthly_cost_usd == pytest.approx(86.65, abs=0.005)
    assert o.predicted["monthly_cost_usd_all_standard"] == pytest.approx(160.00)
    assert "a Regional file system's Standard + IA storage would cost $158.00" in _text(o)


def test_efs_archive_files_stay_regional_without_a_one_zone_archive_price():
    """Archival development files reach Archive, which the catalog has no One Zone price for:
    Regional Archive 1,000 x $0.008 = $8.00, and the reason names the missing class."""
    o = recommend(parse_profile(_dev_files(access_frequency="archive")),
                  models=False).recommendations.storage[0]
    assert "file_system_type" not in o.config
    assert o.monthly_cost_usd == pytest.approx(8.00, abs=0.005)
    assert "EFS One Zone Archive has no price in us-east-1 in the catalog" in _text(o)


def test_cold_data_beyond_one_sc1_volume_is_a_sc1_raid0_array():
    """30,000 GiB of cold sequential data: sc1, "the lowest-cost block storage" for cold data
    (https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html), holds 16 TiB a volume
    (16,384 GiB, the catalog's size_max_gib), and "the resulting size of a RAID 0 array is
    the sum of the sizes of the volumes within it" (https://docs.aws.amazon.com/ebs/latest/
    userguide/raid-config.html): 2 x 15,000 GiB x $0.015 = $450.00, baseline 2 x 15,000 /
    1,024 x 12 = 351.56 MiB/s.  Before, no sc1 or st1 option (ebs.size_above_volume_max) and
    the cheapest block storage offered was gp3 at 30,000 x $0.08 = $2,400.00."""
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "size_gib": 30000, "access_pattern": "sequential", "access_frequency": "cold"}}),
        models=False)
    sc1 = next(o for o in r.recommendations.storage if o.option == "sc1")
    assert (sc1.count, sc1.config["raid"], sc1.config["size_gib_per_volume"]) == (2, "raid0",
                                                                                 15000)
    assert sc1.monthly_cost_usd == pytest.approx(450.00, abs=0.005)
    assert sc1.config["baseline_throughput_mibps"] == pytest.approx(2 * 15000 / 1024 * 12)
    ebs = [o for o in r.recommendations.storage if o.kind == "ebs"]
    assert ebs[0].option == "sc1"  # the cheapest block storage, before gp3's $2,400.00


def test_archival_data_without_a_block_need_ranks_s3_glacier_first():
    """1,000 GiB of archival data living 100 days, no sharing or IOPS given: S3 Glacier
    Flexible Retrieval (Deep Archive's 180-day minimum is longer) at 1,000 x $0.0036 =
    $3.60; the Glacier classes are AWS's archival storage ("Use for archiving data that
    rarely needs to be accessed", https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    storage-class-intro.html).  Before, gp3 (1,000 x $0.08 = $80.00) ranked first as "the
    guidance" and S3 second; with a 3,000-IOPS need block storage keeps the lead."""
    prof = {"region": "us-east-1", "storage": {
        "size_gib": 1000, "access_frequency": "archive", "object_lifetime_days": 100}}
    top = recommend(parse_profile(prof), models=False).recommendations.storage[0]
    assert (top.option, top.config["storage_class"]) == ("s3", "glacier_flexible")
    assert top.monthly_cost_usd == pytest.approx(3.60, abs=0.005)
    assert "storage-class-intro.html" in _text(top)
    prof["storage"]["iops"] = 3000
    top = recommend(parse_profile(prof), models=False).recommendations.storage[0]
    assert (top.option, top.monthly_cost_usd) == ("gp3", pytest.approx(80.00, abs=0.005))


#: The Well-Architected pages region choice follows (recommender/rules/region.py).
PERF04_BP06 = ("https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-"
               "pillar/perf_networking_choose_workload_location_network_requirements.html")
COST07_BP02 = ("https://docs.aws.amazon.com/wellarchitected/latest/cost-optimization-pillar/"
               "cost_pricing_model_region_cost.html")


def test_region_reasons_cite_the_pages_they_follow():
    """Every rule cites its AWS page in its reason text: the region's user latency follows
    PERF04-BP06 ("User experience is greatly affected by the latency between the user and
    your application"), its price level and rank COST07-BP02 ("only deploy in Regions with
    higher costs to meet latency, data residency and data sovereignty requirements").
    Before, no region reason and no "chosen on price alone" warning named a page."""
    r = recommend(parse_profile({"region": "auto", "compute": {"vcpus": 2, "memory_gib": 4},
                                 "network": {"user_regions": {"eu-west-2": 1.0}}}),
                  models=False)
    region = next(o for o in r.recommendations.network if o.kind == "region")
    by_rule = {x.rule: x.text for x in region.reasons}
    assert PERF04_BP06 in by_rule["network.region_latency"]
    assert COST07_BP02 in by_rule["network.region_price"]
    assert COST07_BP02 in by_rule["network.region_rank"]
    alone = recommend(parse_profile({"region": "auto", "compute": {"vcpus": 2,
                                                                   "memory_gib": 4}}),
                      models=False)
    assert any(COST07_BP02 in w and PERF04_BP06 in w for w in alone.warnings)


@pytest.mark.parametrize(("storage", "option", "rules"), [
    # gp3 500 GiB, 6,000 IOPS: 500 x 0.08 + 3,000 x 0.005 = $55.00 (general-purpose.html).
    ({"size_gib": 500, "iops": 6000}, "gp3",
     {"storage.volume_type": "general-purpose.html", "storage.size": "general-purpose.html",
      "storage.monthly_cost": "https://aws.amazon.com/ebs/pricing/"}),
    # sc1 10,000 GiB cold sequential: 10,000 x 0.015 = $150.00 (hdd-vols.html).
    ({"size_gib": 10000, "access_pattern": "sequential", "access_frequency": "cold"}, "sc1",
     {"storage.volume_type": "hdd-vols.html", "storage.size": "hdd-vols.html"}),
    # io2 below 1 ms: provisioned-iops.html for its size.
    ({"size_gib": 500, "iops": 6000, "latency_ms": 0.5}, "io2",
     {"storage.size": "provisioned-iops.html"}),
    # EFS warm: 500 x 0.016 = $8.00 (efs/pricing), what-is-EFS for the choice.
    ({"size_gib": 500, "sharing": "multi_instance", "access_frequency": "warm"}, "efs",
     {"storage.efs": "whatisefs.html", "storage.monthly_cost": "https://aws.amazon.com/efs/pricing/",
      "storage.access_charges": "https://aws.amazon.com/efs/pricing/"}),
    # S3 hot web: 1,000 x 0.023 = $23.00 (s3/pricing), the storage classes page for the class.
    ({"size_gib": 1000, "sharing": "web", "access_frequency": "hot"}, "s3",
     {"storage.s3": "https://aws.amazon.com/s3/storage-classes/",
      "storage.monthly_cost": "https://aws.amazon.com/s3/pricing/"}),
])
def test_storage_reasons_cite_the_page_their_rule_follows(storage, option, rules):
    """Every rule cites its AWS page in its reason text (house rule; the volume-type guidance,
    the size against the type's limits, the cost against the service's pricing page).
    Before, "General purpose SSD: gp3 includes baseline IOPS and throughput at any size.",
    "gp3 500 GiB; latency class single-digit-ms.", "$55.00/month in us-east-1.", EFS's and
    S3's choice and cost reasons named no page."""
    r = recommend(parse_profile({"region": "us-east-1", "storage": storage}), models=False)
    o = next(o for o in r.recommendations.storage if o.option == option)
    for rule, url in rules.items():
        texts = [x.text for x in o.reasons if x.rule == rule]
        assert texts and all(url in t for t in texts), (rule, texts)


def test_a_volume_type_the_region_has_no_price_row_for_is_offered_unpriced():
    """A 0.5 ms need on 500 GiB at 6,000 IOPS in sa-east-1: only io2 Block Express is
    sub-millisecond (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html),
    and the stored EBS feed has no io2 row for sa-east-1 (nor eu-west-3).  Its limits are
    the same in every region, so it is sized with us-east-1's (500 GiB >= 6,000 / 1,000 IOPS
    per GiB) and offered unpriced, named in unpriced with the pricing page; before, "No
    storage option fits" and "another region would admit options"."""
    r = recommend(parse_profile({"region": "sa-east-1", "storage": {
        "size_gib": 500, "iops": 6000, "latency_ms": 0.5}}), models=False)
    top = r.recommendations.storage[0]
    assert (top.option, top.monthly_cost_usd) == ("io2", None)
    assert (top.config["size_gib"], top.config["iops"]) == (500, 6000)
    assert "price_source" not in top.config  # us-east-1's source does not price sa-east-1
    assert "EBS io2 volume in sa-east-1" in {u.item for u in top.unpriced}
    assert not any("No storage option fits" in w for w in r.warnings)


@pytest.mark.parametrize(("profile", "option", "rules"), [
    # m6g.xlarge-class compute with 20,000 IOPS: the instance-limit reason, EBS-optimized page.
    ({"compute": {"vcpus": 4, "memory_gib": 16}, "storage": {"size_gib": 1000, "iops": 20000}},
     "gp3", {"storage.instance_limit": "ebs-optimized.html"}),
    # 100 GiB at 150,000 IOPS: 2 x gp3 in RAID 0, its cost against the EBS pricing page.
    ({"storage": {"size_gib": 100, "iops": 150000}}, "gp3",
     {"storage.monthly_cost": "https://aws.amazon.com/ebs/pricing/"}),
    # Scratch at 0.2 ms, storage only: the instance store's cost and latency reasons.
    ({"storage": {"size_gib": 2000, "iops": 400000, "latency_ms": 0.2,
                  "persistence": "scratch"}}, "instance_store",
     {"storage.monthly_cost": "https://aws.amazon.com/ec2/pricing/on-demand/",
      "storage.latency": "so-instance-store-volumes.html"}),
    # 2,048 GiB shared at 1,000 MiB/s: the mode comparison against the EFS pricing page.
    ({"storage": {"size_gib": 2048, "throughput_mibps": 1000, "sharing": "multi_instance"}},
     "efs", {"storage.efs_throughput": "https://aws.amazon.com/efs/pricing/"}),
    # Warm shared files: the all-Standard bound cites the lifecycle page.
    ({"storage": {"size_gib": 500, "sharing": "multi_instance", "access_frequency": "warm"}},
     "efs", {"storage.efs_class": "lifecycle-management-efs.html"}),
])
def test_more_storage_reasons_cite_their_page(profile, option, rules):
    """The second half of the citation pass: the instance EBS limit ('m6g.xlarge sustains
    ... EBS IOPS, enough for ...'), an array's cost ('$744.00/month = 2 x $372.00.'), the
    instance store's cost and latency, the EFS throughput-mode comparison and the EFS
    all-Standard bound named no page before."""
    r = recommend(parse_profile({"region": "us-east-1", **profile}), models=False)
    o = next(o for o in r.recommendations.storage if o.option == option)
    for rule, url in rules.items():
        texts = [x.text for x in o.reasons if x.rule == rule]
        assert texts and all(url in t for t in texts), (rule, texts)


def test_efs_ia_access_charges_say_what_the_throughput_leaves_unknown():
    """2,000 GiB of warm shared files read and written at 100 MiB/s for 50 h a month: IA
    reads and tiering are billed per GB ($0.01 each, https://aws.amazon.com/efs/pricing/),
    but files reach IA only after going unread (https://docs.aws.amazon.com/efs/latest/ug/
    lifecycle-management-efs.html), so the throughput does not tell which reads fall on IA
    files.  Before, the reason said "the profile gives no monthly read volume" though the
    profile gives one (100 x 3,600 x 50 / 1,024 x 0.8 = 14,062.5 GB read)."""
    r = recommend(parse_profile({"region": "us-east-1", "storage": {
        "size_gib": 2000, "throughput_mibps": 100, "throughput_hours_per_month": 50,
        "read_fraction": 0.8, "sharing": "multi_instance", "access_frequency": "warm"}}),
        models=False)
    o = r.recommendations.storage[0]
    access = next(x.text for x in o.reasons if x.rule == "storage.access_charges")
    assert "efs.ia.read_gb $0.01 USD per GB" in access
    assert "the profile gives no monthly read volume" not in access
    assert "does not say which share of the reads falls on files in IA" in access
    assert {"efs.ia.read_gb", "efs.ia.tiering_gb"} <= {u.item for u in o.unpriced}


def test_intelligent_tiering_monitoring_fee_is_quoted_from_the_feed():
    """S3 Intelligent-Tiering bills "a small monthly object monitoring and automation charge"
    of $0.0025 per 1,000 objects (https://aws.amazon.com/s3/pricing/; objects under 128 KB
    are not monitored, https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    intelligent-tiering-overview.html); the stored feed has it ("Per object per month
    monitoring and automation fee for objects in Intelligent Tiering" 0.0000025).  1,000 GiB
    of web objects of unknown frequency (Intelligent-Tiering, 1,000 x $0.023 = $23.00): the
    fee is named with its price; before, only "S3 bills Intelligent-Tiering monitoring per
    1,000 objects" without a figure."""
    o = _s3({"region": "us-east-1", "storage": {"size_gib": 1000, "sharing": "web"}})
    assert o.config["storage_class"] == "intelligent_tiering"
    assert o.monthly_cost_usd == pytest.approx(23.00, abs=0.005)
    fee = next(u for u in o.unpriced if "monitoring" in u.item)
    assert "$0.0025 per 1,000 objects a month" in fee.reason
