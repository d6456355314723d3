"""Rows of ``unit_prices``, ``database`` and ``ebs`` from Price List products (API or file).

Pure: a :class:`catalog.pricing.PriceItem` and its :class:`catalog.sources.live_rules.ServiceSpec`
in, rows out.  :func:`service_rows` is used both by the GetProducts crawl
(:func:`catalog.sources.live.read_aws`) and by the offer-file reader, so the two paths give
the same rows for the same product.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from catalog.normalize import first_number, parse_memory_gib, to_iso_date
from catalog.pricing import PriceItem, Tier
from catalog.schema import TABLES
from catalog.sources.live_rules import ServiceSpec

_DEPLOYMENTS = {
    "Single-AZ": "single_az",
    "Multi-AZ": "multi_az",
    "Multi-AZ (readable standbys)": "multi_az_readable_standbys",
}
_RDS_ENGINES = {
    "MySQL": ("rds", "mysql"),
    "PostgreSQL": ("rds", "postgresql"),
    "Aurora MySQL": ("aurora", "mysql"),
    "Aurora PostgreSQL": ("aurora", "postgresql"),
}
_CACHE_ENGINES = {"Redis": "redis", "Memcached": "memcached", "Valkey": "valkey"}
#: RDS storage volume types (Price List ``volumeType``) -> the catalog's item part.
_RDS_VOLUMES = {
    "General Purpose": "gp2",
    "General Purpose-GP3": "gp3",
    "Provisioned IOPS": "io1",
    "Provisioned IOPS-IO2": "io2",
    "Magnetic": "magnetic",
}


@dataclass
class RowStats:
    """Per service: products seen, turned into rows, and why the others were not."""

    products: int = 0
    rows: int = 0
    skipped: Counter = field(default_factory=Counter)


def _as_of(item: PriceItem) -> str:
    return to_iso_date(item.publication_date) if item.publication_date else "unknown"


def _paid_tiers(tiers: Iterable[Tier]) -> list[Tier]:
    """Tiers without the free-tier dimension; the first paid tier then starts at 0.

    The pricing pages (the local source) list the free tier apart; keeping the same layout
    keeps ``tier_start`` 0 meaning "the first paid rate" in both builds.
    """
    paid = [t for t in tiers if not (t.usd == 0 and "free tier" in t.description.lower())]
    if paid and paid[0].begin > 0 and len(paid) < len(list(tiers)):
        first = paid[0]
        paid[0] = Tier(0.0, first.end, first.unit, first.usd, first.description)
    return paid


def _unit_row(spec: ServiceSpec, product: PriceItem, **kw: Any) -> dict[str, Any]:
    row = {"service": spec.service, "to_region": None, "notes": None, "verify": False,
           "price_as_of": _as_of(product)}  # fmt: skip
    row.update(kw)
    return row


def _fsx_item(attrs: dict[str, str]) -> str | None:
    parts = [attrs.get("fileSystemType"), attrs.get("storageType"), attrs.get("deploymentOption")]
    if not all(parts):
        return None
    key = ".".join(str(p).lower().replace(" ", "_").replace("-", "_") for p in parts)
    return f"fsx.{key}.storage_gb_month"


def unit_rows(spec: ServiceSpec, item: PriceItem, region: str, source: str) -> list[dict]:
    """``unit_prices`` rows of one usage-priced product (one per paid tier)."""
    attrs = item.attributes
    usage = attrs.get("usagetype", "")
    rule = next((r for r in spec.rules if r.matches(usage, attrs)), None)
    item_id, unit, notes = (rule.item, rule.unit, rule.notes) if rule else (None, None, None)
    if spec.service == "fsx" and item.ondemand_unit == "GB-Mo":
        item_id, unit = _fsx_item(attrs), "USD per GB-month"
    if item_id == "redshift.managed_storage_gb_month" and item.ondemand_unit != "GB-Mo":
        return []  # an RMS:* product billed in another unit is not the storage rate
    if item_id is None:
        return []
    to_region = None
    if spec.service == "datatransfer":
        region = attrs.get("fromRegionCode") or region
        if item_id.endswith("inter_region_out"):
            to_region = attrs.get("toRegionCode")
            if not to_region:
                return []
    if spec.service == "cloudfront":
        region = f"edge:{attrs.get('fromLocation') or attrs.get('location')}"
    return [
        _unit_row(
            spec,
            item,
            item=item_id,
            region=region,
            unit=unit,
            price_usd=t.usd,
            tier_start=t.begin if len(item.tiers) > 1 else 0.0,
            tier_end=t.end if t.end is not None else math.nan,
            to_region=to_region,
            notes=notes,
            price_source=source,
        )  # fmt: skip
        for t in _paid_tiers(item.tiers)
    ]


def _rds_storage_rows(item: PriceItem, region: str, source: str) -> list[dict]:
    attrs = item.attributes
    vol = _RDS_VOLUMES.get(attrs.get("volumeType", ""))
    dep = _DEPLOYMENTS.get(attrs.get("deploymentOption", ""))
    if vol is None or dep is None or attrs.get("databaseEngine") not in ("Any", None):
        return []
    if item.ondemand_usd is None or item.ondemand_unit != "GB-Mo":
        return []
    mid = "" if dep == "single_az" else f"{dep}."
    return [{"service": "rds", "item": f"rds.storage.{mid}{vol}_gb_month", "region": region,
             "unit": "USD per GB-month", "price_usd": item.ondemand_usd, "tier_start": 0.0,
             "tier_end": math.nan, "to_region": None, "price_as_of": _as_of(item),
             "price_source": source, "verify": False, "notes": None}]  # fmt: skip


def database_row(spec: ServiceSpec, item: PriceItem, region: str, source: str) -> dict | None:
    """The ``database`` row of one node SKU (``None``: not a priced node of a known engine)."""
    a = item.attributes
    od = item.ondemand_usd_per_hour
    cls = a.get("instanceType")
    if not cls or od is None or not od > 0:
        return None
    engine: str | None
    deployment: str | None
    if spec.service == "rds":
        if a.get("licenseModel") not in (None, "No license required", "No License required"):
            return None
        kind = _RDS_ENGINES.get(a.get("databaseEngine", ""))
        if kind is None:
            return None
        service, engine = kind
        if service == "aurora":
            io_opt = "IOOptimized" in a.get("usagetype", "")
            deployment = "io_optimized" if io_opt else "standard"
        else:
            deployment = _DEPLOYMENTS.get(a.get("deploymentOption", ""))
        if deployment is None:
            return None
    elif spec.service == "elasticache":
        service, engine, deployment = (
            "elasticache",
            _CACHE_ENGINES.get(a.get("cacheEngine", "")),
            "node",
        )
        if engine is None:
            return None
    elif spec.service == "opensearch":
        service, engine, deployment = "opensearch", "opensearch", "node"
    else:
        service, engine, deployment = "redshift", "redshift", "provisioned"
    r1 = item.reserved("1yr")
    memory = None
    try:
        memory = parse_memory_gib(a.get("memory")) if a.get("memory") not in (None, "NA") else None
    except ValueError:
        memory = None
    gen = {"Yes": True, "No": False}.get(a.get("currentGeneration", ""))
    return {"service": service, "engine": engine, "instance_class": cls, "deployment": deployment,
            "region": region, "vcpus": first_number(a.get("vcpu")), "memory_gib": memory,
            "storage_desc": a.get("storage"), "ondemand_usd_per_hour": od,
            "reserved_1y_no_upfront_usd_per_hour": r1 if r1 and r1 > 0 else math.nan,
            "current_generation": gen, "price_as_of": _as_of(item), "price_source": source,
            "verify": False}  # fmt: skip


def ebs_row(item: PriceItem, region: str, source: str) -> dict | None:
    """A partial ``ebs`` row (key and one price column); limits come from the previous table."""
    a = item.attributes
    vol = a.get("volumeApiName")
    usage = a.get("usagetype", "")
    if not vol or item.ondemand_usd is None:
        return None
    if item.product_family == "Storage" and item.ondemand_unit == "GB-Mo":
        col = "storage_usd_per_gb_month"
    elif usage.endswith(f"VolumeP-IOPS.{vol}") and item.ondemand_unit == "IOPS-Mo":
        col = "iops_usd_per_iops_month"  # the first tier; io2 tiers 2-3 are other SKUs
    elif usage.endswith(f"VolumeP-Throughput.{vol}"):
        col = "throughput_usd_per_mibps_month"
    else:
        return None
    return {"volume_type": vol, "region": region, col: item.ondemand_usd,
            "price_as_of": _as_of(item), "price_source": source, "verify": False}  # fmt: skip


def service_rows(
    spec: ServiceSpec, item: PriceItem, region: str, source: str, stats: RowStats
) -> list[dict]:
    """Rows of ``spec.table`` (or unit_prices for RDS storage) from one product."""
    stats.products += 1
    if spec.table == "database" and item.product_family == "Database Storage":
        rows = _rds_storage_rows(item, region, source)
    elif spec.table == "database" and not any(r.matches(
            item.attributes.get("usagetype", ""), item.attributes) for r in spec.rules):
        row = database_row(spec, item, region, source)
        rows = [row] if row else []
    elif spec.table == "ebs":
        row = ebs_row(item, region, source)
        rows = [row] if row else []
    else:
        rows = unit_rows(spec, item, region, source)
    if not rows:
        stats.skipped[item.product_family or "no productFamily"] += 1
    stats.rows += len(rows)
    return rows


def frames_by_table(rows: Iterable[dict]) -> dict[str, pd.DataFrame]:
    """Split rows by table (``unit_prices`` rows carry ``item``, ``ebs`` rows ``volume_type``)."""
    by: dict[str, list[dict]] = {"unit_prices": [], "database": [], "ebs": []}
    for r in rows:
        table = "unit_prices" if "item" in r else "ebs" if "volume_type" in r else "database"
        by[table].append(r)
    out = {}
    for name, rs in by.items():
        if not rs:
            continue
        cols = list(TABLES[name].to_schema().columns)
        df = pd.DataFrame(rs)
        if name == "ebs":  # partial rows: only the columns that were priced
            df = df.groupby(["volume_type", "region"], as_index=False).first()
        else:
            df = df.reindex(columns=cols)
        out[name] = df
    return out
