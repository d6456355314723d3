"""Batch jobs in the engine: runtime prediction, cost per run, deadline, risk and ranking.

Runtimes here are plausible made-up measurements, not the shared training data, so the tests
assert relations (close to the measurement, faster with more nodes, proportional to runs),
never the model's absolute figures.  Prices are read from the catalog, never typed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from catalog.store import Catalog
from recommender import recommend
from recommender.core.errors import ProfileError
from recommender.rules.compute.jobs import deadline_risk
from recommender.rules.compute.risk import perf_interval_cpu_risk, utilization_risk

REGION = "us-east-1"
#: Two measured runs of the same job on m5.xlarge: one node and two nodes.
RUNS = [{"instance_type": "m5.xlarge", "count": 1, "runtime_s": 1200.0},
        {"instance_type": "m5.xlarge", "count": 2, "runtime_s": 700.0}]
BATCH = {"region": REGION, "objective": "cost", "top_n": 5,
         "compute": {"vcpus": 16, "memory_gib": 64, "scale_out": "horizontal",
                     "max_nodes": 16,
                     "job": {"framework": "spark", "application": "etl", "input_gib": 40,
                             "measurements": RUNS}}}


@pytest.fixture(scope="module")
def bundle():
    # The artifacts are committed: a bundle that does not load is a failure, not a skip.
    from recommender.models import load_models

    return load_models()


def _with(prof: dict, **job) -> dict:
    c = prof["compute"]
    return {**prof, "compute": {**c, "job": {**c["job"], **job}}}


#: Arm types kept beside m5.xlarge so the region keeps enough prices to be indexed; an
#: x86_64 profile rules them out, which leaves m5.xlarge the only fit.
ARM_FILLERS = ["m6g.large", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge", "m6g.8xlarge"]


def _only(cat, types: list[str]) -> Catalog:
    """The catalog restricted to a few instance types (the other tables as they are)."""
    types = [*types, *ARM_FILLERS]
    t = dict(cat.tables)
    t["ec2"] = cat.ec2[cat.ec2["instance_type"].isin(types)].reset_index(drop=True)
    t["ec2_prices"] = cat.ec2_prices[cat.ec2_prices["instance_type"].isin(types)].reset_index(
        drop=True)
    return Catalog(tables=t, manifest=cat.manifest)


def _ec2(resp) -> list:
    return [o for o in resp.recommendations.compute if o.kind == "ec2"]


def test_runtime_on_the_measured_configuration_is_close_to_the_measurement(cat, bundle) -> None:
    one = _only(cat, ["m5.xlarge"])
    prof = {"region": REGION, "compute": {"vcpus": 4, "arch": "x86_64",
                                          "job": {"measurements": RUNS}}}
    o = _ec2(recommend(prof, catalog=one, models=bundle))[0]
    assert (o.option, o.count) == ("m5.xlarge", 1)
    pr = o.predicted
    assert pr["runtime_s"] == pytest.approx(RUNS[0]["runtime_s"], rel=0.25)
    assert pr["runtime_s_low"] <= pr["runtime_s"] <= pr["runtime_s_high"]
    assert pr["runtime_s_low"] <= RUNS[0]["runtime_s"] <= pr["runtime_s_high"]
    assert pr["cost_per_run_usd_low"] <= pr["cost_per_run_usd"] <= pr["cost_per_run_usd_high"]
    text = " ".join(r.text for r in o.reasons if r.rule == "job.runtime")
    assert "2 measured run(s)" in text and "interval" in text
    assert next(r for r in o.reasons if r.rule == "job.runtime").best_practice == "PERF01-BP06"


def test_more_nodes_of_the_same_type_predict_faster(cat, bundle) -> None:
    one = _only(cat, ["m5.xlarge"])
    base = {"region": REGION, "compute": {"scale_out": "horizontal", "max_nodes": 32,
                                          "arch": "x86_64", "job": {"measurements": RUNS}}}
    small, big = (
        _ec2(recommend({**base, "compute": {**base["compute"], "vcpus": v}}, catalog=one,
                       models=bundle))[0]
        for v in (8, 32))
    assert (small.count, big.count) == (2, 8)
    assert big.predicted["runtime_s"] < small.predicted["runtime_s"]


def test_cost_per_run_uses_the_options_own_hourly_price(cat, bundle) -> None:
    prof = _with({**BATCH, "purchase_options": ["reserved"]}, runs_per_month=20)
    prices = cat.ec2_prices.set_index(["instance_type", "region"])
    # A type with no reserved price is priced on-demand (purchase._price); 20 short runs bill
    # only their job hours on-demand, less than a commitment's 730 h (job_billing), so such
    # a type may rank above the reserved ones.
    shown = [o for o in _ec2(recommend(prof, catalog=cat, models=bundle))
             if o.purchase_option == "reserved"]
    assert shown
    for o in shown:
        row = prices.loc[(o.option, REGION)]
        # The default term and payment: 1 year, no upfront (purchase.DEFAULT_TERM_YEARS).
        assert (o.config["term_years"], o.config["payment"]) == (1, "no_upfront")
        reserved = row["reserved_1y_no_upfront_usd_per_hour"]
        hourly = o.predicted["cost_per_run_usd"] / (o.predicted["runtime_s"] / 3600 * o.count)
        assert hourly == pytest.approx(reserved, rel=0.01)
        assert hourly < row["ondemand_usd_per_hour"]


def test_runs_per_month_sets_monthly_cost_proportionally(cat, bundle) -> None:
    hours_based = recommend(BATCH, catalog=cat, models=bundle)
    r10 = recommend(_with(BATCH, runs_per_month=10), catalog=cat, models=bundle)
    r20 = recommend(_with(BATCH, runs_per_month=20), catalog=cat, models=bundle)
    a, b = _ec2(r10)[0], _ec2(r20)[0]
    assert a.option == b.option and a.count == b.count
    assert b.monthly_cost_usd == pytest.approx(2 * a.monthly_cost_usd, rel=0.01)
    assert a.monthly_cost_usd == pytest.approx(10 * a.predicted["cost_per_run_usd"], rel=0.01)
    assert a.predicted["job_hours_per_month"] == pytest.approx(
        10 * a.predicted["runtime_s"] / 3600, rel=0.01)
    same = next(o for o in _ec2(hours_based) if o.option == a.option)
    assert same.monthly_cost_usd > a.monthly_cost_usd  # 730 h a month vs a few job hours
    assert "job_hours_per_month" not in same.predicted
    text = next(r.text for r in a.reasons if r.rule == "job.monthly_hours")
    assert "10 runs/month" in text and "730 h/month" in text


def test_objective_ranks_by_cost_per_run_or_runtime(cat, bundle) -> None:
    cost = _ec2(recommend(BATCH, catalog=cat, models=bundle))
    fast = _ec2(recommend({**BATCH, "objective": "performance"}, catalog=cat, models=bundle))
    per_run = [o.predicted["cost_per_run_usd"] for o in cost]
    runtime = [o.predicted["runtime_s"] for o in fast]
    assert per_run == sorted(per_run) and runtime == sorted(runtime)
    assert fast[0].predicted["runtime_s"] <= min(o.predicted["runtime_s"] for o in cost)
    assert cost[0].predicted["cost_per_run_usd"] <= min(
        o.predicted["cost_per_run_usd"] for o in fast)
    again = recommend(BATCH, catalog=cat, models=bundle)
    assert recommend(BATCH, catalog=cat, models=bundle).model_dump_json() == \
        again.model_dump_json()


def test_tight_deadline_rejects_slow_options_and_raises_risk(cat, bundle) -> None:
    wide = {**BATCH, "top_n": 20}
    free = _ec2(recommend(wide, catalog=cat, models=bundle))
    runtimes = sorted(o.predicted["runtime_s"] for o in free)
    deadline = runtimes[len(runtimes) // 2]  # half the options are predicted to miss it
    r = recommend(_with(wide, deadline_s=deadline), catalog=cat, models=bundle)
    shown = _ec2(r)
    assert r.rejected.get("ec2.job_misses_deadline", 0) >= len(runtimes) // 2 - 1
    assert shown and all(o.predicted["runtime_s"] <= deadline for o in shown)
    crossing = [o for o in shown if o.predicted["runtime_s_high"] > deadline]
    assert crossing, "the options near the deadline have intervals that cross it"
    for o in shown:
        expected = 2.0 if o.predicted["runtime_s_high"] > deadline else 0.0
        assert o.performance_risk >= expected
        assert any(x.rule == "job.deadline" for x in o.reasons)
    assert all(o.performance_risk >= 2 for o in crossing)
    assert not r.warnings


def test_deadline_nobody_meets_keeps_the_fastest_and_warns(cat, bundle) -> None:
    wide = {**BATCH, "top_n": 20}
    fastest = min(_ec2(recommend(wide, catalog=cat, models=bundle)),
                  key=lambda o: o.predicted["runtime_s"])
    r = recommend(_with(wide, deadline_s=1), catalog=cat, models=bundle)
    shown = _ec2(r)
    assert [(o.option, o.count) for o in shown] == [(fastest.option, fastest.count)]
    assert shown[0].performance_risk == 4.0
    assert r.rejected["ec2.job_misses_deadline"] >= 1
    warning = next(w for w in r.warnings if "deadline" in w)
    assert "1 s" in warning and fastest.option in warning
    assert f"{fastest.predicted['runtime_s']:.0f} s" in warning


def test_without_the_model_the_reason_says_so(cat) -> None:
    prof = _with(BATCH, deadline_s=60, runs_per_month=10)
    r = recommend(prof, catalog=cat, models=False)
    assert _ec2(r) and "ec2.job_misses_deadline" not in r.rejected
    for o in _ec2(r):
        assert "runtime_s" not in o.predicted
        note = next(x for x in o.reasons if x.rule == "job.runtime")
        assert "not loaded" in note.text and note.severity == "caution"


def test_a_failing_model_falls_back_with_the_error(cat, bundle) -> None:
    class Broken:
        version, trained_at, perf, lambda_ = "broken", "never", None, None

        class runtime:  # noqa: N801 - stands in for the model attribute
            @staticmethod
            def predict_arrays(*args, **kwargs):  # what the typed model interface calls
                raise RuntimeError("boom")

    r = recommend(BATCH, catalog=cat, models=Broken())
    note = next(x for x in _ec2(r)[0].reasons if x.rule == "job.runtime")
    assert "failed" in note.text and "boom" in note.text


@pytest.mark.parametrize(
    ("job", "field"),
    [({"measurements": [{**RUNS[0], "runtime_s": "1200"}]}, "compute.job.measurements.0.runtime_s"),
     ({"measurements": [{**RUNS[0], "count": 0}]}, "compute.job.measurements.0.count"),
     ({"measurements": RUNS * 11}, "compute.job.measurements"),  # 22 > the 20 allowed
     ({"framework": "spark"}, "compute.job"),
     ({"input_gib": 10, "deadline_s": -5}, "compute.job.deadline_s"),
     ({"input_gib": 10, "runs_per_month": 0}, "compute.job.runs_per_month"),
     ({"input_gib": 10, "nodes": 3}, "compute.job.nodes")],
    ids=["string-runtime", "zero-count", "four-runs", "no-size", "negative-deadline",
         "zero-runs", "unknown-field"],
)
def test_invalid_job_fields_name_the_field(cat, job: dict, field: str) -> None:
    with pytest.raises(ProfileError) as info:
        recommend({"compute": {"vcpus": 4, "job": job}}, catalog=cat, models=False)
    assert [e["field"] for e in info.value.errors] == [field]
    assert field in str(info.value)


def test_unknown_measured_instance_type_names_the_field(cat) -> None:
    job = {"measurements": [{"instance_type": "m5.huge", "count": 1, "runtime_s": 10}]}
    with pytest.raises(ProfileError, match=r"compute\.job\.measurements\.0\.instance_type"):
        recommend({"compute": {"vcpus": 4, "job": job}}, catalog=cat, models=False)


def test_deadline_risk_steps() -> None:
    assert deadline_risk(110, 150, 100) == 4.0
    assert deadline_risk(95, 130, 100) == 3.0  # point uses > 90 % of the deadline
    assert deadline_risk(50, 130, 100) == 2.0
    assert deadline_risk(50, 90, 100) == 0.0


def test_predicted_perf_interval_raises_cpu_risk_one_step() -> None:
    vt = np.array([10.0, 10.0, 10.0, 10.0])
    perf = np.array([2.0, 2.0, 2.0, 2.0])
    low = np.array([1.6, 1.6, 1.9, 1.6])
    src = np.array(["predicted", "measured", "predicted", "predicted"], dtype=object)
    demand = 8.5  # 85 % at the point estimate; 106 % at perf 1.6
    out = perf_interval_cpu_risk(demand, vt, perf, low, src)
    point = utilization_risk(np.array([demand / 10]))[0]
    assert out[0] == point + 1  # met at the point, missed at the low bound
    assert out[1] == 0  # measured capacity: no interval
    assert out[2] == 0  # 89 % still fits at the low bound
    assert perf_interval_cpu_risk(None, vt, perf, low, src).tolist() == [0, 0, 0, 0]
    assert math.isclose(perf_interval_cpu_risk(12.0, vt, perf, low, src)[0], 0)  # missed anyway
