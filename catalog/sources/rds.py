"""RDS and Aurora parsing for the ``database`` and ``unit_prices`` tables.

Split from :mod:`catalog.sources.databases`, which reads the files, merges the results and
lists the sources (RDS On-Demand and RI feeds, Aurora On-Demand, RDS/Aurora storage and I/O).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import parse_memory_gib, parse_price
from catalog.sources.feeds import (
    DATABASE_COLUMNS,
    DATABASE_KEY,
    FeedItem,
    RegionMapper,
    database_frame,
    db_row,
    feed_number,
    generation,
    price_row,
    set_descriptors,
)

RDS_OD_DIR = Path("databases/rds/ec2shop_ondemand_20240928")
RDS_RI_DIR = Path("databases/rds/ec2shop_reserved_us-east-1_20250404")
AURORA = Path("databases/aurora/rds-aurora-ondemand.json")

_RDS_STORAGE = re.compile(
    r"^Database Storage (?P<dep>Single AZ|Multi AZ readable standbys|Multi AZ) "
    r"(?P<vol>General Purpose-GP3|General Purpose|Provisioned IOPS-IO2|Provisioned IOPS|Magnetic)$"
)
_RDS_PROVISIONED = re.compile(
    r"^Provisioned (?P<what>GP3 IOPS|IO2 IOPS|IOPS|Throughput) "
    r"(?P<dep>Single AZ|Multi AZ readable standbys|Multi AZ)$"
)
# Volume names of the storage keys -> the item ids' volume part (EBS-style names).
_VOLUME = {
    "General Purpose-GP3": "gp3",
    "General Purpose": "gp2",
    "Provisioned IOPS-IO2": "io2",
    "Provisioned IOPS": "io1",
    "Magnetic": "magnetic",
}
_PROVISIONED = {
    "GP3 IOPS": ("gp3_iops_month", "USD per IOPS-month"),
    "IO2 IOPS": ("io2_iops_month", "USD per IOPS-month"),
    "IOPS": ("io1_iops_month", "USD per IOPS-month"),
    "Throughput": ("gp3_throughput_mbps_month", "USD per MBps-month"),
}
_STORAGE_PREFIX = {
    "Single AZ": "rds.storage.",
    "Multi AZ": "rds.storage.multi_az.",
    "Multi AZ readable standbys": "rds.storage.multi_az_readable_standbys.",
}

# The Aurora storage / I/O metrics of processed/rds-aurora-storage.json; their names do not
# follow the RDS storage keys, so they are listed rather than parsed.
AURORA_STORAGE_ITEMS = (
    FeedItem(
        "aurora.storage_gb_month",
        "rds-aurora-storage",
        "USD per GB-month",
        "none",
        ("Database Storage DB Engine Aurora PostgreSQL General Purpose Aurora",),
        "Aurora Standard storage; the feed names the key for Aurora PostgreSQL only",
    ),
    FeedItem(
        "aurora.io_request",
        "rds-aurora-storage",
        "USD per I/O request",
        "none",
        ("System Operation Aurora I O Operation",),
        "Aurora Standard; per I/O request",
    ),
    FeedItem(
        "aurora.io_optimized.storage_gb_month",
        "rds-aurora-storage",
        "USD per GB-month",
        "none",
        ("Any IO Optimized Aurora",),
        "Aurora I/O-Optimized storage",
    ),
)


# --------------------------------------------------------------------------- key parsing
def rds_deployment(text: str) -> str | None:
    """``single_az`` / ``multi_az`` / ``multi_az_readable_standbys`` named in a key, else None."""
    # Most specific first: "Multi-AZ readable standbys" also matches "Multi-AZ".
    if re.search(r"Multi[- ]?AZ readable standbys", text):
        return "multi_az_readable_standbys"
    if re.search(r"Multi[- ]?AZ", text):
        return "multi_az"
    if re.search(r"Single[- ]?AZ", text):
        return "single_az"
    return None


def rds_engine(text: str) -> str | None:
    """``postgresql`` / ``mysql`` named in a key or engine field (Aurora or RDS), else None."""
    if "PostgreSQL" in text:
        return "postgresql"
    if "MySQL" in text:
        return "mysql"
    return None


def aurora_deployment(text: str) -> str:
    """``io_optimized`` when the key names Aurora's I/O optimization mode, else ``standard``."""
    return "io_optimized" if "IO Optimization Mode" in text else "standard"


def rds_storage_item(name: str) -> tuple[str, str] | None:
    """(item id, unit) of an RDS storage / IOPS / throughput key, None for anything else.

    >>> rds_storage_item("Database Storage Multi AZ General Purpose-GP3")
    ('rds.storage.multi_az.gp3_gb_month', 'USD per GB-month')
    >>> rds_storage_item("Provisioned IOPS Single AZ")
    ('rds.storage.io1_iops_month', 'USD per IOPS-month')
    """
    m = _RDS_STORAGE.match(name)
    if m:
        return f"{_STORAGE_PREFIX[m['dep']]}{_VOLUME[m['vol']]}_gb_month", "USD per GB-month"
    m = _RDS_PROVISIONED.match(name)
    if m:
        suffix, unit = _PROVISIONED[m["what"]]
        return f"{_STORAGE_PREFIX[m['dep']]}{suffix}", unit
    return None


