"""The streaming offer-file readers on small fixtures (fresh clone) and the real samples."""

from __future__ import annotations

import csv
import json

import pytest

from catalog.offer_files import (
    OfferFileError,
    OfferStats,
    iter_csv_offer,
    iter_json_offer,
    iter_offer_file,
    read_json_header,
)
from catalog.pricing import INSTANCE_PRODUCT_FAMILIES, ReservedKey

SAMPLES = "pricing_api/bulk_offer_files"
GLOBAL_CSV = f"{SAMPLES}/jtdelia_3-global-pricing-file-sample.csv"
REGIONAL_JSON = f"{SAMPLES}/spinnaker_AmazonEC2_us-west-2_offer_trimmed_20180504.json"


def instances_only(family, attributes):
    """A permissive filter: every instance SKU, whatever its OS or tenancy."""
    return None if family in INSTANCE_PRODUCT_FAMILIES else "productFamily"


def csv_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[5], r, strict=True)) for r in rows[6:]]


def test_csv_m5_large_passes_filters_with_its_recorded_prices(aws_fixtures, m5_item):
    stats = OfferStats()
    items = list(iter_csv_offer(aws_fixtures / "offer_m5.large_us-east-1.csv", stats=stats))
    assert [i.attributes["instanceType"] for i in items] == ["m5.large"]
    item = items[0]
    assert item.ondemand_usd_per_hour == pytest.approx(0.096)
    assert item.publication_date == m5_item["publicationDate"]
    # the CSV path gives the same RI rates as the Pricing API item it was laid out from
    from catalog.pricing import parse_price_list_item

    assert item.reserved_usd_per_hour == pytest.approx(
        parse_price_list_item(m5_item).reserved_usd_per_hour
    )
    assert stats.kept == 1 and stats.rows == 7 and not stats.rejected


def test_csv_global_excerpt_rows_are_all_rejected_by_reason(aws_fixtures):
    stats = OfferStats()
    assert list(iter_csv_offer(aws_fixtures / "offer_global_sample_excerpt.csv", stats=stats)) == []
    assert stats.publication_date == "2025-09-12T22:53:08Z"
    assert stats.rows == 16
    assert sum(stats.rejected.values()) == 16
    assert set(stats.rejected) <= {"operatingSystem", "tenancy", "capacitystatus"}


def test_csv_parsing_matches_the_rows_with_a_permissive_filter(aws_fixtures):
    path = aws_fixtures / "offer_global_sample_excerpt.csv"
    items = list(iter_csv_offer(path, keep=instances_only))
    rows = csv_rows(path)
    assert {i.sku for i in items} == {r["SKU"] for r in rows}
    by_sku = {i.sku: i for i in items}
    for r in rows:
        item = by_sku[r["SKU"]]
        if r["TermType"] == "OnDemand":
            assert item.ondemand_usd_per_hour == pytest.approx(float(r["PricePerUnit"]))
        elif r["PurchaseOption"] == "No Upfront":
            key = ReservedKey(r["LeaseContractLength"], r["OfferingClass"], "No Upfront")
            assert item.reserved_usd_per_hour[key] == pytest.approx(float(r["PricePerUnit"]))


@pytest.mark.parametrize("cut", [0, 2, 4])
def test_csv_bad_preamble_is_a_typed_error(tmp_path, aws_fixtures, cut):
    lines = (aws_fixtures / "offer_m5.large_us-east-1.csv").read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:cut] + lines[cut + 1 :]) + "\n")
    with pytest.raises(OfferFileError, match="preamble"):
        list(iter_csv_offer(bad))


def test_csv_short_row_is_counted_not_fatal(tmp_path, aws_fixtures):
    text = (aws_fixtures / "offer_m5.large_us-east-1.csv").read_text()
    bad = tmp_path / "short.csv"
    bad.write_text(text + '"6C86BEPQVG73ZGGR","x"\n')
    stats = OfferStats()
    assert len(list(iter_csv_offer(bad, stats=stats))) == 1
    assert stats.malformed == 1


def test_json_excerpt_keeps_only_the_linux_shared_sku(aws_fixtures):
    path = aws_fixtures / "offer_us-west-2_excerpt.json"
    stats = OfferStats()
    items = list(iter_json_offer(path, stats=stats))
    assert [i.attributes["instanceType"] for i in items] == ["m5.large"]
    assert items[0].ondemand_usd_per_hour == pytest.approx(0.096)
    assert items[0].reserved("1yr") == pytest.approx(0.06)  # recorded 1yr standard No Upfront
    assert stats.rows == 4
    assert stats.rejected == {"operatingSystem": 2, "productFamily": 1}
    assert stats.publication_date == "2018-05-04T23:10:21Z"  # the file's header


def test_json_header_is_read_without_the_products(aws_fixtures):
    head = read_json_header(aws_fixtures / "offer_us-west-2_excerpt.json")
    assert head == {
        "formatVersion": "v1.0",
        "offerCode": "AmazonEC2",
        "version": "20180504231021",
        "publicationDate": "2018-05-04T23:10:21Z",
    }


def test_json_terms_of_rejected_skus_are_not_built(tmp_path, aws_fixtures):
    offer = json.loads((aws_fixtures / "offer_us-west-2_excerpt.json").read_text())
    rejected = next(
        s
        for s, p in offer["products"].items()
        if p["attributes"].get("operatingSystem") == "Windows"
    )
    # A broken term for a rejected SKU must not matter: it is never parsed.
    offer["terms"]["OnDemand"][rejected] = {"x": {"priceDimensions": "broken"}}
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(offer))
    stats = OfferStats()
    assert len(list(iter_json_offer(path, stats=stats))) == 1
    assert stats.malformed == 0


def test_dispatch_on_suffix(aws_fixtures, tmp_path):
    assert len(list(iter_offer_file(aws_fixtures / "offer_m5.large_us-east-1.csv"))) == 1
    assert len(list(iter_offer_file(aws_fixtures / "offer_us-west-2_excerpt.json"))) == 1
    with pytest.raises(OfferFileError):
        iter_offer_file(tmp_path / "offer.xml")


@pytest.mark.shared
def test_real_global_csv_sample(shared_data):
    path = shared_data / GLOBAL_CSV
    stats = OfferStats()
    assert list(iter_csv_offer(path, stats=stats)) == []  # no Linux/Shared/Used/NA row in it
    assert stats.rows == 44  # PROVENANCE: 44 data rows
    assert stats.version == "20250912225308"
    items = {i.sku: i for i in iter_csv_offer(path, keep=instances_only)}
    for r in csv_rows(path):
        if r["TermType"] == "OnDemand":
            assert items[r["SKU"]].ondemand_usd_per_hour == pytest.approx(float(r["PricePerUnit"]))


@pytest.mark.shared
def test_real_regional_json_sample(shared_data):
    path = shared_data / REGIONAL_JSON
    stats = OfferStats()
    assert list(iter_json_offer(path, stats=stats)) == []
    assert stats.rows == 7  # PROVENANCE: trimmed to 7 products
    assert stats.rejected["productFamily"] == 1  # the Data Transfer product
    items = list(iter_json_offer(path, keep=instances_only))
    assert {i.attributes["instanceType"] for i in items} == {
        p["attributes"]["instanceType"]
        for p in json.loads(path.read_text())["products"].values()
        if p["productFamily"] in INSTANCE_PRODUCT_FAMILIES
    }
