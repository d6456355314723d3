"""Training and honest evaluation of the runtime model (issues 4 and 10).

Protocol: the untouched test groups (:mod:`.splits`) are scored once, by a model fitted on
the development groups only.  Every choice (the scale-out overhead priors, whether the
learned correction is used) is made on the development groups: the overhead priors by a
fit on the training groups of each fold (nested), the correction by leave-one-group-out
over the development groups.  In both, each held-out workload reveals its runtime on two
FIXED reference configurations; every other configuration is predicted and the cheapest
picked.  A pick that failed in reality counts as the worst configuration of the workload.
Intervals are split-conformal quantiles of the development groups' held-out residuals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline

from recommender.models.features import node_specs, runtime_features
from recommender.models.runtime import RuntimeModel
from recommender.models.runtime_physics import fit_physics, physics_runtime
from recommender.models.runtime_priors import (  # noqa: F401 - re-exported (next-run eval, tests)
    OVERHEAD_GRID,
    REF_BBO,
    REF_C3O_NODES,
    _cap_x,
    _rows_at,
    fit_priors,
    learned_kappa,
    reference_configs,
)
from recommender.models.splits import test_groups

SEED = 0
N_RANDOM_ANCHORS = 4
N_SINGLE_ANCHORS = 2
INTERVAL = (0.05, 0.95)


def attach_specs(runs: pd.DataFrame, ec2: pd.DataFrame) -> pd.DataFrame:
    """Runs plus the per-node specs of their instance type."""
    specs = node_specs(ec2, runs["instance_type"].tolist()).drop(columns="instance_type")
    return pd.concat([runs.reset_index(drop=True), specs], axis=1)


def correction_rows(runs: pd.DataFrame, prior_x_half: float, seed: int = SEED,
                    overhead: tuple[float, float] = (0.0, 0.0)) -> pd.DataFrame:
    """Training rows of the correction: features and log(T / T_physics), with weights.

    Each workload contributes its fixed reference pair, a few seeded random pairs and single
    runs as anchors, so the correction does not depend on which runs a user measured.
    Weights give each source (bbo, c3o) and each workload within it the same total.
    """
    rng = np.random.default_rng(seed)
    ok = runs[~runs["failed"]].reset_index(drop=True)
    n_wl = ok.groupby("source")["workload_id"].nunique()
    tgt_pos: list[np.ndarray] = []
    anc_pos: list[np.ndarray] = []
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("log_phys_ratio", "serial", "target", "w")}
    for _, pos in ok.groupby("workload_id", sort=True).indices.items():
        wl = ok.iloc[pos]
        x_all, t_all = _cap_x(wl), wl["runtime_s"].to_numpy(float)
        refs = _rows_at(wl.reset_index(drop=True), reference_configs(wl)).index.to_numpy()
        sets = [refs] if len(refs) else []
        if len(wl) > 2:
            sets += [rng.choice(len(wl), size=2, replace=False) for _ in range(N_RANDOM_ANCHORS)]
        sets += [rng.choice(len(wl), size=1) for _ in range(N_SINGLE_ANCHORS)]
        weight = 1.0 / (len(wl) * len(sets) * n_wl[wl["source"].iloc[0]])
        n_all = wl["nodes"].to_numpy(float)
        for idx in sets:
            s, w = fit_physics(x_all[idx], t_all[idx], prior_x_half, n_all[idx], overhead)
            phys = physics_runtime(s, w, x_all, n_all, overhead)
            a = int(idx[0])
            tgt_pos.append(np.asarray(pos))
            anc_pos.append(np.full(len(pos), pos[a]))
            cols["log_phys_ratio"].append(np.log(phys / t_all[a]))
            cols["serial"].append(np.full(len(pos), s / (s + w / x_all[a])))
            cols["target"].append(np.log(t_all / phys))
            cols["w"].append(np.full(len(pos), weight))
    ex = {k: np.concatenate(v) for k, v in cols.items()}
    tgt = ok.iloc[np.concatenate(tgt_pos)].reset_index(drop=True)
    anc = ok.iloc[np.concatenate(anc_pos)].reset_index(drop=True)
    f = runtime_features(
        tgt, anc, ex["log_phys_ratio"], ex["serial"], tgt["input_gib"].to_numpy(float)
    )
    f["target"], f["weight"] = ex["target"], ex["w"]
    f["workload_id"] = tgt["workload_id"].to_numpy()
    return f


#: Correction features (a subset of RUNTIME_COLUMNS) and tree settings; kept small because
#: leave-one-group-out showed richer corrections fit the training groups, not new ones.
#: Depth-1 trees make the correction additive in memory per vCPU, AMD processors and node
#: ratio: the effects capacity misses that held up on groups the model had not seen.
CORRECTION_FEATURES = (
    "log_mem_per_vcpu",
    "anchor_log_mem_per_vcpu",
    "amd",
    "anchor_amd",
    "log_node_ratio",
)
CORRECTION_PARAMS = {"n_estimators": 60, "max_depth": 1, "learning_rate": 0.05}


def fit_correction(rows: pd.DataFrame, features: tuple[str, ...] | None = None) -> Any:
    """A small seeded boosted-tree pipeline on the correction features."""
    features = features or CORRECTION_FEATURES
    model = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        GradientBoostingRegressor(
            **CORRECTION_PARAMS,
            subsample=0.5,
            min_samples_leaf=20,
            random_state=SEED,
        ),
    )
    w = rows["weight"].to_numpy(float)
    fit_params = {"gradientboostingregressor__sample_weight": w / w.mean()}
    return model.fit(rows[list(features)], rows["target"].to_numpy(float), **fit_params)


def fit_runtime_model(
    runs: pd.DataFrame, log_q: dict[int, tuple[float, float]] | None = None
) -> RuntimeModel:
    """Fit the physics priors and the learned correction on measured runs.

    Parameters
    ----------
    runs : DataFrame
        :func:`recommender.models.data.load_workload_runs` rows.
    log_q : dict, optional
        Residual quantiles (low, high) of log runtime per number of measured runs (0, 1,
        2 or more); zero-width intervals when not given.
    """
    priors = fit_priors(runs)
    corr = fit_correction(correction_rows(runs, priors["prior_x_half"],
                                          overhead=priors["overhead"]))
    return RuntimeModel(
        correction=corr,
        log_q=log_q or {k: (0.0, 0.0) for k in (0, 1, 2)},
        features=tuple(CORRECTION_FEATURES),
        **priors,
    )


def _true_cost(wl: pd.DataFrame) -> np.ndarray:
    return np.asarray(
        wl["runtime_s"].to_numpy(float)
        / 3600
        * wl["nodes"].to_numpy(float)
        * wl["price_usd_per_hour"].to_numpy(float),
        dtype=float,
    )


def _regret(wl: pd.DataFrame, pick: int) -> tuple[float, bool]:
    """Regret of a pick; a pick that failed counts as the workload's worst configuration."""
    cost = _true_cost(wl)
    ok = ~wl["failed"].to_numpy(bool)
    failed = not ok[pick]
    c = cost[ok].max() if failed else cost[pick]
    return float(c / cost[ok].min() - 1), failed


