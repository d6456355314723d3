"""Training and honest evaluation of the Lambda memory model (issue 10).

Data: every real memory sweep in :mod:`.lambda_data` (13 application groups).  The untouched
test groups (:mod:`.splits`) are never looked at while choosing anything; the choices
made (the conditional one-size prior's kernel bandwidth, architecture and kind factors and
quantile, :mod:`.lambda_tune`) are picked by leave-one-group-out over the *development*
groups only.  Intervals are split-conformal: the quantiles of the
development groups' held-out log residuals (each residual from a model that had not seen
its group), with coverage then measured on the test groups.

Cases per held-out function: every measured size revealed in turn (``one_size``; and
``one_size_kind``, the same with the function's kind declared as its user would), the size
nearest 1,024 MB revealed (``one_size_1024``, scored also on the cost-optimal pick), and
pairs of sizes (``two_sizes``; ``two_sizes_kind``, the same pairs with the kind declared).
Beside each: the CPU-share-only baseline ``d(m) = d0 * min(m0, 1769) / min(m, 1769)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.models import lambda_physics as P
from recommender.models.features import LAMBDA_MB_PER_VCPU
from recommender.models.lambda_mem import LambdaModel, LambdaPrices, choose
from recommender.models.lambda_tune import TWO_SIZE_CHOSEN, Conditional, choose_conditional
from recommender.models.splits import test_groups

ALPHA = 0.10  # 90 % intervals
N_PAIRS = 6
SEED = 0


def _functions(curves: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    return [(str(g["group"].iloc[0]), str(f), g.sort_values("memory_mb"))
            for f, g in curves.groupby("function", sort=True)]


def _footprint_floor(curves: pd.DataFrame) -> float:
    """Lowest ratio of memory used at a function's smallest size to its largest use."""
    ratios = []
    for _, g in curves.dropna(subset=["max_memory_used_mb"]).groupby("function"):
        g = g.sort_values("memory_mb")
        ratios.append(g["max_memory_used_mb"].iloc[0] / g["max_memory_used_mb"].max())
    return float(min(ratios)) if ratios else 1.0


def fit_lambda(curves: pd.DataFrame, bandwidth: float | None = None,
               conditional: Conditional | None = None) -> LambdaModel:
    """Fit the prior (one shape per training function) on ``curves``.

    Each shape keeps its function's kind and architecture codes (``kind`` column when the
    curves have one), which ``conditional``'s factors weigh against a request's.
    """
    fns = _functions(curves)
    coefs = [P.fit_curve(f["memory_mb"].to_numpy(float), f["duration_ms"].to_numpy(float), 0.0)
             for _, _, f in fns]
    spans = [bool((f["memory_mb"] > LAMBDA_MB_PER_VCPU * 1.02).any()) for _, _, f in fns]
    par = [c[2] / max(c[1] + c[2], 1e-12) for c, s in zip(coefs, spans, strict=True)
           if s and c is not None and c[1] + c[2] > 0]
    parallel_share = float(np.median(par)) if par else 0.0
    shapes, scales, weights, kinds, arches = [], [], [], [], []
    n_groups = len({g for g, _, _ in fns})
    per_group = pd.Series([g for g, _, _ in fns]).value_counts()
    for (g, _, f), c, s in zip(fns, coefs, spans, strict=True):
        if c is None or c.sum() <= 0:
            continue
        kinds.append(P.KIND_CODES.get(str(f["kind"].iloc[0]), np.nan) if "kind" in f
                     else np.nan)
        arches.append(P.ARCH_CODES.get(str(f["arch"].iloc[0]), np.nan))
        if not s:  # sizes up to 1,769 MB cannot tell single- from multi-threaded work
            cpu = c[1] + c[2]
            c = np.array([c[0], cpu * (1 - parallel_share), cpu * parallel_share])
        shapes.append(P.fractions(c))
        scales.append(float(np.log(c.sum())))
        weights.append(1.0 / (n_groups * per_group[g]))
    cond = conditional or Conditional(bandwidth=bandwidth)
    return LambdaModel(
        shapes=np.array(shapes), weights=np.array(weights), log_scale=np.array(scales),
        bandwidth=cond.bandwidth, parallel_share=parallel_share,
        footprint_floor=_footprint_floor(curves),
        log_q={1: (0.0, 0.0), 2: (0.0, 0.0), 3: (0.0, 0.0), 4: (0.0, 0.0)},
        shape_kind=np.array(kinds, float), shape_arch=np.array(arches, float),
        kind_mismatch=cond.kind_mismatch, arch_mismatch=cond.arch_mismatch,
        quantile=cond.quantile, two_sigma=TWO_SIZE_CHOSEN.sigma, two_tau=TWO_SIZE_CHOSEN.tau,
        two_pi=TWO_SIZE_CHOSEN.pi, two_beta_max=TWO_SIZE_CHOSEN.beta_max,
    )


