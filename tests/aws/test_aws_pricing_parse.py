"""Table tests of the pure Price List parsing (catalog.pricing) on the recorded item shape."""

from __future__ import annotations

import copy
import json

import pytest
from aws_helpers import load_fixture

from catalog.pricing import (
    LEASE_HOURS,
    ON_DEMAND_LINUX_FILTERS,
    PRICING_ENDPOINT_REGIONS,
    PriceListItemError,
    ReservedKey,
    ec2_rejection_reason,
    get_products_filters,
    parse_price_list_item,
    product_spec_fields,
    reserved_effective_hourly,
)


def _dims(item: dict, lease: str, cls: str, option: str) -> dict[str, float]:
    """The recorded Hrs / Quantity amounts of one Reserved term of ``item``."""
    for term in item["terms"]["Reserved"].values():
        if list(term["termAttributes"].values()) == [lease, cls, option]:
            return {
                d["unit"]: float(d["pricePerUnit"]["USD"]) for d in term["priceDimensions"].values()
            }
    raise AssertionError("term not in fixture")


def test_filters_cover_every_constant_and_the_region():
    filters = get_products_filters("eu-west-1")
    pairs = {(f["Field"], f["Value"]) for f in filters}
    assert all(f["Type"] == "TERM_MATCH" for f in filters)
    assert set(ON_DEMAND_LINUX_FILTERS) <= pairs
    assert ("regionCode", "eu-west-1") in pairs
    assert {
        "operatingSystem", "tenancy", "capacitystatus", "preInstalledSw", "licenseModel",
        "marketoption",
    } == {f for f, _ in ON_DEMAND_LINUX_FILTERS}  # fmt: skip
    assert "regionCode" not in {f["Field"] for f in get_products_filters(None)}


def test_endpoint_regions_are_the_documented_three():
    assert PRICING_ENDPOINT_REGIONS == ("us-east-1", "eu-central-1", "ap-south-1")


def test_parse_recorded_m5_large_item_from_json_string(m5_item):
    item = parse_price_list_item(json.dumps(m5_item))  # the API returns strings
    assert item.sku == "6C86BEPQVG73ZGGR"
    assert item.product_family == "Compute Instance"
    assert item.attributes["instanceType"] == "m5.large"
    assert item.ondemand_unit == "Hrs"
    assert item.ondemand_usd_per_hour == pytest.approx(0.096)  # PROVENANCE: 0.0960000000
    assert item.publication_date == "2021-02-05T20:45:00Z"
    assert len(item.reserved_usd_per_hour) == len(m5_item["terms"]["Reserved"])


@pytest.mark.parametrize(
    ("lease", "cls", "option"),
    [
        ("1yr", "standard", "No Upfront"),
        ("3yr", "standard", "No Upfront"),
        ("1yr", "standard", "All Upfront"),
        ("1yr", "convertible", "Partial Upfront"),
    ],
)
def test_reserved_rate_is_hourly_plus_amortized_upfront(m5_item, lease, cls, option):
    dims = _dims(m5_item, lease, cls, option)
    expected = dims.get("Hrs", 0.0) + dims.get("Quantity", 0.0) / LEASE_HOURS[lease]
    item = parse_price_list_item(m5_item)
    assert item.reserved_usd_per_hour[ReservedKey(lease, cls, option)] == pytest.approx(expected)
    if option == "No Upfront":
        assert "Quantity" not in dims
        assert item.reserved(lease) == pytest.approx(dims["Hrs"])
    else:
        assert "Quantity" in dims  # the upfront fee is really there, and counted


def test_all_upfront_rate_is_fee_over_term_hours():
    assert reserved_effective_hourly("1yr", 0.0, 8760.0) == pytest.approx(1.0)
    assert reserved_effective_hourly("3yr", 0.0, 26280.0) == pytest.approx(1.0)


def test_documented_botocore_example_is_not_hourly():
    out = load_fixture("get_products_botocore_example.json")
    item = parse_price_list_item(out["PriceList"][0])
    assert item.product_family == "Storage"
    assert (item.ondemand_usd, item.ondemand_unit) == (pytest.approx(0.138), "GB-Mo")
    assert item.ondemand_usd_per_hour is None  # not an instance rate


