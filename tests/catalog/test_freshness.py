"""catalog.freshness: ages, staleness, the per-table/region summary and ``catalog info --format
table``; and the local build's commitments and spot rows checked by hand against the files."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from catalog.freshness import (
    DEFAULT_MAX_AGE_DAYS,
    MAX_AGE_ENV,
    age_days,
    is_stale,
    max_age_days_setting,
    staleness_warning,
    table_ages,
)
from recommender.surfaces.cli.main import main

TODAY = date(2026, 12, 1)


def test_age_counts_calendar_days_and_reads_datetimes():
    # 2026-06-04 -> 2026-12-01: 26 (rest of June) + 31+31+30+31+30 + 1 = 180 days.
    assert age_days("2026-06-04", TODAY) == 180
    assert age_days("2021-02-08T20:38:39Z", date(2021, 2, 9)) == 1
    assert age_days("unknown", TODAY) is None


def test_staleness_threshold_is_inclusive_and_unknown_dates_are_stale():
    assert not is_stale("2026-06-04", 180, TODAY)  # exactly 180 days: not over
    assert is_stale("2026-06-03", 180, TODAY)
    assert is_stale(None, 180, TODAY)
    assert staleness_warning("m5.large", "2026-06-04", today=TODAY) is None
    warning = staleness_warning("m5.large", "2025-04-04", max_age_days=30, today=TODAY)
    # 2025-04-04 -> 2026-12-01 = 365 + (2026-04-04 -> 2026-12-01: 241) = 606 days.
    assert warning is not None and "606 days old (over 30)" in warning
    assert "no known date" in staleness_warning("x", "", today=TODAY)


def test_max_age_setting_from_the_environment():
    assert max_age_days_setting({}) == DEFAULT_MAX_AGE_DAYS == 180
    assert max_age_days_setting({MAX_AGE_ENV: "90"}) == 90
    for bad in ("0", "-3", "soon"):
        with pytest.raises(ValueError, match=MAX_AGE_ENV):
            max_age_days_setting({MAX_AGE_ENV: bad})


def test_table_ages_group_by_table_region_source():
    prices = pd.DataFrame({
        "region": ["us-east-1", "us-east-1", "eu-west-1"],
        "price_as_of": ["2025-04-04", "2026-07-20", "2025-04-04"],
        "price_source": ["feed", "feed", "feed"],
    })  # fmt: skip
    ages = table_ages({"ec2_prices": prices}, max_age_days=180, today=TODAY)
    got = ages.set_index("region")[["oldest", "newest", "rows", "age_days", "stale"]]
    assert got.loc["us-east-1"].tolist() == ["2025-04-04", "2026-07-20", 2, 606, True]
    assert got.loc["eu-west-1"].tolist() == ["2025-04-04", "2025-04-04", 1, 606, True]


def test_catalog_info_table_prints_ages(capsys, fixture_snapshot):
    rc = main(["catalog", "info", "--format", "table", "--snapshot", str(fixture_snapshot),
               "--max-age-days", "100000"])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    assert "age_days" in out and "ec2_prices" in out and "older than" not in out
    rc = main(["catalog", "info", "--format", "table", "--snapshot", str(fixture_snapshot),
               "--max-age-days", "1"])  # fmt: skip
    assert "older than 1 d" in capsys.readouterr().out


@pytest.mark.shared
def test_local_commitments_match_the_files_by_hand(shared_data):
    from catalog.merge import merge_table
    from catalog.schema import validate_table
    from catalog.sources.commitments import read_commitments

    # Several files price a few keys (m5.large us-east-1): the build keeps the newest.
    raw = read_commitments(shared_data).tables["ec2_commitments"]
    df = validate_table("ec2_commitments", merge_table("ec2_commitments", [raw]))
    feed = json.loads((shared_data / "ec2/ec2shop_pricing_feeds_20250404/"
                       "us-east-1-reservedinstance-3y.json").read_text())  # fmt: skip
    # The t3a.medium entry of the 3-yr feed: price "0.0162000000" (No Upfront, Standard).
    entry = next(e for e in feed["regions"]["US East (N. Virginia)"].values()
                 if e["Instance Type"] == "t3a.medium")  # fmt: skip
    assert entry["price"] == "0.0162000000"
    row = df[(df.instance_type == "t3a.medium") & (df.term_years == 3)
             & (df.price_source == "ec2shop:us-east-1-reservedinstance-3y")]  # fmt: skip
    assert row[["offering", "payment", "effective_usd_per_hour"]].values.tolist() == [
        ["reserved_standard", "no_upfront", 0.0162]
    ]
    # The Savings Plans sample: r7g.2xlarge Linux shared (APE2-BoxUsage, RunInstances) is
    # 0.1954 USD/h, 3 yr Partial Upfront EC2 Instance plan; r7g.12xlarge 1.1721.
    sp = df[df.offering == "savings_plan_ec2_instance"].set_index("instance_type")
    assert sp["effective_usd_per_hour"].to_dict() == {"r7g.12xlarge": 1.1721, "r7g.2xlarge": 0.1954}
    assert set(sp["region"]) == {"ap-east-2"} and set(sp["term_years"]) == {3}


@pytest.mark.shared
def test_local_spot_history_keeps_the_latest_per_az(shared_data):
    from catalog.sources.spot_history import read_spot_history

    df = read_spot_history(shared_data).tables["ec2_spot_prices"].set_index("availability_zone")
    path = shared_data / "pricing_api/ec2_api/DescribeSpotPriceHistory_m5_large.json"
    records = json.loads(path.read_text())["SpotPriceHistory"]
    # First record of us-east-1f in the file is its newest (the API lists newest first).
    first_f = next(r for r in records if r["AvailabilityZone"] == "us-east-1f")
    assert first_f == {"AvailabilityZone": "us-east-1f", "InstanceType": "m5.large",
                       "ProductDescription": "Linux/UNIX", "SpotPrice": "0.043700",
                       "Timestamp": "2021-02-09T01:40:10+00:00"}  # fmt: skip
    assert df.loc["us-east-1f", "spot_usd_per_hour"] == 0.0437
    assert df.loc["us-east-1f", "price_as_of"] == "2021-02-09T01:40:10Z"
    assert len(df) == 5  # us-east-1a, b, c, d, f
