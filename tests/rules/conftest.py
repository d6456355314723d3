"""Fixtures of the rule tests: the embedded catalog snapshot and a profile parser.

``RULES_TEST_SNAPSHOT`` may point at another snapshot directory (e.g. one just built into a
temporary folder); the default is the package snapshot.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from catalog.store import load_catalog
from recommender.core.profile import WorkloadProfile, parse_profile
from recommender.rules.prices import PriceBook, price_book


@pytest.fixture(scope="session")
def cat() -> Any:
    return load_catalog(os.environ.get("RULES_TEST_SNAPSHOT") or None)


@pytest.fixture(scope="session")
def book(cat: Any) -> PriceBook:
    return price_book(cat)


@pytest.fixture()
def profile() -> Any:
    def make(**sections: Any) -> WorkloadProfile:
        return parse_profile(sections)
    return make
