"""Live sources: the AWS APIs (``--source aws``), bulk offer files (``--source offer-files``).

``read_aws`` (in :mod:`catalog.sources.live_aws`) refreshes every priced table from the APIs,
service by service and region by region.
``read_offer_files`` reads the same prices from downloaded bulk offer files.  Both return a
:class:`SourceResult` like the local readers; ``catalog.build`` merges, validates and writes.

A failed (service, region) is recorded in ``SourceResult.failures``: the build keeps the
previous rows of what failed and says so in the manifest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.merge import KEYS
from catalog.normalize import to_iso_date
from catalog.offer_files import OfferStats, iter_offer_file
from catalog.pricing import (
    INSTANCE_PRODUCT_FAMILIES,
    PriceItem,
)
from catalog.regions import region_code
from catalog.sources import SourceRecord, SourceResult
from catalog.sources.ec2 import specs_frame
from foundation.integrity import sha256_file

#: The regions the local build prices (the 16 of the pricing-page feeds), so that a live
#: build covers at least the same ground by default.
DEFAULT_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-southeast-1",
    "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-south-1",
)  # fmt: skip

PRICING_SOURCE = "aws-pricing-api"
SPEC_SOURCE = "aws-ec2-api:describe-instance-types"
OFFERINGS_SOURCE = "aws-ec2-api:describe-instance-type-offerings"
SPOT_GAP = (
    "absolute spot prices need DescribeSpotPriceHistory (not collected by this build); "
    "spot columns are empty"
)

#: ``progress(message)`` is called once per API call set or file (e.g. to tick a tqdm bar).
Progress = Callable[[str], None]

_PRICE_COLUMNS = [
    "instance_type", "region", "ondemand_usd_per_hour", "spot_savings_pct",
    "spot_interruption_band", "spot_usd_per_hour_est", "reserved_1y_no_upfront_usd_per_hour",
    "reserved_3y_no_upfront_usd_per_hour", "spot_usd_per_hour", "spot_price_as_of",
    "spot_price_source", "price_as_of", "price_source", "verify",
]  # fmt: skip


def _tick(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


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


def read_aws(*args: Any, **kwargs: Any) -> SourceResult:
    """The live API refresh; see :func:`catalog.sources.live_aws.read_aws`."""
    from catalog.sources.live_aws import read_aws as run

    return run(*args, **kwargs)


def _item_region(item: PriceItem, location_codes: Mapping[str, str]) -> str | None:
    """``regionCode`` of the product, else its ``location`` name through ``location_codes``."""
    code = item.attributes.get("regionCode")
    if code:
        return code
    location = item.attributes.get("location")
    return region_code(location, location_codes) if location else None


def read_offer_files(
    paths: Sequence[Path | str],
    progress: Progress | None = None,
    location_codes: Mapping[str, str] | None = None,
) -> SourceResult:
    """Table ``ec2_prices`` from bulk offer files (CSV or JSON, regional or global).

    Parameters
    ----------
    paths : list of paths
        Offer files; each is one source (``aws-offer-file:<file name>``).
    location_codes : mapping, optional
        Folded location name -> region code (``catalog.regions.name_to_code_map``), for old
        files whose products have no ``regionCode`` attribute.  Products whose region cannot
        be told are skipped and counted in a coverage gap.
    """
    location_codes = location_codes or {}
    frames: list[pd.DataFrame] = []
    sources: list[SourceRecord] = []
    gaps: list[str] = [SPOT_GAP]
    from catalog.sources import live_offers

    extras = SourceResult()
    for path in map(Path, paths):
        stats = OfferStats()
        source_id = f"aws-offer-file:{path.name}"
        rows, no_region = [], 0
        code = live_offers.offer_code(path)
        if code and code != live_offers.SERVICE_CODE_EC2:
            tables, row_stats = live_offers.other_service_rows(
                path, code, lambda i: _item_region(i, location_codes), stats
            )
            extras.extend(SourceResult(tables=tables))
            if row_stats.skipped:
                gaps.append(f"{path.name}: {sum(row_stats.skipped.values())} products matched "
                            "no item rule")  # fmt: skip
        kept = []
        is_ec2 = code in ("", live_offers.SERVICE_CODE_EC2)
        items = iter_offer_file(path, stats=stats, keep=live_offers.ec2_or_ebs) if is_ec2 else ()
        for item in items:
            region = _item_region(item, location_codes)
            if region is None:
                no_region += 1
                continue
            kept.append((item, region))
            row = price_row(item, region, source_id)
            if row is not None:
                rows.append(row)
        extras.extend(live_offers.ec2_file_extras(kept, source_id))
        df, duplicates = prices_frame(rows)
        frames.append(df)
        rejected = ", ".join(f"{k} {v}" for k, v in stats.rejected.most_common())
        sources.append(
            SourceRecord(
                id=source_id,
                path=str(path),
                origin="AWS Price List Bulk API offer file",
                data_date=stats.publication_date or "",
                license="AWS Price List",
                sha256=sha256_file(path),
                rows=len(df),
                notes=f"version {stats.version}; {stats.rows} rows/products read, "
                f"{stats.kept} SKUs kept; rejected by filter: {rejected or 'none'}; "
                f"{stats.malformed} malformed, {duplicates} duplicates",
            )
        )
        if no_region:
            gaps.append(f"{path.name}: {no_region} SKUs without a known region were skipped")
        _tick(progress, f"{path.name}: {len(df)} prices")
    prices, duplicates = prices_frame(
        {str(k): v for k, v in r.items()} for df in frames for r in df.to_dict("records")
    )
    if duplicates:
        gaps.append(f"{duplicates} (type, region) rows priced by several offer files: first kept")
    tables = {"ec2_prices": prices}
    for name, frame in extras.tables.items():
        keys = KEYS[name]
        tables[name] = frame.drop_duplicates(keys, keep="first").reset_index(drop=True)
    return SourceResult(tables=tables, sources=sources, coverage_gaps=gaps)
