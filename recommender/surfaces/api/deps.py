"""FastAPI dependencies: the catalog and models a request is answered from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from catalog import Catalog, load_catalog
from recommender.core.engine import model_info


def get_catalog(request: Request) -> Catalog:
    """The catalog given to :func:`create_app`, else the active snapshot (cached)."""
    cat = request.app.state.catalog
    return cat if cat is not None else load_catalog()


def resolved_models(given: Any) -> Any:
    """The bundle a request is answered with: ``given``, or the default artifacts' bundle
    when they verify (None: rules only, with the reason in ``/healthz``)."""
    if given is False:
        return None
    if given is not None:
        return given
    from recommender.models.artifacts import model_state

    return model_state().bundle


def get_models(request: Request) -> Any:
    """The models for this request, resolved once, with their version recorded so the
    ``X-Model-Version`` header and the body's ``model.version`` are the same."""
    bundle = resolved_models(request.app.state.models)
    request.state.model_version = model_info(bundle).version
    return bundle if bundle is not None else False  # False: recommend() uses the rules only


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ModelsDep = Annotated[Any, Depends(get_models)]
