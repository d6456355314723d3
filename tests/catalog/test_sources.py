"""The EC2, EBS and network readers on small fixtures cut from the real files.

Expected values are read from the fixture files themselves (not typed in), so a reader that
drops, shifts or mis-scales a figure fails.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from catalog.normalize import is_metal
from catalog.schema import validate_table
from catalog.sources.ebs import FEED_KEYS, latency_class, read_ebs
from catalog.sources.ec2 import KARPENTER, MOTO_TYPES, SPEC_SOURCE, read_ec2
from catalog.sources.network import NETWORK_OPTIONS, read_network

FEEDS = "ec2/ec2shop_pricing_feeds_20250404"


def _lines(path, newline=""):
    """The lines of a text file (for ``csv.DictReader``), with the file closed again."""
    with open(path, newline=newline) as f:
        return f.read().splitlines(keepends=True)


@pytest.fixture(scope="module")
def ec2_result(catalog_data: Path):
    return read_ec2(catalog_data)


@pytest.fixture(scope="module")
def moto(catalog_data: Path) -> dict:
    return json.loads(gzip.decompress((catalog_data / MOTO_TYPES).read_bytes()))


def _feed_prices(catalog_data: Path, name: str) -> dict[str, float]:
    feed = json.loads((catalog_data / FEEDS / f"{name}.json").read_text())
    return {
        e["Instance Type"]: float(e["price"]) for r in feed["regions"].values() for e in r.values()
    }


def test_ec2_tables_validate(ec2_result):
    validate_table("ec2", ec2_result.tables["ec2"])
    validate_table("ec2_prices", ec2_result.tables["ec2_prices"])


def _feed_generation(catalog_data: Path) -> dict[str, bool]:
    """Type -> whether a current (not ``previousgen``) on-demand feed file lists it."""
    out: dict[str, bool] = {}
    for path in sorted((catalog_data / FEEDS).glob("*-ondemand.json")):
        current = "previousgen" not in path.stem
        for r in json.loads(path.read_text())["regions"].values():
            for e in r.values():
                out[e["Instance Type"]] = out.get(e["Instance Type"], False) or current
    return out


def test_ec2_specs_equal_describe_instance_types(ec2_result, moto, catalog_data):
    ec2 = ec2_result.tables["ec2"].set_index("instance_type")
    feed_gen = _feed_generation(catalog_data)  # the feeds' verdict wins where they list a type
    assert set(ec2.index[ec2["spec_source"] == SPEC_SOURCE]) == set(moto)
    for t, info in moto.items():
        row = ec2.loc[t]
        assert row["vcpus"] == info["VCpuInfo"]["DefaultVCpus"]
        assert row["memory_gib"] == info["MemoryInfo"]["SizeInMiB"] / 1024
        assert row["current_generation"] == feed_gen.get(t, info["CurrentGeneration"])
        assert row["efa_supported"] == info["NetworkInfo"]["EfaSupported"]
        ebs = info["EbsInfo"].get("EbsOptimizedInfo", {})
        if "MaximumIops" in ebs:
            assert row["ebs_max_iops"] == ebs["MaximumIops"]
        assert row["arch"] in info["ProcessorInfo"]["SupportedArchitectures"]


def test_ec2_special_cases(ec2_result, moto):
    ec2 = ec2_result.tables["ec2"].set_index("instance_type")
    # i386+x86_64 types report x86_64; mac types keep their own arch.
    assert ec2.loc["c1.medium", "arch"] == "x86_64"
    assert (
        ec2.loc["mac-m4.metal", "arch"]
        == moto["mac-m4.metal"]["ProcessorInfo"]["SupportedArchitectures"][0]
    )
    # p4d has four network cards: their bandwidths add up.
    cards = moto["p4d.24xlarge"]["NetworkInfo"]["NetworkCards"]
    assert ec2.loc["p4d.24xlarge", "network_peak_gbps"] == sum(
        c["PeakBandwidthInGbps"] for c in cards
    )
    assert ec2.loc["p4d.24xlarge", "gpus"] == moto["p4d.24xlarge"]["GpuInfo"]["Gpus"][0]["Count"]
    neuron = moto["inf1.xlarge"]["NeuronInfo"]["NeuronDevices"]
    assert ec2.loc["inf1.xlarge", "accelerators"] == sum(d["Count"] for d in neuron)
    qualcomm = moto["dl2q.24xlarge"]["InferenceAcceleratorInfo"]["Accelerators"]
    assert ec2.loc["dl2q.24xlarge", "accelerators"] == sum(a["Count"] for a in qualcomm)
    disk = moto["i3en.large"]["InstanceStorageInfo"]
    assert ec2.loc["i3en.large", "instance_storage_gib"] == pytest.approx(
        disk["TotalSizeInGB"] * 1e9 / 2**30
    )
    assert bool(ec2.loc["i3en.large", "instance_storage_nvme"]) is True
    assert pd.isna(ec2.loc["m5.large", "instance_storage_gib"])


def test_ec2_burst_facts(ec2_result, catalog_data):
    ec2 = ec2_result.tables["ec2"].set_index("instance_type")
    rows = {
        r["instance_type"]: r
        for r in csv.DictReader(_lines(catalog_data / "facts/burstable_instances.csv"))
    }
    for t in ("t3.micro", "t2.micro"):
        assert ec2.loc[t, "burstable"]
        assert ec2.loc[t, "cpu_credits_per_hour"] == float(rows[t]["cpu_credits_earned_per_hour"])
        assert ec2.loc[t, "baseline_pct_per_vcpu"] == float(
            rows[t]["baseline_utilization_per_vcpu_pct"]
        )
    assert not ec2.loc["m5.large", "burstable"]
    assert pd.isna(ec2.loc["m5.large", "cpu_credits_per_hour"])


def test_perf_index_is_coremark_relative_to_m5_large(ec2_result, catalog_data):
    ec2 = ec2_result.tables["ec2"].set_index("instance_type")
    bench = json.loads(
        (catalog_data / "ec2/ec2instances.info_benchmarks_manually_fetched_data.json").read_text()
    )
    ref = bench["m5.large"]["coremark"]["iterations_second"]
    assert ec2.loc["m5.large", "perf_index"] == pytest.approx(1.0)
    for t in bench:
        if t in ec2.index:
            assert ec2.loc[t, "perf_index"] == pytest.approx(
                bench[t]["coremark"]["iterations_second"] / ref
            )
            assert ec2.loc[t, "perf_index_source"] == "measured"
    unmeasured = ec2.index.difference(list(bench))
    assert len(unmeasured) > 0
    assert (ec2.loc[unmeasured, "perf_index_source"] == "missing").all()
    assert ec2.loc[unmeasured, "perf_index"].isna().all()


def test_us_east_1_newest_source_wins_except_metal(ec2_result, catalog_data):
    prices = ec2_result.tables["ec2_prices"]
    use1 = prices[prices["region"] == "us-east-1"].set_index("instance_type")
    karp = {
        r["instance_type"]: float(r["ondemand_usd_per_hour"])
        for r in csv.DictReader(_lines(catalog_data / KARPENTER))
    }
    feed = _feed_prices(catalog_data, "us-east-1-ondemand")
    feed.update(
        {
            t: p
            for t, p in _feed_prices(catalog_data, "us-east-1-previousgen-ondemand").items()
            if t not in feed
        }
    )
    checked = 0
    for t, row in use1.iterrows():
        if is_metal(t) and t in feed:  # karpenter's metal price is Dedicated tenancy
            assert row["ondemand_usd_per_hour"] == feed[t]
            assert row["price_source"].startswith("ec2shop:")
        elif t in karp:
            assert row["ondemand_usd_per_hour"] == karp[t]
            assert row["price_as_of"] == "2026-07-20"
            assert row["verify"] == is_metal(t)
        else:
            assert row["ondemand_usd_per_hour"] == feed[t]
        checked += 1
    assert checked == len(use1) > 5
    assert use1.loc["m5.large", "ondemand_usd_per_hour"] == 0.096
    assert use1.loc["t3.micro", "ondemand_usd_per_hour"] == 0.0104
    assert use1.loc["c8a.metal-24xl", "verify"]  # metal only in karpenter: flagged


def test_other_regions_from_feed(ec2_result, catalog_data):
    prices = ec2_result.tables["ec2_prices"]
    euw1 = prices[prices["region"] == "eu-west-1"].set_index("instance_type")
    feed = _feed_prices(catalog_data, "eu-west-1-ondemand")
    assert set(euw1.index) == set(feed) - {"p3.2xlarge"}
    for t, p in feed.items():
        if t in euw1.index:
            assert euw1.loc[t, "ondemand_usd_per_hour"] == p
            assert euw1.loc[t, "price_as_of"] == "2025-04-04"


def test_priced_type_without_specs_is_dropped_and_reported(ec2_result):
    assert "p3.2xlarge" not in set(ec2_result.tables["ec2_prices"]["instance_type"])
    assert any("p3.2xlarge" in g for g in ec2_result.coverage_gaps)


def test_spot_and_reserved(ec2_result, catalog_data):
    prices = ec2_result.tables["ec2_prices"].set_index(["instance_type", "region"])
    advisor = json.loads(
        (catalog_data / "ec2/aws_spot-advisor-data_via_spotinfo_20250628.json").read_text()
    )
    labels = {r["index"]: r["label"] for r in advisor["ranges"]}
    n = 0
    for region, oses in advisor["spot_advisor"].items():
        for t, v in oses["Linux"].items():
            if (t, region) in prices.index:
                row = prices.loc[(t, region)]
                assert row["spot_savings_pct"] == v["s"]
                assert row["spot_interruption_band"] == labels[v["r"]]
                assert row["spot_usd_per_hour_est"] == pytest.approx(
                    row["ondemand_usd_per_hour"] * (1 - v["s"] / 100)
                )
                n += 1
    assert n > 5
    ri = json.loads((catalog_data / FEEDS / "us-east-1-reservedinstance-1y.json").read_text())
    entry = next(
        e for r in ri["regions"].values() for e in r.values() if e["Instance Type"] == "m5.large"
    )
    assert prices.loc[("m5.large", "us-east-1"), "reserved_1y_no_upfront_usd_per_hour"] == float(
        entry["price"]
    )
    assert pd.isna(prices.loc[("m5.large", "eu-west-1"), "reserved_1y_no_upfront_usd_per_hour"])


def test_sources_are_listed_with_hashes(ec2_result):
    ids = [s.id for s in ec2_result.sources]
    assert len(ids) == len(set(ids))
    assert all(s.sha256 and len(s.sha256) == 64 for s in ec2_result.sources)
    assert set(ec2_result.tables["ec2_prices"]["price_source"]) <= set(ids)


def test_ebs_prices_from_feed_limits_from_facts(catalog_data):
    res = read_ebs(catalog_data)
    ebs = validate_table("ebs", res.tables["ebs"]).set_index(["volume_type", "region"])
    feed = json.loads((catalog_data / FEEDS / "ebs.json").read_text())
    use1 = feed["regions"]["US East (N. Virginia)"]
    gp3 = ebs.loc[("gp3", "us-east-1")]
    assert gp3["storage_usd_per_gb_month"] == float(use1[FEED_KEYS["gp3"][0]]["price"])
    assert gp3["throughput_usd_per_mibps_month"] == pytest.approx(
        float(use1[FEED_KEYS["gp3"][2]]["price"]) / 1024
    )
    assert not gp3["verify"]
    facts = {
        r["api_name"]: r
        for r in csv.DictReader(_lines(catalog_data / "facts/ebs_volume_types.csv"))
    }
    assert gp3["size_max_gib"] == float(facts["gp3"]["size_max_gib"])
    assert gp3["included_iops"] == float(facts["gp3"]["included_iops"])
    io2 = ebs.loc[("io2", "us-east-1")]
    # io2 tier prices from the (newer) feed, tier bounds from the facts table (verify).
    assert io2["iops_tier3_usd_per_iops_month"] == float(
        use1["Provisioned EBS IOPS Tier 3 io2 Volumes per IOPS Mo"]["price"]
    )
    assert (io2["iops_tier2_start"], io2["iops_tier3_start"]) == (32000, 64000)
    assert io2["verify"]
    assert io2["latency_class"] == "sub-ms"
    assert ebs.loc[("st1", "us-east-1"), "latency_class"] == "tens-of-ms"
    assert ebs.loc[("st1", "us-east-1"), "burst_throughput_mibps_per_tib"] == 250
    # Local Zones and GovCloud have no region record: left out and reported.
    assert set(ebs.index.get_level_values("region")) == {"us-east-1", "eu-west-1", "ca-central-1"}
    assert any("left out" in g for g in res.coverage_gaps)


def test_ebs_facts_price_only_where_feed_lacks(catalog_data, tmp_path):
    # Copy the fixture, then remove gp2's storage price from the feed's us-east-1.
    import shutil

    data = tmp_path / "data"
    shutil.copytree(catalog_data, data)
    path = data / FEEDS / "ebs.json"
    feed = json.loads(path.read_text())
    del feed["regions"]["US East (N. Virginia)"][FEED_KEYS["gp2"][0]]
    del feed["regions"]["EU (Ireland)"][FEED_KEYS["gp2"][0]]
    path.write_text(json.dumps(feed))
    ebs = read_ebs(data).tables["ebs"].set_index(["volume_type", "region"])
    facts = {r["api_name"]: r for r in csv.DictReader(_lines(data / "facts/ebs_volume_types.csv"))}
    gp2 = ebs.loc[("gp2", "us-east-1")]
    assert gp2["storage_usd_per_gb_month"] == float(facts["gp2"]["price_usd_per_gb_month"])
    assert gp2["verify"] and gp2["price_source"] == "facts:ebs_volume_types"
    assert ("gp2", "eu-west-1") not in ebs.index  # facts prices are us-east-1 only


@pytest.mark.parametrize(
    ("texts", "media", "cls"),
    [
        (["sub-millisecond latency"], "SSD", "sub-ms"),
        ([], "SSD", "single-digit-ms"),
        (["none"], "HDD", "tens-of-ms"),
    ],
)
def test_latency_class(texts, media, cls):
    assert latency_class(texts, media) == cls


def test_network_tables(catalog_data):
    res = read_network(catalog_data)
    for name, df in res.tables.items():
        validate_table(name, df)
    regions = res.tables["regions"].set_index("region")
    rec = json.loads((catalog_data / "network/regions/sparecores_aws/eu_west_1.json").read_text())
    assert regions.loc["eu-west-1", "lat"] == rec["lat"]
    lat = res.tables["latency"].set_index(["from_region", "to_region"])
    matrix = json.loads(
        (catalog_data / "network/latency/cloudping_inter-region_p50_1y_20250529.json").read_text()
    )["data"]
    assert len(lat) == sum(len(v) for v in matrix.values())
    assert lat.loc[("us-east-1", "eu-west-1"), "rtt_ms_p50"] == matrix["us-east-1"]["eu-west-1"]
    facts = res.tables["facts"]
    options = facts[facts["topic"] == "network_option"]
    assert {k.rsplit(".", 1)[0] for k in options["key"]} == set(NETWORK_OPTIONS)
    assert options["source_url"].str.startswith("https://docs.aws.amazon.com/").all()
    # No number in the hand-written option texts: figures must come from data.
    assert not options["value"].str.contains(r"\b\d").any()
    burst = facts[
        (facts["topic"] == "burstable")
        & (facts["key"] == "unlimited_surplus_credit_usd_per_vcpu_hour")
    ]
    rows = list(csv.DictReader(_lines(catalog_data / "facts/burstable_instances.csv")))
    assert set(burst["scope"]) == {f"{r['family']} linux" for r in rows}
    assert burst["verify"].all()
