"""Schemathesis against a real server: at least 10,000 cases, positive and negative modes.

No generated request (valid ones, and ones that break the schema: wrong types, missing
fields, out-of-range numbers, wrong content types) may get a 5xx, and every status answered
must be declared in the OpenAPI document (400/413/415/422/503 are, on every operation).
The run is reproducible (a fixed ``--seed``) and bounded (``--max-examples`` per operation
and mode).  It runs once per mode, so each mode's case count is exact (schemathesis's JSON
report), and the server's access log counts the requests it really answered: the test
asserts ``positive + negative >= 10,000`` and as many requests, and prints the figures.

The server is uvicorn on 127.0.0.1 with two worker processes, started and stopped by the
fixture.  The two modes run at the same time, as two schemathesis processes: each one
alternates between generating a case and waiting for its answer, so one run alone keeps
about one core busy and the pair keeps two.  One worker thread per process: with two
threads, hypothesis's lambda descriptions call ``ast.parse`` concurrently, which on CPython
3.11.7 failed here ("AST constructor recursion depth mismatch") and lost a phase; two
processes share nothing.  570 examples per operation and mode give 10,4xx cases, at least
10,000 with a margin (12,195 at 700 and 11,112 at 620 on this machine: 14 cases per example,
7 operations with parameters in 2 modes, over a fixed coverage phase of ~2,400; the count is
the same on every run, the seed fixing it); the cases past the floor cost ~38 ms of CPU each
in a CPU-bound suite.  Cheaper per case: no example database (``--generation-database
none``: schemathesis otherwise writes every example to SQLite, about a third of the run's
time), and Hypothesis's Unicode tables built once for both runs (see :data:`_TABLES`).
"""

from __future__ import annotations

import collections
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
MIN_CASES = 10_000
MAX_EXAMPLES = int(os.environ.get("HOSTILE_ST_MAX_EXAMPLES", "570"))
SEED = 12
#: One access-log line of uvicorn: ``127.0.0.1:5000 - "POST /v1/x HTTP/1.1" 422 ...``.
ACCESS = re.compile(r'"[A-Z]+ \S+ HTTP/[0-9.]+" (\d{3})')


class Server(NamedTuple):
    url: str
    log: Path
    #: Hypothesis's storage folder holding the Unicode tables, or None if building failed.
    hypothesis_dir: Path | None


#: Builds the two tables every schemathesis run needs before its first string: Hypothesis's
#: Unicode category map and the code points the UTF-8 codec encodes (the latter a loop over
#: all 1.1 million code points, ~3.6 s).  Hypothesis caches both in its storage folder, but
#: each run starts without one; built once here, while the server starts, both runs read it.
_TABLES = ("from hypothesis.internal.charmap import charmap, intervals_from_codec; "
           "charmap(); intervals_from_codec('utf-8')")


def _build_unicode_tables(where: Path) -> tuple[subprocess.Popen[bytes], Path]:
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(where)}
    return subprocess.Popen([sys.executable, "-c", _TABLES], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), where


def _tables_built(build: tuple[subprocess.Popen[bytes], Path]) -> Path | None:
    """The storage folder once the tables are in it; None (each run builds its own) if not."""
    proc, where = build
    try:
        return where if proc.wait(timeout=120) == 0 else None
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()[-2000:]}")
            time.sleep(0.5)
    # Build the OpenAPI document once (its review example runs the engine) before
    # schemathesis loads it with its own 10 s timeout.
    urllib.request.urlopen(f"{url}/openapi.json", timeout=300).read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = _free_port()
    log = tmp_path_factory.mktemp("st-server") / "access.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    tables = _build_unicode_tables(tmp_path_factory.mktemp("st-hypothesis"))
    with log.open("wb") as sink:
        # Access log on: it is the server's own count of the requests answered.
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory",
             "recommender.surfaces.api:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "info", "--workers", "2"],
            cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(proc, url, log)
            yield Server(url, log, _tables_built(tables))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _start(server: Server, mode: str, workdir: Path) -> subprocess.Popen[str]:
    """Start one schemathesis run in ``mode``, its JSON report in ``workdir/<mode>/``."""
    here = workdir / mode
    here.mkdir()
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/openapi.json",
           "--checks", "not_a_server_error,status_code_conformance",
           "--mode", mode, "--phases", "examples,coverage,fuzzing",
           "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
           "--workers", "1", "--continue-on-failure", "--generation-database", "none",
           "--suppress-health-check", "all", "--no-color",
           "--report", "json", "--report-json-path", str(here / "report.json")]
    env = dict(os.environ)
    if server.hypothesis_dir is not None:  # read the prebuilt tables (Hypothesis's own variable)
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(server.hypothesis_dir)
    # Run from its own temporary folder: schemathesis writes its state where it runs.
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=here, env=env)


def _finish(proc: subprocess.Popen[str], mode: str, workdir: Path) -> tuple[dict, str]:
    """Wait for a run of :func:`_start`: (its JSON report, its output)."""
    try:
        out, _ = proc.communicate(timeout=1500)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"schemathesis {mode} did not finish in 1500 s: {out[-3000:]}")
    report = workdir / mode / "report.json"
    assert report.is_file(), out[-3000:]
    data = json.loads(report.read_text())
    assert proc.returncode == 0 and data["exit_code"] == 0, out[-6000:]
    assert data["complete"] and data["operations"]["errored"] == 0, out[-3000:]
    return data, out


def _statuses(log: Path) -> collections.Counter[str]:
    return collections.Counter(m.group(1) for m in ACCESS.finditer(log.read_text("utf-8",
                                                                                    "replace")))


def test_ten_thousand_cases_no_5xx_no_undocumented_status(server: Server,
                                                          tmp_path: Path) -> None:
    before = sum(_statuses(server.log).values())
    started = time.perf_counter()
    cases = {}
    procs = {mode: _start(server, mode, tmp_path) for mode in ("positive", "negative")}
    try:
        for mode, proc in procs.items():
            data, _ = _finish(proc, mode, tmp_path)
            cases[mode] = int(data["test_cases"]["generated"])
            assert data["test_cases"]["with_failures"] == 0
    finally:  # a failed mode does not leave the other one running
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    elapsed = time.perf_counter() - started
    statuses = _statuses(server.log)
    answered = sum(statuses.values()) - before
    total = sum(cases.values())
    print(f"\nschemathesis: {total} cases ({cases['positive']} positive, "
          f"{cases['negative']} negative) in {elapsed:.0f} s; the server answered "
          f"{answered} requests, by status: {dict(sorted(statuses.items()))}")
    assert all(n > 0 for n in cases.values()), cases
    assert total >= MIN_CASES, f"only {total} cases; raise HOSTILE_ST_MAX_EXAMPLES"
    # Every case reached the server (none was dropped before sending).
    assert answered >= MIN_CASES and answered >= total, (answered, total)
    assert not [s for s in statuses if s.startswith("5")], statuses
