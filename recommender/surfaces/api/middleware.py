"""ASGI middleware: the request guard (413, 415, 400/422 on bodies) and the version headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recommender.surfaces.api.body import check_json, is_json_content_type

#: Methods whose body is read and checked.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def error_reply(status: int, errors: list[dict[str, str]], detail: str) -> JSONResponse:
    """The one error body of the API: ``detail`` (a sentence) and ``errors`` (field, rule)."""
    return JSONResponse(status_code=status, content={"detail": detail, "errors": errors})


class RequestGuard:
    """Refuse a request body before routing when it is too large, not JSON, or hostile.

    * over ``max_bytes`` (declared or streamed): 413;
    * a body sent with another ``Content-Type`` than JSON: 415;
    * not UTF-8: 400; not JSON, non-finite numbers, huge integers, lone surrogates or
      deep nesting: 422 naming every field at once (see :mod:`.body`).

    The checked body is then replayed to the application unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
        refusal = self._refusal(headers.get(b"content-type"), body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    def _refusal(self, content_type: bytes | None, body: bytes) -> JSONResponse | None:
        ctype = content_type.decode("latin-1") if content_type is not None else None
        if not body and not ctype:
            return None  # no body at all: the route decides (a required body is a 422)
        if not is_json_content_type(ctype):
            return error_reply(415, [{"field": "(body)", "rule": (
                f"Content-Type must be application/json, not {ctype or 'absent'}")}],
                "unsupported media type: send the body as application/json")
        found = check_json(body)
        if found is None:
            return None
        status, errors = found
        return error_reply(status, errors, "the request body cannot be read as the API's JSON")

    def _too_large(self) -> JSONResponse:
        rule = f"is larger than the limit of {self.max_bytes} bytes"
        return error_reply(413, [{"field": "(body)", "rule": rule}],
                           f"request body larger than the limit of {self.max_bytes} bytes")


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (already read) once, then the real ``receive``."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as servers do

    return replay


#: Kept for callers that import the old name.
BodySizeLimit = RequestGuard


def version_headers(catalog: str, model: str, schema: str) -> list[tuple[bytes, bytes]]:
    """The three version headers, in the order every reply carries them (the full stack's
    :class:`VersionHeaders` and the hot route's direct answer share this one list)."""
    return [(b"x-catalog-version", catalog.encode()), (b"x-model-version", model.encode()),
            (b"x-schema-version", schema.encode())]


class VersionHeaders:
    """Add ``X-Catalog-Version``, ``X-Model-Version`` and ``X-Schema-Version`` to responses.

    The model version is the one the request was answered with, when the route recorded it
    in ``request.state.model_version`` (so it always agrees with the body's ``model``
    block); otherwise the service's current one.
    """

    def __init__(self, app: ASGIApp, versions: Callable[[], dict[str, str]]) -> None:
        self.app, self.versions = app, versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_versions(message: Message) -> None:
            if message["type"] == "http.response.start":
                v = self.versions()
                state: Any = scope.get("state") or {}
                model = state.get("model_version") if isinstance(state, dict) else None
                extra = version_headers(v["catalog"], str(model or v["model"]), v["schema"])
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_versions)
