"""Every cost counted or named (issue 9): data out, SQS, CloudFront requests, the bundle.

Prices from the AWS pages the rules cite:

* https://aws.amazon.com/ec2/pricing/on-demand/ "Data Transfer", US East (N. Virginia), data
  out to the internet: first 10 TB/month $0.09 per GB, next 40 TB $0.085 per GB.  The page's
  monthly free allowance (aggregated across services) is not in the catalog's feed, so it is
  not deducted (the rule says so).
* https://aws.amazon.com/cloudfront/pricing/: 1 TB (1,024 GB) of data out always free, then
  $0.085 per GB (United States, Europe); HTTPS requests $0.0100 per 10,000 (United States).
* https://aws.amazon.com/sqs/pricing/: standard queue $0.40 per million requests after the
  free tier, whose quantity the catalog's feed does not carry (not deducted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender import recommend

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _component(r, option):
    return next((c for c in r.bundle.components if c.option == option), None)


def test_data_out_is_the_egress_cloudfront_does_not_serve(cat):
    r = recommend({"region": "us-east-1", "network": {
        "egress_gib_per_month": 5000, "static_content_fraction": 0.8,
        "user_regions": {"us-east-1": 0.5, "eu-west-1": 0.5}}}, catalog=cat, models=False)
    out = _component(r, "data_transfer_out")
    assert out is not None
    # 20% of 5,000 GiB is dynamic and leaves the region: 1,000 GB x $0.09 = $90.00 (no free
    # allowance taken off: it is not in the catalog).
    assert out.monthly_cost_usd == pytest.approx(90.00, abs=0.01)
    assert "not deducted" in out.why
    # CloudFront (80% = 4,000 GB at the edge after 1,024 GB free): 2 x 1,488 x 0.085 = $252.96;
    # the bundle counts both, once each.
    assert r.bundle.breakdown["network"] == pytest.approx(90.00 + 252.96, abs=0.02)


def test_data_out_without_cloudfront_goes_through_the_tiers(cat):
    r = recommend({"region": "us-east-1", "network": {"egress_gib_per_month": 20000}},
                  catalog=cat, models=False)
    assert not any(o.kind == "cloudfront" for o in r.recommendations.network)
    out = _component(r, "data_transfer_out")
    # 10,240 GB x $0.09 + (20,000 - 10,240) GB x $0.085 = 921.60 + 829.60 = $1,751.20.
    assert out.monthly_cost_usd == pytest.approx(1751.20, abs=0.01)
    assert r.bundle.total_monthly_usd == pytest.approx(sum(r.bundle.breakdown.values()),
                                                       abs=0.01)


def test_no_egress_no_data_out_component(cat):
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4}},
                  catalog=cat, models=False)
    assert _component(r, "data_transfer_out") is None


def test_sqs_buffering_priced_without_an_invented_free_tier(cat):
    p = json.loads((GOLDEN / "tradeoffs_all.profile.json").read_text())
    r = recommend(p, catalog=cat, models=False)
    buf = next(o for o in r.recommendations.tradeoffs if o.option == "buffering")
    # 20,000 writes/s x 730 h x 3,600 s = 52,560,000,000 messages; each is sent, received
    # and deleted (3 requests: "every Amazon SQS action counts as a request",
    # https://aws.amazon.com/sqs/pricing/), batched 10 a call (SQS batch actions page):
    # 0.3 requests per message = 15,768,000,000 requests x $0.40 per million = $6,307.20;
    # the free tier has no quantity in the catalog.
    assert buf.monthly_cost_usd == pytest.approx(6307.20, abs=0.01)
    text = " ".join(x.text for x in buf.reasons)
    assert "$0.40 per million" in text and "not deducted" in text


def test_cloudfront_requests_are_named_with_the_catalog_price(cat):
    r = recommend({"region": "us-east-1", "network": {
        "egress_gib_per_month": 5000, "static_content_fraction": 0.8}}, catalog=cat,
        models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    named = {u.item: u.reason for u in cf.unpriced}
    assert "CloudFront HTTP/HTTPS requests" in named
    # $0.0100 per 10,000 HTTPS requests in the United States (pricing page).
    assert "$0.0100 per 10,000" in named["CloudFront HTTP/HTTPS requests"]
    assert "CloudFront HTTP/HTTPS requests" in {u.item for u in r.bundle.unpriced}


def _profiles():
    out = {p.name: json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.profile.json"))}
    out["links"] = {"region": "us-east-1",
                    "compute": {"vcpus": 64, "memory_gib": 256, "scale_out": "tightly_coupled"},
                    "network": {"on_premises_link": True, "s3_traffic_gib_per_month": 100,
                                "bandwidth_gbps": 50}}
    return out


@pytest.mark.parametrize("name", sorted(_profiles()))
def test_every_chosen_options_unpriced_reaches_the_bundle(cat, name):
    r = recommend(_profiles()[name], catalog=cat, models=False)
    if r.bundle is None:
        return
    bundled = {u.item for u in r.bundle.unpriced}
    for comp in r.bundle.components:
        opts = getattr(r.recommendations, comp.category, [])
        o = next((x for x in opts if x.option == comp.option), None)
        if o is None:
            continue  # the data-out component is not a ranked option
        assert {u.item for u in o.unpriced} <= bundled, (name, comp.option)
        if o.monthly_cost_usd is None and o.kind != "region":
            # Without a price, the option is named (by its own items or generically).
            assert o.unpriced or any(comp.option in item for item in bundled), comp.option
    # A region is a choice, not a charge: never listed as an unpriced cost.
    assert not any(item.startswith("network: region:") for item in bundled)


def test_links_name_what_the_catalog_cannot_price(cat):
    r = recommend(_profiles()["links"], catalog=cat, models=False)
    named = {u.item for o in r.recommendations.network for u in o.unpriced}
    assert "Direct Connect port hours and data transfer out" in named
    # The gateway endpoint is priced at AWS's documented $0 (no longer named unpriced).
    ep = next(o for o in r.recommendations.network if o.option == "vpc_endpoint")
    assert ep.monthly_cost_usd == 0.0 and "Gateway VPC endpoint for S3" not in named
