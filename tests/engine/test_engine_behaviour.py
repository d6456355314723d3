"""Targeted behaviours: model vs rules for Lambda, warnings, purchase options, no-fit."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import recommend
from recommender.core.errors import ProfileError


def _bundle():
    try:
        from recommender.models import load_models

        return load_models()
    except Exception:  # noqa: BLE001 - either branch is asserted below
        return None


LAMBDA = {"region": "us-east-1", "compute": {"event_driven": True, "invocations_per_month": 2e6,
                                             "duration_ms": 400, "memory_mb_used": 200,
                                             "vcpus": 1}}


def test_lambda_memory_says_whether_model_or_rule(cat) -> None:
    rules = recommend(LAMBDA, catalog=cat, models=False)
    lam = next(o for o in rules.recommendations.compute if o.kind == "lambda")
    text = " ".join(r.text for r in lam.reasons if r.rule == "lambda.memory")
    assert "CPU-share rule 1,769 MB = 1 vCPU" in text and "not loaded" in text
    assert lam.config["memory_mb"] == 1769  # one vCPU by the CPU-share rule
    bundle = _bundle()
    with_model = recommend(LAMBDA, catalog=cat, models=bundle if bundle else False)
    lam2 = next(o for o in with_model.recommendations.compute if o.kind == "lambda")
    text2 = " ".join(r.text for r in lam2.reasons if r.rule == "lambda.memory")
    if bundle is not None:
        assert "Lambda model" in text2 and with_model.model.version == bundle.version
        assert lam2.predicted["duration_ms_low"] <= lam2.predicted["duration_ms_high"]
    else:
        assert "CPU-share rule" in text2 and with_model.model.version == "rules-only"


def test_lambda_rejected_beyond_its_timeout(cat) -> None:
    r = recommend({"region": "us-east-1", "compute": {"event_driven": True,
                                                      "duration_ms": 1_000_000}},
                  catalog=cat, models=False)
    assert all(o.kind != "lambda" for o in r.recommendations.compute)
    assert r.rejected["lambda.duration_above_timeout"] == 1


def test_spot_needs_interruption_tolerance_and_savings_plans_are_flagged(cat) -> None:
    r = recommend({"region": "us-east-1", "purchase_options": ["spot", "savings_plan"],
                   "compute": {"vcpus": 4}}, catalog=cat, models=False)
    assert all(o.purchase_option == "on_demand" for o in r.recommendations.compute)
    assert any("interruption_tolerant" in w for w in r.warnings)
    assert any("Savings Plans" in w for w in r.warnings)


def test_reserved_uses_the_reserved_price(cat) -> None:
    r = recommend({"region": "us-east-1", "purchase_options": ["reserved"],
                   "compute": {"vcpus": 4, "memory_gib": 16}}, catalog=cat, models=False)
    assert r.recommendations.compute
    assert {o.purchase_option for o in r.recommendations.compute} == {"reserved"}


def test_storage_nothing_fits_names_constraint_and_closest(cat) -> None:
    # 5 million IOPS: above io2 Block Express's 256,000 per volume, and no instance's EBS
    # limit lets a RAID 0 set of volumes reach it.
    r = recommend({"region": "us-east-1", "storage": {"size_gib": 100, "iops": 5_000_000}},
                  catalog=cat, models=False)
    assert r.recommendations.storage == []
    assert "ebs.iops_above_volume_max" in r.warnings[0] and "closest: io2" in r.warnings[0]
    assert "Striping volumes" in r.warnings[0]


def test_auto_region_follows_the_users(cat) -> None:
    r = recommend({"region": "auto", "compute": {"vcpus": 2},
                   "network": {"user_regions": {"ap-northeast-1": 0.9, "us-east-1": 0.1}}},
                  catalog=cat, models=False)
    assert r.region == "ap-northeast-1"
    assert r.recommendations.network[0].predicted["user_rtt_ms"] >= 0
    assert all(o.region == "ap-northeast-1" for o in r.recommendations.compute)


def test_objective_changes_the_ranking(cat) -> None:
    prof = {"region": "us-east-1", "compute": {"vcpus": 8, "memory_gib": 16}}
    cheap = recommend({**prof, "objective": "cost"}, catalog=cat, models=False)
    fast = recommend({**prof, "objective": "performance"}, catalog=cat, models=False)
    c, f = cheap.best("compute"), fast.best("compute")
    assert c.monthly_cost_usd <= f.monthly_cost_usd
    assert f.predicted["perf_index"] >= c.predicted["perf_index"]


def test_edge_inputs_found_by_fuzzing(cat) -> None:
    # A range without ends is "no constraint", not a crash.
    r = recommend({"database": {"query_pattern": "full_text", "size_gib": {}}}, catalog=cat,
                  models=False)
    assert r.best("database").option == "opensearch"
    # Rates beyond any workload are refused with the rule, not overflowed.
    with pytest.raises(ProfileError, match="database.reads_per_s"):
        recommend({"database": {"reads_per_s": 1e308}}, catalog=cat, models=False)
    with pytest.raises(ProfileError, match="compute.series_interval_minutes"):
        recommend({"compute": {"series_interval_minutes": 5e-324}}, catalog=cat, models=False)
    # The largest accepted values still give finite, JSON-able answers.
    big = {"database": {"data_model": "relational", "reads_per_s": 1e9, "writes_per_s": 1e9,
                        "size_gib": 1e12},
           "network": {"egress_gib_per_month": 1e12, "static_content_fraction": 1.0}}
    r = recommend(big, catalog=cat, models=False)
    assert all(o.monthly_cost_usd is None or np.isfinite(o.monthly_cost_usd)
               for o in r.options())
    r.model_dump_json()


def test_long_series_is_resampled_for_simulation(cat) -> None:
    rng = np.random.default_rng(0)
    series = [float(x) for x in rng.uniform(0, 30, 100_000)]
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4,
                                                      "utilization_series_pct": series,
                                                      "series_interval_minutes": 1}},
                  catalog=cat, models=False)
    rules = {x.rule for o in r.recommendations.compute for x in o.reasons}
    assert "compute.series_resampled" in rules
    assert r.recommendations.compute


@pytest.mark.parametrize("value", ["lots", [1, 2], "4"])
def test_range_field_of_the_wrong_type_names_both_accepted_forms(cat, value) -> None:
    with pytest.raises(ProfileError) as info:
        recommend({"storage": {"iops": value}}, catalog=cat, models=False)
    (err,) = info.value.errors
    assert err["field"] == "storage.iops"
    assert "a number (the minimum)" in err["rule"] and "'min'" in err["rule"]
