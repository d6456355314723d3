"""Expected improvement and the expected-regret plan (numpy only); see :mod:`.next_run`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: z of the 5 % / 95 % bounds: the interval spans 2 x 1.645 standard deviations in log space.
Z90 = 1.6448536269514722
N_DRAWS = 2000
SEED = 0
#: The largest draws matrix kept between plans (the default 2,474 candidates take 40 MB).
MAX_KEPT_BYTES = 64 * 2**20
#: The last (seed, candidates) -> standard normal draws, read-only.
_KEPT: dict[tuple[int, int], np.ndarray] = {}


def _phi(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)


def _cdf(z: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[float])
    return np.asarray(0.5 * (1.0 + erf(np.asarray(z, float) / math.sqrt(2.0))), float)


def expected_improvement(best: float, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``E[max(best - Y, 0)]`` for ``log Y ~ N(mu, sigma)`` (closed form)."""
    mu, sigma = np.asarray(mu, float), np.maximum(np.asarray(sigma, float), 1e-9)
    if not math.isfinite(best):
        return np.asarray(np.exp(-mu), float)  # nothing measured: the cheapest predicted
    d = (math.log(best) - mu) / sigma
    return np.asarray(best * _cdf(d) - np.exp(mu + sigma**2 / 2) * _cdf(d - sigma), float)


def _mean_regret_pct(got: np.ndarray, opt: np.ndarray) -> float:
    """Mean of ``got / opt - 1`` in percent over the draws where both are finite and positive.

    A draw whose optimum is infinite (every candidate excluded) or zero has no regret to
    measure, and so has a draw with no successful run yet (``got`` infinite: no best
    measured value).  With no such draw left the regret is NaN, which the response writes
    as null (``RegretStep.expected_regret_pct``), never a 0/0 warning.
    """
    ok = np.isfinite(got) & np.isfinite(opt) & (opt > 0)
    if not ok.any():
        return math.nan
    return float(np.mean(got[ok] / opt[ok] - 1.0) * 100)


def _normals(seed: int, n: int) -> np.ndarray:
    """The ``N_DRAWS x n`` standard normal draws of ``seed``: the same numbers on every call.

    They depend on the seed and the number of candidates only, and generating them was
    about 90 ms of a plan over the default 2,474 candidates (most of the ``next-run``
    route), so the last matrix is kept (read-only, at most :data:`MAX_KEPT_BYTES`).
    """
    key = (seed, n)
    z = _KEPT.get(key)
    if z is None:
        z = np.random.default_rng(seed).standard_normal((N_DRAWS, n))
        z.flags.writeable = False
        if z.nbytes <= MAX_KEPT_BYTES:
            _KEPT.clear()
            _KEPT[key] = z
    return z


def _draws(mu: np.ndarray, sigma: np.ndarray, z: np.ndarray, cols: list[int]) -> np.ndarray:
    """The log-normal draws of candidates ``cols`` (one column each) from the normal ``z``."""
    return np.asarray(np.exp(mu[None, cols] + sigma[None, cols] * z[:, cols]), float)


def _draw_optimum(best_meas: float, mu: np.ndarray, sigma: np.ndarray, z: np.ndarray,
                  open_: np.ndarray) -> np.ndarray:
    """Per draw, the best value over every candidate: the optimum a draw's regret is against.

    A measured candidate is its measurement in every draw (``best_meas`` is the best of
    them, ``inf`` if none), an excluded one never counts.
    The minimum over the open candidates is taken in log space and exponentiated once per
    draw: ``exp`` is increasing, so ``exp(min x) == min exp(x)``, and exponentiating the
    whole draws-by-candidates matrix was most of a plan's time (most of ~170 ms for the
    default 2,474 candidates).
    """
    if not open_.any():
        return np.full(z.shape[0], best_meas)
    # Not z[:, open_]: a boolean column selection copies the matrix (slower than the sum).
    # A closed column gets log value +inf (and spread 0), so it is never the minimum.
    x = z * np.where(open_, sigma, 0.0)[None, :]
    x += np.where(open_, mu, np.inf)[None, :]
    log_min = x.min(axis=1)
    return np.asarray(np.minimum(np.exp(log_min), best_meas), float)


@dataclass
class Plan:
    """The next pick (position), its acquisition figures and the expected-regret curve."""

    pick: int | None
    ei: float
    p_better: float
    best: float
    best_pos: int | None
    regret: list[tuple[int, float, list[int]]]


def plan_next(
    value: np.ndarray, low: np.ndarray, high: np.ndarray, measured: np.ndarray,
    excluded: np.ndarray, *, plan_runs: int = 4, seed: int = SEED,
) -> Plan:
    """Expected-improvement plan over candidates (all arrays per candidate).

    Parameters
    ----------
    value, low, high : array
        Predicted objective (cost or runtime) and its 90 % interval; at measured
        candidates ``value`` is the measurement.
    measured, excluded : bool array
        Candidates already run; candidates never to run (predicted to fail, unpriced).
    """
    value, low, high = (np.asarray(v, float) for v in (value, low, high))
    measured, excluded = np.asarray(measured, bool), np.asarray(excluded, bool)
    ok_meas = measured & ~excluded
    best = float(value[ok_meas].min()) if ok_meas.any() else math.inf
    best_pos = int(np.flatnonzero(ok_meas)[np.argmin(value[ok_meas])]) if ok_meas.any() else None
    open_ = ~measured & ~excluded
    mu = np.log(value)
    sigma = np.maximum((np.log(high) - np.log(low)) / (2 * Z90), 1e-6)
    z = _normals(seed, len(value))
    opt = _draw_optimum(best, mu, sigma, z, open_)
    picks: list[int] = []
    regret: list[tuple[int, float, list[int]]] = []
    b, avail = best, open_.copy()
    first: tuple[int | None, float, float] = (None, 0.0, 0.0)
    for k in range(plan_runs + 1):
        got = np.full(N_DRAWS, best)
        if picks:
            got = np.minimum(got, _draws(mu, sigma, z, picks).min(axis=1))
        regret.append((k, _mean_regret_pct(got, opt), list(picks)))
        if k == plan_runs or not avail.any():
            break
        ei = np.where(avail, expected_improvement(b, mu, sigma), -np.inf)
        j = int(np.argmax(ei))
        if k == 0:
            p = float(np.mean(_draws(mu, sigma, z, [j]) < best)) if math.isfinite(best) else 1.0
            first = (j, float(ei[j]) if math.isfinite(best) else 0.0, p)
        picks.append(j)
        avail[j] = False
        b = min(b, float(value[j]))  # "believer": assume the prediction for later choices
    return Plan(first[0], first[1], first[2], best, best_pos, regret)
