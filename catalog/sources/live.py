"""Live sources: the AWS APIs (``--source aws``), bulk offer files (``--source offer-files``).

``read_aws`` (in :mod:`catalog.sources.live_aws`) refreshes every priced table from the APIs,
service by service and region by region.
``read_offer_files`` reads the same prices from downloaded bulk offer files.  Both return a
:class:`SourceResult` like the local readers; ``catalog.build`` merges, validates and writes.

A failed (service, region) is recorded in ``SourceResult.failures``: the build keeps the
previous rows of what failed and says so in the manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.merge import KEYS
from catalog.offer_files import OfferStats, iter_offer_file
from catalog.pricing import (
    PriceItem,
)
from catalog.regions import region_code
from catalog.sources import SourceRecord, SourceResult

# Re-exported: callers and tests use them as ``live.price_row`` etc.
from catalog.sources.live_ec2 import (
    OFFERINGS_SOURCE,
    PRICING_SOURCE,
    SPEC_SOURCE,
    ec2_frame,
    price_row,
    prices_frame,
)
from foundation.integrity import sha256_file

#: The regions the local build prices (the 16 of the pricing-page feeds), so that a live
#: build covers at least the same ground by default.
DEFAULT_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-southeast-1",
    "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-south-1",
)  # fmt: skip


__all__ = ["OFFERINGS_SOURCE", "PRICING_SOURCE", "SPEC_SOURCE", "ec2_frame", "price_row",
           "prices_frame", "read_aws", "read_offer_files"]  # fmt: skip

SPOT_GAP = (
    "absolute spot prices need DescribeSpotPriceHistory (not collected by this build); "
    "spot columns are empty"
)

#: ``progress(message)`` is called once per API call set or file (e.g. to tick a tqdm bar).
Progress = Callable[[str], None]


def _tick(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


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


def _ec2_offer_rows(
    path: Path, code: str, location_codes: Mapping[str, str], stats: OfferStats
) -> tuple[list[dict[str, Any]], list[tuple[PriceItem, str]], int]:
    """``ec2_prices`` rows, the kept (item, region) pairs and the region-less count of a file."""
    from catalog.sources import live_offers

    rows: list[dict[str, Any]] = []
    kept: list[tuple[PriceItem, str]] = []
    no_region = 0
    if code not in ("", live_offers.SERVICE_CODE_EC2):
        return rows, kept, no_region
    for item in iter_offer_file(path, stats=stats, keep=live_offers.ec2_or_ebs):
        region = _item_region(item, location_codes)
        if region is None:
            no_region += 1
            continue
        kept.append((item, region))
        row = price_row(item, region, f"aws-offer-file:{path.name}")
        if row is not None:
            rows.append(row)
    return rows, kept, no_region


def _offer_record(path: Path, stats: OfferStats, *, rows: int, duplicates: int) -> SourceRecord:
    rejected = ", ".join(f"{k} {v}" for k, v in stats.rejected.most_common())
    return SourceRecord(
        id=f"aws-offer-file:{path.name}",
        path=str(path),
        origin="AWS Price List Bulk API offer file",
        data_date=stats.publication_date or "",
        license="AWS Price List",
        sha256=sha256_file(path),
        rows=rows,
        notes=f"version {stats.version}; {stats.rows} rows/products read, "
        f"{stats.kept} SKUs kept; rejected by filter: {rejected or 'none'}; "
        f"{stats.malformed} malformed, {duplicates} duplicates",
    )


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
        code = live_offers.offer_code(path)
        if code and code != live_offers.SERVICE_CODE_EC2:
            tables, row_stats = live_offers.other_service_rows(
                path, code, lambda i: _item_region(i, location_codes), stats
            )
            extras.extend(SourceResult(tables=tables))
            if row_stats.skipped:
                gaps.append(f"{path.name}: {sum(row_stats.skipped.values())} products matched "
                            "no item rule")  # fmt: skip
        rows, kept, no_region = _ec2_offer_rows(path, code, location_codes, stats)
        extras.extend(live_offers.ec2_file_extras(kept, source_id))
        df, duplicates = prices_frame(rows)
        frames.append(df)
        sources.append(_offer_record(path, stats, rows=len(df), duplicates=duplicates))
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
