"""Stubber and moto tests of catalog.aws: paging, throttling, malformed items, failures."""

from __future__ import annotations

import copy
import json
import time

import pytest
from aws_helpers import load_fixture, make_client
from botocore.awsrequest import AWSResponse
from botocore.retries.bucket import TokenBucket
from botocore.stub import Stubber

from catalog import aws
from catalog.pricing import SERVICE_CODE_EC2, get_products_filters

FILTERS = get_products_filters("us-east-1")


def _variant(m5_item: dict, n: int) -> str:
    """The recorded item as a JSON string, with a distinct SKU and instance type per page."""
    item = copy.deepcopy(m5_item)
    item["product"]["sku"] = f"{item['product']['sku']}-{n}"
    item["product"]["attributes"]["instanceType"] = f"m5.large-{n}"
    return json.dumps(item)


def _params(token: str | None = None) -> dict:
    p = {
        "ServiceCode": SERVICE_CODE_EC2,
        "Filters": FILTERS,
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if token:
        p["NextToken"] = token
    return p


def _page(items: list[str], token: str | None = None) -> dict:
    page = {"FormatVersion": "aws_v1", "PriceList": items}
    if token:
        page["NextToken"] = token
    return page


@pytest.fixture
def pricing():
    client = make_client("pricing")
    with Stubber(client) as stub:
        yield client, stub


def test_clients_use_adaptive_retries():
    client = aws.pricing_client(session=_Session(), endpoint_region="eu-central-1")
    # botocore stores max_attempts=10 as 10 retries, i.e. 11 attempts in all
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}
    assert client.meta.region_name == "eu-central-1"


def test_pricing_client_refuses_a_region_without_endpoint():
    with pytest.raises(ValueError, match="no endpoint"):
        aws.pricing_client(session=_Session(), endpoint_region="eu-west-1")


class _Session:
    """A session that builds real clients with dummy keys (no network is touched)."""

    def client(self, service, region_name, config=None):
        import botocore.session

        return botocore.session.get_session().create_client(
            service,
            region_name=region_name,
            config=config,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def test_paging_over_three_pages_yields_every_item(pricing, m5_item):
    client, stub = pricing
    stub.add_response(
        "get_products", _page([_variant(m5_item, 1), _variant(m5_item, 2)], "t1"), _params()
    )
    stub.add_response("get_products", _page([_variant(m5_item, 3)], "t2"), _params("t1"))
    stub.add_response("get_products", _page([_variant(m5_item, 4)]), _params("t2"))
    stats = aws.FetchStats()
    items = list(aws.iter_products(client, SERVICE_CODE_EC2, FILTERS, stats=stats))
    assert [i.attributes["instanceType"] for i in items] == [f"m5.large-{n}" for n in (1, 2, 3, 4)]
    assert all(i.ondemand_usd_per_hour == pytest.approx(0.096) for i in items)
    assert (stats.pages, stats.items, stats.malformed) == (3, 4, 0)
    stub.assert_no_pending_responses()


def test_malformed_item_is_counted_and_skipped(pricing, m5_item):
    client, stub = pricing
    bad = json.dumps({"product": {"sku": "X"}, "terms": {}})  # no attributes
    stub.add_response(
        "get_products", _page([_variant(m5_item, 1), bad, "{not json"], "t1"), _params()
    )
    stub.add_response("get_products", _page([_variant(m5_item, 2)]), _params("t1"))
    stats = aws.FetchStats()
    items = list(aws.iter_products(client, SERVICE_CODE_EC2, FILTERS, stats=stats))
    assert len(items) == 2
    assert (stats.items, stats.malformed) == (2, 2)
    assert len(stats.errors) == 2


def test_throttling_then_success_resumes_from_the_last_page(pricing, m5_item):
    # Stubber answers before botocore's retry handler runs, so a stubbed ThrottlingException
    # reaches our code; iter_products resumes from the page token it had reached.
    client, stub = pricing
    stub.add_response("get_products", _page([_variant(m5_item, 1)], "t1"), _params())
    stub.add_client_error(
        "get_products", "ThrottlingException", "Rate exceeded", 400, expected_params=_params("t1")
    )
    stub.add_response("get_products", _page([_variant(m5_item, 2)]), _params("t1"))
    slept: list[float] = []
    stats = aws.FetchStats()
    items = list(
        aws.iter_products(client, SERVICE_CODE_EC2, FILTERS, stats=stats, sleep=slept.append)
    )
    assert [i.attributes["instanceType"] for i in items] == ["m5.large-1", "m5.large-2"]
    assert stats.resumed == 1 and len(slept) == 1
    stub.assert_no_pending_responses()


def test_throttling_that_never_ends_raises_typed_error(pricing):
    client, stub = pricing
    for _ in range(aws.RESUME_ATTEMPTS + 1):
        stub.add_client_error("get_products", "ThrottlingException", "Rate exceeded", 400)
    with pytest.raises(aws.AwsCallError, match="after 0 pages"):
        list(aws.iter_products(client, SERVICE_CODE_EC2, FILTERS, sleep=lambda s: None))


def test_failure_mid_pagination_raises_after_yielding_first_page(pricing, m5_item):
    client, stub = pricing
    stub.add_response("get_products", _page([_variant(m5_item, 1)], "t1"), _params())
    stub.add_client_error("get_products", "AccessDeniedException", "no", 400)
    seen = []
    with pytest.raises(aws.AwsCallError, match="after 1 pages"):
        for item in aws.iter_products(client, SERVICE_CODE_EC2, FILTERS):
            seen.append(item)
    assert len(seen) == 1  # callers must not treat the partial crawl as complete


def test_botocore_adaptive_retry_handles_throttling_below_stubber(monkeypatch, m5_item):
    """Real botocore retry path: the HTTP layer answers 400 Throttling, then 200."""
    monkeypatch.setattr(time, "sleep", lambda s: None)
    # The adaptive rate limiter would also wait for tokens after a throttle; the retry
    # itself is what is under test here.
    monkeypatch.setattr(TokenBucket, "acquire", lambda self, amount=1, block=True: True)
    client = make_client("pricing")
    body_ok = json.dumps(_page([_variant(m5_item, 1)])).encode()
    body_throttle = json.dumps(
        {"__type": "ThrottlingException", "message": "Rate exceeded"}
    ).encode()
    answers = [(400, body_throttle), (400, body_throttle), (200, body_ok)]
    sent = []

    def fake_send(request, **kwargs):
        status, body = answers[len(sent)]
        sent.append(request.url)
        return AWSResponse(
            request.url, status, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body)
        )

    client.meta.events.register("before-send.pricing.GetProducts", fake_send)
    items = list(aws.iter_products(client, SERVICE_CODE_EC2, FILTERS, sleep=lambda s: None))
    assert len(sent) == 3  # two throttled attempts retried inside botocore
    assert [i.attributes["instanceType"] for i in items] == ["m5.large-1"]
    assert sent[0].startswith("https://api.pricing.us-east-1.amazonaws.com")


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs):
        yield self.body


