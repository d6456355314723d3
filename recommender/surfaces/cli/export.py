"""``recommender export``: the chosen bundle of a saved response as infrastructure as code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recommender.core.errors import UserError
from recommender.surfaces.cli.io import read_text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export`` to the ``recommender`` command."""
    e = subparsers.add_parser(
        "export",
        help="write the chosen bundle of a saved response as CloudFormation or Terraform",
    )
    e.add_argument("response", metavar="RESPONSE.json", help="a saved response ('-' = stdin)")
    e.add_argument("--format", choices=("cloudformation", "terraform", "terraform-json"),
                   default="cloudformation",
                   help="cloudformation (a JSON template; default), terraform (HCL, as "
                        "'terraform fmt' lays it out) or terraform-json (a *.tf.json file)")
    e.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    e.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from recommender.surfaces.export import export_response

    text = read_text(args.response)
    try:
        response = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{args.response}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, 100,000 brackets
        raise UserError(f"{args.response}: not usable JSON ({exc})") from None
    template = export_response(response, args.format)
    if args.out:
        from foundation.atomic import atomic_write_text

        try:
            atomic_write_text(Path(args.out), template)
        except OSError as exc:
            raise UserError(f"--out {args.out}: cannot write ({exc})") from None
        print(f"wrote {args.format} template to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(template)
    return 0
