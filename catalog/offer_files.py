"""Streaming readers of the AWS Price List bulk offer files (CSV and JSON), in bounded memory.

A regional EC2 offer file is hundreds of MB (the global one several GB) and holds every SKU:
all operating systems, tenancies, capacity-reservation rows, EBS, data transfer...  Only the
Linux shared On-Demand instance SKUs are wanted, a few thousand.  Both readers therefore keep
nothing but the SKUs that pass :func:`catalog.pricing.ec2_rejection_reason` while they stream,
so memory grows with the number of kept SKUs, not with the file.

* CSV: five preamble lines ("FormatVersion", "Disclaimer", "Publication Date", "Version",
  "OfferCode"), then a header, then one row per price dimension (a SKU spans several rows).
  Read row by row with :mod:`csv`.
* JSON: ``{formatVersion, disclaimer, offerCode, version, publicationDate, products: {sku:
  product}, terms: {OnDemand: {sku: {term id: term}}, Reserved: {...}}}``.  The terms come
  after the products, so one streamed pass over ``products`` (``ijson.kvitems``) picks the
  SKUs, and one streamed pass per term type reads only those SKUs' terms.

Both yield :class:`catalog.pricing.PriceItem`, the same type the Pricing API path yields.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from catalog.pricing import (
    PriceItem,
    PriceListItemError,
    ec2_rejection_reason,
    parse_price_list_item,
)

#: ``(product_family, attributes) -> rejection reason or None`` (None keeps the product).
ProductFilter = Callable[[str, Mapping[str, str]], "str | None"]

#: Preamble keys of the CSV offer file, in order, before the header row.
CSV_PREAMBLE = ("FormatVersion", "Disclaimer", "Publication Date", "Version", "OfferCode")

#: CSV column -> the attribute name the JSON files and the Pricing API use, so one filter
#: and one spec parser serve all three formats.
CSV_ATTRIBUTE_COLUMNS = {
    "Instance Type": "instanceType",
    "Operating System": "operatingSystem",
    "Tenancy": "tenancy",
    "CapacityStatus": "capacitystatus",
    "Pre Installed S/W": "preInstalledSw",
    "License Model": "licenseModel",
    "MarketOption": "marketoption",
    "Region Code": "regionCode",
    "Location": "location",
    "Location Type": "locationType",
    "Current Generation": "currentGeneration",
    "Instance Family": "instanceFamily",
    "vCPU": "vcpu",
    "Physical Processor": "physicalProcessor",
    "Clock Speed": "clockSpeed",
    "Memory": "memory",
    "Storage": "storage",
    "Network Performance": "networkPerformance",
    "Processor Architecture": "processorArchitecture",
    "usageType": "usagetype",
    "operation": "operation",
    # Other services' offer files (same attribute names as their GetProducts products).
    "Transfer Type": "transferType",
    "From Region Code": "fromRegionCode",
    "To Region Code": "toRegionCode",
    "Database Engine": "databaseEngine",
    "Deployment Option": "deploymentOption",
    "Cache Engine": "cacheEngine",
    "Volume API Name": "volumeApiName",
    "Volume Type": "volumeType",
    "Group": "group",
    # AmazonFSx's own casing: its offer CSV columns are "File system type", "Storage type"
    # and "Deployment option" (Bjorn248/graphql_aws_pricing_api SCHEMATA.md, in
    # ../shared/data/pricing_api/bulk_offer_files: File_system_type, Storage_type,
    # Deployment_option; the underscore names keep the header's case, as Region_Code and
    # Volume_API_Name do for the EC2 headers "Region Code" and "Volume API Name").
    "File system type": "fileSystemType",
    "Storage type": "storageType",
    "From Location": "fromLocation",
}
#: Header lookup ignores case: RDS writes "Deployment Option", FSx "Deployment option".
_CSV_ATTRIBUTES_FOLDED = {k.casefold(): v for k, v in CSV_ATTRIBUTE_COLUMNS.items()}


def csv_attribute_name(header: str) -> str | None:
    """The API attribute name of an offer-CSV column (any case), or None when not read."""
    return _CSV_ATTRIBUTES_FOLDED.get(header.casefold())


#: CSV columns of a Reserved term's attributes (same names as the JSON termAttributes).
CSV_TERM_ATTRIBUTES = ("LeaseContractLength", "OfferingClass", "PurchaseOption")


class OfferFileError(PriceListItemError):
    """An offer file whose layout is not the documented one (preamble, header, keys)."""


@dataclass
class OfferStats:
    """What one offer file held: rows/products read, kept SKUs, rejections by reason."""

    path: str = ""
    publication_date: str | None = None
    version: str | None = None
    rows: int = 0  # CSV rows or JSON products read
    kept: int = 0  # SKUs yielded
    rejected: Counter = field(default_factory=Counter)  # reason -> rows/products
    malformed: int = 0  # kept SKUs whose terms could not be parsed (skipped)
    errors: list[str] = field(default_factory=list)

    def note_malformed(self, exc: Exception) -> None:
        self.malformed += 1
        if len(self.errors) < 5:
            self.errors.append(str(exc))


def _emit(
    products: dict[str, dict[str, Any]],
    terms: dict[str, dict[str, dict[str, Any]]],
    stats: OfferStats,
) -> Iterator[PriceItem]:
    """Parse each kept product with its terms through the Pricing API item parser."""
    for sku, product in products.items():
        item = {
            "product": product,
            "terms": terms.get(sku, {}),
            "publicationDate": stats.publication_date,
            "version": stats.version,
        }
        try:
            parsed = parse_price_list_item(item)
        except PriceListItemError as exc:
            stats.note_malformed(exc)
            continue
        stats.kept += 1
        yield parsed


# --------------------------------------------------------------------------------------- CSV
def read_csv_preamble(reader: Iterator[list[str]]) -> dict[str, str]:
    """Consume and check the five preamble lines; return them as a dict."""
    out: dict[str, str] = {}
    for expected in CSV_PREAMBLE:
        line = next(reader, None)
        if not line or line[0] != expected:
            raise OfferFileError(f"CSV offer file: expected preamble {expected!r}, got {line!r}")
        out[expected] = line[1] if len(line) > 1 else ""
    return out


def _csv_term(row: Mapping[str, str]) -> dict[str, Any]:
    return {
        "termAttributes": {k: row[k] for k in CSV_TERM_ATTRIBUTES if row.get(k)},
        "priceDimensions": {},
    }


def iter_csv_offer(
    path: Path | str,
    *,
    keep: ProductFilter = ec2_rejection_reason,
    stats: OfferStats | None = None,
) -> Iterator[PriceItem]:
    """Stream a CSV offer file row by row; yield one :class:`PriceItem` per kept SKU.

    Rows are folded into the JSON term shape (term -> price dimensions) so that the units
    and the RI amortization are handled by :mod:`catalog.pricing` as for the API.
    """
    stats = stats if stats is not None else OfferStats()
    stats.path = str(path)
    products: dict[str, dict[str, Any]] = {}
    terms: dict[str, dict[str, dict[str, Any]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        preamble = read_csv_preamble(reader)
        stats.publication_date = preamble["Publication Date"]
        stats.version = preamble["Version"]
        header = next(reader, None)
        if not header or "SKU" not in header or "TermType" not in header:
            raise OfferFileError(f"CSV offer file {path}: no header row after the preamble")
        attr_cols = [
            (i, name) for i, h in enumerate(header) if (name := csv_attribute_name(h))
        ]
        family_col = header.index("Product Family")
        for values in reader:
            stats.rows += 1
            if len(values) != len(header):
                stats.note_malformed(OfferFileError(f"row {stats.rows}: {len(values)} cells"))
                continue
            # Empty cells mean "attribute not set" (as absent keys in the JSON files).
            attributes = {name: values[i] for i, name in attr_cols if values[i]}
            family = values[family_col]
            reason = keep(family, attributes)
            if reason is not None:
                stats.rejected[reason] += 1
                continue
            row = dict(zip(header, values, strict=True))
            sku = row["SKU"]
            products.setdefault(
                sku, {"sku": sku, "productFamily": family, "attributes": attributes}
            )
            term = (
                terms.setdefault(sku, {})
                .setdefault(row["TermType"], {})
                .setdefault(row["OfferTermCode"], _csv_term(row))
            )
            term["priceDimensions"][row["RateCode"]] = {
                "unit": row["Unit"],
                "description": row["PriceDescription"],
                "pricePerUnit": {row["Currency"] or "USD": row["PricePerUnit"]},
            }
    yield from _emit(products, terms, stats)


# -------------------------------------------------------------------------------------- JSON
_JSON_HEADER_KEYS = ("formatVersion", "offerCode", "version", "publicationDate")


def read_json_header(path: Path | str) -> dict[str, str]:
    """The top-level scalars of a JSON offer file, read up to the ``products`` key only."""
    out: dict[str, str] = {}
    with open(path, "rb") as f:
        for prefix, event, value in ijson.parse(f):
            if event == "map_key" and prefix == "" and value in ("products", "terms"):
                break
            if prefix in _JSON_HEADER_KEYS and event == "string":
                out[prefix] = value
    return out


def iter_json_offer(
    path: Path | str,
    *,
    keep: ProductFilter = ec2_rejection_reason,
    stats: OfferStats | None = None,
    term_types: tuple[str, ...] = ("OnDemand", "Reserved"),
) -> Iterator[PriceItem]:
    """Stream a JSON offer file; yield one :class:`PriceItem` per kept SKU.

    One pass over ``products`` keeps the SKUs passing ``keep``; one pass per term type then
    builds only those SKUs' terms.  Peak memory is the kept products and their terms.
    """
    stats = stats if stats is not None else OfferStats()
    stats.path = str(path)
    header = read_json_header(path)
    stats.publication_date = header.get("publicationDate")
    stats.version = header.get("version")
    products: dict[str, dict[str, Any]] = {}
    with open(path, "rb") as f:
        for sku, product in ijson.kvitems(f, "products", use_float=True):
            stats.rows += 1
            if not isinstance(product, dict):
                stats.rejected["not an object"] += 1
                continue
            reason = keep(product.get("productFamily", ""), product.get("attributes") or {})
            if reason is not None:
                stats.rejected[reason] += 1
                continue
            products[sku] = product
    terms: dict[str, dict[str, dict[str, Any]]] = {}
    for term_type in term_types:
        if not products:
            break
        with open(path, "rb") as f:
            for sku, sku_terms in ijson.kvitems(f, f"terms.{term_type}", use_float=True):
                if sku in products:
                    terms.setdefault(sku, {})[term_type] = sku_terms
    yield from _emit(products, terms, stats)


def iter_offer_file(
    path: Path | str, *, keep: ProductFilter = ec2_rejection_reason, stats: OfferStats | None = None
) -> Iterator[PriceItem]:
    """Dispatch on the suffix: ``.csv`` or ``.json``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return iter_csv_offer(path, keep=keep, stats=stats)
    if suffix == ".json":
        return iter_json_offer(path, keep=keep, stats=stats)
    raise OfferFileError(f"offer file {path}: expected a .csv or .json file")


def offer_code(path: Path | str) -> str:
    """The ``offerCode`` of an offer file (``AmazonEC2``, ``AWSLambda``...), from its header."""
    if Path(path).suffix.lower() == ".json":
        return read_json_header(path).get("offerCode", "")
    with open(path, newline="", encoding="utf-8") as f:
        return read_csv_preamble(csv.reader(f))["OfferCode"]
