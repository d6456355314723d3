"""``/healthz``: liveness and the versions the service answers with."""

from __future__ import annotations

from fastapi import APIRouter, Request

from recommender.surfaces.api.schemas import Health
from recommender.surfaces.api.versions import versions_of

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    """Liveness plus the versions the service answers with."""
    v = versions_of(request.app)
    ok = v["catalog"] != "unavailable"
    return Health(status="ok" if ok else "degraded", catalog_version=v["catalog"],
                  model_version=v["model"], schema_version=v["schema"],
                  detail=None if ok else "catalog snapshot not loadable")

