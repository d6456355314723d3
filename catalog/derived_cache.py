"""A disk cache of indexes derived from a verified snapshot, so a new process need not rebuild them.

Every CLI process used to rebuild the EC2 index (specs and prices joined into numpy arrays,
about 0.1 s) from the tables it had just read.  The index depends only on the tables' bytes
and on the code that builds it, so :meth:`catalog.store.Catalog.derive` with ``persist=`` keeps
it in the user's cache directory under a key made of:

* the index's name and class,
* the snapshot's identity: the sha256 of every table file as its manifest records them (the
  reader has just checked the bytes against them, so changed bytes mean a new key),
* the code's fingerprint: the source of every module in the packages that define the class and
  its builder (a builder's helpers live beside it), of this module, of
  :mod:`catalog.table_columns` and :mod:`catalog.derived_file`, and the numpy, pandas and
  Python versions.

Only a frozen dataclass whose fields are numpy arrays (numbers, booleans, or objects that are
all ``str`` or ``None``), numbers, strings, lists, dicts with ``str`` keys, tuples of these, or
such dataclasses again -- or a dict from tuples of str/int to such values -- can be stored
(:class:`TableColumns` holds a table's rows in that form, so a rule that reads rows as dicts
need not parse the table with pandas in a warm process), in a file of one JSON header and the
arrays' raw bytes (:mod:`catalog.derived_file`: no object array is ever read, so loading it
cannot run code; a CRC-32 catches damaged bytes).  What is written is decoded again and compared
with the built index first (anything that would not come back equal is not cached), written
crash-safely (:mod:`foundation.atomic`), and on load every field's presence and kind is checked;
a missing, damaged or foreign file means a fresh build (which then replaces it).  The cache is a
speed-up only: any problem reading or writing it is silent.  ``RECOMMENDER_CACHE_DIR`` relocates
it (``none`` disables it, as for :mod:`catalog.validated`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from catalog.derived_file import Arrays, NotStorable, pack
from catalog.table_columns import TableColumns as TableColumns  # re-exported: stored here
from catalog.validated import cache_root
from foundation.atomic import atomic_write_bytes

_T = TypeVar("_T")
#: Bumped when the file layout below changes.
FORMAT = "2"
#: The suffix of a file's name (its layout: :mod:`catalog.derived_file`).
SUFFIX = ".idx"


def cache_dir() -> Path | None:
    """Where derived indexes live (``<cache root>/derived``), or None when disabled."""
    root = cache_root()
    return None if root is None else root / "derived"


@cache
def _source_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _package_dirs(objs: tuple[Any, ...]) -> frozenset[str]:
    """The directories of the modules that define ``objs`` (builtins have none)."""
    dirs = set()
    for obj in objs:
        module = sys.modules.get(getattr(obj, "__module__", "") or "")
        path = getattr(module, "__file__", None)
        if path and module is not None and module.__name__ != "builtins":
            dirs.add(_real_dir(path))
    if not dirs:
        raise NotStorable(f"no source files to fingerprint for {objs!r}")
    return frozenset(dirs)


@cache
def _real_dir(path: str) -> str:
    return os.path.dirname(os.path.realpath(path))


@cache
def _files_of(dirs: frozenset[str]) -> tuple[str, ...]:
    """Every ``.py`` file in ``dirs`` (as ``glob("*.py")`` lists them: no hidden ones) and
    the modules every stored file depends on; once per process and set of directories (a
    warm run asks for a dozen keys over a few packages: ~15 ms with pathlib each time)."""
    import catalog.derived_file as layout
    import catalog.table_columns as columns  # rows kept as TableColumns depend on it too

    found = {f"{d}{os.sep}{n}" for d in dirs for n in os.listdir(d)
             if n.endswith(".py") and not n.startswith(".")}
    return tuple(sorted(found | {str(Path(__file__)), str(Path(columns.__file__)),
                                 str(Path(layout.__file__))}))


@cache
def _code_digest(dirs: frozenset[str]) -> str:
    return "\0".join(_source_digest(f) for f in _files_of(dirs))


def code_files(*objs: Any) -> list[str]:
    """Every ``.py`` file of the packages that define ``objs`` (builtins have none), and this
    module: an index's builder may call helpers of its own package, so all of them count."""
    return list(_files_of(_package_dirs(objs)))


