"""Training and leave-one-workload-group-out evaluation of the runtime model.

Protocol (issue 4): hold out one workload group (a bbo-arena application, or a c3o
algorithm with all its job variants), fit the correction on the others, reveal each held-out
workload's runtime on two FIXED reference configurations, predict every other configuration,
pick the cost-optimal one and compare with the measured optimum.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline

from recommender.models.features import node_specs, runtime_features
from recommender.models.runtime import RuntimeModel, fit_physics

SEED = 0
#: bbo-arena: the same two m5.xlarge clusters for every workload (8 and 24 nodes).
REF_BBO = (("m5.xlarge", 8), ("m5.xlarge", 24))
#: c3o: the workload's first machine type (alphabetical) at the two smallest clusters.
REF_C3O_NODES = (2, 4)
N_RANDOM_ANCHORS = 4
N_SINGLE_ANCHORS = 2
INTERVAL = (0.05, 0.95)


def attach_specs(runs: pd.DataFrame, ec2: pd.DataFrame) -> pd.DataFrame:
    """Runs plus the per-node specs of their instance type."""
    specs = node_specs(ec2, runs["instance_type"].tolist()).drop(columns="instance_type")
    return pd.concat([runs.reset_index(drop=True), specs], axis=1)


def reference_configs(wl: pd.DataFrame) -> list[tuple[str, int]]:
    """The (instance type, nodes) configurations whose runs serve as a workload's references."""
    if wl["source"].iloc[0] == "bbo":
        return list(REF_BBO)
    first = sorted(wl["instance_type"].unique())[0]
    return [(first, n) for n in REF_C3O_NODES]


def _rows_at(wl: pd.DataFrame, configs: list[tuple[str, int]]) -> pd.DataFrame:
    key = list(zip(wl["instance_type"], wl["nodes"], strict=True))
    pos = [key.index(c) for c in configs if c in key]
    return wl.iloc[pos]


def _cap_x(df: pd.DataFrame) -> np.ndarray:
    return df["nodes"].to_numpy(float) * df["cap"].to_numpy(float)


def fit_priors(runs: pd.DataFrame) -> dict[str, float]:
    """Serial share and zero-shot scale from physics fits on every run of each workload."""
    x_half, per_gib, s_abs = [], [], []
    for _, wl in runs[~runs["failed"]].groupby("workload_id"):
        x, t = _cap_x(wl), wl["runtime_s"].to_numpy(float)
        s, w = fit_physics(x, t, 1.0)
        # A purely parallel fit (s = 0) caps at 1e4 units (beyond any cluster here).
        x_half.append(min(w / max(s, 1e-9), 1e4))
        gib = wl["input_gib"].iloc[0]
        if gib > 0:
            per_gib.append(w / gib)
            s_abs.append(s)
    return {
        "prior_x_half": float(np.exp(np.median(np.log(x_half)))),
        "zero_shot_s_per_gib_cap": float(np.median(per_gib)) if per_gib else float("nan"),
        "zero_shot_serial_s": float(np.median(s_abs)) if s_abs else float("nan"),
    }


def correction_rows(runs: pd.DataFrame, prior_x_half: float, seed: int = SEED) -> pd.DataFrame:
    """Training rows of the correction: features and log(T / T_physics), with weights.

    Each workload contributes its fixed reference pair, a few seeded random pairs and single
    runs as anchors, so the correction does not depend on which runs a user measured.
    Weights give each source (bbo, c3o) and each workload within it the same total.
    """
    rng = np.random.default_rng(seed)
    ok = runs[~runs["failed"]].reset_index(drop=True)
    n_wl = ok.groupby("source")["workload_id"].nunique()
    tgt_pos, anc_pos, cols = [], [], {k: [] for k in ("log_phys_ratio", "serial", "target", "w")}
    for _, pos in ok.groupby("workload_id", sort=True).indices.items():
        wl = ok.iloc[pos]
        x_all, t_all = _cap_x(wl), wl["runtime_s"].to_numpy(float)
        refs = _rows_at(wl.reset_index(drop=True), reference_configs(wl)).index.to_numpy()
        sets = [refs] if len(refs) else []
        if len(wl) > 2:
            sets += [rng.choice(len(wl), size=2, replace=False) for _ in range(N_RANDOM_ANCHORS)]
        sets += [rng.choice(len(wl), size=1) for _ in range(N_SINGLE_ANCHORS)]
        weight = 1.0 / (len(wl) * len(sets) * n_wl[wl["source"].iloc[0]])
        for idx in sets:
            s, w = fit_physics(x_all[idx], t_all[idx], prior_x_half)
            phys = s + w / x_all
            a = int(idx[0])
            tgt_pos.append(pos)
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
    corr = fit_correction(correction_rows(runs, priors["prior_x_half"]))
    return RuntimeModel(
        correction=corr,
        log_q=log_q or {k: (0.0, 0.0) for k in (0, 1, 2)},
        features=tuple(CORRECTION_FEATURES),
        **priors,
    )


def _true_cost(wl: pd.DataFrame) -> np.ndarray:
    return (
        wl["runtime_s"].to_numpy(float)
        / 3600
        * wl["nodes"].to_numpy(float)
        * wl["price_usd_per_hour"].to_numpy(float)
    )


