"""Read and write the catalog snapshot: Parquet tables plus ``manifest.json``.

The snapshot is a directory.  Reading is a trust boundary: every table file must be listed in
the manifest with its sha256 and its row count, the bytes read must match both, and anything
else (a missing entry, a null hash, a cut table, an edited price, a manifest that is not a
JSON object, a file that is not a regular file) raises :class:`SnapshotIntegrityError` naming
the file.  Writing is crash-safe (see :mod:`catalog.swap`): a new snapshot is written to a
sibling temporary directory, fsync-ed, verified, and swapped in, so a failed, partial or killed
build never leaves the tool without a catalog.

Where snapshots live, and which one is read by default: :mod:`catalog.snapshot_dirs`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import cachetools

from catalog import swap
from catalog.declared import SCHEMA_VERSION, TABLE_NAMES
from catalog.errors import CatalogNotFoundError, SnapshotIntegrityError
from catalog.lazy_tables import LazyTables, Pending
from catalog.snapshot_dirs import DEFAULT_SNAPSHOT_DIR as DEFAULT_SNAPSHOT_DIR  # re-export
from catalog.snapshot_dirs import (
    EMBEDDED_SNAPSHOT_DIR,
    MANIFEST_NAME,
    _fallback,
    _generated_at,
    active_resolved,
    active_snapshot_dir,
    forget_active,
    user_snapshot_dir,
)
from catalog.snapshot_dirs import default_build_dir as default_build_dir  # re-export
from catalog.validated import (
    marker_state,
    note_rows,
    validate_once,
)
from foundation.files import InputFileError, read_regular

if TYPE_CHECKING:  # frames come from pyarrow's ``to_pandas``; pandas itself is never called here
    import pandas as pd

#: Largest manifest / table file read (the shipped ones are ~40 kB / ~150 kB).
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_TABLE_BYTES = 512 * 1024 * 1024

#: The tables a snapshot holds (the schema's, named without importing pandera; a test may
#: substitute its own).
TABLES: tuple[str, ...] = TABLE_NAMES

_T = TypeVar("_T")
#: Re-entrant: building one derived index may derive another (the region index uses EC2's).
_DERIVE_LOCK = threading.RLock()


@dataclass(frozen=True)
class Catalog:
    """The validated catalog: one DataFrame per table plus the build manifest.

    Frames are shared between callers (the catalog is loaded once): treat them as read-only.
    """

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)
    #: True when every table's bytes were checked against the manifest's sha256 (only then
    #: may a derived index be kept on disk under the manifest's hashes; see ``derive``).
    verified: bool = field(default=False, compare=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @cached_property
    def _derived(self) -> dict[str, Any]:
        return {}

    def derive(self, name: str, build: Callable[[Catalog], _T], *,
               persist: type[_T] | None = None) -> _T:
        """``build(self)``, computed once per catalog object and kept on it.

        The one cache of what other layers derive from the tables (the rules' EC2 index and
        price book, the models' Lambda prices): it lives and dies with the catalog, so a
        rebuilt snapshot (a new object) never meets a stale index.  A build that raises is not
        remembered.  Thread-safe; ``build`` may itself call ``derive``.

        ``persist=Cls`` (a dataclass of arrays) also keeps the result on disk for the next
        process, keyed by the verified tables' hashes and the code (:mod:`catalog.derived_cache`);
        a catalog whose bytes were not verified never uses that cache.
        """
        memo = self._derived
        if name in memo:
            return memo[name]
        with _DERIVE_LOCK:
            if name not in memo:
                memo[name] = self._build(name, build, persist)
            return memo[name]

    def _build(self, name: str, build: Callable[[Catalog], _T], persist: type[_T] | None) -> _T:
        if persist is None or not self.verified:
            return build(self)
        from catalog.derived_cache import load_or_build

        return load_or_build(name, persist, lambda: build(self), manifest=self.manifest,
                             builder=build)

    @property
    def version(self) -> str:
        """Catalog version: schema version plus build time, e.g. ``"1+2026-11-26T20:00:00Z"``."""
        return str(self.manifest.get("catalog_version", "unknown"))

    @property
    def generated_at(self) -> str:
        return str(self.manifest.get("generated_at", "unknown"))

    @property
    def regions(self) -> list[str]:
        """Regions with EC2 on-demand prices."""
        return list(self.manifest.get("regions", []))


def per_catalog(name: str, catalog: Any, build: Callable[[Any], _T], *,
                persist: type[_T] | None = None) -> _T:
    """``build(catalog)``, computed once per catalog object (:meth:`Catalog.derive`).

    The index lives and dies with its catalog (``persist``: and is kept on disk for the next
    process, see :meth:`Catalog.derive`).  A stand-in object without ``derive`` (a test's
    partial catalog) gets a fresh build on every call.
    """
    derive = getattr(catalog, "derive", None)
    if derive is None:
        return build(catalog)
    if persist is None:
        return cast(_T, derive(name, build))
    return cast(_T, derive(name, build, persist=persist))


def _resolve_dir(snapshot_dir: Path | str | None) -> Path:
    """The directory to read: as given (or the active one), or the complete ``.old`` copy an
    interrupted build left beside it."""
    d = Path(snapshot_dir) if snapshot_dir else active_snapshot_dir()
    if not (d / MANIFEST_NAME).exists():
        old = _fallback(d)
        if old is not None:
            return old
    return d


def read_manifest(snapshot_dir: Path | str | None = None) -> dict[str, Any]:
    """Return the manifest of a snapshot directory (no table is read).

    Raises
    ------
    CatalogNotFoundError
        No manifest there.
    SnapshotIntegrityError
        The manifest is not a regular file, too large, not UTF-8 JSON, or not an object.
    """
    d = _resolve_dir(snapshot_dir)
    p = d / MANIFEST_NAME
    if not p.exists() and not p.is_symlink():
        raise CatalogNotFoundError(
            f"no catalog snapshot at {d} (missing {MANIFEST_NAME}); "
            "build one with `recommender catalog build --source local DIR`"
        )
    try:
        data = read_regular(p, what="snapshot manifest", max_bytes=MAX_MANIFEST_BYTES)
        manifest = json.loads(data.decode("utf-8"))
    except InputFileError as exc:
        raise SnapshotIntegrityError(f"{exc}; rebuild the snapshot") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SnapshotIntegrityError(
            f"{p} is not valid JSON ({type(exc).__name__}: {str(exc)[:200]}); rebuild the snapshot"
        ) from None
    if not isinstance(manifest, dict):
        raise SnapshotIntegrityError(f"{p} is not a JSON object; rebuild the snapshot")
    return manifest


def _expected(manifest: dict[str, Any], name: str, path: Path) -> tuple[str, int]:
    """The sha256 and row count the manifest records for table ``name``, or refuse."""
    files = manifest.get("files")
    entry = files.get(path.name) if isinstance(files, dict) else None
    digest = entry.get("sha256") if isinstance(entry, dict) else None
    if not isinstance(digest, str) or len(digest) != 64:
        raise SnapshotIntegrityError(
            f"{path}: the manifest records no sha256 for {path.name}; a file without a hash "
            "is not trusted; rebuild the snapshot"
        )
    counts = manifest.get("row_counts")
    rows = counts.get(name) if isinstance(counts, dict) else None
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise SnapshotIntegrityError(
            f"{path}: the manifest records no row count for table {name!r}; rebuild the snapshot"
        )
    return digest, rows


def validate_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """:func:`catalog.schema.validate_table`, imported on first use: pandera costs a process
    about 0.3 s, and a snapshot read whose tables were checked before never needs it."""
    from catalog.schema import validate_table as validate

    return validate(name, df)


def parquet_frame(data: bytes) -> pd.DataFrame:
    """The DataFrame of a Parquet file's bytes, as ``pd.read_parquet`` returns it.

    Read with pyarrow's ``ParquetFile`` on one thread: ``pd.read_parquet`` goes through
    pyarrow's dataset layer (an extra import of ~50 ms a process) and a thread pool that,
    for the snapshot's small tables on a shared 2-core machine, costs more than it saves.
    ``tests/catalog/test_store_read.py`` checks that every table comes out equal.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False,
                                                       use_pandas_metadata=True)
    return table.to_pandas(use_threads=False)


