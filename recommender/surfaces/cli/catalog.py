"""``recommender catalog build|info|show``: build the snapshot, print its manifest or a table."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

from catalog.schema import TABLES
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_manifest, read_snapshot
from recommender.core.errors import UserError

FORMATS = ("json", "csv", "table")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``catalog`` command and its sub-commands to the ``recommender`` CLI."""
    cat = subparsers.add_parser("catalog", help="build, inspect and print the AWS catalog")
    sub = cat.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")
    sub.required = True

    b = sub.add_parser("build", help="build the snapshot from local data, AWS or offer files")
    b.add_argument("--source", choices=("local", "aws", "offer-files"), required=True)
    b.add_argument(
        "inputs",
        nargs="*",
        metavar="DIR_OR_FILES",
        help="local: the data dir (default ../shared/data); offer-files: the files",
    )
    b.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_SNAPSHOT_DIR,
        help=f"snapshot directory to write (default {DEFAULT_SNAPSHOT_DIR})",
    )
    b.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="snapshot to diff against / carry over from (default: --out)",
    )
    b.add_argument("--regions", default=None, help="aws only: comma-separated region codes")
    b.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    b.set_defaults(func=_build)

    i = sub.add_parser("info", help="print the snapshot manifest as JSON")
    i.add_argument("--snapshot", type=Path, default=None, help="snapshot directory")
    i.set_defaults(func=_info)

    s = sub.add_parser("show", help="print one catalog table")
    s.add_argument("kind", metavar="KIND", help=f"one of: {', '.join(TABLES)}")
    s.add_argument("--format", choices=FORMATS, default="table")
    s.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="keep rows whose COL equals VALUE (repeatable)",
    )
    s.add_argument("--columns", default=None, help="comma-separated columns to print")
    s.add_argument("--limit", type=int, default=None, help="print at most N rows")
    s.add_argument("--snapshot", type=Path, default=None, help="snapshot directory")
    s.set_defaults(func=_show)


def _emit(text: str) -> None:
    """Write to stdout; a reader that closed the pipe early (``| head``) is not an error."""
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _build(args: argparse.Namespace) -> int:
    from catalog.build import build_catalog
    from recommender.models.perf import catalog_perf_filler

    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None
    if regions and args.source != "aws":
        raise UserError("--regions applies to --source aws only")
    report = build_catalog(
        args.source,
        args.inputs,
        out_dir=args.out,
        previous_dir=args.previous,
        progress=not args.no_progress,
        regions=regions,
        perf_filler=catalog_perf_filler,
    )
    _emit(report.summary())
    return 0


def _info(args: argparse.Namespace) -> int:
    _emit(json.dumps(read_manifest(args.snapshot), indent=2, sort_keys=True))
    return 0


def apply_filters(df: pd.DataFrame, filters: list[str]) -> pd.DataFrame:
    """Keep rows where each ``COL=VALUE`` holds (compared as text, so ``vcpus=2`` works).

    Raises
    ------
    UserError
        A filter without ``=`` or naming an unknown column.
    """
    for f in filters:
        col, sep, value = f.partition("=")
        if not sep or not col:
            raise UserError(f"--filter {f!r}: expected COL=VALUE")
        if col not in df.columns:
            raise UserError(f"--filter: unknown column {col!r}; columns: {', '.join(df.columns)}")
        series = df[col]
        if pd.api.types.is_bool_dtype(series):
            keep = series.astype(str).str.lower() == value.lower()
        elif pd.api.types.is_numeric_dtype(series):
            try:
                keep = series == float(value)
            except ValueError as exc:
                raise UserError(f"--filter {f!r}: column {col!r} is numeric") from exc
        else:
            keep = series.astype(str) == value
        df = df[keep.fillna(False).astype(bool)]
    return df


def _show(args: argparse.Namespace) -> int:
    if args.kind not in TABLES:
        raise UserError(f"unknown catalog kind {args.kind!r}; valid kinds: {', '.join(TABLES)}")
    catalog = read_snapshot(args.snapshot or DEFAULT_SNAPSHOT_DIR)
    df = apply_filters(catalog.tables[args.kind], args.filter)
    if args.columns:
        cols = [c.strip() for c in args.columns.split(",") if c.strip()]
        unknown = [c for c in cols if c not in df.columns]
        if unknown:
            raise UserError(
                f"unknown column(s) {', '.join(unknown)} for {args.kind}; "
                f"columns: {', '.join(df.columns)}"
            )
        df = df[cols]
    if args.limit is not None:
        if args.limit < 0:
            raise UserError("--limit must be 0 or more")
        df = df.head(args.limit)
    if args.format == "json":
        # to_json writes NaN as null and keeps numbers as numbers.
        _emit(df.to_json(orient="records", indent=1))
    elif args.format == "csv":
        _emit(df.to_csv(index=False))
    else:
        with pd.option_context(
            "display.max_rows", None, "display.max_columns", None, "display.width", 200
        ):
            _emit(df.to_string(index=False) if len(df) else "(no rows)")
    return 0
