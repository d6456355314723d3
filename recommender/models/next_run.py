"""Which configuration to measure next (expected improvement), and how regret falls per run.

The pillar's advice is to benchmark (AWS Well-Architected, Performance Efficiency,
PERF01-BP06 "Use benchmarking to drive architectural decisions":
https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/perf_architecture_benchmark.html);
this says *which* run to make.  Each unmeasured configuration's cost (or runtime) is taken
as log-normal around the runtime model's prediction, with the spread of its calibrated
interval.  The next run is the one with the largest expected improvement over the best
measured so far (Jones et al. 1998; the acquisition CherryPick uses, Alipourfard et al.,
NSDI 2017).  The expected regret after each further run comes from Monte Carlo draws of
those distributions, following the expected-improvement choices in turn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: z of the 5 % / 95 % bounds: the interval spans 2 x 1.645 standard deviations in log space.
Z90 = 1.6448536269514722
N_DRAWS = 2000
SEED = 0


def _phi(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)


def _cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, float) / math.sqrt(2.0)))


def expected_improvement(best: float, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``E[max(best - Y, 0)]`` for ``log Y ~ N(mu, sigma)`` (closed form)."""
    mu, sigma = np.asarray(mu, float), np.maximum(np.asarray(sigma, float), 1e-9)
    if not math.isfinite(best):
        return np.exp(-mu)  # nothing measured yet: prefer the cheapest predicted
    d = (math.log(best) - mu) / sigma
    return best * _cdf(d) - np.exp(mu + sigma**2 / 2) * _cdf(d - sigma)


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
    excluded: np.ndarray, plan_runs: int = 4, seed: int = SEED,
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
    rng = np.random.default_rng(seed)
    draws = np.exp(mu[None, :] + sigma[None, :] * rng.standard_normal((N_DRAWS, len(value))))
    draws[:, measured] = value[measured]
    draws[:, excluded] = np.inf
    opt = draws.min(axis=1)
    picks: list[int] = []
    regret: list[tuple[int, float, list[int]]] = []
    b, avail = best, open_.copy()
    first: tuple[int | None, float, float] = (None, 0.0, 0.0)
    for k in range(plan_runs + 1):
        got = np.full(N_DRAWS, best)
        if picks:
            got = np.minimum(got, draws[:, picks].min(axis=1))
        regret.append((k, float(np.mean(got / opt - 1.0) * 100), list(picks)))
        if k == plan_runs or not avail.any():
            break
        ei = np.where(avail, expected_improvement(b, mu, sigma), -np.inf)
        j = int(np.argmax(ei))
        if k == 0:
            p = float(np.mean(draws[:, j] < best)) if math.isfinite(best) else 1.0
            first = (j, float(ei[j]) if math.isfinite(best) else 0.0, p)
        picks.append(j)
        avail[j] = False
        b = min(b, float(value[j]))  # "believer": assume the prediction for later choices
    return Plan(first[0], first[1], first[2], best, best_pos, regret)


def next_run(request: Any, catalog: Any = None, bundle: Any = None) -> Any:
    """The next configuration to measure for a job (CONTRACT section 4, ``next-run``).

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request, or an instance type the catalog does not know.
    """
    from recommender.models.next_run_request import answer

    return answer(request, catalog, bundle)


def next_run_view(response: Any) -> dict[str, Any]:
    """What the Predictions page shows for a ``next-run`` response (pure; no UI library).

    Returns ``headline`` and ``reason`` (text), ``current_best`` (text), ``regret_curve``
    (``{"extra_runs": [...], "expected_regret_pct": [...]}`` for a line chart) and ``plan``
    (table rows: extra run, expected regret, configurations to run).
    """
    data = response.model_dump(mode="json") if hasattr(response, "model_dump") else response
    nxt, best = data.get("next"), data.get("current_best")
    headline = ("Nothing left to run" if nxt is None else
                f"Run next: {nxt['count']} x {nxt['instance_type']} (predicted "
                f"{nxt['predicted_runtime_s']:.0f} s, {nxt['probability_better']:.0%} chance "
                f"to beat the best so far)")
    steps = data.get("expected_regret", [])
    return {
        "headline": headline,
        "reason": nxt["reason"] if nxt else "; ".join(data.get("notes", [])),
        "current_best": (f"{best['count']} x {best['instance_type']}: {best['runtime_s']:.0f} s"
                         if best else "no successful run yet"),
        "regret_curve": {"extra_runs": [s["extra_runs"] for s in steps],
                         "expected_regret_pct": [s["expected_regret_pct"] for s in steps]},
        "plan": [{"extra runs": s["extra_runs"],
                  "expected regret %": round(s["expected_regret_pct"], 2),
                  "runs": ", ".join(s["next_configurations"])} for s in steps],
    }
