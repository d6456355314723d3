"""Two measured sizes with a declared kind: the kind keeps one component of the prior."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.models import lambda_physics as P
from recommender.models.lambda_mem import LambdaModel


def _model() -> LambdaModel:
    """One CPU shape and the served two-size posterior (sigma 1 %, tau 0.05, pi 0.9)."""
    return LambdaModel(np.array([[0.0, 1.0, 0.0]]), np.array([1.0]), np.zeros(1), None, 0.0,
                       0.9, {1: (0.0, 0.0), 2: (-0.05, 0.05), 4: (-0.1, 0.1)}, two_sigma=0.01,
                       two_tau=0.05, two_pi=0.9, two_beta_max=1.5)


# 1,000 ms at 128 MB, 615.57 ms at 256 MB: 1000 / 2 ** 0.7, an observed exponent of 0.7 on
# the CPU share (factors g = 1769 / m: 13.820 and 6.910), noise sd sqrt(2) x 1 % / log 2 =
# 0.0204.  Exponent b < 1 is the curve x + g with x = (g0 - 2**b g1) / (2**b - 1), scaled to
# the geometric mean 784.58 ms of the two: d(m) = 784.58 (x + g) / sqrt((g0 + x)(g1 + x)).
M = np.array([128.0, 256.0])
D = np.array([1000.0, 1000.0 / 2**0.7])
AT = np.array([128.0, 256.0, 1024.0])


def _at_1024(kind: str | None) -> float:
    ctx = P.Context(kind=kind, arch="x86_64")
    return float(_model().predict(AT, M, D, parallel=False, context=ctx)["duration_ms"][2])


def test_io_bound_keeps_the_observed_exponent() -> None:
    # io_bound: only the uniform part (pi 0), so the posterior is the likelihood, median 0.70:
    # x = 4.1549, d(1024) = 784.58 x (4.1549 + 1.7275) / sqrt(17.975 x 11.065) = 327.25 ms.
    assert _at_1024("io_bound") == pytest.approx(327.25, rel=0.01)


def test_cpu_bound_pulls_the_exponent_to_its_share() -> None:
    # cpu_bound: only normal(1, 0.05) (pi 1), posterior mean (1 / 0.05**2 + 0.7 / 0.0204**2)
    # / (1 / 0.05**2 + 1 / 0.0204**2) = 0.7428 (grid 0.74): x = 3.4008,
    # d(1024) = 784.58 x (3.4008 + 1.7275) / sqrt(17.221 x 10.311) = 301.95 ms.
    assert _at_1024("cpu_bound") == pytest.approx(301.95, rel=0.01)


def test_no_kind_or_mixed_keeps_the_mixture_and_measured_sizes_stay_exact() -> None:
    # The mixture (0.9 spike, 0.1 uniform): 0.7 is 5.5 spike sds away, so the uniform part
    # dominates and the result is close to io_bound's (above 320 ms, not ~302 ms).
    for kind in (None, "mixed"):
        assert _at_1024(kind) > 320.0
    out = _model().predict(AT, M, D, parallel=False, context=P.Context(kind="cpu_bound"))
    assert out["duration_ms"][:2] == pytest.approx(D, rel=1e-12)
    assert out["duration_ms_low"][:2] == pytest.approx(D, rel=1e-12)  # zero width there
    # A declared kind uses the two-size-with-kind interval (log_q[4]: +-0.1) elsewhere.
    assert out["duration_ms_high"][2] / out["duration_ms"][2] == pytest.approx(np.exp(0.1))


def test_for_kind_sets_only_the_mixture_weight() -> None:
    base = P.TwoSizePrior(sigma=0.01, tau=0.05, pi=0.9, beta_max=1.5)
    assert base.for_kind("cpu_bound") == P.TwoSizePrior(0.01, 0.05, 1.0, 1.5)
    assert base.for_kind("io_bound") == P.TwoSizePrior(0.01, 0.05, 0.0, 1.5)
    assert base.for_kind("mixed") is base and base.for_kind(None) is base


def test_the_endpoint_passes_a_declared_kind_to_two_sizes(small_catalog, bundle) -> None:
    # The committed artifact serves the same two-size settings (sigma 1 %, tau 0.05, cap
    # 1.5), so with parallel false the hand values above hold: 301.95 ms (cpu_bound) and
    # 327.25 ms (io_bound) at 1,024 MB; both measured sizes keep their measurement.
    from recommender.models.endpoints import predict_lambda_memory

    req = {"measurements": [{"memory_mb": 128, "duration_ms": float(D[0])},
                            {"memory_mb": 256, "duration_ms": float(D[1])}],
           "candidate_memory_mb": [128, 256, 1024], "parallel": False}
    got = {}
    for kind in ("cpu_bound", "io_bound"):
        r = predict_lambda_memory({**req, "kind": kind}, catalog=small_catalog, bundle=bundle)
        assert [p.duration_ms for p in r.predictions[:2]] == pytest.approx(D, rel=1e-12)
        got[kind] = r.predictions[2].duration_ms
        assert any(f"kind {kind}: the two-size fit" in n for n in r.notes)
    assert got["cpu_bound"] == pytest.approx(301.95, rel=0.01)
    assert got["io_bound"] == pytest.approx(327.25, rel=0.01)
