"""The physics of Lambda duration across memory sizes, and its one-measurement prior.

Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB, and for
code that runs several threads more vCPUs up to 6 at 10,240 MB (AWS Lambda developer guide,
"Configure Lambda function memory": https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html;
``facts/lambda_facts.csv``).  A duration is therefore

``d(m) = u + c / s1(m) + p / sp(m)``

with ``u`` the part that does not scale (I/O, waits on other services), ``c`` the
single-threaded CPU work (in ms at one vCPU, share ``s1(m) = min(m, 1769) / 1769``) and ``p``
the multi-threaded CPU work (share ``sp(m)``, equal to ``s1`` up to 1,769 MB, then growing to
6 vCPUs at 10,240 MB).  ``u, c, p >= 0``, so more memory never predicts a slower function.

Two or more measured sizes fit ``u, c, p`` directly (non-negative least squares on relative
error).  One size fixes only the scale; the shape comes from the *prior*: the fitted shapes
of the training functions, each a vector of fractions at 1,769 MB.  The prediction is a
weighted quantile, over those shapes, of the duration each would give.  The weights are a
*conditional* prior (:func:`prior_weights`): each training function weighs in proportion to
how alike it is to what the user said, its duration at the measured size (a kernel on the
log ratio), its architecture and, when declared, its kind (CPU- or I/O-bound).  Which of
these count, and how much, is chosen on the development groups (:mod:`.lambda_tune`).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.models.features import LAMBDA_MB_PER_VCPU, lambda_cpu_share


def shares(memory_mb: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """(single-threaded share, multi-threaded share) of a vCPU at each size."""
    return lambda_cpu_share(memory_mb, False), lambda_cpu_share(memory_mb, True)


def basis(memory_mb: np.ndarray | float) -> np.ndarray:
    """Columns ``[1, 1/s1, 1/sp]`` of the duration model at each size."""
    s1, sp = shares(memory_mb)
    s1 = np.atleast_1d(s1)
    return np.column_stack([np.ones_like(s1), 1.0 / s1, 1.0 / np.atleast_1d(sp)])


def _nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Non-negative least squares for at most 3 columns, without scipy at serve time.

    Every subset of columns is solved by ordinary least squares and the best feasible (all
    coefficients >= 0) solution is kept: exact for so few columns.
    """
    best, best_err = np.zeros(a.shape[1]), float(np.sum(b**2))
    n = a.shape[1]
    for mask in range(1, 2**n):
        cols = [j for j in range(n) if mask >> j & 1]
        sol, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
        if np.any(sol < 0):
            continue
        x = np.zeros(n)
        x[cols] = sol
        err = float(np.sum((a @ x - b) ** 2))
        if err < best_err - 1e-12:
            best, best_err = x, err
    return best


def fit_curve(
    memory_mb: np.ndarray, duration_ms: np.ndarray, parallel_share: float
) -> np.ndarray | None:
    """``(u, c, p)`` from two or more measured sizes, or None if they cannot fix a shape.

    Sizes on both sides of 1,769 MB (three or more) separate single- from multi-threaded
    work; otherwise the CPU work is split by ``parallel_share`` (0: single-threaded).
    """
    m, d = np.asarray(memory_mb, float), np.asarray(duration_ms, float)
    if len(np.unique(m)) < 2:
        return None
    b = basis(m)
    above = m > LAMBDA_MB_PER_VCPU * 1.02
    if len(np.unique(m)) >= 3 and above.any() and (~above).sum() >= 2:
        return _nnls(b / d[:, None], np.ones_like(d))
    g = (1.0 - parallel_share) * b[:, 1] + parallel_share * b[:, 2]
    if np.ptp(np.log(g)) < 0.01:
        return None
    u, cpu = _nnls(np.column_stack([np.ones_like(g), g]) / d[:, None], np.ones_like(d))
    return np.array([u, cpu * (1.0 - parallel_share), cpu * parallel_share])


