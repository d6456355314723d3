"""AWS-documented network and trade-off scenarios, audit 10 (issue 9).

* Gateway VPC endpoints: "There is no additional charge for using gateway endpoints"
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).  A documented
  zero is a price: the option costs $0.00, with that quote in its reason, and no ``unpriced``
  entry of its own.  Interface endpoints bill per hour and per GB
  (https://aws.amazon.com/privatelink/pricing/); the NAT gateway data processing the endpoint
  keeps the S3 traffic off is billed per GB (https://aws.amazon.com/vpc/pricing/), and the
  catalog has no NAT gateway price: that saving is named, not counted.
"""

from __future__ import annotations

from recommender import recommend
from recommender.core.profile import parse_profile


def _text(o) -> str:
    return " ".join(x.text for x in o.reasons)


def _s3_profile():
    return parse_profile({"compute": {"vcpus": 4, "memory_gib": 16, "scale_out": "horizontal"},
                          "network": {"s3_traffic_gib_per_month": 20_000}})


def test_catalog_has_no_nat_or_endpoint_price(cat):
    """Why the NAT saving is named, not figured: no catalog row prices NAT or endpoints."""
    items = cat.unit_prices["item"]
    assert not items.str.contains("nat_gateway|natgateway|endpoint|privatelink", case=False).any()


def test_gateway_endpoint_is_priced_at_the_documented_zero(cat):
    r = recommend(_s3_profile(), catalog=cat, models=False)
    ep = next(o for o in r.recommendations.network if o.option == "vpc_endpoint")
    # AWS: no additional charge for gateway endpoints -> $0.00/month, counted, not open.
    assert ep.monthly_cost_usd == 0.0
    assert ep.config["type"] == "gateway"
    assert ep.unpriced == []
    text = _text(ep)
    assert '"There is no additional charge for using gateway endpoints"' in text
    assert "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html" in text
    # The NAT gateway processing it avoids (20,000 GiB/month) is named with the VPC pricing
    # page, and no dollar figure is invented for it.
    nat = next(x for x in ep.reasons if x.rule == "network.nat_avoided")
    assert "20,000 GiB/month" in nat.text and "https://aws.amazon.com/vpc/pricing/" in nat.text
    assert "$" not in nat.text
    comp = next(c for c in r.bundle.components if c.option == "vpc_endpoint")
    assert comp.monthly_cost_usd == 0.0
    assert not any("VPC endpoint" in u.item for u in r.bundle.unpriced)
