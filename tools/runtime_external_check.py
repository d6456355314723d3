"""An external check of the job-runtime model on measurements it was never trained or tuned on.

Data: ``../shared/data/training/spark_tpcds_eks_graviton_dataoneks/`` (PROVENANCE.md), the
data-on-eks Spark 3.5.3 TPC-DS 1 TB runs on EKS: 6 x r6g/r7g/r8g.12xlarge, and the native
Spark baseline of the Gluten study on 8 x c5d.12xlarge.  A job's runtime is the sum of its
104 per-query median times (the page's own figure, three iterations).  None of these rows is
read by ``recommender train``; no setting of the model was chosen on them.  The script was
written and run once, after the model was trained; its figures go to docs/models.md.

Cases: one reference (6 x r6g.12xlarge measured) and two references (6 x r6g and 6 x
r7g.12xlarge measured), each predicting the other configurations.  Baselines beside the model:
``same``, the runtime of the nearest measured configuration unchanged (the user's guess without
a model), and ``perf ratio``, that runtime scaled by the clusters' perf_index ratio (all the
time scales with CPU capacity).

Run: ``python3 tools/runtime_external_check.py [--data-dir ../shared/data]``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

TPCDS = Path("training/spark_tpcds_eks_graviton_dataoneks")
#: (instance type, nodes, file): the four measured clusters.
CLUSTERS = (
    ("r6g.12xlarge", 6, "r6g.12xlarge-TPCDS-1T.csv"),
    ("r7g.12xlarge", 6, "r7g.12xlarge-TPCDS-1T.csv"),
    ("r8g.12xlarge", 6, "r8g.12xlarge-TPCDS-1T.csv"),
    ("c5d.12xlarge", 8, "spark-TPCDS-benchamark-result.csv"),
)
CASES = {"one reference": ("r6g.12xlarge",), "two references": ("r6g.12xlarge", "r7g.12xlarge")}


def measured_runtimes(data_dir: Path) -> dict[str, tuple[int, float]]:
    """``{instance type: (nodes, seconds)}``: the sum of the 104 queries' median times."""
    out = {}
    for itype, nodes, name in CLUSTERS:
        with (data_dir / TPCDS / name).open(newline="") as fh:
            rows = [r for r in csv.reader(fh) if r]
        if len(rows) != 104:
            raise SystemExit(f"{name}: {len(rows)} queries, expected 104 (PROVENANCE.md)")
        out[itype] = (nodes, sum(float(r[1]) for r in rows))
    return out


def _request(runs: dict[str, tuple[int, float]], refs: tuple[str, ...]) -> dict[str, Any]:
    return {
        "job": {"framework": "spark", "application": "tpcds", "input_gib": 1024},
        "measurements": [{"instance_type": t, "count": runs[t][0], "runtime_s": runs[t][1]}
                         for t in refs],
        "candidates": [{"instance_type": t, "count": n} for t, (n, _) in runs.items()],
        "objective": "cost", "region": "us-east-1",
    }


def check(data_dir: Path, runs: dict[str, tuple[int, float]] | None = None
          ) -> list[dict[str, Any]]:
    """One row per (case, predicted configuration): measured, model and baseline errors."""
    from catalog.store import load_catalog
    from recommender.models.endpoints import predict_runtime

    runs = runs or measured_runtimes(data_dir)
    perf = load_catalog().ec2.set_index("instance_type")["perf_index"]
    cap = {t: n * float(perf[t]) for t, (n, _) in runs.items()}  # cluster capacity
    rows = []
    for case, refs in CASES.items():
        answer = predict_runtime(_request(runs, refs))
        # Measured cost of each configuration at the catalog's price the answer used.
        cost = {p.instance_type: p.count * p.price_usd_per_hour * runs[p.instance_type][1] / 3600
                for p in answer.predictions}
        best = answer.best.instance_type if answer.best else None
        regret = cost[best] / min(cost.values()) - 1 if best else float("nan")
        for p in answer.predictions:
            if p.measured:
                continue
            meas = runs[p.instance_type][1]
            # The nearest measured configuration by cluster capacity (log distance).
            near = min(refs, key=lambda r: abs(cap[r] / cap[p.instance_type] - 1))
            same = runs[near][1]
            rows.append({
                "case": case, "config": f"{p.count} x {p.instance_type}", "measured_s": meas,
                "model_s": p.runtime_s, "low_s": p.runtime_s_low, "high_s": p.runtime_s_high,
                "same_s": same, "perf_ratio_s": same * cap[near] / cap[p.instance_type],
                "best": best, "pick_regret": regret,
                "optimum": min(cost, key=lambda k: cost[k]),
            })
    return rows


def _print(rows: list[dict[str, Any]], runs: dict[str, tuple[int, float]]) -> None:
    print("measured (s):", {t: round(s, 1) for t, (_, s) in runs.items()})
    print(f"{'case':15} {'config':17} {'meas':>7} {'model':>7} {'err':>6} {'90% interval':>14} "
          f"{'same':>6} {'perf':>6}")
    for r in rows:
        e = {k: 100 * (r[k] / r["measured_s"] - 1) for k in ("model_s", "same_s", "perf_ratio_s")}
        print(f"{r['case']:15} {r['config']:17} {r['measured_s']:7.0f} {r['model_s']:7.0f} "
              f"{e['model_s']:+5.1f}% {r['low_s']:6.0f}-{r['high_s']:<7.0f} "
              f"{e['same_s']:+5.1f}% {e['perf_ratio_s']:+5.1f}%")
    for case in CASES:
        sub = [r for r in rows if r["case"] == case]
        mape = {k: sum(abs(r[k] / r["measured_s"] - 1) for r in sub) / len(sub) * 100
                for k in ("model_s", "same_s", "perf_ratio_s")}
        print(f"{case}: MAPE model {mape['model_s']:.1f} %, same {mape['same_s']:.1f} %, "
              f"perf ratio {mape['perf_ratio_s']:.1f} %; pick {sub[0]['best']} (measured "
              f"cost regret {sub[0]['pick_regret']:.1%}; cheapest measured "
              f"{sub[0]['optimum']})")


def main() -> None:
    """Print the table of :func:`check`."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    runs = measured_runtimes(args.data_dir)
    _print(check(args.data_dir, runs), runs)


if __name__ == "__main__":
    main()
