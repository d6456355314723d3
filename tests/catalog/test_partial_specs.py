"""Priced types without a DescribeInstanceTypes record: partial specs from the price feeds.

The fixture holds four such types (see ``tests/fixtures/catalog/make_fixtures.py``): three
whose architecture some per-type source gives (an API sample, a benchmark CPU vendor, an offer
file's processor) and p3.2xlarge, which no source covers.  Expected values are read from the
fixture files, so a reader that drops, shifts or invents a figure fails.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from catalog.normalize import gb_to_gib, is_metal, parse_memory_gib, parse_network_gbps
from catalog.regions import name_to_code_map, read_region_records, region_code
from catalog.schema import validate_table
from catalog.sources.ec2 import BENCHMARKS, BURSTABLE, FEEDS, KARPENTER, MOTO_TYPES, read_ec2
from catalog.sources.ec2_partial import (
    DESCRIBE_SAMPLES,
    OFFER_SAMPLE,
    PARTIAL_SPEC_SOURCE,
    consensus,
    feed_specs,
    parse_storage,
    pick_arch,
)


@pytest.fixture(scope="module")
def result(catalog_data: Path):
    return read_ec2(catalog_data)


@pytest.fixture(scope="module")
def moto(catalog_data: Path) -> dict:
    return json.loads(gzip.decompress((catalog_data / MOTO_TYPES).read_bytes()))


@pytest.fixture(scope="module")
def feed_entries(catalog_data: Path) -> dict[str, tuple[str, dict]]:
    """type -> (feed file stem, first entry) over the on-demand feeds, current first."""
    out: dict[str, tuple[str, dict]] = {}
    for path in sorted((catalog_data / FEEDS).glob("*-ondemand.json")):
        feed = json.loads(path.read_text())
        for entries in feed["regions"].values():
            for e in entries.values():
                out.setdefault(e["Instance Type"], (path.stem, e))
    return out


@pytest.fixture(scope="module")
def feed_only(moto, feed_entries) -> list[str]:
    types = sorted(set(feed_entries) - set(moto))
    assert len(types) >= 4  # the fixture keeps four; fewer means the fixture lost some
    return types


def _partial(result) -> pd.DataFrame:
    ec2 = result.tables["ec2"]
    return ec2[ec2["spec_source"] == PARTIAL_SPEC_SOURCE].set_index("instance_type")


def test_every_feed_only_type_is_partial_or_reported(result, feed_only):
    partial = _partial(result)
    gaps = " ".join(result.coverage_gaps)
    priced = set(result.tables["ec2_prices"]["instance_type"])
    for t in feed_only:
        if t in partial.index:
            assert t in priced
        else:
            assert t not in priced
            assert "left out" in gaps and t in gaps
    assert len(partial) >= 3
    validate_table("ec2", result.tables["ec2"])
    validate_table("ec2_prices", result.tables["ec2_prices"])


def test_partial_rows_carry_the_feed_specs_and_nothing_else(result, feed_entries, catalog_data):
    partial = _partial(result)
    prices = result.tables["ec2_prices"]
    with (catalog_data / BURSTABLE).open() as f:
        burst = {r["instance_type"] for r in csv.DictReader(f)}
    for t, row in partial.iterrows():
        stem, e = feed_entries[t]
        assert row["vcpus"] == int(e["vCPU"])
        assert row["memory_gib"] == parse_memory_gib(e["Memory"])
        assert row["network_performance"] == e["Network Performance"]
        peak = parse_network_gbps(e["Network Performance"])
        assert row["network_peak_gbps"] == peak or (
            peak is None and pd.isna(row["network_peak_gbps"])
        )
        assert row["current_generation"] == ("previousgen" not in stem)
        assert row["bare_metal"] == is_metal(t)
        assert row["burstable"] == (t in burst)
        storage = parse_storage(e["Storage"])
        if storage["instance_storage_gib"] is None:
            assert pd.isna(row["instance_storage_gib"])
        else:
            assert row["instance_storage_gib"] == pytest.approx(storage["instance_storage_gib"])
        # What no feed says stays unknown (or the flagged "absent" value where non-null).
        for col in ("physical_cores", "threads_per_core", "clock_ghz", "gpu_memory_gib",
                    "network_baseline_gbps", "ebs_max_bandwidth_mbps", "ebs_baseline_iops",
                    "ebs_max_iops", "ebs_max_throughput_mbps"):  # fmt: skip
            assert pd.isna(row[col]), (t, col)
        for col in ("ena_support", "hypervisor", "gpu_model"):
            assert row[col] is None or pd.isna(row[col]), (t, col)
        assert not row["efa_supported"] and not row["ena_express_supported"]
        assert pd.isna(row["gpus"]) and pd.isna(row["accelerators"])  # unknown, not zero
        assert row["placement_group_strategies"] == ""
        priced = prices.loc[prices["instance_type"] == t, "region"]
        assert set(row["regions"].split(",")) == set(priced), t  # offered = priced here
    gap = next(g for g in result.coverage_gaps if PARTIAL_SPEC_SOURCE in g)
    assert all(t in gap for t in partial.index)


def test_partial_prices_equal_the_sources(result, catalog_data):
    prices = result.tables["ec2_prices"].set_index(["instance_type", "region"])
    partial = set(_partial(result).index)
    with (catalog_data / KARPENTER).open() as f:
        karp = {r["instance_type"]: float(r["ondemand_usd_per_hour"]) for r in csv.DictReader(f)}
    names = name_to_code_map(read_region_records(catalog_data))
    n = 0
    for path in sorted((catalog_data / FEEDS).glob("*-ondemand.json")):
        feed = json.loads(path.read_text())
        for name, entries in feed["regions"].items():
            region = region_code(name, names)
            for e in entries.values():
                t = e["Instance Type"]
                if t not in partial:
                    continue
                # Karpenter (newer) wins in us-east-1, except metal (Dedicated there).
                newer = region == "us-east-1" and t in karp and not is_metal(t)
                expected = karp[t] if newer else float(e["price"])
                assert prices.loc[(t, region), "ondemand_usd_per_hour"] == expected, (t, region)
                n += 1
    assert n >= len(partial)


def test_arch_comes_from_per_type_evidence(result, moto, catalog_data):
    partial = _partial(result)
    # 1. An API sample's DescribeInstanceTypes record.
    described = {
        i["InstanceType"]: pick_arch(i["ProcessorInfo"]["SupportedArchitectures"])
        for path in (catalog_data / DESCRIBE_SAMPLES).glob("DescribeInstanceTypes_*.json")
        for i in json.loads(path.read_text())["InstanceTypes"]
    }
    # 2./3. A vendor or processor label, mapped through the moto types that carry it.
    moto_arch = {
        t: pick_arch(i["ProcessorInfo"]["SupportedArchitectures"]) for t, i in moto.items()
    }
    bench = json.loads((catalog_data / BENCHMARKS).read_text())
    vendor = {t: (b.get("cpu") or {}).get("vendor") for t, b in bench.items()}
    offer = json.loads((catalog_data / OFFER_SAMPLE).read_text())["products"].values()
    processor = {
        p["attributes"]["instanceType"]: p["attributes"]["physicalProcessor"]
        for p in offer
        if "physicalProcessor" in p.get("attributes", {})
    }
    routes = {"sample": 0, "vendor": 0, "processor": 0}
    for t, row in partial.iterrows():
        if t in described:
            assert row["arch"] == described[t]
            routes["sample"] += 1
            continue
        label, how = (vendor[t], "vendor") if vendor.get(t) else (processor[t], "processor")
        labels = vendor if how == "vendor" else processor
        refs = {moto_arch[o] for o, lab in labels.items() if lab == label and o in moto}
        assert refs == {row["arch"]}, t
        routes[how] += 1
    assert all(routes.values()), routes  # the fixture exercises every route


def test_type_without_evidence_is_left_out(catalog_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(catalog_data, data)
    bench = json.loads((data / BENCHMARKS).read_text())
    dropped = [t for t, b in bench.items() if (b.get("cpu") or {}).get("vendor")]
    moto = json.loads(gzip.decompress((data / MOTO_TYPES).read_bytes()))
    victim = next(t for t in dropped if t not in moto)  # a feed-only type known by its vendor
    del bench[victim]
    (data / BENCHMARKS).write_text(json.dumps(bench))
    res = read_ec2(data)
    assert victim not in set(res.tables["ec2"]["instance_type"])
    assert victim not in set(res.tables["ec2_prices"]["instance_type"])
    assert any("left out" in g and victim in g for g in res.coverage_gaps)


def test_storage_parse_agrees_with_describe_instance_types(moto, feed_entries):
    checked = 0
    for t, (_, e) in feed_entries.items():
        if t not in moto:
            continue
        info = moto[t].get("InstanceStorageInfo")
        parsed = parse_storage(e["Storage"])
        if not info:
            assert parsed["instance_storage_gib"] is None, t
            continue
        disks = info["Disks"]
        # The feeds state marketed sizes ("475" where the API has 474 GB, "2000" for 2048).
        assert parsed["instance_storage_gib"] == pytest.approx(
            gb_to_gib(info["TotalSizeInGB"]), rel=0.03
        )
        if parsed["instance_storage_disks"] is not None:
            assert parsed["instance_storage_disks"] == sum(d["Count"] for d in disks)
        assert parsed["instance_storage_type"] in (None, disks[0]["Type"])
        if parsed["instance_storage_nvme"]:
            assert info["NvmeSupport"] != "unsupported"
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize(
    ("text", "disks", "kind", "nvme"),
    [
        ("EBS only", None, None, None),
        ("2 x 120 SSD", 2, None, None),  # bare "SSD" is HDD on some old rows: unknown
        ("1 x 1250 NVMe SSD", 1, "ssd", True),
        ("300 GB NVMe SSD", None, "ssd", True),  # no "N x": the disk count is unknown
        ("3 x 3750GB", 3, None, None),
        ("12 x 14000 HDD", 12, "hdd", None),
    ],
)
def test_parse_storage_forms(text, disks, kind, nvme):
    got = parse_storage(text)
    assert (got["instance_storage_disks"], got["instance_storage_type"]) == (disks, kind)
    assert got["instance_storage_nvme"] is nvme
    assert (got["instance_storage_gib"] is None) == (text == "EBS only")


def test_feed_specs_generation_from_file_name(feed_entries, catalog_data):
    feeds = {
        p.stem: json.loads(p.read_text()) for p in (catalog_data / FEEDS).glob("*-ondemand.json")
    }
    specs = feed_specs(feeds).set_index("instance_type")
    current = {
        e["Instance Type"]
        for stem, f in feeds.items()
        if "previousgen" not in stem
        for r in f["regions"].values()
        for e in r.values()
    }
    assert set(specs.index) == set(feed_entries)
    assert set(specs.index[specs["current_generation"]]) == current
    assert (~specs["current_generation"]).any()  # the fixture has previous-generation types


def test_consensus_needs_agreement():
    known = {"a": "x86_64", "b": "x86_64", "c": "arm64"}
    assert consensus({"a": "V1", "b": "V1", "z": "V1"}, known) == {"V1": "x86_64"}
    assert consensus({"a": "V1", "c": "V1"}, known) == {}  # two arches: no mapping
    assert consensus({"z": "V2"}, known) == {}  # no reference type
