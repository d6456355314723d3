"""Hostile CLI inputs: every one ends in ``error: ...`` on stderr and a non-zero exit, never
a Python traceback (unless ``--debug``), and nothing hangs (FIFOs, ``/dev/zero``).

Each case runs ``recommender`` in a subprocess with a timeout, so a hang fails the test
rather than the suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    """``recommender ARGS`` in a subprocess (a hang is a timeout, a crash a traceback)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "RECOMMENDER_SNAPSHOT_DIR": "none"}
    return subprocess.run([sys.executable, "-m", "recommender", *args], input=stdin,
                          capture_output=True, timeout=timeout, env=env, cwd=REPO)


def _run_here(*args: str) -> subprocess.CompletedProcess:
    """``main(ARGS)`` in this process (fast); only for inputs that cannot block."""
    from recommender.surfaces.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return subprocess.CompletedProcess(args, rc, out.getvalue().encode(),
                                       err.getvalue().encode())


def _refused(proc: subprocess.CompletedProcess, *words: str) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode not in (0, None), err
    assert "Traceback" not in err, err
    assert err.startswith("error:") or "\nerror:" in err, err
    assert "unexpected" not in err, err  # every case is handled on purpose
    for w in words:
        assert w in err, err
    return err


def _profile_cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, needle: str) -> None:
        p = tmp / f"{name}.json"
        p.write_bytes(data)
        cases[name] = (p, needle)

    put("nested-100000", b"[" * 100_000 + b"]" * 100_000, "error")
    put("digits-5000", b'{"top_n": ' + b"7" * 5000 + b"}", "digits")
    put("binary", bytes(range(256)) * 4, "not UTF-8")
    put("nan", b'{"compute": {"vcpus": NaN}}', "compute.vcpus")
    put("infinity", b'{"compute": {"memory_gib": 1e309}}', "compute.memory_gib")
    put("surrogate", b'{"name": "\\ud800"}', "name")
    put("list", b"[1, 2]", "JSON object")
    put("empty", b"", "error")
    d = tmp / "a-directory.json"
    d.mkdir()
    cases["directory"] = (d, "directory")
    z = tmp / "zero.json"
    z.symlink_to("/dev/zero")
    cases["dev-zero"] = (z, "not a regular file")
    f = tmp / "fifo.json"
    os.mkfifo(f)
    cases["fifo"] = (f, "not a regular file")
    cases["missing"] = (tmp / "missing.json", "not found")
    return cases


CASE_NAMES = ["nested-100000", "digits-5000", "binary", "nan", "infinity", "surrogate", "list",
              "empty", "directory", "dev-zero", "fifo", "missing"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return _profile_cases(tmp_path_factory.mktemp("hostile-cli"))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_recommend_refuses_hostile_profile_files(cases, name) -> None:
    path, needle = cases[name]
    run = _run if name in ("fifo", "dev-zero") else _run_here
    _refused(run("recommend", str(path)), needle)


@pytest.mark.parametrize("name", ["binary", "directory", "dev-zero", "fifo", "nested-100000",
                                  "digits-5000"])
def test_other_commands_refuse_hostile_files(cases, name) -> None:
    path, _ = cases[name]
    run = _run if name in ("fifo", "dev-zero") else _run_here
    _refused(run("predict-runtime", str(path)))
    _refused(run("export", str(path)))


def _snapshot_copy(tmp_path: Path) -> Path:
    from catalog.store import EMBEDDED_SNAPSHOT_DIR

    d = tmp_path / "snap"
    shutil.copytree(EMBEDDED_SNAPSHOT_DIR, d)
    return d


@pytest.mark.parametrize("damage", ["not-json", "not-object", "junk-parquet", "dev-zero",
                                    "fifo"])
def test_catalog_commands_refuse_hostile_snapshots(tmp_path, damage) -> None:
    d = _snapshot_copy(tmp_path)
    if damage == "not-json":
        (d / "manifest.json").write_text("{oops")
    elif damage == "not-object":
        (d / "manifest.json").write_text("[]")
    elif damage == "junk-parquet":
        (d / "ec2.parquet").write_bytes(b"PAR1junkPAR1")
    elif damage == "dev-zero":
        (d / "ec2.parquet").unlink()
        (d / "ec2.parquet").symlink_to("/dev/zero")
    else:
        (d / "manifest.json").unlink()
        os.mkfifo(d / "manifest.json")
    name = "manifest.json" if damage in ("not-json", "not-object", "fifo") else "ec2.parquet"
    run = _run if damage in ("fifo", "dev-zero") else _run_here
    _refused(run("catalog", "show", "ec2", "--snapshot", str(d)), name)
    if name == "manifest.json":
        _refused(run("catalog", "info", "--snapshot", str(d)), name)


def test_disk_full_and_unwritable_targets_are_errors(tmp_path) -> None:
    response = tmp_path / "r.json"
    rec = _run_here("recommend", "--preset", "web_app")
    assert rec.returncode == 0, rec.stderr.decode()
    response.write_bytes(rec.stdout)
    _refused(_run_here("export", str(response), "--out", "/dev/full"), "/dev/full")
    _refused(_run_here("export", str(response), "--out", "/proc/version/x.yaml"))


def test_malformed_and_truncated_model_artifacts_are_errors(tmp_path) -> None:
    from recommender.models.artifacts import DEFAULT_ARTIFACTS_DIR

    art = tmp_path / "art"
    shutil.copytree(DEFAULT_ARTIFACTS_DIR, art)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"job": {"input_gib": 10}}))
    (art / "runtime.json").write_text("{not json")
    _refused(_run_here("predict-runtime", str(job), "--artifacts", str(art)), "runtime")
    shutil.copy(DEFAULT_ARTIFACTS_DIR / "runtime.json", art / "runtime.json")
    data = (art / "runtime.skops").read_bytes()
    (art / "runtime.skops").write_bytes(data[: len(data) // 2])
    _refused(_run_here("predict-runtime", str(job), "--artifacts", str(art)), "runtime")


def test_debug_shows_the_traceback_of_an_unexpected_error(cases) -> None:
    path, _ = cases["nested-100000"]
    plain = _run("recommend", str(path))
    assert "Traceback" not in plain.stderr.decode()
    # --debug re-raises only unexpected errors; a known one stays a one-line message.
    debug = _run("--debug", "recommend", str(path))
    assert debug.returncode != 0
