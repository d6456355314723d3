"""Shared test configuration.

Tests that read ``../shared/data`` carry ``@pytest.mark.shared``; on a fresh clone, where that
folder does not exist, they are skipped with the reason stated.  CI always has it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("RECOMMENDER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Tests read the snapshot embedded in the package, never one the user built into their data
# directory (``catalog.store.user_snapshot_dir``); tests of that directory set it themselves.
os.environ["RECOMMENDER_SNAPSHOT_DIR"] = "none"
# Schema-validation markers (catalog.validated) go to the temporary directory, not the user's
# cache; tests of the cache set their own.
os.environ.setdefault("RECOMMENDER_CACHE_DIR",
                      str(Path(tempfile.gettempdir()) / "recommender-test-cache"))


def pytest_addoption(parser: pytest.Parser) -> None:
    # Declared here (the root conftest) so it works from the repository root too.
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.expected.json from the current engine",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"needs the shared source data at {SHARED_DATA} (absent on a fresh clone; CI has it)"
    )
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data`` (tests using it must also be marked ``shared``)."""
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
