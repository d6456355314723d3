"""The review on its surfaces: ``recommender review``/``monitoring`` and ``POST /v1/reviews``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recommender import recommend
from recommender.surfaces.api.app import create_app
from recommender.surfaces.cli.main import main

PROFILE = {"name": "api", "region": "us-east-1", "objective": "cost",
           "purchase_options": ["on_demand"],
           "compute": {"vcpus": {"min": 2, "max": 2}, "memory_gib": {"min": 8, "max": 8},
                       "arch": "any", "hours_per_month": 730}}


@pytest.fixture(scope="module")
def saved_json(catalog_before_m7g) -> str:
    return recommend(PROFILE, catalog=catalog_before_m7g, models=False).model_dump_json()


def test_cli_review_prints_the_saving_table(saved_json, full_snapshot_dir, tmp_path: Path,
                                            capsys) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "api.json").write_text(saved_json)
    assert main(["review", str(folder), "--catalog", str(full_snapshot_dir),
                 "--rules-only"]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    assert "saving_usd_per_month" in header and "saving_usd_per_year" in header
    # 70.08 - 59.57 = 10.51 a month, 126.12 a year (worked in test_review.py).
    assert row.split()[:3] == ["api", "10.51", "126.12"]
    assert "[newer_generation] compute m5.large" in out
    assert main(["review", str(folder / "api.json"), "--catalog", str(full_snapshot_dir),
                 "--rules-only", "--format", "json"]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["saving_usd_per_month"] == 10.51 and line["source"].endswith("api.json")


def test_cli_review_errors_name_the_file(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps({"recommendations": {}}))
    assert main(["review", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "old.json" in err and "'profile' is missing" in err and "Traceback" not in err
    assert main(["review", str(tmp_path / "nope.json")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_cli_monitoring_lists_alarms_and_plan(saved_json, tmp_path: Path, capsys) -> None:
    f = tmp_path / "api.json"
    f.write_text(saved_json)
    assert main(["monitoring", str(f), "--plan"]) == 0
    out = capsys.readouterr().out
    assert "CPUUtilization" in out and "AWS/EC2" in out
    assert "plan: compute #1 m5.large" in out


def test_api_review(saved_json, catalog_full) -> None:
    client = TestClient(create_app(catalog=catalog_full, models=False))
    r = client.post("/v1/reviews", json={"response": json.loads(saved_json), "plan": True})
    assert r.status_code == 200, r.text
    body = r.json()
    f = [x for x in body["review"]["findings"] if x["kind"] == "newer_generation"][0]
    assert (f["replacement"], f["saving_usd_per_month"], f["saving_usd_per_year"]) == (
        "m7g.large", 10.51, 126.12)
    assert body["monitoring"][0]["option"] == "m7g.large"  # today's choice's alarms
    assert body["plan"][0]["option"] == "m7g.large"


@pytest.mark.parametrize(("payload", "field"), [
    ({"response": {"recommendations": {}}}, "response"),
    ({"response": {"foo": 1}}, "response"),
    ({}, "response"),
    ({"response": {}, "extra": 1}, "extra"),
])
def test_api_review_bad_input_is_422_with_the_field(catalog_full, payload, field) -> None:
    client = TestClient(create_app(catalog=catalog_full, models=False))
    r = client.post("/v1/reviews", json=payload)
    assert r.status_code == 422, r.text
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()