@cache
def pandas_version() -> str:
    """pandas' version, read without importing it (a warm process that loads every index from
    here never needs pandas, a 0.4 s import): its ``_version_meson.py`` beside its package, else
    the imported module's ``__version__``."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("pandas")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    with contextlib.suppress(OSError):
        if origin is not None:
            text = (origin.parent / "_version_meson.py").read_text(encoding="utf-8")
            found = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
            if found:
                return found.group(1)
    import pandas as pd

    return str(pd.__version__)


def cache_key(name: str, cls: type, build: Callable[..., Any], manifest: dict[str, Any]) -> str:
    """The file key of index ``name``: snapshot identity plus code fingerprint (see module)."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise NotStorable("the manifest lists no files")
    parts = [FORMAT, name, f"{cls.__module__}.{cls.__qualname__}",
             json.dumps(files, sort_keys=True), np.__version__, pandas_version(), sys.version,
             _code_digest(_package_dirs((cls, build)))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _encode_array(key: str, a: np.ndarray, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "array", "writeable": bool(a.flags.writeable)}
    if a.dtype == object:
        flat = a.ravel().tolist()
        if not all(v is None or type(v) is str for v in flat):
            raise NotStorable(f"{key}: object array holds values other than str/None")
        # Stored as codes into the distinct strings (a grid of regions x types repeats a few
        # dozen source names thousands of times); code -1 is None.
        uniq = sorted({v for v in flat if v is not None})
        at = {v: i for i, v in enumerate(uniq)}
        arrays[f"{key}.values"] = np.array(uniq, dtype=str)
        # The narrowest signed codes: a region x type grid of a few dozen names is 1/8 the
        # bytes of int64 (the commitments' arrays were 8.6 MB), so a warm load reads less.
        width = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                     if len(uniq) < np.iinfo(t).max)
        arrays[key] = np.array([-1 if v is None else at[v] for v in flat],
                               dtype=width).reshape(a.shape)
        spec["kind"] = "strings"
    elif a.dtype.kind == "f" and a.size > 4096 and np.isnan(a).mean() > 0.75:
        # Mostly NaN (a commitment price grid: few types have each offering): only the
        # numbers and their flat positions are stored (the commitments' file was 4.9 MB).
        pos = np.flatnonzero(~np.isnan(a))
        arrays[f"{key}.at"] = pos.astype(np.int64)
        arrays[key] = a.reshape(-1)[pos]
        spec.update(kind="sparse", shape=list(a.shape), dtype=a.dtype.str)
    elif a.dtype.kind in "biuf":
        arrays[key] = a
    else:
        raise NotStorable(f"{key}: dtype {a.dtype} is not stored")
    return spec


