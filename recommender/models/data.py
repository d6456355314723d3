"""Readers of the training measurements under ``../shared/data`` (see PROVENANCE.md).

Only ``recommender train`` and the evaluations use this module; inference needs the catalog
and the committed artifacts only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from foundation.integrity import sha256_file

BBO = Path("training/workload_runs/bbo_arena_ds2_spark_runs.csv")
C3O_ALGOS = ("grep", "kmeans", "pagerank", "sgd", "sort")
LAMBDA_RUNS = Path("training/lambda/lambda_s3_write_benchmark_runs.csv")
LAMBDA_FACTS = Path("facts/lambda_facts.csv")
PRICE_REGION = "us-east-1"
#: Columns of c3o files that describe the cluster or the outcome, not the job.
_C3O_CLUSTER = ("instance_count", "machine_type", "slots", "memory", "gross_runtime")


def c3o_path(algo: str) -> Path:
    """Path (under the data dir) of the c3o EMR runs of one algorithm."""
    return Path(f"training/workload_runs/c3o_emr_{algo}.tsv")


def training_files(data_dir: Path, only: str | None = None) -> list[Path]:
    """Relative paths of the training files a model (or all models) reads."""
    runtime = [BBO, *(c3o_path(a) for a in C3O_ALGOS)]
    perf = [
        Path("ec2/moto-5.2.5_instance_types.json.gz"),
        Path("ec2/ec2instances.info_benchmarks_manually_fetched_data.json"),
    ]
    from recommender.models.lambda_data import FILES as LAMBDA_FILES

    by_model = {"perf": perf, "runtime": runtime, "lambda": [*LAMBDA_FILES, LAMBDA_FACTS]}
    if only:
        return by_model[only]
    return [p for files in by_model.values() for p in files]


def data_hashes(data_dir: Path, only: str) -> dict[str, str]:
    """sha256 of each training file of a model, keyed by its path under the data dir."""
    return {str(p): sha256_file(Path(data_dir) / p) for p in training_files(data_dir, only)}


def load_ec2_tables(data_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The catalog's ``ec2`` and ``ec2_prices`` tables.

    The committed snapshot when it exists; otherwise the same tables built in memory from
    the source files under ``data_dir`` by the catalog's own reader (so training never
    depends on a half-built snapshot).
    """
    from catalog.store import DEFAULT_SNAPSHOT_DIR, MANIFEST_NAME, load_catalog

    if (DEFAULT_SNAPSHOT_DIR / MANIFEST_NAME).exists():
        cat = load_catalog()
        return cat.ec2, cat.ec2_prices
    if data_dir is None:
        raise FileNotFoundError("no catalog snapshot and no data dir to build the ec2 table from")
    from catalog.sources.ec2 import read_ec2

    tables = read_ec2(Path(data_dir)).tables
    return tables["ec2"], tables["ec2_prices"]


def ec2_table_source(data_dir: Path | None = None) -> dict[str, str]:
    """Where :func:`load_ec2_tables` reads from, for the sidecars (version and hash)."""
    from catalog.store import DEFAULT_SNAPSHOT_DIR, MANIFEST_NAME, read_manifest

    if (DEFAULT_SNAPSHOT_DIR / MANIFEST_NAME).exists():
        manifest = read_manifest()
        return {
            "table": "catalog snapshot ec2 / ec2_prices",
            "catalog_version": str(manifest.get("catalog_version")),
            "ec2.parquet_sha256": str(
                manifest.get("files", {}).get("ec2.parquet", {}).get("sha256")
            ),
        }
    return {"table": f"catalog.sources.ec2.read_ec2({data_dir}) (no snapshot)"}


def _us_east_prices(ec2_prices: pd.DataFrame) -> pd.Series:
    p = ec2_prices[ec2_prices["region"] == PRICE_REGION]
    return p.set_index("instance_type")["ondemand_usd_per_hour"].astype(float)


