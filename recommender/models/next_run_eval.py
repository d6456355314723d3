"""Simulated benchmarking campaigns: regret after 2, 3, 4 and 6 runs (issue 10).

Each workload of the training sets starts from its two reference runs; then, run by run,
the configuration with the largest expected improvement (:func:`.next_run.plan_next`) is
"measured" (its real runtime revealed).  Regret after ``k`` runs is the real cost of the
cheapest successful run so far over the workload's real optimum, minus 1.  A run that
failed in reality is revealed as failed: it is excluded, and clusters with no more memory
are predicted to fail.  Beside it: the same start followed by configurations in random
order (mean over 20 seeds).  Models are honest: a development group is planned by a model
fitted on the other development groups, a test group by the model of all development
groups.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.models.next_run_plan import plan_next
from recommender.models.runtime import RuntimeModel
from recommender.models.runtime_index import memory_failures
from recommender.models.runtime_priors import _rows_at, reference_configs
from recommender.models.runtime_train import _true_cost, fit_runtime_model
from recommender.models.splits import test_groups

RUN_COUNTS = (2, 3, 4, 6)
N_RANDOM = 20


def _best_regret(cost: np.ndarray, ok: np.ndarray, seen: list[int]) -> float:
    good = [i for i in seen if ok[i]]
    if not good:
        return float(cost[ok].max() / cost[ok].min() - 1)  # nothing completed: worst
    return float(cost[good].min() / cost[ok].min() - 1)


def _campaign(model: RuntimeModel, wl: pd.DataFrame, start: list[int], runs: int) -> list[float]:
    """Regret after each run count 2..``runs`` following expected improvement."""
    cost, ok = _true_cost(wl), ~wl["failed"].to_numpy(bool)
    price_n = wl["nodes"].to_numpy(float) * wl["price_usd_per_hour"].to_numpy(float) / 3600
    gib = wl["input_gib"].iloc[0]
    seen = list(start)
    out = [_best_regret(cost, ok, seen)]
    while len(seen) < runs:
        good = [i for i in seen if ok[i]]
        bad = [i for i in seen if not ok[i]]
        if not good:
            break
        pred = model.predict_frame(wl, wl.iloc[good], float(gib) if gib > 0 else None)
        val = pred[["runtime_s", "runtime_s_low", "runtime_s_high"]].to_numpy(float)
        val = val * price_n[:, None]
        measured = np.isin(np.arange(len(wl)), seen)
        excluded = memory_failures(wl, wl.iloc[bad], None) & ~measured
        excluded |= measured & ~ok
        plan = plan_next(val[:, 0], val[:, 1], val[:, 2], measured, excluded, plan_runs=1)
        if plan.pick is None:
            break
        seen.append(plan.pick)
        out.append(_best_regret(cost, ok, seen))
    return out + [out[-1]] * (runs - 1 - len(out))


def _random(wl: pd.DataFrame, start: list[int], runs: int, seed: int) -> list[float]:
    cost, ok = _true_cost(wl), ~wl["failed"].to_numpy(bool)
    rest = np.random.default_rng(seed).permutation(
        [i for i in range(len(wl)) if i not in start]).tolist()
    seen = list(start)
    out = [_best_regret(cost, ok, seen)]
    for i in rest[: runs - len(start)]:
        seen.append(int(i))
        out.append(_best_regret(cost, ok, seen))
    return out + [out[-1]] * (runs - 1 - len(out))


def _group(model: RuntimeModel, held: pd.DataFrame) -> list[dict[str, Any]]:
    recs = []
    for wid, wl in held.groupby("workload_id", sort=True):
        wl = wl.reset_index(drop=True)
        refs = _rows_at(wl, reference_configs(wl))
        if len(refs) < 2 or refs["failed"].any() or len(wl) <= 2:
            continue
        start = refs.index.tolist()
        runs = max(RUN_COUNTS)
        ei = _campaign(model, wl, start, runs)
        rnd = np.mean([_random(wl, start, runs, s) for s in range(N_RANDOM)], axis=0)
        recs.append({"workload": wid, "source": wl["source"].iloc[0], "n_configs": len(wl),
                     "ei": ei, "random": rnd.tolist()})
    return recs


def simulate(runs: pd.DataFrame, n_jobs: int = -1) -> list[dict[str, Any]]:
    """Per-workload regret curves (index 0 = 2 runs) for expected improvement and random."""
    from joblib import Parallel, delayed

    groups = sorted(runs["group"].unique())
    test = test_groups("runtime", groups)
    dev = [g for g in groups if g not in test]

    def one(held: list[str]) -> list[list[dict[str, Any]]]:
        # Every test group's model is the same fit (all development groups): fitted once.
        model = fit_runtime_model(runs[runs["group"].isin(dev) & ~runs["group"].isin(held)])
        return [_group(model, runs[runs["group"] == g]) for g in held]

    jobs = [[g] for g in dev] + ([sorted(test)] if test else [])
    done = Parallel(n_jobs=n_jobs)(delayed(one)(held) for held in jobs)
    by_group = {g: recs for held, got in zip(jobs, done, strict=True)
                for g, recs in zip(held, got, strict=True)}
    parts = [by_group[g] for g in groups]
    return [{**r, "split": "test" if r["workload"] in set(
        runs.loc[runs["group"].isin(test), "workload_id"]) else "development"}
        for p in parts for r in p]


def summarize(recs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median regret, share at the optimum and within 10 % after 2, 3, 4, 6 runs."""
    out: dict[str, Any] = {}
    for src in sorted({r["source"] for r in recs}):
        rs = [r for r in recs if r["source"] == src]
        row: dict[str, Any] = {"n_workloads": len(rs),
                               "median_configs": float(np.median([r["n_configs"] for r in rs]))}
        for k in RUN_COUNTS:
            for how in ("ei", "random"):
                reg = np.array([r[how][k - 2] for r in rs])
                row[f"{how}_{k}_runs"] = {
                    "median_regret_pct": float(np.median(reg) * 100),
                    "mean_regret_pct": float(np.mean(reg) * 100),
                    "share_at_optimum": float(np.mean(reg <= 1e-9)),
                    "share_within_10pct": float(np.mean(reg <= 0.10)),
                }
        out[src] = row
    return out


def plot(summary: dict[str, Any], path: Any) -> None:
    """Median regret vs number of runs, expected improvement vs random, per source."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    for src, row in summary.items():
        for how, style in (("ei", "-o"), ("random", "--s")):
            ys = [row[f"{how}_{k}_runs"]["mean_regret_pct"] for k in RUN_COUNTS]
            label = f"{src}: {'expected improvement' if how == 'ei' else 'random'}"
            ax.plot(RUN_COUNTS, ys, style, label=label)
    ax.set_xlabel("runs measured (2 references + next runs)")
    ax.set_ylabel("mean cost regret (%)")
    ax.set_title("Simulated next-run campaigns on the training sets")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