@dataclass(frozen=True)
class TwoSizePrior:
    """The prior of :func:`from_two` on how a function's duration falls between two sizes.

    ``beta`` is the observed log duration ratio over the log CPU-share ratio: 1 is pure CPU
    work, 0 pure waiting, between the two a non-scaling part ``u``.  The prior is a mixture:
    weight ``pi`` on CPU-bound functions (a normal of sd ``tau`` around 1, which may exceed 1:
    functions that slow down faster than their share at small sizes, seen on the
    development groups' cold starts) and ``1 - pi`` uniform over [0, 1].  ``sigma`` is the
    relative noise of one measured duration; ``beta_max`` caps the exponent.  Chosen on the
    development groups (:mod:`.lambda_shrink`).  ``sigma`` 0 is the plain exact fit.
    """

    sigma: float = 0.0
    tau: float = 0.05
    pi: float = 0.8
    beta_max: float = 1.5

    def for_kind(self, kind: str | None) -> TwoSizePrior:
        """The prior for a declared ``kind``: its component alone (:data:`TWO_SIZE_KIND_PI`).

        A function its user calls CPU-bound computes: only the exponent around 1 is left
        (``pi`` 1, no non-scaling part beyond the noise of ``tau``).  One that waits on I/O
        keeps only the uniform part (``pi`` 0), so a ratio close to the CPU share is not
        pulled onto it.  ``mixed`` or no kind keeps the mixture.
        """
        pi = TWO_SIZE_KIND_PI.get(kind or "")
        return self if pi is None else TwoSizePrior(self.sigma, self.tau, pi, self.beta_max)


#: The mixture weight of the CPU-bound component for a declared kind (see
#: :meth:`TwoSizePrior.for_kind`).  Definitional, not fitted: the grid of
#: :data:`.lambda_tune.TWO_SIZE_KIND_GRID` (development groups only) ranks these extremes
#: first (docs/models.md section 1).
TWO_SIZE_KIND_PI = {"cpu_bound": 1.0, "io_bound": 0.0}


#: The grid of exponents the two-size posterior is evaluated on.
_BETA = np.linspace(0.0, 2.0, 201)


def _beta_curves(beta: np.ndarray, g_at: np.ndarray, g_meas: np.ndarray) -> np.ndarray:
    """Relative durations (rows: ``beta``) at sizes of CPU factor ``g_at``.

    ``beta >= 1``: ``g ** beta``; below 1: ``x + g`` with the non-scaling part ``x`` (in units
    of the CPU work) that gives the log ratio ``beta * log(g0 / g1)`` between the two
    measured sizes.  Each row is divided by its geometric mean at the measured sizes.
    """
    r_log = math.log(g_meas[0] / g_meas[1])
    b = beta[:, None]
    ratio = np.exp(np.minimum(b, 1.0) * r_log)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(ratio > 1 + 1e-12, (g_meas[0] - ratio * g_meas[1]) / (ratio - 1), 1e12)
    x = np.maximum(x, 0.0)
    lin = np.where(b >= 1, np.power(g_at[None, :], b), x + g_at[None, :])
    ref = np.where(b >= 1, np.power(g_meas[None, :], b), x + g_meas[None, :])
    return np.asarray(lin / np.exp(np.mean(np.log(ref), axis=1, keepdims=True)), float)


def _cpu_factor(memory_mb: np.ndarray, parallel_share: float) -> np.ndarray:
    """Time of one unit of CPU work at each size, 1 at 1,769 MB (split by ``parallel_share``)."""
    b = basis(memory_mb)
    return np.asarray((1 - parallel_share) * b[:, 1] + parallel_share * b[:, 2], float)


