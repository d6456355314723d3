"""``recommender catalog build|info|show``: build the snapshot, print its manifest or a table."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from catalog.declared import TABLE_NAMES as TABLES  # the schema's names, without pandera
from catalog.store import default_build_dir, describe_snapshot, read_manifest, read_snapshot
from recommender.core.errors import UserError
from recommender.surfaces.cli.tables import (
    EC2_TABLE_COLUMNS,
    apply_filters,
    join_prices,
    render_table,
    sort_rows,
)

__all__ = ["apply_filters", "missing_data_error", "register"]

FORMATS = ("json", "csv", "table")


_BUILD_EXAMPLES = """examples:
  recommender catalog build --source local ../shared/data
  recommender catalog build --source aws --regions us-east-1,eu-west-1
  recommender catalog build --source aws --services ec2,spot,savingsplans
  recommender catalog build --source offer-files AmazonEC2-us-east-1.csv"""
_INFO_EXAMPLES = """examples:
  recommender catalog info
  recommender catalog info | python3 -m json.tool | head -40
  recommender catalog info --format table"""
_SHOW_EXAMPLES = """examples:
  recommender catalog show ec2 --filter 'vcpus>=4' --filter 'memory_gib<=16' --filter arch=arm64
  recommender catalog show ec2 --region eu-west-1 --filter 'gpus>=1' --sort ondemand_usd_per_hour
  recommender catalog show ec2 --filter family=m7g --columns instance_type,vcpus,perf_index
  recommender catalog show ebs --filter region=us-east-1 --format csv
