"""FastAPI dependencies: the catalog and models a request is answered from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from catalog import Catalog, load_catalog


def get_catalog(request: Request) -> Catalog:
    """The catalog given to :func:`create_app`, else the embedded snapshot (cached)."""
    cat = request.app.state.catalog
    return cat if cat is not None else load_catalog()


def get_models(request: Request) -> Any:
    """The models given to :func:`create_app` (None: the engine loads its default)."""
    return request.app.state.models


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ModelsDep = Annotated[Any, Depends(get_models)]
