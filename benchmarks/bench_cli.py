"""Time ``recommender recommend profile.json`` as a whole process (import + load + answer).

Runs the command ``--runs`` times (after one warm-up run that fills the OS file cache, the
schema markers and the bytecode cache) with and without ``--rules-only`` and prints the median
wall time against the issue-11 target of 0.8 s, the median CPU time of the process (user +
system: steadier than wall time on a shared machine), and which packages a run should not
need were imported (``sys.modules`` after the run).  The load average is printed before and
after: the machine may be shared.

Bytecode: an installed package runs from compiled ``.pyc`` files (pip compiles them at
install); a work tree with ``PYTHONDONTWRITEBYTECODE=1`` recompiles every module of ours on
every run (~0.17 s here).  By default the children get a bytecode cache in a temporary
directory (``PYTHONPYCACHEPREFIX``, so the work tree stays clean); ``--no-pyc`` runs them
with the environment as it is.

Usage::

    python benchmarks/bench_cli.py --runs 5
    python benchmarks/bench_cli.py --runs 3 --profile examples/profile.json --no-pyc
    python benchmarks/bench_cli.py --runs 5 --breakdown

``--breakdown`` also prints the median CPU of processes that only start Python, only import
numpy and build one pydantic model (what every run needs), and that plus pyarrow and pandas
(what a cold run adds), all with the collector paused and BLAS on one thread as the CLI
starts: where the floor is.  pandas and pyarrow are used on the recommend
path only to read the snapshot and build the derived indexes; once a first run has left
them in the derived cache (:mod:`catalog.derived_cache`) and the schema markers, a run
imports neither (the warm-up run below fills both), so the figures are those of a warm run.
The peak RSS is each child's own (``wait4``).
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
#: Packages ``recommend`` should not import (schema checker, training stack, extras).
NOT_NEEDED = ("pandera", "sklearn", "scipy", "skops", "streamlit", "fastapi", "boto3", "dask")
#: Import-only processes of ``--breakdown`` (collector paused, as ``cli.recommend`` does).
_STAGES = (
    ("python start-up", "pass"),
    # What any recommend process must import and build: numpy (on one BLAS thread, as the
    # CLI starts it) and pydantic with one model (the first model imports pydantic's schema
    # machinery and scans for plugins).  A warm run imports no pyarrow or pandas.
    ("+ numpy, pydantic (a model)", "import gc, os; gc.disable(); "
     "os.environ['OPENBLAS_NUM_THREADS'] = '1'; import numpy\n"
     "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int"),
    ("+ pyarrow, pandas (cold run)", "import gc, os; gc.disable(); "
     "os.environ['OPENBLAS_NUM_THREADS'] = '1'; import numpy, pyarrow, pyarrow.parquet, "
     "pandas\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    x: int"),
)
_PROBE = ("import contextlib, io, json, sys\n"
          "from recommender.surfaces.cli.main import main\n"
          "with contextlib.redirect_stdout(io.StringIO()):\n"
          "    main(sys.argv[1:])\n"
          "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")


def _time(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one run of ``cmd`` (``wait4``: the
    child's own figures, not the maximum over every child so far)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def _unneeded_imports(args: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    return sorted(loaded & set(NOT_NEEDED))


def _env(pyc_dir: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if pyc_dir is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pyc_dir
    return env


def _breakdown(runs: int, env: dict[str, str]) -> None:
    """Median CPU of the import-only processes of :data:`_STAGES`, alternated run by run."""
    cpu: dict[str, list[float]] = {name: [] for name, _ in _STAGES}
    for _ in range(runs):
        for name, code in _STAGES:
            cpu[name].append(_time([sys.executable, "-c", code], env)[1])
    for name, _ in _STAGES:
        print(f"  {name:28s} cpu median {statistics.median(cpu[name]):.2f} s")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", type=Path, default=None,
                    help="profile JSON to recommend (default: a small compute profile)")
    ap.add_argument("--no-pyc", action="store_true",
                    help="run with the environment's bytecode settings (no temporary cache)")
    ap.add_argument("--breakdown", action="store_true",
                    help="also time import-only processes (start-up, numeric stack, pandas)")
    args = ap.parse_args(argv)
    print(f"load average before: {_load()} on {os.cpu_count()} cores")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = args.profile.resolve() if args.profile else Path(tmp) / "profile.json"
        if args.profile is None:
            path.write_text(json.dumps(PROFILE))
        env = _env(None if args.no_pyc else str(Path(tmp) / "pyc"))
        print(f"profile {path.name}; bytecode: "
              f"{'as the environment says' if args.no_pyc else 'cached (as installed)'}")
        for extra in ([], ["--rules-only"]):
            cli = ["recommend", str(path), *extra]
            cmd = [sys.executable, "-m", "recommender", *cli]
            _time(cmd, env)
            runs = [_time(cmd, env) for _ in range(args.runs)]
            med = statistics.median(w for w, _, _ in runs)
            cpu = statistics.median(c for _, c, _ in runs)
            rss = statistics.median(r for _, _, r in runs)
            good = med <= TARGET_S
            ok &= good
            print(f"recommender recommend {path.name} {' '.join(extra):13s} median "
                  f"{med:.2f} s (min {min(w for w, _, _ in runs):.2f}, cpu {cpu:.2f} s, "
                  f"rss {rss:.0f} MiB, target "
                  f"<= {TARGET_S:g} s) not needed but imported: "
                  f"{_unneeded_imports(cli, env) or 'none'} {'PASS' if good else 'FAIL'}")
        if args.breakdown:
            print("import-only processes (the floor under the figures above):")
            _breakdown(args.runs, env)
    print(f"load average after: {_load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
