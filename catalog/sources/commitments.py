"""Reserved Instance and Savings Plans rates from the local source files (``ec2_commitments``).

What ``../shared/data`` holds (PROVENANCE.md), each read through the same parsers as the live
build (:mod:`catalog.commitments`, :mod:`catalog.pricing`, :mod:`catalog.offer_files`):

* ec2.shop us-east-1 reserved-instance feeds (2025-04-04): Standard, No Upfront, 1 and 3 yr.
* The GetProducts item of m5.large us-east-1 (2021-02-05): all 12 RI offers.
* The global EC2 offer CSV sample (2025-09-12) and the us-west-2 offer JSON sample (2018-05-04):
  the Reserved terms of their Linux shared instance SKUs.
* The ap-east-2 Savings Plans offer CSV sample (2025-09-11): EC2 Instance Savings Plans rates.
* ec2instances.info's x2iedn.32xlarge record: RI rates in ~23 commercial regions (verify: the
  file is a UI mock of that project and its prices were not re-checked).

Where several sources price one key, the newest ``price_as_of`` wins (``catalog.merge``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog.commitments import (
    commitments_frame,
    ec2instances_reserved_rows,
    reserved_rows,
    savings_plan_csv_row,
)
from catalog.normalize import parse_price, to_iso_date
from catalog.offer_files import OfferStats, iter_offer_file, read_csv_preamble
from catalog.pricing import PriceItem, parse_price_list_item
from catalog.regions import name_to_code_map, read_region_records, region_code
from catalog.sources import SourceRecord, SourceResult, file_record

FEEDS = Path("ec2/ec2shop_pricing_feeds_20250404")
GET_PRODUCTS_ITEM = Path("pricing_api/get_products/ec2_m5.large_us-east-1_pricelist_item.json")
OFFER_CSV = Path("pricing_api/bulk_offer_files/jtdelia_3-global-pricing-file-sample.csv")
OFFER_JSON = Path(
    "pricing_api/bulk_offer_files/spinnaker_AmazonEC2_us-west-2_offer_trimmed_20180504.json"
)
SP_CSV = Path("pricing_api/bulk_offer_files/jtdelia_5-ap-east-2-savingsplan-pricing.csv")
EC2INSTANCES = Path("ec2/ec2instances.info_single_instance_x2iedn.32xlarge.json")
EC2INSTANCES_DATE = "2026-07-20"  # commit date of the file (PROVENANCE)

#: The Standard RI feeds of ec2.shop (Standard offering class per PROVENANCE).
EC2SHOP_ORIGIN = "yeo/ec2.shop@74c9fd8a (aws.amazon.com pricing-page feed)"


def _item_region(item: PriceItem, names: Mapping[str, str]) -> str | None:
    code = item.attributes.get("regionCode")
    loc = item.attributes.get("location")
    return code or (region_code(loc, names) if loc else None)


def item_rows(item: PriceItem, names: Mapping[str, str], source: str) -> list[dict[str, Any]]:
    """The commitment rows of one parsed product (its Reserved terms)."""
    region = _item_region(item, names)
    itype = item.attributes.get("instanceType")
    if region is None or not itype or not item.reserved_offers:
        return []
    as_of = to_iso_date(item.publication_date) if item.publication_date else "unknown"
    return reserved_rows(
        item.reserved_offers, instance_type=itype, region=region, as_of=as_of, source=source
    )


def ec2shop_rows(feed: Mapping[str, Any], names: Mapping[str, str], source: str) -> list[dict]:
    """Standard RI rows of one ec2.shop reserved-instance feed (Linux, shared tenancy)."""
    rows = []
    lease_years = {"1yr": 1, "3yr": 3}
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        for e in entries.values():
            if (e.get("Tenancy"), e.get("Operating System"), e.get("Pre Installed S/W")) != (
                "Shared",
                "Linux",
                "NA",
            ) or e.get("PurchaseOption") != "No Upfront":
                continue
            rate = parse_price(e["price"])
            rows.append(
                {
                    "instance_type": e["Instance Type"],
                    "region": code,
                    "offering": "reserved_standard",
                    "term_years": lease_years[e["LeaseContractLength"]],
                    "payment": "no_upfront",
                    "effective_usd_per_hour": rate,
                    "upfront_usd": 0.0,  # No Upfront: no upfront fee by definition
                    "recurring_usd_per_hour": rate,
                    "price_as_of": "2025-04-04",
                    "price_source": source,
                    "verify": False,
                }
            )
    return rows


def savings_plan_rows(path: Path, source: str) -> tuple[list[dict], str, int]:
    """Linux shared rows of a Savings Plans offer CSV, its publication date, rows read."""
    rows: list[dict] = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        as_of = to_iso_date(read_csv_preamble(reader)["Publication Date"])
        header = next(reader)
        n = 0
        for values in reader:
            n += 1
            row = savings_plan_csv_row(dict(zip(header, values, strict=False)), as_of=as_of,
                                       source=source)  # fmt: skip
            if row is not None:
                rows.append(row)
    return rows, as_of, n


def _offer_file_rows(
    data_dir: Path, rel: Path, names: Mapping[str, str]
) -> tuple[list[dict], SourceRecord]:
    stats = OfferStats()
    source = f"aws-offer-file:{rel.name}"
    rows = [r for item in iter_offer_file(data_dir / rel, stats=stats)
            for r in item_rows(item, names, source)]  # fmt: skip
    record = file_record(
        data_dir, rel, source, "AWS Price List Bulk API offer file (public sample)",
        to_iso_date(stats.publication_date) if stats.publication_date else "unknown",
        license="see PROVENANCE.md", rows=len(rows),
        notes="Reserved terms of the Linux shared instance SKUs",
    )  # fmt: skip
    return rows, record


Rows = list[dict[str, Any]]


def _ec2shop(data_dir: Path, names: Mapping[str, str]) -> tuple[Rows, list[SourceRecord]]:
    rows: Rows = []
    records = []
    for term in ("1y", "3y"):
        rel = FEEDS / f"us-east-1-reservedinstance-{term}.json"
        sid = f"ec2shop:us-east-1-reservedinstance-{term}"
        got = ec2shop_rows(json.loads((data_dir / rel).read_text()), names, sid)
        rows += got
        records.append(
            file_record(data_dir, rel, sid, EC2SHOP_ORIGIN, "2025-04-04",
                        license="MIT; prices: AWS Price List", rows=len(got))
        )  # fmt: skip
    return rows, records


def _get_products_sample(data_dir: Path, names: Mapping[str, str]) -> tuple[Rows, SourceRecord]:
    item = parse_price_list_item(json.loads((data_dir / GET_PRODUCTS_ITEM).read_text()))
    sid = "aws-pricing-api:sample-m5.large"
    rows = item_rows(item, names, sid)
    record = file_record(
        data_dir, GET_PRODUCTS_ITEM, sid,
        "aws/amazon-ec2-instance-selector test/static/GetProducts/m5_large.json",
        to_iso_date(item.publication_date or "unknown"), license="Apache-2.0", rows=len(rows),
    )  # fmt: skip
    return rows, record


def _savings_plans_sample(data_dir: Path) -> tuple[Rows, SourceRecord]:
    sid = "aws-savings-plan-offer-file:ap-east-2-sample"
    rows, as_of, n = savings_plan_rows(data_dir / SP_CSV, sid)
    record = file_record(
        data_dir, SP_CSV, sid, "jtdelia/ec2-priceit examples (AWS Savings Plans offer file)",
        as_of, license="MIT", rows=len(rows),
        notes=f"{n} rate rows read; Linux shared BoxUsage kept",
    )  # fmt: skip
    return rows, record


def _ec2instances(data_dir: Path) -> tuple[Rows, SourceRecord]:
    record = json.loads((data_dir / EC2INSTANCES).read_text())
    commercial = {r: p for r, p in record["pricing"].items() if "-gov-" not in r}
    sid = "ec2instances.info:x2iedn"
    rows = ec2instances_reserved_rows(
        commercial, instance_type=record["instance_type"], as_of=EC2INSTANCES_DATE, source=sid
    )
    for r in rows:
        r["verify"] = True  # a UI mock of ec2instances.info: prices not re-checked
    src = file_record(data_dir, EC2INSTANCES, sid, "vantage-sh/ec2instances.info@8e64e6ea",
                      EC2INSTANCES_DATE, license="MIT", rows=len(rows))  # fmt: skip
    return rows, src


def read_commitments(data_dir: Path) -> SourceResult:
    """Table ``ec2_commitments`` from the files of ``data_dir`` that carry RI or SP rates."""
    data_dir = Path(data_dir)
    names = name_to_code_map(read_region_records(data_dir))
    rows, sources = _ec2shop(data_dir, names)
    parts = [
        _get_products_sample(data_dir, names),
        *(_offer_file_rows(data_dir, rel, names) for rel in (OFFER_CSV, OFFER_JSON)),
        _savings_plans_sample(data_dir),
        _ec2instances(data_dir),
    ]
    for got, record in parts:
        rows += got
        sources.append(record)
    df = commitments_frame(rows)
    gap = (
        "ec2_commitments (local build): Reserved Instances for us-east-1 (Standard No Upfront, "
        "ec2.shop 2025-04-04) and a few sample types elsewhere only; a live build "
        "(--source aws) fills every region"
    )
    return SourceResult(tables={"ec2_commitments": df}, sources=sources, coverage_gaps=[gap])
