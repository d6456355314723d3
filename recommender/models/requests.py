"""Validate a prediction request (the contract in :mod:`recommender.core.predictions`) and
default what it runs against: the embedded catalog snapshot and the committed artifacts."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def resolve_request(
    cls: type[M], request: M | dict[str, Any], what: str, catalog: Any = None, bundle: Any = None
) -> tuple[M, Any, Any]:
    """Validate a prediction request and default the catalog and model bundle.

    Returns ``(request, catalog, bundle)``; the embedded snapshot and the committed artifacts
    stand in for a missing catalog or bundle.

    Raises
    ------
    recommender.core.errors.UserError
        The request breaks its schema (the message names the field and the rule).
    """
    from pydantic import ValidationError

    from recommender.core.errors import UserError
    from recommender.core.messages import sentences

    if not isinstance(request, cls):
        try:
            request = cls.model_validate(request)
        except ValidationError as exc:
            # In words, each field with its rule, as a profile's errors are (no pydantic
            # internals, no input echoed, no documentation links).
            lines = [f"  {e['field']}: {e['rule']}" for e in
                     sentences(exc.errors(), root="(request)", schema=f"{what} request schema")]
            raise UserError(f"invalid {what} request:\n" + "\n".join(lines)) from None
    if catalog is None:
        from catalog.store import load_catalog

        catalog = load_catalog()
    if bundle is None:
        from recommender.models.artifacts import load_models

        bundle = load_models()
    return request, catalog, bundle