# --------------------------------------------------------------------------- RDS
def parse_rds_ondemand(
    feed: Mapping[str, Any], mapper: RegionMapper, meta: Mapping[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """RDS instance rows (``database``) and storage rows (``unit_prices`` dicts) of one feed."""
    desc = set_descriptors(feed)
    rows, storage = [], []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        if region is None:
            continue
        for key, e in entries.items():
            text = desc.get(key, key)
            if not e.get("Instance Type"):
                found = rds_storage_item(text)
                if found:
                    tier = (0.0, float("nan"))
                    unit_usd = parse_price(e["price"])
                    storage.append(
                        price_row(found[0], region, found[1], unit_usd, tier, meta=meta)
                    )
                continue
            engine, deployment = rds_engine(text), rds_deployment(text)
            price = feed_number(e["price"])
            if engine is None or deployment is None or price is None:
                continue
            rows.append(
                db_row(
                    "rds",
                    engine,
                    e["Instance Type"],
                    deployment,
                    region=region,
                    meta=meta,
                    vcpus=feed_number(e.get("vCPU")),
                    memory_gib=parse_memory_gib(e.get("Memory")),
                    ondemand_usd_per_hour=price,
                    current_generation=generation(text),
                )
            )
    return database_frame(rows).drop_duplicates(DATABASE_KEY), storage


def parse_rds_reserved(feed: Mapping[str, Any], mapper: RegionMapper) -> pd.DataFrame:
    """RI entries as (engine, instance_class, deployment, region, reserved, ondemand) rows."""
    rows = []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        for e in entries.values():
            engine = rds_engine(e.get("Database Engine", ""))
            deployment = rds_deployment(e.get("Deployment Option", ""))
            if region is None or engine is None or deployment is None:
                continue
            rows.append(
                {
                    "engine": engine,
                    "instance_class": e["Instance Type"],
                    "deployment": deployment,
                    "region": region,
                    "reserved": feed_number(e["price"]),
                    "ondemand": feed_number(e.get("OnDemand:PricePerUnit")),
                }
            )
    return pd.DataFrame(
        rows, columns=["engine", "instance_class", "deployment", "region", "reserved", "ondemand"]
    )


def merge_rds_reserved(
    od: pd.DataFrame, ri: pd.DataFrame, meta: Mapping[str, str], specs: pd.DataFrame
) -> pd.DataFrame:
    """Fill RI prices into the RDS rows; the RI file's newer On-Demand price wins.

    Classes the RI file prices but the On-Demand feed lacks get a row of their own, with vCPU
    and memory from ``specs`` (``instance_class``, ``vcpus``, ``memory_gib``) where known.
    """
    key = ["engine", "instance_class", "deployment", "region"]
    out = od.copy().reset_index(drop=True)
    lookup = ri.drop_duplicates(key).set_index(key)
    idx = pd.MultiIndex.from_frame(out[key])
    matched = lookup.reindex(idx)
    has_ri = matched["reserved"].notna().to_numpy()
    out.loc[has_ri, "reserved_1y_no_upfront_usd_per_hour"] = matched["reserved"].to_numpy()[has_ri]
    # Newest wins: the RI file's On-Demand price replaces an older feed's, with its date.
    newer = (
        has_ri
        & matched["ondemand"].notna().to_numpy()
        & (out["price_as_of"] < meta["price_as_of"]).to_numpy()
    )
    out.loc[newer, "ondemand_usd_per_hour"] = matched["ondemand"].to_numpy()[newer]
    out.loc[newer, "price_as_of"] = meta["price_as_of"]
    out.loc[newer, "price_source"] = meta["price_source"]
    lookup = lookup.dropna(subset=["ondemand"])
    extra = lookup[~lookup.index.isin(idx)].reset_index()
    extra = extra.merge(specs, on="instance_class", how="left")
    new_rows = [
        db_row(
            "rds",
            str(r.engine),
            str(r.instance_class),
            str(r.deployment),
            region=str(r.region),
            meta=meta,
            vcpus=r.vcpus,
            memory_gib=r.memory_gib,
            ondemand_usd_per_hour=r.ondemand,
            reserved_1y_no_upfront_usd_per_hour=r.reserved,
        )
        for r in extra.itertuples(index=False)
    ]
    return pd.concat([out, database_frame(new_rows)], ignore_index=True)


def class_specs(rds: pd.DataFrame) -> pd.DataFrame:
    """vCPU and memory per DB instance class, as the RDS feed states them."""
    known = rds.dropna(subset=["vcpus", "memory_gib"])
    return known.drop_duplicates("instance_class")[["instance_class", "vcpus", "memory_gib"]]


# --------------------------------------------------------------------------- Aurora
def parse_aurora(
    feed: Mapping[str, Any], specs: pd.DataFrame, mapper: RegionMapper, meta: Mapping[str, str]
) -> pd.DataFrame:
    """Aurora instance rows; readable keys and hashed keys (described by ``sets``) alike.

    vCPU and memory come from ``specs`` (see :func:`class_specs`), not from the Aurora feed,
    so a class the RDS feeds do not list keeps them unknown (NaN).
    """
    desc = set_descriptors(feed)
    rows = []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        if region is None:
            continue
        for key, e in entries.items():
            text = desc.get(key, key)
            engine, price = rds_engine(text), feed_number(e.get("price"))
            if not e.get("Instance Type") or engine is None or price is None:
                continue
            rows.append(
                db_row(
                    "aurora",
                    engine,
                    e["Instance Type"],
                    aurora_deployment(text),
                    region=region,
                    meta=meta,
                    ondemand_usd_per_hour=price,
                    current_generation=generation(text),
                )
            )
    df = database_frame(rows).drop_duplicates(DATABASE_KEY).drop(columns=["vcpus", "memory_gib"])
    df = df.merge(specs, on="instance_class", how="left")
    # to_dict types its keys as Hashable; these are the (str) column names.
    records = [{str(k): v for k, v in r.items()} for r in df[DATABASE_COLUMNS].to_dict("records")]
    return database_frame(records)
