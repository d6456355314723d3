"""Fixtures of the model tests: a small catalog built from excerpts in the real formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from catalog.store import Catalog

MODEL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


@pytest.fixture(scope="session")
def model_fixtures() -> Path:
    return MODEL_FIXTURES


@pytest.fixture(scope="session")
def ec2_excerpt() -> pd.DataFrame:
    """Catalog ``ec2`` rows (real specs and CoreMark) for a few current and old types."""
    return pd.read_csv(MODEL_FIXTURES / "ec2_excerpt.csv")


@pytest.fixture(scope="session")
def small_catalog(ec2_excerpt: pd.DataFrame) -> Catalog:
    return Catalog(
        tables={
            "ec2": ec2_excerpt,
            "ec2_prices": pd.read_csv(MODEL_FIXTURES / "ec2_prices_excerpt.csv"),
            "unit_prices": pd.read_csv(MODEL_FIXTURES / "unit_prices_lambda.csv"),
        }
    )


@pytest.fixture(scope="session")
def bundle():
    """The committed, verified artifacts (they ship with the repo)."""
    from recommender.models import load_models

    return load_models()
