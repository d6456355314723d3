"""The catalog, model and schema versions a service answers with (headers and ``/healthz``)."""

from __future__ import annotations

from fastapi import FastAPI

from catalog import CatalogError, load_catalog
from recommender.core.engine import model_info, resolve_models
from recommender.core.profile import SCHEMA_VERSION


def versions_of(app: FastAPI) -> dict[str, str]:
    cached = getattr(app.state, "versions", None)
    if cached is not None:
        return cached
    try:
        cat = app.state.catalog or load_catalog()
        catalog_version = cat.version
    except CatalogError:
        catalog_version = "unavailable"
    # The engine's own resolution, so the header always matches the body's model version.
    model_version = model_info(resolve_models(app.state.models)).version
    versions = {"catalog": catalog_version, "model": model_version, "schema": SCHEMA_VERSION}
    if catalog_version != "unavailable":
        app.state.versions = versions  # the catalog is immutable once loaded
    return versions
