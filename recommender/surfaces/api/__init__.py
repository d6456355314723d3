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

from recommender.surfaces.api.app import MAX_BATCH, MAX_BODY_BYTES, create_app

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "create_app"]
