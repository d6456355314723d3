"""Sanity that physics demands, checked on the committed models with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.models.features import LAMBDA_MB_PER_VCPU
from recommender.models.lambda_mem import LambdaModel
from recommender.models.runtime import fit_physics

GRID = np.arange(128, int(LAMBDA_MB_PER_VCPU) + 1, 1)  # every 1 MB step below 1,769 MB

measurement = st.tuples(st.integers(128, 10240), st.floats(1.0, 900_000.0))


@settings(max_examples=60, deadline=None)
@given(st.lists(measurement, min_size=1, max_size=4), st.none() | st.floats(1.0, 10240.0))
def test_more_memory_never_slower_below_1769mb(bundle, meas, used_mb) -> None:
    mb = np.array([m for m, _ in meas], float)
    ms = np.array([d for _, d in meas], float)
    d = bundle.lambda_.predict(GRID, mb, ms, used_mb=used_mb)["duration_ms"].to_numpy()
    assert np.all(np.diff(d) <= 1e-9 * d[:-1])


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.3, 3.0),
    st.floats(-8.0, 4.0),
    st.lists(measurement, min_size=1, max_size=3),
    st.booleans(),
)
def test_monotone_for_any_learned_parameters(beta, log_k, meas, parallel) -> None:
    model = LambdaModel(beta, log_k, {1: (-0.1, 0.1), 2: (-0.05, 0.05)})
    mb = np.array([m for m, _ in meas], float)
    ms = np.array([d for _, d in meas], float)
    d = model.predict(np.arange(128, 10241, 64), mb, ms, parallel)["duration_ms"].to_numpy()
    assert np.all(np.diff(d) <= 1e-9 * d[:-1]) and np.all(d > 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.5, 500.0), st.floats(1.0, 1e5)), min_size=1, max_size=3),
    st.floats(0.1, 1e3),
)
def test_runtime_physics_never_slower_with_more_capacity(runs, prior) -> None:
    x = np.array([c for c, _ in runs])
    t = np.array([r for _, r in runs])
    s, w = fit_physics(x, t, prior)
    assert s >= 0 and w >= 0 and s + w > 0
    caps = np.geomspace(0.5, 5000, 50)
    pred = s + w / caps
    assert np.all(np.diff(pred) <= 1e-9 * pred[:-1])


def test_one_measurement_is_reproduced() -> None:
    s, w = fit_physics(np.array([16.0]), np.array([300.0]), 16.0)
    assert s + w / 16.0 == pytest.approx(300.0)
    assert s == pytest.approx(150.0)  # the prior: serial and parallel equal at capacity 16


def test_footprint_prior_is_clamped_to_what_training_saw(bundle) -> None:
    model = bundle.lambda_
    lo, hi = model.log_k_bounds
    assert model.log_k(1.0) == lo and model.log_k(1e6) == hi
    assert model.log_k(None) == model.log_k_prior
