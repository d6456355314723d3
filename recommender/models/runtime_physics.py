"""Physics of a data-parallel job's runtime across clusters (Ernest-style), numpy only.

On ``n`` nodes of per-node capacity ``c`` (perf_index, m5.large = 1), cluster capacity
``x = n c``:

``T = s (1 + lam log n + kap n) + w / x``

``s`` is the serial part, ``w / x`` the parallel work spread over the cluster, and
``s (lam log n + kap n)`` the scale-out overhead (tree aggregation grows with ``log n``,
all-to-all shuffles and per-node start-up with ``n``; Venkataraman et al., "Ernest", NSDI
2016), so runtime can rise with more nodes.  ``lam`` and ``kap`` are learned priors (a
job's own runs rarely separate four terms).  ``s, w >= 0`` by non-negative least squares on
relative error.

Memory pressure: when runs on families with different memory per vCPU disagree with what
capacity alone explains, the runs on memory-poor nodes carry a slowdown
``(mpv_ref / mpv) ** gamma``; ``gamma`` is the smallest value on a grid that makes the
physics fit the runs within run-to-run noise.
"""

from __future__ import annotations

import numpy as np

#: Memory-pressure exponents tried, smallest first (0: memory does not matter).
GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
#: A fit within this relative error explains the runs (run-to-run noise of Spark jobs).
FIT_TOLERANCE = 0.05


def serial_term(n: np.ndarray, overhead: tuple[float, float]) -> np.ndarray:
    """``1 + lam log n + kap n`` per node count."""
    n = np.asarray(n, float)
    return np.asarray(1.0 + overhead[0] * np.log(n) + overhead[1] * n, float)


def _nnls2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two-column non-negative least squares (exact by enumerating the active sets)."""
    best, err = np.zeros(2), float(np.sum(b**2))
    for cols in ([0, 1], [0], [1]):
        sol, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
        if np.any(sol < 0):
            continue
        x = np.zeros(2)
        x[cols] = sol
        e = float(np.sum((a @ x - b) ** 2))
        if e < err - 1e-12:
            best, err = x, e
    return best


def fit_physics(
    x: np.ndarray,
    t: np.ndarray,
    prior_x_half: float,
    n: np.ndarray | None = None,
    overhead: tuple[float, float] = (0.0, 0.0),
) -> tuple[float, float]:
    """Serial time ``s`` and parallel work ``w`` from measured runs.

    Parameters
    ----------
    x, t : array
        Cluster capacity (nodes x perf_index) and measured runtime (s) of each run.
    prior_x_half : float
        Capacity at which serial and parallel time are equal (``w / s``), used when the runs
        cannot separate ``s`` from ``w`` (one run, or runs of equal capacity).
    n : array, optional
        Node counts of the runs (for the overhead terms; none when omitted).
    overhead : (lam, kap)
        The scale-out overhead priors.
    """
    x, t = np.asarray(x, float), np.asarray(t, float)
    g = serial_term(n, overhead) if n is not None else np.ones_like(x)
    if len(t) >= 2 and np.ptp(np.log(x)) > 0.01:
        s, w = _nnls2(np.column_stack([g, 1.0 / x]) / t[:, None], np.ones_like(t))
        if s + w > 0:
            return float(s), float(w)
    tm, xm = float(np.exp(np.mean(np.log(t)))), float(np.exp(np.mean(np.log(x))))
    gm = float(np.exp(np.mean(np.log(g))))
    s = tm / (gm + prior_x_half / xm)
    return s, s * prior_x_half


def physics_runtime(
    s: float, w: float, x: np.ndarray, n: np.ndarray, overhead: tuple[float, float]
) -> np.ndarray:
    """``T`` at each configuration."""
    return s * serial_term(n, overhead) + w / np.asarray(x, float)


def memory_factor(mpv: np.ndarray, mpv_ref: float, gamma: float) -> np.ndarray:
    """Slowdown of nodes with ``mpv`` GiB per vCPU relative to ``mpv_ref`` (clipped 0.5-4)."""
    return np.clip((mpv_ref / np.asarray(mpv, float)) ** gamma, 0.5, 4.0)


def fit_with_memory(
    x: np.ndarray, t: np.ndarray, n: np.ndarray, mpv: np.ndarray, prior_x_half: float,
    *, overhead: tuple[float, float],
) -> tuple[float, float, float, float]:
    """``(s, w, gamma, mpv_ref)``: the physics fit, with memory pressure where runs need it.

    ``gamma`` stays 0 unless the runs span families with different memory per vCPU (by more
    than 10 %) and capacity alone leaves them further apart than :data:`FIT_TOLERANCE`.
    """
    x, t, n, mpv = (np.asarray(v, float) for v in (x, t, n, mpv))
    ref = float(mpv.max()) if len(mpv) else 1.0
    s, w = fit_physics(x, t, prior_x_half, n, overhead)
    if len(t) < 2 or mpv.max() < mpv.min() * 1.1:
        return s, w, 0.0, ref
    best = (np.inf, s, w, 0.0)
    for gamma in GAMMAS:
        tt = t / memory_factor(mpv, ref, gamma)
        sg, wg = fit_physics(x, tt, prior_x_half, n, overhead)
        pred = physics_runtime(sg, wg, x, n, overhead) * memory_factor(mpv, ref, gamma)
        err = float(np.sqrt(np.mean((pred / t - 1.0) ** 2)))
        if err <= FIT_TOLERANCE:
            return sg, wg, gamma, ref
        if err < best[0] - 1e-9:
            best = (err, sg, wg, gamma)
    return best[1], best[2], best[3], ref


#: Per-node overheads a job's own runs may reveal (``kap``), smallest first.
OWN_KAPPAS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)


def own_overhead(
    x: np.ndarray, t: np.ndarray, n: np.ndarray, prior: tuple[float, float]
) -> tuple[float, float]:
    """The overhead a job's runs show when they cover 3+ node counts, else ``prior``.

    Runs at three or more node counts can show runtime rising with nodes, which the serial
    and parallel terms alone cannot: the smallest ``kap`` on :data:`OWN_KAPPAS` that fits
    them within :data:`FIT_TOLERANCE` (or the best one) replaces the prior's.
    """
    n = np.asarray(n, float)
    if len(np.unique(n)) < 3:
        return prior
    best = (np.inf, prior)
    for kap in sorted({prior[1], *OWN_KAPPAS}):
        o = (prior[0], kap)
        s, w = fit_physics(x, t, 1.0, n, o)
        err = float(np.sqrt(np.mean((physics_runtime(s, w, x, n, o) / t - 1.0) ** 2)))
        if err <= FIT_TOLERANCE:
            return o
        if err < best[0] - 1e-9:
            best = (err, o)
    return best[1]
