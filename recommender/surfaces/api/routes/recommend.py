"""``/v1/recommendations`` and its batch form.

The single route is ``async``: a warm ``recommend()`` costs about a millisecond, less than a
hop through the thread pool, so it runs on the event loop (``serve --workers N`` gives one
loop per core).  The response is serialised once, by pydantic, straight to bytes.

The batch route validates each profile on its own: a bad one gets its field and rule in
``errors`` (never its input) and ``null`` in ``data``; the others are answered.  The body is
streamed as the profiles are answered, so the first bytes leave early and the whole response
is never held twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from recommender.core.engine import recommend
from recommender.core.profile import WorkloadProfile
from recommender.core.response import RecommendationResponse
from recommender.surfaces.api.deps import get_catalog, get_models
from recommender.surfaces.api.schemas import BatchRequest, BatchResponse

router = APIRouter(tags=["recommend"])

JSON = "application/json"


@router.post("/v1/recommendations", response_model=RecommendationResponse)
async def create_recommendation(profile: WorkloadProfile, request: Request) -> Response:
    """Ranked options per category for one workload profile."""
    resp = recommend(profile, catalog=get_catalog(request), models=get_models(request))
    return Response(resp.model_dump_json(), media_type=JSON)


@router.post("/v1/recommendations:batch", response_model=BatchResponse)
def create_recommendations(batch: BatchRequest, request: Request) -> StreamingResponse:
    """Recommendations for up to 1,000 profiles, in the order given; each is checked on its
    own (``data[i]`` is null and ``errors`` names the fields when profile ``i`` is bad)."""
    catalog, models = get_catalog(request), get_models(request)
    return StreamingResponse(_batch_body(batch.profiles, catalog, models), media_type=JSON)


def _batch_body(profiles: list[Any], catalog: Any, models: Any) -> Iterator[bytes]:
    from recommender.batch import recommend_many_json_chunks

    errors: list[dict[str, Any]] = []
    yield f'{{"count":{len(profiles)},"data":['.encode()
    chunks = recommend_many_json_chunks(profiles, workers=1, catalog=catalog,
                                        models=False if models is False else models)
    sep = b""
    for chunk in chunks:  # the worker's JSON bytes, sliced: never decoded and re-encoded
        parts = []
        for line, bad in chunk.lines():
            if bad is not None:
                errors.append(bad.to_dict())
            parts.append(b"null" if bad is not None else line[:-1])  # (without the newline)
        yield sep + b",".join(parts)
        sep = b","
    yield (f'],"failed":{len(errors)},"errors":' + json.dumps(errors) + "}").encode()
