"""Build the catalog snapshot: run the source readers, merge, validate, diff, write atomically.

``build_catalog`` is the one entry point (the CLI's ``catalog build`` calls it).  Sources:

* ``local``: the readers of ``catalog.sources`` over a data directory (``../shared/data``).
* ``aws``: the live Pricing and EC2 APIs (``catalog.sources.live.read_aws``).
* ``offer-files``: bulk offer files (``catalog.sources.live.read_offer_files``).

For ``aws`` and ``offer-files`` the tables those readers do not provide are carried over from
the previous snapshot, and their EC2 rows are merged into the previous ones (newest price
wins), so a one-region refresh does not drop the other regions.  Nothing is written unless
every reader succeeds and every table validates; the previous snapshot stays untouched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from tqdm import tqdm

from catalog.errors import BuildError, CatalogError
from catalog.manifest import TOP_PRICE_CHANGES, assemble_manifest, diff_tables
from catalog.merge import KEYS, PerfFiller, finish_tables, merge_table, update_from_previous
from catalog.schema import TABLES, validate_table
from catalog.sources import SourceResult
from catalog.store import active_snapshot_dir, default_build_dir, read_snapshot, write_snapshot

# Re-exported: callers and tests import these from ``catalog.build``.
__all__ = [
    "KEYS",
    "TOP_PRICE_CHANGES",
    "BuildReport",
    "build_catalog",
    "diff_tables",
    "merge_table",
]

Source = Literal["local", "aws", "offer-files"]
REPO_ROOT = Path(__file__).resolve().parents[1]
#: Default data dir of ``--source local``; ``RECOMMENDER_SHARED_DATA`` overrides it.
DEFAULT_DATA_DIR = Path(
    os.environ.get("RECOMMENDER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")
)
#: Gaps true of every build (no source in any mode covers them).
STANDING_GAPS = [
    "operating systems other than Linux and tenancies other than shared are not priced",
]

Reader = Callable[[], SourceResult]


@dataclass
class BuildReport:
    """What a build did: the manifest as written and the diff against the previous snapshot."""

    out_dir: Path
    manifest: dict[str, Any]
    diff: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few human-readable lines: rows per table, added/removed, price changes."""
        lines = [f"catalog {self.manifest['catalog_version']} written to {self.out_dir}"]
        for name, d in self.diff.get("tables", {}).items():
            lines.append(f"  {name:<12} {d['rows']:>7} rows  +{d['added']} -{d['removed']}")
        pc = self.diff.get("ec2_price_changes", {})
        lines.append(f"  ec2 on-demand price changes: {pc.get('count', 0)}")
        for c in pc.get("largest", []):
            lines.append(
                f"    {c['instance_type']} {c['region']}: {c['old']:g} -> {c['new']:g} "
                f"({c['change_pct']:+.1f}%)"
            )
        if not self.diff.get("previous"):
            lines.append("  (no previous snapshot: everything counts as added)")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _local_readers(data_dir: Path) -> list[tuple[str, Reader]]:
    def lazy(module: str, func: str) -> Reader:
        def run() -> SourceResult:
            import importlib

            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name == module:
                    raise BuildError(
                        f"the local build needs {module}.{func}, which is not available yet "
                        f"({exc}); nothing was written"
                    ) from exc
                raise
            return getattr(mod, func)(data_dir)

        return run

    return [
        ("ec2", lazy("catalog.sources.ec2", "read_ec2")),
        ("commitments", lazy("catalog.sources.commitments", "read_commitments")),
        ("spot", lazy("catalog.sources.spot_history", "read_spot_history")),
        ("ebs", lazy("catalog.sources.ebs", "read_ebs")),
        ("network", lazy("catalog.sources.network", "read_network")),
        ("databases", lazy("catalog.sources.databases", "read_databases")),
        ("services", lazy("catalog.sources.services", "read_services")),
    ]


