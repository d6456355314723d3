"""Regression models learned from real measurements (issue 4).

* :mod:`~recommender.models.perf`: compute capacity (``perf_index``) from specs.
* :mod:`~recommender.models.runtime`: job runtime across instance types and node counts.
* :mod:`~recommender.models.lambda_mem`: Lambda duration across memory sizes.

:func:`load_models` returns the verified artifacts as a :class:`ModelBundle`.
"""

from __future__ import annotations

from recommender.models.artifacts import ModelBundle, load_models
from recommender.models.lambda_mem import predict_lambda_memory
from recommender.models.runtime import predict_runtime

__all__ = ["ModelBundle", "load_models", "predict_lambda_memory", "predict_runtime"]