def _table_bytes(d: Path, name: str, manifest: dict[str, Any],
                 check_hashes: bool) -> tuple[bytes, str, int]:
    """Table ``name``'s file bytes, checked against the manifest's sha256 (when asked), with
    that sha256 and the row count the manifest records."""
    path = d / f"{name}.parquet"
    digest, rows = _expected(manifest, name, path)
    if not path.exists() and not path.is_symlink():
        raise SnapshotIntegrityError(f"snapshot {d} lacks table {name!r} ({path.name} missing)")
    try:
        data = read_regular(path, what="snapshot table", max_bytes=MAX_TABLE_BYTES)
    except InputFileError as exc:
        raise SnapshotIntegrityError(f"{exc}; rebuild the snapshot") from None
    if check_hashes and hashlib.sha256(data).hexdigest() != digest:
        raise SnapshotIntegrityError(
            f"{path} does not match the sha256 in its manifest; rebuild the snapshot"
        )
    return data, digest, rows


def _unreadable(path: Path, exc: Exception) -> SnapshotIntegrityError:
    return SnapshotIntegrityError(
        f"{path} is not a readable Parquet file ({type(exc).__name__}); rebuild the snapshot")


def _check_rows(path: Path, n: int, rows: int) -> None:
    if n != rows:
        raise SnapshotIntegrityError(
            f"{path} has {n} rows, the manifest records {rows}; rebuild the snapshot"
        )