def _evaluate_workload(
    model: RuntimeModel, wl: pd.DataFrame, revealed: pd.DataFrame, use_correction: bool = True
) -> dict[str, Any] | None:
    gib = wl["input_gib"].iloc[0]
    gib = float(gib) if gib > 0 else None
    if revealed.empty and gib is None:
        return None
    pred = model.predict_frame(wl, revealed, gib, use_correction)["runtime_s"].to_numpy()
    true_cost = _true_cost(wl)
    pred_cost = pred / 3600 * wl["nodes"].to_numpy(float) * wl["price_usd_per_hour"].to_numpy(float)
    keys = set(zip(revealed["instance_type"], revealed["nodes"], strict=True))
    scored = ~wl["failed"].to_numpy() & ~np.array(
        [(t, n) in keys for t, n in zip(wl["instance_type"], wl["nodes"], strict=True)]
    )
    true_t = wl["runtime_s"].to_numpy(float)
    return {
        "regret": float(true_cost[np.argmin(pred_cost)] / true_cost.min() - 1),
        "mape": float(np.mean(np.abs(pred[scored] - true_t[scored]) / true_t[scored]) * 100),
        "resid": np.log(true_t[scored] / pred[scored]),
    }


def _baseline_regret(wl: pd.DataFrame, others: pd.DataFrame) -> float:
    """Regret of the configuration that was cheapest on average (normalized) elsewhere."""
    o = others.assign(cost=_true_cost(others))
    o["norm"] = o["cost"] / o.groupby("workload_id")["cost"].transform("min")
    score = o.groupby(["instance_type", "nodes"])["norm"].mean()
    keys = list(zip(wl["instance_type"], wl["nodes"], strict=True))
    s = np.array([score.get(k, np.inf) for k in keys])
    pick = int(np.argmin(s)) if np.isfinite(s).any() else int(np.argmin(wl["nodes"]))
    cost = _true_cost(wl)
    return float(cost[pick] / cost.min() - 1)


def _summary(recs: list[dict[str, Any]]) -> dict[str, float]:
    if not recs:
        return {}
    reg = np.array([r["regret"] for r in recs])
    return {
        "n_workloads": len(recs),
        "median_regret_pct": float(np.median(reg) * 100),
        "mean_regret_pct": float(np.mean(reg) * 100),
        "share_within_10pct": float(np.mean(reg <= 0.10)),
        "runtime_mape_pct": float(np.mean([r["mape"] for r in recs])),
    }


def evaluate_lowo(runs: pd.DataFrame, progress: Any = None) -> dict[str, Any]:
    """Leave-one-workload-group-out evaluation; returns metrics and residual quantiles."""
    results: dict[str, list[dict[str, Any]]] = {}
    base: dict[str, list[dict[str, Any]]] = {}
    for group in sorted(runs["group"].unique()):
        held = runs[runs["group"] == group]
        train = runs[runs["group"] != group]
        model = fit_runtime_model(train)
        for _, wl in held.groupby("workload_id", sort=True):
            wl = wl.reset_index(drop=True)
            src = wl["source"].iloc[0]
            refs = _rows_at(wl, reference_configs(wl))
            if len(refs) < 2 or refs["failed"].any():
                continue
            variants = {
                "two_refs": refs,
                "one_ref": refs.iloc[:1],
                "zero_refs": refs.iloc[:0],
            }
            for name, revealed in variants.items():
                r = _evaluate_workload(model, wl, revealed)
                if r is not None:
                    results.setdefault(f"{src}:{name}", []).append(r)
            r = _evaluate_workload(model, wl, refs, use_correction=False)
            results.setdefault(f"{src}:physics_only", []).append(r)
            same = train[(train["source"] == src) & ~train["failed"]]
            base.setdefault(src, []).append({"regret": _baseline_regret(wl, same), "mape": np.nan})
        if progress is not None:
            progress.update(1)
    metrics: dict[str, Any] = {k: _summary(v) for k, v in sorted(results.items())}
    for src, recs in base.items():
        s = _summary(recs)
        s.pop("runtime_mape_pct", None)
        metrics[f"{src}:baseline_best_config_of_others"] = s
    log_q: dict[int, tuple[float, float]] = {}
    for k, name in ((2, "two_refs"), (1, "one_ref"), (0, "zero_refs")):
        # The wider of the per-source quantiles: c3o has far more workloads than bbo and
        # would otherwise set the interval alone.
        qs = [
            np.quantile(np.concatenate([r["resid"] for r in results[key]]), INTERVAL)
            for key in results
            if key.endswith(f":{name}")
        ]
        log_q[k] = (float(min(q[0] for q in qs)), float(max(q[1] for q in qs)))
        for key in results:
            if key.endswith(f":{name}"):
                res = np.concatenate([r["resid"] for r in results[key]])
                metrics[key]["interval_coverage"] = float(
                    np.mean((res >= log_q[k][0]) & (res <= log_q[k][1]))
                )
    metrics["log_q"] = {str(k): list(v) for k, v in log_q.items()}
    metrics["references"] = {
        "bbo": [list(r) for r in REF_BBO],
        "c3o": f"first machine type at nodes {list(REF_C3O_NODES)}",
    }
    return {"metrics": metrics, "log_q": log_q}


def train_runtime(runs: pd.DataFrame, ec2: pd.DataFrame, progress: Any = None) -> RuntimeModel:
    """Evaluate leave-one-group-out, then fit on every run with the evaluated intervals."""
    runs = attach_specs(runs, ec2)
    ev = evaluate_lowo(runs, progress)
    model = fit_runtime_model(runs, ev["log_q"])
    model.metrics = ev["metrics"]
    return model
