"""CLI commands of the surfaces: recommend-batch, export (serve is exercised via the API)."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest
from cfn_lint_helper import cfn_lint

from recommender.app.presets import get_preset
from recommender.core.engine import recommend
from recommender.surfaces.cli.main import build_parser, main


def _jsonl(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_recommend_batch_writes_one_response_per_line(tmp_path, capsys) -> None:
    names = ["web_app", "batch", "static_site"]
    lines = [json.dumps(get_preset(n)) for n in names]
    path = _jsonl(tmp_path, [lines[0], "", *lines[1:]])  # a blank line is skipped
    assert main(["recommend-batch", str(path)]) == 0
    out, err = capsys.readouterr()
    responses = [json.loads(line) for line in out.splitlines()]
    assert [r["name"] for r in responses] == [get_preset(n)["name"] for n in names]
    assert all(r["schema_version"] == "1" for r in responses)
    assert "profiles" in err  # the progress bar goes to stderr


def test_recommend_batch_table_format(tmp_path, capsys) -> None:
    path = _jsonl(tmp_path, [json.dumps(get_preset("oltp_database"))])
    assert main(["recommend-batch", "--format", "table", "--quiet", str(path)]) == 0
    out = capsys.readouterr().out
    assert "compute" in out and "USD/month" in out and "rds:" in out


def test_recommend_batch_names_the_bad_lines(tmp_path, capsys) -> None:
    path = _jsonl(tmp_path, ['{"compute": {"vcpus": 2}}', '{"storage": {"iops": -1}}',
                             "{oops"])
    assert main(["recommend-batch", "--strict", str(path)]) == 1
    out, err = capsys.readouterr()
    # The good line is still answered; each bad one is named in its place and on stderr.
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("line") for r in rows] == [None, 2, 3]
    assert "line 2: storage.iops" in err and "line 3: not JSON" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [(["recommend-batch", "missing.jsonl"], "no such file"),
     (["export", "missing.json"], "no such file")],
)
def test_missing_files_are_user_errors(args, message, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("preset", ["web_app", "event_driven_function", "hpc"])
def test_export_of_a_real_response(preset: str, tmp_path, capsys) -> None:
    saved = tmp_path / "response.json"
    saved.write_text(recommend(get_preset(preset)).model_dump_json())
    out = tmp_path / "stack.json"
    assert main(["export", "--format", "cloudformation", str(saved), "--out", str(out)]) == 0
    template = out.read_text()
    errors = [m for m in cfn_lint(template)
              if m.rule.id.startswith("E")]
    assert not errors, [f"{m.rule.id} {m.message}" for m in errors]
    assert json.loads(template)["Resources"]
    assert main(["export", "--format", "terraform", str(saved)]) == 0
    tf = hcl2.loads(capsys.readouterr().out)
    assert tf["resource"]


def test_export_refuses_non_json(tmp_path, capsys) -> None:
    bad = tmp_path / "r.json"
    bad.write_text("not json")
    assert main(["export", str(bad)]) == 1
    assert "not JSON" in capsys.readouterr().err


def test_serve_and_export_are_registered() -> None:
    args = build_parser().parse_args(["serve", "--port", "8123"])
    assert (args.host, args.port) == ("127.0.0.1", 8123)
    args = build_parser().parse_args(["export", "--format", "terraform", "r.json"])
    assert args.format == "terraform"


def test_serve_answers_healthz_on_loopback() -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "recommender", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline, body, headers = time.monotonic() + 60, None, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body, headers = json.loads(r.read()), r.headers
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "the API did not answer within 60 s"
        assert body["status"] == "ok" and headers["X-Schema-Version"] == "1"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
