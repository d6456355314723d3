"""What a one-shot CLI process does to start sooner (issue 11: ``recommend`` in at most 0.8 s).

A ``recommender recommend`` process imports the engine once, answers once and exits, so three
costs of a long-lived process are paid for nothing; :func:`one_shot` removes them around the
command, without changing what it computes:

* **The cyclic collector.**  The first import builds about a million objects (pydantic's model
  schemas, the rules' tables), none of them garbage, and the collector would scan them again
  and again (~0.15 s).  It is paused for the whole command; what the import built is frozen
  (``gc.freeze``: never scanned again) and the collector resumes when the command returns, so
  a caller that runs several commands in one process (the tests) is collected as before.
* **BLAS threads.**  numpy's OpenBLAS starts a thread per core at import (~30 ms of CPU here,
  more wall time on a loaded machine); the engine's matrix products are a few hundred rows,
  below OpenBLAS's own threading threshold, so they run on one thread anyway and give the same
  bits.  ``OPENBLAS_NUM_THREADS=1`` is set for the import only when numpy is not loaded yet and
  the user chose no thread count, then removed again (no child process inherits it).
* **Compiling dataclass methods.**  :mod:`dataclasses` writes the source of every generated
  method (``__init__``, ``__eq__``, ``__repr__``...) and compiles it with ``exec``: about 500
  compilations for the ~110 dataclasses the engine imports (ours, pydantic's,
  annotated-types'), ~0.1 s a process.  :class:`DataclassCode` compiles each source text once
  and keeps the code objects (``marshal``, as Python keeps ``.pyc`` files) in the user's cache
  directory, keyed by the text itself: the same text compiles to the same code, so a method
  made from the cache is the one ``exec`` would have made.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import gc
import hashlib
import importlib.util
import marshal
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: The first bytes of a code-cache file; a sha256 of the rest follows, then the marshal data.
MAGIC = b"RECOMMENDER-DATACLASS-CODE\0"
#: Environment variables OpenBLAS reads for its thread count (any one set: the user chose).
_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def code_cache_path() -> Path | None:
    """The code-cache file for this interpreter (``<cache dir>/code/``), or None when the cache
    is disabled (``RECOMMENDER_CACHE_DIR=none``, as for the other caches).

    The name carries the interpreter's bytecode tag and magic number and its optimisation
    level: code objects are only valid for the Python that compiled them.
    """
    from catalog.validated import cache_root

    root = cache_root()
    if root is None:
        return None
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    return root / "code" / f"dataclass-{tag}-O{sys.flags.optimize}.bin"


class DataclassCode:
    """Code objects of :mod:`dataclasses`' generated sources, read from and kept in ``path``.

    :meth:`exec` stands in for the builtin ``exec`` inside :mod:`dataclasses` (see
    :meth:`installed`): a source text seen before runs its cached code object, a new one is
    compiled as ``exec`` compiles it (file name ``<string>``, no inherited ``__future__``
    flags: :mod:`dataclasses` has none).  A missing, damaged or foreign file is an empty
    cache; :meth:`save` writes the codes this process used, crash-safely, when it compiled any.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.codes: dict[str, types.CodeType] = _read(path) if path is not None else {}
        self.used: dict[str, types.CodeType] = {}
        self.compiled = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002
        """``exec(source, globals, locals)``, compiling a text source at most once."""
        if type(source) is str:
            code = self.codes.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.codes[source] = code
                self.compiled += 1
            self.used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    @contextlib.contextmanager
    def installed(self) -> Iterator[DataclassCode]:
        """:mod:`dataclasses` calls :meth:`exec` inside the block (its module-level ``exec``
        name shadows the builtin), then the builtin again; the cache is saved after."""
        had = "exec" in vars(dataclasses)
        previous = vars(dataclasses).get("exec")
        dataclasses.exec = self.exec  # type: ignore[attr-defined]
        try:
            yield self
        finally:
            if had:
                dataclasses.exec = previous  # type: ignore[attr-defined]
            else:
                del dataclasses.exec  # type: ignore[attr-defined]
            self.save()

    def save(self) -> None:
        """Write the codes used in this process when any had to be compiled (best effort: the
        cache is a speed-up only; older sources drop out as they stop being used)."""
        if self.path is None or not self.compiled:
            return
        with contextlib.suppress(Exception):  # noqa: SIM105 - a failed write costs a compile
            from foundation.atomic import atomic_write_bytes

            payload = marshal.dumps(self.used)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, MAGIC + hashlib.sha256(payload).digest() + payload)


def _read(path: Path) -> dict[str, types.CodeType]:
    """The cached codes in ``path``; empty when it is missing, damaged or not ours.  The
    checksum is checked before ``marshal`` reads anything, so only bytes this module wrote
    (in the user's own cache directory, as Python's ``.pyc`` files are) are ever unmarshalled."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or hashlib.sha256(data[head:]).digest() != data[len(MAGIC):head]:
        return {}
    try:
        codes = marshal.loads(data[head:])
    except (ValueError, EOFError, TypeError):
        return {}
    if type(codes) is not dict or not all(
            type(k) is str and type(v) is types.CodeType for k, v in codes.items()):
        return {}
    return codes


@contextlib.contextmanager
def _single_blas_thread() -> Iterator[None]:
    """``OPENBLAS_NUM_THREADS=1`` while numpy is first imported (see the module docstring)."""
    if "numpy" in sys.modules or any(v in os.environ for v in _BLAS_VARS):
        yield
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)


@contextlib.contextmanager
def one_shot() -> Iterator[None]:
    """The collector paused for the block; while the engine is not loaded yet, BLAS on one
    thread and dataclass code from the cache too.  The caller freezes what its first import
    built (``gc.freeze``) before the collector resumes at the end of the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if "recommender.core.engine" in sys.modules:
            yield
        else:
            with _single_blas_thread(), DataclassCode(code_cache_path()).installed():
                yield
    finally:
        if was_enabled:
            gc.enable()
