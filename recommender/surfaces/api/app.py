"""Build the FastAPI application: state, middleware, error handlers and the routers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from catalog import Catalog
from recommender.core.profile import SCHEMA_VERSION
from recommender.surfaces.api.cache import DEFAULT_MAX_BYTES as DEFAULT_CACHE_BYTES
from recommender.surfaces.api.cache import ResponseCache
from recommender.surfaces.api.docs import install_offline_docs
from recommender.surfaces.api.errors import install_error_handlers
from recommender.surfaces.api.hot import HotRecommend, front_door, traced
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

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "RecommenderAPI", "create_app", "versions_of"]


class RecommenderAPI(FastAPI):
    """The API's FastAPI application, with a front door for the hot route.

    A good ``POST /v1/recommendations`` is answered before Starlette's and FastAPI's own
    layers (error page, exception telemetry and body-limit wrappers, about 0.1 ms of CPU a
    request on a served worker) when none of them would act: the layers above the
    :class:`~.hot.HotRecommend` middleware are only those (:func:`~.hot.front_door`) and
    FastAPI's OpenTelemetry tracing is off (:func:`~.hot.traced`).  Otherwise the request
    takes the usual way, where the same middleware answers it.  Either way the reply's
    bytes and headers are the same.
    """

    _front: tuple[Any, HotRecommend | None] = (None, None)  # (stack checked, its hot layer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot = self._front_door()
        if hot is not None and hot.takes(scope):
            await hot.answer(scope, receive, send, super().__call__)
            return
        await super().__call__(scope, receive, send)

    def _front_door(self) -> HotRecommend | None:
        stack = self.middleware_stack  # None until the first request builds it
        if stack is None:
            return None
        checked, hot = self._front
        if checked is not stack:
            hot = front_door(stack)
            self._front = (stack, hot)
        return None if hot is None or traced(self) else hot


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
    app = RecommenderAPI(
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
