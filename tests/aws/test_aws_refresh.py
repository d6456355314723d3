"""The live refresh of every table (``catalog build --source aws``) on Stubber-recorded calls.

Response shapes: GetProducts items in the shape of the recorded m5.large item (see
``aws_helpers.price_list_item``), DescribeSpotPriceHistory from the recorded m5.large excerpt,
DescribeRegions / DescribeSavingsPlansOfferingRates from the botocore service models (Stubber
checks every response against the model).  The prices put into the items are the us-east-1
list prices of the local snapshot's sources (aws.amazon.com pricing pages: Lambda 2025-04-17,
S3 2025-05-01, DynamoDB 2025-03-12, SQS 2025-04-02, data transfer 2025-05-05, EBS gp3,
RDS db.m5.large MySQL, ElastiCache cache.r7g.large); the expected rows are written by hand.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from aws_helpers import FakeSession, load_fixture, make_client, price_list_item
from botocore.stub import ANY, Stubber

from catalog import aws
from catalog.commitments import savings_plan_api_row
from catalog.pricing import SERVICE_CODE_EC2, get_products_filters
from catalog.schema import validate_table
from catalog.sources import live_aws
from catalog.sources.live_rules import SERVICES
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_snapshot

REGION = "us-east-1"


def _items() -> dict[str, list[str]]:
    """GetProducts PriceList items per ``--services`` name (others answer an empty page)."""
    gb_s = "Lambda-GB-Second"
    return {
        "lambda": [
            price_list_item(service_code="AWSLambda", sku="LAMBDADUR", family="Serverless",
                            attributes={"usagetype": gb_s, "group": "AWS-Lambda-Duration"},
                            tiers=[("0", "6000000000", "Lambda-GB-Second", "0.0000166667", "t1"),
                                   ("6000000000", "15000000000", "Lambda-GB-Second", "0.0000150000",
                                    "t2"),
                                   ("15000000000", "Inf", "Lambda-GB-Second", "0.0000133334",
                                    "t3")]),
            price_list_item(service_code="AWSLambda", sku="LAMBDAREQ", family="Serverless",
                            attributes={"usagetype": "Request"},
                            tiers=[("0", "Inf", "Requests", "0.0000002000", "per request")]),
        ],
        "dynamodb": [  # the first 25 GB-month are the free tier (dropped, as on the page)
            price_list_item(service_code="AmazonDynamoDB", sku="DDBSTORE",
                            family="Database Storage",
                            attributes={"usagetype": "TimedStorage-ByteHrs"},
                            tiers=[("0", "25", "GB-Mo", "0.0000000000",
                                    "$0.00 per GB-Month for first 25 free tier GB-Months"),
                                   ("25", "Inf", "GB-Mo", "0.2500000000", "$0.25 per GB-Month")]),
        ],
        "s3": [
            price_list_item(service_code="AmazonS3", sku="S3STD", family="Storage",
                            attributes={"usagetype": "TimedStorage-ByteHrs"},
                            tiers=[("0", "51200", "GB-Mo", "0.0230000000", "first 50 TB"),
                                   ("51200", "512000", "GB-Mo", "0.0220000000", "next 450 TB"),
                                   ("512000", "Inf", "GB-Mo", "0.0210000000", "over 500 TB")]),
        ],
        "sqs": [
            price_list_item(service_code="AWSQueueService", sku="SQSSTD",
                            family="API Request", attributes={"usagetype": "Requests-RBP"},
                            tiers=[("0", "Inf", "Requests", "0.0000004000", "standard")]),
        ],
        "datatransfer": [
            price_list_item(service_code="AWSDataTransfer", sku="DTUSEEU",
                            family="Data Transfer",
                            attributes={"usagetype": "USE1-EU-AWS-Out-Bytes",
                                        "transferType": "InterRegion Outbound",
                                        "fromRegionCode": "us-east-1",
                                        "toRegionCode": "eu-west-1"},
                            tiers=[("0", "Inf", "GB", "0.0200000000", "to EU (Ireland)")]),
        ],
        "ebs": [
            price_list_item(service_code="AmazonEC2", sku="EBSGP3", family="Storage",
                            attributes={"volumeApiName": "gp3", "usagetype": "EBS:VolumeUsage.gp3"},
                            tiers=[("0", "Inf", "GB-Mo", "0.0800000000", "gp3 storage")]),
        ],
        "rds": [
            price_list_item(service_code="AmazonRDS", sku="RDSM5L", family="Database Instance",
                            attributes={"instanceType": "db.m5.large", "databaseEngine": "MySQL",
                                        "deploymentOption": "Single-AZ", "vcpu": "2",
                                        "memory": "8 GiB", "licenseModel": "No license required",
                                        "usagetype": "InstanceUsage:db.m5.large",
                                        "currentGeneration": "Yes"},
                            tiers=[("0", "Inf", "Hrs", "0.1710000000", "MySQL db.m5.large")]),
        ],
        "elasticache": [
            price_list_item(service_code="AmazonElastiCache", sku="ECR7GL",
                            family="Cache Instance",
                            attributes={"instanceType": "cache.r7g.large", "cacheEngine": "Redis",
                                        "vcpu": "2", "memory": "13.07 GiB",
                                        "usagetype": "NodeUsage:cache.r7g.large",
                                        "currentGeneration": "Yes"},
                            tiers=[("0", "Inf", "Hrs", "0.2190000000", "Redis cache.r7g.large")]),
        ],
    }  # fmt: skip


def _page(items: list[str]) -> dict:
    return {"FormatVersion": "aws_v1", "PriceList": items}


def _pricing_stub(m5_item: dict, items: dict[str, list[str]], fail: str | None) -> object:
    """A pricing client answering GetProducts in the order read_aws asks (EC2, then services)."""
    pricing = make_client("pricing")
    stub = Stubber(pricing)

    def expect(code: str, filters: list, response: dict | None) -> None:
        params = {"ServiceCode": code, "Filters": filters, "FormatVersion": "aws_v1",
                  "MaxResults": 100}  # fmt: skip
        if response is None:
            stub.add_client_error("get_products", "InternalError", "stubbed outage", 500, params)
        else:
            stub.add_response("get_products", response, params)

    expect(SERVICE_CODE_EC2, get_products_filters(REGION), _page([json.dumps(m5_item)]))
    for name, spec in SERVICES.items():
        for n, query in enumerate(spec.queries):
            page = _page(items.get(name, []) if n == 0 else [])
            if name == fail:
                expect(spec.code, get_products_filters(REGION, base=query), None)
                break  # the unit stops at its first failed call
            expect(spec.code, get_products_filters(REGION, base=query), page)
    stub.activate()
    return pricing


def _ec2_stub(ec2_types: list[dict]) -> object:
    ec2 = make_client("ec2")
    stub = Stubber(ec2)
    stub.add_response("describe_regions", {"Regions": [
        {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com",
         "OptInStatus": "opt-in-not-required"},
        {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com",
         "OptInStatus": "opt-in-not-required"},
        {"RegionName": "us-gov-west-1", "Endpoint": "ec2.us-gov-west-1.amazonaws.com",
         "OptInStatus": "opt-in-not-required"},
    ]}, {"AllRegions": True})  # fmt: skip
    stub.add_response("describe_instance_types", {"InstanceTypes": ec2_types}, {})
    stub.add_response(
        "describe_instance_type_offerings",
        {"InstanceTypeOfferings": [{"InstanceType": t["InstanceType"], "LocationType": "region",
                                    "Location": REGION} for t in ec2_types]},
        {"LocationType": "region"},
    )  # fmt: skip
    spot = load_fixture("DescribeSpotPriceHistory_m5_large_excerpt.json")
    stub.add_response("describe_spot_price_history", spot,
                      {"ProductDescriptions": ["Linux/UNIX"], "StartTime": ANY})  # fmt: skip
    stub.activate()
    return ec2


def _sp_stub() -> object:
    sp = make_client("savingsplans")
    stub = Stubber(sp)
    stub.add_response("describe_savings_plans_offering_rates", {"searchResults": []}, {
        "savingsPlanTypes": ["Compute", "EC2Instance"], "products": ["EC2"],
        "serviceCodes": ["AmazonEC2"], "filters": aws.savings_plan_rate_filters(REGION),
        "maxResults": 1000})  # fmt: skip
    stub.activate()
    return sp


@pytest.fixture
def live_session(m5_item):
    def make(fail: str | None = None) -> FakeSession:
        types = load_fixture("DescribeInstanceTypes_t3_micro_and_p3_16xl.json")["InstanceTypes"]
        m5 = {**types[0], "InstanceType": "m5.large"}  # the t3.micro record renamed
        m5["VCpuInfo"] = {**m5["VCpuInfo"], "DefaultVCpus": 2}
        m5["MemoryInfo"] = {"SizeInMiB": 8192}
        return FakeSession({
            ("ec2", REGION): _ec2_stub([m5, *types]),
            ("pricing", REGION): _pricing_stub(m5_item, _items(), fail),
            ("savingsplans", REGION): _sp_stub(),
        })  # fmt: skip

    return make


def _rows(df: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for k, v in where.items():
        mask &= df[k] == v
    return df[mask]


def test_cli_aws_build_refreshes_every_table(live_session, tmp_path, monkeypatch, capsys):
    from recommender.surfaces.cli.main import main

    session = live_session()
    monkeypatch.setattr(aws, "make_session", lambda s=None: session)
    out = tmp_path / "snap"
    code = main(["catalog", "build", "--source", "aws", "--regions", REGION, "--out", str(out),
                 "--previous", str(DEFAULT_SNAPSHOT_DIR), "--no-progress"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    cat = read_snapshot(out)
    m = cat.manifest
    # Facts (hand-written) and latency (cloudping measurements) have no AWS API: carried.
    assert set(m["carried_over"]) == {"facts", "latency"}
    assert m["refresh"]["failures"] == []

    # The hand-checked rows, one per fixture price dimension (free tier dropped).
    src = "aws-pricing-api:"
    u = cat.unit_prices
    got = _rows(u, region=REGION)[["item", "tier_start", "tier_end", "to_region", "price_usd",
                                    "price_source"]]  # fmt: skip
    got = got[got["price_source"].str.startswith(src)].sort_values(["item", "tier_start"])
    dt = src + "AWSDataTransfer"
    expected = pd.DataFrame([
        ("datatransfer.inter_region_out", 0.0, math.nan, "eu-west-1", 0.02, dt),
        ("dynamodb.storage_gb_month", 0.0, math.nan, None, 0.25, src + "AmazonDynamoDB"),
        ("lambda.duration.x86_64", 0.0, 6e9, None, 0.0000166667, src + "AWSLambda"),
        ("lambda.duration.x86_64", 6e9, 1.5e10, None, 0.000015, src + "AWSLambda"),
        ("lambda.duration.x86_64", 1.5e10, math.nan, None, 0.0000133334, src + "AWSLambda"),
        ("lambda.request", 0.0, math.nan, None, 0.0000002, src + "AWSLambda"),
        ("s3.standard.storage_gb_month", 0.0, 51200.0, None, 0.023, src + "AmazonS3"),
        ("s3.standard.storage_gb_month", 51200.0, 512000.0, None, 0.022, src + "AmazonS3"),
        ("s3.standard.storage_gb_month", 512000.0, math.nan, None, 0.021, src + "AmazonS3"),
        ("sqs.standard.request", 0.0, math.nan, None, 0.0000004, src + "AWSQueueService"),
    ], columns=got.columns)  # fmt: skip
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected, check_dtype=False, check_exact=False, rtol=1e-12
    )

    db = cat.database.set_index(["service", "engine", "instance_class", "deployment", "region"])
    assert db.loc[("rds", "mysql", "db.m5.large", "single_az", REGION), "ondemand_usd_per_hour"] \
        == pytest.approx(0.171)
    redis = db.loc[("elasticache", "redis", "cache.r7g.large", "node", REGION)]
    assert (redis["ondemand_usd_per_hour"], redis["memory_gib"]) == (pytest.approx(0.219), 13.07)
    gp3 = cat.ebs.set_index(["volume_type", "region"]).loc[("gp3", REGION)]
    assert gp3["storage_usd_per_gb_month"] == pytest.approx(0.08)
    assert gp3["size_max_gib"] > 0  # limits kept from the previous row
    assert gp3["price_source"] == src + "AmazonEC2"

    # Spot: the latest record per AZ of the excerpt, by hand: 1a 0.0423, 1b 0.0389,
    # 1c 0.0381 (2021-02-08T20:38:39), 1d 0.0431, 1f 0.0437; the region's is the cheapest.
    spot = cat.ec2_spot_prices.set_index("availability_zone")["spot_usd_per_hour"].to_dict()
    assert spot == pytest.approx({"us-east-1a": 0.0423, "us-east-1b": 0.0389,
                                  "us-east-1c": 0.0381, "us-east-1d": 0.0431,
                                  "us-east-1f": 0.0437})  # fmt: skip
    m5 = cat.ec2_prices.set_index(["instance_type", "region"]).loc[("m5.large", REGION)]
    assert m5["spot_usd_per_hour"] == pytest.approx(0.0381)
    assert m5["spot_price_as_of"] == "2021-02-08T20:38:39Z"
    assert m5["spot_price_source"] == live_aws.SPOT_SOURCE + ":us-east-1c"
    assert not math.isnan(m5["spot_usd_per_hour_est"])  # the estimate stays beside it

    # Commitments from the m5.large item's Reserved terms (by hand: 1yr convertible partial
    # upfront = 0.034 + 294 / 8760 = 0.0675616...; 1yr standard all upfront = 494 / 8760).
    c = _rows(cat.ec2_commitments, instance_type="m5.large", region=REGION,
              price_source="aws-pricing-api").set_index(["offering", "term_years", "payment"])
    assert c.loc[("reserved_convertible", 1, "partial_upfront"), "effective_usd_per_hour"] \
        == pytest.approx(0.034 + 294 / 8760)
    assert c.loc[("reserved_standard", 1, "all_upfront"), "upfront_usd"] == 494
    assert c.loc[("reserved_standard", 1, "all_upfront"), "effective_usd_per_hour"] \
        == pytest.approx(494 / 8760)

    # Regions: the commercial ones DescribeRegions returned (GovCloud left out); a region
    # without a measured latency says so.
    regions = cat.tables["regions"].set_index("region")
    assert "us-gov-west-1" not in regions.index and {"us-east-1", "eu-west-1"} <= set(regions.index)
    assert regions.loc["us-east-1", "latency_measured"]

    # The manifest: per table and region, source, dates, rows and what was carried over.
    refresh = pd.DataFrame(m["refresh"]["by_table_region"])
    lam = _rows(refresh, table="unit_prices", region=REGION, price_source=src + "AWSLambda")
    assert lam[["rows", "carried_over"]].to_dict("records") == [{"rows": 4, "carried_over": False}]
    kept = _rows(refresh, table="unit_prices", region=REGION, price_source="pw-lambda-2025-04-17")
    assert kept["carried_over"].all() and (kept["rows"] > 0).all()  # e.g. arm64 rows kept


def test_a_failed_service_keeps_its_previous_rows_and_says_so(live_session, tmp_path):
    from catalog.build import build_catalog

    report = build_catalog("aws", out_dir=tmp_path / "snap", previous_dir=DEFAULT_SNAPSHOT_DIR,
                           progress=False, regions=[REGION], session=live_session(fail="lambda"))
    m = report.manifest
    [failure] = m["refresh"]["failures"]
    assert (failure["service"], failure["region"]) == ("lambda", REGION)
    assert "stubbed outage" in failure["error"]
    assert any("live refresh failed for lambda in us-east-1" in g for g in m["coverage_gaps"])
    cat = read_snapshot(tmp_path / "snap")
    lam = _rows(cat.unit_prices, item="lambda.request", region=REGION)
    prev = read_snapshot(DEFAULT_SNAPSHOT_DIR).unit_prices
    assert lam["price_source"].tolist() == _rows(prev, item="lambda.request",
                                                 region=REGION)["price_source"].tolist()
    # the other services were refreshed
    assert _rows(cat.unit_prices, item="sqs.standard.request", region=REGION)[
        "price_source"].tolist() == ["aws-pricing-api:AWSQueueService"]  # fmt: skip


def test_savings_plans_rates_page_through_and_keep_linux_shared():
    """Two pages of DescribeSavingsPlansOfferingRates; numbers from the ap-east-2 sample CSV."""
    sp = make_client("savingsplans")
    stub = Stubber(sp)
    params = {"savingsPlanTypes": ["Compute", "EC2Instance"], "products": ["EC2"],
              "serviceCodes": ["AmazonEC2"], "filters": aws.savings_plan_rate_filters("ap-east-2"),
              "maxResults": 1000}  # fmt: skip

    def rate(usage: str, operation: str, value: str, itype: str) -> dict:
        return {
            "savingsPlanOffering": {"offeringId": "o-1", "paymentOption": "Partial Upfront",
                                    "planType": "EC2Instance", "durationSeconds": 94608000,
                                    "currency": "USD", "planDescription": "3 year r7g"},
            "rate": value, "unit": "Hrs", "productType": "EC2", "serviceCode": "AmazonEC2",
            "usageType": usage, "operation": operation,
            "properties": [{"name": "region", "value": "ap-east-2"},
                           {"name": "instanceType", "value": itype}],
        }  # fmt: skip

    stub.add_response("describe_savings_plans_offering_rates", {
        "searchResults": [rate("APE2-BoxUsage:r7g.2xlarge", "RunInstances", "0.1954",
                               "r7g.2xlarge")], "nextToken": "p2"}, params)  # fmt: skip
    stub.add_response("describe_savings_plans_offering_rates", {
        "searchResults": [rate("APE2-DedicatedUsage:r7g.large", "RunInstances:000g", "0.0787",
                               "r7g.large")]}, {**params, "nextToken": "p2"})  # fmt: skip
    with stub:
        results = aws.describe_savings_plans_offering_rates(sp, "ap-east-2")
    rows = [savings_plan_api_row(r, as_of="2026-12-01", source="sp") for r in results]
    assert rows[1] is None  # dedicated tenancy, not Linux shared
    got = {k: rows[0][k] for k in ("instance_type", "region", "offering", "term_years",
                                   "payment", "effective_usd_per_hour")}  # fmt: skip
    assert got == {"instance_type": "r7g.2xlarge", "region": "ap-east-2",
                   "offering": "savings_plan_ec2_instance", "term_years": 3,
                   "payment": "partial_upfront", "effective_usd_per_hour": 0.1954}  # fmt: skip
    validate_table("ec2_commitments", pd.DataFrame([rows[0]]))


def test_unknown_service_is_a_clear_error():
    from catalog.errors import CatalogError

    with pytest.raises(CatalogError, match="unknown service.*nope.*known: regions, ec2"):
        live_aws.check_services(["ec2", "nope"])


def _json_offer(path, code: str, items: list[str]) -> None:
    """A regional JSON offer file (``products`` then ``terms``, as the Bulk API writes)."""
    decoded = [json.loads(i) for i in items]
    path.write_text(json.dumps({
        "formatVersion": "v1.0", "disclaimer": "test", "offerCode": code,
        "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
        "products": {d["product"]["sku"]: d["product"] for d in decoded},
        "terms": {"OnDemand": {d["product"]["sku"]: d["terms"]["OnDemand"] for d in decoded}},
    }))  # fmt: skip


def test_offer_file_of_another_service_gives_the_api_rows(tmp_path):
    """A Lambda offer file and GetProducts give the same rows for the same products."""
    from catalog.sources import live

    path = tmp_path / "AWSLambda-us-east-1.json"
    lambda_items = _items()["lambda"]
    for i in lambda_items:  # the file's products say their region, as regional files do
        assert "regionCode" not in json.loads(i)["product"]["attributes"]
    items = [json.loads(i) for i in lambda_items]
    for d in items:
        d["product"]["attributes"]["regionCode"] = REGION
    _json_offer(path, "AWSLambda", [json.dumps(d) for d in items])
    result = live.read_offer_files([path])
    u = result.tables["unit_prices"].sort_values(["item", "tier_start"])
    # By hand from the fixture: three duration tiers and one request rate.
    assert u[["item", "tier_start", "price_usd"]].values.tolist() == [
        ["lambda.duration.x86_64", 0.0, 0.0000166667],
        ["lambda.duration.x86_64", 6e9, 0.000015],
        ["lambda.duration.x86_64", 1.5e10, 0.0000133334],
        ["lambda.request", 0.0, 0.0000002],
    ]
    assert set(u["price_source"]) == {f"aws-offer-file:{path.name}"}
    assert set(u["price_as_of"]) == {"2026-11-01"}


def test_ec2_offer_file_reserved_terms_fill_commitments(aws_fixtures):
    """The recorded m5.large CSV holds 4 Reserved terms: 4 commitment rows, by hand."""
    from catalog.regions import name_to_code_map
    from catalog.sources import live

    codes = name_to_code_map([load_fixture("region_us_east_1.json")])
    result = live.read_offer_files([aws_fixtures / "offer_m5.large_us-east-1.csv"],
                                   location_codes=codes)  # fmt: skip
    c = validate_table("ec2_commitments", result.tables["ec2_commitments"])
    got = c.set_index(["offering", "term_years", "payment"])[
        ["effective_usd_per_hour", "upfront_usd", "recurring_usd_per_hour"]].to_dict("index")
    assert got == {
        ("reserved_standard", 1, "no_upfront"): pytest.approx(
            {"effective_usd_per_hour": 0.06, "upfront_usd": 0.0, "recurring_usd_per_hour": 0.06}),
        ("reserved_convertible", 1, "partial_upfront"): pytest.approx(
            {"effective_usd_per_hour": 0.034 + 294 / 8760, "upfront_usd": 294.0,
             "recurring_usd_per_hour": 0.034}),
        ("reserved_standard", 1, "all_upfront"): pytest.approx(
            {"effective_usd_per_hour": 494 / 8760, "upfront_usd": 494.0,
             "recurring_usd_per_hour": 0.0}),
        ("reserved_standard", 3, "no_upfront"): pytest.approx(
            {"effective_usd_per_hour": 0.041, "upfront_usd": 0.0, "recurring_usd_per_hour": 0.041}),
    }  # fmt: skip
