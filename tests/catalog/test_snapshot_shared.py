"""The committed snapshot (``catalog/snapshot``) compared with the shared source data."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from catalog.normalize import is_metal, parse_memory_gib
from catalog.sources.ec2 import SPEC_SOURCE
from catalog.sources.ec2_partial import DESCRIBE_SAMPLES, OFFER_SAMPLE, PARTIAL_SPEC_SOURCE
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_snapshot
from foundation.integrity import sha256_file
from recommender.surfaces.cli.main import main

pytestmark = pytest.mark.shared
FEEDS = "ec2/ec2shop_pricing_feeds_20250404"


def _lines(path, newline=""):
    """The lines of a text file (for ``csv.DictReader``), with the file closed again."""
    with open(path, newline=newline) as f:
        return f.read().splitlines(keepends=True)


@pytest.fixture(scope="module")
def snap():
    return read_snapshot(DEFAULT_SNAPSHOT_DIR)


@pytest.fixture(scope="module")
def moto(shared_data: Path) -> dict:
    return json.loads(
        gzip.decompress((shared_data / "ec2/moto-5.2.5_instance_types.json.gz").read_bytes())
    )


def test_current_generation_us_east_1_prices_equal_the_sources(snap, moto, shared_data):
    karp = {
        r["instance_type"]: float(r["ondemand_usd_per_hour"])
        for r in csv.DictReader(
            _lines(shared_data / "ec2/karpenter_ondemand_linux_us-east-1_20260720.csv")
        )
    }
    feed = {}
    for name in ("us-east-1-previousgen-ondemand", "us-east-1-ondemand"):
        f = json.loads((shared_data / FEEDS / f"{name}.json").read_text())
        feed.update(
            {
                e["Instance Type"]: float(e["price"])
                for r in f["regions"].values()
                for e in r.values()
            }
        )
    p = snap.ec2_prices
    use1 = p[p["region"] == "us-east-1"].set_index("instance_type")["ondemand_usd_per_hour"]
    equal = 0
    for t, info in moto.items():
        if not info["CurrentGeneration"] or t not in use1.index:
            continue
        # Karpenter (2026-07) is newer, except metal, where its price is Dedicated tenancy.
        expected = feed[t] if (is_metal(t) and t in feed) else karp.get(t, feed.get(t))
        assert use1[t] == expected, t
        equal += 1
    assert equal >= 1200
    assert use1["m5.large"] == 0.096
    assert use1["t3.micro"] == 0.0104


def _feed_generation(shared_data: Path) -> dict[str, bool]:
    """Type -> whether any current (not ``previousgen``) on-demand feed file lists it."""
    out: dict[str, bool] = {}
    feeds = shared_data / "ec2/ec2shop_pricing_feeds_20250404"
    for path in sorted(feeds.glob("*-ondemand.json")):
        current = "previousgen" not in path.stem
        for entries in json.loads(path.read_text())["regions"].values():
            for e in entries.values():
                t = e["Instance Type"]
                out[t] = out.get(t, False) or current
    return out


def test_every_type_specs_equal_describe_instance_types(snap, moto, shared_data):
    ec2 = snap.ec2.set_index("instance_type")
    feed_gen = _feed_generation(shared_data)
    assert feed_gen["m5.large"] is True and feed_gen["m3.medium"] is False
    assert set(ec2.index[ec2["spec_source"] == SPEC_SOURCE]) == set(moto)
    for t, info in moto.items():
        row = ec2.loc[t]
        assert row["vcpus"] == info["VCpuInfo"]["DefaultVCpus"], t
        assert row["physical_cores"] == info["VCpuInfo"]["DefaultCores"], t
        assert row["memory_gib"] == info["MemoryInfo"]["SizeInMiB"] / 1024, t
        assert row["arch"] in info["ProcessorInfo"]["SupportedArchitectures"], t
        # Generation: AWS's on-demand price feeds where they list the type (a current feed
        # lists it -> current; only previousgen feeds -> previous), the record's flag
        # elsewhere (tests/catalog/test_ec2_generation.py).
        verdict = feed_gen.get(t)
        assert row["current_generation"] == (info["CurrentGeneration"] if verdict is None
                                             else verdict), t
        assert row["burstable"] == info["BurstablePerformanceSupported"], t
        assert row["bare_metal"] == info["BareMetal"], t
        assert row["efa_supported"] == info["NetworkInfo"]["EfaSupported"], t
        assert row["ena_express_supported"] == info["NetworkInfo"]["EnaSrdSupported"], t
        assert row["network_performance"] == info["NetworkInfo"]["NetworkPerformance"], t
        ebs = info["EbsInfo"].get("EbsOptimizedInfo", {})
        for col, key in (
            ("ebs_max_bandwidth_mbps", "MaximumBandwidthInMbps"),
            ("ebs_baseline_iops", "BaselineIops"),
            ("ebs_max_throughput_mbps", "MaximumThroughputInMBps"),
        ):
            if key in ebs:
                assert row[col] == ebs[key], (t, col)
        assert row["placement_group_strategies"] == ",".join(
            sorted(info["PlacementGroupInfo"]["SupportedStrategies"])
        ), t
    for t in ("c4.large", "m4.large", "r4.large"):
        assert t in ec2.index


def test_info_names_every_source_file(capsys, shared_data):
    assert main(["catalog", "info"]) == 0
    info = json.loads(capsys.readouterr().out)
    listed = {s["path"]: s for s in info["sources"]}
    used = [
        *sorted((shared_data / FEEDS).glob("*.json")),
        *sorted((shared_data / "ec2/moto-5.2.5_instance_type_offerings").glob("region_*")),
        shared_data / "ec2/moto-5.2.5_instance_types.json.gz",
        shared_data / "ec2/karpenter_ondemand_linux_us-east-1_20260720.csv",
        shared_data / "ec2/aws_spot-advisor-data_via_spotinfo_20250628.json",
        shared_data / "ec2/ec2instances.info_benchmarks_manually_fetched_data.json",
        shared_data / "facts/burstable_instances.csv",
        *sorted((shared_data / DESCRIBE_SAMPLES).glob("DescribeInstanceTypes_*.json")),
        shared_data / OFFER_SAMPLE,
        shared_data / "facts/ebs_volume_types.csv",
        shared_data / "network/latency/cloudping_inter-region_p50_1y_20250529.json",
    ]
    for path in used:
        rel = str(path.relative_to(shared_data))
        assert rel in listed, rel
        assert listed[rel]["sha256"] == sha256_file(path), rel
    assert "network/regions/sparecores_aws" in listed
    assert set(snap_price_sources(info)) <= {s["id"] for s in info["sources"]}


def snap_price_sources(info: dict) -> set[str]:
    snap = read_snapshot(DEFAULT_SNAPSHOT_DIR)
    ids: set[str] = set()
    for name in ("ec2_prices", "ebs"):
        for sid in snap.tables[name]["price_source"].unique():
            ids.update(sid.split("+"))
    return ids


def test_show_ec2_json_lists_every_type(capsys, moto, snap):
    assert main(["catalog", "show", "ec2", "--format", "json"]) == 0
    types = {r["instance_type"] for r in json.loads(capsys.readouterr().out)}
    partial = set(snap.ec2.loc[snap.ec2["spec_source"] == PARTIAL_SPEC_SOURCE, "instance_type"])
    assert types == set(moto) | partial


def test_every_priced_feed_type_is_in_the_catalog_or_a_gap(snap, moto, shared_data):
    """Feed-only types carry the feed's specs (partial) or are named as left out."""
    entries: dict[str, tuple[str, dict]] = {}
    for path in sorted((shared_data / FEEDS).glob("*-ondemand.json")):
        for r in json.loads(path.read_text())["regions"].values():
            for e in r.values():
                entries.setdefault(e["Instance Type"], (path.stem, e))
    feed_only = sorted(set(entries) - set(moto))
    ec2 = snap.ec2.set_index("instance_type")
    partial = ec2[ec2["spec_source"] == PARTIAL_SPEC_SOURCE]
    left_out = next(g for g in snap.manifest["coverage_gaps"] if "are left out:" in g)
    listed = set(left_out.split("left out: ", 1)[1].split(", "))
    assert set(partial.index) | listed == set(feed_only)
    assert not set(partial.index) & listed
    assert set(partial.index) <= set(snap.ec2_prices["instance_type"])
    assert not listed & set(snap.ec2_prices["instance_type"])
    for t, row in partial.iterrows():
        stem, e = entries[t]
        assert row["vcpus"] == int(e["vCPU"]), t
        assert row["memory_gib"] == parse_memory_gib(e["Memory"]), t
        assert row["current_generation"] == ("previousgen" not in stem), t
        assert row["bare_metal"] == is_metal(t), t
        assert pd.isna(row["physical_cores"]) and pd.isna(row["ebs_max_iops"]), t


def test_priced_regions_and_verify_flags(snap, shared_data):
    regions = snap.tables["regions"].set_index("region")["priced_ec2"]
    feeds = {
        p.name.removesuffix("-ondemand.json")
        for p in (shared_data / FEEDS).glob("*-ondemand.json")
        if "previousgen" not in p.name
    }
    assert set(regions[regions].index) == feeds
    assert snap.regions == sorted(feeds)
    burst = snap.facts[snap.facts["topic"] == "burstable"]
    assert burst.loc[burst["key"].str.startswith("unlimited_surplus"), "verify"].all()