def _evaluate_workload(
    model: RuntimeModel, wl: pd.DataFrame, revealed: pd.DataFrame, use_correction: bool = True
) -> dict[str, Any] | None:
    gib = wl["input_gib"].iloc[0]
    gib = float(gib) if gib > 0 else None
    if revealed.empty and gib is None:
        return None
    pred = model.predict_frame(wl, revealed, gib, use_correction)["runtime_s"].to_numpy()
    pred_cost = pred / 3600 * wl["nodes"].to_numpy(float) * wl["price_usd_per_hour"].to_numpy(float)
    keys = set(zip(revealed["instance_type"], revealed["nodes"], strict=True))
    scored = ~wl["failed"].to_numpy() & ~np.array(
        [(t, n) in keys for t, n in zip(wl["instance_type"], wl["nodes"], strict=True)]
    )
    true_t = wl["runtime_s"].to_numpy(float)
    regret, failed = _regret(wl, int(np.argmin(pred_cost)))
    return {
        "regret": regret, "failed_pick": failed,
        "mape": float(np.mean(np.abs(pred[scored] - true_t[scored]) / true_t[scored]) * 100),
        "resid": np.log(true_t[scored] / pred[scored]),
    }


def _baseline_regret(wl: pd.DataFrame, others: pd.DataFrame) -> float:
    """Regret of the configuration that was cheapest on average (normalized) elsewhere."""
    o = others.assign(cost=_true_cost(others))
    o["norm"] = o["cost"] / o.groupby("workload_id")["cost"].transform("min")
    score = o.groupby(["instance_type", "nodes"])["norm"].mean()
    keys = list(zip(wl["instance_type"], wl["nodes"], strict=True))
    sc = np.array([score.get(k, np.inf) for k in keys])
    pick = int(np.argmin(sc)) if np.isfinite(sc).any() else int(np.argmin(wl["nodes"]))
    return _regret(wl, pick)[0]