def _true_cost(f: pd.DataFrame, prices: LambdaPrices) -> np.ndarray:
    billed = f["billed_duration_ms"].fillna(np.ceil(f["duration_ms"])).to_numpy(float)
    gb = f["memory_mb"].to_numpy(float) / 1024.0
    return prices.monthly(billed / 1000.0 * gb * 1e6, 1e6)


def _pred_cost(m: np.ndarray, dur: np.ndarray, prices: LambdaPrices) -> np.ndarray:
    """Monthly cost of durations ``dur`` (sizes on the last axis, any leading axes) at ``m``.

    Elementwise, so a matrix of one row per prior shape gives each row's bits exactly
    (:meth:`.LambdaPrices.monthly` prices each element alone).
    """
    return prices.monthly(np.ceil(dur) / 1000.0 * (m / 1024.0) * 1e6, 1e6)


def _baseline(m: np.ndarray, m0: np.ndarray, d0: np.ndarray) -> np.ndarray:
    s0 = P.shares(m0)[0]
    return float(np.exp(np.mean(np.log(d0 * s0)))) / P.shares(m)[0]


def _pick(model: Any, m: np.ndarray, d: np.ndarray, sel: np.ndarray, pred: np.ndarray, *,
          prices: LambdaPrices, context: P.Context) -> int:
    """The served pick: lowest expected cost over the prior's shapes from one size
    (:func:`.lambda_mem.choose_memory`), else the predicted curve's cheapest size."""
    got = getattr(model, "shape_durations", None)
    sd = got(m, m[sel], d[sel], context=context) if got else None
    if sd is None:
        return choose(_pred_cost(m, pred, prices), pred, "cost")
    dur, w = sd
    return int(np.argmin(np.round(w @ _pred_cost(m, np.asarray(dur, float), prices), 12)))


def _case(model: LambdaModel, f: tuple[np.ndarray, np.ndarray, np.ndarray], sel: np.ndarray,
          prices: LambdaPrices, context: P.Context) -> dict[str, Any]:
    """One revealed selection ``sel`` of a function ``f`` = (memory, duration, true cost)."""
    m, d, tc = f
    pred = model.predict(m, m[sel], d[sel], context=context)["duration_ms"]
    base = _baseline(m, m[sel], d[sel])
    pick = _pick(model, m, d, sel, pred, prices=prices, context=context)
    bpick = choose(_pred_cost(m, base, prices), base, "cost")
    return {
        "ape": np.abs(pred[~sel] - d[~sel]) / d[~sel],
        "base_ape": np.abs(base[~sel] - d[~sel]) / d[~sel],
        "resid": np.log(d[~sel] / pred[~sel]),
        "exact": bool(tc[pick] <= tc.min() * (1 + 1e-9)),
        "base_exact": bool(tc[bpick] <= tc.min() * (1 + 1e-9)),
        "regret": float(tc[pick] / tc.min() - 1),
        "base_regret": float(tc[bpick] / tc.min() - 1),
    }


