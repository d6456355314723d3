"""Helpers shared by the readers of AWS pricing-page feeds (services, databases, RDS/Aurora).

The feeds are those saved by iann0036/aws-price-watcher and yeo/ec2.shop: ``{"regions":
{region name: {key: entry}}, "sets": ..., "manifest": ...}`` documents and their ``processed``
flattening ``{metric: {region name [+ " (StartingRange: a, EndingRange: b)" | " (To Location:
X)"]: price}}``.  This module reads what every such reader needs (region keys, tier bounds, set
descriptors, feed dates, region codes) and builds the rows of the ``unit_prices`` and
``database`` tables, so the readers agree on parsing and column layout.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import parse_price, to_iso_date
from catalog.regions import name_to_code_map, read_region_records, region_code
from catalog.schema import TABLES
from catalog.sources import SourceRecord, file_record

PW_DIR = Path("services/aws-price-watcher_20250524")
PW_ORIGIN = "iann0036/aws-price-watcher@d65c44f0cbfbfc8bf647809576a504ecf1587e8d"
FEED_LICENSE = "repository MIT; prices are AWS Price List data (aws.amazon.com pricing pages)"

# Processed files whose raw feed was not stored carry no publication date of their own; the
# dates below are those PROVENANCE gives (the repository's last change of the file, or for
# Glacier Deep Archive the feed date recorded in the us-east-1 price CSV).
PROCESSED_ONLY_DATES = {
    "s3": "2025-05-01",
    "s3glacierdeeparchive": "2025-04-08",
    "datatransfer": "2025-05-05",
    "rds-storage": "2025-05-03",
    "rds-aurora-storage": "2025-05-03",
}

# Column order exactly as declared in catalog.schema, so frames concatenate across readers.
UNIT_PRICE_COLUMNS = list(TABLES["unit_prices"].to_schema().columns)
DATABASE_COLUMNS = list(TABLES["database"].to_schema().columns)
# One database row per node offer; duplicates in a feed (hashed and readable keys) share it.
DATABASE_KEY = ["service", "engine", "instance_class", "deployment", "region"]

_REGION_KEY = re.compile(r"^(?P<region>.*?) \((?P<attrs>[A-Za-z][\w /-]*: .*)\)$")
_ATTR_SPLIT = re.compile(r", (?=[A-Za-z][\w /-]*: )")
_TIER_LABEL = re.compile(
    r"\b(First|Next|Over|Greater than)\s+([\d.,]+)\s*(billion|TB|PB|GB)\b", re.IGNORECASE
)
# Tier quantities in the unit of the price: TB/PB of transfer or storage in GB (the feeds'
# own ranges count 10 TB as 10,240 GB), Lambda compute in GB-seconds.
_TIER_SCALE = {"gb": 1.0, "tb": 1024.0, "pb": 1024.0**2, "billion": 1e9}


# --------------------------------------------------------------------------- keys and tiers
def parse_region_key(key: str) -> tuple[str, dict[str, str]]:
    """Split a processed-feed region key into the region name and its attributes.

    >>> parse_region_key("US East (N. Virginia) (StartingRange: 0, EndingRange: 10240)")
    ('US East (N. Virginia)', {'StartingRange': '0', 'EndingRange': '10240'})
    >>> parse_region_key("EU (Ireland) (To Location: US East (Ohio))")
    ('EU (Ireland)', {'To Location': 'US East (Ohio)'})
    """
    m = _REGION_KEY.match(key.strip())
    if not m:
        return key.strip(), {}
    attrs = dict(part.split(": ", 1) for part in _ATTR_SPLIT.split(m.group("attrs")))
    return m.group("region"), attrs


def parse_range(attrs: Mapping[str, str]) -> tuple[float, float]:
    """``StartingRange``/``EndingRange`` attributes as floats (``Inf`` -> NaN = open).

    Without a range the row is one tier from 0, open-ended: ``(0.0, nan)``.
    """
    start = float(attrs.get("StartingRange", 0))
    end_text = attrs.get("EndingRange", "Inf")
    end = math.nan if end_text.strip().lower() in {"inf", ""} else float(end_text)
    return start, end


def tier_bounds(labels: Iterable[str]) -> list[tuple[float, float]]:
    """Tier bounds from labels such as ``"First 50 TB"``, ``"Next 450 TB"``, ``"Over 500 TB"``.

    Labels are read in order; "Next N" starts where the previous tier ended.  Quantities are
    in GB (TB = 1,024 GB) or, for "billion", in units (Lambda GB-seconds).  The open end is NaN.

    Raises
    ------
    ValueError
        When a label names no tier.
    """
    bounds: list[tuple[float, float]] = []
    prev_end = 0.0
    for label in labels:
        m = _TIER_LABEL.search(label)
        if not m:
            raise ValueError(f"tier label {label!r}: expected 'First|Next|Over N TB|billion'")
        qty = float(m.group(2).replace(",", "")) * _TIER_SCALE[m.group(3).lower()]
        kind = m.group(1).lower()
        if kind == "first":
            start, end = 0.0, qty
        elif kind == "next":
            start, end = prev_end, prev_end + qty
        else:
            start, end = qty, math.nan
        bounds.append((start, end))
        prev_end = end
    return bounds


def set_descriptors(feed: Mapping[str, Any]) -> dict[str, str]:
    """Entry key -> readable descriptor, for hashed keys that only their ``sets`` describe.

    A key in several sets gets the set names joined with ``"; "``, so the engine or
    deployment that any one of them names can be found in the descriptor.
    """
    members: dict[str, list[str]] = {}
    for name, keys in (feed.get("sets") or {}).items():
        for key in keys:
            members.setdefault(key, []).append(name)
    return {key: "; ".join(names) for key, names in members.items()}


def generation(text: str) -> bool | None:
    """True / False for "Current" / "Previous Generation" in a key, None when not stated."""
    if "Current Generation" in text:
        return True
    if "Previous Generation" in text:
        return False
    return None


def feed_number(value: Any) -> float | None:
    """A positive number from a feed field; blanks, zero and non-numbers are unknown (None)."""
    try:
        x = parse_price(value)
    except (TypeError, ValueError):
        return None
    return x if x > 0 else None


# --------------------------------------------------------------------------- files and regions
def feed_date(feed: Mapping[str, Any]) -> str:
    """ISO date of a feed's ``hawkFilePublicationDate``.

    Every stored feed carries one; it becomes the rows' ``price_as_of`` and the manifest's
    ``data_date``, which must not be empty, so a feed without it is refused by name here.
    """
    stamp = (feed.get("manifest") or {}).get("hawkFilePublicationDate")
    if not stamp:
        raise ValueError("feed has no manifest.hawkFilePublicationDate (its price date)")
    return to_iso_date(stamp)


def load_json(path: Path) -> Any:
    """The parsed content of a JSON file."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def processed_meta(data_dir: Path, name: str) -> tuple[str, str, str]:
    """(relative path, source id, data date) of ``processed/<name>.json``.

    The date is the stored raw feed's ``hawkFilePublicationDate`` when that feed exists,
    else the PROVENANCE date of the processed file (``PROCESSED_ONLY_DATES``).
    """
    raw = data_dir / PW_DIR / "raw" / f"{name}.json"
    date = feed_date(load_json(raw)) if raw.exists() else PROCESSED_ONLY_DATES[name]
    return (PW_DIR / "processed" / f"{name}.json").as_posix(), f"pw-{name}-{date}", date


