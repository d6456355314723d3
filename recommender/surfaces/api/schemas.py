"""Request and response bodies of the API's own routes (the engine's are in ``core``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.response import RecommendationResponse

#: Most profiles in one batch request.
MAX_BATCH = 1000


class FieldError(BaseModel):
    field: str
    rule: str


class BatchRequest(BaseModel):
    """Up to 1,000 profiles answered in one call, in order.

    Each profile is validated on its own (see :class:`BatchResponse`): one bad profile does
    not reject the others.
    """

    model_config = ConfigDict(extra="forbid")

    profiles: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH,
        description="workload profiles (the body of POST /v1/recommendations), each checked "
                    "on its own")


class BatchItemError(BaseModel):
    """Why the profile at ``index`` (0-based) was not answered; the input is not echoed."""

    index: int
    errors: list[FieldError]


class BatchResponse(BaseModel):
    """``data[i]`` answers ``profiles[i]``, or is null when ``errors`` names its problems."""

    count: int
    failed: int = 0
    data: list[RecommendationResponse | None]
    errors: list[BatchItemError] = Field(default_factory=list)


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


class ErrorBody(BaseModel):
    """422 body: FastAPI's ``detail`` plus ``errors`` naming each field and rule."""

    detail: Any
    errors: list[FieldError]


# --------------------------------------------------------------------------- dependencies
