"""The Lambda model's serve-time caches (issue 11): same answers, rebuilt when the model changes.

Expected durations are hand calculations from the physics of
https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html (one vCPU at 1,769 MB:
single-threaded CPU work takes ``1769 / m`` of its 1,769 MB time below it, and no less above).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from recommender.models import lambda_physics as P
from recommender.models.lambda_mem import LambdaModel

SIZES = np.array([256.0, 512.0, 1024.0, 1769.0, 2048.0, 4096.0])


def _model(shapes: list[list[float]], weights: list[float] | None = None) -> LambdaModel:
    sh = np.array(shapes, float)
    w = np.full(len(sh), 1.0 / len(sh)) if weights is None else np.array(weights, float)
    return LambdaModel(shapes=sh, weights=w, log_scale=np.zeros(len(sh)), bandwidth=None,
                       parallel_share=0.0, footprint_floor=1.0,
                       log_q={1: (0.0, 0.0), 2: (0.0, 0.0)})


def test_one_size_prediction_is_the_hand_calculation() -> None:
    # one pure single-threaded shape: 100 ms at 512 MB is 50 ms at 1,024 MB, 100 * 512 / 1769
    # ms from 1,769 MB on, 200 ms at 256 MB
    model = _model([[0.0, 1.0, 0.0]])
    got = model.predict(SIZES, np.array([512.0]), np.array([100.0]), False)["duration_ms"]
    want = [200.0, 100.0, 50.0, 100 * 512 / 1769, 100 * 512 / 1769, 100 * 512 / 1769]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_reassigned_field_rebuilds_the_cache() -> None:
    model = _model([[0.0, 1.0, 0.0]])
    model.predict(SIZES, np.array([512.0]), np.array([100.0]), False)
    # a shape that does not scale at all (pure waiting): 100 ms at every size
    model.shapes = np.array([[1.0, 0.0, 0.0]])
    got = model.predict(SIZES, np.array([512.0]), np.array([100.0]), False)["duration_ms"]
    np.testing.assert_allclose(got, np.full(len(SIZES), 100.0), rtol=1e-12)
    sd = model.shape_durations(SIZES, np.array([512.0]), np.array([100.0]), False)
    assert sd is not None
    np.testing.assert_allclose(sd[0], np.full((1, len(SIZES)), 100.0), rtol=1e-12)


def test_the_weights_follow_a_changed_mismatch_factor() -> None:
    # two shapes, CPU-bound (code 0) and waiting (code 1); a declared io_bound kind with a
    # mismatch factor 0 leaves the waiting shape alone: 100 ms at every size
    model = _model([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    model.shape_kind = np.array([0.0, 1.0])
    ctx = P.Context(kind="io_bound")
    before = model.predict(SIZES, np.array([512.0]), np.array([100.0]), False, context=ctx)
    model.kind_mismatch = 0.0
    after = model.predict(SIZES, np.array([512.0]), np.array([100.0]), False, context=ctx)
    np.testing.assert_allclose(after["duration_ms"], np.full(len(SIZES), 100.0), rtol=1e-12)
    # with the factor 1 the two weigh alike: the weighted median is the lower curve (the
    # CPU-bound one: 50 ms at 1,024 MB)
    assert before["duration_ms"][2] == pytest.approx(50.0, rel=1e-12)


def test_the_cached_path_equals_the_uncached_one_to_the_bit() -> None:
    rng = np.random.default_rng(3)
    model = _model(rng.dirichlet([1.0, 1.0, 1.0], 40).tolist(), rng.dirichlet(np.ones(40)))
    for meas, ms in ((128.0, 7.0), (640.0, 123.4), (3008.0, 9876.5)):
        for par in (None, True, False):
            got = model.predict(SIZES, np.array([meas]), np.array([ms]), par)["duration_ms"]
            w = P.prior_weights(model.shapes, model.weights, model.log_scale, meas, ms,
                                bandwidth=None)
            ref = P.from_one(SIZES, meas, float(np.exp(np.mean(np.log([ms])))),
                             model._shapes(par), w)
            at = meas == SIZES
            assert got[~at].tobytes() == ref[~at].tobytes()


def test_the_grid_cache_is_bounded_and_not_pickled() -> None:
    model = _model([[0.2, 0.8, 0.0]])
    for i in range(P.GRID_CACHE_SIZE + 20):
        model.predict(SIZES, np.array([128.0 + i]), np.array([100.0]), False)
    assert len(model._hot()._grids) == P.GRID_CACHE_SIZE
    copy = pickle.loads(pickle.dumps(model))
    assert "_hot_cache" not in copy.__dict__
    np.testing.assert_array_equal(copy.shapes, model.shapes)


def test_monthly_prices_each_tier_by_hand() -> None:
    from recommender.models.lambda_prices import LambdaPrices

    # three tiers of 1, 0.5 and 0.25 USD/GB-s from 0, 10 and 30 GB-s; 2 USD per request
    prices = LambdaPrices(2.0, ((0.0, 10.0, 1.0), (10.0, 30.0, 0.5), (30.0, np.inf, 0.25)))
    # all within the first tier (the one-product path): x * 1 + 3 requests * 2
    np.testing.assert_array_equal(prices.monthly(np.array([0.0, 4.0, 10.0]), 3.0),
                                  [6.0, 10.0, 16.0])
    # 20 GB-s: 10 + 10 * 0.5; 40 GB-s: 10 + 20 * 0.5 + 10 * 0.25 (a grid, as the expected
    # cost path prices it)
    np.testing.assert_array_equal(prices.monthly(np.array([[4.0, 20.0], [40.0, 0.0]]), 0.0),
                                  [[4.0, 15.0], [22.5, 0.0]])
    # a NaN stays a NaN (the full loop)
    assert np.isnan(prices.monthly(np.array([np.nan, 1.0]), 0.0)[0])


def test_monthly_is_the_loop_over_every_tier_to_the_bit() -> None:
    from recommender.models.lambda_prices import LambdaPrices

    prices = LambdaPrices(2e-7, ((0.0, 6e9, 1.66667e-5), (6e9, 15e9, 1.5e-5),
                                 (15e9, np.inf, 1.33334e-5)))
    rng = np.random.default_rng(5)
    for scale in (1e3, 1e8, 1e10, 1e11):
        x = rng.random((7, 9)) * scale
        total = np.zeros_like(x)
        for start, end, price in prices.tiers:
            total += np.clip(x - start, 0.0, end - start) * price
        want = total + 1e6 * prices.per_request_usd
        assert prices.monthly(x, 1e6).tobytes() == want.tobytes()


def test_threads_share_the_cache_and_a_copy_drops_it() -> None:
    import copy
    from concurrent.futures import ThreadPoolExecutor

    model = _model([[0.0, 1.0, 0.0]])

    def run(i: int) -> float:
        # the pure single-threaded shape: 100 ms at (128 + i % 150) MB is
        # 100 * (128 + i % 150) / 1024 ms at 1,024 MB
        got = model.predict(SIZES, np.array([128.0 + i % 150]), np.array([100.0]), False)
        return float(got["duration_ms"][2])

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(run, range(2000)))
    np.testing.assert_allclose(got, [100 * (128 + i % 150) / 1024 for i in range(2000)],
                               rtol=1e-12)
    assert "_hot_cache" not in copy.deepcopy(model).__dict__
