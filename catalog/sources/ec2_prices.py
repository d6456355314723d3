"""EC2 prices from the local source files (table ``ec2_prices``).

On-demand prices come from the aws.amazon.com pricing-page feeds saved by ec2.shop (16
regions, 2025-04-04) and from Karpenter's generated us-east-1 table (2026-07-20); the Spot
Instance Advisor gives savings % and interruption bands, and the ec2.shop reserved-instance
feeds give us-east-1 1-yr/3-yr No Upfront rates.  ``catalog.sources.ec2.read_ec2`` calls
:func:`read_prices` and joins the result with the specs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import is_metal, parse_price, to_iso_date
from catalog.regions import region_code
from catalog.sources import SourceRecord, file_record

FEEDS = Path("ec2/ec2shop_pricing_feeds_20250404")
KARPENTER = Path("ec2/karpenter_ondemand_linux_us-east-1_20260720.csv")
SPOT_ADVISOR = Path("ec2/aws_spot-advisor-data_via_spotinfo_20250628.json")

KARPENTER_ID = "karpenter:ondemand_us-east-1"
KARPENTER_DATE = "2026-07-20"  # "generated at 2026-07-20T13:44:30Z" (PROVENANCE)
SPOT_DATE = "2025-06-28"  # spotinfo commit date of the advisor snapshot (PROVENANCE)
EC2SHOP_ORIGIN = "yeo/ec2.shop@74c9fd8a (aws.amazon.com pricing-page feed)"


def feed_prices(feed: Mapping[str, Any], names: Mapping[str, str], source_id: str) -> pd.DataFrame:
    """On-demand rows ``instance_type, region, ondemand_usd_per_hour`` from one pricing feed.

    Raises
    ------
    ValueError
        When a region name of the feed has no known code (the message names it).
    """
    as_of = to_iso_date(feed["manifest"]["hawkFilePublicationDate"])
    rows = []
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        if code is None:
            raise ValueError(f"{source_id}: region name {region_name!r} has no known code")
        for entry in entries.values():
            rows.append(
                {
                    "instance_type": entry["Instance Type"],
                    "region": code,
                    "ondemand_usd_per_hour": parse_price(entry["price"]),
                    "price_as_of": as_of,
                    "price_source": source_id,
                    "verify": False,
                }
            )
    return pd.DataFrame(rows)


def combine_ondemand(feeds: pd.DataFrame, karpenter: pd.DataFrame) -> pd.DataFrame:
    """One on-demand row per (type, region): the newest source wins, except bare metal.

    Karpenter prices ``*.metal*`` with the Dedicated-tenancy rate (PROVENANCE), which is not
    the Shared-tenancy row of the feeds: where the feed has the metal type its price stays;
    a metal type only Karpenter has keeps Karpenter's price with ``verify=True``.
    """
    metal = karpenter["instance_type"].map(is_metal)
    feed_keys = set(zip(feeds["instance_type"], feeds["region"], strict=True))
    in_feed = pd.Series(
        [k in feed_keys for k in zip(karpenter["instance_type"], karpenter["region"], strict=True)],
        index=karpenter.index,
        dtype=bool,
    )
    karp = karpenter[~(metal & in_feed)].copy()
    karp.loc[metal[karp.index], "verify"] = True
    both = pd.concat([feeds, karp], ignore_index=True)
    both = both.sort_values("price_as_of", kind="stable")
    return both.drop_duplicates(["instance_type", "region"], keep="last").reset_index(drop=True)


def add_spot(prices: pd.DataFrame, advisor: Mapping[str, Any]) -> pd.DataFrame:
    """Add Spot Advisor Linux savings %, interruption band and the OD x (1 - s/100) estimate."""
    bands = {r["index"]: r["label"] for r in advisor["ranges"]}
    rows = [
        {"instance_type": t, "region": region, "spot_savings_pct": float(v["s"]), "band": v["r"]}
        for region, oses in advisor["spot_advisor"].items()
        for t, v in oses.get("Linux", {}).items()
    ]
    spot = pd.DataFrame(rows, columns=["instance_type", "region", "spot_savings_pct", "band"])
    spot["spot_interruption_band"] = spot.pop("band").map(bands)
    out = prices.merge(spot, on=["instance_type", "region"], how="left")
    out["spot_usd_per_hour_est"] = out["ondemand_usd_per_hour"] * (
        1 - out["spot_savings_pct"] / 100
    )
    return out


def reserved_rates(feed: Mapping[str, Any], names: Mapping[str, str]) -> pd.DataFrame:
    """``instance_type, region, rate`` from a reserved-instance feed (Standard, No Upfront)."""
    rows = []
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        for e in entries.values():
            # Only Linux shared-tenancy No Upfront rows belong in the ec2_prices row.
            if (e.get("Tenancy"), e.get("PurchaseOption"), e.get("Operating System")) != (
                "Shared",
                "No Upfront",
                "Linux",
            ):
                continue
            rows.append({"instance_type": e["Instance Type"], "region": code, "rate": e["price"]})
    df = pd.DataFrame(rows, columns=["instance_type", "region", "rate"])
    df["rate"] = df["rate"].map(parse_price)
    return df.drop_duplicates(["instance_type", "region"])


@dataclass
class PriceSources:
    """What :func:`read_prices` read: the price rows, their sources and the raw feeds.

    ``ondemand_feeds`` maps each on-demand feed's file stem to its parsed JSON, so the spec
    reader can take the few specs the feeds carry without reading the files again.
    """

    prices: pd.DataFrame
    sources: list[SourceRecord] = field(default_factory=list)
    ondemand_feeds: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    advisor: Mapping[str, Any] = field(default_factory=dict)


def _karpenter(data_dir: Path) -> pd.DataFrame:
    karp = pd.read_csv(data_dir / KARPENTER, dtype=str)
    return pd.DataFrame(
        {
            "instance_type": karp["instance_type"],
            "region": karp["region"],
            "ondemand_usd_per_hour": karp["ondemand_usd_per_hour"].map(parse_price),
            "price_as_of": KARPENTER_DATE,
            "price_source": KARPENTER_ID,
            "verify": False,
        }
    )


def _ondemand_feeds(data_dir: Path, names: Mapping[str, str], out: PriceSources
                    ) -> pd.DataFrame:
    """The on-demand rows of the pricing-page feeds; each feed is recorded in ``out``."""
    feed_frames = []
    for path in sorted((data_dir / FEEDS).glob("*-ondemand.json")):
        feed = json.loads(path.read_text())
        out.ondemand_feeds[path.stem] = feed
        sid = f"ec2shop:{path.stem}"
        df = feed_prices(feed, names, sid)
        feed_frames.append(df)
        out.sources.append(
            file_record(
                data_dir,
                path.relative_to(data_dir),
                sid,
                EC2SHOP_ORIGIN,
                to_iso_date(feed["manifest"]["hawkFilePublicationDate"]),
                license="MIT; prices: AWS Price List",
                rows=len(df),
            )
        )
    # A type listed in both the current and previous-generation feed keeps the current one.
    return pd.concat(feed_frames, ignore_index=True).drop_duplicates(
        ["instance_type", "region"], keep="first"
    )


def _add_reserved(prices: pd.DataFrame, data_dir: Path, names: Mapping[str, str],
                  out: PriceSources) -> pd.DataFrame:
    """Join the us-east-1 1-yr/3-yr No Upfront rates; each RI feed is recorded in ``out``."""
    for term in ("1y", "3y"):
        rel = FEEDS / f"us-east-1-reservedinstance-{term}.json"
        ri = reserved_rates(json.loads((data_dir / rel).read_text()), names)
        col = f"reserved_{term}_no_upfront_usd_per_hour"
        prices = prices.merge(
            ri.rename(columns={"rate": col}), on=["instance_type", "region"], how="left"
        )
        out.sources.append(
            file_record(
                data_dir,
                rel,
                f"ec2shop:us-east-1-reservedinstance-{term}",
                EC2SHOP_ORIGIN,
                "2025-04-04",
                license="MIT; prices: AWS Price List",
                rows=len(ri),
                notes="manifest has no date; same commit as the 2025-04-04 on-demand feeds",
            )
        )
    return prices


def read_prices(data_dir: Path, names: Mapping[str, str]) -> PriceSources:
    """Read the ``ec2_prices`` rows of every priced type (with or without specs).

    Parameters
    ----------
    data_dir : Path
        The shared data directory.
    names : mapping
        Folded region name -> region code (``catalog.regions.name_to_code_map``).
    """
    data_dir = Path(data_dir)
    out = PriceSources(prices=pd.DataFrame())
    feeds = _ondemand_feeds(data_dir, names, out)
    karp = _karpenter(data_dir)
    out.sources.append(
        file_record(
            data_dir,
            KARPENTER,
            KARPENTER_ID,
            "aws/karpenter-provider-aws@6fc13b52 (GetProducts AmazonEC2)",
            KARPENTER_DATE,
            license="Apache-2.0; prices: AWS Price List",
            rows=len(karp),
            notes="*.metal prices are Dedicated tenancy; feed price kept",
        )
    )
    prices = combine_ondemand(feeds, karp)

    out.advisor = json.loads((data_dir / SPOT_ADVISOR).read_text())
    prices = add_spot(prices, out.advisor)
    out.sources.append(
        file_record(
            data_dir,
            SPOT_ADVISOR,
            "spot-advisor",
            "alexei-led/spotinfo@5eedf20a (AWS Spot Instance Advisor feed)",
            SPOT_DATE,
            license="Apache-2.0",
        )
    )
    prices = _add_reserved(prices, data_dir, names, out)
    # Measured spot prices are attached at build time from ec2_spot_prices (catalog.spot).
    out.prices = prices.assign(spot_usd_per_hour=float("nan"), spot_price_as_of=None,
                               spot_price_source=None)  # fmt: skip
    return out


def price_gaps(prices: pd.DataFrame, advisor: Mapping[str, Any]) -> list[str]:
    """Coverage gaps of the local price sources (spot estimates, RI regions, spot-only regions)."""
    gaps = [
        "absolute spot prices: estimated as OD x (1 - savings%) from the Spot Instance Advisor "
        f"({SPOT_DATE}); no measured spot price history",
        "reserved-instance rates: us-east-1 only (Standard, No Upfront, 1-yr and 3-yr)",
    ]
    spot_only = sorted(set(advisor["spot_advisor"]) - set(prices["region"]))
    if spot_only:
        gaps.append(
            "spot savings for regions without on-demand prices are not kept: "
            + ", ".join(spot_only)
        )
    return gaps
