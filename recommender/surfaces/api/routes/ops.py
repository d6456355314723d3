"""``/healthz``: liveness, the versions the service answers with, and why it is degraded."""

from __future__ import annotations

from fastapi import APIRouter, Request

from recommender.surfaces.api.schemas import Health
from recommender.surfaces.api.versions import versions_of

router = APIRouter(tags=["ops"])


def _model_problem(request: Request) -> str | None:
    """Why the default models are not in use (None when they are, or models were given)."""
    if request.app.state.models is not None:
        return None
    from recommender.models.artifacts import model_state

    return model_state().detail


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    """Liveness plus the versions; ``degraded`` names the catalog or model problem, e.g.
    ``"degraded: perf artifact failed its hash"`` (prediction routes then answer 503)."""
    v = versions_of(request.app)
    problems = []
    if v["catalog"] == "unavailable":
        problems.append("degraded: catalog snapshot not loadable")
    model = _model_problem(request)
    if model:
        problems.append(model)
    return Health(status="degraded" if problems else "ok", catalog_version=v["catalog"],
                  model_version=v["model"], schema_version=v["schema"],
                  detail="; ".join(problems) or None)
