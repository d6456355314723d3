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


# --------------------------------------------------------------------------- the reply cache


def test_repeated_body_is_answered_from_the_cache_with_the_same_bytes(client: Any) -> None:
    cache = client.app.state.response_cache
    body = json.dumps({**SMALL, "name": "cache-repeat"}).encode()
    headers = {"content-type": "application/json"}
    hits = cache.hits
    first = client.post("/v1/recommendations", content=body, headers=headers)
    again = client.post("/v1/recommendations", content=body, headers=headers)
    assert cache.hits == hits + 1, "the second identical body should be a hit"
    fast, full = _both(client, body)  # the full stack computes it afresh; fast is a hit
    assert cache.hits == hits + 2 and fast.content == again.content
    assert first.status_code == again.status_code == full.status_code == 200
    assert first.content == again.content == full.content
    names = ("content-type", "content-length", "x-catalog-version", "x-model-version",
             "x-schema-version")
    assert {k: again.headers[k] for k in names} == {k: full.headers[k] for k in names}
    # Other bytes (a space more) are another key: answered afresh, with the same JSON.
    spaced = client.post("/v1/recommendations", content=body + b" ", headers=headers)
    assert cache.hits == hits + 2 and spaced.content == first.content


def test_errors_are_never_cached(client: Any) -> None:
    cache = client.app.state.response_cache
    before = len(cache)
    for _ in range(2):
        r = client.post("/v1/recommendations", content=b'{"compute": {"vcpus": -7}}',
                        headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "compute.vcpus"
    assert len(cache) == before


def test_cache_off_keeps_nothing(catalog: Any) -> None:
    from fastapi.testclient import TestClient

    from recommender.surfaces.api import create_app

    c = TestClient(create_app(catalog, response_cache_bytes=0))
    for _ in range(2):
        assert c.post("/v1/recommendations", json=SMALL).status_code == 200
    assert len(c.app.state.response_cache) == 0 and c.app.state.response_cache.hits == 0


def _reply(n: int) -> Any:
    return b"x" * n, [(b"content-length", str(n).encode())]


def test_cache_forgets_everything_when_the_catalog_or_bundle_changes() -> None:
    from recommender.surfaces.api.cache import ResponseCache

    cache = ResponseCache(1 << 20)
    cat, bundle, retrained = object(), object(), object()
    cache.put(b"{}", cat, bundle, _reply(10))
    assert cache.get(b"{}", cat, bundle) == _reply(10)
    assert cache.get(b"{}", cat, retrained) is None and len(cache) == 0  # a new bundle
    cache.put(b"{}", cat, None, _reply(10))  # rules only (artifacts degraded)
    assert cache.get(b"{}", cat, None) == _reply(10)
    assert cache.get(b"{}", object(), None) is None and len(cache) == 0  # another catalog


def test_cache_stays_within_its_budget_least_recently_used_first() -> None:
    from recommender.surfaces.api.cache import MAX_KEY_BYTES, ResponseCache, _cost

    cat = bundle = None
    one = _cost(b"k00", _reply(1000))  # key 3 + reply 1,000 + header 14 + 4 + 256 = 1,277
    assert one == 1277
    cache = ResponseCache(8 * one + 8 * one // 2)  # room for 12; an entry <= 1/8 of it
    for i in range(10):
        cache.put(f"k{i:02d}".encode(), cat, bundle, _reply(1000))
    assert cache.get(b"k00", cat, bundle) is not None  # k00 used: k01 is now the oldest
    for i in range(10, 14):
        cache.put(f"k{i:02d}".encode(), cat, bundle, _reply(1000))
    assert len(cache) == 12 and cache.size == 12 * one <= cache.max_bytes
    assert cache.get(b"k01", cat, bundle) is None and cache.get(b"k02", cat, bundle) is None
    assert cache.get(b"k00", cat, bundle) is not None and cache.get(b"k13", cat, bundle)
    cache.put(b"big", cat, bundle, _reply(cache.max_bytes // 8))  # over an eighth: not kept
    cache.put(b"k" * (MAX_KEY_BYTES + 1), cat, bundle, _reply(10))  # key too long: not kept
    assert len(cache) == 12


def test_serve_passes_the_cache_budget_to_its_workers() -> None:
    import argparse

    from recommender.core.errors import UserError
    from recommender.surfaces.cli.serve import DEFAULT_CACHE_MIB, cache_mib, uvicorn_options

    assert cache_mib({}) == DEFAULT_CACHE_MIB == 32
    assert cache_mib({"RECOMMENDER_RESPONSE_CACHE_MIB": "0"}) == 0
    with pytest.raises(UserError, match="RECOMMENDER_RESPONSE_CACHE_MIB"):
        cache_mib({"RECOMMENDER_RESPONSE_CACHE_MIB": "-1"})
    with pytest.raises(UserError, match="--response-cache"):
        uvicorn_options(argparse.Namespace(host="127.0.0.1", port=8000, workers=1,
                                           access_log=False, response_cache=-1))
