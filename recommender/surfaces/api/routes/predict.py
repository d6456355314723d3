"""``/v1/predictions/*``: runtime and Lambda-memory predictions, and the next run to measure."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from recommender.surfaces.api.deps import CatalogDep


def _prediction_functions() -> tuple[Any, Any, Any, Any] | None:
    """``(schemas, predict_runtime, predict_lambda_memory, next_run)`` from the models."""
    try:
        from recommender.core import predictions as schemas
        from recommender.models.endpoints import predict_lambda_memory, predict_runtime
        from recommender.models.next_run import next_run
    except ImportError:  # a build without the models package: no prediction routes
        return None
    return schemas, predict_runtime, predict_lambda_memory, next_run


def add_prediction_routes(app: FastAPI) -> None:
    found = _prediction_functions()
    if found is None:
        return
    schemas, predict_runtime, predict_lambda_memory, next_run = found

    def create_runtime_prediction(request: Any, catalog: Any) -> Any:
        """Predicted job runtime (with interval) and cost per candidate cluster."""
        return predict_runtime(request, catalog=catalog, bundle=app.state.models)

    def create_lambda_prediction(request: Any, catalog: Any) -> Any:
        """Predicted Lambda duration (with interval) and monthly cost per memory setting."""
        return predict_lambda_memory(request, catalog=catalog, bundle=app.state.models)

    def create_next_run(request: Any, catalog: Any) -> Any:
        """The configuration to measure next (expected improvement) and the regret curve."""
        return next_run(request, catalog=catalog, bundle=app.state.models)

    # The request types are only known here, so set them as real (not string) annotations.
    routes = (
        ("/v1/predictions/runtime", create_runtime_prediction,
         schemas.RuntimeRequest, schemas.RuntimeResponse),
        ("/v1/predictions/lambda-memory", create_lambda_prediction,
         schemas.LambdaMemoryRequest, schemas.LambdaMemoryResponse),
        ("/v1/predictions/next-run", create_next_run,
         schemas.NextRunRequest, schemas.NextRunResponse),
    )
    for path, endpoint, request_model, response_model in routes:
        endpoint.__annotations__ = {
            "request": request_model, "catalog": CatalogDep, "return": response_model,
        }
        app.add_api_route(path, endpoint, methods=["POST"], response_model=response_model,
                          tags=["predict"])
