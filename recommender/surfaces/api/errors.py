"""Exception handlers: every error is a JSON body naming the field and the rule."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from catalog import CatalogError
from recommender.core.errors import ProfileError, UserError
from recommender.core.profile import field_errors


def install_error_handlers(app: FastAPI) -> None:
    """Register the 422 (validation, user error) and 503 (catalog) handlers on ``app``."""
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        body = {"detail": jsonable_encoder(errors),
                "errors": field_errors(errors, root="(body)", schema="schema")}
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> JSONResponse:
        errors = getattr(exc, "errors", None) if isinstance(exc, ProfileError) else None
        errors = errors or [{"field": "(body)", "rule": str(exc)}]
        return JSONResponse(status_code=422, content={"detail": str(exc), "errors": errors})

    @app.exception_handler(CatalogError)
    async def _no_catalog(request: Request, exc: CatalogError) -> JSONResponse:
        # A deployment problem (snapshot missing or altered), not the caller's input.
        return JSONResponse(status_code=503, content={"detail": str(exc)})


# --------------------------------------------------------------------------- app
