"""CLI tests of ``recommender recommend`` (in-process and as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.surfaces.cli.main import main

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REPO = Path(__file__).resolve().parents[2]


def test_prints_the_response_json(capsys) -> None:
    rc = main(["recommend", str(GOLDEN / "web_api_small.profile.json"), "--rules-only"])
    out = capsys.readouterr()
    assert rc == 0 and out.err == ""
    data = json.loads(out.out)
    assert data["schema_version"] == "1"
    assert data["recommendations"]["compute"][0]["kind"] == "ec2"
    assert data["model"]["version"] == "rules-only"


def test_table_format(capsys) -> None:
    rc = main(["recommend", str(GOLDEN / "storage_sub_ms.profile.json"), "--format", "table"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "io2" in out and "storage" in out and "USD/month" in out


@pytest.mark.parametrize("content, needle", [
    ('{"compute": {"vcpus": "four"}}', "compute.vcpus"),
    ('{"storage": {"iops": -1}}', "storage.iops"),
    ('{"comput": {}}', "comput"),
    ("{not json", "not valid JSON"),
    ('{"region": "eu-south-2"}', "region"),
])
def test_bad_profiles_exit_1_with_the_field_on_stderr(tmp_path, capsys, content, needle) -> None:
    f = tmp_path / "p.json"
    f.write_text(content)
    rc = main(["recommend", str(f)])
    out = capsys.readouterr()
    assert rc == 1 and out.out == ""
    assert out.err.startswith("error:") and needle in out.err
    assert "Traceback" not in out.err


def test_missing_file(capsys) -> None:
    assert main(["recommend", "/nonexistent/profile.json"]) == 1
    assert "not found" in capsys.readouterr().err


def test_subprocess_stdin_and_exit_codes() -> None:
    ok = subprocess.run([sys.executable, "-m", "recommender", "recommend", "-", "--rules-only"],
                        input='{"database": {"data_model": "cache", "size_gib": 10}}',
                        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["recommendations"]["database"][0]["option"].startswith(
        "elasticache:")
    bad = subprocess.run([sys.executable, "-m", "recommender", "recommend", "-"],
                         input='{"top_n": 0}', capture_output=True, text=True, cwd=REPO,
                         timeout=120)
    assert bad.returncode == 1 and "top_n" in bad.stderr and "Traceback" not in bad.stderr
