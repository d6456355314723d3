"""CLI commands of the models: ``train``, ``predict-runtime``, ``lambda-memory``, ``next-run``.

Predictions print JSON on stdout; a bad input file raises :class:`UserError` (stderr, exit 1).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from recommender.core.errors import ModelArtifactError, UserError


def _read_json(path: str) -> Any:
    from recommender.surfaces.cli.io import read_text

    text = read_text(path, what="request file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, 100,000 brackets
        raise UserError(f"{path}: not usable JSON ({type(exc).__name__}: {exc})") from None


def _bundle(args: argparse.Namespace) -> Any:
    from recommender.models.artifacts import load_models

    try:
        return load_models(args.artifacts)
    except ModelArtifactError as exc:
        raise UserError(str(exc)) from exc


def _predict_runtime(args: argparse.Namespace) -> int:
    from recommender.models.endpoints import predict_runtime

    resp = predict_runtime(_read_json(args.job), bundle=_bundle(args))
    print(resp.model_dump_json(indent=2))
    return 0


def _lambda_memory(args: argparse.Namespace) -> int:
    from recommender.models.endpoints import predict_lambda_memory

    resp = predict_lambda_memory(_read_json(args.function), bundle=_bundle(args))
    print(resp.model_dump_json(indent=2))
    return 0


def _next_run(args: argparse.Namespace) -> int:
    from recommender.models.next_run import next_run

    resp = next_run(_read_json(args.job), bundle=_bundle(args))
    print(resp.model_dump_json(indent=2))
    return 0


def _train(args: argparse.Namespace) -> int:
    from recommender.models.train import main_from_args
    from recommender.surfaces.cli.catalog import missing_data_error

    if not Path(args.data_dir).is_dir():
        # Say where the training data comes from, not only that the folder is missing.
        raise missing_data_error(Path(args.data_dir), "train")
    return main_from_args(args)


def register(subparsers: Any) -> None:
    """Add ``train``, ``predict-runtime``, ``lambda-memory`` and ``next-run`` to the CLI."""
    from recommender.models.train_args import add_arguments

    p = subparsers.add_parser("train", help="rebuild the model artifacts from ../shared/data")
    add_arguments(p)
    p.set_defaults(func=_train)

    p = subparsers.add_parser(
        "predict-runtime", help="predict a job's runtime and cost on candidate clusters"
    )
    p.add_argument("job", metavar="JOB.json", help="request (CONTRACT section 4)")
    p.add_argument("--artifacts", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_predict_runtime)

    p = subparsers.add_parser(
        "lambda-memory", help="predict a Lambda function's duration and cost per memory size"
    )
    p.add_argument("function", metavar="FUNCTION.json", help="request (CONTRACT section 4)")
    p.add_argument("--artifacts", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_lambda_memory)

    p = subparsers.add_parser(
        "next-run",
        help="which configuration to measure next for a job, and how regret falls per run",
    )
    p.add_argument("job", metavar="JOB.json", help="request (CONTRACT section 4, next-run)")
    p.add_argument("--artifacts", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_next_run)
