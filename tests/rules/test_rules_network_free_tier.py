"""CloudFront's always-free data out is applied, not ignored (issue 9).

https://aws.amazon.com/cloudfront/pricing/: 1 TB (1,024 GB) of data out free each month
(always free tier), then $0.085 per GB for the first 10 TB from the United States and from
Europe.
"""

from __future__ import annotations

import pytest

from recommender import recommend


def test_cloudfront_cost_after_the_always_free_tier(cat, book):
    if not book.tiers("cloudfront.data_out.free_tier", "global"):
        pytest.skip("snapshot built before the free-tier row existed")
    r = recommend({"region": "us-east-1", "network": {
        "egress_gib_per_month": 5000, "static_content_fraction": 0.8,
        "user_regions": {"us-east-1": 0.5, "eu-west-1": 0.5}}}, catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    # 80% of 5,000 = 4,000 GB from the edge, half US, half EU; the 1,024 GB free split the
    # same way: 2 x (2,000 - 512) x 0.085 = 2 x 126.48 = $252.96.
    assert cf.monthly_cost_usd == pytest.approx(252.96, abs=0.01)
