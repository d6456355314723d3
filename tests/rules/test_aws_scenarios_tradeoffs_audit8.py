"""AWS-documented trade-off and network scenarios, audit 8 (issue 9).

* Buffering for ordered streams.  Kinesis Data Streams key concepts
  (https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html): a shard takes up to
  1,000 records/s and 1 MB/s of writes; sizing a provisioned stream
  (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html): the record
  size rounded up to the next KB, shards = write KB/s / 1,024.  Kinesis pricing
  (https://aws.amazon.com/kinesis/data-streams/pricing/): shard hours, and one PUT payload
  unit per 25 KB of a record (5 KB is one unit, 45 KB two).  SQS FIFO queues
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues.html)
  keep order within a message group, 3,000 messages/s by default with batching.
* SQS batch actions
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html):
  up to 10 messages a call and at most 1 MiB a call (a message's maximum too); each 64 KB
  chunk of a payload is one billed request (https://aws.amazon.com/sqs/pricing/).
* CloudFront (https://aws.amazon.com/cloudfront/pricing/, https://aws.amazon.com/cloudfront/faqs/):
  usage tiers are measured separately for each geographic region, whose columns are
  "United States, Mexico, and Canada" and "Europe, Israel, and Türkiye"; 1 TB always free.
* Data out to the internet and between regions (https://aws.amazon.com/ec2/pricing/on-demand/
  "Data Transfer"): first 10 TB $0.09 per GB, next 40 TB $0.085 in us-east-1.
Prices: catalog rows (us-east-1: kinesis.shard_hour $0.015, kinesis.put_payload_unit
$0.014 per million, sqs.standard.request $0.40 and sqs.fifo.request $0.50 per million;
eu-west-1: shard hour $0.017, PUT unit $0.0165 per million, SQS standard $0.40 per million;
CloudFront United States and EU $0.085 then $0.080 per GB; us-east-1 -> eu-west-1 $0.02
per GB).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender import recommend
from recommender.core.profile import parse_profile
from recommender.rules.buffering import (
    kinesis_put_units,
    kinesis_shards,
    sqs_requests_per_message,
    stream_of,
)
from recommender.rules.prices import edge_geography

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BURSTY = {"vcpus": 8, "memory_gib": 16, "interruption_tolerant": True,
          "cpu_utilization": {"average_pct": 15, "p95_pct": 60, "peak_pct": 95}}


def _buffering(r):
    return next(o for o in r.recommendations.tradeoffs if o.option == "buffering")


def _text(o) -> str:
    return " ".join(x.text for x in o.reasons)


def test_catalog_rows_behind_the_hand_figures(cat):
    up = cat.unit_prices

    def price(item, region):
        return float(up.query(f"item == '{item}' and region == '{region}'")["price_usd"].iloc[0])

    assert price("kinesis.shard_hour", "us-east-1") == pytest.approx(0.015)
    assert price("kinesis.put_payload_unit", "us-east-1") == pytest.approx(0.014e-6)
    assert price("kinesis.shard_hour", "eu-west-1") == pytest.approx(0.017)
    assert price("kinesis.put_payload_unit", "eu-west-1") == pytest.approx(0.0165e-6)
    assert price("sqs.fifo.request", "us-east-1") == pytest.approx(0.50e-6)


def test_kinesis_shards_by_the_documented_write_limits():
    # 20,000 records/s of 1 KB: 20,000 / 1,000 = 20 shards (the records limit binds; 20,000
    # KB/s / 1,024 = 19.5).  3,000 records/s of 40 KiB: 120,000 KB/s / 1,024 = 117.2 -> 118
    # (the bytes bind; 3,000 / 1,000 = 3).  A 0.3 KiB record is rounded up to 1 KB.
    assert kinesis_shards(20_000, None) == 20
    assert kinesis_shards(3_000, 40.0) == 118
    assert kinesis_shards(500, 0.3) == 1
    # 25 KB units: 5 KB one, 45 KB two (the pricing page's examples), 40 KiB two.
    assert (kinesis_put_units(5), kinesis_put_units(45), kinesis_put_units(40)) == (1, 2, 2)
    assert kinesis_put_units(None) == 1


def test_ordered_alternatives_priced_beside_sqs(cat):
    p = json.loads((GOLDEN / "tradeoffs_all.profile.json").read_text())
    buf = _buffering(recommend(p, catalog=cat, models=False))
    # SQS standard unchanged: 52,560,000,000 messages x 0.3 = 15,768,000,000 requests x
    # $0.40 per million = $6,307.20.
    assert buf.monthly_cost_usd == pytest.approx(6307.20, abs=0.01)
    # FIFO: the same requests at $0.50 per million = $7,884.00; 20,000 messages/s is above
    # FIFO's default 3,000 with batching, so a caution says to enable high throughput.
    assert buf.predicted["sqs_fifo_usd_month"] == pytest.approx(7884.00, abs=0.01)
    fifo = next(x for x in buf.reasons if x.rule == "tradeoff.buffering.fifo")
    assert fifo.severity == "caution" and "high throughput" in fifo.text
    # Kinesis: 20 shards x 730 h x $0.015 = $219.00; 52,560,000,000 records x 1 PUT unit x
    # $0.014 per million = $735.84; $954.84 in all.
    assert buf.predicted["kinesis_shards"] == 20
    assert buf.predicted["kinesis_usd_month"] == pytest.approx(954.84, abs=0.01)
    assert "key-concepts.html" in _text(buf) and "$954.84" in _text(buf)
    assert "Kinesis Data Streams" in buf.config["service"]


def test_large_records_bind_kinesis_by_bytes_and_sqs_by_chunks(cat):
    r = recommend({"region": "eu-west-1", "compute": BURSTY,
                   "database": {"data_model": "key_value", "writes_per_s": 3000,
                                "item_size_kib": 40}}, catalog=cat, models=False)
    buf = _buffering(r)
    # 3,000/s x 2,628,000 s = 7,884,000,000 messages.  SQS: a batch of 10 x 40 KiB = 400 KiB
    # (within 1 MiB) = ceil(400 / 64) = 7 chunks to send, 7 to receive, 1 delete: 1.5 per
    # message = 11,826,000,000 requests x $0.40 per million = $4,730.40.
    assert buf.monthly_cost_usd == pytest.approx(4730.40, abs=0.01)
    # Kinesis: 118 shards x 730 h x $0.017 = $1,464.38; 2 PUT units x 7,884,000,000 =
    # 15,768,000,000 x $0.0165 per million = $260.17; $1,724.55 in all.
    assert buf.predicted["kinesis_shards"] == 118
    assert buf.predicted["kinesis_usd_month"] == pytest.approx(1724.55, abs=0.01)


def test_sqs_batch_holds_what_fits_in_1_mib():
    # 200 KiB: 1,024 / 200 -> 5 a batch = 1,000 KiB = ceil(1,000 / 64) = 16 chunks each way,
    # 1 delete: 33 / 5 = 6.6 requests per message (10 a batch would have said 6.5).
    per, how = sqs_requests_per_message(200.0)
    assert per == pytest.approx(6.6)
    assert "sqs-batch-api-actions.html" in how and "holds 5" in how
    # Up to 102.4 KiB ten still fit: 20 KiB = 4 chunks each way + 1 = 0.9 (as before).
    assert sqs_requests_per_message(20.0)[0] == pytest.approx(0.9)


def test_messages_above_1_mib_are_named_not_priced(cat):
    r = recommend({"region": "us-east-1", "compute": BURSTY,
                   "database": {"data_model": "key_value", "writes_per_s": 100,
                                "item_size_kib": 2048}}, catalog=cat, models=False)
    buf = _buffering(r)
    assert buf.monthly_cost_usd is None
    named = {u.item: u.reason for u in buf.unpriced}
    assert "1 MiB message maximum" in named["buffering trade-off (SQS)"]


def test_invocation_stream_peak_is_the_average_times_the_burst():
    p = parse_profile({"region": "us-east-1", "compute": {
        "event_driven": True, "invocations_per_month": 26_280_000}})
    s = stream_of(p, 4.0)
    # 26,280,000 / 2,628,000 s = 10/s on average, x 4 at peak = 40/s; one shard.
    assert s is not None and s.peak_per_s == pytest.approx(40.0)
    assert s.messages == pytest.approx(26_280_000)
    assert kinesis_shards(s.peak_per_s, s.item_kib) == 1


def test_cloudfront_tiers_one_geography_together(cat):
    r = recommend({"region": "us-east-1", "network": {
        "egress_gib_per_month": 25000, "static_content_fraction": 0.8,
        "user_regions": {"us-east-1": 0.5, "us-west-2": 0.5}}}, catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    # 20,000 GB from the edge, all United States: 20,000 - 1,024 free = 18,976 GB =
    # 10,240 x $0.085 + 8,736 x $0.080 = 870.40 + 698.88 = $1,569.28.  Before, each user
    # region started at the first tier: 2 x (10,000 - 512) x $0.085 = $1,612.96.
    assert cf.monthly_cost_usd == pytest.approx(1569.28, abs=0.01)


def test_canada_and_israel_price_in_their_pricing_page_columns(cat):
    assert edge_geography("ca-central-1") == "United States"
    assert edge_geography("il-central-1") == "EU"
    assert edge_geography("me-central-1") == "Middle East"
    r = recommend({"region": "eu-west-1", "network": {
        "egress_gib_per_month": 5000, "static_content_fraction": 0.8,
        "user_regions": {"il-central-1": 1.0}}}, catalog=cat, models=False)
    cf = next(o for o in r.recommendations.network if o.option == "cloudfront")
    # 4,000 - 1,024 = 2,976 GB x $0.085 (Europe, Israel, and Türkiye) = $252.96; the Middle
    # East's $0.110 gave $327.36.
    assert cf.monthly_cost_usd == pytest.approx(252.96, abs=0.01)


def test_compression_saving_comes_off_the_top_tier(cat):
    r = recommend({"region": "us-east-1", "network": {"egress_gib_per_month": 20000}},
                  catalog=cat, models=False)
    comp = next(o for o in r.recommendations.tradeoffs if o.option == "compression")
    # 20,000 GB: 10,240 x 0.09 + 9,760 x 0.085 = 921.60 + 829.60 = $1,751.20; 18,000 GB:
    # 921.60 + 7,760 x 0.085 = 921.60 + 659.60 = $1,581.20; 10% fewer bytes saves $170.00
    # (not 10% of the total, $175.12).
    assert comp.predicted["egress_usd_month"] == pytest.approx(1751.20, abs=0.01)
    assert "saves $170.00" in _text(comp)


def test_no_cache_in_front_of_a_cache(cat):
    r = recommend({"region": "us-east-1", "database": {
        "data_model": "cache", "size_gib": 40, "reads_per_s": 10000,
        "cacheable_read_fraction": 0.9}}, catalog=cat, models=False)
    assert not any(o.option == "caching" for o in r.recommendations.tradeoffs)


def test_sub_ms_strong_key_value_reads_are_not_promised_to_dax(cat):
    r = recommend({"region": "us-east-1", "database": {
        "data_model": "key_value", "latency_ms": 0.5, "consistency": "strong",
        "reads_per_s": 1000}}, catalog=cat, models=False)
    cache = next(o for o in r.recommendations.tradeoffs if o.option == "caching")
    assert "eventually consistent" in cache.config["service"]
    assert "DAX.consistency.html" in cache.config["service"]


def test_latency_routing_names_inter_region_transfer_with_its_price(cat):
    r = recommend({"region": "auto", "network": {
        "egress_gib_per_month": 1000, "user_regions": {"us-east-1": 0.6,
                                                       "ap-southeast-2": 0.4}}},
                  catalog=cat, models=False)
    r53 = next((o for o in r.recommendations.network
                if o.option == "route53_latency_routing"), None)
    if r53 is None:
        pytest.skip("latency routing not offered for this mix")
    named = {u.item: u.reason for u in r53.unpriced}
    assert "Data transfer between the regions" in named
    assert "per GB" in named["Data transfer between the regions"]
