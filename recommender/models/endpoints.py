"""The models' entry points: validate a request, default the catalog and the model bundle.

These are what the API routes, the CLI and notebooks call (CONTRACT section 4).  They live
apart from the model classes because they load the artifacts (:mod:`.artifacts`), and the
artifact loader rebuilds those classes: a model module that also loaded artifacts would
import itself in a circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from recommender.core.errors import ModelArtifactError
from recommender.core.predictions import (
    LambdaMemoryRequest,
    LambdaMemoryResponse,
    RuntimeRequest,
    RuntimeResponse,
)
from recommender.models.lambda_mem import LambdaPrices, answer_lambda_memory
from recommender.models.requests import resolve_request
from recommender.models.runtime import answer_runtime

if TYPE_CHECKING:  # pandas is imported where a function calls it (a warm
    import pandas as pd  # recommend never does: issue 11)


def predict_runtime(
    request: RuntimeRequest | dict[str, Any], catalog: Any = None, bundle: Any = None,
) -> RuntimeResponse:
    """Predict a job's runtime and cost on candidate configurations (CONTRACT section 4).

    Parameters
    ----------
    request : RuntimeRequest or dict
        See :func:`recommender.models.runtime.answer_runtime`.
    catalog : Catalog, optional
        Defaults to :func:`catalog.store.load_catalog`.
    bundle : ModelBundle, optional
        Defaults to :func:`recommender.models.load_models`.

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request or an instance type the catalog does not know.
    """
    req, catalog, bundle = resolve_request(RuntimeRequest, request, "runtime", catalog, bundle)
    return answer_runtime(req, catalog=catalog, bundle=bundle)


def predict_lambda_memory(
    request: LambdaMemoryRequest | dict[str, Any], catalog: Any = None, bundle: Any = None,
    prices: LambdaPrices | None = None,
) -> LambdaMemoryResponse:
    """Predict duration and monthly cost at candidate memory sizes (CONTRACT section 4).

    Parameters
    ----------
    request : LambdaMemoryRequest or dict
    catalog : Catalog, optional
        Source of Lambda prices (``unit_prices``); the committed snapshot by default.
    bundle : ModelBundle, optional
        Defaults to :func:`recommender.models.load_models`.
    prices : LambdaPrices, optional
        Overrides the catalog prices (tests, evaluations).

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request, or no Lambda prices in the catalog.
    """
    req, catalog, bundle = resolve_request(
        LambdaMemoryRequest, request, "lambda-memory", catalog, bundle)
    return answer_lambda_memory(req, catalog=catalog, bundle=bundle, prices=prices)


def catalog_perf_filler(ec2: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """The perf model as the catalog build's ``perf_filler`` (see :data:`catalog.merge.PerfFiller`).

    An artifact that is absent or fails its check does not stop the build: the unmeasured
    rows stay missing and the returned note says why.
    """
    from recommender.models.artifacts import load_models
    from recommender.models.perf import fill_perf_index  # scikit-learn: the build only

    try:
        return fill_perf_index(ec2, load_models().perf), "perf model predicted perf_index"
    except ModelArtifactError as exc:
        return None, f"perf model artifact unavailable ({exc}): unmeasured perf_index missing"
