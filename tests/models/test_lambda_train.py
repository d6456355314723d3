"""Lambda training on the committed excerpt of the real runs (runs on a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recommender.models.lambda_mem import LambdaPrices
from recommender.models.lambda_train import train_lambda


def test_lambda_fit_on_excerpt_is_sane(model_fixtures: Path) -> None:
    """Fits on the committed excerpt (2 runtimes x 2 arches, 3 repeats): no shared data."""
    runs = pd.read_csv(model_fixtures / "lambda_runs_excerpt.csv")
    agg = runs.groupby(["runtime", "arch", "memory_mb"], as_index=False).agg(
        duration_ms=("duration_ms", "median"),
        billed_duration_ms=("billed_duration_ms", "median"),
        max_memory_used_mb=("max_memory_used_mb", "max"),
    )
    prices = {a: LambdaPrices(2e-7, ((0.0, float("inf"), 1.6e-5),)) for a in ("x86_64", "arm64")}
    model = train_lambda(agg, prices)
    assert 0.3 <= model.beta <= 3.0
    assert model.metrics["reveal_512"]["n_cases"] == 4
    assert model.log_q[1][0] < 0 < model.log_q[1][1]
