"""The house limits on size hold everywhere (the counter lives in ``tools/check_sizes.py``)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

_TOOL = Path(__file__).resolve().parents[2] / "tools" / "check_sizes.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_sizes", _TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_sizes", module)
    spec.loader.exec_module(module)
    return module


sizes = _load()
#: One pass over the repository for the three kinds (each pass parses every module).
_repo_offenders = functools.cache(sizes.offenders)


def test_counter_counts_logic_only() -> None:
    # Lines 5 (x = 1), 8 (def) and 10 (return) are code; docstrings, comments, blanks are not.
    src = '"""Doc\nstring."""\n\n# comment\nx = 1\n\n\ndef f():\n    """Doc."""\n    return x\n'
    assert sorted(sizes.logic_lines(src)) == [5, 8, 10]


def test_counter_finds_a_long_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A function of 61 assignment lines and 6 positional parameters must be reported: the check
    # can fail.
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    bad = tmp_path / "bad.py"
    bad.write_text(f"def long(a, b, c, d, e, f):\n{body}")
    monkeypatch.setattr(sizes, "ROOT", tmp_path)
    monkeypatch.setattr(sizes, "SOURCES", [bad])
    found = sizes.offenders()
    assert found["functions"] == ["bad.py:1 long: 62 lines"]
    assert found["params"] == ["bad.py:1 long: 6 positional"]


@pytest.mark.parametrize("kind", ["functions", "params", "modules"])
def test_size_limits(kind: str) -> None:
    found = _repo_offenders()[kind]
    assert found == [], "\n".join(found)
