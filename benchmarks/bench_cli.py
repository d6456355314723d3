"""Time ``recommender recommend profile.json`` as a whole process (import + load + answer).

Runs the command ``--runs`` times (after one warm-up run that fills the OS file cache) with
and without ``--rules-only`` and prints the median wall time against the issue-11 target of
0.8 s, plus whether scikit-learn was imported (``-X importtime``).  The load average is
printed: the machine may be shared.

Usage::

    python benchmarks/bench_cli.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 0.8
PROFILE = {"name": "small", "region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4}}


def _time(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def _imports_sklearn(cmd: list[str]) -> bool:
    err = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], cwd=REPO,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    return any(line.split("|")[-1].strip() == "sklearn"
               for line in err.splitlines() if line.startswith("import time"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.json"
        path.write_text(json.dumps(PROFILE))
        for extra in ([], ["--rules-only"]):
            cmd = [sys.executable, "-m", "recommender", "recommend", str(path), *extra]
            _time(cmd)
            times = [_time(cmd) for _ in range(args.runs)]
            med = statistics.median(times)
            good = med <= TARGET_S
            ok &= good
            print(f"recommender recommend profile.json {' '.join(extra):13s} median "
                  f"{med:.2f} s (min {min(times):.2f}, target <= {TARGET_S:g} s) "
                  f"sklearn imported: {_imports_sklearn(cmd)} {'PASS' if good else 'FAIL'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
