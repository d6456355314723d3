"""Readers of the Lambda memory sweeps under ``../shared/data/training`` (see PROVENANCE.md).

Every source becomes rows of one shape: ``group`` (the application: the unit held out in
evaluation and in the untouched test split), ``function`` (one measured memory curve: an
application on one runtime, architecture, start type, package...), ``arch``, ``memory_mb``,
``duration_ms``, ``billed_duration_ms`` (NaN when not reported), ``max_memory_used_mb``
(NaN when not reported) and ``kind`` (what the function waits on, as its user would declare
it: :data:`KINDS`).  Only training and evaluation use this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

S3WRITE = Path("training/lambda/lambda_s3_write_benchmark_runs.csv")
CEBERT = Path("training/lambda_cebert_arm_x86_2025/lambda_cebert_aggregates.csv")
PACSLAB = Path("training/lambda_pacslab_cold_start_2022/pacslab_lambda_invocations.csv")
EPSAGON = Path("training/lambda_readme_cpu_tables/epsagon_fibonacci_python27_2018.csv")
JCONNING = Path("training/lambda_readme_cpu_tables/jconning_sieve_python27_2017.csv")
FILES = (S3WRITE, CEBERT, PACSLAB, EPSAGON, JCONNING)
COLUMNS = (
    "group", "function", "arch", "memory_mb", "duration_ms", "billed_duration_ms",
    "max_memory_used_mb", "kind",
)
#: The kinds a request may declare (``LambdaMemoryRequest.kind``).
KINDS = ("cpu_bound", "io_bound", "mixed")
#: Each group's kind from what PROVENANCE.md says the function does (fixed from those
#: descriptions before any figure was looked at, never from the curves): the S3-write
#: benchmark (500 writes + 1 delete) and cebert "light" (a DynamoDB batch write + read)
#: wait on another service; every other group computes (SHA-256 loop, allocate-and-sort,
#: Fibonacci, a sieve, the pacslab Python apps: factorial, "math", OpenCV, TensorFlow,
#: resize, feature, image classifier).  No group is labelled "mixed".
IO_BOUND_GROUPS = ("s3write", "cebert_light")
#: pacslab file-name tokens of one application: the 230-249 MB image-classifier variants
#: (PROVENANCE: package-size variants of one app) are one group, so none of them can sit
#: on both sides of a split.
_PACSLAB_CLASSIFIER = ("230", "236", "241", "245", "249", "(none")


def _s3write(data_dir: Path) -> pd.DataFrame:
    runs = pd.read_csv(data_dir / S3WRITE)
    agg = runs.groupby(["runtime", "arch", "memory_mb"], as_index=False).agg(
        duration_ms=("duration_ms", "median"),
        billed_duration_ms=("billed_duration_ms", "median"),
        max_memory_used_mb=("max_memory_used_mb", "max"),
    )
    agg["group"] = "s3write"
    agg["function"] = "s3write|" + agg["runtime"] + "|" + agg["arch"]
    return agg


def _cebert(data_dir: Path) -> pd.DataFrame:
    d = pd.read_csv(data_dir / CEBERT)
    # PROVENANCE: the Rust cpu-intensive November numbers predate its optimised build.
    d = d[~((d["runtime"] == "rust") & (d["workload"] == "cpu-intensive")
            & (d["run"] == "november-2025"))]
    return pd.DataFrame({
        "group": "cebert_" + d["workload"],
        "function": "cebert|" + d[["workload", "runtime", "arch", "start_type", "run"]]
        .astype(str).agg("|".join, axis=1),
        "arch": d["arch"], "memory_mb": d["memory_mb"], "duration_ms": d["duration_mean_ms"],
        "billed_duration_ms": np.nan, "max_memory_used_mb": np.nan,
    })


def _pacslab_app(token: str) -> str:
    return "classifier" if token.startswith(_PACSLAB_CLASSIFIER) else token


def _pacslab(data_dir: Path) -> pd.DataFrame:
    d = pd.read_csv(data_dir / PACSLAB)
    d["app"] = d["app_token"].astype(str).map(_pacslab_app)
    keys = ["app", "app_token", "package_type", "source_dir", "memory_mb"]
    agg = d.groupby(keys, as_index=False).agg(
        duration_ms=("duration_ms", "median"), billed_duration_ms=("billed_duration_ms", "median")
    )
    agg["group"] = "pacslab_" + agg["app"]
    agg["function"] = "pacslab|" + agg[["app_token", "package_type", "source_dir"]].astype(
        str).agg("|".join, axis=1)
    agg["arch"] = "x86_64"  # the 2022 study ran on x86_64 (arm64 is not in its file names)
    agg["max_memory_used_mb"] = np.nan
    return agg


def _readme_tables(data_dir: Path) -> pd.DataFrame:
    e = pd.read_csv(data_dir / EPSAGON)
    j = pd.read_csv(data_dir / JCONNING)
    j = j[j["statistic"] == "mean over executions"]
    return pd.concat([
        pd.DataFrame({"group": "epsagon_fibonacci", "function": "epsagon|fibonacci",
                      "memory_mb": e["memory_mb"], "duration_ms": e["duration_ms_mean"]}),
        pd.DataFrame({"group": "jconning_sieve", "function": "jconning|" + j["experiment"],
                      "memory_mb": j["memory_mb"], "duration_ms": j["duration_s"] * 1000.0}),
    ]).assign(arch="x86_64", billed_duration_ms=np.nan, max_memory_used_mb=np.nan)


def load_lambda_curves(data_dir: Path, min_sizes: int = 3) -> pd.DataFrame:
    """Every measured Lambda memory curve with at least ``min_sizes`` memory sizes."""
    data_dir = Path(data_dir)
    frames = [_s3write(data_dir), _cebert(data_dir), _pacslab(data_dir), _readme_tables(data_dir)]
    out = pd.concat([f[list(COLUMNS[:-1])] for f in frames], ignore_index=True)
    out = out[out["duration_ms"] > 0]
    n = out.groupby("function")["memory_mb"].transform("nunique")
    out = out[n >= min_sizes]
    out["memory_mb"] = out["memory_mb"].astype(int)
    out["kind"] = np.where(out["group"].isin(IO_BOUND_GROUPS), "io_bound", "cpu_bound")
    return out.sort_values(["group", "function", "memory_mb"], ignore_index=True)
