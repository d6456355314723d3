"""``/v1/catalog/{kind}``: region checks, range filters, sort, prices joined, pages; offline
``/docs``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from recommender.surfaces.api.app import create_app


@pytest.fixture(scope="module")
def client(catalog) -> TestClient:
    return TestClient(create_app(catalog=catalog))


@pytest.mark.parametrize(("region", "rule"), [
    ("moon-base-1", "not an AWS region code"),
    ("us-east-9", "not a priced region"),
])
def test_a_region_that_is_not_a_priced_region_is_a_422(client, region, rule) -> None:
    r = client.get("/v1/catalog/ec2_prices", params={"region": region})
    assert r.status_code == 422
    [err] = r.json()["errors"]
    assert err["field"] == "region" and rule in err["rule"]


def test_ranges_sort_and_prices_joined(client, catalog) -> None:
    r = client.get("/v1/catalog/ec2", params={
        "region": "us-east-1", "prices": "true", "vcpus_min": 4, "memory_gib_max": 16,
        "sort": "ondemand_usd_per_hour", "limit": 1000})
    assert r.status_code == 200, r.text
    body = r.json()
    ec2, p = catalog.ec2, catalog.ec2_prices
    here = set(p[p.region == "us-east-1"].instance_type)
    expected = ec2[(ec2.vcpus >= 4) & (ec2.memory_gib <= 16) & ec2.instance_type.isin(here)]
    assert body["total"] == len(expected) > 0
    prices = [d["ondemand_usd_per_hour"] for d in body["data"]
              if d["ondemand_usd_per_hour"] is not None]
    assert prices == sorted(prices)
    assert {"vcpus", "memory_gib", "ondemand_usd_per_hour"} <= set(body["data"][0])


def test_sorting_by_a_price_without_the_prices_says_how(client) -> None:
    r = client.get("/v1/catalog/ec2", params={"sort": "ondemand_usd_per_hour"})
    assert r.status_code == 422
    [err] = r.json()["errors"]
    assert err["field"] == "sort" and "pass region and prices=true" in err["rule"]


def test_max_price_and_descending_and_pages(client) -> None:
    params = {"region": "eu-west-1", "prices": "true", "max_price": 0.2,
              "sort": "vcpus", "order": "desc", "limit": 5}
    first = client.get("/v1/catalog/ec2", params=params).json()
    assert all(d["ondemand_usd_per_hour"] <= 0.2 for d in first["data"])
    vcpus = [d["vcpus"] for d in first["data"]]
    assert vcpus == sorted(vcpus, reverse=True)
    second = client.get("/v1/catalog/ec2", params={**params, "offset": 5}).json()
    assert second["total"] == first["total"] and second["offset"] == 5
    assert not {d["instance_type"] for d in first["data"]} & {
        d["instance_type"] for d in second["data"]}


def test_default_order_is_natural_size_order(client) -> None:
    data = client.get("/v1/catalog/ec2", params={"q": "m5.", "limit": 1000}).json()["data"]
    names = [d["instance_type"] for d in data if d["instance_type"].startswith("m5.")]
    assert names.index("m5.2xlarge") < names.index("m5.12xlarge")


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "nope"}, "sort"),
    ({"prices": "true"}, "prices"),
    ({"max_price": 1}, "max_price"),
])
def test_bad_catalog_queries_name_the_parameter(client, params, field) -> None:
    r = client.get("/v1/catalog/ec2", params=params)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


def test_docs_load_swagger_from_the_app_itself(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in page.text and "unpkg.com" not in page.text
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    js = client.get("/static/swagger/swagger-ui-bundle.js")
    css = client.get("/static/swagger/swagger-ui.css")
    assert js.status_code == css.status_code == 200 and len(js.content) > 100_000


def test_openapi_has_readable_names_and_an_example_per_route(client) -> None:
    from recommender.presets import PRESET_LABELS

    doc = client.get("/openapi.json").json()
    assert not [k for k in doc["components"]["schemas"] if "__" in k]
    body = doc["paths"]["/v1/recommendations"]["post"]["requestBody"]["content"]
    assert set(body["application/json"]["examples"]) == set(PRESET_LABELS)
    for path in ("/v1/recommendations:batch", "/v1/predictions/runtime",
                 "/v1/predictions/lambda-memory"):
        content = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert content["examples"], path
