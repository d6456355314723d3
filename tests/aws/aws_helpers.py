"""Helpers for the AWS tests: stubbed botocore clients built on the recorded response shapes.

No test here needs credentials or network: clients get dummy keys and every call is answered
by ``botocore.stub.Stubber`` or by moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session

from catalog.aws import RETRY_CONFIG

AWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aws"


#: One botocore session for all test clients: it loads each service model once.
_SESSION = botocore.session.get_session()


def load_fixture(name: str) -> Any:
    return json.loads((AWS_FIXTURES / name).read_text())


def make_client(service: str, region: str = "us-east-1") -> Any:
    """A real botocore client with dummy keys (Stubber answers its calls)."""
    return _SESSION.create_client(
        service,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=RETRY_CONFIG,
    )


class FakeSession:
    """Stands in for ``boto3.Session``: hands out prepared clients by (service, region)."""

    def __init__(self, clients: dict[tuple[str, str], Any]) -> None:
        self.clients = clients
        self.calls: list[tuple[str, str]] = []

    def client(self, service: str, region_name: str, config: Any = None) -> Any:
        self.calls.append((service, region_name))
        return self.clients[(service, region_name)]
