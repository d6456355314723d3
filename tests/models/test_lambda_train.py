"""Lambda training pieces on the committed excerpt of the real runs (runs on a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.models.lambda_train import conformal_q, fit_lambda
from recommender.models.power_tuning import power_tuning_measurements
from recommender.models.splits import is_test
from recommender.models.splits import test_groups as split_groups


def test_lambda_fit_on_excerpt_is_sane(model_fixtures: Path) -> None:
    """Fits on the committed excerpt (2 runtimes x 2 arches, 3 repeats): no shared data."""
    runs = pd.read_csv(model_fixtures / "lambda_runs_excerpt.csv")
    agg = runs.groupby(["runtime", "arch", "memory_mb"], as_index=False).agg(
        duration_ms=("duration_ms", "median"),
        billed_duration_ms=("billed_duration_ms", "median"),
        max_memory_used_mb=("max_memory_used_mb", "max"),
    )
    agg["group"] = agg["runtime"]
    agg["function"] = agg["runtime"] + "|" + agg["arch"]
    model = fit_lambda(agg)
    assert model.shapes.shape == (4, 3)
    assert model.shapes.sum(axis=1) == pytest.approx(np.ones(4))  # 1 at 1,769 MB
    assert model.weights.sum() == pytest.approx(1.0)
    assert 0 < model.footprint_floor <= 1


def test_conformal_bounds_use_the_finite_sample_rank() -> None:
    # n = 19, alpha = 0.1: high = the ceil(20 x 0.95) = 19th smallest, low = floor(20 x 0.05)
    # = 1st smallest.
    assert conformal_q(np.arange(1.0, 20.0)) == (1.0, 19.0)


def test_power_tuning_visualization_is_decoded() -> None:
    # The README's example URL (alexcasalboni/aws-lambda-power-tuning, README-INPUT-OUTPUT.md):
    # "gAAAAQACAAQABsAL" is uint16 LE 128, 256, 512, 1024, 1536, 3008; the first float32 of
    # "ZooQR..." is 0x47108a66 = 37002.398 ms.
    url = ("https://lambda-power-tuning.show/#gAAAAQACAAQABsAL;"
           "ZooQR4yvkUa/pQRGRC5zRaADHUVjOftE;QdWhOEMkoziDT5Q4xhiIOMYYiDi6RNc4")
    got = power_tuning_measurements({"results": {"stateMachine": {"visualization": url}}})
    assert [m["memory_mb"] for m in got] == [128, 256, 512, 1024, 1536, 3008]
    assert got[0]["duration_ms"] == pytest.approx(37002.398, rel=1e-6)
    stats = {"stats": [{"value": 128, "averageDuration": 2.9, "averagePrice": 2e-7}]}
    assert power_tuning_measurements(stats) == [{"memory_mb": 128, "duration_ms": 2.9}]


def test_the_test_split_is_fixed_by_name_alone() -> None:
    names = ["a", "b", "c", "d", "e", "f", "g", "h"]
    t = split_groups("lambda", names)
    assert t and t == split_groups("lambda", list(reversed(names)))
    assert t == split_groups("lambda", names + ["a"])  # duplicates do not move it
    assert [g in t for g in names] == is_test("lambda", names)
