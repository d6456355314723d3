"""One-way imports: the layer contracts in pyproject.toml hold, and no module imports in a circle.

Both checks read the real import graph (grimp, the engine behind import-linter), lazy imports
inside functions included, so a reversed import anywhere fails here and in ``lint-imports``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foundation", "catalog", "recommender")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                t = targets[i]
                if t not in index:
                    work.append((t, 0))
                elif t in on_stack:
                    low[node] = min(low[node], index[t])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    # Package __init__ modules that re-export their children form trivial pairs; those count too,
    # except a package importing its own submodule (the child does not import it back then).
    assert _cycles(graph) == []


def test_catalog_never_imports_recommender(graph: grimp.ImportGraph) -> None:
    offenders = [
        (m, t)
        for m in graph.modules
        if m.split(".")[0] in {"catalog", "foundation"}
        for t in graph.find_modules_directly_imported_by(m)
        if t.split(".")[0] == "recommender"
    ]
    assert offenders == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check can fail: a hand-made graph with a circle is reported."""
    g = grimp.ImportGraph()
    for m in ("a", "b", "c"):
        g.add_module(m)
    g.add_import(importer="a", imported="b")
    g.add_import(importer="b", imported="c")
    g.add_import(importer="c", imported="a")
    assert _cycles(g) == [["a", "b", "c"]]


def test_layer_contracts_hold() -> None:
    """``lint-imports`` (the contracts in pyproject.toml) passes on the tree as it is."""
    run = subprocess.run(
        [sys.executable, "-m", "importlinter.cli", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if "No module named importlinter.cli" in run.stderr:
        run = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
