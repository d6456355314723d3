"""EC2 rows of the live sources: ``ec2_prices`` rows of Price List items, the ``ec2`` table of
DescribeInstanceTypes records.  Shared by the API refresh (:mod:`catalog.sources.live_aws`)
and the offer-file reader (:mod:`catalog.sources.live`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from catalog.normalize import to_iso_date
from catalog.pricing import INSTANCE_PRODUCT_FAMILIES, PriceItem
from catalog.sources.ec2 import specs_frame

PRICING_SOURCE = "aws-pricing-api"
SPEC_SOURCE = "aws-ec2-api:describe-instance-types"
SPOT_SOURCE = "aws-ec2-api:describe-spot-price-history"
SP_SOURCE = "aws-savingsplans-api:describe-savings-plans-offering-rates"
REGIONS_SOURCE = "aws-ec2-api:describe-regions"
OFFERINGS_SOURCE = "aws-ec2-api:describe-instance-type-offerings"

_PRICE_COLUMNS = [
    "instance_type", "region", "ondemand_usd_per_hour", "spot_savings_pct",
    "spot_interruption_band", "spot_usd_per_hour_est", "reserved_1y_no_upfront_usd_per_hour",
    "reserved_3y_no_upfront_usd_per_hour", "spot_usd_per_hour", "spot_price_as_of",
    "spot_price_source", "price_as_of", "price_source", "verify",
]  # fmt: skip



def price_row(item: PriceItem, region: str, source_id: str) -> dict[str, Any] | None:
    """The ``ec2_prices`` row of one parsed item, ``None`` when it is not a usable price.

    Zero-priced SKUs are not On-Demand instance rates (AWS bills those elsewhere), and a
    missing rate is not a price: both give no row rather than a 0 the schema would reject.
    The RI columns take the *Standard* No Upfront offer, as the pricing pages' RI tables do.
    """
    if item.product_family not in INSTANCE_PRODUCT_FAMILIES:
        return None
    od = item.ondemand_usd_per_hour
    itype = item.attributes.get("instanceType")
    if not itype or od is None or not od > 0:
        return None
    r1, r3 = item.reserved("1yr"), item.reserved("3yr")
    return {
        "instance_type": itype,
        "region": region,
        "ondemand_usd_per_hour": od,
        "spot_savings_pct": math.nan,
        "spot_interruption_band": None,
        "spot_usd_per_hour_est": math.nan,
        "reserved_1y_no_upfront_usd_per_hour": r1 if r1 and r1 > 0 else math.nan,
        "reserved_3y_no_upfront_usd_per_hour": r3 if r3 and r3 > 0 else math.nan,
        "spot_usd_per_hour": math.nan,
        "spot_price_as_of": None,
        "spot_price_source": None,
        "price_as_of": to_iso_date(item.publication_date) if item.publication_date else "",
        "price_source": source_id,
        "verify": False,
    }


def prices_frame(rows: Iterable[dict[str, Any]]) -> tuple[pd.DataFrame, int]:
    """``ec2_prices`` rows with one row per (type, region), and how many duplicates fell.

    The filters leave one SKU per type and region; if AWS ever lists two, the first is kept
    and the count is reported rather than one silently overwriting the other.
    """
    df = pd.DataFrame(list(rows), columns=_PRICE_COLUMNS)
    before = len(df)
    df = df.drop_duplicates(["instance_type", "region"], keep="first").reset_index(drop=True)
    return df, before - len(df)


def ec2_frame(
    infos: Mapping[str, Mapping[str, Any]], offered: Mapping[str, set[str]]
) -> pd.DataFrame:
    """The ``ec2`` table from DescribeInstanceTypes records (one per type) and offerings.

    Uses the same mapping as the local build (``catalog.sources.ec2``).  Burst credits and
    CoreMark are not in the EC2 API: those columns stay empty (``perf_index`` "missing").
    """
    no_burst = pd.DataFrame(
        columns=[
            "instance_type",
            "baseline_utilization_per_vcpu_pct",
            "cpu_credits_earned_per_hour",
            "max_earned_credits_accrued",
        ]
    )
    df = specs_frame(infos, no_burst, {}, offered)
    for col in ("baseline_pct_per_vcpu", "cpu_credits_per_hour", "max_cpu_credits"):
        df[col] = df[col].astype(float)
    df["spec_source"] = SPEC_SOURCE
    return df