# ------------------------------------------------------------------------------------ EC2
def test_describe_instance_types_pages_through_stubber():
    recorded = load_fixture("DescribeInstanceTypes_t3_micro_and_p3_16xl.json")["InstanceTypes"]
    client = make_client("ec2")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_instance_types", {"InstanceTypes": recorded[:1], "NextToken": "n1"}, {}
        )
        stub.add_response(
            "describe_instance_types", {"InstanceTypes": recorded[1:]}, {"NextToken": "n1"}
        )
        infos = aws.describe_instance_types(client)
    assert [i["InstanceType"] for i in infos] == ["t3.micro", "p3.16xlarge"]
    assert infos[1]["GpuInfo"]["Gpus"][0]["Count"] == 8


def test_describe_instance_type_offerings_pages_through_stubber():
    recorded = load_fixture("DescribeInstanceTypeOfferings_us-east-2a_excerpt.json")
    offers = recorded["InstanceTypeOfferings"]
    client = make_client("ec2", "us-east-2")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_instance_type_offerings",
            {"InstanceTypeOfferings": offers[:5], "NextToken": "n1"},
            {"LocationType": "availability-zone"},
        )
        stub.add_response(
            "describe_instance_type_offerings",
            {"InstanceTypeOfferings": offers[5:]},
            {"LocationType": "availability-zone", "NextToken": "n1"},
        )
        got = aws.describe_instance_type_offerings(client, location_type="availability-zone")
    assert got == offers


def test_describe_failure_raises_typed_error():
    client = make_client("ec2")
    with Stubber(client) as stub:
        stub.add_response("describe_instance_types", {"InstanceTypes": [], "NextToken": "n1"}, {})
        stub.add_client_error("describe_instance_types", "UnauthorizedOperation", "no")
        with pytest.raises(aws.AwsCallError, match="describe_instance_types"):
            aws.describe_instance_types(client)


def test_describe_spot_price_history_through_stubber():
    records = load_fixture("DescribeSpotPriceHistory_m5_large_excerpt.json")["SpotPriceHistory"]
    client = make_client("ec2")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_spot_price_history",
            {"SpotPriceHistory": records},
            {"ProductDescriptions": ["Linux/UNIX"], "InstanceTypes": ["m5.large"]},
        )
        got = aws.describe_spot_price_history(client, ["m5.large"])
    assert len(got) == len(records)
    assert {r["InstanceType"] for r in got} == {"m5.large"}


def test_describe_instance_types_and_offerings_on_moto(monkeypatch):
    moto = pytest.importorskip("moto")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with moto.mock_aws():
        import boto3

        client = aws.ec2_client(boto3.Session(), "us-east-1")
        # Two named types: moto's full list takes seconds to page through.
        infos = {
            i["InstanceType"]: i
            for i in aws.describe_instance_types(client, ["m5.large", "t3.micro"])
        }
        offers = aws.describe_instance_type_offerings(client)
    assert set(infos) == {"m5.large", "t3.micro"}
    assert len(offers) > 500  # paged through every regional offering
    assert infos["m5.large"]["VCpuInfo"]["DefaultVCpus"] == 2
    assert infos["m5.large"]["MemoryInfo"]["SizeInMiB"] == 8192
    assert {"InstanceType": "m5.large", "LocationType": "region", "Location": "us-east-1"} in offers
