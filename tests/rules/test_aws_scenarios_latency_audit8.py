"""Latency audit 8 (issue 9): a need below what a service promises carries its risk and says so.

* DynamoDB: "In most cases, the DynamoDB response times can be measured in single-digit
  milliseconds. However, there are certain use cases that require response times in
  microseconds. For these use cases, DynamoDB Accelerator (DAX) delivers fast response times
  for accessing eventually consistent data", and DAX is "not ideal for applications that
  require strongly consistent reads" (In-Memory Acceleration with DAX,
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.html).  So a 0.5 ms read
  need is not met by a table alone: each DynamoDB option carries the same caution and risk 3
  that the relational options carry for a sub-millisecond need; 2 ms is within single-digit
  milliseconds and carries none.
* S3: "S3 Express One Zone is a high-performance, single-Availability Zone storage class
  purpose-built to deliver consistent, single-digit millisecond data access", "up to 10x
  faster" than S3 Standard ("What is Amazon S3?",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html).  A 5 ms need on a
  regional class is expected to miss: risk 2, a caution, and S3 Express One Zone named (the
  catalog has no S3 Express price row).  A 50 ms need carries none.

Prices (snapshot, us-east-1): dynamodb.provisioned.rcu_hour $0.00013, wcu_hour $0.00065,
storage $0.25/GB-month; s3.standard.storage_gb_month $0.023 for the first 50 TB.
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend

DAX_URL = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.html"
S3_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html"


def _kv(cat, latency_ms, consistency="eventual"):
    p = {"region": "us-east-1", "objective": "cost",
         "database": {"data_model": "key_value", "size_gib": 50, "reads_per_s": 50000,
                      "writes_per_s": 1000, "item_size_kib": 1, "latency_ms": latency_ms,
                      "consistency": consistency}}
    return recommend(p, catalog=cat, models=False).recommendations.database


def test_sub_millisecond_reads_put_dynamodb_at_risk_and_name_dax(cat):
    opts = _kv(cat, 0.5)
    assert {o.option for o in opts} == {"dynamodb"}
    prov = next(o for o in opts if o.purchase_option == "provisioned")
    # The price is unchanged by the latency need: 50,000 eventual reads x 0.5 RCU / 0.7 =
    # 35,715 RCU, 1,000 writes x 1 WCU / 0.7 = 1,429 WCU; 35,715 x 0.00013 x 730 = 3,389.35,
    # 1,429 x 0.00065 x 730 = 678.06, storage 50 GiB + 100 bytes per 1 KiB item (50 x 100 /
    # 1,024 = 4.88 GiB, CapacityUnitCalculations.html) 54.88 x 0.25 = 13.72: $4,081.13.
    assert prov.monthly_cost_usd == pytest.approx(4081.13, abs=0.02)
    for o in opts:
        assert o.performance_risk == 3.0
        lat = [r for r in o.reasons if r.rule == "database.latency"]
        assert len(lat) == 1 and lat[0].severity == "caution"
        assert DAX_URL in lat[0].text and "single-digit" in lat[0].text
        assert "strongly consistent" not in lat[0].text  # eventual reads: DAX serves them


def test_strong_reads_below_a_millisecond_say_dax_does_not_serve_them(cat):
    lat = [r for o in _kv(cat, 0.5, "strong") for r in o.reasons if r.rule == "database.latency"]
    assert lat and all("strongly consistent ones pass through" in r.text for r in lat)


def test_two_milliseconds_is_within_dynamodb_single_digit_milliseconds(cat):
    for o in _kv(cat, 2.0):
        assert o.performance_risk == 0.0
        assert not [r for r in o.reasons if r.rule == "database.latency"]


def _s3(cat, latency_ms):
    p = {"region": "us-east-1", "objective": "cost",
         "storage": {"size_gib": 5000, "sharing": "web", "latency_ms": latency_ms,
                     "access_frequency": "hot"}}
    opts = recommend(p, catalog=cat, models=False).recommendations.storage
    return next(o for o in opts if o.option == "s3")


def test_single_digit_ms_on_s3_standard_is_risk_2_and_names_s3_express(cat):
    o = _s3(cat, 5.0)
    assert o.config["storage_class"] == "standard"
    assert o.monthly_cost_usd == pytest.approx(5000 * 0.023, abs=0.01)  # $115.00
    assert o.performance_risk == 2.0
    why = [r for r in o.reasons if r.rule == "storage.s3_latency"]
    assert len(why) == 1 and why[0].severity == "caution" and S3_URL in why[0].text
    assert any(u.item.startswith("S3 Express One Zone") for u in o.unpriced)


def test_fifty_ms_on_s3_carries_no_latency_risk(cat):
    o = _s3(cat, 50.0)
    assert o.performance_risk == 0.0
    assert not [r for r in o.reasons if r.rule == "storage.s3_latency"]
    assert not any(u.item.startswith("S3 Express") for u in o.unpriced)
