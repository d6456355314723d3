"""Compute, serverless and network rules audited against AWS's pages (issue 9, sixth audit).

Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
"Concurrent executions" default 1,000 per Region (can be increased); invocation requests per
Region per second 10 x that quota.  Concurrency = average requests per second x average
duration in seconds (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
Prices from the catalog's us-east-1 rows: Lambda $0.20 per 1M requests, arm64
$0.0000133334 per GB-second (first tier), monthly free tier 1M requests and 400,000 GB-s.
"""

from __future__ import annotations

import pytest

from recommender import recommend
from recommender.rules.base import Rejections
from recommender.rules.compute.serverless import lambda_option
from recommender.rules.compute.sizing import derive_need


def _lambda(profile, book, **compute):
    p = profile(compute={"event_driven": True, "arch": "x86_64", **compute})
    rej = Rejections()
    return lambda_option(p, derive_need(p), book, "us-east-1", rej)


def _rules(c):
    return {r.rule: r for r in c.reasons}


def test_concurrency_above_the_default_quota_is_risk_one(profile, book):
    # 3,000,000,000 invocations over 730 h = 3e9 / 2,628,000 s = 1,141.55 requests/s;
    # x 2 s = 2,283.1 concurrent executions on average > 1,000 (default quota): risk 1.
    c = _lambda(profile, book, invocations_per_month=3e9, duration_ms=2000,
                memory_mb_used=512)
    assert c is not None and c.risk == 1.0
    r = _rules(c)["lambda.concurrency_quota"]
    assert r.severity == "caution" and "2,283 concurrent executions" in r.text
    assert "1,000 per Region" in r.text and "gettingstarted-limits" in r.text


def test_requests_per_second_above_ten_times_the_quota_is_risk_one(profile, book):
    # 30,000,000,000 a month / 2,628,000 s = 11,415.5 requests/s > 10 x 1,000 = 10,000,
    # while the concurrency is only 11,415.5 x 0.01 s = 114.2 (within 1,000).
    c = _lambda(profile, book, invocations_per_month=3e10, duration_ms=10)
    assert c is not None and c.risk == 1.0
    text = _rules(c)["lambda.concurrency_quota"].text
    assert "11,416 requests per second" in text and "concurrent executions" not in text


def test_a_need_within_the_quotas_says_nothing_of_them(profile, book):
    # 3,000,000 x 0.1 s / 2,628,000 s = 0.114 in flight; 1.14 requests/s: risk 0.
    c = _lambda(profile, book, invocations_per_month=3e6, duration_ms=100)
    assert c is not None and c.risk == 0.0
    assert "lambda.concurrency_quota" not in _rules(c)


def test_the_quota_risk_reaches_the_ranked_option_and_leaves_the_cost(profile):
    # arm64 (arch absent) at 512 MB used x 1.2 = 614.4 -> 615 MB:
    # GB-s = 3e9 x 2 s x 615 / 1,024 = 3,603,515,625, less 400,000 free = 3,603,115,625
    # x 0.0000133334 = 48,041.76; requests (3e9 - 1e6) x 0.20 / 1e6 = 599.80 -> $48,641.56.
    r = recommend({"region": "us-east-1", "explain": ["lambda"], "compute": {
        "event_driven": True, "invocations_per_month": 3e9, "duration_ms": 2000,
        "memory_mb_used": 512}}, models=False)
    wn = next(w for w in r.why_not if w.option == "lambda")
    assert wn.monthly_cost_usd == pytest.approx(48_641.56, abs=0.1)
    assert "risk 1" in wn.text


# Cluster placement groups (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
# placement-groups.html, "Cluster placement group rules and limitations"): current-generation
# types except burstable performance instances (T2, T3...) and Mac1.  The catalog's
# placement_group_strategies (DescribeInstanceTypes) lists t3a.medium as partition,spread.

BURSTY_LATENCY = {"region": "us-east-1", "compute": {
    "vcpus": 2, "memory_gib": 4, "arch": "x86_64",
    "cpu_utilization": {"average_pct": 10, "p95_pct": 20, "peak_pct": 30}},
    "network": {"inter_node_latency_sensitive": True}}


def test_a_burstable_top_type_gets_no_cluster_placement_group():
    # The load averages 10% of 2 vCPUs, under t3a.medium's 20% baseline: a T type is rank 1.
    # Before: placement_group:cluster attached to t3a.medium (its launch would fail).
    r = recommend(BURSTY_LATENCY, models=False)
    top = r.recommendations.compute[0]
    assert top.option.startswith("t")
    net = {o.option: o for o in r.recommendations.network}
    assert "placement_group:cluster" not in net
    advice = net["cluster_placement_group_unsupported"]
    assert advice.monthly_cost_usd == 0.0 and advice.config["instance_type"] == top.option
    assert "burstable" in advice.reasons[0].text and "placement-groups" in \
        advice.reasons[0].text
    assert all(not c.add_ons for c in r.bundle.components)


def test_a_type_that_supports_cluster_keeps_the_group():
    # hpc7g (tightly coupled, 200 vCPUs): cluster-capable, the group stays an add-on.
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 200, "memory_gib": 400, "scale_out": "tightly_coupled"},
        "network": {"inter_node_latency_sensitive": True}}, models=False)
    net = {o.option: o for o in r.recommendations.network}
    assert net["placement_group:cluster"].config["attached_to"] == \
        r.recommendations.compute[0].option


def test_cloudfront_request_price_is_written_to_the_tenth_of_a_cent():
    # CloudFront pricing (https://aws.amazon.com/cloudfront/pricing/) and the catalog's
    # edge:EU row: HTTPS $0.0000012 per request = $0.0120 per 10,000, which whole cents
    # printed as $0.01.  Users all in eu-west-1 -> the EU geography.
    r = recommend({"region": "eu-west-1", "network": {
        "egress_gib_per_month": 5000, "static_content_fraction": 0.8,
        "user_regions": {"eu-west-1": 1.0}}}, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    named = {u.item: u.reason for u in cf.unpriced}
    assert "EU HTTPS price is $0.0120 per 10,000" in named["CloudFront HTTP/HTTPS requests"]


def test_a_fleet_one_node_per_zone_gets_no_cluster_placement_group():
    # Horizontal work of 8 vCPUs runs 2 nodes, one per Availability Zone (the sizing's
    # availability floor).  A cluster placement group lies in one zone (placement-groups.html)
    # and CreateAutoScalingGroup: "You cannot specify multiple Availability Zones and a
    # cluster placement group".  Before: placement_group:cluster attached to the 2-zone fleet.
    from recommender.surfaces.export import export_response

    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 8, "memory_gib": 16, "scale_out": "horizontal", "arch": "x86_64"},
        "network": {"inter_node_latency_sensitive": True}}, models=False)
    ec2 = next(o for o in r.recommendations.compute if o.kind == "ec2")
    assert ec2.count == 2
    net = {o.option: o for o in r.recommendations.network}
    assert "placement_group:cluster" not in net
    text = net["cluster_placement_group_unsupported"].reasons[0].text
    assert "one node per Availability Zone" in text and "CreateAutoScalingGroup" in text
    assert "PlacementGroup" not in export_response(r.model_dump(mode="json"), "cloudformation")
