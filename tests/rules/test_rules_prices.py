"""One cost function per pricing shape, declared units, verify and provenance (issue 9)."""

from __future__ import annotations

import pandas as pd
import pytest

from catalog.errors import CatalogSchemaError
from catalog.schema import UNIT_SCALE, validate_table
from recommender.rules.prices import PriceBook, UnitMismatchError

COLS = ["service", "item", "region", "unit", "price_usd", "tier_start", "tier_end",
        "to_region", "price_as_of", "price_source", "verify", "notes"]


def _book(rows):
    up = pd.DataFrame(rows, columns=COLS)
    facts = pd.DataFrame(columns=["topic", "key", "value", "unit", "scope", "source_url",
                                  "verify", "notes"])
    return PriceBook(up, facts)


def test_per_million_row_is_never_charged_per_request():
    # https://aws.amazon.com/lambda/pricing/: $0.20 per 1M requests; 3M requests = $0.60.
    b = _book([["lambda", "lambda.request", "us-east-1", "USD per 1M requests", 0.20, 0.0,
                None, None, "2025-04-17", "facts:lambda", False, None]])
    assert b.cost("lambda.request", "us-east-1", 3e6, per="request").usd == pytest.approx(0.60)
    # Free tier 1M: (3M - 1M) x 0.20 / 1M = $0.40.
    assert b.cost("lambda.request", "us-east-1", 3e6, per="request",
                  free=1e6).usd == pytest.approx(0.40)
    with pytest.raises(UnitMismatchError):
        b.cost("lambda.request", "us-east-1", 3e6, per="GB")


def test_tiered_shape_and_provenance():
    # https://aws.amazon.com/ec2/pricing/on-demand/ data transfer out: first 10 TB $0.09/GB,
    # next 40 TB $0.085.  12,288 GB = 10,240 x 0.09 + 2,048 x 0.085 = 921.60 + 174.08.
    b = _book([
        ["ec2", "datatransfer.internet_out", "us-east-1", "USD per GB", 0.09, 0.0, 10240.0,
         None, "2025-05-05", "pw-dt", False, None],
        ["ec2", "datatransfer.internet_out", "us-east-1", "USD per GB", 0.085, 10240.0,
         51200.0, None, "2025-05-05", "pw-dt", True, None],
    ])
    c = b.cost("datatransfer.internet_out", "us-east-1", 12288, per="GB")
    assert c.usd == pytest.approx(1095.68)
    assert c.verify  # the second tier is marked verify: it reaches the cost
    assert c.provenance() == {"price_as_of": "2025-05-05", "price_source": "pw-dt",
                              "price_verify": True}


def test_schema_refuses_an_undeclared_unit():
    assert UNIT_SCALE["USD per 1M requests"] == ("request", 1e6)
    df = pd.DataFrame([["s3", "s3.x", "us-east-1", "USD per million", 1.0, 0.0, None, None,
                        "2025-01-01", "x", False, None]], columns=COLS)
    with pytest.raises(CatalogSchemaError):
        validate_table("unit_prices", df)


def test_verify_on_a_used_price_reaches_the_option():
    # https://aws.amazon.com/s3/pricing/: S3 Standard, first 50 TB, $0.023 per GB-month.
    # 100 GiB x 0.023 = $2.30; the row is marked verify, so the option must say so.
    from recommender.core.profile import parse_profile
    from recommender.rules.storage.need import storage_need
    from recommender.rules.storage.objects import s3_option

    b = _book([["s3", "s3.standard.storage_gb_month", "us-east-1", "USD per GB-month", 0.023,
                0.0, None, None, "2025-05-01", "pw-s3", True, None]])

    class _Cat:  # only the unit_prices table is read by the S3 option
        unit_prices = pd.DataFrame(columns=COLS)

    n = storage_need(parse_profile({"storage": {"size_gib": 100, "sharing": "web",
                                                "access_frequency": "hot"}}))
    c = s3_option(n, b, _Cat(), "us-east-1")
    assert c.monthly_cost_usd == pytest.approx(2.30)
    assert c.verify is True
    assert any(r.rule == "catalog.verify" for r in c.reasons)
