"""FSx for Lustre: capacity steps, throughput, price; absent without catalog prices (issue 9).

Capacity 1.2 TiB or multiples of 2.4 TiB
(https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-storage-capacity.html); Scratch 2
baseline 200 MB/s per TiB (https://docs.aws.amazon.com/fsx/latest/LustreGuide/performance.html).
The price row below stands for what a live build (AmazonFSx) writes; its figure is the
us-east-1 Scratch 2 SSD list price, $0.140 per GB-month, of
https://aws.amazon.com/fsx/lustre/pricing/.
"""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.rules.base import Rejections
from recommender.rules.prices import PriceBook
from recommender.rules.storage.block import storage_options
from recommender.rules.storage.fsx import fsx_lustre_option, lustre_capacity_tib
from recommender.rules.storage.need import storage_need

COLS = ["service", "item", "region", "unit", "price_usd", "tier_start", "tier_end",
        "to_region", "price_as_of", "price_source", "verify", "notes"]
FACTS = ["topic", "key", "value", "unit", "scope", "source_url", "verify", "notes"]


@pytest.mark.parametrize(("gib", "mibps", "tib"), [
    (500, None, 1.2),  # under 1.2 TiB: the first size
    (2000, None, 2.4),  # 1.95 TiB -> the first multiple of 2.4
    (5000, None, 7.2),  # 4.88 TiB -> 3 x 2.4
    # 1,000 MiB/s = 1,048.6 MB/s / 200 per TiB = 5.24 TiB -> 7.2 TiB
    (100, 1000, 7.2),
])
def test_capacity_steps_and_throughput(gib, mibps, tib):
    assert lustre_capacity_tib(gib, mibps) == pytest.approx(tib)


def test_priced_when_the_catalog_has_fsx(profile):
    book = PriceBook(pd.DataFrame([[
        "fsx", "fsx.lustre.ssd.scratch_2.storage_gb_month", "us-east-1", "USD per GB-month",
        0.140, 0.0, None, None, "2026-12-01", "aws-pricing-api", False, None]], columns=COLS),
        pd.DataFrame(columns=FACTS))
    n = storage_need(profile(storage={"size_gib": 2000, "sharing": "multi_instance",
                                      "persistence": "scratch"}))
    c = fsx_lustre_option(n, book, "us-east-1", Rejections())
    # 2.4 TiB = 2,457.6 GiB x 0.140 = $344.064
    assert c.monthly_cost_usd == pytest.approx(344.064)
    assert c.config["price_source"] == "aws-pricing-api"


def test_absent_with_the_gap_when_the_catalog_lacks_fsx(profile, cat, book):
    if book.items("fsx.lustre.", "us-east-1"):
        pytest.skip("this catalog has FSx prices (a live build)")
    rej = Rejections()
    p = profile(storage={"size_gib": 2000, "sharing": "multi_instance",
                         "persistence": "scratch"})
    out = storage_options(p, cat, book, "us-east-1", rej)
    assert "fsx_lustre" not in {c.option for c in out}
    assert rej.counts["storage.fsx_no_price_in_catalog"] == 1
    efs = next(c for c in out if c.option == "efs")
    assert any(r.rule == "storage.fsx_lustre" for r in efs.reasons)
    gaps = " ".join(cat.manifest.get("coverage_gaps", []))
    if "fsx" in gaps:  # the rebuilt snapshot lists it
        assert "FSx" in gaps
