"""Sanity that physics demands, checked on the committed models with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.models import lambda_physics as P
from recommender.models.lambda_mem import LambdaModel
from recommender.models.runtime_physics import (
    fit_physics,
    fit_with_memory,
    own_overhead,
    physics_runtime,
)

SIZES = np.arange(128, 10241, 64)
measurement = st.tuples(st.integers(128, 10240), st.floats(1.0, 900_000.0))


@settings(max_examples=60, deadline=None)
@given(measurement, st.sampled_from([None, True, False]))
def test_one_measurement_never_slower_with_more_memory(bundle, meas, parallel) -> None:
    d = bundle.lambda_.predict(SIZES, np.array([meas[0]], float), np.array([meas[1]]),
                               parallel)["duration_ms"]
    assert np.all(np.diff(d) <= 1e-9 * d[:-1]) and np.all(d > 0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=2,
             max_size=6).filter(lambda rows: all(sum(r) > 0.01 for r in rows)),
    measurement,
    st.sampled_from([None, 0.5, 2.0]),
)
def test_monotone_for_any_learned_prior(rows, meas, bandwidth) -> None:
    shapes = np.array([P.fractions(np.array(r)) for r in rows])
    model = LambdaModel(shapes, np.full(len(rows), 1 / len(rows)), np.zeros(len(rows)),
                        bandwidth, 0.2, 0.9, {1: (-0.1, 0.1), 2: (-0.05, 0.05)})
    d = model.predict(SIZES, np.array([meas[0]], float), np.array([meas[1]]))["duration_ms"]
    assert np.all(np.diff(d) <= 1e-9 * d[:-1]) and np.all(d > 0)


def test_two_or_more_sizes_recover_the_curve_exactly() -> None:
    # Hand calculation: u = 100 ms waiting, c = 900 ms of single-threaded CPU at one vCPU,
    # so d(m) = 100 + 900 * 1769 / m below 1,769 MB and 1,000 ms from 1,769 MB up.
    m = np.array([256.0, 512.0, 1024.0])
    d = 100 + 900 * 1769 / m
    coef = P.fit_curve(m, d, 0.0)
    assert coef == pytest.approx([100, 900, 0], rel=1e-6)
    assert P.curve(coef, np.array([1769.0, 3008.0])) == pytest.approx([1000.0, 1000.0])


def test_sizes_above_1769_reveal_multithreaded_work() -> None:
    # u = 50, c = 0, p = 1000: 6 vCPUs at 10,240 MB (AWS), 1 at 1,769 MB, linear between:
    # share(4096) = 1 + (4096 - 1769) / (10240 - 1769) * 5 = 2.37349...
    m = np.array([512.0, 1024.0, 4096.0, 10240.0])
    share = np.where(m <= 1769, m / 1769, 1 + (m - 1769) / (10240 - 1769) * 5)
    coef = P.fit_curve(m, 50 + 1000 / share, 0.0)
    assert coef == pytest.approx([50, 0, 1000], abs=1e-6)


def test_cpu_time_fixes_the_wait_part() -> None:
    # 1,000 ms at 512 MB of which 200 ms CPU: at share 512/1769 the CPU part takes
    # 200 / 0.28943 = 691.02 ms of wall time, so 308.98 ms is waiting; at 1,769 MB it is
    # 308.98 + 200 = 508.98 ms.
    model = LambdaModel(np.array([[0.5, 0.5, 0.0]]), np.array([1.0]), np.zeros(1), None, 0.0,
                        0.9, {1: (0.0, 0.0), 2: (0.0, 0.0)})
    d = model.predict(np.array([512.0, 1769.0]), np.array([512.0]), np.array([1000.0]), False,
                      cpu_ms=200.0)["duration_ms"]
    assert d == pytest.approx([1000.0, 1000 - 200 * 1769 / 512 + 200], rel=1e-6)


def test_a_measured_size_is_predicted_at_its_measurement(bundle) -> None:
    out = bundle.lambda_.predict(np.array([512.0, 1024.0, 3008.0]), np.array([1024.0]),
                                 np.array([932.0]))
    assert out["duration_ms"][1] == out["duration_ms_low"][1] == out["duration_ms_high"][1] == 932
    assert out["measured"].tolist() == [False, True, False]


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


def test_runtime_can_rise_with_nodes_when_runs_show_it() -> None:
    # 4, 8, 16 nodes of capacity 2: 300 s, 250 s, 280 s: faster then slower, which only a
    # per-node overhead explains; so 32 nodes must be predicted slower than 16.
    n = np.array([4.0, 8.0, 16.0])
    x, t = 2 * n, np.array([300.0, 250.0, 280.0])
    over = own_overhead(x, t, n, (0.0, 0.0))
    assert over[1] > 0
    s, w = fit_physics(x, t, 1.0, n, over)
    pred = physics_runtime(s, w, np.array([32.0, 64.0]), np.array([16.0, 32.0]), over)
    assert pred[1] > pred[0]


def test_memory_pressure_from_two_families() -> None:
    # Same node count and capacity, 4 vs 8 GiB per vCPU: 600 s vs 400 s.  Capacity alone
    # cannot tell them apart, so the memory-poor run carries a slowdown (gamma > 0).
    x, n = np.array([16.0, 16.0]), np.array([8.0, 8.0])
    s, w, gamma, ref = fit_with_memory(x, np.array([600.0, 400.0]), n, np.array([4.0, 8.0]),
                                       16.0, overhead=(0.0, 0.0))
    assert gamma > 0 and ref == 8.0
    _, _, g0, _ = fit_with_memory(x, np.array([500.0, 500.0]), n, np.array([4.0, 8.0]),
                                  16.0, overhead=(0.0, 0.0))
    assert g0 == 0.0


def _two_size_model() -> LambdaModel:
    """A model with one CPU shape and the served two-size posterior (sigma 1 %)."""
    return LambdaModel(np.array([[0.0, 1.0, 0.0]]), np.array([1.0]), np.zeros(1), None, 0.0,
                       0.9, {1: (0.0, 0.0), 2: (-0.05, 0.05)}, two_sigma=0.01, two_tau=0.05,
                       two_pi=0.9, two_beta_max=1.5)


def test_two_sizes_of_a_cpu_bound_function_extrapolate_its_share() -> None:
    # Hand calculation: single-threaded, 1,000 ms at 1,769 MB and no waiting, so
    # d(m) = 1000 * 1769 / m: 6,910.16 ms at 256 MB, 1,727.54 ms at 1,024 MB (measured),
    # 13,820.31 ms at 128 MB, 1,000 ms at 1,769 MB and above (one vCPU is all it uses).
    m = np.array([256.0, 1024.0])
    d = 1000 * 1769 / m
    out = _two_size_model().predict(np.array([128.0, 256.0, 1024.0, 1769.0, 3008.0]), m, d,
                                    parallel=False)["duration_ms"]
    assert out[1:3] == pytest.approx(d, rel=1e-12)  # measured sizes: the measurement itself
    assert out[[0, 3, 4]] == pytest.approx([13820.3125, 1000.0, 1000.0], rel=0.01)


def test_two_sizes_of_a_waiting_function_keep_the_fitted_non_scaling_part() -> None:
    # d(m) = 600 + 400 * 1769 / m (600 ms of waiting, far from the CPU-bound prior's beta 1):
    # 3,364.06 ms at 256 MB and 1,291.02 ms at 1,024 MB measured; at 128 MB 6,128.13 ms, at
    # 1,769 MB 1,000 ms.  The uniform part of the prior leaves the exact fit.
    m = np.array([256.0, 1024.0])
    d = 600 + 400 * 1769 / m
    out = _two_size_model().predict(np.array([128.0, 1769.0]), m, d,
                                    parallel=False)["duration_ms"]
    assert out == pytest.approx([6128.125, 1000.0], rel=0.01)


def test_two_sizes_falling_faster_than_the_share_move_the_exponent_above_one() -> None:
    # 2.5 x slower at half the memory (512 -> 256 MB): observed exponent on the CPU share
    # log 2.5 / log 2 = 1.3219, with sd sqrt(2) x 1 % / log 2 = 0.0204 from the noise.  The
    # CPU-bound prior is normal(1, 0.05) there, so the posterior is about normal with mean
    # (1 / 0.05**2 + 1.3219 / 0.0204**2) / (1 / 0.05**2 + 1 / 0.0204**2) = 1.2743.  From the
    # geometric mean (158.11 ms at CPU factor 1769 / 362.04 = 4.886) to 128 MB (factor
    # 13.820, 2.8284 x): 158.11 x 2.8284 ** 1.2743 = 594.9 ms.
    m = np.array([256.0, 512.0])
    d = np.array([250.0, 100.0])
    out = _two_size_model().predict(np.array([128.0]), m, d, parallel=False)["duration_ms"]
    assert out[0] == pytest.approx(594.9, rel=0.01)
    plain = LambdaModel(np.array([[0.0, 1.0, 0.0]]), np.array([1.0]), np.zeros(1), None, 0.0,
                        0.9, {1: (0.0, 0.0), 2: (0.0, 0.0)})  # two_sigma 0: the exact fit
    # The plain fit (u >= 0, so exponent at most 1) is the least-squares CPU share through
    # both on relative error: a = g / d = 6.9102 / 250, 3.4551 / 100; c = sum a / sum a**2
    # = 0.062192 / 0.0019579 = 31.765 ms, so 31.765 x 13.820 = 439.0 ms at 128 MB.
    assert plain.predict(np.array([128.0]), m, d, parallel=False)["duration_ms"][0] == \
        pytest.approx(439.0, rel=1e-3)
