"""Request and response bodies of the API's own routes (the engine's are in ``core``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.profile import WorkloadProfile
from recommender.core.response import RecommendationResponse

#: Most profiles in one batch request.
MAX_BATCH = 1000

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
