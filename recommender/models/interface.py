"""The models as the rules call them: typed queries in, typed estimates out.

The rules (``rules.compute.jobs``, ``rules.compute.serverless``) build a frozen query from
the profile and call :func:`estimate_runtime` or :func:`choose_lambda_memory`; no request
dict, no pydantic validation and no DataFrame on the way (the profile was validated when it
was parsed).  The prediction endpoints (:func:`recommender.models.endpoints.predict_runtime`,
:func:`recommender.models.endpoints.predict_lambda_memory`) are thin adapters over the
same two functions: they validate the request (CONTRACT section 4), turn it into a query,
and the estimates into the response.

The queries and estimates are frozen dataclasses (:mod:`.queries`, re-exported here).
Importing this module costs nothing beyond the standard library: the implementations (and
numpy, pandas) are imported on the first call.
"""

from __future__ import annotations

from typing import Any, Protocol

from recommender.models.queries import (
    LambdaChoice,
    LambdaEstimate,
    LambdaQuery,
    LambdaRun,
    MeasuredRun,
    NodeConfig,
    RuntimeEstimate,
    RuntimeQuery,
    price_pairs,
)

__all__ = ["LambdaChoice", "LambdaEstimate", "LambdaMemoryChooser", "LambdaQuery", "LambdaRun",
           "MeasuredRun", "NodeConfig", "RuntimeEstimate", "RuntimeEstimator", "RuntimeQuery",
           "choose_lambda_memory", "estimate_runtime", "price_pairs"]


class RuntimeEstimator(Protocol):
    """What the job rules call (see :func:`estimate_runtime`)."""

    def __call__(self, query: RuntimeQuery, *, catalog: Any, bundle: Any
                 ) -> tuple[RuntimeEstimate, ...]: ...


class LambdaMemoryChooser(Protocol):
    """What the Lambda rules call (see :func:`choose_lambda_memory`)."""

    def __call__(self, query: LambdaQuery, *, catalog: Any, bundle: Any) -> LambdaChoice: ...


def estimate_runtime(query: RuntimeQuery, *, catalog: Any, bundle: Any
                     ) -> tuple[RuntimeEstimate, ...]:
    """Runtime and cost per run of each of ``query.configs``, in order.

    Memoised per catalog and model bundle (the same profile is asked again and again).

    Raises
    ------
    recommender.core.errors.UserError
        An instance type the catalog does not know, or one without perf_index.
    """
    from recommender.models.runtime_index import estimate

    return estimate(query, catalog=catalog, bundle=bundle)


def choose_lambda_memory(query: LambdaQuery, *, catalog: Any, bundle: Any,
                         prices: Any = None) -> LambdaChoice:
    """Duration and monthly cost at each candidate memory size, and the best for the objective.

    ``prices`` (a :class:`recommender.models.lambda_mem.LambdaPrices`) overrides the
    catalog's ``unit_prices``.

    Raises
    ------
    recommender.core.errors.UserError
        A run longer than Lambda's timeout, no candidate size, or no Lambda price.
    """
    from recommender.models.lambda_mem import choose_memory

    return choose_memory(query, catalog=catalog, bundle=bundle, prices=prices)
