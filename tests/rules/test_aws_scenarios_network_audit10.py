"""AWS-documented network and trade-off scenarios, audit 10 (issue 9).

* Gateway VPC endpoints: "There is no additional charge for using gateway endpoints"
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).  A documented
  zero is a price: the option costs $0.00, with that quote in its reason, and no ``unpriced``
  entry of its own.  Interface endpoints bill per hour and per GB
  (https://aws.amazon.com/privatelink/pricing/); the NAT gateway data processing the endpoint
  keeps the S3 traffic off is billed per GB (https://aws.amazon.com/vpc/pricing/), and the
  catalog has no NAT gateway price: that saving is named, not counted.
* Unit prices are written as the pricing pages write them, not rounded to cents: a Kinesis
  shard-hour is $0.015 (https://aws.amazon.com/kinesis/data-streams/pricing/), data out to
  the internet from ap-northeast-1 starts at $0.114 per GB, and sa-east-1 -> ap-northeast-1
  is $0.138 per GB (https://aws.amazon.com/ec2/pricing/on-demand/, "Data Transfer"); the
  catalog's rows are checked below.
"""

from __future__ import annotations

import pytest

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


def test_unit_price_rows_behind_the_texts(book):
    assert book.unit("kinesis.shard_hour", "us-east-1").price_usd == pytest.approx(0.015)
    first = book.tiers("datatransfer.internet_out", "ap-northeast-1")[0]
    assert (first.start, first.price_usd) == pytest.approx((0.0, 0.114))
    sa = book.cost("datatransfer.inter_region_out", "sa-east-1", 1.0, to_region="ap-northeast-1",
                   per="GB")
    assert sa is not None and sa.usd == pytest.approx(0.138)


def test_kinesis_shard_hour_reads_as_priced(cat):
    # 20,000 writes/s of 2 KiB at peak: 20,000 x 2 KB = 40,000 KB/s / 1,024 = 39.06 -> 40
    # shards (records: 20,000 / 1,000 = 20); 40 x 730 h x $0.015 = $438.00.  The text used
    # to say "x 730 h at $0.01 = $438.00" (cents), a price 40 x 730 x 0.01 = $292 would give.
    r = recommend(parse_profile({
        "compute": {"vcpus": 4, "memory_gib": 16, "event_driven": True,
                    "utilization_series_pct": [10, 10, 10, 10, 90, 90, 10, 10]},
        "database": {"data_model": "key_value", "writes_per_s": 20_000, "item_size_kib": 2,
                     "size_gib": 100}}), catalog=cat, models=False)
    buf = next(o for o in r.recommendations.tradeoffs if o.option == "buffering")
    assert buf.predicted["kinesis_shards"] == 40
    kin = next(x.text for x in buf.reasons if x.rule == "tradeoff.buffering.kinesis")
    assert "730 h at $0.015 = $438.00" in kin


def test_data_out_unit_prices_are_not_rounded_to_cents(cat):
    # ap-northeast-1, 500 GiB out, no CloudFront: 500 x $0.114 = $57.00, "first at $0.114/GB"
    # (the text used to say $0.11).
    r = recommend(parse_profile({
        "region": "ap-northeast-1", "compute": {"vcpus": 4, "memory_gib": 16},
        "network": {"egress_gib_per_month": 500}}), catalog=cat, models=False)
    out = next(c for c in r.bundle.components if c.option == "data_transfer_out")
    assert out.monthly_cost_usd == pytest.approx(57.00)
    assert "first at $0.114/GB" in out.why
    # Users in South America and Japan, region left to the recommender: sa-east-1 is chosen
    # and the data between the regions is named at $0.138 per GB (used to read $0.14).
    r = recommend(parse_profile({
        "region": "auto", "compute": {"vcpus": 4, "memory_gib": 16, "scale_out": "horizontal"},
        "network": {"egress_gib_per_month": 500,
                    "user_regions": {"sa-east-1": 0.7, "ap-northeast-1": 0.3}}}),
        catalog=cat, models=False)
    assert r.region == "sa-east-1"
    between = next(u for u in r.bundle.unpriced if u.item == "Data transfer between the regions")
    assert "sa-east-1 -> ap-northeast-1 price is $0.138 per GB" in between.reason


