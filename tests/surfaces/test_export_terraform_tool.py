"""Terraform output is laid out as ``terraform fmt`` lays it out, and Terraform accepts it.

Three checks: the layout rule as Terraform's style guide states it
(https://developer.hashicorp.com/terraform/language/style: two spaces per nesting level, the
equals signs of consecutive single-line arguments aligned), on a hand-written expectation;
the real ``terraform fmt -check`` on every preset's export and every export test case; and
``terraform validate`` (HCL and JSON syntax) against the AWS provider's schema, taken from a
local provider mirror (no network).  The last two skip, with the reason, where the
``terraform`` binary or the mirror is absent.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from test_export import CASES

from recommender import recommend
from recommender.app.presets import get_preset, preset_names
from recommender.surfaces.export import export_response
from recommender.surfaces.export.hcl import Block, Expr, nested, render

TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(
    TERRAFORM is None, reason="no terraform binary on PATH (the fmt check needs the real tool)")
#: A filesystem mirror of the AWS provider (``registry.terraform.io/hashicorp/aws/...``).
MIRROR = Path(os.environ.get("RECOMMENDER_TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
needs_provider = pytest.mark.skipif(
    TERRAFORM is None or not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir(),
    reason=f"terraform validate needs the terraform binary and an AWS provider mirror in "
           f"{MIRROR} (set RECOMMENDER_TF_PLUGIN_MIRROR); the registry is not reachable")
#: No upgrade check over the network; no user CLI configuration.
_ENV = {**os.environ, "CHECKPOINT_DISABLE": "1"}


def test_layout_follows_the_style_guide() -> None:
    block = Block("resource", "aws_instance", "web", body=[
        ("ami", "abc123"),
        ("instance_type", "t2.micro"),
        ("skipped", None),  # unset arguments are left out, not written as null
        ("root_block_device", nested(("volume_size", 8), ("encrypted", True))),
        ("tags", {"Name": "web"}),
        ("count", Expr("var.n")),
        ("metadata_options", nested()),
    ])
    # Written by hand from the guide: the run before the nested block is aligned on its
    # longest name (instance_type, 13 characters); the block ends the run; the two
    # arguments after it form a run of their own; an empty block stays on one line.
    expected = (
        'resource "aws_instance" "web" {\n'
        '  ami           = "abc123"\n'
        '  instance_type = "t2.micro"\n'
        "  root_block_device {\n"
        "    volume_size = 8\n"
        "    encrypted   = true\n"
        "  }\n"
        '  tags  = { Name = "web" }\n'
        "  count = var.n\n"
        "  metadata_options {}\n"
        "}"
    )
    assert render(block) == expected


@functools.cache
def _preset(name: str) -> dict[str, Any]:
    return recommend(get_preset(name)).model_dump(mode="json")


def _fmt_check(text: str, where: Path) -> subprocess.CompletedProcess[str]:
    where.mkdir()
    (where / "main.tf").write_text(text)
    assert TERRAFORM is not None
    return subprocess.run([TERRAFORM, "fmt", "-check", "-diff", str(where)], env=_ENV,
                          capture_output=True, text=True, timeout=60, check=False)


@needs_terraform
@pytest.mark.parametrize("name", preset_names())
def test_preset_terraform_is_fmt_clean(name: str, tmp_path: Path) -> None:
    done = _fmt_check(export_response(_preset(name), "terraform"), tmp_path / name)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_terraform
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_case_terraform_is_fmt_clean(case: str, tmp_path: Path) -> None:
    done = _fmt_check(export_response(CASES[case], "terraform"), tmp_path / case)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_terraform
def test_the_check_can_fail(tmp_path: Path) -> None:
    # The same argument pair unaligned: terraform fmt must flag it (the check is live).
    done = _fmt_check('locals {\n  a = 1\n  bb = 2\n}\n', tmp_path / "bad")
    assert done.returncode != 0


def _cli_config(where: Path) -> dict[str, str]:
    """An environment whose CLI configuration installs providers from the mirror only."""
    config = where / "cli.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{MIRROR}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n')
    return {**_ENV, "TF_CLI_CONFIG_FILE": str(config)}


def _module_call(name: str, hcl_text: str) -> str:
    """A module block passing a placeholder for each variable without a default."""
    args = []
    for block in hcl2.loads(hcl_text).get("variable", []):
        for var, body in block.items():
            if "default" not in body:
                value = '["x"]' if "list" in str(body.get("type")) else '"x"'
                args.append(f"  {var.strip(chr(34))} = {value}\n")
    return f'module "{name}" {{\n  source = "./{name}"\n{"".join(args)}}}\n'


def _terraform(args: list[str], where: Path,
               env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    return subprocess.run([TERRAFORM, *args, "-no-color"], cwd=where, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _validate(where: Path, configs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``terraform validate`` of every response's export, in both syntaxes, in one run:
    each export is a child module of one root (one provider schema load for all)."""
    env = _cli_config(where)
    root = ['terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n']
    for name, response in configs.items():
        hcl_text = export_response(response, "terraform")
        for fmt, file in (("terraform", "main.tf"), ("terraform-json", "main.tf.json")):
            module = f"{name}_{fmt}".replace("-", "_")
            (where / module).mkdir()
            (where / module / file).write_text(export_response(response, fmt))
            root.append(_module_call(module, hcl_text))
    (where / "main.tf").write_text("\n".join(root))
    init = _terraform(["init", "-backend=false", "-input=false"], where, env)
    assert init.returncode == 0, init.stdout + init.stderr
    return dict(json.loads(_terraform(["validate", "-json"], where, env).stdout))


def _problems(result: dict[str, Any]) -> list[str]:
    return [f"{d.get('range', {}).get('filename')}: {d['severity']} {d['summary']} "
            f"{d.get('detail', '')}" for d in result["diagnostics"]]


@needs_provider
def test_every_export_validates_against_the_provider_schema(tmp_path: Path) -> None:
    configs = {**{f"preset_{n}": _preset(n) for n in preset_names()},
               **{f"case_{c}": r for c, r in CASES.items()}}
    result = _validate(tmp_path, configs)
    assert result["valid"] and result["warning_count"] == 0, "\n".join(_problems(result))


@needs_provider
def test_validate_can_fail(tmp_path: Path) -> None:
    # An argument the provider does not have: validate must reject it (the check is live).
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        'resource "aws_s3_bucket" "x" {\n  no_such_argument = 1\n}\n')
    env = _cli_config(tmp_path)
    assert _terraform(["init", "-backend=false", "-input=false"], tmp_path, env).returncode == 0
    result = json.loads(_terraform(["validate", "-json"], tmp_path, env).stdout)
    assert result["valid"] is False