def _summary(recs: list[dict[str, Any]]) -> dict[str, float]:
    if not recs:
        return {}
    reg = np.array([r["regret"] for r in recs])
    out = {
        "n_workloads": len(recs),
        "median_regret_pct": float(np.median(reg) * 100),
        "mean_regret_pct": float(np.mean(reg) * 100),
        "share_within_10pct": float(np.mean(reg <= 0.10)),
        "failed_picks": int(sum(bool(r.get("failed_pick")) for r in recs)),
    }
    if not np.isnan([r["mape"] for r in recs]).all():
        out["runtime_mape_pct"] = float(np.nanmean([r["mape"] for r in recs]))
    return out


def _score_group(model: RuntimeModel, held: pd.DataFrame, baseline_pool: pd.DataFrame,
                 variants: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Per-workload results of one held-out group: each variant, physics only, baseline."""
    out: dict[str, list[dict[str, Any]]] = {}
    for _, wl in held.groupby("workload_id", sort=True):
        wl = wl.reset_index(drop=True)
        src = wl["source"].iloc[0]
        refs = _rows_at(wl, reference_configs(wl))
        if len(refs) < 2 or refs["failed"].any():
            continue
        shown = {"two_refs": refs, "one_ref": refs.iloc[:1], "zero_refs": refs.iloc[:0]}
        for name in variants:
            for label, corr in ((name, True), (f"{name}_physics_only", False)):
                r = _evaluate_workload(model, wl, shown[name], corr)
                if r is not None:
                    out.setdefault(f"{src}:{label}", []).append(r)
        same = baseline_pool[(baseline_pool["source"] == src) & ~baseline_pool["failed"]]
        out.setdefault(f"{src}:baseline_best_config_of_others", []).append(
            {"regret": _baseline_regret(wl, same), "mape": np.nan})
    return out


VARIANTS = ("two_refs", "one_ref", "zero_refs")


def _dev_fold(runs: pd.DataFrame, dev: list[str], group: str) -> dict[str, list[dict[str, Any]]]:
    train = runs[runs["group"].isin(dev) & (runs["group"] != group)]
    return _score_group(fit_runtime_model(train), runs[runs["group"] == group], train, VARIANTS)


def _merge(parts: list[dict[str, list[dict[str, Any]]]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for p in parts:
        for k, v in p.items():
            out.setdefault(k, []).extend(v)
    return out


def _choose_correction(dev_res: dict[str, list[dict[str, Any]]]) -> bool:
    """Use the correction only if it lowers the dev median regret averaged over sources."""
    def score(suffix: str) -> tuple[float, float]:
        keys = [k for k in dev_res if k.endswith(f":two_refs{suffix}")]
        reg = np.mean([np.median([r["regret"] for r in dev_res[k]]) for k in keys])
        mape = np.mean([np.mean([r["mape"] for r in dev_res[k]]) for k in keys])
        return float(reg), float(mape)

    return score("") < score("_physics_only")


def _log_q(res: dict[str, list[dict[str, Any]]], use: bool) -> dict[int, tuple[float, float]]:
    from recommender.models.lambda_train import conformal_q

    q: dict[int, tuple[float, float]] = {}
    for k, name in ((2, "two_refs"), (1, "one_ref"), (0, "zero_refs")):
        name = name if use else f"{name}_physics_only"
        # The wider of the per-source bounds: c3o has far more workloads than bbo.
        qs = [conformal_q(np.concatenate([r["resid"] for r in v]))
              for key, v in res.items() if key.endswith(f":{name}") and v]
        q[k] = (min(a for a, _ in qs), max(b for _, b in qs)) if qs else (-1.0, 1.0)
    return q


def _coverage(res: dict[str, list[dict[str, Any]]], log_q: dict[int, tuple[float, float]],
              metrics: dict[str, Any]) -> None:
    for key, recs in res.items():
        k = next((v for n, v in (("two_refs", 2), ("one_ref", 1), ("zero_refs", 0))
                  if f":{n}" in key), None)
        if k is None or "baseline" in key or not recs:
            continue
        r = np.concatenate([x["resid"] for x in recs])
        metrics[key]["interval_coverage"] = float(np.mean((r >= log_q[k][0]) & (r <= log_q[k][1])))


def evaluate(runs: pd.DataFrame, n_jobs: int = -1) -> dict[str, Any]:
    """Choices on the development groups, then one score on the untouched test groups."""
    from joblib import Parallel, delayed

    groups = sorted(runs["group"].unique())
    test = sorted(test_groups("runtime", groups))
    dev = [g for g in groups if g not in test]
    dev_res = _merge(Parallel(n_jobs=n_jobs)(delayed(_dev_fold)(runs, dev, g) for g in dev))
    use = _choose_correction(dev_res)
    log_q = _log_q(dev_res, use)
    dev_runs = runs[runs["group"].isin(dev)]
    model = fit_runtime_model(dev_runs, log_q)
    model.use_correction = use
    test_res = _score_group(model, runs[runs["group"].isin(test)], dev_runs, VARIANTS)
    dev_m = {k: _summary(v) for k, v in sorted(dev_res.items())}
    test_m = {k: _summary(v) for k, v in sorted(test_res.items())}
    _coverage(dev_res, log_q, dev_m)
    _coverage(test_res, log_q, test_m)
    metrics = {
        "split": {"development_groups": dev, "test_groups": test},
        "development": dev_m, "test": test_m,
        "tuning": {"use_correction": use, "overhead_dev_fit": list(model.overhead),
                   "tuned_on": "correction: dev leave-one-group-out median regret; overhead "
                               "priors: fitted on each fold's training groups (nested): lam "
                               "on the two-reference error, kap on the workloads measured at "
                               "3+ node counts"},
        "log_q": {str(k): list(v) for k, v in log_q.items()},
        "references": {"bbo": [list(r) for r in REF_BBO],
                       "c3o": f"first machine type at nodes {list(REF_C3O_NODES)}"},
    }
    return {"metrics": metrics, "log_q": log_q, "use_correction": use}


def repeat_noise_q(runs_raw: pd.DataFrame) -> tuple[float, float]:
    """5 % / 95 % quantiles of log(repeat / median of its configuration): run-to-run noise."""
    med = runs_raw.groupby(["workload_id", "instance_type", "nodes"])["runtime_s"].transform(
        "median")
    r = np.log(runs_raw["runtime_s"].to_numpy(float) / med.to_numpy(float))
    return float(np.quantile(r, INTERVAL[0])), float(np.quantile(r, INTERVAL[1]))


def train_runtime(runs: pd.DataFrame, ec2: pd.DataFrame, progress: Any = None,
                  noise_q: tuple[float, float] | None = None, n_jobs: int = -1) -> RuntimeModel:
    """Evaluate (dev choices, test score), then fit on every run with the dev intervals."""
    runs = attach_specs(runs, ec2)
    ev = evaluate(runs, n_jobs)
    if progress is not None:
        progress.update(8)
    model = fit_runtime_model(runs, ev["log_q"])
    model.use_correction = ev["use_correction"]
    if noise_q is not None:
        model.noise_q = noise_q
    model.metrics = {**ev["metrics"], "noise_q": list(model.noise_q),
                     "overhead": list(model.overhead), "prior_x_half": model.prior_x_half}
    return model
