"""Schemathesis run against the generated OpenAPI document: no input makes a server error."""

from __future__ import annotations

import warnings

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from recommender.api import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
