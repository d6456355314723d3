"""Measured spot prices from a saved DescribeSpotPriceHistory response (``ec2_spot_prices``).

The only absolute spot prices in ``../shared/data`` are aws/amazon-ec2-instance-selector's
recorded response for m5.large (us-east-1, February 2021; PROVENANCE.md).  They are old and
say so through ``price_as_of``; the savings-% estimate of ``ec2_prices`` stays beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

from catalog.sources import SourceResult, file_record
from catalog.spot import latest_per_az

SPOT_HISTORY = Path("pricing_api/ec2_api/DescribeSpotPriceHistory_m5_large.json")
SOURCE_ID = "aws-ec2-api:describe-spot-price-history:sample-m5.large"


def read_spot_history(data_dir: Path) -> SourceResult:
    """Table ``ec2_spot_prices``: the latest Linux/UNIX price per (type, AZ) of the sample."""
    data_dir = Path(data_dir)
    records = json.loads((data_dir / SPOT_HISTORY).read_text())["SpotPriceHistory"]
    df = latest_per_az(records, SOURCE_ID)
    newest = str(df["price_as_of"].max()) if len(df) else "unknown"
    record = file_record(
        data_dir, SPOT_HISTORY, SOURCE_ID,
        "aws/amazon-ec2-instance-selector test/static/DescribeSpotPriceHistory/m5_large.json",
        newest[:10], license="Apache-2.0", rows=len(df),
        notes=f"{len(records)} history records; latest per AZ kept",
    )  # fmt: skip
    gaps = [
        "measured spot prices (DescribeSpotPriceHistory): local build has m5.large us-east-1 "
        f"(as of {newest[:10]}) only; other types use the advisor estimate; "
        "a live build (--source aws) measures every priced type"
    ]
    return SourceResult(tables={"ec2_spot_prices": df}, sources=[record], coverage_gaps=gaps)