@dataclass
class RegionMapper:
    """Pricing-page region names -> codes; remembers the names it could not map.

    The remembered names become one coverage-gap line per file (:meth:`gap`), so a reader
    reports the locations it dropped instead of failing on them.
    """

    mapping: Mapping[str, str]
    unknown: set[str] = field(default_factory=set)

    def code(self, name: str) -> str | None:
        """The region code of ``name``, or None (and remembered) when it has none."""
        code = region_code(name, self.mapping)
        if code is None:
            self.unknown.add(name)
        return code

    def gap(self, what: str) -> list[str]:
        """One coverage-gap line for the names dropped while reading ``what``; then forget them."""
        if not self.unknown:
            return []
        names = sorted(self.unknown)
        self.unknown = set()
        shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
        return [f"{what}: {len(names)} location(s) with no AWS region code dropped ({shown})"]


def region_mapper(data_dir: Path) -> RegionMapper:
    """A :class:`RegionMapper` from the SpareCores region records under ``data_dir``."""
    return RegionMapper(name_to_code_map(read_region_records(data_dir)))


def source_record(
    data_dir: Path,
    rel: Path,
    sid: str,
    origin: str,
    date: str,
    *,
    rows: int,
    notes: str = "",
    license: str = FEED_LICENSE,
) -> SourceRecord:
    """The manifest record of the feed ``data_dir / rel`` (:func:`catalog.sources.file_record`).

    ``rows`` counts the rows the file contributed to the catalog tables; the license
    defaults to the feeds' own.
    """
    return file_record(data_dir, rel, sid, origin, date, license=license, rows=rows, notes=notes)