def _encode_value(key: str, v: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if isinstance(v, np.ndarray):
        return _encode_array(key, v, arrays)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {"kind": "dataclass", "fields": _encode_fields(key, v, arrays)}
    if type(v) in (int, float, str, bool) or v is None:
        return {"kind": "scalar", "value": v}
    if type(v) in (list, dict) and _plain(v):  # rows as dicts: JSON as it is (a spec per
        return {"kind": "json", "value": v}  # cell cost ~30 ms to decode for the EBS rows)
    if type(v) is dict and all(type(k) is str for k in v):
        return {"kind": "str_dict", "items": [[k, _encode_value(f"{key}.{i}", x, arrays)]
                                              for i, (k, x) in enumerate(v.items())]}
    if type(v) is list:
        return {"kind": "list", "items": [_encode_value(f"{key}.{i}", x, arrays)
                                          for i, x in enumerate(v)]}
    if type(v) is tuple:
        return {"kind": "tuple", "items": [_encode_value(f"{key}.{i}", x, arrays)
                                           for i, x in enumerate(v)]}
    if type(v) is dict and all(type(k) is tuple and all(type(x) in (str, int) for x in k)
                               for k in v):
        return {"kind": "tuple_dict", "items": [
            [list(k), _encode_value(f"{key}.{i}", x, arrays)]
            for i, (k, x) in enumerate(v.items())]}
    raise NotStorable(f"{key}: {type(v).__name__} is not stored")


def _plain(v: Any) -> bool:
    """Whether ``v`` is made of lists, str-keyed dicts and JSON scalars only (it then comes
    back from ``json.loads`` as it went in; a tuple would come back a list)."""
    if type(v) in (int, float, str, bool) or v is None:
        return True
    if type(v) is list:
        return all(_plain(x) for x in v)
    if type(v) is dict:
        return all(type(k) is str and _plain(x) for k, x in v.items())
    return False


def _encode_fields(prefix: str, obj: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return {f.name: _encode_value(f"{prefix}.{f.name}", getattr(obj, f.name), arrays)
            for f in dataclasses.fields(obj)}


def encode(obj: Any) -> bytes:
    """The file bytes of a dataclass index (raises :class:`NotStorable`)."""
    arrays: dict[str, np.ndarray] = {}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        meta = {"format": FORMAT, "fields": _encode_fields("root", obj, arrays)}
    elif type(obj) in (dict, tuple):
        meta = {"format": FORMAT, "root": _encode_value("root", obj, arrays)}
    else:
        raise NotStorable(f"{type(obj).__name__} is neither a dataclass, a dict nor a tuple")
    return pack(meta, arrays)


def _decode_array(key: str, spec: dict[str, Any], z: Any) -> np.ndarray:
    a = np.array(z[key])  # a copy of its own (the file's arrays are read-only views)
    if spec["kind"] == "sparse":
        at = np.asarray(z[f"{key}.at"])
        out = np.full(tuple(spec["shape"]), np.nan, dtype=np.dtype(spec["dtype"]))
        flat = out.reshape(-1)
        if out.dtype.kind != "f" or at.dtype.kind != "i" or at.shape != a.shape or (
                at.size and not 0 <= int(at.min()) <= int(at.max()) < flat.size):
            raise NotStorable(f"{key}: damaged sparse array")
        flat[at] = a
        a = out
    if spec["kind"] == "strings":
        values = np.asarray(z[f"{key}.values"])
        if a.dtype.kind != "i" or (values.size and values.dtype.kind != "U") or (
                a.size and not -1 <= int(a.min()) <= int(a.max()) < values.size):
            raise NotStorable(f"{key}: damaged string array")
        table = np.empty(values.size + 1, dtype=object)
        table[:-1] = values.tolist()  # Python str, as the built index holds
        table[-1] = None  # code -1
        a = table[a]
    a.setflags(write=bool(spec["writeable"]))
    return a


def _decode_value(key: str, spec: Any, cls: Any, z: Any) -> Any:
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind in ("array", "strings", "sparse"):
        return _decode_array(key, spec, z)
    if kind == "dataclass":
        return _decode_fields(key, spec["fields"], cls, z)
    if kind == "scalar":
        return spec["value"]
    if kind == "json":
        if type(spec["value"]) not in (list, dict):
            raise NotStorable(f"{key}: damaged JSON value")
        return spec["value"]
    if kind == "tuple":
        return tuple(_decode_value(f"{key}.{i}", x, None, z) for i, x in enumerate(spec["items"]))
    if kind == "list":
        return [_decode_value(f"{key}.{i}", x, None, z) for i, x in enumerate(spec["items"])]
    if kind == "str_dict":
        out_s: dict[str, Any] = {}
        for i, (k, x) in enumerate(spec["items"]):
            if type(k) is not str:
                raise NotStorable(f"{key}: damaged key {k!r}")
            out_s[k] = _decode_value(f"{key}.{i}", x, None, z)
        return out_s
    if kind == "tuple_dict":
        out = {}
        for i, (k, x) in enumerate(spec["items"]):
            if not all(type(e) in (str, int) for e in k):
                raise NotStorable(f"{key}: damaged key {k!r}")
            out[tuple(k)] = _decode_value(f"{key}.{i}", x, None, z)
        return out
    raise NotStorable(f"{key}: unknown kind {kind!r}")


def _decode_fields(prefix: str, specs: Any, cls: type, z: Any) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if not isinstance(specs, dict) or set(specs) != set(fields):
        raise NotStorable(f"{prefix}: stored fields differ from {cls.__qualname__}'s")
    values = {}
    for name, spec in specs.items():
        ftype = _field_class(cls, name)
        values[name] = _decode_value(f"{prefix}.{name}", spec, ftype, z)
    return cls(**values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(cls)


def _field_class(cls: type, name: str) -> Any:
    """The dataclass a nested field holds (its annotation resolved), else None."""
    hint = _hints(cls).get(name)
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def decode(data: bytes, cls: type[_T]) -> _T:
    """The index stored by :func:`encode` (raises on anything damaged or foreign)."""
    z = Arrays(data)
    meta = z.meta
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise NotStorable("not a derived-index file of this format")
    if "root" not in meta:
        return _decode_fields("root", meta.get("fields"), cls, z)
    value = _decode_value("root", meta["root"], None, z)
    if type(value) is not cls:
        raise NotStorable(f"stored a {type(value).__name__}, not a {cls.__name__}")
    return value


def same(a: Any, b: Any) -> bool:
    """Whether two decoded/built values are exactly equal (dtypes, NaN places, flags)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape or a.flags.writeable != b.flags.writeable:
            return False
        if a.dtype == object:
            return a.ravel().tolist() == b.ravel().tolist()
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if type(a) is dict:  # keys in the same order too: callers may iterate
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) in (tuple, list):
        return type(a) is type(b) and len(a) == len(b) and all(
            same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is float and type(b) is float and math.isnan(a) and math.isnan(b):
        return True  # a NaN cell (a missing number) came back as NaN
    return type(a) is type(b) and a == b


def load_or_build(name: str, cls: type[_T], build: Callable[[], _T], *,
                  manifest: dict[str, Any], builder: Callable[..., Any]) -> _T:
    """Index ``name`` from the disk cache when a valid copy is there, else ``build()`` (then
    stored for the next process).  ``builder`` is the function whose module's source is part
    of the key (the one that computes the index)."""
    d = cache_dir()
    try:
        path = (None if d is None
                else d / f"{name}-{cache_key(name, cls, builder, manifest)}{SUFFIX}")
    except (NotStorable, OSError):
        path = None
    if path is not None:
        with contextlib.suppress(Exception):  # damaged, foreign, unreadable: build afresh
            return decode(path.read_bytes(), cls)
    value = build()
    if path is not None:
        _store(path, value, cls)
    return value


def _store(path: Path, value: Any, cls: type) -> None:
    """Write ``value`` if it comes back exactly equal; best effort, never raises."""
    with contextlib.suppress(Exception):  # noqa: SIM105 - any failure only costs a rebuild
        if type(value) is not cls:
            return
        data = encode(value)
        if not same(decode(data, cls), value):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        # One file per index name: older snapshots' and code versions' copies go (a rebuilt
        # snapshot would otherwise leave ~3 MB behind each time), and so do the ``.npz``
        # files of the format before this one.
        name = path.name.rsplit("-", 1)[0]
        for pattern in (f"{name}-*{SUFFIX}", f"{name}-*.npz"):
            for old in path.parent.glob(pattern):
                if old != path:
                    old.unlink(missing_ok=True)

