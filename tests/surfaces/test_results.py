"""What the app shows of a response: readable tables, the bundle, the first tab."""

from __future__ import annotations

import pandas as pd

from recommender.app import charts, results
from recommender.app.forms import FIELDS, groups_of

# A bundle as issue 8 describes it: components, their total, the breakdown, what is not
# priced and the alternatives (figures chosen by hand: 24.53 + 60.00 + 115.47 = 200.00).
BUNDLE = {
    "components": [
        {"category": "compute", "option": "t4g.small", "kind": "ec2", "count": 2,
         "monthly_cost_usd": 24.53},
        {"category": "storage", "option": "gp3", "kind": "ebs", "monthly_cost_usd": 60.0},
        {"category": "database", "option": "db.r7g.large", "kind": "rds",
         "monthly_cost_usd": 115.47},
    ],
    "total_monthly_usd": 200.0,
    "unpriced": [{"item": "S3 GET requests", "reason": "depends on usage",
                  "estimate_monthly_usd": 1.5}],
    "alternatives": [{"category": "database", "option": "self-managed on EC2", "kind": "ec2",
                      "monthly_cost_usd": 90.0, "delta_monthly_usd": -25.47,
                      "reason": "either/or with managed RDS"}],
}


def test_breakdown_adds_up_to_the_total() -> None:
    frame = results.breakdown_frame(BUNDLE)
    assert list(frame["component"]) == ["t4g.small", "gp3", "db.r7g.large"]
    assert abs(frame["monthly_usd"].sum() - BUNDLE["total_monthly_usd"]) < 1e-9
    fig = charts.bundle_breakdown(frame, BUNDLE["total_monthly_usd"])
    assert "$200.00" in fig.layout.title.text
    assert len(fig.data) == 3 and fig.layout.barmode == "stack"


def test_breakdown_as_a_mapping_and_unpriced_and_alternatives() -> None:
    frame = results.breakdown_frame({"breakdown": {"compute": 10.0, "storage": 5.0}})
    assert frame["monthly_usd"].tolist() == [10.0, 5.0]
    assert results.unpriced_rows(BUNDLE) == [
        "S3 GET requests: depends on usage (about $1.50/month)"]
    alt = results.alternatives_by_category(BUNDLE)["database"][0]["summary"]
    assert alt == ("self-managed on EC2 (EC2) $90.00/month (-$25.47 vs the bundle): "
                   "either/or with managed RDS")


def test_bundle_of_reads_a_dict_and_ignores_an_empty_one() -> None:
    assert results.bundle_of({"bundle": BUNDLE}) is BUNDLE
    assert results.bundle_of({"bundle": {}}) is None
    assert results.bundle_of({}) is None


def test_first_tab_is_the_first_with_results() -> None:
    order = ("compute", "storage", "database", "network", "tradeoffs")
    # The static-site preset has no compute option: its results open on Storage.
    assert results.first_tab_with_results({"compute": 0, "storage": 1, "network": 3},
                                          order) == "storage"
    assert results.first_tab_with_results({}, order) is None


def test_option_table_drops_the_score_and_names_units() -> None:
    frame = pd.DataFrame([{"rank": 1, "option": "t4g.small", "kind": "ec2", "count": 2,
                           "purchase_option": "on_demand", "score": 0.9,
                           "monthly_cost_usd": 24.53, "performance_risk": 2.0,
                           "verify": False}])
    table = results.option_table(frame)
    assert "score" not in table.columns and "Score" not in table.columns
    assert table.loc[0, "Kind"] == "EC2" and table.loc[0, "Purchase option"] == "on demand"
    assert "Monthly cost (USD)" in table.columns


def test_every_form_field_has_help_with_an_example_or_default() -> None:
    for f in FIELDS:
        assert f.help, f.key
        assert f.group, f.key
        # Each help text gives an example, a default, or names its choices.
        assert any(w in f.help for w in ("Example", "Default", "Yes when", ":", "(")), f.key