# --------------------------------------------------------------------------- row builders
def price_row(
    item: str,
    region: str,
    unit: str,
    price: float,
    tier: tuple[float, float],
    *,
    meta: Mapping[str, str],
    to_region: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """One ``unit_prices`` row; ``meta`` holds ``price_as_of`` and ``price_source``.

    The service is the item's first dotted part (``"s3.standard.get_request"`` -> ``"s3"``).
    """
    return {
        "service": item.split(".")[0],
        "item": item,
        "region": region,
        "unit": unit,
        "price_usd": price,
        "tier_start": tier[0],
        "tier_end": tier[1],
        "to_region": to_region,
        "verify": False,
        "notes": notes,
        **meta,
    }


def unit_price_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a ``unit_prices`` frame with the schema's columns and dtypes."""
    df = pd.DataFrame(rows, columns=UNIT_PRICE_COLUMNS)
    # Cast explicitly: an empty or all-None column would otherwise stay object dtype.
    for col in ("price_usd", "tier_start", "tier_end"):
        df[col] = df[col].astype(float)
    df["verify"] = df["verify"].astype(bool)
    return df


def db_row(
    service: str,
    engine: str,
    cls: str,
    deployment: str,
    *,
    region: str,
    meta: Mapping[str, str],
    **fields: Any,
) -> dict[str, Any]:
    """One ``database`` row; columns that no argument, ``meta`` or ``fields`` sets are None."""
    row = dict.fromkeys(DATABASE_COLUMNS)
    row.update(
        service=service,
        engine=engine,
        instance_class=cls,
        deployment=deployment,
        region=region,
        verify=False,
        **meta,
        **fields,
    )
    return row


def database_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a ``database`` frame with the schema's columns and dtypes."""
    df = pd.DataFrame(rows, columns=DATABASE_COLUMNS)
    for col in (
        "vcpus",
        "memory_gib",
        "ondemand_usd_per_hour",
        "reserved_1y_no_upfront_usd_per_hour",
    ):
        df[col] = df[col].astype(float)
    # Nullable boolean: a feed that does not state the generation leaves it unknown (<NA>).
    df["current_generation"] = df["current_generation"].astype("boolean")
    df["verify"] = df["verify"].astype(bool)
    return df


# --------------------------------------------------------------------------- processed items
@dataclass(frozen=True)
class FeedItem:
    """One ``unit_prices`` item read from processed feed metrics.

    Attributes
    ----------
    item, file, unit : str
        Item id, processed file name (without ``.json``) and price unit.
    tiers : str
        Where the tier bounds come from: ``"none"`` (one open tier from 0), ``"key"`` (the
        region key's StartingRange / EndingRange), ``"metric"`` (the metric names: "First 50
        TB"...), ``"lambda"`` (the tier notes of ``facts/lambda_facts.csv``), ``"edge"``
        (untiered; regions are CloudFront edge geographies, written ``edge:<geography>``).
    metrics : tuple of str
        One metric per tier, in tier order.
    notes : str or None
        The rows' ``notes``.
    """

    item: str
    file: str
    unit: str
    tiers: str
    metrics: tuple[str, ...]
    notes: str | None = None

    @property
    def service(self) -> str:
        return self.item.split(".")[0]


def feed_item_rows(
    spec: FeedItem,
    metrics: Mapping[str, Mapping[str, str]],
    mapper: RegionMapper,
    meta: Mapping[str, str],
    lambda_labels: list[str] | None = None,
) -> list[dict[str, Any]]:
    """``unit_prices`` rows of one item from a processed feed (``{metric: {key: price}}``).

    Parameters
    ----------
    spec : FeedItem
        The item and the metrics it is read from.
    metrics : mapping
        The processed feed.  A metric absent from it gives no rows (the caller reports it).
    mapper : RegionMapper
        Maps region names to codes; keys of unmapped names are skipped.
    meta : mapping
        ``price_as_of`` and ``price_source`` of every row.
    lambda_labels : list of str, optional
        The tier labels of ``tiers="lambda"`` items.

    Raises
    ------
    ValueError
        When the number of tier labels differs from the number of metrics.
    """
    labels = {"metric": list(spec.metrics), "lambda": lambda_labels or []}.get(spec.tiers)
    bounds = tier_bounds(labels) if labels else None
    if bounds is not None and len(bounds) != len(spec.metrics):
        raise ValueError(f"{spec.item}: {len(spec.metrics)} metrics but {len(bounds)} tier labels")
    rows = []
    for i, metric in enumerate(spec.metrics):
        for key, price in (metrics.get(metric) or {}).items():
            name, attrs = parse_region_key(key)
            region = f"edge:{name}" if spec.tiers == "edge" else mapper.code(name)
            if region is None:
                continue
            tier = bounds[i] if bounds else parse_range(attrs)
            price_usd = parse_price(price)
            rows.append(
                price_row(
                    spec.item, region, spec.unit, price_usd, tier, meta=meta, notes=spec.notes
                )
            )
    return rows
