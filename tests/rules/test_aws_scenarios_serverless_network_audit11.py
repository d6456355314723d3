"""AWS-documented serverless, network and trade-off scenarios, audit 11 (issue 9).

* DynamoDB Accelerator (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
  DAX.html): "DAX is a DynamoDB-compatible caching service"; DAX and DynamoDB consistency
  models (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.consistency.html):
  strongly consistent reads pass through DAX to DynamoDB uncached.  The database stage puts a
  ``document`` store on DynamoDB, as it does a ``key_value`` one, so its cache is DAX too.
* Enhanced networking on Amazon EC2 instances
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/enhanced-networking.html): "There is no
  additional charge for using enhanced networking."  A documented zero is a price: $0.00 with
  the quote, as the placement group and EFA are (audit 10).  ENA Express's page
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ena-express.html) has no such sentence,
  so it stays named in ``unpriced``.  ENA Express "increases the maximum bandwidth a single
  flow can use from 5 Gbps up to 25 Gbps within the same Region, up to the aggregate instance
  limit" (same page): it is offered when the bandwidth wanted is above one flow's 5 Gbps, with
  those figures; a need within 5 Gbps never uses it.
* AWS Lambda pricing (https://aws.amazon.com/lambda/pricing/): duration is tiered per month,
  x86 "First 6 Billion GB-seconds" $0.0000166667, "Next 9 Billion" $0.000015; Arm "First 7.5
  Billion" $0.0000133334, "Next 11.25 Billion" $0.0000120001 (the catalog's us-east-1 rows), the
  tiers applied to the account's aggregate duration per architecture and Region.  The cost
  reason shows the GB-s in each tier, so the figure can be worked by hand.
* The 6 vCPUs Lambda gives at 10,240 MB are on the AWS News Blog
  (https://aws.amazon.com/blogs/aws/new-for-aws-lambda-functions-with-up-to-10-gb-of-memory-and-6-vcpus/),
  the source of the catalog's fact, not on the memory page the reason cited for them.
* CloudFront for users far from the region with ``static_content_fraction`` 0: the edge
  caches none of the egress, which all leaves the region through its data-out tiers
  (https://aws.amazon.com/ec2/pricing/on-demand/, "Data Transfer"); the edge's data out is
  $0.00, not "unpriced: the profile gives no egress_gib_per_month" when the profile gives it.
* Amazon SQS pricing (https://aws.amazon.com/sqs/pricing/): standard requests are billed at
  the first paid price ($0.40 per million in us-east-1) from 1 million to 100 billion a month,
  at lower prices above.  The catalog's row is that first tier only (its note: "first paid
  tier only: the feed has no tier bounds"), so above 100 billion the buffering figure is an
  upper bound and a caution says so.
* AWS Fargate pricing (https://aws.amazon.com/fargate/pricing/): each task's vCPU and memory
  are billed per vCPU-hour and per GB-hour (us-east-1 Linux x86: $0.04048 and $0.004445; Arm
  $0.03238 and $0.00356).  The cost reason works the figure out from those rates.
* DynamoDB warm throughput scenarios
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html):
  "each individual partition is limited to 1,000 write units per second"; a write unit covers
  1 KB (https://aws.amazon.com/dynamodb/pricing/).  The sharding trade-off (keys spread over
  partitions) applies on DynamoDB once the write units pass one partition's 1,000, not at the
  10,000 writes/s heuristic meant for a relational writer node.
* Lambda memory (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): 128 to
  10,240 MB.  Event-driven work that needs more memory cannot have run on Lambda, so the CPU
  the always-on options assume from Lambda's share at 10,240 MB is named an assumption, not
  "the setting the duration was taken at".
* The compression stake is what the bundle pays for the egress: with CloudFront in the
  bundle for users far from the region (no static share given: the edge serves the network
  stage's stated 50%), that share leaves from the edge (CloudFront Asia Pacific $0.120 per GB
  after the always-free 1,024 GB, https://aws.amazon.com/cloudfront/pricing/) and the rest from
  the region ($0.09 per GB, https://aws.amazon.com/ec2/pricing/on-demand/), not all of it from
  the region.
"""

from __future__ import annotations

from recommender import recommend
from recommender.core.profile import parse_profile
from recommender.rules.base import Rejections
from recommender.rules.compute.fargate import fargate_option
from recommender.rules.compute.sizing import derive_need
from recommender.rules.prices import price_book


def _text(o) -> str:
    return " ".join(x.text for x in o.reasons)


