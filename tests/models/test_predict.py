"""predict_runtime, predict_lambda_memory and fill_perf_index against a small real catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.core.errors import UserError
from recommender.models.endpoints import predict_lambda_memory, predict_runtime
from recommender.models.lambda_mem import lambda_unit_prices
from recommender.models.perf import fill_perf_index

MEAS = [
    {"instance_type": "m5.xlarge", "count": 8, "runtime_s": 574.43},
    {"instance_type": "m5.xlarge", "count": 24, "runtime_s": 233.0},
]


def _price(cat, itype: str) -> float:
    p = cat.ec2_prices
    return float(
        p[(p.instance_type == itype) & (p.region == "us-east-1")].ondemand_usd_per_hour.iloc[0]
    )


@pytest.mark.parametrize("itype", ["m4.xlarge", "c7i.2xlarge"], ids=["previous-gen", "current-gen"])
def test_runtime_for_previous_and_current_generation(small_catalog, bundle, itype: str) -> None:
    req = {"measurements": MEAS, "candidates": [{"instance_type": itype, "count": 8}]}
    p = predict_runtime(req, catalog=small_catalog, bundle=bundle).predictions[0]
    assert p.runtime_s_low < p.runtime_s < p.runtime_s_high
    assert p.cost_usd == pytest.approx(p.runtime_s / 3600 * 8 * _price(small_catalog, itype))
    assert p.price_source.startswith("catalog:")


def test_more_capacity_predicts_faster(small_catalog, bundle) -> None:
    req = {
        "measurements": MEAS,
        "candidates": [{"instance_type": "m5.xlarge", "count": n} for n in (4, 8, 16, 32)],
    }
    r = predict_runtime(req, catalog=small_catalog, bundle=bundle)
    t = [p.runtime_s for p in r.predictions]
    assert t == sorted(t, reverse=True)
    # a measured configuration is predicted at its measurement, interval = run-to-run noise
    assert t[1] == 574.43 and r.predictions[1].measured
    lo, hi = bundle.runtime.noise_q
    assert r.predictions[1].runtime_s_low == pytest.approx(574.43 * np.exp(lo))
    assert r.predictions[1].runtime_s_high == pytest.approx(574.43 * np.exp(hi))


def test_price_override_no_price_and_unknown_type(small_catalog, bundle) -> None:
    req = {
        "measurements": MEAS[:1],
        "candidates": [
            {"instance_type": "m4.xlarge", "count": 4},
            {"instance_type": "hpc7a.12xlarge", "count": 2},
        ],
        "prices_usd_per_hour": {"m4.xlarge": 0.01},
    }
    r = predict_runtime(req, catalog=small_catalog, bundle=bundle)
    over, unpriced = r.predictions
    assert over.price_source == "override" and over.price_usd_per_hour == 0.01
    assert unpriced.cost_usd is None and "no on-demand price" in unpriced.notes[0]
    assert r.best.instance_type == "m4.xlarge"
    with pytest.raises(UserError, match="not in the catalog"):
        predict_runtime(
            {"measurements": MEAS, "candidates": [{"instance_type": "zz9.large", "count": 1}]},
            catalog=small_catalog,
            bundle=bundle,
        )


def test_predicted_perf_types_get_wider_intervals(small_catalog, bundle) -> None:
    req = {
        "measurements": MEAS,
        "candidates": [
            {"instance_type": "c6id.2xlarge", "count": 4},
            {"instance_type": "c7i.2xlarge", "count": 4},
        ],
    }
    pred, meas = predict_runtime(req, catalog=small_catalog, bundle=bundle).predictions
    assert pred.perf_index_source == "predicted" and meas.perf_index_source == "measured"
    assert pred.runtime_s_high / pred.runtime_s_low > meas.runtime_s_high / meas.runtime_s_low


def test_deadline_and_time_objective(small_catalog, bundle) -> None:
    cands = [{"instance_type": "m5.xlarge", "count": n} for n in (2, 8, 32)]
    base = {"measurements": MEAS, "candidates": cands}
    cheap = predict_runtime(base, catalog=small_catalog, bundle=bundle)
    fast = predict_runtime({**base, "objective": "time"}, catalog=small_catalog, bundle=bundle)
    assert fast.best.runtime_s == min(p.runtime_s for p in fast.predictions)
    assert cheap.best.cost_usd == min(p.cost_usd for p in cheap.predictions)
    dl = sorted(p.runtime_s for p in cheap.predictions)[1] + 1
    under = predict_runtime({**base, "deadline_s": dl}, catalog=small_catalog, bundle=bundle)
    assert under.best.runtime_s <= dl
    none = predict_runtime({**base, "deadline_s": 1}, catalog=small_catalog, bundle=bundle)
    assert "no candidate" in none.notes[0]


def test_default_candidates_and_zero_measurements(small_catalog, bundle) -> None:
    r = predict_runtime({"job": {"input_gib": 20}}, catalog=small_catalog, bundle=bundle)
    assert r.predictions and r.best is not None
    assert {p.count for p in r.predictions} >= {1, 64}
    with pytest.raises(UserError, match="input_gib"):
        predict_runtime({"job": {}}, catalog=small_catalog, bundle=bundle)


def test_fill_perf_index_only_fills_missing_rows(ec2_excerpt, bundle) -> None:
    out = fill_perf_index(ec2_excerpt, bundle.perf)
    was_missing = ec2_excerpt["perf_index_source"] == "missing"
    assert (out.loc[was_missing, "perf_index_source"] == "predicted").all()
    filled = out[was_missing]
    assert (filled.perf_index_low < filled.perf_index).all()
    assert (filled.perf_index < filled.perf_index_high).all()
    pd.testing.assert_frame_equal(out[~was_missing], ec2_excerpt[~was_missing])
    # a 48-vCPU type has far more capacity than a 4-vCPU one of a similar family
    big = out.set_index("instance_type").perf_index
    assert big["c8gd.12xlarge"] > 5 * big["c7gn.xlarge"]


def test_lambda_prices_come_from_unit_prices(small_catalog) -> None:
    p = lambda_unit_prices(small_catalog, "x86_64")
    assert p.per_request_usd == pytest.approx(0.20 / 1e6)  # "USD per 1M requests" converted
    assert len(p.tiers) == 3 and p.tiers[0][0] == 0.0
    empty = type(small_catalog)(tables={"unit_prices": small_catalog.unit_prices.iloc[:0]})
    with pytest.raises(UserError, match="lambda.request"):
        lambda_unit_prices(empty, "arm64")


def test_lambda_memory_prices_billed_duration_and_respects_used_memory(small_catalog, bundle):
    # 400 MB used at 512 MB: 128 and 256 MB are below any plausible footprint (the floor is
    # at most 1 x 400 MB and at least the training shrink, above 0.64).
    req = {
        "measurements": [{"memory_mb": 512, "duration_ms": 900.2, "max_memory_used_mb": 400}],
        "arch": "x86_64",
        "invocations_per_month": 1_000_000,
        "candidate_memory_mb": [128, 256, 512, 1024, 2048],
    }
    assert bundle.lambda_.footprint_floor > 256 / 400
    r = predict_lambda_memory(req, catalog=small_catalog, bundle=bundle)
    assert [p.memory_mb for p in r.predictions] == [512, 1024, 2048]
    p = lambda_unit_prices(small_catalog, "x86_64")
    for pred in r.predictions:
        assert pred.billed_duration_ms == int(np.ceil(pred.duration_ms))
        gb_s = pred.billed_duration_ms / 1000 * pred.memory_mb / 1024 * 1e6
        assert pred.monthly_cost_usd == pytest.approx(
            gb_s * p.tiers[0][2] + 1e6 * p.per_request_usd
        )
        if not pred.measured:
            assert pred.duration_ms_low < pred.duration_ms < pred.duration_ms_high
    assert r.predictions[0].measured and r.predictions[0].duration_ms == 900.2
    assert r.best.monthly_cost_usd == min(x.monthly_cost_usd for x in r.predictions)
    speed = predict_lambda_memory(
        {**req, "objective": "speed"}, catalog=small_catalog, bundle=bundle
    )
    assert speed.best.duration_ms <= min(x.duration_ms for x in speed.predictions) * 1.01
    only = predict_lambda_memory({**req, "candidate_memory_mb": [128, 256]},
                                 catalog=small_catalog, bundle=bundle)
    assert [x.memory_mb for x in only.predictions] == [512]  # measured sizes always stay


def test_a_size_that_ran_is_never_refused(small_catalog, bundle) -> None:
    # 180 MB used at 1,024 MB, but the function also ran at 128 MB: 128 MB stays.
    req = {"measurements": [
        {"memory_mb": 1024, "duration_ms": 932.0, "max_memory_used_mb": 180},
        {"memory_mb": 128, "duration_ms": 7000.0, "max_memory_used_mb": 120}],
        "candidate_memory_mb": [128, 1024, 3008]}
    r = predict_lambda_memory(req, catalog=small_catalog, bundle=bundle)
    assert [x.memory_mb for x in r.predictions] == [128, 1024, 3008]
    assert r.predictions[0].duration_ms == 7000.0


def test_power_tuning_output_is_a_request(small_catalog, bundle) -> None:
    import json
    from pathlib import Path

    req = json.loads((Path(__file__).parents[2] / "examples" / "power_tuning.json").read_text())
    r = predict_lambda_memory(req, catalog=small_catalog, bundle=bundle)
    measured = [x.memory_mb for x in r.predictions if x.measured]
    assert measured == [128, 256, 512, 1024, 1536, 3008]
    with pytest.raises(UserError, match="power_tuning"):
        predict_lambda_memory({"power_tuning": {"results": {}}}, catalog=small_catalog,
                              bundle=bundle)


def test_failed_run_marks_smaller_clusters_and_is_never_picked(small_catalog, bundle) -> None:
    # c5.xlarge x 4 failed: 4 x 8 GiB = 32 GiB is not enough; m5.xlarge x 8 (128 GiB) may run,
    # c5.xlarge x 2 (16 GiB) and m5.large x 4 (4 x 8 = 32 GiB) cannot.
    req = {"measurements": [*MEAS, {"instance_type": "c5.xlarge", "count": 4, "failed": True}],
           "candidates": [{"instance_type": t, "count": n} for t, n in
                          (("c5.xlarge", 2), ("m5.large", 4), ("m5.xlarge", 8))]}
    r = predict_runtime(req, catalog=small_catalog, bundle=bundle)
    assert [p.predicted_to_fail for p in r.predictions] == [True, True, False]
    assert r.best.instance_type == "m5.xlarge"
    need = predict_runtime({"measurements": MEAS, "job": {"memory_gib": 64}, "candidates": [
        {"instance_type": "m5.xlarge", "count": 2}, {"instance_type": "m5.xlarge", "count": 8}]},
        catalog=small_catalog, bundle=bundle)
    assert [p.predicted_to_fail for p in need.predictions] == [True, False]  # 32 vs 128 GiB


def test_lambda_duration_beyond_the_catalog_timeout_is_refused(bundle) -> None:
    from catalog.store import load_catalog

    cat = load_catalog()  # the committed snapshot carries the lambda.timeout_max fact
    limit_s = float(cat.facts.query("topic == 'lambda' and key == 'timeout_max'").value.iloc[0])
    ok = {"measurements": [{"memory_mb": 512, "duration_ms": limit_s * 1000}]}
    assert predict_lambda_memory(ok, catalog=cat, bundle=bundle).predictions
    too_long = {"measurements": [{"memory_mb": 512, "duration_ms": limit_s * 1000 + 1}]}
    with pytest.raises(UserError, match=r"measurements\.0\.duration_ms.*timeout"):
        predict_lambda_memory(too_long, catalog=cat, bundle=bundle)
    with pytest.raises(UserError, match="duration_ms"):
        predict_lambda_memory(
            {"measurements": [{"memory_mb": 512, "duration_ms": 5e-324}]},
            catalog=cat,
            bundle=bundle,
        )


@pytest.mark.parametrize("gib", [5e-324, 1e300, "ten", True])
def test_runtime_input_size_outside_plausible_range_is_refused(small_catalog, bundle, gib) -> None:
    with pytest.raises(UserError, match="input_gib"):
        predict_runtime({"job": {"input_gib": gib}, "candidates": [
            {"instance_type": "m5.xlarge", "count": 2}]}, catalog=small_catalog, bundle=bundle)


def test_lambda_measured_size_below_the_footprint_floor_is_kept(small_catalog, bundle) -> None:
    # Issue 10: "sizes where a measurement ran are never refused".  400 MB used at 1,024 MB
    # puts the floor above 0.64 x 400 = 256 MB, so 128 MB is refused as a candidate alone;
    # here the function really ran at 128 MB (in 866 ms), so 128 MB must stay, predicted at
    # that measurement.  256 MB (not measured) is still refused.
    req = {
        "measurements": [
            {"memory_mb": 1024, "duration_ms": 140.0, "max_memory_used_mb": 400},
            {"memory_mb": 128, "duration_ms": 866.0},
        ],
        "arch": "x86_64",
        "candidate_memory_mb": [128, 256, 1024, 2048],
    }
    assert bundle.lambda_.footprint_floor > 256 / 400
    preds = {p.memory_mb: p for p in predict_lambda_memory(
        req, catalog=small_catalog, bundle=bundle).predictions}
    assert 128 in preds and 256 not in preds
    assert preds[128].measured and preds[128].duration_ms == pytest.approx(866.0)
