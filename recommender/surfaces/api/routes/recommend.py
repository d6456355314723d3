"""``/v1/recommendations`` and its batch form."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.core.engine import recommend
from recommender.core.profile import WorkloadProfile
from recommender.core.response import RecommendationResponse
from recommender.surfaces.api.deps import CatalogDep, ModelsDep
from recommender.surfaces.api.schemas import BatchRequest, BatchResponse

router = APIRouter(tags=["recommend"])


@router.post("/v1/recommendations", response_model=RecommendationResponse)
def create_recommendation(
    profile: WorkloadProfile, catalog: CatalogDep, models: ModelsDep
) -> RecommendationResponse:
    """Ranked options per category for one workload profile."""
    return recommend(profile, catalog=catalog, models=models)


@router.post("/v1/recommendations:batch", response_model=BatchResponse)
def create_recommendations(
    batch: BatchRequest, catalog: CatalogDep, models: ModelsDep
) -> BatchResponse:
    """Recommendations for up to 1,000 profiles, in the order given."""
    data = [recommend(p, catalog=catalog, models=models) for p in batch.profiles]
    return BatchResponse(count=len(data), data=data)
