"""Table tests of the pure parsing helpers of the database and service readers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from catalog.sources.databases import newest_wins, rate_code_parts
from catalog.sources.feeds import (
    database_frame,
    generation,
    parse_range,
    parse_region_key,
    set_descriptors,
    tier_bounds,
)
from catalog.sources.rds import (
    aurora_deployment,
    merge_rds_reserved,
    rds_deployment,
    rds_engine,
    rds_storage_item,
)
from catalog.sources.services import (
    FEED_ITEMS,
    cloudfront_egress_rows,
    expand_memory_options,
    facts_rows,
    parse_item_table,
)

NAN = math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize(
    ("key", "region", "attrs"),
    [
        ("US East (N. Virginia)", "US East (N. Virginia)", {}),
        ("EU (Ireland) (StartingRange: 0, EndingRange: 10240)", "EU (Ireland)",
         {"StartingRange": "0", "EndingRange": "10240"}),
        ("US East (N. Virginia) (To Location: EU (Ireland))", "US East (N. Virginia)",
         {"To Location": "EU (Ireland)"}),
        ("US East (N. Virginia) (Memory: 244 GiB, vCPU: 32, Storage: 2.56TB SSD)",
         "US East (N. Virginia)", {"Memory": "244 GiB", "vCPU": "32", "Storage": "2.56TB SSD"}),
        ("United States", "United States", {}),
    ],
)  # fmt: skip
def test_parse_region_key(key: str, region: str, attrs: dict[str, str]) -> None:
    assert parse_region_key(key) == (region, attrs)


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"StartingRange": "0", "EndingRange": "10240"}, (0.0, 10240.0)),
        ({"StartingRange": "153600", "EndingRange": "Inf"}, (153600.0, NAN)),
        ({}, (0.0, NAN)),
    ],
)
def test_parse_range(attrs: dict[str, str], expected: tuple[float, float]) -> None:
    got = parse_range(attrs)
    assert all(_same(g, e) for g, e in zip(got, expected, strict=True))


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Standard Storage First 50 TB per GB Mo", "Standard Storage Next 450 TB per GB Mo",
          "Standard Storage Over 500 TB per GB Mo"],
         [(0.0, 51200.0), (51200.0, 512000.0), (512000.0, NAN)]),
        (["First 6 billion GB-seconds / month", "Next 9 billion GB-seconds / month",
          "Over 15 billion GB-seconds / month"], [(0.0, 6e9), (6e9, 15e9), (15e9, NAN)]),
        (["First 7.5 billion GB-seconds", "Next 11.25 billion GB-seconds"],
         [(0.0, 7.5e9), (7.5e9, 18.75e9)]),
    ],
)  # fmt: skip
def test_tier_bounds(labels: list[str], expected: list[tuple[float, float]]) -> None:
    got = tier_bounds(labels)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert all(_same(a, b) for a, b in zip(g, e, strict=True))


def test_tier_bounds_rejects_a_label_without_a_tier() -> None:
    with pytest.raises(ValueError, match="tier label"):
        tier_bounds(["Standard per Requests Tier2"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Database Instance MySQL No license required db m5.large General purpose Single-AZ "
         "Current Generation", "single_az"),
        ("... db c6gd.large Compute optimized Multi-AZ readable standbys Current Generation",
         "multi_az_readable_standbys"),
        ("... db m5.large General purpose Multi-AZ Current Generation", "multi_az"),
        ("Multi-AZ", "multi_az"),
        ("Single-AZ", "single_az"),
        ("Database Storage Single AZ General Purpose", "single_az"),
        ("Storage Snapshot", None),
    ],
)  # fmt: skip
def test_rds_deployment(text: str, expected: str | None) -> None:
    assert rds_deployment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Database Instance Aurora PostgreSQL No license required db r6g.large", "postgresql"),
        ("Database Instance Aurora MySQL No license required db r6g.large", "mysql"),
        ("MySQL", "mysql"),
        ("PostgreSQL", "postgresql"),
        ("Database Instance MariaDB No license required", None),
    ],
)
def test_rds_engine(text: str, expected: str | None) -> None:
    assert rds_engine(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Database Instance Aurora MySQL No license required Aurora IO Optimization Mode db "
         "r6g.large Memory optimized Single-AZ Current Generation", "io_optimized"),
        ("Database Instance Aurora MySQL No license required db r6g.large Memory optimized "
         "Single-AZ Current Generation", "standard"),
    ],
)  # fmt: skip
def test_aurora_deployment(text: str, expected: str) -> None:
    assert aurora_deployment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("... Current Generation", True), ("... Previous Generation", False), ("db.r6g.large", None)],
)
def test_generation(text: str, expected: bool | None) -> None:
    assert generation(text) is expected


_UNIT_BY_SUFFIX = {
    "gb_month": "USD per GB-month",
    "iops_month": "USD per IOPS-month",
    "mbps_month": "USD per MBps-month",
}


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("Database Storage Single AZ General Purpose-GP3", "rds.storage.gp3_gb_month"),
        ("Database Storage Single AZ General Purpose", "rds.storage.gp2_gb_month"),
        ("Database Storage Multi AZ Provisioned IOPS", "rds.storage.multi_az.io1_gb_month"),
        ("Database Storage Multi AZ readable standbys Provisioned IOPS-IO2",
         "rds.storage.multi_az_readable_standbys.io2_gb_month"),
        ("Provisioned IOPS Single AZ", "rds.storage.io1_iops_month"),
        ("Provisioned GP3 IOPS Multi AZ", "rds.storage.multi_az.gp3_iops_month"),
        ("Provisioned Throughput Single AZ", "rds.storage.gp3_throughput_mbps_month"),
        ("Database Storage Multi AZ SQL Server Mirror General Purpose", None),
        ("Provisioned IOPS Multi AZ SQL Server Mirror", None),
        ("Database Storage Single AZ General Purpose-Aurora", None),
        ("System Operation Magnetic", None),
    ],
)  # fmt: skip
def test_rds_storage_item(name: str, item: str | None) -> None:
    got = rds_storage_item(name)
    if item is None:
        assert got is None
        return
    assert got is not None and got[0] == item
    suffix = next(s for s in _UNIT_BY_SUFFIX if item.endswith(s))
    assert got[1] == _UNIT_BY_SUFFIX[suffix]


def test_rate_code_parts() -> None:
    assert rate_code_parts("YVF6CSKM7D9MR6YP.4NA7Y494T4.6YS6EN2CT7") == (
        "YVF6CSKM7D9MR6YP", "4NA7Y494T4", "6YS6EN2CT7",
    )  # fmt: skip
    assert rate_code_parts("") == ("", "", "")


def test_set_descriptors_maps_hashed_keys_to_their_set() -> None:
    feed = {"sets": {"Aurora MySQL IO Optimization Mode": ["abc V1", "def V1"], "Other": ["x"]}}
    got = set_descriptors(feed)
    assert got == {"abc V1": "Aurora MySQL IO Optimization Mode",
                   "def V1": "Aurora MySQL IO Optimization Mode", "x": "Other"}  # fmt: skip
    assert set_descriptors({}) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5,1,2", [0.5, 1.0, 2.0]),
        ("2-8 (1 GB steps)", [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
        ("16-60 (4 GB steps)", [16.0 + 4 * i for i in range(12)]),
    ],
)
def test_expand_memory_options(text: str, expected: list[float]) -> None:
    assert expand_memory_options(text) == expected


def test_expand_memory_options_rejects_prose() -> None:
    with pytest.raises(ValueError, match="memory options"):
        expand_memory_options("between 2 and 8")


def test_item_table_rows_are_well_formed() -> None:
    items = [spec.item for spec in FEED_ITEMS]
    assert len(items) == len(set(items))
    for spec in FEED_ITEMS:
        assert spec.tiers in {"none", "key", "metric", "lambda", "edge"}
        assert spec.unit.startswith("USD per ")
        assert all(spec.metrics)
    got = parse_item_table("a.b | f | USD per GB | metric | First 1 TB x; Over 1 TB x | n\n")
    assert got[0].metrics == ("First 1 TB x", "Over 1 TB x") and got[0].service == "a"


def test_cloudfront_egress_rows_chain_tiers_per_geography() -> None:
    feed = {"regions": {"": {
        "Regional DT from EU to Internet Next 40 TB": {"price": "0.08", "Per Month": "51200"},
        "Regional DT from EU to Internet First 10 TB": {"price": "0.085", "Per Month": "10240"},
        "Regional DT from EU to Internet Over 5 PB": {"price": "0.02", "Per Month": "Inf"},
        "Regional DT from Any to Internet 0 upto 1024": {"price": "0", "Per Month": "1024"},
        "Regional DT to Origin from EU": {"price": "0.02", "Per Month": "Inf"},
    }}}  # fmt: skip
    rows = cloudfront_egress_rows(feed, {"price_as_of": "2025-04-25", "price_source": "x"})
    free = [r for r in rows if r["region"] == "global"]
    rows = [r for r in rows if r["region"] != "global"]
    # The always-free 1 TB ("from Any ... 0 upto 1024" at $0) is one account-wide row.
    assert [(f["item"], f["price_usd"], f["tier_end"]) for f in free] == [
        ("cloudfront.data_out.free_tier", 0.0, 1024.0)]
    assert [r["region"] for r in rows] == ["edge:EU"] * 3
    assert [(r["tier_start"], r["price_usd"]) for r in rows] == [
        (0.0, 0.085), (10240.0, 0.08), (51200.0, 0.02),
    ]  # fmt: skip
    assert math.isnan(rows[-1]["tier_end"]) and rows[0]["tier_end"] == 10240.0


def test_facts_rows_flag_verify_and_spell_out_fargate_sizes() -> None:
    lam = pd.DataFrame([
        {"fact": "timeout_max", "value": "900", "unit": "s", "architecture": "any",
         "region": "any", "source_url": "u", "notes": "Long-standing limit - verify"},
        {"fact": "memory_min", "value": "128", "unit": "MB", "architecture": "any",
         "region": "any", "source_url": "u", "notes": None},
    ])  # fmt: skip
    far = pd.DataFrame([
        {"fact": "task_size_1vcpu_memory_gb", "value": "2-4 (1 GB steps)", "unit": "GB",
         "platform": "linux", "region": "any", "source_url": "u", "notes": None},
    ])  # fmt: skip
    out = facts_rows(lam, far).set_index("key")
    assert bool(out.loc["timeout_max", "verify"]) is True
    assert bool(out.loc["memory_min", "verify"]) is False
    assert out.loc["task_size_1vcpu_memory_gb", "value"] == "2,3,4"
    assert out.loc["task_size_1vcpu_memory_gb", "scope"] == "linux/any"


def _db(cls: str, dep: str, price: float, date: str, source: str) -> dict:
    return {"service": "rds", "engine": "mysql", "instance_class": cls, "deployment": dep,
            "region": "us-east-1", "vcpus": 2.0, "memory_gib": 8.0,
            "ondemand_usd_per_hour": price, "price_as_of": date, "price_source": source,
            "verify": False}  # fmt: skip


def test_merge_rds_reserved_newest_on_demand_wins_and_adds_missing_classes() -> None:
    od = database_frame([
        _db("db.m5.large", "single_az", 0.171, "2024-09-28", "od"),
        _db("db.m5.large", "multi_az", 0.342, "2024-09-28", "od"),
    ])  # fmt: skip
    ri = pd.DataFrame([
        {"engine": "mysql", "instance_class": "db.m5.large", "deployment": "single_az",
         "region": "us-east-1", "reserved": 0.11, "ondemand": 0.18},
        {"engine": "mysql", "instance_class": "db.new.large", "deployment": "single_az",
         "region": "us-east-1", "reserved": 0.2, "ondemand": 0.3},
    ])  # fmt: skip
    specs = pd.DataFrame({"instance_class": ["db.m5.large"], "vcpus": [2.0], "memory_gib": [8.0]})
    out = merge_rds_reserved(od, ri, {"price_as_of": "2025-04-04", "price_source": "ri"}, specs)
    row = out.set_index(["instance_class", "deployment"])
    single = row.loc[("db.m5.large", "single_az")]
    assert (single["ondemand_usd_per_hour"], single["reserved_1y_no_upfront_usd_per_hour"]) == (
        0.18, 0.11,
    )  # fmt: skip
    assert (single["price_as_of"], single["price_source"]) == ("2025-04-04", "ri")
    multi = row.loc[("db.m5.large", "multi_az")]
    assert multi["ondemand_usd_per_hour"] == 0.342 and multi["price_source"] == "od"
    new = row.loc[("db.new.large", "single_az")]
    assert new["ondemand_usd_per_hour"] == 0.3 and math.isnan(new["vcpus"])
    # An older RI file must not replace a newer On-Demand price.
    old = merge_rds_reserved(od, ri, {"price_as_of": "2020-01-01", "price_source": "old"}, specs)
    kept = old.set_index(["instance_class", "deployment"]).loc[("db.m5.large", "single_az")]
    assert (
        kept["ondemand_usd_per_hour"] == 0.171
        and kept["reserved_1y_no_upfront_usd_per_hour"] == 0.11
    )


def test_newest_wins_keeps_the_latest_row_per_key() -> None:
    df = pd.DataFrame({"item": ["a", "a", "b"], "region": ["r", "r", "r"],
                       "price_as_of": ["2024-09-28", "2025-05-03", "2024-09-28"],
                       "price_usd": [1.0, 2.0, 3.0]})  # fmt: skip
    out = newest_wins(df, ["item", "region"])
    assert out.set_index("item")["price_usd"].to_dict() == {"a": 2.0, "b": 3.0}