def test_default_edge_share_is_named_as_a_heuristic(cat):
    # Far users (Japan, 30%) and no static_content_fraction: CloudFront serves half the
    # egress by the rule's heuristic (DEFAULT_EDGE_SHARE): 500 x 0.5 = 250 GiB, under the
    # always-free 1,024 GB, so $0 (https://aws.amazon.com/cloudfront/pricing/); the other 250
    # GiB leave sa-east-1 at its first tier, 250 x $0.15 = $37.50.  The reason must say the
    # half is a heuristic, not the profile's figure.
    r = recommend(parse_profile({
        "region": "auto", "compute": {"vcpus": 4, "memory_gib": 16, "scale_out": "horizontal"},
        "network": {"egress_gib_per_month": 500,
                    "user_regions": {"sa-east-1": 0.7, "ap-northeast-1": 0.3}}}),
        catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    assert cf.monthly_cost_usd == 0.0
    text = next(x.text for x in cf.reasons if x.rule == "network.cloudfront_cost")
    assert "250 GiB/month from the edge (50% of the egress: static_content_fraction is not " \
        "given, so that share is a heuristic)" in text
    assert "vs $37.50 more from the region's data-out tiers without the edge" in text
    out = next(c for c in r.bundle.components if c.option == "data_transfer_out")
    assert out.monthly_cost_usd == pytest.approx(37.50)


def test_unpriced_tradeoffs_name_their_own_missing_choice(cat):
    # Each unpriced trade-off says what it lacks: caching the cached data's size, sharding
    # how the keys spread the writes, compression the ratio.  The old text gave all three
    # ("cache size, shard count, compression ratio") for every one of them.
    r = recommend(parse_profile({
        "compute": {"vcpus": 4, "memory_gib": 16},
        "database": {"data_model": "key_value", "writes_per_s": 20_000, "reads_per_s": 50_000,
                     "item_size_kib": 2, "cacheable_read_fraction": 0.7, "size_gib": 2000}}),
        catalog=cat, models=False)
    why = {o.option: o.unpriced[0].reason for o in r.recommendations.tradeoffs if o.unpriced}
    assert set(why) >= {"caching", "sharding", "compression"}
    assert "cached data's size" in why["caching"] and "shard" not in why["caching"]
    assert "spread the writes" in why["sharding"] and "cache" not in why["sharding"]
    assert "compression ratio" in why["compression"] and "shard" not in why["compression"]


def test_cloudfront_is_compared_with_what_its_gib_add_to_the_region_data_out(cat):
    # 50,000 GiB out of us-east-1, 60% static -> 30,000 GiB from the edge, 20,000 direct.
    # us-east-1 data out tiers (catalog; https://aws.amazon.com/ec2/pricing/on-demand/):
    # first 10,240 GB $0.09, next 40,960 $0.085.  Without the edge all 50,000 leave the
    # region: 10,240 x 0.09 + 39,760 x 0.085 = 921.60 + 3,379.60 = $4,301.20; the 20,000 that
    # leave it anyway: 921.60 + 9,760 x 0.085 = 921.60 + 829.60 = $1,751.20; so the 30,000
    # GiB add $4,301.20 - $1,751.20 = $2,550.00.  The old text priced them from the first
    # tier again: 921.60 + 19,760 x 0.085 = $2,601.20.
    r = recommend(parse_profile({
        "region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
        "network": {"egress_gib_per_month": 50_000, "static_content_fraction": 0.6}}),
        catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    text = next(x.text for x in cf.reasons if x.rule == "network.cloudfront_cost")
    assert "vs $2,550.00 more from the region's data-out tiers without the edge" in text
    out = next(c for c in r.bundle.components if c.option == "data_transfer_out")
    assert out.monthly_cost_usd == pytest.approx(1751.20)


def test_no_gateway_endpoint_without_compute_in_a_vpc(cat):
    # A gateway endpoint is a target in a VPC's route tables, used by the resources in that
    # VPC (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html): S3
    # traffic with no compute in the profile has nothing in a VPC to route through it (the
    # export already says "nothing in the bundle runs in a VPC").  With compute it stays.
    r = recommend(parse_profile({"network": {"s3_traffic_gib_per_month": 1000}}),
                  catalog=cat, models=False)
    assert "vpc_endpoint" not in {o.option for o in r.recommendations.network}
    r = recommend(_s3_profile(), catalog=cat, models=False)
    ep = next(o for o in r.recommendations.network if o.option == "vpc_endpoint")
    assert "compute exchanges data with S3 (20,000 GiB/month)" in _text(ep)


def test_documented_free_add_ons_are_priced_at_zero(cat):
    # "There is no charge for creating a placement group"
    # (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-groups.html); "EFA is
    # available as an optional EC2 networking feature that you can enable on any supported EC2
    # instance at no additional cost" (https://aws.amazon.com/hpc/efa/).  Both cost $0.00 with
    # the quote in the reason, not an unpriced entry estimating $0.  (Enhanced networking has
    # its own quote since audit 11: tests/rules/test_aws_scenarios_serverless_network_audit11.py.)
    r = recommend(parse_profile({
        "compute": {"vcpus": 256, "memory_gib": 1024, "scale_out": "tightly_coupled"},
        "network": {"bandwidth_gbps": 100, "inter_node_latency_sensitive": True}}),
        catalog=cat, models=False)
    net = {o.option: o for o in r.recommendations.network}
    for option, quote, url in (
            ("placement_group:cluster", '"There is no charge for creating a placement group"',
             "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-groups.html"),
            ("efa", 'at no additional cost"', "https://aws.amazon.com/hpc/efa/")):
        o = net[option]
        assert o.monthly_cost_usd == 0.0 and o.unpriced == []
        cost = next(x.text for x in o.reasons if x.rule == "network.monthly_cost")
        assert quote in cost and url in cost


def test_dynamodb_sharding_counts_partitions_not_writer_nodes(cat):
    # DynamoDB has no writer node: "each individual partition is limited to 1,000 write units
    # per second" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
    # warm-throughput-scenarios.html), a write unit covering 1 KB
    # (https://aws.amazon.com/dynamodb/pricing/).  20,000 writes/s of 2 KiB = 2 units each =
    # 40,000 units/s / 1,000 = 40 partitions at least.  The old reason said "a heuristic for
    # beyond one writer node".
    r = recommend(parse_profile({
        "compute": {"vcpus": 4, "memory_gib": 16},
        "database": {"data_model": "key_value", "writes_per_s": 20_000, "item_size_kib": 2,
                     "size_gib": 100}}), catalog=cat, models=False)
    sh = next(o for o in r.recommendations.tradeoffs if o.option == "sharding")
    assert sh.predicted["min_partitions"] == 40
    why = sh.reasons[0].text
    assert "40,000 write units/s" in why and "at least 40 partitions" in why
    assert "writer node" not in why