def _caching(cat, consistency: str):
    r = recommend({"region": "us-east-1", "database": {
        "data_model": "document", "size_gib": 100, "reads_per_s": 1000, "writes_per_s": 100,
        "consistency": consistency, "cacheable_read_fraction": 0.8}}, catalog=cat, models=False)
    assert r.recommendations.database[0].kind == "dynamodb"  # the store the cache fronts
    return next(o for o in r.recommendations.tradeoffs if o.option == "caching")


def test_a_document_store_on_dynamodb_is_cached_by_dax(cat):
    # Eventually consistent: 0.8 x 1,000 = 800 reads/s served by DAX (not ElastiCache).
    t = _caching(cat, "eventual")
    assert t.config["service"] == "DynamoDB Accelerator (DAX)"
    assert t.predicted["offloaded_reads_per_s"] == 800.0
    assert "DAX.html" in _text(t)


def test_a_strongly_consistent_document_store_offloads_no_reads_to_dax(cat):
    # Strongly consistent: DAX passes every such read to DynamoDB, so 0 reads/s leave the
    # table as they are (before: ElastiCache, 800 reads/s "leave the database").
    t = _caching(cat, "strong")
    assert t.predicted["offloaded_reads_per_s"] == 0.0
    assert "DAX.consistency.html" in _text(t) and "800 reads/s" in _text(t)
    assert "ElastiCache" not in t.config["service"]


def _network(cat, bandwidth_gbps: float, **compute):
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 16, "memory_gib": 64, "arch": "x86_64", **compute},
        "network": {"bandwidth_gbps": bandwidth_gbps}}, catalog=cat, models=False)
    return {o.option: o for o in r.recommendations.network}


def test_enhanced_networking_costs_the_documented_zero(cat):
    # Before: monthly_cost_usd None and an unpriced entry; AWS documents no charge: $0.00.
    o = _network(cat, 20)["enhanced_networking"]
    assert o.monthly_cost_usd == 0.0 and o.unpriced == []
    cost = next(x.text for x in o.reasons if x.rule == "network.monthly_cost")
    assert '"There is no additional charge for using enhanced networking"' in cost
    assert "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/enhanced-networking.html" in cost


def test_ena_express_names_the_single_flow_figures(cat):
    # 40 Gbps on c6in.12xlarge (ENA Express supported): one flow 5 -> 25 Gbps, so 40 Gbps is
    # ceil(40 / 25) = 2 flows at least.  Before: "supports ENA Express for higher single-flow
    # bandwidth", no figure, no page.
    o = _network(cat, 40, vcpus=48, memory_gib=96)["ena_express"]
    why = next(x.text for x in o.reasons if x.rule == "network.ena_express")
    assert "from 5 Gbps up to 25 Gbps" in why and "at least 2 flows" in why
    assert "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ena-express.html" in why
    assert o.unpriced  # no documented zero for ENA Express: still named


def test_no_ena_express_for_a_need_within_one_flow(cat):
    # 4 Gbps <= 5 Gbps, what one flow carries without ENA Express: not offered (before it was,
    # on c6a.12xlarge, which supports it); enhanced networking still is.
    net = _network(cat, 4, vcpus=48, memory_gib=96)
    assert "ena_express" not in net and "enhanced_networking" in net


def _lambda(cat, **compute):
    r = recommend({"region": "us-east-1", "compute": {"event_driven": True, **compute}},
                  catalog=cat, models=False)
    return next(o for o in r.recommendations.compute if o.kind == "lambda")


def test_lambda_cost_names_the_duration_tiers_it_runs_through(cat):
    # 5,000,000,000 x 1 s at 1,800 MB (1,500 MB used + 20%), arm64:
    # GB-s 5e9 x 1 x 1,800 / 1,024 = 8,789,062,500; less the 400,000 free = 8,788,662,500:
    # 7,500,000,000 x $0.0000133334 = $100,000.50, 1,288,662,500 x $0.0000120001 = $15,464.08;
    # requests (5e9 - 1e6) x $0.0000002 = $999.80.  Total $116,464.38.
    o = _lambda(cat, invocations_per_month=5e9, duration_ms=1000, memory_mb_used=1500,
                arch="arm64")
    assert o.config["memory_mb"] == 1800
    assert abs(o.monthly_cost_usd - 116_464.38) < 0.01
    why = next(x.text for x in o.reasons if x.rule == "lambda.monthly_cost")
    assert "7,500,000,000 GB-s at $0.0000133334" in why
    assert "1,288,662,500 GB-s at $0.0000120001" in why


