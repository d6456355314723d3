"""The conditional one-size prior of the Lambda model (issue 10), on hand-built shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.core.errors import UserError
from recommender.models import lambda_physics as P
from recommender.models.endpoints import predict_lambda_memory
from recommender.models.lambda_mem import LambdaModel
from recommender.models.lambda_train import fit_lambda
from recommender.models.lambda_tune import Conditional, choose_conditional
from recommender.models.serving import from_serving, serving_arrays

# Two training shapes, fractions (u, c, p) of the duration at 1,769 MB: an I/O-bound one
# (90 % waiting, 10 % single-threaded CPU) and a CPU-bound one (all single-threaded CPU).
IO, CPU = [0.9, 0.1, 0.0], [0.0, 1.0, 0.0]


def _model(kind_mismatch: float = 0.0, quantile: float = 0.5) -> LambdaModel:
    return LambdaModel(
        shapes=np.array([IO, CPU]), weights=np.array([0.5, 0.5]), log_scale=np.zeros(2),
        bandwidth=None, parallel_share=0.0, footprint_floor=0.9,
        log_q={1: (-0.1, 0.1), 2: (-0.05, 0.05)},
        shape_kind=np.array([P.KIND_CODES["io_bound"], P.KIND_CODES["cpu_bound"]]),
        shape_arch=np.array([0.0, 0.0]), kind_mismatch=kind_mismatch, quantile=quantile)


def _at_2048(model: LambdaModel, kind: str | None) -> float:
    out = model.predict(np.array([1024.0, 2048.0]), np.array([1024.0]), np.array([1000.0]),
                        context=P.Context(kind=kind, arch="x86_64"))
    return float(out["duration_ms"][1])


def test_io_bound_declared_stays_nearly_flat_cpu_bound_follows_the_cpu_share() -> None:
    # Measured 1,000 ms at 1,024 MB.  I/O shape: d(m) = 0.9 + 0.1 * 1769 / min(m, 1769), so
    # d(1024) = 0.9 + 0.1 * 1.72754 = 1.072754 and d(2048) = 0.9 + 0.1 = 1.0: at 2,048 MB
    # 1000 / 1.072754 = 932.18 ms (7 % faster, near flat).  CPU shape: d(m) = 1769 /
    # min(m, 1769): 1000 * 1024 / 1769 = 578.86 ms (single-threaded: capped at one vCPU).
    assert _at_2048(_model(), "io_bound") == pytest.approx(932.18, rel=1e-4)
    assert _at_2048(_model(), "cpu_bound") == pytest.approx(578.86, rel=1e-4)


def test_multithreaded_cpu_bound_halves_from_1024_to_2048() -> None:
    # p only: share(2048) = 1 + (2048 - 1769) / (10240 - 1769) * 5 = 1.164680 vCPUs and
    # share(1024) = 1024 / 1769 = 0.578859, so 1000 * 0.578859 / 1.164680 = 497.01 ms.
    out = _model().predict(np.array([1024.0, 2048.0]), np.array([1024.0]),
                           np.array([1000.0]), True,
                           context=P.Context(kind="cpu_bound"))["duration_ms"]
    assert out[1] == pytest.approx(497.01, rel=1e-4)


def test_kind_not_given_or_mixed_weighs_both_shapes_alike() -> None:
    # Equal weights, median = the lower of the two ratios at the 0.5 quantile (the weighted
    # quantile takes the first value whose cumulative weight reaches 0.5): the CPU shape's
    # 578.86 ms, whatever the mismatch factor, since nothing is declared to mismatch.
    for kind in (None, "mixed"):
        assert _at_2048(_model(), kind) == pytest.approx(578.86, rel=1e-4)
    assert _at_2048(_model(kind_mismatch=1.0), "io_bound") == pytest.approx(578.86, rel=1e-4)


def test_a_measured_size_keeps_its_measurement_whatever_the_kind() -> None:
    out = _model().predict(np.array([512.0, 1024.0]), np.array([1024.0]), np.array([1000.0]),
                           context=P.Context(kind="io_bound"))
    assert out["duration_ms"][1] == out["duration_ms_low"][1] == 1000.0
    assert out["duration_ms"][0] > 1000.0  # less memory is never faster


def test_serving_form_keeps_the_conditional_prior() -> None:
    model = _model(kind_mismatch=0.1, quantile=0.3)
    back = from_serving(serving_arrays(model))
    assert back.kind_mismatch == 0.1 and back.quantile == 0.3
    assert back.shape_kind.tolist() == model.shape_kind.tolist()
    assert _at_2048(back, "io_bound") == _at_2048(model, "io_bound")


def _curves() -> pd.DataFrame:
    """Two I/O-bound and two CPU-bound application groups, 3 functions each, exact curves."""
    rows = []
    m = np.array([128.0, 256.0, 512.0, 1024.0, 2048.0])
    for g, kind, u in (("io_a", "io_bound", 0.8), ("io_b", "io_bound", 0.85),
                       ("cpu_a", "cpu_bound", 0.0), ("cpu_b", "cpu_bound", 0.02),
                       ("cpu_c", "cpu_bound", 0.01)):
        for j in range(3):
            d = 100.0 * (j + 1) * P.curve(np.array([u, 1 - u, 0.0]), m)
            rows += [{"group": g, "function": f"{g}|{j}", "arch": "x86_64", "memory_mb": int(x),
                      "duration_ms": y, "kind": kind} for x, y in zip(m, d, strict=True)]
    return pd.DataFrame(rows).assign(billed_duration_ms=np.nan, max_memory_used_mb=np.nan)


def test_the_dev_choice_uses_a_declared_kind_when_it_pays() -> None:
    # Held-out I/O group io_a: the plain prior is 3 CPU groups to 1 I/O group, so its
    # median shape is CPU-bound and predicts 128 MB from 2,048 MB 13.8 x slower; a declared
    # kind finds io_b's nearly identical shape.  The choice must down-weigh other kinds.
    grid = (Conditional(), Conditional(kind_mismatch=0.0))
    chosen, table = choose_conditional(_curves(), fit_lambda, grid)
    assert chosen.kind_mismatch == 0.0
    assert table[grid[1].label()]["one_size_kind_mape_pct"] < \
        table[grid[0].label()]["one_size_kind_mape_pct"]


def test_fit_keeps_each_shapes_kind_and_arch() -> None:
    model = fit_lambda(_curves(), conditional=Conditional(kind_mismatch=0.1))
    assert sorted(model.shape_kind.tolist()) == [0.0] * 9 + [1.0] * 6
    assert model.shape_arch.tolist() == [0.0] * 15 and model.kind_mismatch == 0.1


def test_lambda_memory_request_kind_is_checked(small_catalog, bundle) -> None:
    req = {"measurements": [{"memory_mb": 1024, "duration_ms": 932.0}], "kind": "io_bound",
           "candidate_memory_mb": [1024, 2048]}
    assert predict_lambda_memory(req, catalog=small_catalog, bundle=bundle).predictions
    with pytest.raises(UserError, match="kind"):
        predict_lambda_memory({**req, "kind": "network"}, catalog=small_catalog, bundle=bundle)


def test_shrinkage_with_no_noise_is_the_plain_fit_and_noise_pulls_to_the_prior() -> None:
    from recommender.models.lambda_shrink import Shrunk

    # d(m) = 100 + 900 * 1769 / m: u is 100 / 1000 = 0.1 of the duration at 1,769 MB (on the
    # 0.01 grid), so with almost no noise the posterior sits there: 1,000 ms at 1,769 MB.
    m = np.array([256.0, 1024.0])
    d = 100 + 900 * 1769 / m
    prior = LambdaModel(np.array([CPU]), np.array([1.0]), np.zeros(1), None, 0.0, 0.9,
                        {1: (0.0, 0.0), 2: (0.0, 0.0)})
    sharp = Shrunk(prior, eps=0.3, sigma_rel=1e-4, sigma_abs_ms=0.0)
    assert sharp.predict(np.array([1769.0]), m, d)["duration_ms"][0] == pytest.approx(
        1000.0, rel=1e-3)
    # With 30 % noise the two points hardly constrain phi and the CPU-only prior (phi = 0)
    # pulls the answer toward pure CPU share through both points: at 1,769 MB each point
    # alone gives 6,318.95 * 256 / 1769 = 914.46 ms and 1,655.47 * 1024 / 1769 = 958.27 ms,
    # their geometric mean 936.1 ms.  The answer lies between that and the fit's 1,000 ms.
    loose = Shrunk(prior, eps=0.3, sigma_rel=0.3, sigma_abs_ms=0.0)
    got = loose.predict(np.array([1769.0]), m, d)["duration_ms"][0]
    assert 936.0 < got < 975.0


def test_a_declared_kind_takes_its_own_interval_calibration() -> None:
    # log_q[3] (one size, kind declared) is +-0.2; log_q[1] (no kind) is +-0.1: at 2,048 MB
    # the interval is d * exp(-0.2) .. d * exp(0.2) = 0.81873 d .. 1.22140 d with the kind.
    model = _model()
    model.log_q = {1: (-0.1, 0.1), 2: (-0.05, 0.05), 3: (-0.2, 0.2)}
    for kind, q in (("io_bound", 0.2), (None, 0.1), ("mixed", 0.1)):
        out = model.predict(np.array([2048.0]), np.array([1024.0]), np.array([1000.0]),
                            context=P.Context(kind=kind))
        assert out["duration_ms_high"][0] / out["duration_ms"][0] == pytest.approx(np.exp(q))


def test_one_size_pick_minimises_the_expected_cost_over_the_shapes() -> None:
    from types import SimpleNamespace

    from recommender.models.lambda_mem import LambdaPrices, choose_memory
    from recommender.models.queries import LambdaQuery, LambdaRun

    # Shapes: pure waiting (1, 0, 0) weighing 0.4 and pure CPU (0, 1, 0) weighing 0.6;
    # 1,000 ms measured at 1,024 MB.  At 512 MB the CPU shape takes 2,000 ms, the waiting one
    # 1,000 ms.  With a flat 1e-6 USD per GB-s, no request price and 1e6 calls: 512 MB costs
    # 2 s x 0.5 GB x 1e6 x 1e-6 = 1.0 USD (CPU) or 0.5 USD (waiting), expected
    # 0.6 x 1.0 + 0.4 x 0.5 = 0.8 USD; 1,024 MB costs 1 s x 1 GB x 1 = 1.0 USD either way.
    # The central prediction (median shape: CPU, weight 0.6) ties 512 and 1,024 MB at
    # 1.0 USD and takes the faster 1,024 MB; the expected cost picks 512 MB.
    model = LambdaModel(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), np.array([0.4, 0.6]),
                        np.zeros(2), None, 0.0, 0.9, {1: (0.0, 0.0), 2: (0.0, 0.0)})
    prices = LambdaPrices(0.0, ((0.0, float("inf"), 1e-6),))
    query = LambdaQuery(runs=(LambdaRun(1024, 1000.0, None, None),),
                        candidate_memory_mb=(512, 1024), invocations_per_month=1e6)
    got = choose_memory(query, catalog=SimpleNamespace(tables={}),
                        bundle=SimpleNamespace(lambda_=model), prices=prices)
    assert [e.monthly_cost_usd for e in got.estimates] == pytest.approx([1.0, 1.0])
    assert got.best.memory_mb == 512
    assert any("expected" in n for n in got.notes)
    # Speed is not a cost decision: the faster central prediction stands.
    fast = choose_memory(LambdaQuery(**{**query.__dict__, "objective": "speed"}),
                         catalog=SimpleNamespace(tables={}),
                         bundle=SimpleNamespace(lambda_=model), prices=prices)
    assert fast.best.memory_mb == 1024


def test_predictions_page_form_carries_kind_and_threads(small_catalog, bundle) -> None:
    from recommender.app import predict_view as pv

    rows = [{"memory_mb": 1024.0, "duration_ms": 932.0, "max_memory_used_mb": None}]
    req = pv.lambda_request(runs=rows, arch="arm64", invocations_per_month=None,
                            memory_sizes=[2048, 1024], objective="cost",
                            kind=pv.KIND_CHOICES["I/O-bound (waits on other services)"],
                            parallel=pv.PARALLEL_CHOICES["single-threaded"])
    assert req["kind"] == "io_bound" and req["parallel"] is False
    assert req["measurements"] == [{"memory_mb": 1024, "duration_ms": 932.0}]
    out = predict_lambda_memory(req, catalog=small_catalog, bundle=bundle)
    assert any(n.startswith("kind io_bound") for n in out.notes)
    # "not said" leaves both out, so the model's prior decides.
    plain = pv.lambda_request(runs=rows, arch="arm64", invocations_per_month=None,
                              memory_sizes=[1024], objective="cost",
                              kind=pv.KIND_CHOICES["not said"],
                              parallel=pv.PARALLEL_CHOICES["not said"])
    assert "kind" not in plain and "parallel" not in plain
