"""Request and response bodies of the API's own routes (the engine's are in ``core``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.response import RecommendationResponse

#: Most profiles in one batch request.
MAX_BATCH = 1000


class FieldError(BaseModel):
    """One problem: the field a user wrote, and the rule it breaks, in words."""

    field: str = Field(description="dotted path of the field, e.g. 'compute.vcpus.min'; "
                       "'(body)' for the whole request")
    rule: str = Field(description="the rule broken, as a sentence, e.g. 'must be at least 1'")


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

    index: int = Field(description="position of the profile in `profiles`, 0-based")
    errors: list[FieldError] = Field(description="every problem of that profile")


class BatchResponse(BaseModel):
    """``data[i]`` answers ``profiles[i]``, or is null when ``errors`` names its problems."""

    count: int = Field(description="profiles received")
    failed: int = Field(default=0, description="profiles not answered (listed in `errors`)")
    data: list[RecommendationResponse | None] = Field(description=(
        "one response per profile, in order; null for a profile in `errors`"))
    errors: list[BatchItemError] = Field(default_factory=list, description=(
        "the profiles not answered, by index"))


class CatalogSummary(BaseModel):
    """The catalog snapshot the service answers from."""

    version: str = Field(description="catalog version")
    generated_at: str = Field(description="when it was built, ISO 8601")
    schema_version: str = Field(description="version of the snapshot's table schema")
    regions: list[str] = Field(description="regions it has EC2 prices for")
    row_counts: dict[str, int] = Field(description="table name -> rows")
    tables: list[str] = Field(description="table names (the `kind` of /v1/catalog/{kind})")
    sources: Any = Field(default=None, description=(
        "where each table's data comes from (the manifest's provenance)"))


class CatalogPage(BaseModel):
    """One page of a catalog table's rows."""

    kind: str = Field(description="the table")
    total: int = Field(description="rows matching the filters")
    count: int = Field(description="rows in this page")
    offset: int = Field(description="rows skipped before this page")
    data: list[dict[str, Any]] = Field(description=(
        "the rows, one object each; columns carry their unit in the name "
        "(memory_gib, ondemand_usd_per_hour)"))


class Health(BaseModel):
    """Liveness and the versions the service answers with."""

    status: Literal["ok", "degraded"] = Field(description=(
        "`degraded` when the catalog or the model artifacts are unusable (see `detail`)"))
    catalog_version: str = Field(description="catalog version, or 'unavailable'")
    model_version: str = Field(description="model artifacts version, or 'rules-only'")
    schema_version: str = Field(description="profile/response schema version")
    detail: str | None = Field(default=None, description=(
        "why it is degraded, e.g. 'degraded: perf artifact failed its hash'"))


class ErrorBody(BaseModel):
    """Every error reply (400, 413, 415, 422, 503): a sentence and each field with its rule."""

    detail: Any = Field(description=(
        "a sentence, or (422 from validation) FastAPI's list of {loc, msg, type}"))
    errors: list[FieldError] = Field(description="every problem, each field with its rule")
