"""Terraform output is laid out as ``terraform fmt`` lays it out.

Two checks: the layout rule as Terraform's style guide states it
(https://developer.hashicorp.com/terraform/language/style: two spaces per nesting level, the
equals signs of consecutive single-line arguments aligned), on a hand-written expectation;
and the real ``terraform fmt -check`` on every preset's export and every export test case,
skipped (with the reason) where no ``terraform`` binary is installed.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_export import CASES

from recommender import recommend
from recommender.app.presets import get_preset, preset_names
from recommender.surfaces.export import export_response
from recommender.surfaces.export.hcl import Block, Expr, nested, render

TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(
    TERRAFORM is None, reason="no terraform binary on PATH (the fmt check needs the real tool)")


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
    return subprocess.run([TERRAFORM, "fmt", "-check", "-diff", str(where)],
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
