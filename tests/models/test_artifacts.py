"""Artifacts: sha256 and scikit-learn version checked before decoding (skops); atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from recommender.core.errors import ModelArtifactError
from recommender.models import artifact_writer as W
from recommender.models import artifacts as A
from recommender.models import train as T
from recommender.models.perf import LogOffsetRegressor


def _model() -> LogOffsetRegressor:
    X = np.arange(20, dtype=float).reshape(10, 2)
    return LogOffsetRegressor(estimator=DummyRegressor()).fit(X, X[:, 0] + 1.0)


def _write(tmp_path: Path) -> Path:
    items = {name: (_model(), {"metrics": {"x": 1.0}}) for name in A.MODEL_NAMES}
    W.write_artifacts_atomically(items, tmp_path)
    return tmp_path


def test_round_trip_and_sidecar_fields(tmp_path: Path) -> None:
    d = _write(tmp_path)
    bundle = A.load_models(d)
    assert isinstance(bundle.perf, LogOffsetRegressor)
    side = json.loads((d / "perf.json").read_text())
    assert side["sha256"] == A.sha256_file(d / "perf.skops")
    assert {"scikit-learn", "numpy", "python"} <= set(side["libraries"])
    assert bundle.version.startswith("models-") and bundle.trained_at == side["trained_at"]


def test_tampered_byte_is_refused(tmp_path: Path) -> None:
    d = _write(tmp_path)
    path = d / "runtime.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelArtifactError, match="sha256"):
        A.load_artifact("runtime", d)


def test_other_sklearn_version_is_refused(tmp_path: Path) -> None:
    d = _write(tmp_path)
    side = json.loads((d / "lambda.json").read_text())
    side["libraries"]["scikit-learn"] = "0.0.1"
    (d / "lambda.json").write_text(json.dumps(side))
    with pytest.raises(ModelArtifactError, match="scikit-learn 0.0.1"):
        A.load_artifact("lambda", d)


def test_version_check_comes_before_unpickling(tmp_path: Path, monkeypatch) -> None:
    d = _write(tmp_path)
    side = json.loads((d / "perf.json").read_text())
    side["libraries"]["scikit-learn"] = "0.0.1"
    (d / "perf.json").write_text(json.dumps(side))
    called = []
    import skops.io

    monkeypatch.setattr(skops.io, "loads", lambda *a, **k: called.append(a))
    with pytest.raises(ModelArtifactError):
        A.load_artifact("perf", d)
    assert not called


def test_missing_artifact_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelArtifactError, match="missing"):
        A.load_models(tmp_path)


def test_failed_write_leaves_existing_artifacts_intact(tmp_path: Path) -> None:
    d = _write(tmp_path)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    unpicklable = {"perf": (_model(), {}), "runtime": (lambda x: x, {})}  # a lambda cannot pickle
    with pytest.raises(Exception):  # noqa: B017 - whatever pickle raises
        W.write_artifacts_atomically(unpicklable, d)
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    assert not list(d.parent.glob(".artifacts.tmp-*"))


def test_failing_training_leaves_existing_artifacts_intact(tmp_path: Path, monkeypatch) -> None:
    d = _write(tmp_path / "art")
    before = {p.name: p.read_bytes() for p in d.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("training failed half-way")

    monkeypatch.setattr(T, "train_models", boom)
    with pytest.raises(RuntimeError):
        T.run(tmp_path, d, None, evaluate=False, show_progress=False)
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before


def test_committed_artifacts_verify() -> None:
    bundle = A.load_models()
    assert set(bundle.sidecars) == set(A.MODEL_NAMES)
    for side in bundle.sidecars.values():
        assert side["metrics"] and side["training_data"]


@pytest.fixture(scope="module")
def committed() -> dict[str, object]:
    """The committed runtime and Lambda models, decoded from their skops files."""
    return {name: A.load_artifact(name, A.DEFAULT_ARTIFACTS_DIR)[0]
            for name in ("runtime", "lambda")}


def _write_real(committed: dict[str, object], d: Path) -> Path:
    items = {"perf": (_model(), {}), **{n: (m, {}) for n, m in committed.items()}}
    W.write_artifacts_atomically(items, d)
    return d


def test_serving_form_is_written_with_its_hash_and_predicts_the_same(committed,
                                                                     tmp_path: Path) -> None:
    d = _write_real(committed, tmp_path)
    for name in ("runtime", "lambda"):
        side = json.loads((d / f"{name}.json").read_text())
        assert side["serving"]["sha256"] == A.sha256_file(d / f"{name}.npz")
    assert not (d / "perf.npz").exists()  # no serving form: served from its skops file
    bundle = A.load_models(d)
    lam, ref = bundle.lambda_, committed["lambda"]
    sizes = np.array([128.0, 512.0, 1769.0, 3008.0, 10240.0])
    for parallel in (None, True, False):
        got = lam.predict(sizes, np.array([512.0]), np.array([300.0]), parallel=parallel)
        want = ref.predict(sizes, np.array([512.0]), np.array([300.0]), parallel=parallel)
        for k in want:  # exact: the arrays are the same float64s
            np.testing.assert_array_equal(got[k], want[k])
    rt = committed["runtime"]
    x = np.random.default_rng(0).normal(size=(50, len(rt.features)))
    # The numpy trees equal scikit-learn's pipeline bit for bit (see trees.py).
    import pandas as pd

    np.testing.assert_array_equal(bundle.runtime_correction(x), rt.correction.predict(
        pd.DataFrame(x, columns=list(rt.features))))


def test_altered_serving_file_is_refused(committed, tmp_path: Path) -> None:
    d = _write_real(committed, tmp_path)
    data = bytearray((d / "lambda.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / "lambda.npz").write_bytes(bytes(data))
    state = A.model_state(d)
    assert state.status == "degraded" and "lambda artifact failed its hash" in state.detail


def test_serving_file_needing_pickle_is_refused(committed, tmp_path: Path) -> None:
    import hashlib
    import io

    d = _write_real(committed, tmp_path)
    buf = io.BytesIO()
    np.savez(buf, kind=np.array([{"x": 1}], dtype=object))  # an object array needs pickle
    (d / "runtime.npz").write_bytes(buf.getvalue())
    side = json.loads((d / "runtime.json").read_text())
    side["serving"]["sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    (d / "runtime.json").write_text(json.dumps(side))
    with pytest.raises(ModelArtifactError, match="cannot be decoded"):
        A.load_models(d)


def test_serving_loads_without_sklearn(committed, tmp_path: Path) -> None:
    import subprocess
    import sys

    d = _write_real(committed, tmp_path)
    code = ("import sys; from recommender.models import artifacts as A; "
            f"b = A.load_models({str(d)!r}); b.runtime; b.lambda_; b.runtime_correction; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'skops') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"
