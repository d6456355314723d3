"""``recommender review`` and ``recommender monitoring``: the pillar's review and monitoring.

``review RESPONSE.json|FOLDER|FILE.jsonl`` re-runs saved responses against today's catalog and
models: a summary table of savings per workload (largest first), then each workload's
findings.  ``monitoring RESPONSE.json`` lists a response's CloudWatch alarms and, with
``--plan``, the load-test plan for its top choices.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from recommender.core.errors import UserError
from recommender.surfaces.cli.io import read_text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``review`` and ``monitoring`` to the ``recommender`` command."""
    r = subparsers.add_parser(
        "review",
        help="re-check saved responses against today's catalog and models (savings, moved "
             "prices, retired options, new risks)",
    )
    r.add_argument("saved", metavar="RESPONSE.json|FOLDER|FILE.jsonl",
                   help="a saved response, a folder of them, or one per line ('-' = stdin)")
    r.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default: savings per workload, then findings) or json (one "
                        "review per line)")
    r.add_argument("--catalog", metavar="SNAPSHOT_DIR",
                   help="review against this snapshot instead of the embedded one")
    r.add_argument("--rules-only", action="store_true", help="do not load the models")
    r.add_argument("--workers", type=int, default=1,
                   help="processes for many responses (default 1; 0 = every core)")
    r.set_defaults(func=_review)
    m = subparsers.add_parser(
        "monitoring", help="the CloudWatch alarms of a saved response (and its load-test plan)")
    m.add_argument("response", metavar="RESPONSE.json", help="a saved response ('-' = stdin)")
    m.add_argument("--plan", action="store_true", help="also the load-test/benchmark plan")
    m.add_argument("--format", choices=("table", "json"), default="table")
    m.set_defaults(func=_monitoring)


def _catalog(path: str | None) -> Any:
    from catalog.store import load_catalog, read_snapshot

    if path is None:
        return load_catalog()
    if not Path(path, "manifest.json").is_file():
        raise UserError(f"--catalog {path}: not a snapshot folder (no manifest.json)")
    return read_snapshot(path)


def _read(arg: str) -> list[Any]:
    from recommender.operations.batch import parse_many, read_saved

    if arg == "-":
        text = sys.stdin.read()
        lines = [ln for ln in text.splitlines() if ln.strip()]
        many = len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines)
        items = [(f"stdin line {n}", ln) for n, ln in enumerate(lines, 1)] if many \
            else [("stdin", text)]
        return parse_many(items)
    return read_saved(arg)


def _review(args: argparse.Namespace) -> int:
    from recommender.operations.batch import review_many, summary_frame, to_jsonl

    saved = _read(args.saved)
    reviewed = review_many(saved, catalog=_catalog(args.catalog),
                           models=False if args.rules_only else None,
                           workers=None if args.workers == 0 else args.workers)
    if args.format == "json":
        sys.stdout.write(to_jsonl(reviewed))
        return 0
    table = summary_frame(reviewed)
    print(table.drop(columns=["source"]).to_string(index=False))
    for s, rev in reviewed:
        print(f"\n{rev.name or '(unnamed)'} ({s.source}): catalog {rev.saved_catalog.version} "
              f"-> {rev.current_catalog.version}, model {rev.saved_model.version} -> "
              f"{rev.current_model.version}")
        if not rev.findings:
            print("  no change: the saved choice is still today's best")
        for f in rev.findings:
            print(f"  [{f.kind}] {f.category} {f.option}: {f.text}")
    return 0


def _monitoring(args: argparse.Namespace) -> int:
    from recommender.operations import benchmark_plan, monitoring_frame, parse_saved

    source = "stdin" if args.response == "-" else args.response
    text = read_text(args.response)
    try:
        response = parse_saved(text, source)
    except UserError as exc:
        if "'profile' is missing" not in str(exc):
            raise
        from recommender.core.response import RecommendationResponse

        response = RecommendationResponse.model_validate(json.loads(text))
    plan = benchmark_plan(response) if args.plan else []
    if args.format == "json":
        print(json.dumps({"monitoring": [m.model_dump(mode="json") for m in response.monitoring],
                          "plan": [p.model_dump(mode="json") for p in plan]}, indent=2))
        return 0
    frame = monitoring_frame(response)
    if frame.empty:
        print("no alarms: the response has no exportable chosen option")
    else:
        print(frame.drop(columns=["why"]).to_string(index=False))
    for p in plan:
        run = p.run if isinstance(p.run, str) else json.dumps(p.run)
        print(f"\nplan: {p.category} #{p.rank} {p.option} with {p.tool}\n  measure: "
              f"{', '.join(p.measure)}\n  targets: {p.targets}\n  run: {run}\n  feed back: "
              f"{p.feed_back}")
    return 0
