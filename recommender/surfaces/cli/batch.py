"""``recommender recommend-batch``: one response per profile of a JSON Lines file.

Registered by :mod:`recommender.surfaces.cli.main`; handlers return the exit code and raise
:class:`~recommender.core.errors.UserError` for user mistakes (printed without a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from recommender.core.errors import ProfileError, UserError
from recommender.surfaces.cli.io import read_text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``recommend-batch`` to the ``recommender`` command."""
    p = subparsers.add_parser(
        "recommend-batch",
        help="recommend for every profile of a JSON Lines file (one response per line)",
        description="Read one workload profile per line; write one response per line.",
    )
    p.add_argument("profiles", metavar="PROFILES.jsonl", help="JSON Lines file ('-' = stdin)")
    p.add_argument("--format", choices=("json", "table"), default="json",
                   help="json (default, one response per line) or a readable table")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_recommend_batch)


def read_profiles_jsonl(text: str, source: str = "PROFILES.jsonl") -> list[Any]:
    """Parse and validate every non-blank line; all bad lines are reported together.

    Raises
    ------
    UserError
        Listing each bad line's number, field and rule.
    """
    from recommender.core.profile import parse_profile

    profiles, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            profiles.append(parse_profile(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"{source} line {n}: not JSON ({exc.msg} at column {exc.colno})")
        except ProfileError as exc:
            rules = "; ".join(f"{e['field']}: {e['rule']}" for e in getattr(exc, "errors", []))
            problems.append(f"{source} line {n}: {rules or exc}")
    if problems:
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise UserError("invalid profiles:\n  " + "\n  ".join(problems[:10]) + more)
    if not profiles:
        raise UserError(f"{source}: no profiles (one JSON object per line)")
    return profiles


def _recommend_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from catalog import load_catalog
    from recommender.core.engine import recommend
    from recommender.surfaces.cli.recommend import format_table

    source = "stdin" if args.profiles == "-" else args.profiles
    profiles = read_profiles_jsonl(read_text(args.profiles), source)
    catalog = load_catalog()
    for profile in tqdm(profiles, desc="profiles", unit="profile", file=sys.stderr,
                        disable=args.quiet):
        response = recommend(profile, catalog=catalog)
        if args.format == "table":
            print(format_table(response), end="\n\n")
        else:
            print(response.model_dump_json())
    return 0
