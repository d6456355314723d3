"""The typed model interface the rules call, its caches, and the numpy correction.

The numpy correction is checked against scikit-learn's own ``predict`` on the committed
artifact (scikit-learn is the reference arithmetic), including inputs exactly at the trees'
thresholds and missing values.  The prediction endpoints are adapters over the typed
functions, so both must give the same figures.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from catalog.store import Catalog
from recommender.core.errors import UserError
from recommender.models import artifacts as A
from recommender.models.endpoints import predict_lambda_memory, predict_runtime
from recommender.models.interface import (
    LambdaQuery,
    LambdaRun,
    MeasuredRun,
    NodeConfig,
    RuntimeQuery,
    choose_lambda_memory,
    estimate_runtime,
)
from recommender.models.runtime_index import runtime_index
from recommender.models.trees import compile_correction

RUNS = (MeasuredRun("m5.xlarge", 8, 574.43), MeasuredRun("m5.xlarge", 24, 233.0))
CONFIGS = (NodeConfig("m5.xlarge", 8), NodeConfig("c7i.2xlarge", 4), NodeConfig("m4.xlarge", 16))


def test_numpy_correction_equals_sklearn_bit_for_bit(bundle) -> None:
    # The bundle serves the numpy form (runtime.npz); the skops file holds the sklearn pipeline.
    pipe = A.load_artifact("runtime", A.DEFAULT_ARTIFACTS_DIR)[0].correction
    fast = compile_correction(pipe)
    assert fast is not None
    cols = list(bundle.runtime.features)
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 1.5, (400, len(cols)))
    x[rng.random(x.shape) < 0.1] = np.nan  # the imputer's medians stand in
    # Every split threshold itself (a float32 cast that rounds up or down would flip a split).
    thr = fast.threshold[fast.feature >= 0]
    feat = fast.feature[fast.feature >= 0]
    at = np.tile(np.nanmedian(x, axis=0), (len(thr), 1))
    at[np.arange(len(thr)), feat] = thr
    both = np.vstack([x, at, np.nextafter(at, np.inf), np.nextafter(at, -np.inf)])
    want = pipe.predict(pd.DataFrame(both, columns=cols))
    assert np.array_equal(fast.predict(both), want)


def test_unsupported_estimator_is_not_compiled() -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    assert compile_correction(make_pipeline(LinearRegression())) is None
    assert compile_correction(None) is None


def test_typed_estimates_equal_the_endpoint(small_catalog, bundle) -> None:
    est = estimate_runtime(RuntimeQuery(configs=CONFIGS, runs=RUNS), catalog=small_catalog,
                           bundle=bundle)
    resp = predict_runtime({"measurements": [
        {"instance_type": r.instance_type, "count": r.count, "runtime_s": r.runtime_s}
        for r in RUNS], "candidates": [
        {"instance_type": c.instance_type, "count": c.count} for c in CONFIGS]},
        catalog=small_catalog, bundle=bundle)
    assert [(e.instance_type, e.count) for e in est] == [(c.instance_type, c.count)
                                                        for c in CONFIGS]
    for e, p in zip(est, resp.predictions, strict=True):
        assert (e.runtime_s, e.runtime_s_low, e.runtime_s_high, e.cost_usd) == (
            p.runtime_s, p.runtime_s_low, p.runtime_s_high, p.cost_usd)
    # The measured configuration keeps its measurement (8 x m5.xlarge ran in 574.43 s).
    assert est[0].measured and est[0].runtime_s == 574.43


def test_override_price_and_memory_failure(small_catalog, bundle) -> None:
    q = RuntimeQuery(configs=(NodeConfig("m5.xlarge", 2), NodeConfig("m5.xlarge", 16)),
                     runs=RUNS, memory_gib=100.0, prices_usd_per_hour=(("m5.xlarge", 0.5),))
    small, big = estimate_runtime(q, catalog=small_catalog, bundle=bundle)
    # 2 x 16 GiB = 32 GiB < 100 GiB needed: predicted to fail; 16 x 16 = 256 GiB is enough.
    assert small.predicted_to_fail and not big.predicted_to_fail
    # Cost per run = runtime / 3600 x nodes x 0.5 USD/h (the override).
    assert big.price_source == "override"
    assert big.cost_usd == pytest.approx(big.runtime_s / 3600 * 16 * 0.5)


def test_unknown_type_is_a_user_error(small_catalog, bundle) -> None:
    with pytest.raises(UserError, match="nope.large"):
        estimate_runtime(RuntimeQuery(configs=(NodeConfig("nope.large", 1),), runs=RUNS),
                         catalog=small_catalog, bundle=bundle)


def test_index_and_estimates_are_kept_per_catalog(small_catalog, bundle) -> None:
    q = RuntimeQuery(configs=CONFIGS, runs=RUNS)
    first = estimate_runtime(q, catalog=small_catalog, bundle=bundle)
    assert estimate_runtime(q, catalog=small_catalog, bundle=bundle) is first  # memoised
    assert runtime_index(small_catalog, bundle) is runtime_index(small_catalog, bundle)
    # A new catalog object (a rebuilt snapshot) never meets the old index or memo.
    other = Catalog(tables=dict(small_catalog.tables))
    assert runtime_index(other, bundle) is not runtime_index(small_catalog, bundle)
    again = estimate_runtime(q, catalog=other, bundle=bundle)
    assert again is not first and again == first


def test_typed_lambda_choice_equals_the_endpoint(small_catalog, bundle) -> None:
    q = LambdaQuery(runs=(LambdaRun(512, 300.0),), objective="balanced")
    got = choose_lambda_memory(q, catalog=small_catalog, bundle=bundle)
    resp = predict_lambda_memory({"measurements": [{"memory_mb": 512, "duration_ms": 300}],
                                  "objective": "balanced"}, catalog=small_catalog,
                                 bundle=bundle)
    assert [e.memory_mb for e in got.estimates] == [p.memory_mb for p in resp.predictions]
    assert got.best.memory_mb == resp.best.memory_mb
    assert got.best.monthly_cost_usd == resp.best.monthly_cost_usd
    # The measured size is predicted at its measurement.
    at = next(e for e in got.estimates if e.memory_mb == 512)
    assert at.measured and at.duration_ms == 300.0


def test_typed_lambda_refuses_a_duration_lambda_cannot_report(small_catalog, bundle) -> None:
    with pytest.raises(UserError, match="0.01 ms"):
        choose_lambda_memory(LambdaQuery(runs=(LambdaRun(512, 0.001),)),
                             catalog=small_catalog, bundle=bundle)


def test_failed_load_is_logged_and_retried_when_the_files_change(tmp_path: Path,
                                                                 caplog) -> None:
    art = tmp_path / "art"
    shutil.copytree(A.DEFAULT_ARTIFACTS_DIR, art)
    good = (art / "lambda.skops").read_bytes()
    (art / "lambda.skops").write_bytes(good[:-10] + b"0123456789")  # no longer its sha256
    with caplog.at_level(logging.WARNING, logger=A.__name__):
        state = A.model_state(art)
    assert state.status == "degraded" and "lambda artifact failed its hash" in state.detail
    assert any("not loaded" in r.getMessage() for r in caplog.records)
    (art / "lambda.skops").write_bytes(good)  # repaired: picked up without a restart
    assert A.model_state(art).status == "ok"


def test_interface_and_rules_import_no_sklearn() -> None:
    code = ("import sys, recommender.models.interface, recommender.rules.compute.jobs, "
            "recommender.rules.compute.serverless, recommender.models.artifacts; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'skops') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(("call", "request_", "lines"), [
    (predict_runtime, {"job": {"framework": "spark", "input_gib": 10}, "compute": {"vcpus": 2}},
     ["compute: unknown field (not in the runtime request schema; check the spelling)"]),
    (predict_runtime, {"job": {"framework": "spark", "input_gib": 10}, "candidates": "x",
                       "region": "mars"},
     ["candidates: must be a list", "region: must be an AWS region code (e.g. us-east-1)"]),
    (predict_lambda_memory, {"memory_mb": "x"},
     ["memory_mb: unknown field (not in the lambda-memory request schema; check the spelling)"]),
])
def test_bad_prediction_requests_name_each_field_and_rule(call, request_, lines) -> None:
    # Before: pydantic's own text ('1 validation error for RuntimeRequest ... [type=
    # extra_forbidden, input_value=...] For further information visit https://errors.pydantic
    # .dev/...'), echoing the input; now one line per field in the profile's words.
    with pytest.raises(UserError) as got:
        call(request_, catalog=None, bundle=object())
    text = str(got.value)
    assert text.splitlines()[1:] == [f"  {ln}" for ln in lines]
    assert "pydantic" not in text and "input_value" not in text