def test_lambda_cost_in_the_first_tier_names_its_rate(cat):
    # AWS's example 1: 3M x 1 s at 512 MB = 1,500,000 GB-s - 400,000 free = 1,100,000 x
    # $0.0000166667 = $18.33; 2M requests x $0.20/M = $0.40: $18.73 (the page: $18.74 at its
    # rounded $0.00001667).
    o = _lambda(cat, invocations_per_month=3_000_000, duration_ms=1000, memory_gib=0.5,
                arch="x86_64")
    assert abs(o.monthly_cost_usd - 18.73) < 0.005
    why = next(x.text for x in o.reasons if x.rule == "lambda.monthly_cost")
    assert "1,100,000 GB-s billed x $0.0000166667" in why


def test_six_vcpus_at_the_maximum_cite_their_source(cat):
    # 6 vCPUs: 6 x 1,769 = 10,614 MB > 10,240, met at the 10,240 MB maximum (6 vCPUs there).
    o = _lambda(cat, vcpus=6, invocations_per_month=1_000_000, duration_ms=1000, arch="x86_64")
    assert o.config["memory_mb"] == 10240
    why = next(x.text for x in o.reasons if x.rule == "lambda.memory")
    assert ("https://aws.amazon.com/blogs/aws/new-for-aws-lambda-functions-with-up-to-10-gb-"
            "of-memory-and-6-vcpus/") in why


def test_cloudfront_with_no_static_share_costs_nothing_at_the_edge(cat):
    # 2,000 GiB/month egress, static share 0, users in ap-southeast-1 (over 100 ms away):
    # edge 0 GiB -> $0.00; the region's data out 2,000 x $0.09 = $180.00 (first tier).
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4},
                   "network": {"egress_gib_per_month": 2000, "static_content_fraction": 0.0,
                               "user_regions": {"ap-southeast-1": 1.0}}},
                  catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    assert cf.monthly_cost_usd == 0.0
    assert not any(u.item == "CloudFront data out" for u in cf.unpriced)
    assert not any("gives no egress" in u.reason for u in r.bundle.unpriced)
    why = next(x.text for x in cf.reasons if x.rule == "network.cloudfront_cost")
    assert "none of the 2,000 GiB/month egress" in why
    out = next(c for c in r.bundle.components if c.option == "data_transfer_out")
    assert abs(out.monthly_cost_usd - 180.00) < 0.005


def _buffering(cat, writes_per_s: float):
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 8, "memory_gib": 16, "interruption_tolerant": True,
        "cpu_utilization": {"average_pct": 15, "p95_pct": 60, "peak_pct": 95}},
        "database": {"data_model": "key_value", "size_gib": 500, "reads_per_s": 10_000,
                     "writes_per_s": writes_per_s, "item_size_kib": 1}},
        catalog=cat, models=False)
    return next(o for o in r.recommendations.tradeoffs if o.option == "buffering")


def test_sqs_above_100_billion_requests_is_named_an_upper_bound(cat):
    # 200,000 writes/s x 2,628,000 s = 525,600,000,000 messages; 0.3 requests each (send,
    # receive, delete in batches of 10) = 157,680,000,000 requests x $0.40/M = $63,072.00,
    # 57,680,000,000 of them above the first paid tier's 100 billion.
    o = _buffering(cat, 200_000)
    assert abs(o.monthly_cost_usd - 63_072.00) < 0.005
    tiers = next(x for x in o.reasons if x.rule == "tradeoff.buffering.tiers")
    assert tiers.severity == "caution"
    assert "57,680,000,000 above it" in tiers.text and "https://aws.amazon.com/sqs/pricing/" \
        in tiers.text


def test_sqs_within_the_first_tier_has_no_caution(cat):
    # 2,000 writes/s: 1,576,800,000 requests, within the first paid tier: $630.72, no caution.
    o = _buffering(cat, 2_000)
    assert abs(o.monthly_cost_usd - 630.72) < 0.005
    assert not any(x.rule == "tradeoff.buffering.tiers" for x in o.reasons)


def _fargate(cat, **compute):
    p = parse_profile({"region": "us-east-1", "compute": compute})
    return fargate_option(p, derive_need(p), price_book(cat), "us-east-1", Rejections())