def _cases(model: LambdaModel, f: pd.DataFrame, prices: LambdaPrices,
           draw: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """Every case of one held-out function ``f``; ``draw`` the pairs' order (:func:`_draws`)."""
    m = f["memory_mb"].to_numpy(float)
    arrays = (m, f["duration_ms"].to_numpy(float), _true_cost(f, prices))
    # The request always names the architecture; the kind only when the user declares it.
    arch = P.Context(arch=str(f["arch"].iloc[0]))
    kind = P.Context(arch=arch.arch, kind=str(f["kind"].iloc[0]) if "kind" in f else None)
    out: dict[str, list[dict[str, Any]]] = {"one_size": [], "one_size_kind": [],
                                            "two_sizes": [], "two_sizes_kind": []}
    for i in range(len(m)):
        out["one_size"].append(_case(model, arrays, np.arange(len(m)) == i, prices, arch))
        out["one_size_kind"].append(_case(model, arrays, np.arange(len(m)) == i, prices, kind))
    near = int(np.argmin(np.abs(np.log(m / 1024.0))))
    out["one_size_1024"] = [_case(model, arrays, np.arange(len(m)) == near, prices, arch)]
    pairs = [(i, j) for i in range(len(m)) for j in range(i + 1, len(m))]
    for k in draw[:N_PAIRS]:  # the same pairs with and without kind
        sel = np.isin(np.arange(len(m)), pairs[k])
        out["two_sizes"].append(_case(model, arrays, sel, prices, arch))
        out["two_sizes_kind"].append(_case(model, arrays, sel, prices, kind))
    return out


def _draws(curves: pd.DataFrame, groups: list[str]) -> list[list[np.ndarray]]:
    """Per group, per function: the order in which its pairs of sizes are drawn.

    One generator seeded with :data:`SEED` draws for every function in turn (groups in
    order, functions sorted), so the pairs do not depend on how the groups are spread
    over processes.
    """
    rng = np.random.default_rng(SEED)
    out = []
    for grp in groups:
        sizes = [len(f) for _, _, f in _functions(curves[curves["group"] == grp])]
        out.append([rng.permutation(n * (n - 1) // 2) for n in sizes])
    return out


def _score_group(model_for: Any, grp: str, curves: pd.DataFrame, draws: list[np.ndarray],
                 prices: dict[str, LambdaPrices]) -> dict[str, list[dict[str, Any]]]:
    """``{case: [per-function results]}`` of held-out group ``grp``'s ``curves``, scored
    with ``model_for(grp)`` (fitted here, in the worker)."""
    model = model_for(grp)
    rec: dict[str, list[dict[str, Any]]] = {}
    for (_, _, f), draw in zip(_functions(curves), draws, strict=True):
        per_fn = _cases(model, f, prices[str(f["arch"].iloc[0])], draw)
        for case, rs in per_fn.items():
            ape = {k: np.concatenate([r[k] for r in rs]) for k in ("ape", "base_ape", "resid")}
            rec.setdefault(case, []).append({
                **ape, **{k: float(np.mean([r[k] for r in rs]))
                          for k in ("exact", "base_exact", "regret", "base_regret")}})
    return rec


def _score(model_for: Any, curves: pd.DataFrame, groups: list[str],
           prices: dict[str, LambdaPrices], n_jobs: int = 1
           ) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``{case: {group: [per-function results]}}`` with ``model_for(group)`` per group.

    The groups are scored in ``n_jobs`` processes (joblib; each group alone, so the
    figures are the same for any ``n_jobs``).
    """
    from joblib import Parallel, delayed

    per_group = Parallel(n_jobs=n_jobs)(
        delayed(_score_group)(model_for, grp, curves[curves["group"] == grp], draws, prices)
        for grp, draws in zip(groups, _draws(curves, groups), strict=True))
    rec: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for grp, got in zip(groups, per_group, strict=True):
        for case, rs in got.items():
            rec.setdefault(case, {})[grp] = rs
    return rec


def _summary(by_group: dict[str, list[dict[str, Any]]], log_q: tuple[float, float] | None
             ) -> dict[str, Any]:
    def per_group(key: str) -> float:
        return float(np.mean([np.mean(np.concatenate([r[key] for r in rs]))
                              for rs in by_group.values()]) * 100)

    fns = [r for rs in by_group.values() for r in rs]
    out = {
        "n_groups": len(by_group), "n_functions": len(fns),
        "mape_pct_group_mean": per_group("ape"),
        "baseline_mape_pct_group_mean": per_group("base_ape"),
        "mape_pct_function_mean": float(np.mean([np.mean(r["ape"]) for r in fns]) * 100),
        "baseline_mape_pct_function_mean": float(np.mean([np.mean(r["base_ape"]) for r in fns])
                                                 * 100),
        "cost_optimal_share": float(np.mean([r["exact"] for r in fns])),
        "baseline_cost_optimal_share": float(np.mean([r["base_exact"] for r in fns])),
        "median_cost_regret_pct": float(np.median([r["regret"] for r in fns]) * 100),
        "baseline_median_cost_regret_pct": float(np.median([r["base_regret"] for r in fns]) * 100),
    }
    if log_q is not None:
        res = np.concatenate([r["resid"] for r in fns])
        out["interval_coverage"] = float(np.mean((res >= log_q[0]) & (res <= log_q[1])))
    return out


def conformal_q(resid: np.ndarray, alpha: float = ALPHA) -> tuple[float, float]:
    """Split-conformal (low, high) log-residual bounds with the finite-sample correction.

    The ``ceil((n + 1)(1 - alpha / 2))``-th smallest residual bounds from above and the
    ``floor((n + 1) alpha / 2)``-th from below (Vovk et al.; Angelopoulos & Bates 2021).
    """
    r = np.sort(np.asarray(resid, float))
    n = len(r)
    hi = min(int(np.ceil((n + 1) * (1 - alpha / 2))), n)
    lo = max(int(np.floor((n + 1) * alpha / 2)), 1)
    return float(r[lo - 1]), float(r[hi - 1])


def evaluate_lambda(curves: pd.DataFrame, prices: dict[str, LambdaPrices], n_jobs: int = 1
                    ) -> dict[str, Any]:
    """Conditional prior chosen on development groups, then one score on the test groups.

    ``n_jobs``: joblib processes for the held-out groups (the figures do not depend on it).
    """
    groups = sorted(curves["group"].unique())
    test = sorted(test_groups("lambda", groups))
    dev = [g for g in groups if g not in test]
    dev_curves = curves[curves["group"].isin(dev)]
    cond, tuning = choose_conditional(dev_curves, fit_lambda, n_jobs=n_jobs)
    dev_rec = _score(lambda g: fit_lambda(dev_curves[dev_curves["group"] != g],
                                          conditional=cond), dev_curves, dev, prices, n_jobs)
    log_q = {k: conformal_q(np.concatenate([r["resid"] for rs in dev_rec[c].values() for r in rs]))
             for k, c in ((1, "one_size"), (2, "two_sizes"), (3, "one_size_kind"),
                          (4, "two_sizes_kind"))}
    dev_model = fit_lambda(dev_curves, conditional=cond)
    test_rec = _score(lambda g: dev_model, curves, test, prices, n_jobs)
    qk = {"one_size": log_q[1], "one_size_kind": log_q[3], "one_size_1024": log_q[1],
          "two_sizes": log_q[2], "two_sizes_kind": log_q[4]}
    metrics: dict[str, Any] = {
        "split": {"development_groups": dev, "test_groups": test},
        "tuning": {"chosen": cond.label(), "chosen_bandwidth": cond.bandwidth,
                   "dev_one_size_by_choice": tuning,
                   "tuned_on": "leave-one-group-out over the development groups only: the "
                               "mean of the one-size MAPE without and with a declared kind"},
        "development": {c: _summary(dev_rec[c], qk[c]) for c in dev_rec},
        "test": {c: _summary(test_rec[c], qk[c]) for c in test_rec},
        "test_per_group_one_size_mape_pct": {
            g: float(np.mean(np.concatenate([r["ape"] for r in rs])) * 100)
            for g, rs in test_rec["one_size"].items()},
        "per_group": {"development": _per_group(dev_rec, qk), "test": _per_group(test_rec, qk)},
        "log_q": {str(k): list(v) for k, v in log_q.items()},
    }
    return {"metrics": metrics, "log_q": log_q, "conditional": cond}


def _per_group(rec: dict[str, dict[str, list[dict[str, Any]]]],
               qk: dict[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    """Each group's figures (dataset and workload kind: cebert CPU/memory/light, pacslab apps)."""
    out: dict[str, dict[str, Any]] = {}
    for case, by_group in rec.items():
        for grp, rs in by_group.items():
            s = _summary({grp: rs}, qk[case])
            out.setdefault(grp, {})[case] = {k: s[k] for k in (
                "n_functions", "mape_pct_group_mean", "baseline_mape_pct_group_mean",
                "cost_optimal_share", "baseline_cost_optimal_share", "interval_coverage")}
    return out


def train_lambda(curves: pd.DataFrame, prices: dict[str, LambdaPrices], n_jobs: int = 1
                 ) -> LambdaModel:
    """Evaluate (dev tuning, test score), then fit on every curve with the dev intervals.

    ``n_jobs``: joblib processes for the held-out groups (the figures do not depend on it).
    """
    ev = evaluate_lambda(curves, prices, n_jobs)
    model = fit_lambda(curves, conditional=ev["conditional"])
    model.log_q = ev["log_q"]
    model.metrics = {**ev["metrics"], "parallel_share": model.parallel_share,
                     "footprint_floor": model.footprint_floor,
                     "n_prior_shapes": int(len(model.shapes))}
    return model
