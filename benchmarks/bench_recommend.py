"""Benchmark ``recommend()`` over the full catalog snapshot, warm.

Prints p50/p99 latency over a mixed set of profiles (the golden profiles, the app presets and
generated ones spanning all five categories) and the throughput of a batch of profiles, against
the targets of issue 11: p50 <= 0.5 ms and p99 <= 2 ms.  In the same run it times a plain-numpy
"floor" of the compute selection over the same EC2 rows (the masks for vCPUs, memory,
architecture and a price in the region, then the cheapest three) and prints the ratio of the
engine's compute-only median to that floor (target <= 15x).  The load average is printed: the
machine may be shared.

Usage::

    python benchmarks/bench_recommend.py            # 2,000 timed calls + a 10,000 batch
    python benchmarks/bench_recommend.py --calls 500 --batch 1000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from machine import reference_line  # noqa: E402

from catalog.store import load_catalog  # noqa: E402
from recommender import recommend  # noqa: E402
from recommender.core.profile import parse_profile  # noqa: E402

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "auto"]
TARGET_P50_MS, TARGET_P99_MS, TARGET_FLOOR_RATIO = 0.5, 2.0, 15.0


def generated_profiles(n: int, seed: int = 0) -> list[dict]:
    """Deterministic varied profiles: compute always, other sections by chance."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        vcpus = float(rng.choice([1, 2, 4, 8, 16, 32, 64]))
        prof: dict = {
            "name": f"gen-{i}", "region": str(rng.choice(REGIONS)),
            "objective": str(rng.choice(["cost", "balanced", "performance"])),
            "compute": {"vcpus": vcpus, "memory_gib": vcpus * float(rng.choice([1, 2, 4, 8])),
                        "arch": str(rng.choice(["any", "x86_64", "arm64"]))},
        }
        c = prof["compute"]
        if rng.random() < 0.4:
            c["utilization_series_pct"] = [round(float(x), 1) for x in
                                           np.clip(rng.gamma(2, 10, 288), 0, 100)]
        if rng.random() < 0.3:
            c.update(scale_out="horizontal", max_nodes=int(rng.integers(2, 20)))
        if rng.random() < 0.2:
            c["interruption_tolerant"] = True
        if rng.random() < 0.2:
            c.update(event_driven=True, invocations_per_month=float(rng.integers(1, 100)) * 1e5,
                     duration_ms=float(rng.integers(10, 2000)))
        if rng.random() < 0.5:
            prof["storage"] = {"size_gib": float(rng.integers(10, 5000)),
                               "iops": float(rng.integers(0, 40000)),
                               "access_pattern": str(rng.choice(["random", "sequential"]))}
        if rng.random() < 0.5:
            prof["database"] = {"data_model": str(rng.choice(
                ["relational", "key_value", "analytics", "cache", "search"])),
                "size_gib": float(rng.integers(1, 2000)),
                "reads_per_s": float(rng.integers(0, 20000)),
                "writes_per_s": float(rng.integers(0, 5000))}
        if rng.random() < 0.5:
            prof["network"] = {"user_regions": {"us-east-1": 0.5, "eu-west-1": 0.5},
                               "egress_gib_per_month": float(rng.integers(0, 10000)),
                               "static_content_fraction": float(rng.random())}
        out.append(prof)
    return out


def numpy_floor_ms(profiles: list, cat: object, repeat: int = 3) -> tuple[float, float]:
    """Median ms of the plain-numpy compute selection and of ``recommend()`` on the same
    compute-only profiles (no other sections), for the floor ratio."""
    from recommender.rules.compute.candidates import ec2_index

    ix = ec2_index(cat)
    vcpus, mem = np.asarray(ix.vcpus, float), np.asarray(ix.memory_gib, float)
    arch = np.asarray(ix.arch).astype(str)
    only = [parse_profile({"region": p.region if p.region != "auto" else "us-east-1",
                           "compute": {k: v for k, v in p.compute.model_dump(
                               exclude_none=True).items()
                               if k in ("vcpus", "memory_gib", "arch")}})
            for p in profiles if p.compute is not None]
    floor, engine = [], []
    for p in only * repeat:
        c: Any = p.compute  # (every profile of ``only`` has one)
        need_v = float(getattr(c.vcpus, "min", c.vcpus) or 0)
        need_m = float(getattr(c.memory_gib, "min", c.memory_gib) or 0)
        want = None if c.arch in (None, "any") else str(c.arch)
        region = str(p.region)
        t = time.perf_counter()
        price = ix.ondemand[ix.region_pos[region]]
        ok = (vcpus >= need_v) & (mem >= need_m) & ~np.isnan(price)
        if want is not None:
            ok &= arch == want
        rows = np.flatnonzero(ok)
        rows[np.argsort(price[rows], kind="stable")[:3]]
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        recommend(p, catalog=cat, models=False)
        engine.append(time.perf_counter() - t)
    return float(np.median(floor) * 1e3), float(np.median(engine) * 1e3)


