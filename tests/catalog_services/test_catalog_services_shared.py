"""The database and service readers against the real files in ../shared/data.

Checks the figures PROVENANCE lists, that every row validates against its schema with unique
keys, and that the us-east-1 price CSV (extracted from the same feeds) agrees with the feed
rows the reader produced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from services_helpers import one_row

from catalog.normalize import parse_price
from catalog.schema import validate_table
from catalog.sources import SourceResult
from catalog.sources.databases import (
    HOURLY_DIMENSION,
    ONDEMAND_TERM,
    RI_1Y_NO_UPFRONT_TERM,
    rate_code_parts,
    read_databases,
)
from catalog.sources.feeds import PW_DIR, region_mapper
from catalog.sources.rds import RDS_OD_DIR, RDS_RI_DIR, parse_rds_ondemand
from catalog.sources.services import FEED_ITEMS, read_services

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def dbs(shared_data: Path) -> SourceResult:
    return read_databases(shared_data)


@pytest.fixture(scope="module")
def svc(shared_data: Path) -> SourceResult:
    return read_services(shared_data)


@pytest.mark.parametrize(
    ("engine", "cls", "single", "multi"),
    [
        ("mysql", "db.t4g.micro", 0.016, 0.032),
        ("mysql", "db.m5.large", 0.171, 0.342),
        ("mysql", "db.r6g.large", 0.215, 0.43),
        ("postgresql", "db.m5.large", 0.178, 0.356),
    ],
)
def test_rds_raw_feed_parse_matches_provenance_checks(
    shared_data: Path, engine: str, cls: str, single: float, multi: float
) -> None:
    feed = json.loads((shared_data / RDS_OD_DIR / f"rds-{engine}-ondemand.json").read_text())
    meta = {"price_as_of": "2024-09-28", "price_source": "raw"}
    df, _ = parse_rds_ondemand(feed, region_mapper(shared_data), meta)
    for dep, want in (("single_az", single), ("multi_az", multi)):
        row = one_row(df, engine=engine, instance_class=cls, deployment=dep, region="us-east-1")
        assert row["ondemand_usd_per_hour"] == pytest.approx(want)


def test_rds_merged_us_east_1_price_is_the_ri_files_newer_on_demand(
    dbs: SourceResult, shared_data: Path
) -> None:
    db = dbs.tables["database"]
    checked = 0
    for path in sorted((shared_data / RDS_RI_DIR).glob("*.json")):
        feed = json.loads(path.read_text())
        for entry in feed["regions"]["US East (N. Virginia)"].values():
            if entry["Instance Type"] not in {"db.t4g.micro", "db.m5.large", "db.r6g.large"}:
                continue
            engine = entry["Database Engine"].lower()
            dep = "multi_az" if entry["Deployment Option"] == "Multi-AZ" else "single_az"
            row = one_row(db, service="rds", engine=engine, instance_class=entry["Instance Type"],
                         deployment=dep, region="us-east-1")  # fmt: skip
            assert row["ondemand_usd_per_hour"] == parse_price(entry["OnDemand:PricePerUnit"])
            assert row["reserved_1y_no_upfront_usd_per_hour"] == parse_price(entry["price"])
            assert row["price_as_of"] == feed["manifest"]["hawkFilePublicationDate"][:10]
            checked += 1
    assert checked == 12  # 3 classes x 2 engines x 2 deployments


def test_ri_files_use_the_term_codes_the_redshift_parser_relies_on(shared_data: Path) -> None:
    for path in sorted((shared_data / RDS_RI_DIR).glob("*.json")):
        for entry in json.loads(path.read_text())["regions"]["US East (N. Virginia)"].values():
            assert (entry["LeaseContractLength"], entry["PurchaseOption"]) == ("1yr", "No Upfront")
            _, term, dim = rate_code_parts(entry["rateCode"])
            assert (term, dim) == (RI_1Y_NO_UPFRONT_TERM, HOURLY_DIMENSION)
            assert rate_code_parts(entry["OnDemand:RateCode"])[1] == ONDEMAND_TERM


def test_aurora_and_redshift_provenance_checks(dbs: SourceResult) -> None:
    db = dbs.tables["database"]
    for engine in ("mysql", "postgresql"):
        std = one_row(db, service="aurora", engine=engine, instance_class="db.r6g.large",
                     deployment="standard", region="us-east-1")  # fmt: skip
        io = one_row(db, service="aurora", engine=engine, instance_class="db.r6g.large",
                    deployment="io_optimized", region="us-east-1")  # fmt: skip
        assert (std["ondemand_usd_per_hour"], io["ondemand_usd_per_hour"]) == (0.26, 0.338)
        assert (std["vcpus"], std["memory_gib"]) == (2.0, 16.0)  # joined from RDS
    rs = one_row(db, service="redshift", instance_class="ra3.xlplus", region="us-east-1")
    assert (rs["ondemand_usd_per_hour"], rs["vcpus"], rs["memory_gib"]) == (1.086, 4.0, 32.0)
    up = dbs.tables["unit_prices"]
    rpu = one_row(up, item="redshift.serverless.rpu_hour", region="us-east-1")
    assert rpu["price_usd"] == 0.375


def test_database_tables_validate_with_unique_keys(dbs: SourceResult) -> None:
    db = validate_table("database", dbs.tables["database"])
    up = validate_table("unit_prices", dbs.tables["unit_prices"])
    assert not db.duplicated(["service", "engine", "instance_class", "deployment", "region"]).any()
    assert not up.duplicated(["item", "region", "tier_start", "to_region"]).any()
    counts = db.groupby("service").size()
    assert counts["rds"] > 10000 and counts["aurora"] > 5000 and counts["redshift"] > 100
    assert db.query("service == 'rds'")["region"].nunique() >= 30


def test_service_tables_validate_and_every_metric_is_found(svc: SourceResult) -> None:
    up = validate_table("unit_prices", svc.tables["unit_prices"])
    validate_table("facts", svc.tables["facts"])
    assert not up.duplicated(["item", "region", "tier_start", "to_region"]).any()
    assert not [g for g in svc.coverage_gaps if "not in services/" in g]
    assert set(up["item"]) >= {spec.item for spec in FEED_ITEMS}
    assert up.query("item == 'lambda.request'")["region"].nunique() >= 30


def test_us_east_1_price_csv_agrees_with_the_feed_rows(
    svc: SourceResult, shared_data: Path
) -> None:
    """Every CSV row read from a processed feed key this reader maps equals the reader's price."""
    csv = pd.read_csv(shared_data / "facts/aws_service_prices_us-east-1_2025.csv", dtype=str)
    up = svc.tables["unit_prices"].query("region == 'us-east-1'")
    checked = set()
    for r in csv.itertuples(index=False):
        if r.region != "us-east-1" or not isinstance(r.source_file, str):
            continue
        for spec in FEED_ITEMS:
            path = f"processed/{spec.file}.json"
            if r.source_file.endswith(path) and r.source_key in spec.metrics:
                tier = spec.metrics.index(r.source_key)
                rows = up[up["item"] == spec.item].sort_values("tier_start")
                assert rows["price_usd"].iloc[tier] == parse_price(r.usd), spec.item
                checked.add(spec.service)
    assert {"lambda", "dynamodb", "fargate", "s3", "efs", "sqs", "kinesis"} <= checked


def test_cloudfront_first_tier_matches_the_price_csv(svc: SourceResult, shared_data: Path) -> None:
    up = svc.tables["unit_prices"]
    us = up.query("item == 'cloudfront.data_out' and region == 'edge:United States'")
    first = us.sort_values("tier_start").iloc[0]
    csv = pd.read_csv(shared_data / "facts/aws_service_prices_us-east-1_2025.csv", dtype=str)
    page = csv[(csv["service"] == "CloudFront") & csv["item"].str.contains("first 10 TB")]
    assert len(page) == 1
    assert (first["tier_start"], first["tier_end"]) == (0.0, 10240.0)
    assert first["price_usd"] == parse_price(page["usd"].iloc[0])
    assert (PW_DIR / "raw" / "cloudfront.json").as_posix() in {s.path for s in svc.sources}
