"""Helpers for the AWS tests: stubbed botocore clients built on the recorded response shapes.

No test here needs credentials or network: clients get dummy keys and every call is answered
by ``botocore.stub.Stubber`` or by moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session

from catalog.aws import RETRY_CONFIG

AWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aws"


#: One botocore session for all test clients: it loads each service model once.
_SESSION = botocore.session.get_session()


def load_fixture(name: str) -> Any:
    return json.loads((AWS_FIXTURES / name).read_text())


def make_client(service: str, region: str = "us-east-1") -> Any:
    """A real botocore client with dummy keys (Stubber answers its calls)."""
    return _SESSION.create_client(
        service,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=RETRY_CONFIG,
    )


class FakeSession:
    """Stands in for ``boto3.Session``: hands out prepared clients by (service, region)."""

    def __init__(self, clients: dict[tuple[str, str], Any]) -> None:
        self.clients = clients
        self.calls: list[tuple[str, str]] = []

    def client(self, service: str, region_name: str, config: Any = None) -> Any:
        self.calls.append((service, region_name))
        return self.clients[(service, region_name)]


def price_list_item(
    *,
    service_code: str,
    sku: str,
    family: str,
    attributes: dict[str, str],
    tiers: list[tuple[str, str, str, str, str]],
    publication_date: str = "2026-11-01T00:00:00Z",
) -> str:
    """One ``PriceList`` element (a JSON string) in the shape of the recorded m5.large item.

    ``tiers`` are ``(beginRange, endRange, unit, USD, description)`` of the OnDemand term:
    the keys and nesting (``terms.OnDemand.<sku>.<sku>.<term>.priceDimensions.<rate code>``)
    are those of ``pricelist_item_m5.large_us-east-1.json`` (the GetProducts sample).
    """
    term_code = "JRTCKXETXF"
    dims = {
        f"{sku}.{term_code}.{i:010d}": {
            "unit": unit, "endRange": end, "description": desc, "appliesTo": [],
            "rateCode": f"{sku}.{term_code}.{i:010d}", "beginRange": begin,
            "pricePerUnit": {"USD": usd},
        }
        for i, (begin, end, unit, usd, desc) in enumerate(tiers)
    }  # fmt: skip
    item = {
        "product": {"productFamily": family, "attributes": {"servicecode": service_code,
                                                             **attributes}, "sku": sku},
        "serviceCode": service_code,
        "terms": {"OnDemand": {f"{sku}.{term_code}": {
            "priceDimensions": dims, "sku": sku, "effectiveDate": publication_date,
            "offerTermCode": term_code, "termAttributes": {}}}},
        "version": publication_date.replace("-", "").replace(":", "")[:14],
        "publicationDate": publication_date,
    }  # fmt: skip
    return json.dumps(item)
