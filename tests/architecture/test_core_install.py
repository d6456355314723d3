"""``pip install .`` alone (no extras) gives a working ``recommend()`` and CLI.

The core's dependencies exclude streamlit, plotly, fastapi, uvicorn and boto3 (they are the
``app``, ``api`` and ``aws`` extras).  A fresh interpreter in which importing any of them fails
must still recommend and run the CLI's ``recommend`` command.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRAS_ONLY = ("streamlit", "plotly", "fastapi", "uvicorn", "starlette", "boto3", "botocore",
               "dask", "distributed")

# A meta-path finder that refuses the extras' packages, as if they were not installed.
_BLOCK = textwrap.dedent(f"""
    import importlib.abc, sys
    BLOCKED = {EXTRAS_ONLY!r}
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None
    sys.meta_path.insert(0, Block())
""")


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "probe.py"
    script.write_text(_BLOCK + textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)


def test_blocker_blocks(tmp_path: Path) -> None:
    """The probe can fail: importing a blocked package raises."""
    run = _run("import fastapi\n", tmp_path)
    assert run.returncode != 0 and "No module named 'fastapi'" in run.stderr


@pytest.mark.slow
def test_recommend_without_extras(tmp_path: Path) -> None:
    run = _run("""
        import json
        from recommender import recommend
        r = recommend({"name": "core-only", "region": "us-east-1",
                       "compute": {"vcpus": {"min": 2}, "memory_gib": {"min": 4}}})
        assert r.recommendations.compute, r.warnings
        print(json.dumps({"first": r.recommendations.compute[0].option}))
    """, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1])["first"]


@pytest.mark.slow
def test_cli_recommend_without_extras(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "cli-core", "region": "us-east-1",
                                   "compute": {"vcpus": {"min": 2}, "memory_gib": {"min": 4}}}))
    run = _run(f"""
        import sys
        from recommender.surfaces.cli.main import main
        sys.exit(main(["recommend", {str(profile)!r}]))
    """, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout)["recommendations"]["compute"]
