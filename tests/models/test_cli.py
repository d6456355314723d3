"""The CLI commands on small JSON inputs (JSON on stdout; errors on stderr, exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import catalog.store
from recommender.surfaces.cli.main import main


@pytest.fixture()
def use_small_catalog(monkeypatch, small_catalog):
    monkeypatch.setattr(catalog.store, "load_catalog", lambda *a, **k: small_catalog)


def test_predict_runtime_cli(use_small_catalog, model_fixtures: Path, capsys) -> None:
    assert main(["predict-runtime", str(model_fixtures / "job_runtime.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["instance_type"] for p in out["predictions"]] == [
        "m4.xlarge",
        "c7i.2xlarge",
        "r5.xlarge",
    ]
    assert out["best"]["cost_usd"] == min(p["cost_usd"] for p in out["predictions"])
    assert out["model"]["version"].startswith("models-")


def test_lambda_memory_cli(use_small_catalog, model_fixtures: Path, capsys) -> None:
    assert main(["lambda-memory", str(model_fixtures / "function_lambda.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["arch"] == "arm64"
    assert [p["memory_mb"] for p in out["predictions"]] == [128, 256, 512, 1024, 1769, 2048, 4096]
    assert out["best"]["memory_mb"] in {p["memory_mb"] for p in out["predictions"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"measurements": [], "job": {}}', "input_gib"),
        ('{"measurements": [{"instance_type": "m5.large", "count": 0, "runtime_s": 1}]}', "count"),
        (
            '{"measurements": [{"instance_type": "zz.large", "count": 1, "runtime_s": 1}]}',
            "not in the catalog",
        ),
    ],
    ids=["bad-json", "no-size", "bad-count", "unknown-type"],
)
def test_predict_runtime_cli_errors(use_small_catalog, tmp_path: Path, capsys, content, message):
    f = tmp_path / "job.json"
    f.write_text(content)
    assert main(["predict-runtime", str(f)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


def test_missing_file_and_bad_lambda_request(use_small_catalog, tmp_path: Path, capsys) -> None:
    assert main(["lambda-memory", str(tmp_path / "absent.json")]) == 1
    assert "no such file" in capsys.readouterr().err
    f = tmp_path / "f.json"
    f.write_text(json.dumps({"measurements": [{"memory_mb": 64, "duration_ms": 5}]}))
    assert main(["lambda-memory", str(f)]) == 1
    assert "memory_mb" in capsys.readouterr().err


def test_train_without_data_dir_is_a_user_error(tmp_path: Path, capsys) -> None:
    assert main(["train", "--data-dir", str(tmp_path / "nope"), "--evaluate"]) == 1
    err = capsys.readouterr().err
    assert "source data" in err and "nope" in err  # names what is missing and where


def test_lambda_memory_cli_takes_a_declared_kind(use_small_catalog, tmp_path: Path,
                                                 capsys) -> None:
    f = tmp_path / "f.json"
    req = {"measurements": [{"memory_mb": 1024, "duration_ms": 932.0}], "kind": "io_bound",
           "candidate_memory_mb": [1024, 2048]}
    f.write_text(json.dumps(req))
    assert main(["lambda-memory", str(f)]) == 0
    assert "kind io_bound" in capsys.readouterr().out
    f.write_text(json.dumps({**req, "kind": "network"}))
    assert main(["lambda-memory", str(f)]) == 1
    assert "kind" in capsys.readouterr().err
