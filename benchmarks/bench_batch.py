"""Benchmark ``recommender recommend-batch`` as a whole process: wall time and peak memory.

Writes a mixed JSON Lines input (the golden profiles, the app presets and generated profiles
from ``bench_recommend.generated_profiles``), runs the command with ``--workers N`` and, unless
``--no-dask``, again with ``--dask local`` (a 2-worker LocalCluster), sampling the resident
memory of the whole process tree every 0.1 s.  Targets (issue 11): 100,000 profiles in at
most 60 s with ``--workers 2``, peak RSS at most 500 MiB, LocalCluster within 1.3x.

Memory figures printed: the largest single process (the target), the sum of RSS over the
process tree (an upper bound: pages shared by forked workers are counted once per process)
and the sum of PSS (each shared page split between the processes sharing it).  The CPU
time of the whole process tree per profile is printed too: on a shared machine it moves far
less than the wall time.

Usage::

    python benchmarks/bench_batch.py                   # 100,000 profiles, 2 workers, + Dask
    python benchmarks/bench_batch.py -n 5000 --no-dask
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_recommend import generated_profiles  # noqa: E402

TARGET_S, TARGET_MIB, TARGET_DASK_RATIO = 60.0, 500.0, 1.3
MIB = 1024 * 1024


def mixed_profiles(n: int) -> list[str]:
    """``n`` JSON lines: golden profiles and presets first, then generated ones, cycled."""
    try:
        from recommender.presets import get_preset, preset_names
    except ImportError:  # older layout
        from recommender.app.presets import get_preset, preset_names
    fixed = [p.read_text() for p in sorted((REPO / "tests" / "golden").glob("*.profile.json"))]
    fixed += [json.dumps(get_preset(name)) for name in preset_names()]
    base = [json.dumps(json.loads(t)) for t in fixed]
    base += [json.dumps(p) for p in generated_profiles(2000, seed=3)]
    return [base[i % len(base)] for i in range(n)]


def _cpu_s() -> float:
    """CPU seconds of this process' finished children and their descendants."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], out: Path) -> tuple[float, float, float, int]:
    """``(seconds, largest process MiB, process tree MiB, exit code)`` of ``cmd``; prints
    the PSS sum and the CPU time of the process tree."""
    t0, cpu0 = time.perf_counter(), _cpu_s()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak_one = peak_tree = peak_pss = 0
    samples = 0
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            rss = [p.memory_info().rss for p in procs]
            # PSS reads smaps (slower): every 5th sample.
            pss = [p.memory_full_info().pss for p in procs] if samples % 5 == 0 else []
        except psutil.Error:
            rss, pss = [], []
        if rss:
            peak_one, peak_tree = max(peak_one, max(rss)), max(peak_tree, sum(rss))
        peak_pss = max(peak_pss, sum(pss))
        samples += 1
        time.sleep(0.1)
    elapsed, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        print(err[-2000:], file=sys.stderr)
    lines = sum(1 for _ in out.open()) if out.exists() else 0
    print(f"  wrote {lines:,} lines to {out.name}; process tree CPU {cpu:.1f} s = "
          f"{1e3 * cpu / max(lines, 1):.2f} ms per profile; peak PSS sum {peak_pss / MIB:.0f} MiB")
    return elapsed, peak_one / MIB, peak_tree / MIB, proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="profiles (default 100,000)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--no-dask", action="store_true", help="skip the LocalCluster run")
    ap.add_argument("--rules-only", action="store_true", help="pass --rules-only")
    args = ap.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "profiles.jsonl"
        src.write_text("\n".join(mixed_profiles(args.n)) + "\n")
        base = [sys.executable, "-m", "recommender", "recommend-batch", str(src), "--quiet",
                "--workers", str(args.workers)] + (["--rules-only"] if args.rules_only else [])
        out = Path(tmp) / "out.jsonl"
        print(f"recommend-batch --workers {args.workers}, {args.n:,} profiles:")
        t_local, one, tree, rc = run([*base, "--out", str(out)], out)
        ok = t_local <= TARGET_S * args.n / 100_000 and one <= TARGET_MIB
        print(f"  {t_local:6.1f} s = {args.n / t_local:,.0f} profiles/s (target <= "
              f"{TARGET_S * args.n / 100_000:g} s); peak RSS largest process {one:.0f} MiB "
              f"(target <= {TARGET_MIB:g}), process tree {tree:.0f} MiB; exit {rc} "
              f"{'PASS' if ok and rc == 0 else 'FAIL'}")
        if not args.no_dask:
            out = Path(tmp) / "out-dask.jsonl"
            print(f"recommend-batch --dask local ({args.workers} workers):")
            t_dask, one_d, tree_d, rc_d = run([*base, "--dask", "local", "--out", str(out)],
                                              out)
            ratio = t_dask / t_local
            print(f"  {t_dask:6.1f} s = {args.n / t_dask:,.0f} profiles/s; {ratio:.2f}x the "
                  f"local run (target <= {TARGET_DASK_RATIO}x); peak RSS largest process "
                  f"{one_d:.0f} MiB, process tree {tree_d:.0f} MiB; exit {rc_d} "
                  f"{'PASS' if ratio <= TARGET_DASK_RATIO and rc_d == 0 else 'FAIL'}")
            ok = ok and ratio <= TARGET_DASK_RATIO
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
