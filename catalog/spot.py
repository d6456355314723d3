"""Measured spot prices: the latest DescribeSpotPriceHistory record per AZ, and per region.

No I/O here.  ``DescribeSpotPriceHistory`` returns a history (one record per price change per
availability zone, newest first but not guaranteed); the catalog keeps the latest record of
each (instance type, AZ) in ``ec2_spot_prices`` and gives ``ec2_prices`` the lowest of those
per region (``spot_usd_per_hour``), beside the advisor's savings-% estimate
(``spot_usd_per_hour_est``).  See
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from catalog.schema import TABLES

SPOT_COLUMNS = list(TABLES["ec2_spot_prices"].to_schema().columns)
#: An AZ name is its region plus a letter ("us-east-1f"); Local Zones ("us-east-1-bos-1a") too.
_AZ = re.compile(r"^(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d)")


def az_region(az: str) -> str | None:
    """The region of an availability-zone name.

    >>> az_region("us-east-1f")
    'us-east-1'
    """
    m = _AZ.match(az or "")
    return m.group("region") if m else None


def _iso(ts: Any) -> str:
    """A record's ``Timestamp`` (datetime from boto3, string in saved JSON) as ISO UTC."""
    t = pd.Timestamp(ts)
    t = t.tz_convert("UTC") if t.tzinfo else t  # naive times are taken as UTC
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def latest_per_az(
    records: Iterable[Mapping[str, Any]], source: str, product: str = "Linux/UNIX"
) -> pd.DataFrame:
    """``ec2_spot_prices`` rows: the latest ``product`` record of each (type, AZ).

    Records of other products (Windows, SUSE...) and non-positive prices are dropped.
    """
    rows = []
    for r in records:
        if r.get("ProductDescription") != product:
            continue
        price = float(r["SpotPrice"])
        region = az_region(r["AvailabilityZone"])
        if not price > 0 or region is None:
            continue
        rows.append(
            {
                "instance_type": r["InstanceType"],
                "region": region,
                "availability_zone": r["AvailabilityZone"],
                "spot_usd_per_hour": price,
                "price_as_of": _iso(r["Timestamp"]),
                "price_source": source,
                "verify": False,
            }
        )
    df = pd.DataFrame(rows, columns=SPOT_COLUMNS)
    # ISO UTC strings sort as times.
    df = df.sort_values("price_as_of", kind="stable")
    df = df.drop_duplicates(["instance_type", "availability_zone"], keep="last")
    return df.sort_values(["instance_type", "availability_zone"], ignore_index=True)


def attach_measured_spot(prices: pd.DataFrame, spot: pd.DataFrame | None) -> pd.DataFrame:
    """``prices`` with ``spot_usd_per_hour``/``spot_price_as_of``/``spot_price_source`` set.

    Per (type, region) the cheapest AZ's latest price; rows without a measurement get NaN and
    None (the estimate ``spot_usd_per_hour_est`` stays as it is).
    """
    out = prices.drop(
        columns=["spot_usd_per_hour", "spot_price_as_of", "spot_price_source"], errors="ignore"
    )
    if spot is None or spot.empty:
        return out.assign(spot_usd_per_hour=float("nan"), spot_price_as_of=None,
                          spot_price_source=None)  # fmt: skip
    cheapest = (
        spot.sort_values("spot_usd_per_hour", kind="stable")
        .drop_duplicates(["instance_type", "region"], keep="first")
        .assign(spot_price_source=lambda d: d["price_source"] + ":" + d["availability_zone"])
        .rename(columns={"price_as_of": "spot_price_as_of"})
    )[["instance_type", "region", "spot_usd_per_hour", "spot_price_as_of", "spot_price_source"]]
    merged = out.merge(cheapest, on=["instance_type", "region"], how="left")
    return merged[[*out.columns, "spot_usd_per_hour", "spot_price_as_of", "spot_price_source"]]