filters: COLUMN OP VALUE with OP one of = != > >= < <= ~ (contains); all must hold."""

#: Where the local build's source data comes from, for a clone without ``../shared/data``.
SOURCE_DATA_HELP = (
    "The local build reads the public data sets named in the snapshot's manifest (run "
    "`recommender catalog info`: each source with its repository or URL, path, commit and "
    "licence), laid out as ec2/, pricing_api/, services/, databases/, network/, facts/ "
    "with a PROVENANCE.md. Fetch them into a directory and pass it (`recommender catalog "
    "build --source local DIR`), or refresh from AWS (`--source aws`, needs credentials) or "
    "from downloaded Price List offer files (`--source offer-files FILE...`). The app, the "
    "CLI and the API work without them: the snapshot in catalog/snapshot/ ships with the code."
)


def missing_data_error(data_dir: Path, purpose: str) -> UserError:
    """The error for an absent source-data directory: where the data comes from."""
    return UserError(f"{purpose} needs the source data, and {data_dir} does not exist. "
                     + SOURCE_DATA_HELP)


def _sub(sub: argparse._SubParsersAction, name: str, help: str, epilog: str
         ) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                          epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_info(sub: argparse._SubParsersAction) -> None:
    i = _sub(sub, "info", "print the snapshot manifest (sources, dates, gaps) as JSON",
             _INFO_EXAMPLES)
    i.add_argument("--snapshot", type=Path, default=None, help="snapshot directory")
    i.add_argument("--format", choices=("json", "table"), default="json",
                   help="json: the manifest; table: the age of the prices per table and "
                        "region (oldest price_as_of per source)")
    i.add_argument("--max-age-days", type=int, default=None,
                   help="mark prices older than this as stale (default 180, or "
                        "RECOMMENDER_PRICE_MAX_AGE_DAYS)")
    i.set_defaults(func=_info)


def _add_build(sub: argparse._SubParsersAction) -> None:
    b = _sub(sub, "build", "build the snapshot from local data, AWS or offer files",
             _BUILD_EXAMPLES + "\n\n" + SOURCE_DATA_HELP)
    b.add_argument("--source", choices=("local", "aws", "offer-files"), required=True,
                   help="local: a directory of the public data sets; aws: the Pricing and "
                        "EC2 APIs; offer-files: downloaded Price List files")
    b.add_argument(
        "inputs",
        nargs="*",
        metavar="DIR_OR_FILES",
        help="local: the data dir (default ../shared/data); offer-files: the files",
    )
    b.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"snapshot directory to write (default {default_build_dir()}, the user data "
             "directory; the snapshot embedded in the package stays the fallback)",
    )
    b.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="snapshot to diff against / carry over from (default: --out)",
    )
    b.add_argument("--regions", default=None, help="aws only: comma-separated region codes")
    b.add_argument("--services", default=None,
                   help="aws only: comma-separated services to refresh (regions, ec2, spot, "
                        "savingsplans, ebs, rds, elasticache, opensearch, redshift, lambda, "
                        "fargate, dynamodb, s3, efs, fsx, cloudfront, datatransfer, sqs, kinesis)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    b.set_defaults(func=_build)


def _add_show(sub: argparse._SubParsersAction) -> None:
    s = _sub(sub, "show", "print one catalog table, filtered and sorted", _SHOW_EXAMPLES)
    s.add_argument("kind", metavar="KIND", help=f"one of: {', '.join(TABLES)}")
    s.add_argument("--format", choices=FORMATS, default="table",
                   help="table (for people), json or csv (default: table)")
    s.add_argument("--filter", action="append", default=[], metavar="EXPR",
                   help="keep rows where EXPR holds, e.g. 'vcpus>=4', arch=arm64, "
                        "'instance_type~7g' (repeatable; all must hold)")
    s.add_argument("--region", default=None,
                   help="ec2: join the region's prices (on-demand, spot, reserved) to the "
                        "specs; other tables: keep that region's rows")
    s.add_argument("--sort", default=None, metavar="COL[,COL]",
                   help="sort by these columns (default: instance types in size order)")
    s.add_argument("--descending", action="store_true", help="sort largest first")
    s.add_argument("--columns", default=None,
                   help="comma-separated columns to print (table format default for ec2: "
                        "the key specs and prices)")
    s.add_argument("--limit", type=int, default=None, help="print at most N rows")
    s.add_argument("--snapshot", type=Path, default=None, help="snapshot directory")
    s.set_defaults(func=_show)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``catalog`` command and its sub-commands to the ``recommender`` CLI."""
    cat = subparsers.add_parser(
        "catalog", help="build, inspect and print the AWS catalog",
        description="The catalog of EC2, EBS, database and unit prices and specs the "
        "recommender ranks from: print a table with range filters, show where it came from, "
        "or rebuild it.", epilog="examples:\n  recommender catalog show ec2 --filter "
        "'vcpus>=4'\n  recommender catalog info",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = cat.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")
    sub.required = True

    _add_build(sub)
    _add_info(sub)
    _add_show(sub)


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
    from catalog.build import DEFAULT_DATA_DIR, build_catalog
    from recommender.models.endpoints import catalog_perf_filler

    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None
    if regions and args.source != "aws":
        raise UserError("--regions applies to --source aws only")
    services = (
        [x.strip() for x in args.services.split(",") if x.strip()] if args.services else None
    )
    if services and args.source != "aws":
        raise UserError("--services applies to --source aws only")
    if args.source == "local":
        data_dir = Path(args.inputs[0]) if args.inputs else DEFAULT_DATA_DIR
        if not data_dir.is_dir():
            raise missing_data_error(data_dir, "catalog build --source local")
    report = build_catalog(
        args.source,
        args.inputs,
        out_dir=args.out or default_build_dir(),
        previous_dir=args.previous,
        progress=not args.no_progress,
        regions=regions,
        perf_filler=catalog_perf_filler,
        services=services,
    )
    _emit(report.summary())
    return 0


def _info(args: argparse.Namespace) -> int:
    # Which snapshot is read (user-built or embedded): on stderr, so stdout stays the JSON.
    print(describe_snapshot(args.snapshot), file=sys.stderr)
    if args.format == "json":
        _emit(json.dumps(read_manifest(args.snapshot), indent=2, sort_keys=True))
        return 0
    from catalog.freshness import max_age_days_setting, table_ages

    try:
        max_age = args.max_age_days or max_age_days_setting()
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if max_age <= 0:
        raise UserError("--max-age-days must be a positive number of days")
    catalog = read_snapshot(args.snapshot)
    ages = table_ages(catalog.tables, max_age_days=max_age)
    ages["stale"] = ages["stale"].map({True: f"older than {max_age} d", False: ""})
    head = (f"catalog {catalog.version}, generated {catalog.generated_at}; "
            f"price ages per table, region and source (oldest row)")
    _emit(head + "\n" + render_table(ages))
    return 0


def _show(args: argparse.Namespace) -> int:
    if args.kind not in TABLES:
        raise UserError(f"unknown catalog kind {args.kind!r}; valid kinds: {', '.join(TABLES)}")
    catalog = read_snapshot(args.snapshot)
    df = catalog.tables[args.kind]
    if args.region and args.kind == "ec2":
        df = join_prices(df, catalog.tables["ec2_prices"], args.region)
    elif args.region:
        if "region" not in df.columns:
            raise UserError(f"--region: table {args.kind!r} has no region column")
        df = df[df["region"] == args.region]
    df = sort_rows(apply_filters(df, args.filter), args.sort, descending=args.descending)
    if args.columns:
        cols = [c.strip() for c in args.columns.split(",") if c.strip()]
        unknown = [c for c in cols if c not in df.columns]
        if unknown:
            raise UserError(
                f"unknown column(s) {', '.join(unknown)} for {args.kind}; "
                f"columns: {', '.join(df.columns)}"
            )
        df = df[cols]
    elif args.format == "table" and args.kind == "ec2":
        df = df[[c for c in EC2_TABLE_COLUMNS if c in df.columns]]
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
        _emit(render_table(df))
    return 0
