"""The notebooks run top to bottom against the embedded snapshot (executed with nbclient)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ALLOWED_IMPORTS = {"catalog", "recommender"}


def test_there_are_at_least_three_notebooks() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert len(names) >= 3
    assert {"01_explore_catalog", "02_size_one_workload", "03_capacity_planning_sweep"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_imports_only_the_project(path: Path) -> None:
    import nbformat  # on use: it imports jsonschema's format checkers (seconds, per worker)

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED_IMPORTS, f"{path.name} imports {roots - ALLOWED_IMPORTS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    # Any cell error raises CellExecutionError naming the cell and the traceback.
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    elapsed = time.monotonic() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a cell did not run"
    assert code[-1].outputs, "the last cell shows nothing"
    texts = [o.get("text", "") for c in code for o in c.outputs if o.get("name") == "stderr"]
    assert not any("IProgress" in t or "TqdmWarning" in t for t in texts), texts
    charts = [o for c in code for o in c.outputs if "application/vnd.plotly.v1+json" in
              o.get("data", {}) or "text/html" in o.get("data", {})]
    if "plotly" in path.read_text() or "charts." in path.read_text():
        assert charts, "no chart output a static view can show"
    assert elapsed < 90, f"{path.name} took {elapsed:.0f} s"
