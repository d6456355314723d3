"""Fixtures of the surface tests: the embedded catalog and an API client over it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The embedded snapshot (committed in the repository; no ../shared needed)."""
    return load_catalog()


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> Iterator[object]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")  # starlette: httpx deprecated
        from fastapi.testclient import TestClient

    from recommender.surfaces.api import create_app

    with TestClient(create_app(catalog)) as c:
        yield c