def test_compute_fields_are_grouped_by_what_they_describe() -> None:
    groups = list(groups_of("compute"))
    assert len(groups) == 3
    assert any("Lambda" in g for g in groups) and any("batch job" in g for g in groups)
    lambda_group = next(g for g in groups if "Lambda" in g)
    assert {f.name for f in groups_of("compute")[lambda_group]} >= {
        "invocations_per_month", "duration_ms", "memory_mb_used"}


def test_cost_vs_performance_includes_lambda_and_fargate() -> None:
    frame = pd.DataFrame([
        {"rank": 1, "option": "lambda", "kind": "lambda", "count": 1,
         "monthly_cost_usd": 2.77, "performance_risk": 0.0},
        {"rank": 2, "option": "fargate", "kind": "fargate", "count": 1,
         "monthly_cost_usd": 7.21, "performance_risk": 0.0},
        {"rank": 3, "option": "c8g.medium", "kind": "ec2", "count": 1,
         "monthly_cost_usd": 29.11, "performance_risk": 1.0, "predicted.perf_index": 1.06},
    ])
    fig = charts.compute_cost_vs_performance(frame)
    names = {t.name for t in fig.data}
    assert {"Lambda", "Fargate", "EC2"} <= names
    assert "USD" in fig.layout.xaxis.title.text and "." not in fig.layout.yaxis.title.text
    # 2.77 to 29.11 spans ~10x, under the 20x that switches to a log axis.
    assert fig.layout.xaxis.type == "linear"
    assert charts.compute_kinds(frame) == ["ec2", "fargate", "lambda"]


def test_real_bundle_of_a_preset_renders(catalog) -> None:
    from recommender.core.engine import recommend
    from recommender.presets import get_preset

    bundle = results.bundle_of(recommend(get_preset("oltp_database"), catalog=catalog))
    if bundle is None:
        import pytest

        pytest.skip("this build's response has no bundle yet (issue 8)")
    frame = results.breakdown_frame(bundle)
    assert abs(frame["monthly_usd"].sum() - bundle["total_monthly_usd"]) < 0.05
    assert all(isinstance(r["summary"], str) for rows in
               results.alternatives_by_category(bundle).values() for r in rows)


def test_prediction_requests_from_rows_and_best_sentences() -> None:
    from recommender.app import predict_view as pv

    runs = pd.DataFrame([{"instance_type": "m5.xlarge", "count": 4.0, "runtime_s": 900.0,
                          "failed": False},
                         {"instance_type": "c5.xlarge", "count": 4.0, "runtime_s": None,
                          "failed": True},
                         {"instance_type": None, "count": None, "runtime_s": None,
                          "failed": False}])  # a half-typed row is left out
    req = pv.runtime_request(job={"framework": "spark", "input_gib": None}, runs=runs,
                             candidates=[{"instance_type": "m5.xlarge", "count": 8}],
                             objective="cost")
    assert req == {"job": {"framework": "spark"}, "objective": "cost",
                   "measurements": [{"instance_type": "m5.xlarge", "count": 4,
                                     "runtime_s": 900.0},
                                    {"instance_type": "c5.xlarge", "count": 4, "failed": True}],
                   "candidates": [{"instance_type": "m5.xlarge", "count": 8}]}
    # 1554 s = 25.9 min -> "26 min"; 208 s -> "3 min"; 4429 s = 73.8 min -> "74 min".
    best = {"instance_type": "m5.xlarge", "count": 2, "runtime_s": 1554.1,
            "runtime_s_low": 208.6, "runtime_s_high": 4429.0, "cost_usd": 0.1658}
    assert pv.runtime_best_sentence(best, "cost") == (
        "Best for lowest cost: 2 x m5.xlarge, about 26 min (3 min to 74 min), $0.17 per run.")
    assert pv.duration(7200) == "2 h" and pv.duration(45) == "45 s"
    lam = {"memory_mb": 2048, "duration_ms": 234.1, "duration_ms_low": 91.2,
           "duration_ms_high": 601.2, "monthly_cost_usd": 19.4}
    assert pv.lambda_best_sentence(lam, "balanced") == (
        "Best (balanced): 2048 MB, about 234 ms per invocation (91-601 ms), $19.40 per month.")
