"""Unit prices in reason texts read as the catalog row gives them, not rounded to cents.

``fmt_usd`` rounds to cents (right for a monthly figure): S3 Standard's $0.023 per GB-month
read "$0.02" and an hourly rate of $0.2597 "$0.26".  Expected figures: the catalog's
us-east-1 rows (S3 Standard first tier $0.023/GB-month, https://aws.amazon.com/s3/pricing/;
the node rates of the EC2 price rows).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from recommender.core.engine import recommend

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_s3_standard_unit_price_keeps_its_third_decimal() -> None:
    r = recommend({"storage": {"sharing": "web", "access_frequency": "warm"}}, models=False)
    s3 = r.options("storage")[0]
    assert s3.option == "s3"
    text = next(x.text for x in s3.reasons if "GB-month" in x.text)
    assert "$0.023 per GB-month" in text


def test_job_node_rate_reads_as_the_catalog_row() -> None:
    # A batch job's month: runs x runtime x nodes x the node's hourly rate.  The rate shown
    # is the catalog row's own (the response's prices list), e.g. $0.97376/h, not "$0.97/h".
    profile = json.loads((GOLDEN / "batch_job_runtime.profile.json").read_text())
    r = recommend(profile)
    best = r.options("compute")[0]
    text = next(x.text for x in best.reasons if x.rule == "job.monthly_hours")
    rate = next(p.usd for p in r.prices if p.option == best.option and p.rank == best.rank
                and p.item == f"ec2.{best.purchase_option}")
    m = re.search(r"h x \$([0-9.]+)/h = ", text)
    assert m is not None, text
    assert float(m.group(1)) == rate
