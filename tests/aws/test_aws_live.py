"""catalog.sources.live: read_aws on stubbed clients, read_offer_files on the fixtures."""

from __future__ import annotations

import copy
import gzip
import hashlib
import importlib.resources
import json

import pandas as pd
import pytest
from aws_helpers import FakeSession, load_fixture, make_client
from botocore.stub import Stubber

from catalog import aws
from catalog.errors import CatalogError
from catalog.pricing import SERVICE_CODE_EC2, get_products_filters, parse_price_list_item
from catalog.regions import name_to_code_map
from catalog.schema import TABLES, validate_table
from catalog.sources import live
from catalog.store import read_snapshot, write_snapshot


def _moto_resource(*parts: str):
    """A DescribeInstanceTypes / offerings record file shipped in the installed moto wheel."""
    path = importlib.resources.files("moto.ec2.resources")
    for part in parts:
        path = path / part
    return json.loads(gzip.decompress(path.read_bytes()))


@pytest.fixture(scope="module")
def ec2_records():
    types = _moto_resource("instance_types.json.gz")
    recorded = load_fixture("DescribeInstanceTypes_t3_micro_and_p3_16xl.json")["InstanceTypes"]
    offers = _moto_resource("instance_type_offerings", "region", "us-east-1.json.gz")
    wanted = {"m5.large", "t3.micro", "p3.16xlarge"}
    offers = [{**o, "LocationType": "region"} for o in offers if o["InstanceType"] in wanted]
    return [types["m5.large"], *recorded], offers