def _run_readers(readers: list[tuple[str, Reader]], progress: bool) -> SourceResult:
    combined = SourceResult()
    bar = tqdm(
        readers, desc="catalog sources", unit="source", file=sys.stderr, disable=not progress
    )
    for name, reader in bar:
        bar.set_postfix_str(name)
        try:
            combined.extend(reader())
        except BuildError:
            raise
        except Exception as exc:  # any reader failure aborts the build before writing
            raise BuildError(f"source reader {name!r} failed: {exc}; nothing was written") from exc
    return combined


def _display_path(path: Path) -> str:
    """``path`` relative to the repository when it is near it (keeps manifests portable)."""
    try:
        rel = os.path.relpath(path.resolve(), REPO_ROOT)
    except ValueError:  # another drive
        return str(path)
    return rel if rel.count("..") <= 1 else str(path)


def _previous(previous_dir: Path | None, out_dir: Path) -> tuple[Any, str | None]:
    d = previous_dir or out_dir
    if previous_dir is None and out_dir == default_build_dir():
        # The first build into the user data directory starts from the embedded snapshot.
        d = out_dir if (out_dir / "manifest.json").exists() else active_snapshot_dir()
    if not (d / "manifest.json").exists():
        return None, None
    try:
        return read_snapshot(d), None
    except CatalogError as exc:
        return None, f"previous snapshot at {d} unreadable ({exc}); diff is against nothing"


def _local_setup(
    paths: list[Path], readers: list[tuple[str, Reader]] | None
) -> tuple[list[tuple[str, Reader]], list[str]]:
    """The readers of ``--source local`` (over one data directory) and the build's inputs."""
    if len(paths) > 1:
        raise BuildError("--source local takes one data directory")
    data_dir = paths[0] if paths else DEFAULT_DATA_DIR
    if not data_dir.is_dir():
        raise BuildError(f"data directory {data_dir} does not exist")
    return readers or _local_readers(data_dir), [_display_path(data_dir)]


def _live_readers(
    source: str,
    paths: list[Path],
    *,
    regions: list[str] | None,
    session: Any,
    services: list[str] | None,
    progress: bool,
) -> tuple[list[tuple[str, Reader]], list[str]]:
    """The reader of ``--source aws`` or ``offer-files``, with a progress bar, and its inputs."""
    from catalog.sources import live
    from catalog.sources.live_aws import check_services

    names = check_services(services) if source == "aws" else []  # before any output
    bar = tqdm(desc="live refresh", unit="call", file=sys.stderr, disable=not progress)

    def tell(message: str) -> None:
        # One tick per (service, region) or file; the postfix names it (and a failure).
        bar.update(1)
        bar.set_postfix_str(message[:60])
        if "FAILED" in message and progress:
            tqdm.write(f"  {message}", file=sys.stderr)

    if source == "aws":
        reader = ("aws", lambda: live.read_aws(regions, session=session, progress=tell,
                                               services=names))  # fmt: skip
        return [reader], [*(regions or ["all commercial regions"]), f"services={','.join(names)}"]
    if not paths:
        raise BuildError("--source offer-files needs at least one offer file")
    return [("offer-files", lambda: live.read_offer_files(paths, progress=tell))], [
        str(p) for p in paths
    ]


