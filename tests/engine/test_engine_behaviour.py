"""Targeted behaviours: model vs rules for Lambda, warnings, purchase options, no-fit."""

from __future__ import annotations

from recommender import recommend


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
    r = recommend({"region": "us-east-1", "storage": {"size_gib": 100, "iops": 500000}},
                  catalog=cat, models=False)
    assert r.recommendations.storage == []
    assert "ebs.iops_above_volume_max" in r.warnings[0] and "closest: io2" in r.warnings[0]


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