def from_two(
    memory_mb: np.ndarray, meas_mb: np.ndarray, meas_ms: np.ndarray, parallel_share: float,
    prior: TwoSizePrior,
) -> np.ndarray | None:
    """Durations at ``memory_mb`` from two measured sizes, or None when they cannot tell.

    The posterior over ``beta`` (:class:`TwoSizePrior`) given the observed ratio, with the
    noise of the ratio ``sqrt(2) sigma``; the prediction is the posterior median curve,
    scaled to the geometric mean of the measurements.  Repeated runs at one size count as
    their geometric mean.  Sizes whose CPU factors are within 1 % (both at or above
    1,769 MB for single-threaded work) cannot tell: None.
    """
    mm, md = np.asarray(meas_mb, float), np.asarray(meas_ms, float)
    sizes = np.unique(mm)
    if len(sizes) != 2 or prior.sigma <= 0:
        return None
    dur = np.array([math.exp(float(np.mean(np.log(md[mm == s])))) for s in sizes])
    g = _cpu_factor(sizes, parallel_share)
    r_log = math.log(g[0] / g[1])
    if abs(r_log) < 0.01:
        return None
    observed = math.log(dur[0] / dur[1]) / r_log
    sd = math.sqrt(2.0) * prior.sigma / abs(r_log)
    grid = _BETA
    beta = grid[grid <= prior.beta_max + 1e-9]
    dens = prior.pi * np.exp(-0.5 * ((beta - 1) / prior.tau) ** 2) / (prior.tau * math.sqrt(
        2 * math.pi)) + (1 - prior.pi) * (beta <= 1)
    logw = np.log(np.maximum(dens, 1e-300)) - 0.5 * ((observed - beta) / sd) ** 2
    w = np.exp(logw - logw.max())
    rel = _beta_curves(beta, _cpu_factor(np.asarray(memory_mb, float), parallel_share), g)
    gm = math.exp(float(np.mean(np.log(dur))))
    return np.asarray(gm * weighted_quantile(rel, w / w.sum(), 0.5), float)


def curve(coef: np.ndarray, memory_mb: np.ndarray) -> np.ndarray:
    """Duration (ms) of ``(u, c, p)`` at each size."""
    return np.asarray(basis(memory_mb) @ np.asarray(coef, float), float)


def fractions(coef: np.ndarray) -> np.ndarray:
    """``(u, c, p)`` scaled so that the duration at 1,769 MB is 1 (the prior's shape)."""
    coef = np.asarray(coef, float)
    return coef / max(float(coef.sum()), 1e-12)


@dataclass(frozen=True)
class Context:
    """What a user may say about the function besides its measurements (all optional).

    ``kind`` is the declared kind (:data:`KIND_CODES`), ``arch`` the architecture; each
    training shape that does not match is weighed by the model's mismatch factor (1: the
    field is ignored, 0: only matching shapes count).
    """

    kind: str | None = None
    arch: str | None = None


#: Codes of the kinds in the artifact's ``shape_kind`` (NaN: unknown).  "mixed" matches no
#: training shape (none is labelled mixed), so it weighs every shape alike, as no kind does.
KIND_CODES = {"cpu_bound": 0.0, "io_bound": 1.0}
ARCH_CODES = {"x86_64": 0.0, "arm64": 1.0}


def _mismatch(codes: np.ndarray | None, value: float | None, factor: float) -> np.ndarray | float:
    """``factor`` where a shape's code differs from ``value``, else 1 (nothing to compare: 1)."""
    if codes is None or value is None or factor >= 1.0:
        return 1.0
    return np.where(np.asarray(codes, float) == value, 1.0, factor)


