"""EBS volume types (table ``ebs``): limits from the facts table, prices per region.

Limits and burst models come from ``facts/ebs_volume_types.csv`` (written by hand from the
botocore CreateVolume docs and the EC2 user guide; every row names its source).  Prices come
from the aws.amazon.com EBS pricing-page feed (``ebs.json``, 2024-07-18, all regions) where it
has them; the facts table's us-east-1 prices, which its own source column marks "verify", are
used only where the feed lacks a figure, and then the row carries ``verify=True``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import (
    first_number,
    minimum_in_text,
    parse_price,
    parse_tiers,
    per_tib_rate,
    range_max,
    to_iso_date,
)
from catalog.regions import name_to_code_map, read_region_records, region_code
from catalog.sources import SourceResult, file_record

FACTS = Path("facts/ebs_volume_types.csv")
FEED = Path("ec2/ec2shop_pricing_feeds_20250404/ebs.json")
FACTS_ID = "facts:ebs_volume_types"
FEED_ID = "ec2shop:ebs"
FACTS_REGION = "us-east-1"  # the facts table's prices are us-east-1 list prices

# Readable feed keys per volume type: (storage per GB-month, IOPS per IOPS-month,
# throughput per GiBps-month, io2 tier-2 IOPS, io2 tier-3 IOPS).  Only keys that name the
# volume's API name are used; the generic "Storage General Purpose GB Mo" keys are not.
FEED_KEYS: dict[str, tuple[str | None, ...]] = {
    "gp3": (
        "Storage General Purpose gp3 GB Mo",
        "Provisioned EBS IOPS gp3 Volumes per IOPS Mo",
        "Provisioned Throughput gp3 per GiBps mo",
        None,
        None,
    ),
    "gp2": ("Storage General Purpose gp2 GB Mo", None, None, None, None),
    "io1": (
        "Storage Provisioned IOPS io1 GB Mo",
        "Provisioned EBS IOPS io1 Volumes per IOPS Mo",
        None,
        None,
        None,
    ),
    "io2": (
        "Storage Provisioned IOPS io2 GB month",
        "Provisioned EBS IOPS io2 Volumes per IOPS Mo",
        None,
        "Provisioned EBS IOPS Tier 2 io2 Volumes per IOPS Mo",
        "Provisioned EBS IOPS Tier 3 io2 Volumes per IOPS Mo",
    ),
    "st1": ("Storage Throughput Optimized HDD st1 GB Mo", None, None, None, None),
    "sc1": ("Storage Cold HDD sc1 GB Mo", None, None, None, None),
    "standard": ("Storage Magnetic standard GB Mo", None, None, None, None),
}
_PRICE_COLS = (
    "storage_usd_per_gb_month",
    "iops_usd_per_iops_month",
    "throughput_usd_per_mibps_month",
    "iops_tier2_usd_per_iops_month",
    "iops_tier3_usd_per_iops_month",
)


def latency_class(texts: list[str], media: str) -> str:
    """The latency class of a volume type.

    Rule (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html): io2 Block
    Express is documented as "sub-millisecond", the other SSD types as "single-digit
    millisecond"; HDD volumes are built for large sequential I/O with latency in the tens of
    milliseconds.  The facts table's text decides where it says "sub-millisecond"; otherwise
    the media does.
    """
    if any("sub-millisecond" in t.lower() for t in texts):
        return "sub-ms"
    return "single-digit-ms" if media.upper() == "SSD" else "tens-of-ms"


#: The facts table states gp3's throughput limit per provisioned IOPS in its notes
#: ("Throughput:IOPS ratio 0.25 MiB/s per provisioned IOPS", from the EC2 user guide's
#: General Purpose SSD page); no other column carries it.
_TP_PER_IOPS = re.compile(r"throughput:iops ratio\s+([0-9.]+)\s*mib/s per provisioned iops",
                          re.IGNORECASE)


def throughput_per_iops(texts: list[str]) -> float | None:
    """The most MiB/s one provisioned IOPS allows, as the facts table's notes state it.

    >>> throughput_per_iops(["Throughput:IOPS ratio 0.25 MiB/s per provisioned IOPS (2023)"])
    0.25
    >>> throughput_per_iops(["Max 16,000 IOPS"]) is None
    True
    """
    for t in texts:
        m = _TP_PER_IOPS.search(t)
        if m:
            return float(m.group(1))
    return None


def limits_frame(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per volume API name with limits, burst model and the facts table's prices.

    The "io2 Block Express" row shares the API name io2 (the API now gives io2 the Block
    Express limits), so it is folded into io2: the io2 row's limits, both rows' text.
    """
    rows = []
    for api, group in facts.groupby("pricing_api_volume_api_name", sort=True):
        main = group[group["api_name"] == api]
        r = (main if len(main) else group).iloc[0]
        texts = [str(v) for col in ("notes", "burst_model") for v in group[col].dropna()]
        tiers = parse_tiers(r["price_usd_per_provisioned_iops_month"])
        rows.append(
            {
                "volume_type": api,
                "media": r["media"],
                "size_min_gib": float(r["size_min_gib"]),
                "size_max_gib": float(r["size_max_gib"]),
                "iops_min": minimum_in_text(r["baseline_iops"]),
                "iops_max": range_max(r["max_iops_per_volume"]),
                "iops_per_gib_max": first_number(r["max_iops_to_size_ratio"]),
                "included_iops": first_number(r["included_iops"]),
                "throughput_max_mibps": range_max(r["max_throughput_mibps_per_volume"]),
                "included_throughput_mibps": first_number(r["included_throughput_mibps"]),
                "throughput_mibps_per_iops_max": throughput_per_iops(
                    [str(v) for v in main["notes"].dropna()]),
                "baseline_throughput_mibps_per_tib": per_tib_rate(r["baseline_throughput_mibps"]),
                "burst_throughput_mibps_per_tib": per_tib_rate(r["burst_model"]),
                "burst_model": r["burst_model"],
                "latency_class": latency_class(texts, r["media"]),
                "iops_tier2_start": tiers[0][1] if len(tiers) > 1 else None,
                "iops_tier3_start": tiers[1][1] if len(tiers) > 2 else None,
                # The facts table's own prices (us-east-1, marked "verify" by its source).
                "storage_usd_per_gb_month": first_number(r["price_usd_per_gb_month"]),
                "iops_usd_per_iops_month": tiers[0][0]
                if tiers
                else first_number(r["price_usd_per_provisioned_iops_month"]),
                "throughput_usd_per_mibps_month": first_number(
                    r["price_usd_per_provisioned_mibps_month"]
                ),
                "iops_tier2_usd_per_iops_month": tiers[1][0] if len(tiers) > 1 else None,
                "iops_tier3_usd_per_iops_month": tiers[2][0] if len(tiers) > 2 else None,
            }
        )
    return pd.DataFrame(rows)


