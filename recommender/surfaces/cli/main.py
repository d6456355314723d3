"""The ``recommender`` command line.

Each area registers its own sub-commands (``register(subparsers)`` in the modules listed in
``_COMMAND_MODULES``), so this file stays a thin dispatcher.  Handlers return an exit code;
user mistakes raise :class:`recommender.core.errors.UserError` and are printed on stderr without
a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from catalog.errors import CatalogError
from recommender.core.errors import UserError

#: Modules that each define ``register(subparsers)``; a module not written yet is skipped.
_COMMAND_MODULES = (
    "recommender.surfaces.cli.catalog",
    "recommender.surfaces.cli.recommend",
    "recommender.surfaces.cli.models",
    "recommender.surfaces.cli.batch",
    "recommender.surfaces.cli.serve",
    "recommender.surfaces.cli.export",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recommender",
        description="AWS resource-selection recommender: ranked, priced choices with reasons.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if name == exc.name or name.startswith(f"{exc.name}."):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UserError, CatalogError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
