"""S3 minimum storage durations (issue 9): what they cost the chosen class's objects.

The class is chosen so that its minimum fits a known lifetime (``s3_class``; audit passes:
7-day warm objects in Standard, 100-day archive objects in Glacier Flexible Retrieval, not
Deep Archive).  AWS bills objects removed earlier for the whole minimum: a lifecycle
expiration of objects "in ... STANDARD_IA, or ONEZONE_IA storage for less than 30 days" is
"charged for 30 days", Glacier 90, Deep Archive 180 (EXPIRE_URL).  So:

* a known lifetime at least the minimum: no such charge, and the option says so;
* no lifetime: the charge cannot be priced, so the option and the bundle name it (unpriced),
  and the monthly figure is the storage alone, unchanged.

Storage prices (snapshot, us-east-1, per GB-month): Glacier Instant Retrieval $0.004, Glacier
Flexible Retrieval $0.0036, Deep Archive $0.00099, Standard $0.023.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
EXPIRE_URL = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
              "lifecycle-expire-general-considerations.html")


def _run(cat, name, lifetime="keep"):
    p = json.loads((EXAMPLES / f"{name}.json").read_text())
    if lifetime is None:
        p["storage"].pop("object_lifetime_days", None)
    return recommend(p, catalog=cat, models=False)


@pytest.mark.parametrize(("name", "cls", "days", "usd"), [
    # 10,240 GiB cold -> Glacier Instant Retrieval (90 days): 10,240 x 0.004 = $40.96.
    ("s3_glir", "glacier_instant", 90, 40.96),
    # 10,240 GiB archive -> Deep Archive (180 days): 10,240 x 0.00099 = $10.14.
    ("s3_arch100", "glacier_deep_archive", 180, 10.14),
])
def test_without_a_lifetime_the_minimum_duration_charge_is_named(cat, name, cls, days, usd):
    r = _run(cat, name, lifetime=None)
    o = r.recommendations.storage[0]
    assert (o.config["storage_class"], o.config["minimum_storage_duration_days"]) == (cls, days)
    assert o.monthly_cost_usd == pytest.approx(usd, abs=0.01)
    item = f"s3.{cls} minimum storage duration charge"
    named = [u for u in o.unpriced if u.item == item]
    assert named and f"billed for {days} days" in named[0].reason
    assert EXPIRE_URL in named[0].reason and named[0].estimate_monthly_usd is None
    assert item in {u.item for u in r.bundle.unpriced}


@pytest.mark.parametrize(("name", "cls", "life", "days"), [
    ("s3_glir", "glacier_instant", 365, 90),        # 365-day objects, 90-day minimum
    ("s3_arch100", "glacier_flexible", 100, 90),    # stepped down from Deep Archive (180)
    ("s3_deep200", "glacier_deep_archive", 200, 180),
    ("s3_ia60", "standard_ia", 60, 30),
])
def test_a_lifetime_at_least_the_minimum_incurs_no_charge(cat, name, cls, life, days):
    o = _run(cat, name).recommendations.storage[0]
    assert o.config["storage_class"] == cls
    text = next(x.text for x in o.reasons if x.rule == "storage.minimum_duration")
    assert f"live {life} days, at least the {days}-day minimum" in text
    assert not [u for u in o.unpriced if "minimum storage duration" in u.item]


@pytest.mark.parametrize("name", ["s3_short", "s3_it"])
def test_classes_without_a_minimum_name_nothing(cat, name):
    # Standard (s3_short, 7-day objects) and Intelligent-Tiering (s3_it) have no minimum.
    o = _run(cat, name).recommendations.storage[0]
    assert "minimum_storage_duration_days" not in o.config
    assert not [x for x in o.reasons if x.rule == "storage.minimum_duration"]
    assert not [u for u in o.unpriced if "minimum storage duration" in u.item]
