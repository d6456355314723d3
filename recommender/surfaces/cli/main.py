"""The ``recommender`` command line.

Each area registers its own sub-commands (``register(subparsers)`` in the modules listed in
``_COMMAND_MODULES``), so this file stays a thin dispatcher.  Handlers return an exit code;
user mistakes raise :class:`recommender.core.errors.UserError` and are printed on stderr without
a traceback; so is any other error (exit 2), unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from catalog.errors import CatalogError
from recommender.core.errors import ModelArtifactError, UserError

#: Modules that each define ``register(subparsers)``; a module not written yet is skipped.
_COMMAND_MODULES = (
    "recommender.surfaces.cli.catalog",
    "recommender.surfaces.cli.recommend",
    "recommender.surfaces.cli.models",
    "recommender.surfaces.cli.batch",
    "recommender.surfaces.cli.serve",
    "recommender.surfaces.cli.export",
    "recommender.surfaces.cli.review",
)


#: The module that registers each command, so a run imports only its own command's module
#: (``recommend`` must not import the training code); ``--help`` and unknown commands load all.
_COMMAND_OWNERS = {
    "catalog": "recommender.surfaces.cli.catalog",
    "recommend": "recommender.surfaces.cli.recommend",
    "train": "recommender.surfaces.cli.models",
    "predict-runtime": "recommender.surfaces.cli.models",
    "lambda-memory": "recommender.surfaces.cli.models",
    "next-run": "recommender.surfaces.cli.models",
    "recommend-batch": "recommender.surfaces.cli.batch",
    "serve": "recommender.surfaces.cli.serve",
    "export": "recommender.surfaces.cli.export",
    "review": "recommender.surfaces.cli.review",
    "monitoring": "recommender.surfaces.cli.review",
}


def _modules_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The command modules to register for ``argv``: the command's own, else all of them."""
    first = next((a for a in (argv or ()) if not a.startswith("-")), None)
    owner = _COMMAND_OWNERS.get(first or "")
    return (owner,) if owner in _COMMAND_MODULES else _COMMAND_MODULES


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the sub-command it names is registered."""
    parser = argparse.ArgumentParser(
        prog="recommender",
        description="AWS resource-selection recommender: ranked, priced choices with reasons.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _modules_for(argv) if argv is not None else _COMMAND_MODULES:
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
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader closed the pipe early (``| head``): it has what it wanted, not an error.
        # stdout goes to devnull so the interpreter's final flush does not fail again.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback without --debug
        if getattr(args, "debug", False):
            raise
        print(f"error: {_explain(exc)}", file=sys.stderr)
        return 1 if isinstance(exc, KNOWN_ERRORS) else 2


#: Errors whose message is meant for the user as it is (exit 1); others exit 2.
KNOWN_ERRORS: tuple[type[BaseException], ...] = (UserError, CatalogError, ModelArtifactError)


def _explain(exc: BaseException) -> str:
    """One line for the user: the message of a known error, else what happened in words."""
    if isinstance(exc, KNOWN_ERRORS):
        text = str(exc)
    elif isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        text = f"cannot use{where}: {exc.strerror or exc}"
    elif isinstance(exc, RecursionError):
        text = "the input nests too deeply to read"
    elif isinstance(exc, MemoryError):
        text = "the input is too large to hold in memory"
    else:
        text = (f"unexpected {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback, and please report it)")
    # A message may quote input that the terminal cannot encode (a lone surrogate).
    return text.encode("utf-8", "backslashreplace").decode("utf-8")

if __name__ == "__main__":
    sys.exit(main())
