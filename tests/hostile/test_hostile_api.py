"""Hostile API requests: never a 5xx, never echoed unencodable input; every problem named.

Covers issue 12's defects 1 (non-finite/unencodable input), 4 (model state in /healthz, 503
on the prediction routes, header and body agree), 6-7 (prediction routes) and 11 (messages in
one pass, 413 with errors, 415, OpenAPI declares 400/413/415).
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from recommender.surfaces.api import create_app

REC = "/v1/recommendations"
RUNTIME = "/v1/predictions/runtime"
LAMBDA = "/v1/predictions/lambda-memory"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(catalog: Any) -> TestClient:
    return TestClient(create_app(catalog))


def _post(client: TestClient, path: str, raw: bytes, headers: dict | None = None) -> Any:
    return client.post(path, content=raw, headers=headers or JSON)


@pytest.mark.parametrize("raw, field", [
    (b'{"compute": {"vcpus": NaN}}', "compute.vcpus"),
    (b'{"compute": {"vcpus": Infinity}}', "compute.vcpus"),
    (b'{"compute": {"memory_gib": -Infinity}}', "compute.memory_gib"),
    (b'{"compute": {"memory_gib": {"min": 1e309}}}', "compute.memory_gib.min"),
    (b'{"top_n": 1e309}', "top_n"),
])
def test_non_finite_numbers_are_422_naming_the_field(client, raw, field) -> None:
    r = _post(client, REC, raw)
    assert r.status_code == 422, r.text
    assert {"field": field, "rule": "must be a finite number"} in r.json()["errors"]


@pytest.mark.parametrize("path", [REC, RUNTIME, LAMBDA, "/v1/recommendations:batch"])
def test_lone_surrogates_and_bad_bytes_never_give_500(client, path) -> None:
    r = _post(client, path, b'{"name": "\\ud800", "region": "\\udfff"}')
    assert r.status_code == 422 and "lone surrogate" in r.text
    r = _post(client, path, b'{"name": "\xff\xfe\xfa"}')
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "(body)"


@pytest.mark.parametrize("body, field", [
    ({"job": {"input_gib": 10}, "measurements": [
        {"instance_type": "m5.large", "count": 1, "runtime_s": 1e308}]}, "runtime_s"),
    ({"job": {"input_gib": 10}, "deadline_s": "Infinity"}, "deadline_s"),
    ({"job": {"input_gib": 10}, "prices_usd_per_hour": {"m5.large": "Infinity"}},
     "prices_usd_per_hour"),
])
def test_prediction_routes_refuse_non_finite_numbers(client, body, field) -> None:
    raw = json.dumps(body).replace('"Infinity"', "Infinity").encode()
    r = _post(client, RUNTIME, raw)
    assert r.status_code == 422, r.text[:300]
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()


def test_runtime_for_a_region_without_prices_is_422(client) -> None:
    for body in ({"region": "ap-east-2", "job": {"input_gib": 10}},
                 {"region": "ap-east-2", "measurements": [
                     {"instance_type": "m5.large", "count": 1, "runtime_s": 100}]}):
        r = client.post(RUNTIME, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "region" and "no EC2" in r.text


def test_malformed_json_names_the_body_and_the_place(client) -> None:
    r = _post(client, REC, b'{"name": "x",}')
    assert r.status_code == 422
    e = r.json()["errors"][0]
    assert e["field"] == "(body)" and "line 1, column 14" in e["rule"]


def test_wrong_content_type_is_415_with_errors(client) -> None:
    r = client.post(REC, content=b"name=x", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["errors"][0]["field"] == "(body)"


def test_413_has_errors(catalog) -> None:
    small = TestClient(create_app(catalog, max_body_bytes=100))
    r = small.post(REC, content=json.dumps({"name": "x" * 200}).encode(), headers=JSON)
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "(body)"


def test_deep_nesting_and_huge_integers_are_422(client) -> None:
    assert _post(client, REC, b"[" * 100_000 + b"]" * 100_000).status_code == 422
    r = _post(client, REC, b'{"top_n": ' + b"9" * 5000 + b"}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "top_n"


def test_region_typo_is_reported_with_the_schema_errors(client) -> None:
    r = client.post(REC, json={"region": "us-east-9", "top_n": 0, "compute": {"vcpus": -2}})
    assert r.status_code == 422
    fields = {e["field"]: e["rule"] for e in r.json()["errors"]}
    assert set(fields) == {"region", "top_n", "compute.vcpus"}, fields
    assert fields["top_n"] == "must be at least 1"  # a sentence, not pydantic's words
    assert "pydantic.dev" not in r.text and "Input should" not in r.text


def test_openapi_declares_the_error_statuses(client) -> None:
    doc = client.get("/openapi.json").json()
    for path in (REC, RUNTIME, LAMBDA):
        assert {"400", "413", "415", "422", "503"} <= set(doc["paths"][path]["post"]["responses"])


def test_damaged_artifact_degrades_health_and_503s_predictions(catalog, tmp_path,
                                                               monkeypatch) -> None:
    from recommender.models import artifacts as A

    real = A.DEFAULT_ARTIFACTS_DIR
    art = tmp_path / "art"
    shutil.copytree(real, art)
    data = bytearray((art / "perf.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (art / "perf.skops").write_bytes(bytes(data))
    monkeypatch.setattr(A, "DEFAULT_ARTIFACTS_DIR", Path(art))
    c = TestClient(create_app(catalog))
    h = c.get("/healthz").json()
    assert h["status"] == "degraded" and "perf artifact failed its hash" in h["detail"]
    r = c.post(RUNTIME, json={"job": {"input_gib": 10}})
    assert r.status_code == 503 and "perf artifact failed its hash" in r.json()["detail"]
    rec = c.post(REC, json={"compute": {"vcpus": 2}})
    assert rec.status_code == 200
    assert rec.json()["model"]["version"] == rec.headers["x-model-version"] == "rules-only"
    # Repaired: picked up without a restart, and header and body agree again.
    shutil.copy(real / "perf.skops", art / "perf.skops")
    assert c.get("/healthz").json()["status"] == "ok"
    rec = c.post(REC, json={"compute": {"vcpus": 2}})
    assert rec.json()["model"]["version"] == rec.headers["x-model-version"] != "rules-only"


def test_artifact_trust_boundary(tmp_path) -> None:
    """A pickle with a matching hash is refused; a sidecar pointing outside, or naming
    another slot, is refused; a skops file with an untrusted type is refused."""
    import hashlib
    import pickle

    from recommender.core.errors import ModelArtifactError
    from recommender.models import artifacts as A

    art = tmp_path / "art"
    shutil.copytree(A.DEFAULT_ARTIFACTS_DIR, art)
    side = json.loads((art / "lambda.json").read_text())

    def rewrite(**changes: Any) -> None:
        (art / "lambda.json").write_text(json.dumps({**side, **changes}))

    evil = pickle.dumps({"x": 1})
    (art / "lambda.skops").write_bytes(evil)
    rewrite(sha256=hashlib.sha256(evil).hexdigest(), bytes=len(evil))
    with pytest.raises(ModelArtifactError, match="cannot be decoded"):
        A.load_artifact("lambda", art)
    outside = tmp_path / "outside.skops"
    outside.write_bytes(b"x")
    rewrite(file="../outside.skops")
    with pytest.raises(ModelArtifactError, match="outside its slot"):
        A.load_artifact("lambda", art)
    (art / "lambda.skops").unlink()
    (art / "lambda.skops").symlink_to(outside)
    rewrite()
    with pytest.raises(ModelArtifactError, match="outside the artifacts directory"):
        A.load_artifact("lambda", art)
    rewrite(name="perf")
    with pytest.raises(ModelArtifactError, match="names another slot"):
        A.load_artifact("lambda", art)
    import skops.io as sio

    bad = sio.dumps(Path("/etc"))  # a type outside TRUSTED_TYPES
    (art / "lambda.skops").unlink()
    (art / "lambda.skops").write_bytes(bad)
    rewrite(sha256=hashlib.sha256(bad).hexdigest(), bytes=len(bad))
    with pytest.raises(ModelArtifactError, match="untrusted types"):
        A.load_artifact("lambda", art)
