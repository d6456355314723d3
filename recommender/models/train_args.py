"""The ``train`` command's options, without the training code.

``recommender predict-runtime``, ``lambda-memory`` and ``next-run`` share the CLI module that
registers ``train``; reading its options from :mod:`recommender.models.train` imported the
training stack (tqdm, the data loaders, pandas: about 0.6 s) into every one of those commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from recommender.models.artifacts import DEFAULT_ARTIFACTS_DIR

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
MODELS = ("perf", "runtime", "lambda")
DEFAULT_PLOT = Path(__file__).resolve().parents[2] / "docs" / "next_run_regret.png"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``train`` options to ``p`` (shared by ``recommender train`` and ``-m``)."""
    p.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="the shared data folder (default: ../shared/data)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_ARTIFACTS_DIR,
        help="artifact directory (default: recommender/artifacts)",
    )
    p.add_argument("--only", choices=MODELS, help="train one model only")
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="rerun the evaluations and print them; write nothing",
    )
    p.add_argument("--json", action="store_true", help="print all metrics as JSON")
    p.add_argument("--jobs", type=int, default=-1,
                   help="parallel workers for the evaluation folds (default -1: all cores)")
    p.add_argument("--plot", type=Path, default=DEFAULT_PLOT,
                   help="where the next-run regret curve goes (default docs/next_run_regret.png)")
