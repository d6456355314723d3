"""Schemathesis run against the generated OpenAPI document.

No generated input may cause a server error, and every answer must match the declared
response schema and content type.  ``derandomize`` keeps CI deterministic; a longer local run
(``max_examples=150``) found the inputs listed in ``test_api.py::_FOUND_BY_FUZZING``.
"""

from __future__ import annotations

import warnings

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from recommender.surfaces.api import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
    )
