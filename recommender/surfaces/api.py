"""The JSON API (FastAPI): a thin adapter over ``recommend()`` and the prediction models.

The pydantic models are the contract: the request bodies are :class:`WorkloadProfile` and
the prediction requests, the responses :class:`RecommendationResponse` and friends, and the
OpenAPI document (``/openapi.json``) is generated from them.  Every response carries the
catalog, model and schema versions as headers; bad input answers 422 with ``errors``
naming each field and rule; bodies over ``max_body_bytes`` answer 413.

Run it with ``recommender serve`` (uvicorn) or
``uvicorn --factory recommender.surfaces.api:create_app``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog import TABLES, Catalog, CatalogError, load_catalog
from recommender.core.engine import model_info, recommend, resolve_models
from recommender.core.errors import ProfileError, UserError
from recommender.core.profile import SCHEMA_VERSION, WorkloadProfile, field_errors
from recommender.core.response import RecommendationResponse

#: Default request body limit: a full batch of 1,000 rich profiles fits with room to spare.
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_BATCH = 1000
TableKind = Literal[tuple(TABLES)]  # type: ignore[valid-type]


# --------------------------------------------------------------------------- models


class BatchRequest(BaseModel):
    """Up to 1,000 profiles answered in one call, in order."""

    model_config = ConfigDict(extra="forbid")

    profiles: list[WorkloadProfile] = Field(min_length=1, max_length=MAX_BATCH)


class BatchResponse(BaseModel):
    count: int
    data: list[RecommendationResponse]


class CatalogSummary(BaseModel):
    version: str
    generated_at: str
    schema_version: str
    regions: list[str]
    row_counts: dict[str, int]
    tables: list[str]
    sources: Any = None


class CatalogPage(BaseModel):
    kind: str
    total: int = Field(description="rows matching the filters")
    count: int = Field(description="rows in this page")
    offset: int
    data: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    catalog_version: str
    model_version: str
    schema_version: str
    detail: str | None = None


class FieldError(BaseModel):
    field: str
    rule: str


class ErrorBody(BaseModel):
    """422 body: FastAPI's ``detail`` plus ``errors`` naming each field and rule."""

    detail: Any
    errors: list[FieldError]


# --------------------------------------------------------------------------- dependencies


def get_catalog(request: Request) -> Catalog:
    """The catalog given to :func:`create_app`, else the embedded snapshot (cached)."""
    cat = request.app.state.catalog
    return cat if cat is not None else load_catalog()


def get_models(request: Request) -> Any:
    """The models given to :func:`create_app` (None: the engine loads its default)."""
    return request.app.state.models


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ModelsDep = Annotated[Any, Depends(get_models)]


