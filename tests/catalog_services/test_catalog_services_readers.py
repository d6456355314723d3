"""The database and service readers on small excerpts of the real files.

The fixtures under ``tests/fixtures/catalog_services/data`` are made by ``make_fixtures.py``
(same formats, values unchanged): us-east-1, eu-west-1 and GovCloud, a few classes.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from services_helpers import one_row

from catalog.schema import validate_table
from catalog.sources import SourceResult
from catalog.sources.databases import read_databases
from catalog.sources.services import read_services

UNIT_KEY = ["item", "region", "tier_start", "to_region"]
DB_KEY = ["service", "engine", "instance_class", "deployment", "region"]


@pytest.fixture(scope="module")
def data(fixtures_dir: Path) -> Path:
    return fixtures_dir / "catalog_services" / "data"


@pytest.fixture(scope="module")
def dbs(data: Path) -> SourceResult:
    return read_databases(data)


@pytest.fixture(scope="module")
def svc(data: Path) -> SourceResult:
    return read_services(data)


def _check_sources(result: SourceResult, data: Path) -> None:
    ids = {s.id for s in result.sources}
    assert len(ids) == len(result.sources)
    for s in result.sources:
        assert (data / s.path).is_file() and re.fullmatch(r"[0-9a-f]{64}", s.sha256 or "")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.data_date) and s.rows is not None
    for df in result.tables.values():
        if "price_source" in df:
            assert set(df["price_source"]) <= ids


def test_database_tables_validate_with_unique_keys(dbs: SourceResult, data: Path) -> None:
    db = validate_table("database", dbs.tables["database"])
    up = validate_table("unit_prices", dbs.tables["unit_prices"])
    assert not db.duplicated(DB_KEY).any() and not up.duplicated(UNIT_KEY).any()
    assert set(db["service"]) == {"rds", "aurora", "redshift", "elasticache", "opensearch"}
    _check_sources(dbs, data)


def test_rds_us_east_1_takes_the_newer_ri_file_on_demand(dbs: SourceResult) -> None:
    db = dbs.tables["database"]
    ue = one_row(db, service="rds", engine="mysql", instance_class="db.t4g.micro",
              deployment="single_az", region="us-east-1")  # fmt: skip
    assert ue["price_as_of"] == "2025-04-04" and "reservedinstance" in ue["price_source"]
    assert ue["reserved_1y_no_upfront_usd_per_hour"] > 0
    assert (ue["vcpus"], ue["memory_gib"]) == (2.0, 1.0)
    eu = one_row(db, service="rds", engine="mysql", instance_class="db.t4g.micro",
              deployment="single_az", region="eu-west-1")  # fmt: skip
    assert eu["price_as_of"] == "2024-09-28" and pd.isna(eu["reserved_1y_no_upfront_usd_per_hour"])
    old = one_row(db, service="rds", engine="mysql", instance_class="db.m1.small",
               deployment="single_az", region="us-east-1")  # fmt: skip
    assert old["current_generation"] is False or not old["current_generation"]


def test_rds_class_only_in_ri_file_gets_a_row_without_guessed_specs(dbs: SourceResult) -> None:
    db = dbs.tables["database"]
    row = one_row(db, service="rds", engine="postgresql", instance_class="db.r6g.large",
               deployment="multi_az", region="us-east-1")  # fmt: skip
    assert row["ondemand_usd_per_hour"] > 0 and math.isnan(row["vcpus"])


def test_aurora_hashed_keys_get_engine_and_mode_from_sets(dbs: SourceResult) -> None:
    au = dbs.tables["database"].query("service == 'aurora'")
    r8 = au[au["instance_class"] == "db.r8g.large"]
    assert set(zip(r8["engine"], r8["deployment"], strict=True)) == {
        ("mysql", "standard"), ("mysql", "io_optimized"),
        ("postgresql", "standard"), ("postgresql", "io_optimized"),
    }  # fmt: skip
    assert r8["vcpus"].isna().all()  # no RDS class to join: unknown, not guessed
    std = one_row(au, engine="mysql", instance_class="db.t4g.medium", deployment="standard",
               region="us-east-1")  # fmt: skip
    io = one_row(au, engine="mysql", instance_class="db.t4g.medium", deployment="io_optimized",
              region="us-east-1")  # fmt: skip
    assert io["ondemand_usd_per_hour"] > std["ondemand_usd_per_hour"] and std["vcpus"] == 2.0


def test_redshift_nodes_ri_and_serverless(dbs: SourceResult) -> None:
    rs = one_row(dbs.tables["database"], instance_class="ra3.xlplus", region="us-east-1")
    assert (rs["service"], rs["engine"], rs["deployment"]) == (
        "redshift",
        "redshift",
        "provisioned",
    )
    assert rs["vcpus"] == 4.0 and rs["memory_gib"] == 32.0 and rs["storage_desc"] == "32TB RMS"
    assert 0 < rs["reserved_1y_no_upfront_usd_per_hour"] < rs["ondemand_usd_per_hour"]
    up = dbs.tables["unit_prices"]
    sl = one_row(up, item="redshift.serverless.rpu_hour", region="us-east-1")
    assert sl["unit"] == "USD per RPU-hour" and sl["price_usd"] > 0


def test_elasticache_and_opensearch_nodes(dbs: SourceResult) -> None:
    db = dbs.tables["database"]
    ec = db.query("service == 'elasticache' and instance_class == 'cache.r7g.large'")
    assert set(ec["engine"]) == {"redis", "valkey", "memcached"}
    assert set(ec["deployment"]) == {"node"}
    os_ = one_row(db, service="opensearch", region="us-east-1")
    assert os_["engine"] == "opensearch" and os_["instance_class"] == "r6g.large.search"


def test_storage_newest_source_wins_and_unmapped_regions_are_reported(dbs: SourceResult) -> None:
    up = dbs.tables["unit_prices"]
    gp3 = one_row(up, item="rds.storage.gp3_gb_month", region="us-east-1")
    assert gp3["price_as_of"] == "2025-05-03" and gp3["price_source"].startswith("pw-rds-storage")
    for item in ("aurora.storage_gb_month", "aurora.io_request",
                 "aurora.io_optimized.storage_gb_month"):  # fmt: skip
        assert one_row(up, item=item, region="eu-west-1")["price_usd"] > 0
    assert "gov" not in " ".join(up["region"])
    assert any("AWS GovCloud (US)" in gap for gap in dbs.coverage_gaps)


def test_service_tables_validate_with_unique_keys(svc: SourceResult, data: Path) -> None:
    up = validate_table("unit_prices", svc.tables["unit_prices"])
    facts = validate_table("facts", svc.tables["facts"])
    assert not up.duplicated(UNIT_KEY).any()
    assert not facts.duplicated(["topic", "key", "scope"]).any()
    assert set(facts["topic"]) == {"lambda", "fargate"}
    _check_sources(svc, data)
    assert not [g for g in svc.coverage_gaps if "not in services/" in g]  # every metric found


def test_lambda_duration_is_tiered_in_gb_seconds(svc: SourceResult) -> None:
    up = svc.tables["unit_prices"]
    tiers = up.query("item == 'lambda.duration.x86_64' and region == 'us-east-1'")
    tiers = tiers.sort_values("tier_start")
    assert tiers["tier_start"].tolist() == [0.0, 6e9, 15e9]
    assert tiers["tier_end"].tolist()[:2] == [6e9, 15e9] and math.isnan(tiers["tier_end"].iloc[2])
    assert tiers["price_usd"].is_monotonic_decreasing
    assert set(tiers["unit"]) == {"USD per GB-second"}


def test_transfer_tiers_destinations_and_edges(svc: SourceResult) -> None:
    up = svc.tables["unit_prices"]
    out = up.query("item == 'datatransfer.internet_out' and region == 'eu-west-1'")
    assert out.sort_values("tier_start")["tier_start"].tolist() == [0.0, 10240.0, 51200.0, 153600.0]
    ir = one_row(up, item="datatransfer.inter_region_out", region="us-east-1")
    assert ir["to_region"] == "eu-west-1"
    cf = up[up["item"].str.startswith("cloudfront.")]
    # Edge geographies, plus the account-wide always-free allowance (region "global").
    assert set(cf["region"]) == {"edge:United States", "edge:EU", "global"}
    https = one_row(up, item="cloudfront.https_request", region="edge:EU")
    assert https["unit"] == "USD per request"


def test_facts_carry_verify_flags_and_fargate_sizes(svc: SourceResult) -> None:
    facts = svc.tables["facts"]
    assert bool(one_row(facts, topic="lambda", key="timeout_max")["verify"]) is True
    assert one_row(facts, topic="lambda", key="memory_per_vcpu_equivalent")["value"] == "1769"
    sizes = one_row(facts, topic="fargate", key="task_size_2vcpu_memory_gb")["value"].split(",")
    assert (sizes[0], sizes[-1], len(sizes)) == ("4", "16", 13)


def test_price_csv_rows_without_value_become_coverage_gaps(svc: SourceResult, data: Path) -> None:
    csv = pd.read_csv(data / "facts/aws_service_prices_us-east-1_2025.csv", dtype=str)
    empty = csv[csv["usd"].isna()]
    assert len(empty) > 0
    for item in empty["item"]:
        assert any(item in gap for gap in svc.coverage_gaps)
