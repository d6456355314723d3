"""The one-shot CLI start-up (recommender.surfaces.cli.startup): dataclass code from the cache
behaves as freshly compiled code, a damaged cache is ignored and rewritten, the patch on
``dataclasses`` never outlives its block, BLAS runs on one thread only for a first import."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.surfaces.cli import startup

ROOT = Path(__file__).resolve().parents[2]


def _make_point() -> type:
    """A frozen, ordered dataclass with a default factory: most generated methods at once."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: float = 0.5
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)

    return Point


def _check_point(cls: type) -> None:
    # What the generated __init__, __repr__, __eq__, __lt__, __hash__ and frozen
    # __setattr__ must do (the dataclasses documentation), whichever way they were compiled.
    p = cls(1)
    assert (p.x, p.y, p.tags) == (1, 0.5, [])
    assert repr(p) == "_make_point.<locals>.Point(x=1, y=0.5, tags=[])"
    assert p == cls(1, 0.5, ["other"]) and p < cls(2) and hash(p) == hash(cls(1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        cls()  # x has no default


def test_second_process_compiles_nothing_and_gets_the_same_methods(tmp_path: Path) -> None:
    path = tmp_path / "code.bin"
    first = startup.DataclassCode(path)
    with first.installed():
        fresh = _make_point()
    assert first.compiled > 0 and path.exists()  # saved: it had to compile
    _check_point(fresh)

    second = startup.DataclassCode(path)  # a new process reads the file
    with second.installed():
        cached = _make_point()
    assert second.compiled == 0 and second.used  # every method came from the file
    _check_point(cached)
    for name in ("__init__", "__repr__", "__eq__", "__lt__", "__setattr__", "__hash__"):
        # __repr__ is wrapped by dataclasses' recursion guard: compare the generated function.
        a, b = (inspect.unwrap(getattr(c, name)).__code__ for c in (fresh, cached))
        assert a.co_code == b.co_code and a.co_consts == b.co_consts, name
        assert a.co_filename == b.co_filename == "<string>"


def test_code_is_what_exec_compiles() -> None:
    source = "def __create_fn__(x):\n def f(self):\n  return x + 1\n return f"
    ns: dict[str, object] = {}
    startup.DataclassCode(None).exec(source, {}, ns)
    direct: dict[str, object] = {}
    exec(source, {}, direct)  # noqa: S102 - the builtin the cache stands in for
    made, want = ns["__create_fn__"](41), direct["__create_fn__"](41)  # type: ignore[operator]
    assert made(None) == want(None) == 42  # type: ignore[operator]
    assert made.__code__.co_code == want.__code__.co_code  # type: ignore[attr-defined]


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # cut short
    lambda b: b[:-10] + bytes(255 - x for x in b[-10:]),  # flipped bytes in the marshal data
    lambda b: b"another program's file",
    lambda b: b"",
])
def test_damaged_file_is_an_empty_cache_then_rewritten(tmp_path: Path, damage) -> None:  # noqa: ANN001
    path = tmp_path / "code.bin"
    with startup.DataclassCode(path).installed():
        _make_point()
    path.write_bytes(damage(path.read_bytes()))
    again = startup.DataclassCode(path)
    assert again.codes == {}
    with again.installed():
        _check_point(_make_point())
    assert again.compiled > 0
    assert startup.DataclassCode(path).codes  # whole again


def test_the_patch_is_removed_even_when_the_block_fails(tmp_path: Path) -> None:
    cache = startup.DataclassCode(tmp_path / "code.bin")
    with pytest.raises(RuntimeError), cache.installed():
        assert dataclasses.exec == cache.exec  # type: ignore[attr-defined]
        raise RuntimeError("boom")
    assert "exec" not in vars(dataclasses)


def test_disabled_cache_has_no_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", "none")
    assert startup.code_cache_path() is None
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path))
    path = startup.code_cache_path()
    assert path is not None and path.parent == tmp_path / "code"
    assert sys.implementation.cache_tag in path.name  # code objects are per interpreter


def test_one_shot_restores_the_collector() -> None:
    assert gc.isenabled()
    with startup.one_shot():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with startup.one_shot():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def _fresh(code: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="threads read from /proc")
def test_blas_is_single_threaded_only_for_a_first_import(tmp_path: Path) -> None:
    code = """
import json, os
from recommender.surfaces.cli.startup import one_shot
def threads():
    return int(open("/proc/self/status").read().split("Threads:")[1].split()[0])
with one_shot():
    import numpy
    inside = os.environ.get("OPENBLAS_NUM_THREADS")
print(json.dumps({"threads": threads(), "inside": inside,
                  "after": os.environ.get("OPENBLAS_NUM_THREADS")}))
"""
    env = {k: v for k, v in os.environ.items() if k not in startup._BLAS_VARS}
    env["RECOMMENDER_CACHE_DIR"] = str(tmp_path)
    got = _fresh(code, env)
    assert got == {"threads": 1, "inside": "1", "after": None}  # no child inherits it
    # A thread count the user chose is left alone.
    got = _fresh(code, {**env, "OPENBLAS_NUM_THREADS": "2"})
    assert got["inside"] == "2" and got["after"] == "2"


def test_warm_cli_process_reads_the_code_cache(tmp_path: Path) -> None:
    """The first ``recommend`` process writes the cache; the next compiles nothing new, so it
    leaves the file as it is (written only when something had to be compiled)."""
    env = {**os.environ, "RECOMMENDER_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "recommender", "recommend", "examples/profile.json",
           "--rules-only"]
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    (path,) = (tmp_path / "code").glob("dataclass-*.bin")
    stamp = path.stat().st_mtime_ns
    assert len(startup.DataclassCode(path).codes) > 100  # the engine's dataclasses, all kept
    second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and second.stdout == first.stdout
    assert path.stat().st_mtime_ns == stamp
