"""Regression models learned from real measurements (issue 4).

* :mod:`~recommender.models.perf`: compute capacity (``perf_index``) from specs.
* :mod:`~recommender.models.runtime`: job runtime across instance types and node counts.
* :mod:`~recommender.models.lambda_mem`: Lambda duration across memory sizes.

:func:`load_models` returns the verified artifacts as a :class:`ModelBundle`.

The names below are imported on first use (PEP 562): the workload profile validates job
fields through :mod:`~recommender.core.predictions`, and importing this package must not pull
in scikit-learn for every ``import recommender``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ModelBundle": "recommender.models.artifacts",
    "load_models": "recommender.models.artifacts",
    "predict_lambda_memory": "recommender.models.endpoints",
    "predict_runtime": "recommender.models.endpoints",
}

__all__ = ["ModelBundle", "load_models", "predict_lambda_memory", "predict_runtime"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
