"""Validate each snapshot table once per content, not on every read.

A table's schema check (pandera, :func:`catalog.schema.validate_table`) costs about a second
for the whole snapshot, which every CLI process would pay.  The check's outcome depends only
on the table's bytes and on the schema, so it is remembered under both: a marker file named
by the sha256 of (table name, the file's sha256, the schema's fingerprint) in the user's cache
directory.  The file's sha256 is the one the reader has just verified against the manifest
(:mod:`catalog.store`), so a table whose bytes changed in any way has a new key and is
validated again; a change of the schema module or of pandera's version changes every key.

The marker also records the validated frame's column dtypes, and is written only when the
schema's coercion changed none of them, so skipping the check returns the same frame the check
would have.  The cache is a speed-up only: any problem reading or writing it (read-only home,
a damaged marker) means the table is simply validated.

``RECOMMENDER_CACHE_DIR`` overrides the directory; set to ``none`` (or empty) it disables the
cache, so every read validates.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from foundation.atomic import atomic_write_text

if TYPE_CHECKING:  # the frames are built elsewhere; nothing here calls pandas
    import pandas as pd

APP_NAME = "aws-recommender"


def cache_root() -> Path | None:
    """The project's cache directory (``RECOMMENDER_CACHE_DIR``, else the user cache dir), or
    None when caching is disabled (the variable set to ``none`` or empty).  Every cache (these
    markers, :mod:`catalog.derived_cache`, the CLI's code cache) lives in a folder of it."""
    env = os.environ.get("RECOMMENDER_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "none") else Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path | None:
    """Where validation markers live (``<cache root>/validated``), or None when disabled."""
    root = cache_root()
    return None if root is None else root / "validated"


#: The modules whose source decides a table's check: the schema and the constants it reuses.
SCHEMA_SOURCES = ("schema.py", "declared.py")


@cache
def schema_fingerprint() -> str:
    """sha256 of the schema modules' source, the schema version and pandera's version.

    Neither the schema nor pandera is imported (that import is what a marker saves): the
    sources are read beside this file, and pandera's version is its installed
    ``_version.py`` (found without importing it; ``importlib.metadata`` would cost ~25 ms
    scanning every installed distribution, kept only as the fallback).
    """
    from catalog.declared import SCHEMA_VERSION

    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in SCHEMA_SOURCES:
        h.update((here / name).read_bytes() + b"\0")
    h.update(f"{SCHEMA_VERSION}|".encode() + _pandera_version())
    return h.hexdigest()


def _pandera_version() -> bytes:
    """Bytes that change whenever another pandera is installed."""
    import importlib.util

    spec = importlib.util.find_spec("pandera")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is not None and (origin.parent / "_version.py").is_file():
        return str(origin).encode() + b"\0" + (origin.parent / "_version.py").read_bytes()
    from importlib.metadata import version

    return version("pandera").encode()


def _dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {str(c): str(t) for c, t in df.dtypes.items()}


def _marker(name: str, file_sha256: str) -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    key = hashlib.sha256(f"{name}|{file_sha256}|{schema_fingerprint()}".encode()).hexdigest()
    return d / f"{key}.json"


def _marker_data(marker: Path) -> tuple[dict[str, str], int | None] | None:
    """``(dtypes, rows)`` a marker records, read once (None: no marker, or a damaged one;
    rows None: a marker written before markers kept the count)."""
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dtypes = data.get("dtypes") if isinstance(data, dict) else None
    if not isinstance(dtypes, dict):
        return None
    rows = data.get("rows")
    return dtypes, rows if type(rows) is int and rows >= 0 else None


def marker_state(name: str, file_sha256: str) -> tuple[bool, int | None]:
    """Whether these verified bytes of table ``name`` passed the schema check before (its
    marker is there), so a reader may defer building their frame (``catalog.lazy_tables``),
    and the row count the marker records.  The bytes are the ones that were parsed when it
    was written, so it is their Parquet footer's count: a reader checks the manifest's count
    against it without importing pyarrow to read the footer (about 0.1 s of a CLI run)."""
    marker = _marker(name, file_sha256)
    got = None if marker is None else _marker_data(marker)
    return (False, None) if got is None else (True, got[1])


def passed_before(name: str, file_sha256: str) -> bool:
    """:func:`marker_state`'s first half."""
    return marker_state(name, file_sha256)[0]


def recorded_rows(name: str, file_sha256: str) -> int | None:
    """:func:`marker_state`'s second half."""
    return marker_state(name, file_sha256)[1]


def note_rows(name: str, file_sha256: str, rows: int) -> None:
    """Add the footer's row count to an older marker of these bytes (best effort), so later
    readers need not read the footer."""
    marker = _marker(name, file_sha256)
    got = None if marker is None else _marker_data(marker)
    if marker is not None and got is not None:
        _write_marker(marker, name, got[0], rows)


def validate_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """:func:`catalog.schema.validate_table`, imported only when a check runs (pandera)."""
    from catalog.schema import validate_table as validate

    return validate(name, df)


def validate_once(name: str, df: pd.DataFrame, file_sha256: str) -> pd.DataFrame:
    """``validate_table(name, df)``, skipped when these verified bytes passed it before.

    Parameters
    ----------
    name : str
        The table's name (a key of :data:`catalog.schema.TABLES`).
    df : DataFrame
        The table as read from its file.
    file_sha256 : str
        The sha256 of the file's bytes, already checked against the manifest by the caller.

    Raises
    ------
    catalog.errors.CatalogSchemaError
        The table breaks its schema (never remembered: a failing table is checked every time).
    """
    marker = _marker(name, file_sha256)
    seen = _dtypes(df)
    got = None if marker is None else _marker_data(marker)
    if marker is not None and got is not None and got[0] == seen:
        if got[1] is None:  # an older marker: add the row count
            _write_marker(marker, name, seen, len(df))
        return df
    out = validate_table(name, df)
    if marker is not None and _dtypes(out) == seen:
        _write_marker(marker, name, seen, len(df))
    return out


def _write_marker(marker: Path, name: str, dtypes: dict[str, str], rows: int) -> None:
    """Best effort: a cache that cannot be written only costs the next reader the check."""
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(marker, json.dumps({"table": name, "dtypes": dtypes, "rows": rows}))
