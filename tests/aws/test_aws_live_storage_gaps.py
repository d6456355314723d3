"""The live build fills the local sources' gaps of issue 9 (FSx for Lustre, Redshift RMS,
instance store), on Stubber-answered calls; and it says what DescribeInstanceTypes lacks (IOPS).

Response shapes: GetProducts ``PriceList`` elements built by ``aws_helpers.price_list_item``
(the keys and nesting of the recorded m5.large item); DescribeInstanceTypes records copied
from the recorded ``DescribeInstanceTypes_25_instances.json`` (aws/amazon-ec2-instance-selector
test data, ../shared/data), whose ``InstanceStorageInfo`` is the real API shape.  Stubber checks
every response against the botocore service model.  Prices in the items are AWS's us-east-1
list prices: FSx for Lustre Scratch 2 SSD $0.140 per GB-month
(https://aws.amazon.com/fsx/lustre/pricing/), Redshift Managed Storage $0.024 per GB-month and
ra3.large $0.543/h (https://aws.amazon.com/redshift/pricing/).  The usage types of the FSx and
RMS items are not confirmed by any stored record (see ``live_rules``); the attribute names are
the offer-file columns (SCHEMATA.md).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from aws_helpers import FakeSession, make_client, price_list_item
from botocore.stub import Stubber

from catalog.pricing import get_products_filters
from catalog.sources import live_aws
from catalog.sources.live_ec2 import ec2_frame
from catalog.sources.live_result import LIVE_INSTANCE_STORE_IOPS_GAP
from catalog.sources.live_rules import SERVICES
from catalog.store import load_catalog
from recommender.core.profile import parse_profile
from recommender.rules.base import Rejections
from recommender.rules.database import database_options
from recommender.rules.prices import PriceBook
from recommender.rules.storage.fsx import fsx_lustre_option
from recommender.rules.storage.need import storage_need

REGION = "us-east-1"


def _pricing(name: str, items: list[str]) -> FakeSession:
    """A session whose pricing client answers the one GetProducts query of ``name``."""
    pricing = make_client("pricing")
    stub = Stubber(pricing)
    spec = SERVICES[name]
    for n, query in enumerate(spec.queries):
        stub.add_response("get_products",
                          {"FormatVersion": "aws_v1", "PriceList": items if n == 0 else []},
                          {"ServiceCode": spec.code, "Filters": get_products_filters(
                              REGION, base=query), "FormatVersion": "aws_v1",
                           "MaxResults": 100})  # fmt: skip
    stub.activate()
    return FakeSession({("pricing", REGION): pricing})


def _fsx_item(deployment: str, usd: str) -> str:
    return price_list_item(
        service_code="AmazonFSx", sku=f"FSXL{deployment.upper()[:6]}", family="Storage",
        attributes={"fileSystemType": "Lustre", "storageType": "SSD",
                    "deploymentOption": deployment, "usagetype": "USE1-Lustre-Storage",
                    "location": "US East (N. Virginia)", "regionCode": REGION},
        tiers=[("0", "Inf", "GB-Mo", usd, f"Lustre {deployment} SSD storage")])  # fmt: skip


def test_live_fsx_lustre_row_prices_the_lustre_option():
    res = live_aws.read_aws([REGION], session=_pricing("fsx", [_fsx_item("Scratch_2", "0.14")]),
                            services=["fsx"])
    up = res.tables["unit_prices"]
    row = up[up["item"] == "fsx.lustre.ssd.scratch_2.storage_gb_month"]
    assert len(row) == 1 and row["unit"].iloc[0] == "USD per GB-month"
    assert row["price_usd"].iloc[0] == pytest.approx(0.14)
    book = PriceBook(up, pd.DataFrame(columns=["topic", "key", "value", "unit", "scope",
                                                "source_url", "verify", "notes"]))
    n = storage_need(parse_profile({"storage": {
        "size_gib": 10000, "throughput_mibps": 2000, "access_pattern": "sequential",
        "sharing": "multi_instance", "persistence": "scratch"}}))
    c = fsx_lustre_option(n, book, REGION, Rejections())
    # Size 10,000 / 1,024 = 9.77 TiB; throughput 2,000 MiB/s = 2,097.15 MB/s / 200 MB/s per
    # TiB (Scratch 2) = 10.49 TiB; ceil(10.49 / 2.4) = 5 steps = 12 TiB = 12,288 GiB
    # x $0.140 = $1,720.32 (https://aws.amazon.com/fsx/lustre/pricing/).
    assert c is not None and c.config["storage_capacity_tib"] == pytest.approx(12.0)
    assert c.monthly_cost_usd == pytest.approx(1720.32)


def _redshift_items() -> list[str]:
    rms = price_list_item(
        service_code="AmazonRedshift", sku="RSRMS", family="Redshift Managed Storage",
        attributes={"usagetype": "USE1-RMS:ra3.large", "instanceType": "ra3.large",
                    "usageFamily": "RA3", "location": "US East (N. Virginia)",
                    "regionCode": REGION},
        tiers=[("0", "Inf", "GB-Mo", "0.0240000000", "per GB-month of managed storage")])
    node = price_list_item(
        service_code="AmazonRedshift", sku="RSRA3L", family="Compute Instance",
        attributes={"usagetype": "USE1-Node:ra3.large", "instanceType": "ra3.large",
                    "vcpu": "2", "memory": "16 GiB", "location": "US East (N. Virginia)",
                    "regionCode": REGION, "currentGeneration": "Yes"},
        tiers=[("0", "Inf", "Hrs", "0.5430000000", "ra3.large per hour")])
    return [rms, node]


def test_live_redshift_managed_storage_is_an_item_not_a_node():
    res = live_aws.read_aws([REGION], session=_pricing("redshift", _redshift_items()),
                            services=["redshift"])
    up = res.tables["unit_prices"]
    rms = up[up["item"] == "redshift.managed_storage_gb_month"]
    assert len(rms) == 1 and rms["price_usd"].iloc[0] == pytest.approx(0.024)
    assert rms["unit"].iloc[0] == "USD per GB-month"
    # The RMS SKU names ra3.large too: it must not become a 0.024/h ra3.large node.
    db = res.tables.get("database", pd.DataFrame(columns=["hourly_usd"]))
    assert len(db) <= 1
    assert not any(json.dumps(r).count("0.024") for r in db.to_dict("records"))


@pytest.mark.shared
def test_live_rms_price_reaches_the_redshift_option():
    res = live_aws.read_aws([REGION], session=_pricing("redshift", _redshift_items()),
                            services=["redshift"])
    cat = load_catalog()
    book = PriceBook(pd.concat([cat.unit_prices, res.tables["unit_prices"]], ignore_index=True),
                     cat.facts)
    out = database_options(parse_profile({"database": {"data_model": "analytics",
                                                       "size_gib": 2000}}),
                           cat, book, REGION, Rejections())
    c = out[0]
    assert c.config["instance_class"] == "ra3.large"
    # One ra3.large (8,192 GiB managed storage per node holds 2,000): $0.543 x 730 = $396.39;
    # managed storage 2,000 GB x $0.024 = $48.00; total $444.39
    # (https://aws.amazon.com/redshift/pricing/).
    assert c.monthly_cost_usd == pytest.approx(444.39)
    assert not any("Managed Storage" in u.item for u in c.unpriced)


def _drop_none(v: object) -> object:
    if isinstance(v, dict):
        return {k: _drop_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_none(x) for x in v]
    return v


@pytest.mark.shared
def test_live_instance_storage_columns_from_describe_instance_types(shared_data):
    raw = json.loads((shared_data / "pricing_api/ec2_api/DescribeInstanceTypes_25_instances.json")
                     .read_text())["InstanceTypes"]
    # The recording is the Go SDK's JSON, which writes absent members as null; the wire
    # omits them, so nulls are dropped (nothing else is changed).
    rec = [_drop_none(r) for r in raw if r["InstanceType"] in ("c3.large", "c1.medium")]
    ec2 = make_client("ec2")
    stub = Stubber(ec2)
    stub.add_response("describe_instance_types", {"InstanceTypes": rec}, {})
    stub.activate()
    from catalog import aws

    infos = {i["InstanceType"]: i for i in aws.describe_instance_types(ec2)}
    df = ec2_frame(infos, {t: {REGION} for t in infos}).set_index("instance_type")
    # The recorded c3.large: InstanceStorageInfo Disks [{Count 2, SizeInGB 16, Type ssd}],
    # TotalSizeInGB 32 -> 32 GB = 29.80 GiB on 2 SSD disks.
    assert df.loc["c3.large", "instance_storage_gib"] == pytest.approx(32 * 1e9 / 2**30)
    assert df.loc["c3.large", "instance_storage_disks"] == 2
    assert df.loc["c3.large", "instance_storage_type"] == "ssd"
    # DescribeInstanceTypes has no IOPS for instance store: no column invents one.
    assert not [c for c in df.columns if "storage" in c and "iops" in c]


def test_live_build_lists_the_instance_store_iops_gap():
    assert "no IOPS" in LIVE_INSTANCE_STORE_IOPS_GAP
    assert "so-instance-store-volumes" in LIVE_INSTANCE_STORE_IOPS_GAP