def _broken(m5_item: dict, how: str):
    item = copy.deepcopy(m5_item)
    od = next(iter(item["terms"]["OnDemand"].values()))
    od_dim = next(iter(od["priceDimensions"].values()))
    ri = next(iter(item["terms"]["Reserved"].values()))
    ri_dim = next(iter(ri["priceDimensions"].values()))
    if how == "not json":
        return json.dumps(item)[:-10]
    if how == "a list":
        return "[1, 2]"
    if how == "no product":
        del item["product"]
    elif how == "no terms":
        del item["terms"]
    elif how == "no USD":
        od_dim["pricePerUnit"] = {"CNY": "1.0"}
    elif how == "price not a number":
        od_dim["pricePerUnit"]["USD"] = "n/a"
    elif how == "negative price":
        od_dim["pricePerUnit"]["USD"] = "-0.1"
    elif how == "two OD rates":
        od["priceDimensions"]["x"] = {**od_dim, "pricePerUnit": {"USD": "1.0"}}
    elif how == "unknown lease":
        ri["termAttributes"]["LeaseContractLength"] = "5yr"
    elif how == "RI without attributes":
        ri["termAttributes"] = {}
    elif how == "RI unit":
        ri_dim["unit"] = "GB-Mo"
    elif how == "no dimensions":
        del ri["priceDimensions"]
    return json.dumps(item)


@pytest.mark.parametrize(
    "how",
    [
        "not json", "a list", "no product", "no terms", "no USD", "price not a number",
        "negative price", "two OD rates", "unknown lease", "RI without attributes", "RI unit",
        "no dimensions",
    ],
)  # fmt: skip
def test_malformed_items_raise_the_typed_error(m5_item, how):
    with pytest.raises(PriceListItemError):
        parse_price_list_item(_broken(m5_item, how))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"operatingSystem": "Windows"}, "operatingSystem"),
        ({"operatingSystem": "RHEL"}, "operatingSystem"),
        ({"tenancy": "Dedicated"}, "tenancy"),
        ({"tenancy": "Host"}, "tenancy"),
        ({"capacitystatus": "UnusedCapacityReservation"}, "capacitystatus"),
        ({"preInstalledSw": "SQL Web"}, "preInstalledSw"),
        ({"licenseModel": "Bring your own license"}, "licenseModel"),
        ({"marketoption": "CapacityBlock"}, "marketoption"),
        ({"marketoption": "OnDemand"}, None),
        ({"instanceType": ""}, "instanceType"),
        ({"locationType": "AWS Local Zone"}, "locationType"),
    ],
)
def test_rejection_reason_names_the_failing_filter(m5_item, change, reason):
    attrs = {**m5_item["product"]["attributes"], **change}
    assert ec2_rejection_reason("Compute Instance", attrs) == reason


@pytest.mark.parametrize(
    ("family", "reason"),
    [
        ("Compute Instance", None),
        ("Compute Instance (bare metal)", None),
        ("Storage", "productFamily"),
        ("Data Transfer", "productFamily"),
    ],
)
def test_rejection_reason_product_family(m5_item, family, reason):
    assert ec2_rejection_reason(family, m5_item["product"]["attributes"]) == reason


def test_absent_attribute_is_not_held_against_old_files(m5_item):
    attrs = dict(m5_item["product"]["attributes"])
    assert "marketoption" not in attrs  # the 2021 item predates the attribute
    assert ec2_rejection_reason("Compute Instance", attrs) is None


def test_product_spec_fields_of_recorded_item(m5_item):
    spec = product_spec_fields(m5_item["product"]["attributes"])
    assert spec["instance_type"] == "m5.large"
    assert spec["vcpus"] == 2
    assert spec["memory_gib"] == 8.0
    assert spec["clock_ghz"] == 3.1
    assert spec["current_generation"] is True
    assert spec["location"] == "US East (N. Virginia)"
    assert spec["region_code"] is None


def test_product_spec_fields_bad_memory_is_typed_error():
    with pytest.raises(PriceListItemError):
        product_spec_fields({"memory": "lots"})
