"""Training and held-out evaluation of the Lambda memory model.

Protocol (issue 4): hold out each runtime/arch in turn, fit the learned parts (``beta`` and
the CPU-to-wait prior) on the others, reveal the held-out function's duration at one memory
size, predict every other size; report MAPE and how often the cost-optimal size is picked.
A stricter variant holds out both architectures of a runtime at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.models.features import lambda_cpu_share
from recommender.models.lambda_mem import LambdaModel, LambdaPrices, choose, fit_lambda_physics

BETAS = tuple(np.round(np.arange(0.5, 3.01, 0.05), 2))
#: The fixed revealed size of the headline figure; every size is also reported on average.
REVEAL_MB = 512
REVEAL_PAIR_MB = (256, 1024)
INTERVAL = (0.05, 0.95)


def _groups(runs: pd.DataFrame) -> list[tuple[tuple[str, str], pd.DataFrame]]:
    return [(k, g.sort_values("memory_mb")) for k, g in runs.groupby(["runtime", "arch"])]


def fit_lambda(runs: pd.DataFrame) -> LambdaModel:
    """Fit ``beta`` (grid, least log error) and the CPU-to-wait prior on ``runs``.

    The prior is a line ``log k = b0 + b1 log(max memory used)`` with ``b1 >= 0`` (a least
    squares slope, intercept by median for robustness), clamped to the observed log k range.
    """
    groups = _groups(runs)
    best = (np.inf, 1.0)
    for beta in BETAS:
        err = 0.0
        for _, g in groups:
            m, d = g["memory_mb"].to_numpy(float), g["duration_ms"].to_numpy(float)
            a, c = fit_lambda_physics(m, d, beta, 0.0)
            err += float(np.mean((np.log(a + c / lambda_cpu_share(m) ** beta) - np.log(d)) ** 2))
        best = min(best, (err, float(beta)))
    beta = best[1]
    log_k, log_used = [], []
    for _, g in groups:
        a, c = fit_lambda_physics(
            g["memory_mb"].to_numpy(float), g["duration_ms"].to_numpy(float), beta, 0.0
        )
        log_k.append(np.log(max(c, 1e-6) / max(a, 1e-6)))
        log_used.append(np.log(g["max_memory_used_mb"].median()))
    k, u = np.array(log_k), np.array(log_used)
    slope = max(float(np.polyfit(u, k, 1)[0]), 0.0) if np.ptp(u) > 0 else 0.0
    return LambdaModel(
        beta=beta,
        log_k_prior=float(np.median(k)),
        log_q={1: (0.0, 0.0), 2: (0.0, 0.0)},
        log_k_slope=slope,
        log_k_intercept=float(np.median(k - slope * u)),
        log_k_bounds=(float(k.min()), float(k.max())),
    )


def _costs(g: pd.DataFrame, dur: np.ndarray, prices: LambdaPrices) -> np.ndarray:
    gb = g["memory_mb"].to_numpy(float) / 1024.0
    return prices.monthly(np.ceil(dur) / 1000.0 * gb * 1e6, 1e6)


def _case(
    model: LambdaModel,
    g: pd.DataFrame,
    sizes: list[int],
    prices: LambdaPrices,
    use_footprint: bool = True,
) -> dict[str, Any]:
    m, d = g["memory_mb"].to_numpy(float), g["duration_ms"].to_numpy(float)
    sel = np.isin(m, sizes)
    used = float(g.loc[sel, "max_memory_used_mb"].max()) if use_footprint else None
    pred = model.predict(m, m[sel], d[sel], used_mb=used)["duration_ms"].to_numpy()
    ok = m >= g["max_memory_used_mb"].max()  # sizes the function fits in
    frame = pd.DataFrame({"duration_ms": pred[ok], "monthly_cost_usd": _costs(g, pred, prices)[ok]})
    tc = _costs(g, g["billed_duration_ms"].to_numpy(float), prices)[ok]
    pick = choose(frame, "cost")
    return {
        "ape": np.abs(pred[~sel] - d[~sel]) / d[~sel],
        "resid": np.log(d[~sel] / pred[~sel]),
        "exact": bool(tc[pick] == tc.min()),
        "regret": float(tc[pick] / tc.min() - 1),
    }


def _summary(rs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "n_cases": len(rs),
        "mape_pct": float(np.mean(np.concatenate([r["ape"] for r in rs])) * 100),
        "cost_optimal_picked_share": float(np.mean([r["exact"] for r in rs])),
        "median_cost_regret_pct": float(np.median([r["regret"] for r in rs]) * 100),
        "max_cost_regret_pct": float(np.max([r["regret"] for r in rs]) * 100),
    }


def evaluate_lambda(runs: pd.DataFrame, prices: dict[str, LambdaPrices]) -> dict[str, Any]:
    """Held-out metrics and residual quantiles (see the module docstring)."""
    rec: dict[str, list[dict[str, Any]]] = {}
    per_group: dict[str, float] = {}
    for (rt, arch), g in _groups(runs):
        model = fit_lambda(runs[(runs["runtime"] != rt) | (runs["arch"] != arch)])
        strict = fit_lambda(runs[runs["runtime"] != rt])
        m = g["memory_mb"].to_numpy(float)
        cases = {
            "reveal_512": (model, [REVEAL_MB], True),
            "reveal_pair": (model, list(REVEAL_PAIR_MB), True),
            "reveal_512_runtime_held_out": (strict, [REVEAL_MB], True),
            "reveal_512_median_prior_only": (model, [REVEAL_MB], False),
        }
        cases |= {f"reveal_any:{int(x)}": (model, [int(x)], True) for x in m}
        cases |= {f"reveal_any_median_prior_only:{int(x)}": (model, [int(x)], False) for x in m}
        for name, (mod, sizes, foot) in cases.items():
            r = _case(mod, g, sizes, prices[arch], foot)
            rec.setdefault(name.split(":")[0], []).append(r)
            if name == "reveal_512":
                per_group[f"{rt}/{arch}"] = float(np.mean(r["ape"]) * 100)
    metrics: dict[str, Any] = {name: _summary(rs) for name, rs in rec.items()}
    metrics["reveal_512"]["per_group_mape_pct"] = per_group

    def q(name: str) -> np.ndarray:
        return np.quantile(np.concatenate([r["resid"] for r in rec[name]]), INTERVAL)

    # One measurement: the wider of the footprint model's and the median prior's residual
    # quantiles, because the footprint relation was learned on one kind of function only.
    q1, q0 = q("reveal_any"), q("reveal_any_median_prior_only")
    log_q = {
        1: (float(min(q1[0], q0[0])), float(max(q1[1], q0[1]))),
        2: tuple(float(v) for v in q("reveal_pair")),
    }
    for name, k in (("reveal_any", 1), ("reveal_pair", 2)):
        res = np.concatenate([r["resid"] for r in rec[name]])
        metrics[name]["interval_coverage"] = float(
            np.mean((res >= log_q[k][0]) & (res <= log_q[k][1]))
        )
    metrics["log_q"] = {str(k): list(v) for k, v in log_q.items()}
    return {"metrics": metrics, "log_q": log_q}


def train_lambda(runs: pd.DataFrame, prices: dict[str, LambdaPrices]) -> LambdaModel:
    """Evaluate held out, then fit on every run with the evaluated intervals."""
    ev = evaluate_lambda(runs, prices)
    model = fit_lambda(runs)
    model.log_q = ev["log_q"]
    model.metrics = {
        **ev["metrics"],
        "beta": model.beta,
        "log_k_prior": model.log_k_prior,
        "log_k_slope": model.log_k_slope,
        "log_k_intercept": model.log_k_intercept,
        "log_k_bounds": list(model.log_k_bounds),
    }
    return model
