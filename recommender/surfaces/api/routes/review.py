"""``POST /v1/reviews``: re-check a saved response against today's catalog and models."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from recommender.core.errors import UserError
from recommender.core.response import Monitor
from recommender.operations import PlanStep, Review, benchmark_plan, parse_saved
from recommender.surfaces.api.deps import CatalogDep, ModelsDep

router = APIRouter(tags=["review"])


class ReviewRequest(BaseModel):
    """A response saved from ``POST /v1/recommendations`` (it carries its profile)."""

    model_config = ConfigDict(extra="forbid")

    response: dict[str, Any] = Field(description="the saved recommendation response")
    plan: bool = Field(default=False, description="also the load-test plan for today's choice")


class ReviewReply(BaseModel):
    """The findings, and today's alarms (and plan) for the profile."""

    model_config = ConfigDict(extra="forbid")

    review: Review = Field(description="what changed since the saved response")
    monitoring: list[Monitor] = Field(default_factory=list, description=(
        "today's CloudWatch alarms for the profile"))
    plan: list[PlanStep] = Field(default_factory=list, description=(
        "the load-test plan for today's choice (when `plan` was asked)"))


@router.post("/v1/reviews", response_model=ReviewReply)
def create_review(body: ReviewRequest, catalog: CatalogDep, models: ModelsDep) -> ReviewReply:
    """What changed since the response was made: a newer or cheaper option (saving per month
    and year), moved prices, retired options, model changes and new risks (PERF05-BP06)."""
    try:
        saved = parse_saved(body.response, "response")
    except UserError as exc:
        # Name the field the way the rest of the API does.
        exc.errors = [  # type: ignore[attr-defined]  # read by the 422 handler
            {"field": "response", "rule": str(exc).removeprefix("response: ")}]
        raise
    from recommender.core.engine import recommend
    from recommender.operations import compare

    current = recommend(saved.profile or {}, catalog=catalog, models=models)
    rev = compare(saved, current, catalog)
    return ReviewReply(review=rev, monitoring=current.monitoring,
                       plan=benchmark_plan(current) if body.plan else [])


__all__ = ["ReviewReply", "ReviewRequest", "create_review", "router"]