# --------------------------------------------------------------------------- middleware


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 (declared or streamed size)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse(status_code=413, content=self._body())(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(status_code=413, detail=self._body()["detail"])
            return message

        await self.app(scope, limited, send)

    def _body(self) -> dict[str, str]:
        return {"detail": f"request body larger than the limit of {self.max_bytes} bytes"}


class VersionHeaders:
    """Add ``X-Catalog-Version``, ``X-Model-Version`` and ``X-Schema-Version`` to responses."""

    def __init__(self, app: ASGIApp, versions: Any) -> None:
        self.app, self.versions = app, versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_versions(message: Message) -> None:
            if message["type"] == "http.response.start":
                v = self.versions()
                extra = [
                    (b"x-catalog-version", v["catalog"].encode()),
                    (b"x-model-version", v["model"].encode()),
                    (b"x-schema-version", v["schema"].encode()),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_versions)


# --------------------------------------------------------------------------- errors


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        body = {"detail": jsonable_encoder(errors),
                "errors": field_errors(errors, root="(body)", schema="schema")}
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> JSONResponse:
        errors = getattr(exc, "errors", None) if isinstance(exc, ProfileError) else None
        errors = errors or [{"field": "(body)", "rule": str(exc)}]
        return JSONResponse(status_code=422, content={"detail": str(exc), "errors": errors})

    @app.exception_handler(CatalogError)
    async def _no_catalog(request: Request, exc: CatalogError) -> JSONResponse:
        # A deployment problem (snapshot missing or altered), not the caller's input.
        return JSONResponse(status_code=503, content={"detail": str(exc)})


# --------------------------------------------------------------------------- app


def _versions_of(app: FastAPI) -> dict[str, str]:
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
    app.add_middleware(VersionHeaders, versions=lambda: _versions_of(app))
    _install_error_handlers(app)
    _add_routes(app)
    return app


def _add_routes(app: FastAPI) -> None:
    @app.post("/v1/recommendations", response_model=RecommendationResponse, tags=["recommend"])
    def create_recommendation(
        profile: WorkloadProfile, catalog: CatalogDep, models: ModelsDep
    ) -> RecommendationResponse:
        """Ranked options per category for one workload profile."""
        return recommend(profile, catalog=catalog, models=models)

    @app.post("/v1/recommendations:batch", response_model=BatchResponse, tags=["recommend"])
    def create_recommendations(
        batch: BatchRequest, catalog: CatalogDep, models: ModelsDep
    ) -> BatchResponse:
        """Recommendations for up to 1,000 profiles, in the order given."""
        data = [recommend(p, catalog=catalog, models=models) for p in batch.profiles]
        return BatchResponse(count=len(data), data=data)

    @app.get("/v1/catalog", response_model=CatalogSummary, tags=["catalog"])
    def read_catalog(catalog: CatalogDep) -> CatalogSummary:
        """The catalog's version, date, regions, tables and sources."""
        m = catalog.manifest
        return CatalogSummary(
            version=catalog.version,
            generated_at=catalog.generated_at,
            schema_version=str(m.get("schema_version", SCHEMA_VERSION)),
            regions=catalog.regions,
            row_counts={k: int(len(v)) for k, v in catalog.tables.items()},
            tables=list(catalog.tables),
            sources=jsonable_encoder(m.get("sources")),
        )

    @app.get("/v1/catalog/{kind}", response_model=CatalogPage, tags=["catalog"])
    def read_catalog_table(
        kind: TableKind,
        catalog: CatalogDep,
        region: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=100, description="substring of the key")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> CatalogPage:
        """Rows of one catalog table, filtered by region and key substring."""
        df = catalog.tables[kind]
        if region is not None and "region" in df.columns:
            df = df[df["region"] == region]
        if q:
            key = df.columns[0]
            df = df[df[key].astype(str).str.contains(q, case=False, regex=False)]
        page = df.iloc[offset : offset + limit]
        records = json.loads(page.to_json(orient="records", date_format="iso"))
        return CatalogPage(kind=kind, total=len(df), count=len(records), offset=offset,
                           data=records)

    @app.get("/healthz", response_model=Health, tags=["ops"])
    def healthz() -> Health:
        """Liveness plus the versions the service answers with."""
        v = _versions_of(app)
        ok = v["catalog"] != "unavailable"
        return Health(status="ok" if ok else "degraded", catalog_version=v["catalog"],
                      model_version=v["model"], schema_version=v["schema"],
                      detail=None if ok else "catalog snapshot not loadable")

    _add_prediction_routes(app)


def _prediction_functions() -> tuple[Any, Any, Any] | None:
    """``(schemas, predict_runtime, predict_lambda_memory)`` from the models package."""
    try:
        from recommender.core import predictions as schemas
        from recommender.models.lambda_mem import predict_lambda_memory
        from recommender.models.runtime import predict_runtime
    except ImportError:  # a build without the models package: no prediction routes
        return None
    return schemas, predict_runtime, predict_lambda_memory


def _add_prediction_routes(app: FastAPI) -> None:
    found = _prediction_functions()
    if found is None:
        return
    schemas, predict_runtime, predict_lambda_memory = found

    def create_runtime_prediction(request: Any, catalog: Any) -> Any:
        """Predicted job runtime (with interval) and cost per candidate cluster."""
        return predict_runtime(request, catalog=catalog, bundle=app.state.models)

    def create_lambda_prediction(request: Any, catalog: Any) -> Any:
        """Predicted Lambda duration (with interval) and monthly cost per memory setting."""
        return predict_lambda_memory(request, catalog=catalog, bundle=app.state.models)

    # The request types are only known here, so set them as real (not string) annotations.
    routes = (
        ("/v1/predictions/runtime", create_runtime_prediction,
         schemas.RuntimeRequest, schemas.RuntimeResponse),
        ("/v1/predictions/lambda-memory", create_lambda_prediction,
         schemas.LambdaMemoryRequest, schemas.LambdaMemoryResponse),
    )
    for path, endpoint, request_model, response_model in routes:
        endpoint.__annotations__ = {
            "request": request_model, "catalog": CatalogDep, "return": response_model,
        }
        app.add_api_route(path, endpoint, methods=["POST"], response_model=response_model,
                          tags=["predict"])
