"""The live refresh's usage-type mappings, checked against the real data that is stored here.

No real Price List *product record* (GetProducts element or offer-file row) of AWSLambda,
AWSQueueService, AmazonEFS, AmazonCloudFront or AmazonFSx is stored in ../shared/data or
shipped with botocore/boto3 (botocore's pricing examples and the awscli examples are
AmazonEC2 only), so the usage-type patterns themselves cannot be fed a real record; each
pattern says so at its rule in ``catalog/sources/live_rules.py``.  What is stored and real,
and checked here:

* the offer-CSV column lists of every service (Bjorn248/graphql_aws_pricing_api
  SCHEMATA.md @740cc87e, ``pricing_api/bulk_offer_files/``): the attributes the live rules
  read exist in that service's offer file, and the CSV reader maps their real headers;
* the AWS pricing-page feeds (aws-price-watcher @2025-05-24, ``services/.../raw/``), whose
  rate codes are Price List ``SKU.offerTermCode.rateCode``: one SKU per item and region with
  its tiers as price dimensions, the layout :func:`catalog.sources.live_services.unit_rows`
  turns into tier rows;
* the local build's ``unit_prices`` rows (read from those feeds): every item a live rule
  writes has the same id and unit there, so a live row replaces the local one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from catalog.offer_files import csv_attribute_name
from catalog.sources.live_rules import SERVICES
from catalog.store import EMBEDDED_SNAPSHOT_DIR

SCHEMATA = Path("pricing_api/bulk_offer_files/"
                "graphql_aws_pricing_api_SCHEMATA_offer_csv_columns_by_service.md")
RAW_FEEDS = Path("services/aws-price-watcher_20250524/raw")


def _schemata(shared_data: Path) -> dict[str, set[str]]:
    """Service code -> its offer-CSV columns (sanitised names) from SCHEMATA.md."""
    text = (shared_data / SCHEMATA).read_text(encoding="utf-8")
    blocks = re.findall(r"<summary>\s*(\S+)\s*</summary>(.*?)</details>", text, re.S)
    return {code: {line.split("|")[0].strip() for line in body.strip().splitlines()[2:]
                   if "|" in line} for code, body in blocks}


def test_every_live_item_has_the_local_builds_id_and_unit() -> None:
    # The embedded snapshot's unit_prices come from the pricing-page feeds (local build).
    # A live rule whose item or unit differed would add a second row beside the local one
    # instead of replacing it, and the rules would price from the stale one.
    local = pd.read_parquet(EMBEDDED_SNAPSHOT_DIR / "unit_prices.parquet")
    units = local.groupby("item")["unit"].agg(lambda s: sorted(set(s)))
    wrong = {r.item: (r.unit, units.get(r.item))
             for spec in SERVICES.values() for r in spec.rules
             if units.get(r.item) != [r.unit] and r.item not in LOCAL_GAPS}
    assert wrong == {}
    # An item only a live build brings is named in the local snapshot's coverage gaps.
    manifest = json.loads((EMBEDDED_SNAPSHOT_DIR / "manifest.json").read_text())
    gaps = " ".join(manifest["coverage_gaps"])
    assert all(item in gaps and item not in units for item in LOCAL_GAPS)


#: Items a live rule writes that no stored source has (issue 9): Redshift Managed Storage.
LOCAL_GAPS = frozenset({"redshift.managed_storage_gb_month"})


# (service code, attribute the live code reads, SCHEMATA column, the real CSV header).
# The header is the SCHEMATA name with "_" read as " " where the name has underscores: those
# names keep the header's case, as Region_Code / Volume_API_Name do for the EC2 headers
# "Region Code" / "Volume API Name" of the stored real EC2 offer CSV (jtdelia sample).
LIVE_ATTRIBUTES = [
    ("AmazonFSx", "fileSystemType", "File_system_type", "File system type"),
    ("AmazonFSx", "storageType", "Storage_type", "Storage type"),
    ("AmazonFSx", "deploymentOption", "Deployment_option", "Deployment option"),
    ("AmazonCloudFront", "fromLocation", "FromLocation", "From Location"),
    ("AmazonCloudFront", "location", "Location", "Location"),
    ("AWSDataTransfer", "fromRegionCode", "From_Region_Code", "From Region Code"),
    ("AWSDataTransfer", "toRegionCode", "To_Region_Code", "To Region Code"),
    ("AWSDataTransfer", "transferType", "TransferType", "Transfer Type"),
    ("AmazonRDS", "deploymentOption", "Deployment_Option", "Deployment Option"),
    ("AmazonRDS", "databaseEngine", "Database_Engine", "Database Engine"),
    ("AmazonElastiCache", "cacheEngine", "Cache_Engine", "Cache Engine"),
] + [(code, "usagetype", "UsageType", "usageType")
     for code in ("AWSLambda", "AWSQueueService", "AmazonEFS", "AmazonCloudFront", "AmazonFSx")]


@pytest.mark.shared
@pytest.mark.parametrize(("code", "attribute", "column", "header"), LIVE_ATTRIBUTES)
def test_the_attributes_the_live_rules_read_are_in_the_real_offer_file(
    shared_data: Path, code: str, attribute: str, column: str, header: str
) -> None:
    assert column in _schemata(shared_data)[code]
    # Before the fix the FSx headers were looked up as "File System Type"/"Storage Type":
    # an FSx CSV offer file lost both attributes and every storage product was skipped.
    assert csv_attribute_name(header) == attribute


def _feed(shared_data: Path, name: str) -> dict:
    return json.loads((shared_data / RAW_FEEDS / f"{name}.json").read_text(encoding="utf-8"))


def _readable(region: dict) -> dict[str, dict]:
    # Each region holds readable keys and hashed duplicates of the same rates.
    return {k: v for k, v in region.items() if " " in k}


@pytest.mark.shared
def test_sqs_fifo_is_one_sku_per_region_with_three_tier_dimensions(shared_data: Path) -> None:
    # US East (N. Virginia), read by hand from raw/queueservice.json (2025-04-02):
    # "FIFO first-in first-out per Requests"       624ZQ7K46KHFAD9Y.JRTCKXETXF.VXGXCWQKTY 0.50/M
    # "... per Requests Tier2"                     624ZQ7K46KHFAD9Y.JRTCKXETXF.9JVYQWEJJY 0.40/M
    # "... per Requests Tier3"                     624ZQ7K46KHFAD9Y.JRTCKXETXF.27HCEGFCXT 0.35/M
    # One SKU and OnDemand term, three price dimensions: the tiers are dimensions of one
    # product, which unit_rows writes as tier rows of one item (``sqs.fifo.request``).
    use1 = _readable(_feed(shared_data, "queueservice")["regions"]["US East (N. Virginia)"])
    fifo = {k: v for k, v in use1.items() if k.startswith("FIFO")}
    codes = {v["rateCode"].split(".")[0] for v in fifo.values()}
    assert codes == {"624ZQ7K46KHFAD9Y"}
    assert sorted(float(v["price"]) for v in fifo.values()) == [3.5e-7, 4e-7, 5e-7]


@pytest.mark.shared
def test_lambda_ephemeral_storage_is_one_price_for_both_architectures(shared_data: Path) -> None:
    # The feed has two SKUs per region ("Lambda Storage-Duration" and "...-ARM"); the
    # catalog keeps one arch-free item, lambda.ephemeral_storage_gb_second, whose live rule
    # reads the x86 SKU only.  That is right only if both SKUs carry the same price in every
    # region; us-east-1 by hand: CVY5JH8RFRXMP92N and CH6HMM86MH4K8KCS, both 0.0000000309
    # USD per GB-second (= aws.amazon.com/lambda/pricing, facts/lambda_facts.csv).
    regions = _feed(shared_data, "lambda")["regions"]
    pairs = {name: (_readable(r).get("Lambda Storage-Duration"),
                    _readable(r).get("Lambda Storage-Duration-ARM"))
             for name, r in regions.items()}
    both = {n: (x["price"], a["price"]) for n, (x, a) in pairs.items() if x and a}
    assert len(both) >= 20
    assert {n: p for n, p in both.items() if p[0] != p[1]} == {}
    assert both["US East (N. Virginia)"] == ("0.0000000309", "0.0000000309")
