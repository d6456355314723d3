"""perf_index evaluated by processor, with its naive baseline, and against a second benchmark.

* **Groups.** A processor group is generation x manufacturer x architecture (``7|AMD|x86_64``):
  types of different families on the same processor are held out together, so the model is
  scored on processors it has not seen (by family alone, a c7a row would be predicted from
  m7a rows on the same chip).  The untouched test groups come from :mod:`.splits`; the
  development groups are scored leave-one-group-out.
* **Baseline.** vCPUs x the median per-vCPU perf_index of the type's architecture in the
  training rows.
* **Second benchmark.** sysbench CPU (multi-thread events/s) and Geekbench 6 multi-core on
  54 xlarge types (Atom-oh/aws-ec2-benchmark, 2026; PROVENANCE.md): Spearman of the
  catalog's perf_index (measured where measured, the model elsewhere) and of the baseline.
* **Burstable.** :func:`sustained_perf_index` is the capacity a T-type sustains without
  credits: perf_index x the baseline utilization per vCPU (AWS EC2 User Guide, "Key concepts
  for burstable performance instances"; catalog columns ``baseline_pct_per_vcpu`` and
  ``sustained_perf_index``, the latter computed once by the catalog build).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from catalog.merge import sustained_perf
from recommender.models.features import PERF_COLUMNS, parse_family, perf_features
from recommender.models.perf import measured_rows, perf_regressor
from recommender.models.splits import test_groups

ATOMOH = Path("training/ec2_atomoh_xlarge_benchmarks_2026")


def processor_group(ec2: pd.DataFrame) -> pd.Series:
    """``generation|manufacturer|arch`` of each row."""
    gen = ec2["family"].astype(str).map(lambda f: parse_family(f)[1])
    manu = ec2["processor_manufacturer"].fillna("?").astype(str)
    return (gen.map(lambda g: "?" if np.isnan(g) else str(int(g))) + "|" + manu + "|"
            + ec2["arch"].astype(str))


def sustained_perf_index(ec2: pd.DataFrame) -> pd.Series:
    """perf_index a burstable type sustains at its baseline (equal to perf_index otherwise).

    The catalog's ``sustained_perf_index`` column (computed once by the build from the same
    two columns) is read when the table has it; a table without it (a reader's output, an
    older snapshot) gets it from the build's own :func:`catalog.merge.sustained_perf`.
    """
    if "sustained_perf_index" not in ec2:
        ec2 = sustained_perf(ec2)
    return pd.to_numeric(ec2["sustained_perf_index"], errors="coerce")


def _baseline(train: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    per = (train["perf_index"] / train["vcpus"]).groupby(train["arch"]).median()
    overall = float((train["perf_index"] / train["vcpus"]).median())
    vcpus = rows["vcpus"].to_numpy(float)
    return np.asarray(vcpus * rows["arch"].map(per).fillna(overall).to_numpy(float), dtype=float)


def _fit_predict(train: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    x = perf_features(train)[list(PERF_COLUMNS)].to_numpy()
    reg = perf_regressor().fit(x, np.log(train["perf_index"].to_numpy(float)))
    return np.asarray(
        np.exp(reg.predict(perf_features(rows)[list(PERF_COLUMNS)].to_numpy())), dtype=float
    )


def _scores(true: np.ndarray, pred: np.ndarray, base: np.ndarray) -> dict[str, float]:
    from scipy.stats import spearmanr

    ape = np.abs(pred / true - 1)
    return {
        "n_types": int(len(true)),
        "mape_pct": float(np.mean(ape) * 100),
        "median_ape_pct": float(np.median(ape) * 100),
        "baseline_mape_pct": float(np.mean(np.abs(base / true - 1)) * 100),
        "spearman": float(spearmanr(true, pred).statistic),
        "baseline_spearman": float(spearmanr(true, base).statistic),
    }


def _per_group_mape(true: np.ndarray, pred: np.ndarray, grp: np.ndarray) -> dict[str, float]:
    ape = pd.Series(np.abs(pred / true - 1) * 100)
    return {str(k): float(v) for k, v in ape.groupby(grp).mean().items()}


def _coverage(true: np.ndarray, pred: np.ndarray, q: tuple[float, float]) -> float:
    r = np.log(true) - np.log(pred)
    return float(np.mean((r >= q[0]) & (r <= q[1])))


def evaluate_by_processor(ec2: pd.DataFrame, n_jobs: int = -1) -> dict[str, Any]:
    """Development leave-one-processor-out and untouched-test figures, baseline beside each.

    The 90 % interval is split-conformal on the development groups' held-out log residuals
    (each predicted by a model that never saw its processor); its coverage is then measured
    on the untouched test processors, which no quantile has seen.
    """
    from joblib import Parallel, delayed

    from recommender.models.lambda_train import conformal_q

    data = measured_rows(ec2)
    grp = processor_group(data)
    test = test_groups("perf", grp.unique())
    dev_mask = ~grp.isin(test).to_numpy()
    dev = data[dev_mask]
    dev_groups = sorted(grp[dev_mask].unique())

    def fold(g: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        held = (grp == g).to_numpy() & dev_mask
        tr = data[dev_mask & ~held]
        return data[held].index.to_numpy(), _fit_predict(tr, data[held]), _baseline(tr, data[held])

    pred, base = np.full(len(data), np.nan), np.full(len(data), np.nan)
    for idx, p, b in Parallel(n_jobs=n_jobs)(delayed(fold)(g) for g in dev_groups):
        pred[idx], base[idx] = p, b
    true = data["perf_index"].to_numpy(float)
    q = conformal_q(np.log(true[dev_mask]) - np.log(pred[dev_mask]))
    t_rows, t_true = data[~dev_mask], true[~dev_mask]
    t_pred = _fit_predict(dev, t_rows)
    t_base = _baseline(dev, t_rows)
    g_arr = grp.to_numpy()
    return {
        "split": {"test_processor_groups": sorted(test), "n_development_groups": len(dev_groups)},
        "development_leave_one_processor_out": {
            **_scores(true[dev_mask], pred[dev_mask], base[dev_mask]),
            "group_mean_mape_pct": float(np.mean(list(
                _per_group_mape(true[dev_mask], pred[dev_mask], g_arr[dev_mask]).values()))),
            "interval_coverage": _coverage(true[dev_mask], pred[dev_mask], q),
        },
        "test": {
            **_scores(t_true, t_pred, t_base),
            "per_group_mape_pct": _per_group_mape(t_true, t_pred, g_arr[~dev_mask]),
            "per_group_baseline_mape_pct": _per_group_mape(t_true, t_base, g_arr[~dev_mask]),
            "interval_coverage": _coverage(t_true, t_pred, q),
        },
        "interval": {"log_q_low": q[0], "log_q_high": q[1],
                     "calibrated_on": "development leave-one-processor-out residuals"},
    }


def second_benchmark(ec2_filled: pd.DataFrame, data_dir: Path) -> dict[str, Any]:
    """Spearman of perf_index (and of the baseline) with sysbench and Geekbench 6 per type."""
    from scipy.stats import spearmanr

    d = Path(data_dir) / ATOMOH
    sb = pd.read_csv(d / "sysbench_cpu_runs.csv")
    sb = sb[(sb["phase"] == "multi_thread") & sb["log_identical_to_run"].isna()]
    gb = pd.read_csv(d / "geekbench6_scores.csv").drop_duplicates("url")
    refs = {"sysbench_mt": sb.groupby("instance_type")["events_per_sec"].mean(),
            "geekbench6_multi": gb.groupby("instance")["multi_core"].mean()}
    e = ec2_filled.set_index("instance_type")
    train = measured_rows(ec2_filled)
    out: dict[str, Any] = {}
    for name, ref in refs.items():
        types = [t for t in ref.index
                 # perf_index is a float64 column; pandas types a cell as any scalar.
                 if t in e.index and not pd.isna(cast(float, e.at[t, "perf_index"]))]
        rows = e.loc[types].reset_index()
        base = _baseline(train, rows)
        pi = rows["perf_index"].to_numpy(float)
        out[name] = {
            "n_types": len(types),
            "spearman_perf_index": float(spearmanr(ref[types], pi).statistic),
            "spearman_baseline": float(spearmanr(ref[types], base).statistic),
            "n_predicted": int((rows["perf_index_source"] == "predicted").sum()),
        }
    return out
