"""``recommender recommend PROFILE.json``: print the recommendation for a workload profile.

JSON on stdout by default (``--format table`` prints one line per option for people);
a bad file or profile raises :class:`~recommender.core.errors.UserError`, which the dispatcher
prints on stderr with exit code 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable
from typing import Any

from recommender.core.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``recommend`` command to the CLI's subparsers."""
    from recommender.presets import PRESET_LABELS

    p = subparsers.add_parser(
        "recommend",
        help="recommend AWS resources for a workload profile (JSON)",
        description="Recommend ranked, priced options with reasons for a workload profile. "
        "PROFILE is a JSON file (CONTRACT section 1) or '-' for stdin; --preset starts from "
        "one of the ready-made workloads instead.",
        epilog="examples:\n"
        "  recommender recommend examples/profile.json\n"
        "  recommender recommend --preset web_app --format table\n"
        "  cat examples/profile.json | recommender recommend - > response.json\n"
        f"presets: {', '.join(PRESET_LABELS)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("profile", metavar="PROFILE.json", nargs="?", default=None,
                   help="workload profile file, or - for stdin")
    p.add_argument("--preset", choices=list(PRESET_LABELS), default=None,
                   help="use a ready-made workload profile instead of a file")
    p.add_argument("--format", choices=("json", "table"), default="json",
                   help="output format (default: json)")
    p.add_argument("--rules-only", action="store_true",
                   help="do not load the model artifacts (use the rules' fallbacks)")
    p.add_argument("--why-not", action="append", default=None, metavar="OPTION",
                   help="explain why OPTION (e.g. t3.medium, fargate) is not #1: the first "
                        "constraint it fails, or its cost and risk against #1 (repeatable)")
    p.set_defaults(func=run)


def read_profile_text(path: str) -> str:
    """The profile text from a path or stdin ('-'); UserError when unreadable (regular files
    only, bounded in size: a FIFO or /dev/zero is refused, not read forever)."""
    from recommender.surfaces.cli.io import read_text

    return read_text(path, what="profile file")


def _engine_recommend() -> Callable[..., Any]:
    """``recommender.core.engine.recommend``; a process's first import of it is frozen
    (``gc.freeze``: what it built is never scanned by the collector again).

    Called with the collector paused (:func:`~recommender.surfaces.cli.startup.one_shot`):
    the import builds about a million objects, none of them garbage.
    """
    first = "recommender.core.engine" not in sys.modules
    from recommender.core.engine import recommend

    if first:
        gc.freeze()
    return recommend


def run(args: argparse.Namespace) -> int:
    """Answer ``recommend PROFILE.json``: the response on stdout; returns the exit code."""
    from recommender.surfaces.cli.startup import one_shot

    with one_shot():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    recommend = _engine_recommend()
    if (args.profile is None) == (args.preset is None):
        raise UserError("give a PROFILE.json (or - for stdin) or --preset NAME, not both")
    if args.preset:
        from recommender.presets import get_preset

        data = get_preset(args.preset)
    else:
        text = read_profile_text(args.profile)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{args.profile} is not valid JSON: {exc}") from None
        except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, 100,000 brackets
            raise UserError(f"{args.profile} is not usable JSON: {exc}") from None
    resp = recommend(data, models=False if args.rules_only else None,
                     explain=getattr(args, "why_not", None))
    if args.format == "json":
        print(resp.model_dump_json(indent=2))
    else:
        print(format_table(resp))
    return 0


def format_table(resp) -> str:  # noqa: ANN001 - RecommendationResponse, imported lazily
    """A plain-text table of the options, then rejections and warnings."""
    from recommender.core.response import CATEGORIES  # loaded already: resp is one of its models

    lines = [f"region {resp.region}  catalog {resp.catalog.version}  model {resp.model.version}"]
    header = f"{'category':<10} {'#':>2} {'option':<26} {'kind':<12} {'n':>3} " \
             f"{'purchase':<11} {'USD/month':>11} {'risk':>4}"
    lines += [header, "-" * len(header)]
    for cat in CATEGORIES:
        for o in getattr(resp.recommendations, cat):
            cost = "n/a" if o.monthly_cost_usd is None else f"{o.monthly_cost_usd:,.2f}"
            flag = " *" if o.verify else ""
            lines.append(f"{cat:<10} {o.rank:>2} {o.option:<26} {o.kind:<12} {o.count:>3} "
                         f"{(o.purchase_option or '-'):<11} {cost:>11} "
                         f"{o.performance_risk:>4g}{flag}")
    if any(o.verify for o in resp.options()):
        lines.append("* a figure behind this option is marked unverified by its source")
    if resp.rejected:
        lines.append("rejected: " + ", ".join(f"{k} {v}" for k, v in resp.rejected.items()))
    if resp.bundle is not None:
        b = resp.bundle
        lines.append(f"bundle: USD {b.total_monthly_usd:,.2f}/month = " + " + ".join(
            f"{role} {usd:,.2f}" for role, usd in b.breakdown.items())
            + (f"; not priced: {', '.join(u.item for u in b.unpriced)}" if b.unpriced else ""))
    for w in resp.why_not:
        lines.append(f"why not {w.option}: {w.text}")
    for w in resp.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)
