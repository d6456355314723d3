"""The hot route, ``POST /v1/recommendations``, answered without the framework's layers.

A warm ``recommend()`` for a small profile costs about a millisecond; routing, dependency
solving, a second JSON parse of the body and the response's trip through the middleware
chain cost almost half as much again.  :class:`HotRecommend` answers the *good* request
directly: a JSON body within the limit that passes :func:`~.body.parse_checked` and
validates as a :class:`~recommender.core.profile.WorkloadProfile` is answered with the
response serialised once (pydantic straight to bytes) and the same headers the full stack
sends (``X-Catalog-Version``, ``X-Model-Version``, ``X-Schema-Version``).

Anything else (another route, a body that is too large, not JSON, invalid, a profile the
engine refuses, a dependency override in tests) is handed, with its body replayed
unchanged, to the full application, which gives the one error reply of the API.  So the
two paths answer a good request with the same bytes and a bad one never takes this path.
The handler runs on the event loop (no thread-pool hop): it is short and CPU-bound, and
``serve --workers N`` gives one loop per core.

Good replies are kept in a :class:`~.cache.ResponseCache` keyed by the raw body (the answer
is a pure function of the profile, the catalog and the models): a repeated request is
answered without parsing or computing again.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from recommender.core.engine import model_info, recommend
from recommender.core.profile import SCHEMA_VERSION, WorkloadProfile
from recommender.surfaces.api.body import is_json_content_type, parse_checked
from recommender.surfaces.api.cache import Reply, ResponseCache
from recommender.surfaces.api.deps import resolved_models
from recommender.surfaces.api.middleware import replay, version_headers
from recommender.surfaces.api.versions import catalog_version

#: The route this module answers; every other path goes to the application.
HOT_PATH = "/v1/recommendations"


class HotRecommend:
    """ASGI middleware answering good ``POST /v1/recommendations`` requests directly.

    Parameters
    ----------
    app : ASGIApp
        The rest of the middleware chain and the router (gets every other request).
    api : FastAPI
        The application, for its state (catalog, models) and dependency overrides.
    max_bytes : int
        The body limit; a larger declared body goes to the full stack (its 413).
    cache : ResponseCache, optional
        Where good replies are kept (:mod:`.cache`); none kept by default.
    """

    def __init__(self, app: ASGIApp, *, api: Any, max_bytes: int,
                 cache: ResponseCache | None = None) -> None:
        self.app, self.api, self.max_bytes = app, api, max_bytes
        self.cache = cache if cache is not None else ResponseCache(0)
        # (catalog, bundle, version headers): the headers follow the two by identity, as
        # the reply cache does, so a repaired artifact or another catalog gets its own.
        self._versions: tuple[Any, Any, list[tuple[bytes, bytes]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._candidate(scope):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:  # at most the declared Content-Length (HTTP framing), under the limit
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            answer = self._answer(body)
        except Exception:  # noqa: BLE001 - never a 500 from here: the full stack answers
            answer = None
        if answer is None:
            await self.app(scope, replay(body, receive), send)
            return
        payload, headers = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _candidate(self, scope: Scope) -> bool:
        """A POST to the hot path with a declared JSON body under the limit, no overrides."""
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or scope.get("path") != HOT_PATH or self.api.dependency_overrides):
            return False
        length = content_type = None
        for key, value in scope.get("headers") or ():
            if key == b"content-length":
                length = value
            elif key == b"content-type":
                content_type = value
        return (length is not None and length.isdigit() and 0 < int(length) <= self.max_bytes
                and content_type is not None
                and is_json_content_type(content_type.decode("latin-1")))

    def _answer(self, body: bytes) -> Reply | None:
        """``(body, headers)`` of the 200 reply, or None for the full stack to answer."""
        state = self.api.state
        catalog = state.catalog
        if catalog is None:  # (the import is left out of the usual case: it costs ~10 us)
            try:
                from catalog import load_catalog

                catalog = load_catalog()
            except Exception:  # noqa: BLE001 - the full stack answers (its 503 says why)
                return None
        bundle = resolved_models(state.models)
        kept = self.cache.get(body, catalog, bundle)
        if kept is not None:
            return kept
        doc, refusal = parse_checked(body)
        if refusal is not None or not isinstance(doc, dict):
            return None
        try:
            profile = WorkloadProfile.model_validate(doc)
        except ValidationError:
            return None
        try:
            resp = recommend(profile, catalog=catalog,
                             models=bundle if bundle is not None else False)
        except Exception:  # noqa: BLE001 - the full stack re-runs it and gives its reply
            return None
        payload = resp.__pydantic_serializer__.to_json(resp)
        reply = payload, [
            (b"content-length", str(len(payload)).encode()),
            (b"content-type", b"application/json"),
            *self._version_headers(catalog, bundle),
        ]
        self.cache.put(body, catalog, bundle, reply)
        return reply

    def _version_headers(self, catalog: Any, bundle: Any) -> list[tuple[bytes, bytes]]:
        """The three version headers for answers from ``catalog`` and ``bundle``."""
        held = self._versions
        if held is None or held[0] is not catalog or held[1] is not bundle:
            headers = version_headers(catalog_version(self.api), model_info(bundle).version,
                                      SCHEMA_VERSION)
            held = self._versions = (catalog, bundle, headers)
        return held[2]
