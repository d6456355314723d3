"""The hot route's direct answer (api/hot.py) equals the full stack's, byte for byte.

The full stack is forced by a dependency override (the hot path steps aside whenever the
application's dependencies are overridden), so the same app answers both ways.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from recommender.app.presets import get_preset
from recommender.surfaces.api import hot

SMALL = {"name": "small", "region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4}}


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many requests the hot path answered itself (it counts its 200 replies)."""
    answered: list[int] = []
    original = hot.HotRecommend._answer

    def spy(self: Any, body: bytes) -> Any:
        found = original(self, body)
        if found is not None:
            answered.append(1)
        return found

    monkeypatch.setattr(hot.HotRecommend, "_answer", spy)
    yield answered


def _both(client: Any, body: bytes) -> tuple[Any, Any]:
    headers = {"content-type": "application/json"}
    fast = client.post("/v1/recommendations", content=body, headers=headers)
    client.app.dependency_overrides[object] = object  # any override: the full stack answers
    try:
        full = client.post("/v1/recommendations", content=body, headers=headers)
    finally:
        client.app.dependency_overrides.clear()
    return fast, full


@pytest.mark.parametrize("profile", [SMALL, get_preset("web_app")], ids=["small", "web_app"])
def test_good_request_gets_the_full_stacks_bytes_and_headers(
    client: Any, counted: list[int], profile: dict[str, Any]
) -> None:
    fast, full = _both(client, json.dumps(profile).encode())
    assert counted == [1], "the hot path should answer the good request, and only the first"
    assert fast.status_code == full.status_code == 200
    assert fast.content == full.content
    names = ("content-type", "content-length", "x-catalog-version", "x-model-version",
             "x-schema-version")
    assert {k: fast.headers[k] for k in names} == {k: full.headers[k] for k in names}


@pytest.mark.parametrize("body", [
    b'{"compute": {"vcpus": -1}}',  # a field's rule: the full stack's 422 naming it
    b'{"compute": {"vcpus": NaN}}',  # refused by the body check
    b'{"region": "xx-nowhere-9", "compute": {"vcpus": 2}}',  # valid shape, unknown region
    b"[1, 2]",  # JSON, not an object
])
def test_bad_request_is_left_to_the_full_stack(
    client: Any, counted: list[int], body: bytes
) -> None:
    fast, full = _both(client, body)
    assert counted == []
    assert fast.status_code == full.status_code == 422
    assert fast.json() == full.json() and fast.json()["errors"]


def test_other_content_type_is_left_to_the_full_stack(client: Any, counted: list[int]) -> None:
    r = client.post("/v1/recommendations", content=json.dumps(SMALL).encode(),
                    headers={"content-type": "text/plain"})
    assert counted == [] and r.status_code == 415
