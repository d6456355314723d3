"""``/v1/predictions/*``: the models' runtime and Lambda-memory predictions."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from recommender.surfaces.api.deps import CatalogDep


def _prediction_functions() -> tuple[Any, Any, Any] | None:
    """``(schemas, predict_runtime, predict_lambda_memory)`` from the models package."""
    try:
        from recommender.core import predictions as schemas
        from recommender.models.lambda_mem import predict_lambda_memory
        from recommender.models.runtime import predict_runtime
    except ImportError:  # a build without the models package: no prediction routes
        return None
    return schemas, predict_runtime, predict_lambda_memory


def add_prediction_routes(app: FastAPI) -> None:
    found = _prediction_functions()
    if found is None:
        return
    schemas, predict_runtime, predict_lambda_memory = found

    def create_runtime_prediction(request: Any, catalog: Any) -> Any:
        """Predicted job runtime (with interval) and cost per candidate cluster."""
        return predict_runtime(request, catalog=catalog, bundle=app.state.models)

    def create_lambda_prediction(request: Any, catalog: Any) -> Any:
        """Predicted Lambda duration (with interval) and monthly cost per memory setting."""
        return predict_lambda_memory(request, catalog=catalog, bundle=app.state.models)

    # The request types are only known here, so set them as real (not string) annotations.
    routes = (
        ("/v1/predictions/runtime", create_runtime_prediction,
         schemas.RuntimeRequest, schemas.RuntimeResponse),
        ("/v1/predictions/lambda-memory", create_lambda_prediction,
         schemas.LambdaMemoryRequest, schemas.LambdaMemoryResponse),
    )
    for path, endpoint, request_model, response_model in routes:
        endpoint.__annotations__ = {
            "request": request_model, "catalog": CatalogDep, "return": response_model,
        }
        app.add_api_route(path, endpoint, methods=["POST"], response_model=response_model,
                          tags=["predict"])
