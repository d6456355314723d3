"""``recommender catalog show`` range filters, sort, natural size order, price join, pipes;
``recommender recommend --preset``; the examples/ files the README names; help examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from catalog.naming import natural_order, size_rank
from recommender.core.response import RecommendationResponse
from recommender.presets import get_preset, preset_names
from recommender.surfaces.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def _json(capsys, *args: str) -> list[dict]:
    assert main(["catalog", "show", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_range_filters_all_hold(capsys, catalog) -> None:
    rows = _json(capsys, "ec2", "--filter", "vcpus>=4", "--filter", "memory_gib<=16",
                 "--filter", "arch=arm64")
    ec2 = catalog.ec2
    expected = ec2[(ec2.vcpus >= 4) & (ec2.memory_gib <= 16) & (ec2.arch == "arm64")]
    assert len(rows) == len(expected) > 0
    assert all(r["vcpus"] >= 4 and r["memory_gib"] <= 16 for r in rows)


def test_natural_size_order() -> None:
    # EC2 naming: 2xlarge (8 vCPUs on m5) comes before 12xlarge (48), large before xlarge.
    assert size_rank("large") < size_rank("xlarge") < size_rank("2xlarge") < size_rank("12xlarge")
    assert size_rank("metal") > size_rank("48xlarge")
    df = pd.DataFrame({"instance_type": ["m5.12xlarge", "m5.2xlarge", "m5.large", "m5.metal"]})
    assert natural_order(df)["instance_type"].tolist() == [
        "m5.large", "m5.2xlarge", "m5.12xlarge", "m5.metal"]


def test_default_order_is_natural_and_sort_by_price_joins_the_region(capsys, catalog) -> None:
    rows = _json(capsys, "ec2", "--filter", "family=m5")
    sizes = [r["instance_type"] for r in rows]
    assert sizes.index("m5.2xlarge") < sizes.index("m5.12xlarge")
    rows = _json(capsys, "ec2", "--region", "eu-west-1", "--filter", "vcpus>=4",
                 "--sort", "ondemand_usd_per_hour")
    prices = [r["ondemand_usd_per_hour"] for r in rows if r["ondemand_usd_per_hour"] is not None]
    assert prices == sorted(prices) and prices
    p = catalog.ec2_prices
    m5 = p[(p.region == "eu-west-1") & (p.instance_type == "m5.xlarge")]
    joined = next(r for r in rows if r["instance_type"] == "m5.xlarge")
    assert joined["ondemand_usd_per_hour"] == pytest.approx(float(m5.ondemand_usd_per_hour.iloc[0]))


@pytest.mark.parametrize(("args", "message"), [
    (["ec2", "--filter", "arch>3"], "column is text"),
    (["ec2", "--filter", "vcpus>=four"], "not a number"),
    (["ec2", "--sort", "nope"], "unknown column(s) nope"),
    (["ec2", "--region", "moon-base-1"], "priced regions: "),
])
def test_show_errors_name_the_rule(args, message, capsys) -> None:
    assert main(["catalog", "show", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_table_goes_through_rich_and_a_closed_pipe_is_quiet() -> None:
    cmd = (f"{sys.executable} -m recommender.surfaces.cli.main catalog show ec2 "
           "| head -n 3")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert "instance_type" in done.stdout
    assert "BrokenPipeError" not in done.stderr and "Traceback" not in done.stderr


def test_every_command_ends_quietly_on_a_closed_pipe() -> None:
    # Any command, not only catalog show (predict-runtime's JSON is larger than a pipe's
    # buffer, so the write fails once head has exited): no message, exit 0.
    cmd = (f"{sys.executable} -m recommender.surfaces.cli.main predict-runtime "
           "examples/job.json | head -c 20")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.stdout.startswith("{")
    assert done.stderr == "" and done.returncode == 0, done.stderr


def test_recommend_preset(capsys) -> None:
    assert main(["recommend", "--preset", "web_app"]) == 0
    resp = RecommendationResponse.model_validate_json(capsys.readouterr().out)
    assert resp.name == "web app" and resp.options("compute")
    assert main(["recommend"]) == 1
    assert "--preset" in capsys.readouterr().err


def test_examples_are_the_presets_and_a_valid_response() -> None:
    examples = ROOT / "examples"
    assert json.loads((examples / "profile.json").read_text()) == get_preset("web_app")
    lines = (examples / "profiles.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [get_preset(n) for n in preset_names()]
    resp = RecommendationResponse.model_validate_json((examples / "response.json").read_text())
    assert resp.name == "web app"


@pytest.mark.parametrize("argv", [["recommend"], ["catalog"], ["catalog", "show"],
                                  ["catalog", "build"], ["catalog", "info"]])
def test_help_has_a_description_and_an_example(argv, capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "recommender " in out.split("examples:")[1]


def test_build_without_source_data_says_where_it_comes_from(tmp_path, capsys) -> None:
    rc = main(["catalog", "build", "--source", "local", str(tmp_path / "absent"),
               "--out", str(tmp_path / "snap")])
    err = capsys.readouterr().err
    assert rc == 1 and "does not exist" in err
    assert "recommender catalog info" in err and "--source aws" in err