def test_fargate_cost_reason_works_the_figure_out_from_the_rates(cat):
    # 1 vCPU / 2 GB x86: (1 x $0.04048 + 2 x $0.004445) x 730 h = $0.04937 x 730 = $36.04.
    o = _fargate(cat, vcpus=1, memory_gib=2, arch="x86_64")
    assert abs(o.monthly_cost_usd - 36.04) < 0.005
    why = next(x.text for x in o.reasons if x.rule == "fargate.monthly_cost")
    assert ("1 task(s) x (1 vCPU x $0.04048 per vCPU-hour + 2 GB x $0.004445 per GB-hour) "
            "x 730 h") in why
    assert "https://aws.amazon.com/fargate/pricing/" in why


def test_fargate_cost_reason_counts_every_task(cat):
    # 40 vCPU / 80 GiB scaled out, x86: the fewest tasks, 3 x 16 vCPU / 32 GB:
    # 3 x (16 x $0.04048 + 32 x $0.004445) x 730 = 3 x $0.78992 x 730 = $1,729.92.
    o = _fargate(cat, vcpus=40, memory_gib=80, scale_out="horizontal", arch="x86_64")
    assert o.count == 3 and abs(o.monthly_cost_usd - 1729.92) < 0.005
    why = next(x.text for x in o.reasons if x.rule == "fargate.monthly_cost")
    assert "3 task(s) x (16 vCPU x $0.04048 per vCPU-hour + 32 GB x $0.004445" in why


def _sharding(cat, writes_per_s: float, item_size_kib: float | None):
    d = {"data_model": "key_value", "size_gib": 100, "reads_per_s": 100,
         "writes_per_s": writes_per_s}
    if item_size_kib is not None:
        d["item_size_kib"] = item_size_kib
    r = recommend({"region": "us-east-1", "database": d}, catalog=cat, models=False)
    return next((o for o in r.recommendations.tradeoffs if o.option == "sharding"), None)


def test_dynamodb_sharding_applies_once_the_write_units_pass_one_partition(cat):
    # 5,000 writes/s of 4 KiB = 5,000 x ceil(4) = 20,000 write units/s; 20,000 / 1,000 = 20
    # partitions at least.  Before: no sharding trade-off (5,000 writes/s < 10,000).
    o = _sharding(cat, 5_000, 4)
    assert o is not None and o.predicted["min_partitions"] == 20
    assert "warm-throughput-scenarios.html" in _text(o)


def test_dynamodb_within_one_partition_needs_no_sharding(cat):
    # 1,000 writes/s of 1 KiB = 1,000 write units/s: one partition's limit, no sharding.
    assert _sharding(cat, 1_000, 1) is None


def test_cpu_share_above_lambdas_maximum_is_named_an_assumption(cat):
    # 10.5 GiB = 10,752 MB > 10,240 MB: Lambda is left out; the always-on options take
    # Lambda's share at its maximum, 10,240 / 1,769 = 5.79 vCPU, as an assumption.
    r = recommend({"region": "us-east-1", "compute": {
        "event_driven": True, "invocations_per_month": 1_000_000, "duration_ms": 100,
        "memory_gib": 10.5}}, catalog=cat, models=False)
    assert not any(o.kind == "lambda" for o in r.recommendations.compute)
    why = next(x.text for x in r.recommendations.compute[0].reasons
               if x.rule == "compute.invocation_cpu")
    assert "10,752 MB it needs is above Lambda's 10,240 MB maximum" in why
    assert "5.79 vCPU, is assumed" in why and "taken at" not in why


def test_compression_stake_follows_cloudfront_for_far_users(cat):
    # 5,000 GiB/month, users in ap-southeast-1 (far from us-east-1), no static share given:
    # edge 2,500 GiB: (2,500 - 1,024) x $0.120 = $177.12; region 2,500 x $0.09 = $225.00;
    # $402.12 (before: all 5,000 from the region, $450.00).  10% fewer bytes: edge 2,250:
    # (2,250 - 1,024) x 0.120 = 147.12, region 2,250 x 0.09 = 202.50, 349.62: saves $52.50.
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4},
                   "network": {"egress_gib_per_month": 5000,
                               "user_regions": {"ap-southeast-1": 1.0}}},
                  catalog=cat, models=False)
    comp = next(o for o in r.recommendations.tradeoffs if o.option == "compression")
    assert abs(comp.predicted["egress_usd_month"] - 402.12) < 0.005
    net = sum(c.monthly_cost_usd or 0.0 for c in r.bundle.components if c.role == "network")
    assert abs(comp.predicted["egress_usd_month"] - net) < 0.005
    stake = next(x.text for x in comp.reasons if x.rule == "tradeoff.compression.stake")
    assert "saves $52.50" in stake and "a heuristic" in stake
