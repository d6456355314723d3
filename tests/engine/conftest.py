"""Fixtures of the engine tests (the ``--update-golden`` option is declared in tests/conftest.py).

``pytest tests/engine --update-golden`` (or ``UPDATE_GOLDEN=1``) rewrites
``tests/golden/<name>.expected.json`` from the current engine instead of comparing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False)) or \
        os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def cat():
    """The committed catalog snapshot (loaded once per session)."""
    from catalog.store import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    return GOLDEN_DIR