def _frame(path: Path, name: str, data: bytes, *, digest: str, rows: int,
           check_hashes: bool) -> pd.DataFrame:
    try:
        df = parquet_frame(data)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise _unreadable(path, exc) from None
    _check_rows(path, len(df), rows)
    # Bytes that match their manifest hash are schema-checked once per content (see
    # catalog.validated); unverified bytes are checked every time.
    return validate_once(name, df, digest) if check_hashes else validate_table(name, df)


def _read_table(d: Path, name: str, manifest: dict[str, Any], check_hashes: bool) -> Any:
    """Table ``name`` as a DataFrame, or a :class:`~catalog.lazy_tables.Pending` parser when
    its hash-checked bytes passed the schema check before: their footer's row count is
    checked now, the frame is built (and ``validate_once`` run) on first use."""
    path = d / f"{name}.parquet"
    data, digest, rows = _table_bytes(d, name, manifest, check_hashes)
    passed, n = marker_state(name, digest) if check_hashes else (False, None)
    if not passed:
        return _frame(path, name, data, digest=digest, rows=rows, check_hashes=check_hashes)
    # The marker of these bytes records their row count (see catalog.validated): no footer
    # read, so a warm process that loads every index from the disk cache needs no pyarrow.
    if n is None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            n = pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
        except Exception as exc:  # noqa: BLE001 - as in _frame
            raise _unreadable(path, exc) from None
        if n == rows:
            note_rows(name, digest, n)
    _check_rows(path, n, rows)
    return Pending(lambda: _frame(path, name, data, digest=digest, rows=rows, check_hashes=True))


def read_snapshot(snapshot_dir: Path | str | None = None, *, check_hashes: bool = True) -> Catalog:
    """Read and validate every table of a snapshot directory (uncached).

    Every file is read and checked against the manifest here; a table whose verified bytes
    passed the schema check before becomes a DataFrame on first use (:mod:`catalog.lazy_tables`:
    a run that never looks at a table does not pay for parsing it).

    Raises
    ------
    CatalogNotFoundError
        No snapshot there.
    SnapshotIntegrityError
        Any file missing, unlisted, without a hash or row count, or not matching them.
    catalog.errors.CatalogSchemaError
        A table breaks its schema.
    """
    d = _resolve_dir(snapshot_dir)
    manifest = read_manifest(d)
    tables = LazyTables({name: _read_table(d, name, manifest, check_hashes) for name in TABLES})
    return Catalog(tables=tables, manifest=manifest, verified=check_hashes)


