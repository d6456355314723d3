"""``recommender catalog build|info|show`` through ``recommender.surfaces.cli.main.main``."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

import catalog.build
from catalog.store import read_snapshot
from recommender.surfaces.cli.main import main


def _show(capsys, snap, *args) -> tuple[int, str, str]:
    rc = main(["catalog", "show", *args, "--snapshot", str(snap)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_show_json_lists_every_type(capsys, fixture_snapshot):
    rc, out, _ = _show(capsys, fixture_snapshot, "ec2", "--format", "json")
    assert rc == 0
    records = json.loads(out)
    assert sorted(r["instance_type"] for r in records) == sorted(
        read_snapshot(fixture_snapshot).ec2["instance_type"]
    )


def test_show_filter_columns_limit_csv(capsys, fixture_snapshot):
    rc, out, _ = _show(
        capsys,
        fixture_snapshot,
        "ec2_prices",
        "--format",
        "csv",
        "--filter",
        "region=us-east-1",
        "--filter",
        "instance_type=m5.large",
        "--columns",
        "instance_type,ondemand_usd_per_hour",
    )
    assert rc == 0
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == ["instance_type", "ondemand_usd_per_hour"]
    assert df.to_dict("records") == [{"instance_type": "m5.large", "ondemand_usd_per_hour": 0.096}]
    rc, out, _ = _show(
        capsys,
        fixture_snapshot,
        "ec2",
        "--format",
        "json",
        "--filter",
        "burstable=true",
        "--filter",
        "vcpus=2",
        "--limit",
        "1",
    )
    rows = json.loads(out)
    assert rc == 0 and len(rows) == 1 and rows[0]["burstable"] and rows[0]["vcpus"] == 2


def test_show_table_format(capsys, fixture_snapshot):
    rc, out, _ = _show(
        capsys,
        fixture_snapshot,
        "ebs",
        "--columns",
        "volume_type,region",
        "--filter",
        "volume_type=gp3",
    )
    assert rc == 0
    assert out.split()[:2] == ["volume_type", "region"]
    assert out.count("gp3") == len(
        read_snapshot(fixture_snapshot).ebs.query("volume_type == 'gp3'")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ec2x"], "valid kinds: ec2, ec2_prices, ebs"),
        (["ec2", "--columns", "instance_type,nope"], "unknown column(s) nope"),
        (["ec2", "--filter", "nope=1"], "unknown column 'nope'"),
        (["ec2", "--filter", "vcpus"], "expected COL=VALUE"),
        (["ec2", "--filter", "vcpus=two"], "numeric"),
    ],
)
def test_show_user_errors(capsys, fixture_snapshot, args, message):
    rc, out, err = _show(capsys, fixture_snapshot, *args)
    assert rc == 1 and out == ""
    assert message in err


def test_info_prints_the_manifest(capsys, fixture_snapshot):
    assert main(["catalog", "info", "--snapshot", str(fixture_snapshot)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info == json.loads((fixture_snapshot / "manifest.json").read_text())
    assert all(s["path"] and s["origin"] for s in info["sources"])


def test_build_command(make_readers, capsys, catalog_data, tmp_path, monkeypatch):
    monkeypatch.setattr(catalog.build, "_local_readers", make_readers)
    out = tmp_path / "snap"
    rc = main(
        [
            "catalog",
            "build",
            "--source",
            "local",
            str(catalog_data),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    printed = capsys.readouterr()
    assert rc == 0
    assert f"written to {out}" in printed.out
    assert "ec2_prices" in printed.out and printed.err == ""
    assert read_snapshot(out).manifest["build"]["inputs"] == ["tests/fixtures/catalog/data"]


def test_build_command_errors(capsys, tmp_path):
    rc = main(
        [
            "catalog",
            "build",
            "--source",
            "local",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "snap"),
            "--no-progress",
        ]
    )
    assert rc == 1 and "does not exist" in capsys.readouterr().err
    rc = main(
        [
            "catalog",
            "build",
            "--source",
            "local",
            "--regions",
            "us-east-1",
            "--out",
            str(tmp_path / "snap"),
        ]
    )
    assert rc == 1 and "--regions" in capsys.readouterr().err
    assert not (tmp_path / "snap").exists()
