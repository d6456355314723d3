"""The hot route's direct answer (api/hot.py) and the body check's skip (api/body.py).

A good ``POST /v1/recommendations`` is answered with the response model's own JSON,
serialised once; a middleware added to the app still sees it; every other request gets the
full stack's reply, whose errors keep their shape.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from recommender.core.engine import recommend
from recommender.core.response import RecommendationResponse
from recommender.surfaces.api import body as body_check
from recommender.surfaces.api import hot

SMALL = {"name": "small", "region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4}}
JSON = {"content-type": "application/json"}


def _client(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        from fastapi.testclient import TestClient
    return TestClient(app)


@pytest.fixture()
def fresh(catalog: Any) -> Any:
    """An app without the reply cache (every good request is computed), its stack built."""
    from recommender.surfaces.api import create_app

    c = _client(create_app(catalog, response_cache_bytes=0))
    assert c.get("/healthz").status_code == 200  # the first request builds the stack
    return c


@pytest.fixture()
def computed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The bodies the hot path tried to answer itself."""
    tried: list[bytes] = []
    compute = hot.HotRecommend._answer

    def spy(self: Any, body: bytes) -> Any:
        tried.append(body)
        return compute(self, body)

    monkeypatch.setattr(hot.HotRecommend, "_answer", spy)
    yield tried


def _model_json(catalog: Any, profile: dict[str, Any]) -> bytes:
    return recommend(profile, catalog=catalog).model_dump_json().encode()


def test_good_request_is_answered_with_the_models_json(
    fresh: Any, catalog: Any, computed: list[bytes]
) -> None:
    body = json.dumps(SMALL).encode()
    r = fresh.post("/v1/recommendations", content=body, headers=JSON)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert computed == [body]
    assert r.content == _model_json(catalog, SMALL)
    assert int(r.headers["content-length"]) == len(r.content)
    parsed = RecommendationResponse.model_validate_json(r.content)
    assert parsed.model_dump_json().encode() == r.content
    assert r.headers["x-model-version"] == parsed.model.version
    assert r.headers["x-catalog-version"] == parsed.catalog.version


def test_a_middleware_added_after_create_app_sees_the_hot_route(
    catalog: Any, computed: list[bytes]
) -> None:
    from recommender.surfaces.api import create_app

    app, met = create_app(catalog, response_cache_bytes=0), []

    class Recorder:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            met.append(scope.get("path"))
            await self.inner(scope, receive, send)

    app.add_middleware(Recorder)
    c = _client(app)
    for _ in range(2):
        r = c.post("/v1/recommendations", content=json.dumps(SMALL).encode(), headers=JSON)
        assert r.status_code == 200 and r.content == _model_json(catalog, SMALL)
    assert met == ["/v1/recommendations"] * 2 and len(computed) == 2


def test_a_bad_body_is_tried_once_and_gets_the_full_stacks_error(
    fresh: Any, computed: list[bytes]
) -> None:
    r = fresh.post("/v1/recommendations", content=b'{"compute": {"vcpus": -1}}',
                   headers=JSON)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "compute.vcpus", "rule": "must be at least 0"}]
    assert len(computed) == 1, "left to the full stack, which answers it on its own"


@pytest.mark.parametrize(("content", "status", "field"), [
    (b'{"compute": {"vcpus": NaN}}', 422, "compute.vcpus"),
    (b'{"name": "\xff"}', 400, "(body)"),
    (b"[1, 2]", 422, "(body)"),
])
def test_errors_keep_their_shape(
    fresh: Any, content: bytes, status: int, field: str
) -> None:
    r = fresh.post("/v1/recommendations", content=content, headers=JSON)
    assert r.status_code == status and set(r.json()) == {"detail", "errors"}
    assert r.json()["errors"][0]["field"] == field


def test_an_unexpected_error_in_the_hot_path_is_never_a_500(
    fresh: Any, catalog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, body: bytes) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(hot.HotRecommend, "_answer", broken)
    r = fresh.post("/v1/recommendations", content=json.dumps(SMALL).encode(), headers=JSON)
    assert r.status_code == 200 and r.content == _model_json(catalog, SMALL)  # the route's


# --------------------------------------------------------------------------- the body check


@pytest.mark.parametrize("text", [
    json.dumps(SMALL),
    json.dumps({**SMALL, "name": "{[" * 50}),  # brackets in a string: not nesting
    json.dumps({**SMALL, "name": "caf\u00e9 \u2603"}),  # escaped (\u) text, valid
    json.dumps({**SMALL, "name": "caf\u00e9 \u2603"}, ensure_ascii=False),  # raw UTF-8
    json.dumps({"name": "\U0001f600"}),  # a surrogate pair: one valid character
    '{"a": -' + "9" * 30 + ', "b": 1e308, "c": [0.5, -2]}',  # the largest accepted
    "[" * 65 + "]" * 65,  # the innermost at depth 64 (MAX_DEPTH): accepted
])
def test_acceptable_json_parses_to_what_json_loads_gives(text: str) -> None:
    doc, refusal = body_check.parse_checked(text.encode())
    assert refusal is None and doc == json.loads(text)


@pytest.mark.parametrize(("text", "field", "rule"), [
    ('{"a": [1, NaN]}', "a.1", "must be a finite number"),
    ('{"a": {"b": -Infinity}}', "a.b", "must be a finite number"),
    ('{"a": 1e309}', "a", "must be a finite number"),
    ('{"a": ' + "1" * 31 + "}", "a", "must be a number of at most 30 digits"),
    ('{"a": "x\\ud800"}', "a", "must be valid Unicode text (it holds a lone surrogate)"),
    ('{"\\udfff": 1}', "(body)", "has a key that is not valid Unicode text"),
    ("[" * 66 + "]" * 66, "0." * 64 + "0", "nests deeper than 64 levels"),  # at depth 65
])
def test_every_refused_value_is_still_named(text: str, field: str, rule: str) -> None:
    doc, refusal = body_check.parse_checked(text.encode())
    assert doc is None and refusal == (422, [{"field": field, "rule": rule}])


def test_the_walk_is_skipped_only_when_it_cannot_find_anything(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[str] = []
    real = body_check._walk

    def spy(value: Any, path: str, depth: int, out: list[dict[str, str]]) -> None:
        if depth == 0:
            walked.append(path)
        real(value, path, depth, out)

    monkeypatch.setattr(body_check, "_walk", spy)
    assert body_check.parse_checked(json.dumps(SMALL).encode())[1] is None
    assert walked == []  # nothing marked, no \u, 3 opening brackets
    for text in ('{"a": "\\u00e9"}', '{"a": [NaN]}', "[" * 65 + "]" * 65):
        body_check.parse_checked(text.encode())
    assert len(walked) == 3
