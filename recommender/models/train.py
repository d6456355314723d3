"""``recommender train``: rebuild every model from ../shared/data, evaluate, write artifacts.

Deterministic (fixed seeds, sorted groups) so rerunning reproduces the committed
artifacts' metrics.  ``python -m recommender.models.train --evaluate`` reruns the
evaluations without writing anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from recommender.models import data as D
from recommender.models.artifacts import DEFAULT_ARTIFACTS_DIR, write_artifacts_atomically

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
MODELS = ("perf", "runtime", "lambda")


def _lambda_prices(data_dir: Path) -> dict[str, Any]:
    """Lambda prices for the evaluation: the catalog's unit_prices, else the facts table."""
    from recommender.models.lambda_mem import LambdaPrices, lambda_unit_prices

    prices: dict[str, Any] = {}
    for arch in ("x86_64", "arm64"):
        try:
            from catalog.store import load_catalog

            prices[arch] = lambda_unit_prices(load_catalog(), arch)
        except Exception:  # no snapshot yet, or no Lambda rows in it: use the cited facts
            per_req, gb_s = D.lambda_fact_prices(data_dir, arch)
            prices[arch] = LambdaPrices(
                per_req, ((0.0, float("inf"), gb_s),), "facts/lambda_facts.csv"
            )
    return prices


def train_models(
    data_dir: Path, only: str | None = None, show_progress: bool = True
) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Fit and evaluate the selected models; returns ``{name: (model, sidecar fields)}``."""
    from recommender.models.features import PERF_COLUMNS
    from recommender.models.lambda_train import train_lambda
    from recommender.models.perf import measured_rows, train_perf
    from recommender.models.runtime_train import CORRECTION_FEATURES, train_runtime

    data_dir = Path(data_dir)
    names = [only] if only else list(MODELS)
    ec2, prices = D.load_ec2_tables(data_dir)
    out: dict[str, tuple[Any, dict[str, Any]]] = {}
    n_steps = {
        "perf": int(measured_rows(ec2)["family"].nunique()) if "perf" in names else 0,
        "runtime": 8 if "runtime" in names else 0,
    }
    bar = tqdm(
        total=sum(n_steps.values()), desc="train", disable=not show_progress, file=sys.stderr
    )
    try:
        if "perf" in names:
            bar.set_description("perf (leave one family out)")
            model = train_perf(ec2, bar)
            out["perf"] = (
                model,
                {
                    "features": list(PERF_COLUMNS),
                    "target": "log(perf_index), m5.large = 1",
                    "metrics": model.metrics,
                    "training_data": D.data_hashes(data_dir, "perf"),
                    "ec2_table": D.ec2_table_source(data_dir),
                    "evaluation": "leave-one-family-out over the catalog's measured rows",
                },
            )
        if "runtime" in names:
            bar.set_description("runtime (leave one group out)")
            runs = D.load_workload_runs(data_dir, prices)
            model = train_runtime(runs, ec2, bar)
            out["runtime"] = (
                model,
                {
                    "features": list(CORRECTION_FEATURES),
                    "target": "log(T / T_physics)",
                    "metrics": model.metrics,
                    "training_data": D.data_hashes(data_dir, "runtime"),
                    "ec2_table": D.ec2_table_source(data_dir),
                    "evaluation": "leave-one-workload-group-out, two fixed reference configs",
                    "priors": {
                        "prior_x_half": model.prior_x_half,
                        "zero_shot_s_per_gib_cap": model.zero_shot_s_per_gib_cap,
                        "zero_shot_serial_s": model.zero_shot_serial_s,
                    },
                },
            )
        if "lambda" in names:
            bar.set_description("lambda (leave one runtime/arch out)")
            model = train_lambda(D.load_lambda_runs(data_dir), _lambda_prices(data_dir))
            out["lambda"] = (
                model,
                {
                    "features": ["memory_mb", "duration_ms"],
                    "target": "duration_ms",
                    "metrics": model.metrics,
                    "training_data": D.data_hashes(data_dir, "lambda"),
                    "evaluation": "leave-one-runtime/arch-out, one revealed memory size",
                },
            )
    finally:
        bar.close()
    return out


def headline(name: str, metrics: dict[str, Any]) -> str:
    """One line of the figures the issue asks for."""
    if name == "perf":
        return (
            f"perf: leave-one-family-out over {metrics['n_rows']} types / "
            f"{metrics['n_families']} families: Spearman {metrics['spearman']:.4f} "
            f"(per vCPU {metrics['spearman_per_vcpu']:.3f}), MAPE {metrics['mape_pct']:.2f}%"
        )
    if name == "runtime":
        lines = []
        for src in ("bbo", "c3o"):
            m, b = (
                metrics.get(f"{src}:two_refs", {}),
                metrics.get(f"{src}:baseline_best_config_of_others", {}),
            )
            if m:
                lines.append(
                    f"runtime {src} ({m['n_workloads']} workloads, 2 refs): median regret "
                    f"{m['median_regret_pct']:.1f}%, within 10% {m['share_within_10pct']:.0%}, "
                    f"MAPE {m['runtime_mape_pct']:.1f}% | baseline median regret "
                    f"{b.get('median_regret_pct', float('nan')):.1f}%"
                )
        return "\n".join(lines)
    m = metrics["reveal_512"]
    return (
        f"lambda: reveal 512 MB, MAPE {m['mape_pct']:.1f}%, cost-optimal picked "
        f"{m['cost_optimal_picked_share']:.0%} ({m['n_cases']} runtime/arch held out); "
        f"any revealed size MAPE {metrics['reveal_any']['mape_pct']:.1f}%"
    )


def run(
    data_dir: Path,
    out_dir: Path | None,
    only: str | None,
    evaluate: bool,
    show_progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """Train (and write unless ``evaluate``); returns the metrics per model."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        from recommender.core.errors import UserError

        raise UserError(f"training data dir {data_dir} not found (pass --data-dir)")
    items = train_models(data_dir, only, show_progress)
    if not evaluate:
        write_artifacts_atomically(items, Path(out_dir or DEFAULT_ARTIFACTS_DIR))
    return {name: side["metrics"] for name, (_, side) in items.items()}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``train`` options to ``p`` (shared by ``recommender train`` and ``-m``)."""
    p.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="the shared data folder (default: ../shared/data)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_ARTIFACTS_DIR,
        help="artifact directory (default: recommender/artifacts)",
    )
    p.add_argument("--only", choices=MODELS, help="train one model only")
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="rerun the evaluations and print them; write nothing",
    )
    p.add_argument("--json", action="store_true", help="print all metrics as JSON")


def main_from_args(args: argparse.Namespace) -> int:
    """Train (or only evaluate) as ``args`` say and print the metrics; returns the exit code."""
    metrics = run(args.data_dir, args.out, args.only, args.evaluate)
    if args.json:
        sys.stdout.write(json.dumps(metrics, indent=2, sort_keys=True, default=float) + "\n")
    else:
        for name, m in metrics.items():
            sys.stdout.write(headline(name, m) + "\n")
        if not args.evaluate:
            sys.stdout.write(f"artifacts written to {args.out}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m recommender.models.train`` entry point."""
    parser = argparse.ArgumentParser(prog="python -m recommender.models.train")
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
