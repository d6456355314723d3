"""Spot prices (issue 15): measured from DescribeSpotPriceHistory when the catalog has them.

The measured rows come from a recorded ``DescribeSpotPriceHistory`` response (the public
sample of aws/amazon-ec2-instance-selector, tests/fixtures/aws, m5.large in us-east-1) through
``catalog.spot.latest_per_az``, the same step the live build runs.  The latest Linux/UNIX
record of each AZ in that file, read by hand:

    us-east-1f 0.0437 (2021-02-09T01:40:10Z)   us-east-1a 0.0423 (2021-02-08T23:58:38Z)
    us-east-1b 0.0389 (2021-02-08T21:46:09Z)   us-east-1c 0.0381 (2021-02-08T20:38:39Z)
    us-east-1d 0.0431 (2021-02-08T19:14:31Z)

so the lowest is us-east-1c at $0.0381/h (5 AZs, dearest $0.0437/h); the older us-east-1c
record at $0.0380 is superseded and must not be used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from catalog.spot import latest_per_az
from catalog.store import Catalog
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.purchase import effective_prices

SOURCE = "aws-ec2-api:describe-spot-price-history:test"


@pytest.fixture(scope="module")
def spot_rows(fixtures_dir: Path) -> Any:
    records = json.loads((fixtures_dir / "aws" / "DescribeSpotPriceHistory_m5_large_excerpt.json")
                         .read_text())["SpotPriceHistory"]
    return latest_per_az(records, SOURCE)


def _with_spot(cat: Any, rows: Any | None) -> Catalog:
    tables = {k: v for k, v in cat.tables.items() if k != "ec2_spot_prices"}
    if rows is not None:
        tables["ec2_spot_prices"] = rows
    return Catalog(tables=tables, manifest=cat.manifest)


def test_spot_is_the_lowest_measured_az_price(cat: Any, spot_rows: Any) -> None:
    c = _with_spot(cat, spot_rows)
    ix = ec2_index(c)
    r, i = ix.region_pos["us-east-1"], ix.pos["m5.large"]
    pr = effective_prices(ix, r, ("spot",), catalog=c, warnings=[])
    assert pr.po[i] == "spot"
    assert pr.price[i] == pytest.approx(0.0381)  # us-east-1c, see the module docstring
    conf = pr.config(i)
    assert conf["price_as_of"] == "2021-02-08T20:38:39Z"
    assert conf["price_source"] == SOURCE
    assert conf["spot_price_basis"] == "measured"
    assert conf["spot_availability_zone"] == "us-east-1c"
    assert conf["spot_availability_zones_measured"] == 5
    assert conf["spot_price_note"] == "measured spot price, us-east-1c, 2021-02-08"
    assert pr.spot is not None
    text = pr.spot.text(i, float(pr.price[i]), pr.as_of[i])
    assert "$0.0381-$0.0437/h" in text and "using-spot-instances-history" in text
    # The lookup is built once per catalog: the same index object on the next call.
    assert ec2_index(c) is ix


def test_without_spot_rows_the_estimate_is_used_and_said(cat: Any) -> None:
    c = _with_spot(cat, None)
    ix = ec2_index(c)
    r, i = ix.region_pos["us-east-1"], ix.pos["m5.large"]
    pr = effective_prices(ix, r, ("spot",), catalog=c, warnings=[])
    row = cat.ec2_prices.set_index(["instance_type", "region"]).loc[("m5.large", "us-east-1")]
    # The estimate is on-demand x (1 - the advisor's savings %), dated like the on-demand price.
    est = row["ondemand_usd_per_hour"] * (1 - row["spot_savings_pct"] / 100)
    assert pr.price[i] == pytest.approx(est)
    conf = pr.config(i)
    assert conf["spot_price_basis"] == "estimate"
    assert conf["spot_price_note"] == "estimate from savings %"
    assert conf["price_as_of"] == row["price_as_of"]
    assert "spot_availability_zone" not in conf
    assert not np.any(~np.isnan(ix.spot_measured.price))
