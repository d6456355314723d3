"""ASGI middleware: the body-size limit (413) and the version headers."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 (declared or streamed size)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse(status_code=413, content=self._body())(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(status_code=413, detail=self._body()["detail"])
            return message

        await self.app(scope, limited, send)

    def _body(self) -> dict[str, str]:
        return {"detail": f"request body larger than the limit of {self.max_bytes} bytes"}


class VersionHeaders:
    """Add ``X-Catalog-Version``, ``X-Model-Version`` and ``X-Schema-Version`` to responses."""

    def __init__(self, app: ASGIApp, versions: Any) -> None:
        self.app, self.versions = app, versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_versions(message: Message) -> None:
            if message["type"] == "http.response.start":
                v = self.versions()
                extra = [
                    (b"x-catalog-version", v["catalog"].encode()),
                    (b"x-model-version", v["model"].encode()),
                    (b"x-schema-version", v["schema"].encode()),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_versions)