def feed_price_frame(feed: Mapping[str, Any], names: Mapping[str, str]) -> pd.DataFrame:
    """``volume_type, region`` plus the price columns found in the EBS feed (NaN where absent).

    Regions without a known code (Local Zones, Wavelength, GovCloud) are skipped; the caller
    reports them.  Throughput is priced per GiBps-month in the feed: divided by 1,024 here to
    give USD per MiB/s-month.
    """
    rows = []
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        if code is None:
            continue
        for vol, keys in FEED_KEYS.items():
            prices = [
                parse_price(entries[k]["price"]) if k and k in entries else None for k in keys
            ]
            if all(p is None for p in prices):
                continue
            if prices[2] is not None:
                prices[2] = prices[2] / 1024.0
            rows.append(
                {"volume_type": vol, "region": code, **dict(zip(_PRICE_COLS, prices, strict=True))}
            )
    return pd.DataFrame(rows, columns=["volume_type", "region", *_PRICE_COLS])


def merge_prices(limits: pd.DataFrame, feed: pd.DataFrame, feed_date: str) -> pd.DataFrame:
    """Rows per (volume type, region): feed prices first, facts prices where the feed lacks one.

    The facts prices are us-east-1 prices, so they fill only us-east-1 rows.  A row that uses
    any facts price, or the io2 tier bounds (from the facts table), carries ``verify=True``.
    """
    lim = limits.drop(columns=list(_PRICE_COLS))
    facts_prices = limits.set_index("volume_type")[list(_PRICE_COLS)]
    out = feed.merge(lim, on="volume_type", how="inner")
    out["price_as_of"] = feed_date
    out["price_source"] = FEED_ID
    # The facts table covers us-east-1 volume types the feed may lack entirely.
    have = set(zip(out["volume_type"], out["region"], strict=True))
    extra = lim[[(v, FACTS_REGION) not in have for v in lim["volume_type"]]].assign(
        region=FACTS_REGION, price_as_of="unknown", price_source=FACTS_ID
    )
    out = pd.concat([out, extra], ignore_index=True)
    out["verify"] = out["iops_tier2_start"].notna()  # tier bounds come from the facts table
    in_facts_region = out["region"] == FACTS_REGION
    for col in _PRICE_COLS:
        fill = out["volume_type"].map(facts_prices[col]).where(in_facts_region)
        used = out[col].isna() & fill.notna()
        out.loc[used, col] = fill[used]
        out.loc[used, "verify"] = True
        mixed = used & out["price_source"].eq(FEED_ID)
        out.loc[mixed, "price_source"] = f"{FEED_ID}+{FACTS_ID}"
    # A volume type without a storage price in a region is not offered there as far as we know.
    out = out[out["storage_usd_per_gb_month"].notna()]
    return out.sort_values(["volume_type", "region"], ignore_index=True)


def read_ebs(data_dir: Path) -> SourceResult:
    """Read table ``ebs`` from the facts table and the EBS price feed under ``data_dir``."""
    data_dir = Path(data_dir)
    facts = pd.read_csv(data_dir / FACTS, dtype=str)
    feed = json.loads((data_dir / FEED).read_text())
    names = name_to_code_map(read_region_records(data_dir))
    feed_date = to_iso_date(feed["manifest"]["hawkFilePublicationDate"])
    table = merge_prices(limits_frame(facts), feed_price_frame(feed, names), feed_date)
    unmapped = sorted(n for n in feed["regions"] if region_code(n, names) is None)
    sources = [
        file_record(
            data_dir,
            FACTS,
            FACTS_ID,
            "facts table (botocore 1.44.8 + AWS EC2 user guide)",
            "2023-01",
            license="CC BY-SA 4.0",
            rows=len(facts),
            notes="prices marked 'verify' by the source",
        ),
        file_record(
            data_dir,
            FEED,
            FEED_ID,
            "yeo/ec2.shop@74c9fd8a (aws.amazon.com EBS pricing feed)",
            feed_date,
            license="MIT; prices: AWS Price List",
            rows=len(feed["regions"]),
        ),
    ]
    gaps = [
        f"EBS prices for {len(unmapped)} feed locations without a region record (Local Zones, "
        "Wavelength, GovCloud...) are left out",
        "EBS snapshot, Fast Snapshot Restore and magnetic per-I/O request prices are not in the "
        "ebs table",
    ]
    return SourceResult(tables={"ebs": table}, sources=sources, coverage_gaps=gaps)
