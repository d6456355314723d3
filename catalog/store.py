"""Read and write the catalog snapshot: Parquet tables plus ``manifest.json``.

The snapshot is a directory.  Writes are atomic at the directory level: a new snapshot is
written to a sibling temporary directory, verified, and only then swapped in with
``os.replace``, so a failed or partial build never damages the snapshot in place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.errors import CatalogNotFoundError, SnapshotIntegrityError
from catalog.schema import SCHEMA_VERSION, TABLES, validate_table
from foundation.integrity import sha256_file

#: The snapshot shipped with the package, built by ``recommender catalog build --source local``.
DEFAULT_SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Catalog:
    """The validated catalog: one DataFrame per table plus the build manifest.

    Frames are shared between callers (the catalog is loaded once): treat them as read-only.
    """

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)

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


def read_manifest(snapshot_dir: Path | str | None = None) -> dict[str, Any]:
    """Return the manifest of a snapshot directory (no table is read)."""
    d = Path(snapshot_dir) if snapshot_dir else DEFAULT_SNAPSHOT_DIR
    p = d / MANIFEST_NAME
    if not p.exists():
        raise CatalogNotFoundError(
            f"no catalog snapshot at {d} (missing {MANIFEST_NAME}); "
            "build one with `recommender catalog build --source local DIR`"
        )
    return json.loads(p.read_text())


def read_snapshot(snapshot_dir: Path | str | None = None, *, check_hashes: bool = True) -> Catalog:
    """Read and validate every table of a snapshot directory (uncached)."""
    d = Path(snapshot_dir) if snapshot_dir else DEFAULT_SNAPSHOT_DIR
    manifest = read_manifest(d)
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        path = d / f"{name}.parquet"
        if not path.exists():
            raise CatalogNotFoundError(f"snapshot {d} lacks table {name!r} ({path.name})")
        expected = manifest.get("files", {}).get(path.name, {}).get("sha256")
        if check_hashes and expected and sha256_file(path) != expected:
            raise SnapshotIntegrityError(
                f"{path} does not match the sha256 in its manifest; rebuild the snapshot"
            )
        tables[name] = validate_table(name, pd.read_parquet(path))
    return Catalog(tables=tables, manifest=manifest)


@lru_cache(maxsize=4)
def _load_cached(resolved: str) -> Catalog:
    return read_snapshot(resolved)


def load_catalog(snapshot_dir: Path | str | None = None) -> Catalog:
    """Load the catalog snapshot, validated once; later calls return the cached object.

    Parameters
    ----------
    snapshot_dir : path, optional
        A snapshot directory; the embedded snapshot by default.
    """
    d = Path(snapshot_dir) if snapshot_dir else DEFAULT_SNAPSHOT_DIR
    return _load_cached(str(d.resolve()))


def write_snapshot(
    tables: dict[str, pd.DataFrame], manifest: dict[str, Any], snapshot_dir: Path | str
) -> dict[str, Any]:
    """Validate ``tables`` and write them with ``manifest`` atomically to ``snapshot_dir``.

    The manifest gains ``schema_version``, ``files`` (size and sha256 per file) and
    ``row_counts``.  Returns the manifest as written.
    """
    target = Path(snapshot_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    missing = set(TABLES) - set(tables)
    if missing:
        raise CatalogNotFoundError(f"cannot write a snapshot without tables {sorted(missing)}")
    validated = {name: validate_table(name, tables[name]) for name in TABLES}
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the snapshot is meant to be shared
        files: dict[str, dict[str, Any]] = {}
        for name, df in validated.items():
            path = tmp / f"{name}.parquet"
            df.reset_index(drop=True).to_parquet(path, index=False, compression="zstd")
            files[path.name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        manifest = {
            **manifest,
            "schema_version": SCHEMA_VERSION,
            "row_counts": {name: int(len(df)) for name, df in validated.items()},
            "files": files,
        }
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        read_snapshot(tmp)  # verify what was written before it replaces anything
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _load_cached.cache_clear()
    return manifest


def _swap_in(new_dir: Path, target: Path) -> None:
    """Replace ``target`` by ``new_dir`` with renames only (no partial state is visible)."""
    if not target.exists():
        os.replace(new_dir, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    try:
        os.replace(new_dir, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
