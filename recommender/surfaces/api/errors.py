"""Exception handlers: every error is a JSON body naming the field and the rule.

Nothing the client sent is echoed back verbatim: pydantic's ``input`` and ``ctx`` may hold
values the JSON encoder cannot write (a lone surrogate, NaN), so an error reply carries only
the location, a sentence and the error type.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog import CatalogError, load_catalog
from recommender.core.errors import ModelArtifactError, UserError
from recommender.core.profile import REGION_PATTERN, field_errors
from recommender.surfaces.api.middleware import error_reply

log = logging.getLogger(__name__)


def _safe(text: str, limit: int = 500) -> str:
    """``text`` cut to ``limit`` characters, without lone surrogates (unencodable)."""
    return text[:limit].encode("utf-8", "replace").decode("utf-8")


def _detail(errors: list[dict[str, str]]) -> list[dict[str, object]]:
    """FastAPI's ``detail`` shape (loc, msg, type) rebuilt from the sanitized errors."""
    return [{"loc": e["field"].split("."), "msg": e["rule"], "type": "value_error"}
            for e in errors]


def _scrubbed(err: dict[str, Any]) -> dict[str, Any]:
    """An error dict without the input, and with only the scalar constraints of its ctx."""
    raw_ctx = err.get("ctx")
    ctx: dict[str, Any] = raw_ctx if isinstance(raw_ctx, dict) else {}
    keep = {k: v for k, v in ctx.items() if isinstance(v, int | float | str) and k != "error"}
    return {"loc": err.get("loc", ()), "msg": err.get("msg", ""), "type": err.get("type", ""),
            "ctx": keep}


def _region_errors(request: Request, body: Any) -> list[dict[str, str]]:
    """A well-formed region the catalog has no prices for, found in the same pass as the
    schema errors (so a user fixes everything at once)."""
    places: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        places.append(("region", body.get("region")))
        profiles = body.get("profiles")
        if isinstance(profiles, list):
            places += [(f"profiles.{i}.region", p.get("region"))
                       for i, p in enumerate(profiles[:1000]) if isinstance(p, dict)]
    wanted = [(f, r) for f, r in places if isinstance(r, str) and REGION_PATTERN.fullmatch(r)]
    if not wanted:
        return []
    try:
        cat = request.app.state.catalog or load_catalog()
    except CatalogError:
        return []
    known = set(cat.regions)
    return [{"field": f, "rule": f"{r!r} has no EC2 prices in the catalog; use 'auto' or one "
             f"of {', '.join(sorted(known))}"} for f, r in wanted if r not in known]


def install_error_handlers(app: FastAPI) -> None:
    """Register the 422 (validation, user error) and 503 (catalog, models) handlers."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = [_scrubbed(e) for e in exc.errors()]
        errors = [{"field": _safe(e["field"], 200), "rule": _safe(e["rule"])}
                  for e in field_errors(raw, root="(body)", schema="schema")]
        errors += [e for e in _region_errors(request, exc.body) if e not in errors]
        return JSONResponse(status_code=422, content={"detail": _detail(errors),
                                                       "errors": errors})

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> JSONResponse:
        errors = getattr(exc, "errors", None)  # ProfileError, and any UserError naming fields
        if not isinstance(errors, list) or not errors:
            errors = [{"field": "(body)", "rule": str(exc)}]
        errors = [{"field": _safe(str(e["field"]), 200), "rule": _safe(str(e["rule"]))}
                  for e in errors]
        return error_reply(422, errors, _safe(str(exc), 2000))

    @app.exception_handler(CatalogError)
    async def _no_catalog(request: Request, exc: CatalogError) -> JSONResponse:
        # A deployment problem (snapshot missing or altered), not the caller's input.
        return error_reply(503, [{"field": "(catalog)", "rule": _safe(str(exc))}],
                           f"catalog unavailable: {_safe(str(exc))}")

    @app.exception_handler(ModelArtifactError)
    async def _no_models(request: Request, exc: ModelArtifactError) -> JSONResponse:
        slot, reason = getattr(exc, "slot", None), getattr(exc, "reason", None)
        short = f"{slot} artifact {reason}" if slot and reason else "model artifacts unusable"
        return error_reply(503, [{"field": "(models)", "rule": _safe(str(exc))}],
                           f"degraded: {short}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        reply = error_reply(exc.status_code, [{"field": "(request)", "rule": _safe(detail)}],
                            _safe(detail))
        for key, value in (exc.headers or {}).items():
            reply.headers[key] = value
        return reply