def prior_weights(
    shapes: np.ndarray, weights: np.ndarray, log_scale: np.ndarray, meas_mb: float,
    meas_ms: float, *, bandwidth: float | None, match: dict[str, tuple[Any, Any, float]]
    | None = None,
) -> np.ndarray:
    """Weights of the prior's shapes for a function that took ``meas_ms`` at ``meas_mb``.

    The conditional prior: each training function (shape times ``exp(log_scale)``, its
    duration at 1,769 MB) has a duration at the measured size; a Gaussian kernel of
    ``bandwidth`` (natural-log units) on the log ratio of that duration to the measured one
    favours functions of the same weight.  ``match`` maps a context field to ``(the shapes'
    codes, the request's code, mismatch factor)``: a declared kind or the architecture
    down-weighs the shapes that differ.  ``None`` bandwidth and no match keep the plain
    prior, in which each application group weighs the same.  If every weight vanishes the
    plain prior is used.
    """
    w = np.asarray(weights, float)
    if bandwidth:
        at = np.log(np.maximum(shapes @ basis(meas_mb)[0], 1e-12)) + np.asarray(log_scale)
        w = w * np.exp(-0.5 * ((at - math.log(meas_ms)) / bandwidth) ** 2)
    for codes, value, factor in (match or {}).values():
        w = w * _mismatch(codes, value, factor)
    if not np.isfinite(w).all() or w.sum() <= 1e-300:
        w = np.asarray(weights, float)
    return np.asarray(w / w.sum(), float)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> np.ndarray:
    """Weighted quantile ``q`` of each column of ``values`` (rows are prior shapes)."""
    order = np.argsort(values, axis=0)
    return quantile_of_sorted(np.take_along_axis(values, order, axis=0), order, weights, q)


def quantile_of_sorted(v: np.ndarray, order: np.ndarray, weights: np.ndarray, q: float
                       ) -> np.ndarray:
    """:func:`weighted_quantile` of columns already sorted: ``v`` the sorted values, ``order``
    their positions (``np.argsort(values, axis=0)``).

    The sort depends on the shapes and the sizes only, the weights on the measurement: the
    serve path sorts once per grid (:class:`.lambda_mem.LambdaModel`'s cache) and calls this.
    """
    cw = np.cumsum(weights[order], axis=0)
    cw = cw / cw[-1]
    idx = (cw < q).sum(axis=0)
    return np.asarray(v[np.minimum(idx, len(v) - 1), np.arange(v.shape[1])], float)


def from_one(
    memory_mb: np.ndarray, meas_mb: float, meas_ms: float, shapes: np.ndarray, w: np.ndarray,
    *, cpu_ms: float | None = None, quantile: float = 0.5,
) -> np.ndarray:
    """Durations at ``memory_mb`` from one measured size.

    With ``cpu_ms`` (the CPU time the function reported), the wait part is what remains of
    the duration after the CPU time spread over the share: ``u = d - cpu / s(m0)``; the
    CPU work is split by the prior's median parallel share.  Without it, the weighted
    ``quantile`` (0.5: the median) over the prior's shapes, each scaled to the measurement.
    Every shape's curve falls with memory, so any pointwise quantile of them does too.
    """
    m = np.asarray(memory_mb, float)
    if cpu_ms is not None and cpu_ms > 0:
        par = float(weighted_quantile(shapes[:, 2:3] / np.maximum(
            shapes[:, 1:3].sum(axis=1, keepdims=True), 1e-12), w, 0.5)[0])
        b0 = basis(meas_mb)[0]
        g0 = (1 - par) * b0[1] + par * b0[2]
        cpu_wall = min(cpu_ms * g0, meas_ms)  # CPU time at share s0 takes cpu / s0 of wall time
        u = meas_ms - cpu_wall
        coef = np.array([u, cpu_wall / g0 * (1 - par), cpu_wall / g0 * par])
        return curve(coef, m)
    ratios = (shapes @ basis(m).T) / (shapes @ basis(meas_mb)[0])[:, None]
    return meas_ms * weighted_quantile(ratios, w, quantile)


def one_run_scale(meas_ms: np.ndarray) -> float:
    """``exp(mean(log(d)))`` of one measured duration, to the bit as the one-size path
    computes it (the mean of one element is that element, without ``np.mean``'s cost)."""
    return float(np.exp(np.log(meas_ms)[0]))


