"""Fixtures of the catalog tests: a snapshot built once from the small fixture sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from catalog.build import build_catalog
from catalog.schema import TABLES
from catalog.sources import SourceResult
from catalog.sources.ebs import read_ebs
from catalog.sources.ec2 import read_ec2
from catalog.sources.network import read_network


def empty_tables(*names: str) -> SourceResult:
    """A reader result with empty (schema-shaped) tables: stands in for other areas' readers."""
    return SourceResult(
        tables={n: pd.DataFrame(columns=list(TABLES[n].to_schema().columns)) for n in names}
    )


def fixture_readers(data_dir: Path) -> list:
    """This area's readers over ``data_dir`` plus empty database/unit_prices tables."""
    return [
        ("ec2", lambda: read_ec2(data_dir)),
        ("ebs", lambda: read_ebs(data_dir)),
        ("network", lambda: read_network(data_dir)),
        ("others", lambda: empty_tables(
            "database", "unit_prices", "ec2_commitments", "ec2_spot_prices"
        )),
    ]


@pytest.fixture(scope="session")
def make_readers():
    """``fixture_readers`` as a fixture (test modules cannot import conftest reliably)."""
    return fixture_readers


@pytest.fixture(scope="session")
def catalog_data(fixtures_dir: Path) -> Path:
    return fixtures_dir / "catalog" / "data"


@pytest.fixture(scope="session")
def fixture_snapshot(tmp_path_factory: pytest.TempPathFactory, catalog_data: Path) -> Path:
    """A snapshot built from the fixture sources (read-only for the tests using it)."""
    out = tmp_path_factory.mktemp("catalog") / "snapshot"
    build_catalog(
        "local", catalog_data, out_dir=out, progress=False, readers=fixture_readers(catalog_data)
    )
    return out