def _session(ec2_records, pricing_pages, fail_after: int | None = None):
    """A FakeSession whose EC2 and Pricing clients answer from the recorded shapes."""
    types, offers = ec2_records
    ec2 = make_client("ec2")
    ec2_stub = Stubber(ec2)
    ec2_stub.add_response("describe_instance_types", {"InstanceTypes": types}, {})
    ec2_stub.add_response(
        "describe_instance_type_offerings",
        {"InstanceTypeOfferings": offers},
        {"LocationType": "region"},
    )
    pricing = make_client("pricing")
    p_stub = Stubber(pricing)
    filters = get_products_filters("us-east-1")
    token = None
    for n, items in enumerate(pricing_pages):
        params = {
            "ServiceCode": SERVICE_CODE_EC2,
            "Filters": filters,
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        if token:
            params["NextToken"] = token
        if fail_after is not None and n == fail_after:
            p_stub.add_client_error("get_products", "InternalError", "boom", 500)
            break
        token = f"t{n + 1}" if n + 1 < len(pricing_pages) else None
        page = {"FormatVersion": "aws_v1", "PriceList": items}
        if token:
            page["NextToken"] = token
        p_stub.add_response("get_products", page, params)
    ec2_stub.activate()
    p_stub.activate()
    return FakeSession({("ec2", "us-east-1"): ec2, ("pricing", "us-east-1"): pricing})


def test_read_aws_builds_valid_tables_from_recorded_shapes(ec2_records, m5_item):
    storage = load_fixture("get_products_botocore_example.json")["PriceList"][0]
    pages = [[json.dumps(m5_item), "{broken"], [storage]]
    ticks: list[str] = []
    result = live.read_aws(
        ["us-east-1"], session=_session(ec2_records, pages), progress=ticks.append,
        services=["ec2"],
    )  # fmt: skip
    ec2 = validate_table("ec2", result.tables["ec2"])
    prices = validate_table("ec2_prices", result.tables["ec2_prices"])

    assert set(ec2["instance_type"]) == {"m5.large", "t3.micro", "p3.16xlarge"}
    m5 = ec2.set_index("instance_type").loc["m5.large"]
    assert (m5["vcpus"], m5["memory_gib"], m5["regions"]) == (2, 8.0, "us-east-1")
    assert m5["spec_source"] == live.SPEC_SOURCE
    assert set(ec2["perf_index_source"]) == {"missing"}

    assert len(prices) == 1  # the storage item is not an instance price
    row = prices.iloc[0]
    item = parse_price_list_item(m5_item)
    assert (row["instance_type"], row["region"]) == ("m5.large", "us-east-1")
    assert row["ondemand_usd_per_hour"] == pytest.approx(0.096)
    assert row["reserved_1y_no_upfront_usd_per_hour"] == pytest.approx(item.reserved("1yr"))
    assert row["reserved_3y_no_upfront_usd_per_hour"] == pytest.approx(item.reserved("3yr"))
    assert row["price_as_of"] == "2021-02-05"
    assert row["price_source"] == live.PRICING_SOURCE
    assert prices["spot_usd_per_hour_est"].isna().all()

    ids = {s.id for s in result.sources}
    assert {live.PRICING_SOURCE, live.SPEC_SOURCE, live.OFFERINGS_SOURCE} <= ids
    pricing_src = next(s for s in result.sources if s.id == live.PRICING_SOURCE)
    assert "2 pages, 2 items, 1 malformed" in pricing_src.notes
    assert pricing_src.data_date == "2021-02-05"
    assert any("could not be parsed" in g for g in result.coverage_gaps)
    assert ticks == ["ec2 us-east-1: ok"]  # one unit: (ec2, us-east-1)
    # Each Reserved term of the m5.large item (the excerpt keeps 4) is one commitment row.
    commitments = validate_table("ec2_commitments", result.tables["ec2_commitments"])
    assert len(commitments) == len(m5_item["terms"]["Reserved"]) == 4
    assert set(commitments["instance_type"]) == {"m5.large"}


def test_read_aws_failure_mid_pagination_raises_and_returns_nothing(ec2_records, m5_item):
    other = copy.deepcopy(m5_item)
    other["product"]["sku"] += "-2"
    pages = [[json.dumps(m5_item)], [json.dumps(other)]]
    with pytest.raises(aws.AwsCallError, match="after 1 pages"):
        live.read_aws(
            ["us-east-1"], session=_session(ec2_records, pages, fail_after=1), services=["ec2"]
        )


def _tree_hashes(root):
    return {
        p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous_snapshot(tmp_path):
    """A valid (empty) snapshot written by catalog.store, standing for the previous build."""
    tables = {
        name: pd.DataFrame({c: pd.Series([], dtype=object) for c in schema.to_schema().columns})
        for name, schema in TABLES.items()
    }
    snap = tmp_path / "snapshot"
    write_snapshot(tables, {"sources": []}, snap)
    return snap


def test_failed_live_build_leaves_previous_snapshot_untouched(
    previous_snapshot, ec2_records, m5_item
):
    build = pytest.importorskip("catalog.build")
    before = _tree_hashes(previous_snapshot)
    pages = [[json.dumps(m5_item)], [json.dumps(m5_item)]]
    with pytest.raises(CatalogError, match="boom"):
        build.build_catalog(
            "aws", out_dir=previous_snapshot, progress=False, regions=["us-east-1"],
            session=_session(ec2_records, pages, fail_after=1), services=["ec2"],
        )  # fmt: skip
    assert _tree_hashes(previous_snapshot) == before
    # no temporary directory left beside it either
    # (a writer's lock file may sit beside it; temporary snapshot directories may not)
    assert [p.name for p in previous_snapshot.parent.iterdir() if ".tmp-" in p.name] == []


def test_successful_live_build_writes_the_api_prices(previous_snapshot, ec2_records, m5_item):
    build = pytest.importorskip("catalog.build")
    build.build_catalog(
        "aws", out_dir=previous_snapshot, progress=False, regions=["us-east-1"],
        session=_session(ec2_records, [[json.dumps(m5_item)]]), services=["ec2"],
    )  # fmt: skip
    cat = read_snapshot(previous_snapshot)
    prices = cat.tables["ec2_prices"].set_index(["instance_type", "region"])
    assert prices.loc[("m5.large", "us-east-1"), "ondemand_usd_per_hour"] == pytest.approx(0.096)
    assert live.PRICING_SOURCE in {s["id"] for s in cat.manifest["sources"]}


@pytest.fixture(scope="module")
def location_codes():
    return name_to_code_map([load_fixture("region_us_east_1.json")])


def test_read_offer_files_csv_and_json(aws_fixtures, location_codes):
    csv_path = aws_fixtures / "offer_m5.large_us-east-1.csv"
    json_path = aws_fixtures / "offer_us-west-2_excerpt.json"
    result = live.read_offer_files([csv_path, json_path], location_codes=location_codes)
    prices = validate_table("ec2_prices", result.tables["ec2_prices"])
    # The same SKU in two files: one row, the first file's, and a gap saying so.
    assert len(prices) == 1
    row = prices.iloc[0]
    assert (row["instance_type"], row["region"]) == ("m5.large", "us-east-1")
    assert row["ondemand_usd_per_hour"] == pytest.approx(0.096)
    assert row["price_source"] == f"aws-offer-file:{csv_path.name}"
    assert row["price_as_of"] == "2021-02-05"
    assert any("several offer files" in g for g in result.coverage_gaps)
    assert [s.id for s in result.sources] == [
        f"aws-offer-file:{csv_path.name}",
        f"aws-offer-file:{json_path.name}",
    ]
    json_src = result.sources[1]
    assert json_src.data_date == "2018-05-04T23:10:21Z"
    assert "operatingSystem 2" in json_src.notes and len(json_src.sha256) == 64


def test_read_offer_files_without_region_names_skips_and_says_so(aws_fixtures):
    result = live.read_offer_files([aws_fixtures / "offer_m5.large_us-east-1.csv"])
    assert result.tables["ec2_prices"].empty
    assert any("without a known region" in g for g in result.coverage_gaps)


@pytest.mark.parametrize(
    ("family", "od", "expected"),
    [
        ("Compute Instance", "0.0960000000", 0.096),
        ("Compute Instance", "0.0000000000", None),
        ("Storage", "0.0960000000", None),
    ],
)
def test_price_row_keeps_only_positive_instance_rates(m5_item, family, od, expected):
    item = copy.deepcopy(m5_item)
    item["product"]["productFamily"] = family
    term = next(iter(item["terms"]["OnDemand"].values()))
    next(iter(term["priceDimensions"].values()))["pricePerUnit"]["USD"] = od
    row = live.price_row(parse_price_list_item(item), "us-east-1", "x")
    assert (row and row["ondemand_usd_per_hour"]) == (pytest.approx(expected) if expected else None)