def python_calls_per_call(profiles: list, cat: object, models: object) -> float:
    """Function calls cProfile counts per warm ``recommend()`` over ``profiles``: the figure
    a shared machine cannot disturb (timings move with the load, call counts do not)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for p in profiles:
        recommend(p, catalog=cat, models=models)
    prof.disable()
    stats: Any = pstats.Stats(prof)  # (total_calls is not in the stubs)
    calls: int = stats.total_calls
    return calls / len(profiles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000, help="timed single calls")
    ap.add_argument("--batch", type=int, default=10_000, help="profiles in the batch")
    ap.add_argument("--rules-only", action="store_true",
                    help="do not use the model artifacts (default: load_models() when it works)")
    args = ap.parse_args(argv)
    models = False if args.rules_only else None

    t0 = time.perf_counter()
    cat = load_catalog()
    t_load = time.perf_counter() - t0
    golden = [json.loads(p.read_text()) for p in sorted((REPO / "tests" / "golden").glob(
        "*.profile.json"))]
    try:
        from recommender.presets import get_preset, preset_names
    except ImportError:  # older layout
        from recommender.app.presets import get_preset, preset_names
    golden += [get_preset(n) for n in preset_names()]
    profiles = [parse_profile(p) for p in golden + generated_profiles(200)]
    t0 = time.perf_counter()
    recommend(profiles[0], catalog=cat, models=models)  # builds the per-catalog indexes
    t_first = time.perf_counter() - t0
    for p in profiles:  # warm every path once
        recommend(p, catalog=cat, models=models)

    lat, cpu = np.empty(args.calls), np.empty(args.calls)
    for i in range(args.calls):
        p = profiles[i % len(profiles)]
        t, c = time.perf_counter(), time.process_time()
        recommend(p, catalog=cat, models=models)
        lat[i], cpu[i] = time.perf_counter() - t, time.process_time() - c
    p50, p99 = np.percentile(lat, 50) * 1e3, np.percentile(lat, 99) * 1e3

    batch = generated_profiles(args.batch, seed=1)
    t0 = time.perf_counter()
    for raw in batch:  # dicts: validation is part of the cost, as for the API and the CLI
        recommend(raw, catalog=cat, models=models)
    t_batch = time.perf_counter() - t0

    floor_ms, engine_ms = numpy_floor_ms(profiles, cat)
    calls = python_calls_per_call(profiles, cat, models)
    ratio = engine_ms / floor_ms

    from recommender.core.engine import resolve_models

    bundle = resolve_models(models)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    print(reference_line())
    print(f"models: {getattr(bundle, 'version', 'rules-only')}")
    print(f"catalog load (cold)            {t_load * 1e3:8.1f} ms")
    print(f"first call (builds indexes)    {t_first * 1e3:8.1f} ms")
    print(f"warm latency over {args.calls} calls ({len(profiles)} distinct profiles):")
    print(f"  p50 {p50:7.2f} ms   (target <= {TARGET_P50_MS:g} ms) "
          f"{'PASS' if p50 <= TARGET_P50_MS else 'FAIL'}")
    print(f"  p99 {p99:7.2f} ms   (target <= {TARGET_P99_MS:g} ms) "
          f"{'PASS' if p99 <= TARGET_P99_MS else 'FAIL'}")
    print(f"  max {lat.max() * 1e3:7.2f} ms   mean {lat.mean() * 1e3:.2f} ms")
    # CPU time of the same calls: what a loaded, shared machine changes least.
    print(f"  CPU time: p50 {np.percentile(cpu, 50) * 1e3:.2f} ms, p99 "
          f"{np.percentile(cpu, 99) * 1e3:.2f} ms, mean {cpu.mean() * 1e3:.2f} ms")
    print(f"compute selection, compute-only profiles: engine median {engine_ms:.3f} ms, "
          f"numpy floor {floor_ms * 1e3:.1f} us, ratio {ratio:.0f}x (target <= "
          f"{TARGET_FLOOR_RATIO:g}x) {'PASS' if ratio <= TARGET_FLOOR_RATIO else 'FAIL'}")
    # Python function calls per warm call (cProfile): deterministic, whatever the load.
    print(f"Python calls per warm call (cProfile, one pass of the mixed set): {calls:,.0f}")
    print(f"batch of {args.batch} profiles: {t_batch:.1f} s = "
          f"{args.batch / t_batch:,.0f} profiles/s (one process)")
    ok = p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS and ratio <= TARGET_FLOOR_RATIO
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
