"""Artifacts: sha256 and scikit-learn version checked before decoding (skops); atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from recommender.core.errors import ModelArtifactError
from recommender.models import artifacts as A
from recommender.models import train as T
from recommender.models.perf import LogOffsetRegressor


def _model() -> LogOffsetRegressor:
    X = np.arange(20, dtype=float).reshape(10, 2)
    return LogOffsetRegressor(estimator=DummyRegressor()).fit(X, X[:, 0] + 1.0)


def _write(tmp_path: Path) -> Path:
    items = {name: (_model(), {"metrics": {"x": 1.0}}) for name in A.MODEL_NAMES}
    A.write_artifacts_atomically(items, tmp_path)
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
        A.write_artifacts_atomically(unpicklable, d)
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
