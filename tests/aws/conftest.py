"""Fixtures of the AWS tests (helpers live in ``aws_helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_helpers import AWS_FIXTURES, load_fixture


@pytest.fixture(scope="session")
def aws_fixtures() -> Path:
    return AWS_FIXTURES


@pytest.fixture(scope="session")
def m5_item() -> dict:
    """The recorded m5.large us-east-1 PriceList element (after json.loads), excerpted."""
    return load_fixture("pricelist_item_m5.large_us-east-1.json")
