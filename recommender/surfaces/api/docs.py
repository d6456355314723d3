"""``/docs`` served offline: Swagger UI's own files from the ``swagger-ui-bundle`` package.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, so it is blank without the
internet.  Here the page points at ``/static/swagger/``, served by the app from the files the
``swagger-ui-bundle`` wheel ships (the ``api`` extra installs it).  ReDoc, which has no offline
bundle, is not offered.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PREFIX = "/static/swagger"


def swagger_assets() -> Path | None:
    """The directory of Swagger UI's JS/CSS files, or None when the package is absent."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    path = Path(swagger_ui_bundle.swagger_ui_path)
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def install_offline_docs(app: FastAPI) -> None:
    """Add ``/docs`` (Swagger UI from local files) and the static route it loads from.

    The app must be built with ``docs_url=None`` so FastAPI's CDN page is not registered.
    """
    assets = swagger_assets()
    if assets is not None:
        app.mount(STATIC_PREFIX, StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(
                "<p>Swagger UI is not installed: <code>pip install swagger-ui-bundle</code> "
                "(part of the <code>api</code> extra). The OpenAPI document is at "
                f'<a href="{app.openapi_url}">{app.openapi_url}</a>.</p>', status_code=200)
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{STATIC_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PREFIX}/favicon-32x32.png",
        )
