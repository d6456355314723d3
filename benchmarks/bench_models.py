"""Model benchmarks: artifact verification + load, and prediction latency.

Run on demand (not part of the test suite)::

    python benchmarks/bench_models.py [--repeat 5]

Reports the cold ``load_models`` time (sidecar read, sha256, version check, joblib.load),
``fill_perf_index`` over the whole catalog ``ec2`` table, ``predict_runtime`` with the
default candidate set (every current-generation m/c/r type, large..4xlarge, 1..64 nodes)
and with three candidates, and ``predict_lambda_memory`` over the default memory grid.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from catalog.store import load_catalog
    from recommender.models.artifacts import load_models
    from recommender.models.endpoints import predict_lambda_memory, predict_runtime
    from recommender.models.perf import fill_perf_index

    def cold_load() -> Any:
        load_models.cache_clear()
        return load_models()

    t_load, bundle = _time(cold_load, args.repeat)
    catalog = load_catalog()
    print(f"load_models (cold, verified)       {t_load * 1e3:8.1f} ms  ({bundle.version})")
    ec2 = catalog.ec2.assign(perf_index_source="missing")
    t, _ = _time(lambda: fill_perf_index(ec2, bundle.perf), args.repeat)
    print(f"fill_perf_index ({len(ec2)} rows)       {t * 1e3:8.1f} ms")
    meas = [{"instance_type": "m5.xlarge", "count": 8, "runtime_s": 600.0}]
    t, out = _time(lambda: predict_runtime({"measurements": meas}, catalog, bundle), args.repeat)
    print(f"predict_runtime default candidates {t * 1e3:8.1f} ms  ({len(out.predictions)} configs)")
    few = {
        "measurements": meas,
        "candidates": [
            {"instance_type": x, "count": 4} for x in ("m4.xlarge", "c7i.2xlarge", "r7g.xlarge")
        ],
    }
    t, _ = _time(lambda: predict_runtime(few, catalog, bundle), args.repeat)
    print(f"predict_runtime 3 candidates       {t * 1e3:8.1f} ms")
    fn = {"measurements": [{"memory_mb": 512, "duration_ms": 900.0, "max_memory_used_mb": 90}]}
    t, out = _time(lambda: predict_lambda_memory(fn, catalog, bundle), args.repeat)
    print(f"predict_lambda_memory              {t * 1e3:8.1f} ms  ({len(out.predictions)} sizes)")


if __name__ == "__main__":
    main()
