"""Build the FastAPI application: state, middleware, error handlers and the routers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from catalog import Catalog
from recommender.core.profile import SCHEMA_VERSION
from recommender.surfaces.api.cache import DEFAULT_MAX_BYTES as DEFAULT_CACHE_BYTES
from recommender.surfaces.api.cache import ResponseCache
from recommender.surfaces.api.docs import install_offline_docs
from recommender.surfaces.api.errors import install_error_handlers
from recommender.surfaces.api.hot import HotRecommend
from recommender.surfaces.api.middleware import RequestGuard, VersionHeaders
from recommender.surfaces.api.routes import catalog as catalog_routes
from recommender.surfaces.api.routes import ops, predict, recommend, review
from recommender.surfaces.api.schemas import MAX_BATCH, ErrorBody
from recommender.surfaces.api.versions import versions_of

#: Default request body limit: a full batch of 1,000 rich profiles fits with room to spare.
MAX_BODY_BYTES = 8 * 1024 * 1024

#: Every error status an operation can answer, declared on each so clients and fuzzers know
#: them; all share one body (``detail`` plus ``errors`` naming each field and rule).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body is not UTF-8 text"},
    413: {"model": ErrorBody, "description": "the body is larger than the limit"},
    415: {"model": ErrorBody, "description": "the body is not sent as application/json"},
    422: {"model": ErrorBody, "description": "the field and the rule broken (every one at once)"},
    503: {"model": ErrorBody, "description": "catalog or model artifacts unusable (the reason)"},
}

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "create_app", "versions_of"]


def create_app(
    catalog: Catalog | None = None,
    models: Any = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    response_cache_bytes: int = DEFAULT_CACHE_BYTES,
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
    response_cache_bytes : int
        Budget of the cache of good ``POST /v1/recommendations`` replies, keyed by the raw
        body (:mod:`.cache`); 0 turns it off.
    """
    app = FastAPI(
        title="AWS resource-selection recommender",
        version=SCHEMA_VERSION,
        description="Ranked, priced AWS options with reasons for a described workload.",
        responses=ERROR_RESPONSES,
        docs_url=None,  # replaced by the offline page of install_offline_docs
        redoc_url=None,  # ReDoc has no offline bundle
    )
    app.state.catalog, app.state.models = catalog, models
    app.state.response_cache = ResponseCache(response_cache_bytes)
    app.add_middleware(RequestGuard, max_bytes=max_body_bytes)
    app.add_middleware(VersionHeaders, versions=lambda: versions_of(app))
    # Outermost: a good POST /v1/recommendations is answered here, the rest goes on.
    app.add_middleware(HotRecommend, api=app, max_bytes=max_body_bytes,
                       cache=app.state.response_cache)
    install_error_handlers(app)
    for router in (recommend.router, catalog_routes.router, ops.router, review.router):
        app.include_router(router)
    predict.add_prediction_routes(app)
    install_offline_docs(app)
    return app