def _merge_results(
    result: SourceResult, prev: Any
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """One frame per table: refreshed rows over the previous ones (``prev`` None: local)."""
    tables: dict[str, pd.DataFrame] = {}
    carried: dict[str, str] = {}
    for name in TABLES:
        if name in result.tables:
            new = merge_table(name, [result.tables[name]])
            if prev is not None:
                new = update_from_previous(name, new, prev.tables[name])
            tables[name] = new
        elif prev is not None:
            tables[name] = prev.tables[name]
            carried[name] = prev.version
        else:
            raise BuildError(f"no source produced table {name!r}; nothing was written")
    return tables, carried


def _gaps(result: SourceResult, tables: dict[str, pd.DataFrame]) -> list[str]:
    from catalog.commitments import commitment_gaps

    gaps = list(dict.fromkeys([*STANDING_GAPS, *result.coverage_gaps]))
    return gaps + [g for g in commitment_gaps(tables["ec2_commitments"]) if g not in gaps]


def _add_refresh(
    manifest: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    result: SourceResult,
    *,
    carried: dict[str, str],
    warnings: list[str],
) -> None:
    """The manifest's per table/region ``refresh`` section; failed live calls as a note."""
    from catalog.freshness import refresh_summary

    manifest["refresh"] = refresh_summary(
        tables, {s.id for s in result.sources}, carried=carried, failures=result.failures
    )
    if result.failures:
        warnings.append(
            f"{len(result.failures)} live refresh call(s) failed; previous rows kept "
            "(manifest: refresh.failures)"
        )
        manifest["notes"] = warnings


def build_catalog(
    source: Source,
    inputs: Sequence[Path | str] | Path | str | None = None,
    out_dir: Path | str | None = None,
    previous_dir: Path | str | None = None,
    progress: bool = True,
    *,
    regions: list[str] | None = None,
    session: Any = None,
    readers: list[tuple[str, Reader]] | None = None,
    perf_filler: PerfFiller | None = None,
    services: list[str] | None = None,
) -> BuildReport:
    """Build the catalog from ``source`` and write it atomically to ``out_dir``.

    Parameters
    ----------
    source : {"local", "aws", "offer-files"}
    inputs : path or paths
        ``local``: the data directory (default ``../shared/data``); ``offer-files``: the
        offer files; ``aws``: unused.
    out_dir : path
        Snapshot directory to (re)write; the user data directory by default (issue 14).
    previous_dir : path, optional
        Snapshot to diff against and carry tables over from; ``out_dir`` by default.
    regions, session : list of str, boto3.Session, optional
        ``aws`` only: regions to query (every commercial one by default); the session.
    readers : list of (name, callable), optional
        Replace the ``local`` source's readers (tests; partial builds).
    perf_filler : callable, optional
        Predicts the unmeasured ``perf_index`` rows (the recommender's perf model, passed in
        by the CLI); without it they stay missing and the manifest says so.
    services : list of str, optional
        ``aws`` only: the services to refresh (``live_aws.ALL_SERVICES``; the rest carried).

    Raises
    ------
    BuildError
        A reader failed or a needed previous snapshot is missing; nothing was written.
    catalog.errors.CatalogSchemaError
        A merged table fails its schema; nothing was written.
    """
    out_dir = Path(out_dir) if out_dir else default_build_dir()
    paths = [Path(p) for p in ([inputs] if isinstance(inputs, str | Path) else inputs or [])]
    prev, prev_warning = _previous(Path(previous_dir) if previous_dir else None, out_dir)
    warnings = [prev_warning] if prev_warning else []
    if services and source != "aws":
        raise BuildError("--services applies to --source aws only")
    if source == "local":
        readers, build_inputs = _local_setup(paths, readers)
    elif source in ("aws", "offer-files"):
        if prev is None:
            raise BuildError(
                f"--source {source} refreshes what the APIs or files give and carries "
                "the rest over, so it needs a readable previous snapshot "
                f"(looked in {previous_dir or out_dir})"
            )
        readers, build_inputs = _live_readers(
            source, paths, regions=regions, session=session, services=services,
            progress=progress,
        )  # fmt: skip
    else:
        raise BuildError(f"unknown source {source!r}; expected local, aws or offer-files")

    result = _run_readers(readers, progress)
    tables, carried = _merge_results(result, prev if source != "local" else None)
    gaps = _gaps(result, tables)
    warnings += finish_tables(tables, gaps, perf_filler)
    tables = {name: validate_table(name, tables[name]) for name in TABLES}
    diff = diff_tables(tables, prev.tables if prev else None)

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = assemble_manifest(
        tables,
        now=now,
        source=source,
        inputs=build_inputs,
        sources=result.sources,
        gaps=gaps,
        diff=diff,
        notes=warnings,
        carried=carried,
        previous_manifest=prev.manifest if prev is not None else None,
    )
    _add_refresh(manifest, tables, result, carried=carried, warnings=warnings)
    written = write_snapshot(tables, manifest, out_dir)
    return BuildReport(out_dir=out_dir, manifest=written, diff=diff, warnings=warnings)
