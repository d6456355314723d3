"""Build the FastAPI application: state, middleware, error handlers and the routers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from catalog import Catalog
from recommender.core.profile import SCHEMA_VERSION
from recommender.surfaces.api.errors import install_error_handlers
from recommender.surfaces.api.middleware import BodySizeLimit, VersionHeaders
from recommender.surfaces.api.routes import catalog as catalog_routes
from recommender.surfaces.api.routes import ops, predict, recommend
from recommender.surfaces.api.schemas import MAX_BATCH, ErrorBody
from recommender.surfaces.api.versions import versions_of

#: Default request body limit: a full batch of 1,000 rich profiles fits with room to spare.
MAX_BODY_BYTES = 8 * 1024 * 1024

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "create_app", "versions_of"]


def create_app(
    catalog: Catalog | None = None,
    models: Any = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Build the API.

    Parameters
    ----------
    catalog : Catalog, optional
        The catalog to answer from; the embedded snapshot by default.
    models : optional
        Model artifacts passed to ``recommend()``; loaded by the engine by default.
    max_body_bytes : int
        Larger request bodies are refused with 413.
    """
    app = FastAPI(
        title="AWS resource-selection recommender",
        version=SCHEMA_VERSION,
        description="Ranked, priced AWS options with reasons for a described workload.",
        responses={422: {"model": ErrorBody, "description": "the field and the rule broken"}},
    )
    app.state.catalog, app.state.models, app.state.versions = catalog, models, None
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(VersionHeaders, versions=lambda: versions_of(app))
    install_error_handlers(app)
    for router in (recommend.router, catalog_routes.router, ops.router):
        app.include_router(router)
    predict.add_prediction_routes(app)
    return app
