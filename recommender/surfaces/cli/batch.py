"""CLI commands of the surfaces: ``recommend-batch``, ``serve`` and ``export``.

Registered by :mod:`recommender.surfaces.cli.main`; handlers return the exit code and raise
:class:`~recommender.core.errors.UserError` for user mistakes (printed without a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from recommender.core.errors import ProfileError, UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``recommend-batch``, ``serve`` and ``export`` to the ``recommender`` command."""
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

    s = subparsers.add_parser("serve", help="run the JSON API (FastAPI + uvicorn)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.set_defaults(func=_serve)

    e = subparsers.add_parser(
        "export",
        help="write the chosen bundle of a saved response as CloudFormation or Terraform",
    )
    e.add_argument("response", metavar="RESPONSE.json", help="a saved response ('-' = stdin)")
    e.add_argument("--format", choices=("cloudformation", "terraform"), default="cloudformation",
                   help="cloudformation (a JSON template; default) or terraform (HCL)")
    e.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    e.set_defaults(func=_export)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{path}: no such file")
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None


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
    profiles = read_profiles_jsonl(_read_text(args.profiles), source)
    catalog = load_catalog()
    for profile in tqdm(profiles, desc="profiles", unit="profile", file=sys.stderr,
                        disable=args.quiet):
        response = recommend(profile, catalog=catalog)
        if args.format == "table":
            print(format_table(response), end="\n\n")
        else:
            print(response.model_dump_json())
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from recommender.surfaces.api import create_app

    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535; got {args.port}")
    uvicorn.run(create_app(), host=args.host, port=args.port)
    return 0


def _export(args: argparse.Namespace) -> int:
    from recommender.surfaces.export import export_response

    text = _read_text(args.response)
    try:
        response = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{args.response}: not JSON ({exc.msg} at line {exc.lineno})") from None
    template = export_response(response, args.format)
    if args.out:
        try:
            Path(args.out).write_text(template, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--out {args.out}: cannot write ({exc})") from None
        print(f"wrote {args.format} template to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(template)
    return 0
