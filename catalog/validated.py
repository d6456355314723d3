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


def cache_dir() -> Path | None:
    """Where validation markers live (``<user cache dir>/validated``), or None when disabled."""
    env = os.environ.get("RECOMMENDER_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "none") else Path(env).expanduser() / "validated"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "validated"


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


def _recorded(marker: Path) -> dict[str, str] | None:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dtypes = data.get("dtypes") if isinstance(data, dict) else None
    return dtypes if isinstance(dtypes, dict) else None


def recorded_rows(name: str, file_sha256: str) -> int | None:
    """The row count the marker of these verified bytes records (None: no marker, or one
    written before markers kept it).  The bytes are the ones that were parsed when it was
    written, so it is their Parquet footer's count: a reader checks the manifest's count
    against it without importing pyarrow to read the footer (about 0.1 s of a CLI run)."""
    marker = _marker(name, file_sha256)
    if marker is None or _recorded(marker) is None:
        return None
    with contextlib.suppress(OSError, ValueError):
        rows = json.loads(marker.read_text(encoding="utf-8")).get("rows")
        if type(rows) is int and rows >= 0:
            return rows
    return None


def note_rows(name: str, file_sha256: str, rows: int) -> None:
    """Add the footer's row count to an older marker of these bytes (best effort), so later
    readers need not read the footer."""
    marker = _marker(name, file_sha256)
    dtypes = None if marker is None else _recorded(marker)
    if marker is not None and dtypes is not None:
        _write_marker(marker, name, dtypes, rows)


def passed_before(name: str, file_sha256: str) -> bool:
    """Whether these verified bytes of table ``name`` passed the schema check before (its
    marker is there), so a reader may defer building their frame (``catalog.lazy_tables``)."""
    marker = _marker(name, file_sha256)
    return marker is not None and _recorded(marker) is not None


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
    if marker is not None and _recorded(marker) == seen:
        if recorded_rows(name, file_sha256) is None:  # an older marker: add the row count
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