#: Loaded snapshots by resolved directory (a handful at most); cleared when one is written.
_LOADED: cachetools.LRUCache[str, Catalog] = cachetools.LRUCache(maxsize=4)


@cachetools.cached(_LOADED, lock=threading.Lock())
def _load_cached(resolved: str) -> Catalog:
    return read_snapshot(resolved)


def load_catalog(snapshot_dir: Path | str | None = None) -> Catalog:
    """Load the catalog snapshot, validated once; later calls return the cached object.

    Parameters
    ----------
    snapshot_dir : path, optional
        A snapshot directory; by default the user's built snapshot, else the embedded one.
    """
    if snapshot_dir:
        return _load_cached(str(Path(snapshot_dir).resolve()))
    return _load_cached(active_resolved())


def _write_tables(tmp: Path, validated: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> dict:
    """Write the tables and the manifest (last) into ``tmp``, each file fsync-ed."""
    files: dict[str, dict[str, Any]] = {}
    for name, df in validated.items():
        path = tmp / f"{name}.parquet"
        df.reset_index(drop=True).to_parquet(path, index=False, compression="zstd")
        with open(path, "rb") as f:
            data = f.read()
            os.fsync(f.fileno())
        files[path.name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "row_counts": {name: int(len(df)) for name, df in validated.items()},
        "files": files,
    }
    with open(tmp / MANIFEST_NAME, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return manifest


def write_snapshot(
    tables: dict[str, pd.DataFrame], manifest: dict[str, Any], snapshot_dir: Path | str
) -> dict[str, Any]:
    """Validate ``tables`` and write them with ``manifest`` crash-safely to ``snapshot_dir``.

    The manifest gains ``schema_version``, ``files`` (size and sha256 per file) and
    ``row_counts``.  Returns the manifest as written.  A kill at any point leaves either
    the previous snapshot or the new one readable (see :mod:`catalog.swap`).
    """
    target = Path(snapshot_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    missing = set(TABLES) - set(tables)
    if missing:
        raise CatalogNotFoundError(f"cannot write a snapshot without tables {sorted(missing)}")
    validated = {name: validate_table(name, tables[name]) for name in TABLES}
    with swap.build_lock(target):
        recovered = swap.recover(target, lambda p: _is_complete(p))
        tmp = swap.new_tmp_dir(target)
        try:
            if recovered:
                notes = list(manifest.get("notes", []))
                manifest = {**manifest, "notes": notes + recovered}
            manifest = _write_tables(tmp, validated, manifest)
            read_snapshot(tmp)  # verify what was written before it replaces anything
            swap.swap_in(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _load_cached.cache_clear()
    forget_active()
    return manifest


def _is_complete(d: Path) -> bool:
    try:
        read_snapshot(d)
    except Exception:  # noqa: BLE001 - any failure means "not a snapshot to restore"
        return False
    return True


def describe_snapshot(snapshot_dir: Path | str | None = None) -> str:
    """Which snapshot a reader uses and why, for ``catalog info`` (one line)."""
    if snapshot_dir:
        d = _resolve_dir(snapshot_dir)
        extra = " (the complete copy an interrupted build left)" if d != Path(snapshot_dir) else ""
        return f"snapshot {d}: given with --snapshot{extra}"
    d = active_snapshot_dir()
    user = user_snapshot_dir()
    if d == EMBEDDED_SNAPSHOT_DIR:
        if user is None:
            why = "the user snapshot is disabled (RECOMMENDER_SNAPSHOT_DIR=none)"
        elif (user / MANIFEST_NAME).exists():
            why = (f"newer than the user-built snapshot at {user}, generated "
                   f"{_generated_at(user / MANIFEST_NAME)}; rebuild it to use it")
        else:
            why = f"no user-built snapshot at {user}"
        return f"snapshot {d}: embedded in the package ({why})"
    return (f"snapshot {d}: built by `recommender catalog build` in the user data directory "
            f"(the embedded {EMBEDDED_SNAPSHOT_DIR} is the fallback)")
