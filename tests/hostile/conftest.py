"""Shared fixtures of the hostile-input suite: a small synthetic snapshot for store mechanics.

The store is tested on two tiny tables with the schema check replaced by identity, so the
integrity and crash-safety tests do not depend on the real catalog's schema of the day; one
test per damage also runs on a copy of the embedded snapshot when that loads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import catalog.store as store

FAKE_TABLES = ("ec2_prices", "regions")


def fake_tables(price: float = 0.096) -> dict[str, pd.DataFrame]:
    """Two tables: m5.large's us-east-1 on-demand price (0.096 $/h, the AWS price page) and
    three regions."""
    return {
        "ec2_prices": pd.DataFrame(
            {"instance_type": ["m5.large", "m5.xlarge", "c5.large"],
             "region": ["us-east-1"] * 3,
             "ondemand_usd_per_hour": [price, 0.192, 0.085]}
        ),
        "regions": pd.DataFrame({"region": ["us-east-1", "us-west-2", "eu-west-1"]}),
    }


@pytest.fixture
def fake_store(monkeypatch: pytest.MonkeyPatch):
    """``catalog.store`` with :data:`FAKE_TABLES` and no schema check."""
    monkeypatch.setattr(store, "TABLES", FAKE_TABLES)
    monkeypatch.setattr(store, "validate_table", lambda name, df: df)
    monkeypatch.setattr(store, "validate_once", lambda name, df, digest: df)
    return store


@pytest.fixture
def fake_snapshot(fake_store, tmp_path: Path) -> Path:
    d = tmp_path / "snap"
    fake_store.write_snapshot(fake_tables(), {"catalog_version": "1+old"}, d)
    return d


@pytest.fixture(scope="session")
def catalog():
    """The embedded snapshot (committed in the repository)."""
    return store.load_catalog()