def load_workload_runs(data_dir: Path, ec2_prices: pd.DataFrame) -> pd.DataFrame:
    """Measured Spark runs, one row per (workload, instance type, node count).

    Columns: ``source`` (bbo | c3o), ``group`` (application / algorithm: the unit held out
    in evaluation), ``workload_id``, ``instance_type``, ``nodes``, ``runtime_s`` (median of
    repeats), ``failed``, ``price_usd_per_hour`` (bbo: the price implied by its own cost
    column; c3o: the catalog's us-east-1 on-demand price), ``input_gib`` (NaN when unknown).
    """
    data_dir = Path(data_dir)
    bbo = pd.read_csv(data_dir / BBO)
    failed = bbo["failed_penalized"].astype(str).str.lower() == "true"
    frames = [
        pd.DataFrame(
            {
                "source": "bbo",
                "group": "bbo_" + bbo["application"].astype(str),
                "workload_id": bbo["workload_id"].astype(str),
                "instance_type": bbo["vm_type"].astype(str),
                "nodes": bbo["num_nodes"].astype(int),
                "runtime_s": bbo["runtime_s"].astype(float),
                "failed": failed.to_numpy(),
                "price_usd_per_hour": bbo["price_per_node_hour_usd"].astype(float),
                "input_gib": np.nan,
            }
        )
    ]
    prices = _us_east_prices(ec2_prices)
    for algo in C3O_ALGOS:
        t = pd.read_csv(data_dir / c3o_path(algo), sep="\t")
        params = [c for c in t.columns if c not in _C3O_CLUSTER]
        wid = "c3o_" + algo + "_" + t[params].astype(str).agg("_".join, axis=1)
        df = pd.DataFrame(
            {
                "workload_id": wid,
                "instance_type": t["machine_type"].astype(str),
                "nodes": t["instance_count"].astype(int),
                "runtime_s": t["gross_runtime"].astype(float),
                "input_gib": t["data_size_MB"].astype(float) / 1024.0,
            }
        )
        df = df.groupby(["workload_id", "instance_type", "nodes"], as_index=False).median()
        df["source"] = "c3o"
        df["group"] = "c3o_" + algo
        df["failed"] = False
        df["price_usd_per_hour"] = df["instance_type"].map(prices)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["workload_id", "instance_type", "nodes"], ignore_index=True)


def load_c3o_repeats(data_dir: Path) -> pd.DataFrame:
    """Every c3o run unaggregated (about 5 repeats per configuration): run-to-run noise."""
    frames = []
    for algo in C3O_ALGOS:
        t = pd.read_csv(Path(data_dir) / c3o_path(algo), sep="\t")
        params = [c for c in t.columns if c not in _C3O_CLUSTER]
        frames.append(pd.DataFrame({
            "workload_id": "c3o_" + algo + "_" + t[params].astype(str).agg("_".join, axis=1),
            "instance_type": t["machine_type"].astype(str),
            "nodes": t["instance_count"].astype(int),
            "runtime_s": t["gross_runtime"].astype(float),
        }))
    return pd.concat(frames, ignore_index=True)


def load_lambda_runs(data_dir: Path) -> pd.DataFrame:
    """Lambda runs aggregated to the median per (runtime, arch, memory)."""
    runs = pd.read_csv(Path(data_dir) / LAMBDA_RUNS)
    agg = runs.groupby(["runtime", "arch", "memory_mb"], as_index=False).agg(
        duration_ms=("duration_ms", "median"),
        billed_duration_ms=("billed_duration_ms", "median"),
        max_memory_used_mb=("max_memory_used_mb", "max"),
    )
    return agg


def lambda_fact_prices(data_dir: Path, arch: str) -> tuple[float, float]:
    """(USD per request, USD per GB-second first tier) for us-east-1 from the facts table.

    Used by the evaluation only when the catalog snapshot has no ``unit_prices`` rows.
    """
    facts = pd.read_csv(Path(data_dir) / LAMBDA_FACTS)
    sel = facts[(facts["architecture"] == arch) & (facts["region"] == PRICE_REGION)]
    per_req = sel.loc[sel["fact"] == "request_price", "value"].astype(float).iloc[0] / 1e6
    gb_s = sel.loc[sel["fact"] == "duration_price_tier1", "value"].astype(float).iloc[0]
    return float(per_req), float(gb_s)
