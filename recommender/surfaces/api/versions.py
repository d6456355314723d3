"""The catalog, model and schema versions a service answers with (headers and ``/healthz``)."""

from __future__ import annotations

from fastapi import FastAPI

from catalog import CatalogError, load_catalog
from recommender.core.engine import model_info
from recommender.core.profile import SCHEMA_VERSION
from recommender.surfaces.api.deps import resolved_models


def catalog_version(app: FastAPI) -> str:
    """The catalog's version, or ``"unavailable"``; cached once known (it is immutable)."""
    cached = getattr(app.state, "catalog_version", None)
    if cached is not None:
        return str(cached)
    try:
        cat = app.state.catalog or load_catalog()
    except CatalogError:
        return "unavailable"
    app.state.catalog_version = cat.version
    return cat.version


def versions_of(app: FastAPI) -> dict[str, str]:
    """``{"catalog", "model", "schema"}``; the model version follows the artifacts' state
    (a repaired or retrained artifact is picked up, a damaged one shows as rules-only)."""
    model_version = model_info(resolved_models(app.state.models)).version
    return {"catalog": catalog_version(app), "model": model_version, "schema": SCHEMA_VERSION}
