"""``/docs`` served offline: Swagger UI's own files from the ``swagger-ui-bundle`` package.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, so it is blank without the
internet.  Here the page points at ``/static/swagger/``, served by the app from the files the
``swagger-ui-bundle`` wheel ships (the ``api`` extra installs it).  ReDoc, which has no offline
bundle, is not offered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    The OpenAPI document the page shows gets a complete example request per route (the
    presets) and readable schema names.
    """
    _document_examples(app)
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


def _examples(app: FastAPI) -> dict[str, dict[str, Any]]:
    """``path -> {example name: {"summary", "value"}}``: a complete request per POST route,
    from the presets (and, for a review, a response the engine makes for one)."""
    from recommender.presets import (
        EXAMPLE_LAMBDA_REQUEST,
        EXAMPLE_RUNTIME_REQUEST,
        PRESET_LABELS,
        get_preset,
    )

    presets = {name: {"summary": label, "value": get_preset(name)}
               for name, label in PRESET_LABELS.items()}
    out = {
        "/v1/recommendations": presets,
        "/v1/recommendations:batch": {"two_presets": {
            "summary": "Web app and batch presets",
            "value": {"profiles": [get_preset("web_app"), get_preset("batch")]}}},
        "/v1/predictions/runtime": {"spark_sort": {
            "summary": "A Spark sort measured once, across 12 clusters",
            "value": EXAMPLE_RUNTIME_REQUEST}},
        "/v1/predictions/next-run": {"spark_sort": {
            "summary": "The Spark sort measured once: which of the 12 clusters to run next",
            "value": {**EXAMPLE_RUNTIME_REQUEST, "plan_runs": 3}}},
        "/v1/predictions/lambda-memory": {"one_measured_size": {
            "summary": "A function measured at 512 MB, across 7 sizes",
            "value": EXAMPLE_LAMBDA_REQUEST}},
    }
    saved = _saved_response(app, get_preset("web_app"))
    if saved is not None:
        out["/v1/reviews"] = {"saved_web_app": {
            "summary": "A saved response for the web app preset, with its load-test plan",
            "value": {"response": saved, "plan": True}}}
    return out


def _saved_response(app: FastAPI, profile: dict[str, Any]) -> dict[str, Any] | None:
    """A real response to ``profile`` from the app's catalog (rules only, so the example does
    not wait on the models), or None when no catalog loads: the document is still served."""
    from catalog import CatalogError, load_catalog
    from recommender.core.engine import recommend

    try:
        cat = app.state.catalog or load_catalog()
        return recommend(profile, catalog=cat, models=False).model_dump(mode="json")
    except CatalogError:
        return None


def _readable_names(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema names without their module path (``recommender__models__X`` -> ``X``, or
    ``ModuleX`` when two modules share ``X``); every ``$ref`` follows."""
    schemas = doc.get("components", {}).get("schemas", {})
    short = {old: old.split("__")[-1] for old in schemas if "__" in old}
    taken = {n for n in schemas if "__" not in n}
    renames = {}
    for old, new in short.items():
        if new in taken or list(short.values()).count(new) > 1:
            # Two models of one name (ModelInfo of predictions and of responses): prefix
            # the module, e.g. ``PredictionsModelInfo``.
            parts = old.split("__")
            new = parts[-2].capitalize() + parts[-1]
        if new not in taken:
            renames[old] = new
            taken.add(new)
    if not renames:
        return doc
    text = json.dumps(doc)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    out = json.loads(text)
    comps = out["components"]["schemas"]
    for old, new in renames.items():
        comps[new] = comps.pop(old)
    return out


def _document_examples(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = _readable_names(build())
            for path, examples in _examples(app).items():
                body = doc.get("paths", {}).get(path, {}).get("post", {}).get("requestBody")
                if body:
                    body.setdefault("content", {}).setdefault("application/json", {})[
                        "examples"] = examples
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