#: Grids a :class:`OneSizeCache` keeps (each a few shapes x sizes arrays, ~0.1 MB).
GRID_CACHE_SIZE = 128


@dataclass(frozen=True)
class OneSizeGrid:
    """What the one-size path computes from the shapes, measured size and sizes alone.

    ``measured`` marks the measured size among the sizes ``m``; ``a`` is each shape's
    curve at ``m`` (``shapes @ basis(m).T``); ``b_floor`` its value at the measured size
    (floored at 1e-12, as :meth:`.lambda_mem.LambdaModel.shape_durations` divides by it);
    ``order`` and ``ratios`` the columns of ``a / b`` sorted, the sort of
    :func:`weighted_quantile` (:func:`from_one`'s ratios).
    """

    measured: np.ndarray
    a: np.ndarray
    b_floor: np.ndarray
    order: np.ndarray
    ratios: np.ndarray


def one_size_grid(shapes: np.ndarray, meas_mb: float, memory_mb: np.ndarray) -> OneSizeGrid:
    """The :class:`OneSizeGrid` of ``shapes`` measured at ``meas_mb``, by the expressions
    :func:`from_one` evaluates (the same bits)."""
    a = shapes @ basis(memory_mb).T
    b = shapes @ basis(meas_mb)[0]
    ratios = a / b[:, None]
    order = np.argsort(ratios, axis=0)
    return OneSizeGrid(measured=np.isin(memory_mb, np.array([meas_mb])), a=a,
                       b_floor=np.maximum(b, 1e-12)[:, None], order=order,
                       ratios=np.take_along_axis(ratios, order, axis=0))


class OneSizeCache:
    """A model's serve-time cache of what its one-size path computes from the model alone.

    ``shapes`` maps each ``parallel`` setting to the prior shapes; ``prior(ref, gm,
    context)`` gives the prior weights, kept per context when ``fixed_prior`` (no
    bandwidth: they do not depend on the measurement).  Grids (:class:`OneSizeGrid`) are
    kept per (parallel, measured size, sizes), the least recently used dropped first.
    ``key`` is what the owner checks to know the cache is still its model's.
    """

    def __init__(self, key: tuple[Any, ...], shapes: dict[Any, np.ndarray],
                 prior: Callable[[float, float, Any], np.ndarray], *, fixed_prior: bool) -> None:
        self.key, self.shapes, self._prior, self._fixed = key, shapes, prior, fixed_prior
        self._weights: dict[Any, np.ndarray] = {}
        self._grids: OrderedDict[tuple[Any, ...], OneSizeGrid] = OrderedDict()
        self._lock = threading.Lock()

    def prior(self, ref: float, gm: float, context: Context | None) -> np.ndarray:
        """The prior weights of one measurement (``gm`` ms at ``ref`` MB)."""
        if not self._fixed:
            return self._prior(ref, gm, context)
        ck = None if context is None else (context.kind, context.arch)
        w = self._weights.get(ck)
        if w is None:
            w = self._weights[ck] = self._prior(ref, gm, context)
        return w

    def grid(self, parallel: bool | None, meas_mb: float, memory_mb: np.ndarray) -> OneSizeGrid:
        """The :class:`OneSizeGrid` at sizes ``memory_mb`` (float) measured at ``meas_mb``."""
        gk = (parallel, meas_mb, *memory_mb.tolist())
        with self._lock:  # (threads of a server share the model: the LRU moves are not atomic)
            got = self._grids.get(gk)
            if got is not None:
                self._grids.move_to_end(gk)
                return got
        got = one_size_grid(self.shapes[parallel], meas_mb, memory_mb)  # outside the lock
        with self._lock:
            self._grids[gk] = got
            if len(self._grids) > GRID_CACHE_SIZE:
                self._grids.popitem(last=False)
        return got
