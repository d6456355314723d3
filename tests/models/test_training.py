"""Training on ../shared/data: deterministic, and it reproduces the committed metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recommender.models import data as D
from recommender.models.artifacts import DEFAULT_ARTIFACTS_DIR
from recommender.models.runtime_train import train_runtime
from recommender.models.train import run

pytestmark = pytest.mark.shared


#: Small Lambda groups, one of them (pacslab_math) a hash-fixed test group: the whole
#: pipeline (dev tuning, test score, conformal, refit) in seconds instead of minutes.
LAMBDA_SUBSET = ["epsagon_fibonacci", "jconning_sieve", "pacslab_factorial", "pacslab_math",
                 "pacslab_resize", "s3write"]


def test_lambda_training_is_deterministic_on_a_subset(shared_data: Path) -> None:
    from recommender.models import serving as S
    from recommender.models.lambda_data import load_lambda_curves
    from recommender.models.lambda_train import train_lambda
    from recommender.models.train import _lambda_prices

    curves = load_lambda_curves(shared_data)
    subset = curves[curves["group"].isin(LAMBDA_SUBSET)]
    prices = _lambda_prices(shared_data)
    # Sequential and two processes: the groups are scored alone, the pairs drawn up front.
    a, b = train_lambda(subset, prices), train_lambda(subset, prices, n_jobs=2)
    assert json.dumps(a.metrics, sort_keys=True, default=float) == json.dumps(
        b.metrics, sort_keys=True, default=float)
    arrays_a, arrays_b = S.serving_arrays(a), S.serving_arrays(b)
    assert arrays_a is not None and arrays_b is not None
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        np.testing.assert_array_equal(arrays_a[key], arrays_b[key], err_msg=key)
    assert a.metrics["split"]["test_groups"] == ["pacslab_math"]


def test_runtime_training_is_deterministic_on_a_subset(shared_data: Path) -> None:
    ec2, prices = D.load_ec2_tables(shared_data)
    runs = D.load_workload_runs(shared_data, prices)
    subset = runs[runs["group"].isin(["bbo_rf", "bbo_linear", "c3o_sort", "c3o_grep"])]
    m1 = train_runtime(subset, ec2, n_jobs=1)
    m2 = train_runtime(subset, ec2, n_jobs=2)  # parallel folds give the same figures
    assert json.dumps(m1.metrics, sort_keys=True) == json.dumps(m2.metrics, sort_keys=True)
    # bbo_linear (2 workloads) is a hash-fixed test group; bbo_rf (1) is development
    assert m1.metrics["test"]["bbo:two_refs"]["n_workloads"] == 2
    assert m1.metrics["development"]["bbo:two_refs"]["n_workloads"] == 1


def test_workload_runs_are_read_as_documented(shared_data: Path) -> None:
    _, prices = D.load_ec2_tables(shared_data)
    runs = D.load_workload_runs(shared_data, prices)
    assert set(runs["source"]) == {"bbo", "c3o"}
    assert runs.groupby("source")["workload_id"].nunique()["bbo"] == 5
    assert runs["price_usd_per_hour"].notna().all()  # c4/m4/r4 priced from the catalog
    assert int(runs["failed"].sum()) == 9  # PROVENANCE: 9 penalized bbo runs
    assert np.isnan(runs.loc[runs.source == "bbo", "input_gib"]).all()


def _flat(d: object, prefix: str = "") -> dict[str, object]:
    if isinstance(d, dict):
        return {k: v for key, val in d.items() for k, v in _flat(val, f"{prefix}/{key}").items()}
    if isinstance(d, list):
        return {k: v for i, val in enumerate(d) for k, v in _flat(val, f"{prefix}[{i}]").items()}
    return {prefix: d}


#: How far a figure may move when the committed artifacts were trained on another BLAS
#: kernel (another CPU; the sidecar's ``platform``).  Seen: perf's development group-mean
#: MAPE 11.990 -> 11.875 % (0.96 %) between the machine that trained the committed
#: artifacts and an AMD EPYC with OpenBLAS 0.3.31's Haswell kernel, every other figure
#: within 0.13 %, the Lambda and runtime figures and every count exact; on the same kernel
#: the figures agree to 1e-9.
CROSS_KERNEL_REL = 0.02


@pytest.mark.slow
def test_train_reproduces_committed_metrics(shared_data: Path, tmp_path: Path) -> None:
    from recommender.models.artifacts import numeric_platform

    fresh = run(shared_data, tmp_path, None, evaluate=False, show_progress=False)
    for name, metrics in fresh.items():
        committed = json.loads((DEFAULT_ARTIFACTS_DIR / f"{name}.json").read_text())
        written = json.loads((tmp_path / f"{name}.json").read_text())
        assert written["training_data"] == committed["training_data"] == D.data_hashes(
            shared_data, name)
        same_kernel = committed.get("platform") == numeric_platform()
        rel = 1e-9 if same_kernel else CROSS_KERNEL_REL
        got = _flat(json.loads(json.dumps(metrics, default=float)))
        want = _flat(committed["metrics"])
        assert got.keys() == want.keys()
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=rel, abs=1e-9 if same_kernel else 1e-6,
                                                 nan_ok=True), f"{name}{key}"
            else:  # counts, names, splits: exact on any kernel
                assert got[key] == value, f"{name}{key}"
        if same_kernel and "serving" in committed:  # seeded and sorted: the same arrays
            _assert_same_arrays(tmp_path / written["serving"]["file"],
                                DEFAULT_ARTIFACTS_DIR / committed["serving"]["file"])


def _assert_same_arrays(a: Path, b: Path) -> None:
    # The .npz bytes carry zip timestamps; the arrays are what serving reads.
    with np.load(a, allow_pickle=False) as fa, np.load(b, allow_pickle=False) as fb:
        assert sorted(fa.files) == sorted(fb.files)
        for key in fa.files:
            np.testing.assert_array_equal(fa[key], fb[key], err_msg=f"{a.name} {key}")
