"""The published OpenAPI document is one a client generator can use (issues 12 and 13).

Walks ``app.openapi()``: every property of every schema and every parameter of every
operation has a description; ``predicted`` and ``config`` are typed objects (named
properties, not a bare ``object``); every POST route has a complete example request, which
the route itself accepts; the rules the schema can express are in it (region pattern,
non-empty lists and maps, "this or that is required"), and a real response for every preset
validates against the published response schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from recommender.presets import get_preset, preset_names


@pytest.fixture(scope="module")
def doc(client: Any) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a ``$ref`` (or a nullable ``anyOf`` of one) followed."""
    for option in node.get("anyOf", [node]):
        if "$ref" in option:
            return _schemas(doc)[option["$ref"].rsplit("/", 1)[-1]]
        if option.get("type") != "null":
            return option
    return node


def _undocumented(where: str, schema: dict[str, Any]) -> Iterator[str]:
    """Property paths under ``schema`` (its own properties, and those of inline objects in
    them) that have no description.  The properties inside a model-level ``anyOf``/``allOf``
    are constraints ("input_gib is required"), not fields, and are not walked."""
    for name, prop in schema.get("properties", {}).items():
        if not str(prop.get("description", "")).strip():
            yield f"{where}.{name}"
        for inline in (prop, prop.get("additionalProperties"), prop.get("items"),
                       *prop.get("anyOf", [])):
            if isinstance(inline, dict) and "properties" in inline:
                yield from _undocumented(f"{where}.{name}", inline)


def test_every_property_has_a_description(doc: dict[str, Any]) -> None:
    missing = [p for name, schema in sorted(_schemas(doc).items())
               for p in _undocumented(name, schema)]
    assert not missing, f"{len(missing)} properties without a description: {missing}"


def test_every_parameter_has_a_description(doc: dict[str, Any]) -> None:
    missing = [f"{method.upper()} {path} {p['name']}"
               for path, ops in doc["paths"].items() for method, op in ops.items()
               for p in op.get("parameters", []) if not p.get("description")]
    assert not missing, missing


def test_every_schema_has_a_description(doc: dict[str, Any]) -> None:
    # Pydantic takes a model's description from its docstring.
    missing = [n for n, s in _schemas(doc).items()
               if "properties" in s and not s.get("description")]
    assert not missing, missing


@pytest.mark.parametrize("field", ["predicted", "config"])
def test_predicted_and_config_are_typed_objects(doc: dict[str, Any], field: str) -> None:
    option = _schemas(doc)["Option"]
    typed = _resolve(doc, option["properties"][field])
    # A bare ``{"type": "object", "additionalProperties": true}`` tells a client nothing.
    assert typed.get("type") == "object" and len(typed.get("properties", {})) >= 10, typed
    for name, prop in typed["properties"].items():
        assert prop.get("description"), f"{field}.{name}"


def test_schema_names_are_readable(doc: dict[str, Any]) -> None:
    assert not [n for n in _schemas(doc) if "__" in n]


def _post_routes(doc: dict[str, Any]) -> list[str]:
    return sorted(p for p, ops in doc["paths"].items() if "post" in ops)


def test_every_post_route_has_an_example_the_route_accepts(client: Any,
                                                           doc: dict[str, Any]) -> None:
    for path in _post_routes(doc):
        content = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        examples = content.get("examples")
        assert examples, f"{path} has no example request"
        for name, example in examples.items():
            assert example.get("summary"), (path, name)
            r = client.post(path, json=example["value"])
            assert r.status_code == 200, (path, name, r.text[:500])


def test_get_routes_show_an_example_request(doc: dict[str, Any]) -> None:
    for path, ops in doc["paths"].items():
        get = ops.get("get")
        if get and get.get("parameters"):
            assert get.get("x-example") or any("example" in p or "examples" in p
                                               for p in get["parameters"]), path


def test_rules_the_schema_can_express_are_in_it(doc: dict[str, Any]) -> None:
    s = _schemas(doc)
    profile = s["WorkloadProfile"]["properties"]
    region = _resolve(doc, profile["region"])
    assert region["pattern"].startswith("^(auto|") and region["pattern"].endswith("$")
    assert _resolve(doc, profile["purchase_options"])["minItems"] == 1
    assert profile["purchase_options"]["uniqueItems"] is True
    users = s["NetworkProfile"]["properties"]["user_regions"]
    assert users["minProperties"] == 1 and "pattern" in users["propertyNames"]
    assert "sum to 1" in users["description"]  # a sum: said in words, checked by the server
    assert "min" in s["Range"]["description"] and "max" in s["Range"]["description"]
    # "A measurement or input_gib is required", and its siblings, as ``anyOf``.
    for name, required in [("RuntimeRequest", {"job", "measurements"}),
                           ("JobProfile", {"input_gib", "measurements"}),
                           ("LambdaMemoryRequest", {"measurements", "power_tuning"}),
                           ("LambdaMeasurement", {"duration_ms", "billed_duration_ms"}),
                           ("RuntimeMeasurement", {"runtime_s", "failed"})]:
        model = next(v for k, v in s.items() if k == name or k.startswith(name + "-"))
        assert {r for alt in model["anyOf"] for r in alt["required"]} == required, name
    runtime = s["RuntimeRequest"]["properties"]
    assert runtime["region"]["pattern"] == region["pattern"].replace("auto|", "").replace(
        "^(", "^").replace(")$", "$")
    assert runtime["prices_usd_per_hour"]["additionalProperties"]["exclusiveMinimum"] == 0
    sizes = _resolve(doc, s["LambdaMemoryRequest"]["properties"]["candidate_memory_mb"])
    assert sizes["minItems"] == 1 and sizes["items"]["minimum"] == 128


@pytest.mark.parametrize("body, field, rule", [
    # Each rule the schema states is refused by the server in words, at the user's path.
    ({"region": "us-east-1\n"}, "region", "AWS region code"),
    ({"region": "us-east-١"}, "region", "AWS region code"),
    ({"purchase_options": []}, "purchase_options", "at least 1 item"),
    ({"purchase_options": ["spot", "spot"]}, "purchase_options", "must not repeat"),
    ({"network": {"user_regions": {}}}, "network.user_regions", "at least one region"),
    ({"network": {"user_regions": {"mars-1": 1.0}}}, "network.user_regions", "region code"),
    ({"compute": {"job": {"framework": "spark"}}}, "compute.job", "input_gib"),
])
def test_schema_rules_are_refused_in_words(client: Any, body: dict, field: str,
                                           rule: str) -> None:
    r = client.post("/v1/recommendations", json=body)
    assert r.status_code == 422, r.text
    assert any(e["field"] == field and rule in e["rule"] for e in r.json()["errors"]), \
        r.json()["errors"]


def test_prediction_region_is_a_region_code(client: Any) -> None:
    r = client.post("/v1/predictions/runtime", json={"region": "mars", "job": {"input_gib": 1}})
    assert r.status_code == 422
    # No "or 'auto'": the prediction routes do not choose a region.
    assert r.json()["errors"] == [{"field": "region",
                                   "rule": "must be an AWS region code (e.g. us-east-1)"}]


def _validator(doc: dict[str, Any], name: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    # The components as one 2020-12 document, so every $ref resolves.
    root = {"$defs": _schemas(doc), "$ref": f"#/$defs/{name}"}
    text = json.dumps(root).replace("#/components/schemas/", "#/$defs/")
    return jsonschema.Draft202012Validator(json.loads(text))


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_response_matches_the_published_schema(client: Any, doc: dict[str, Any],
                                                            name: str) -> None:
    """The documented types of ``predicted``/``config`` are the ones the rules emit, and
    every key they emit for the presets is documented."""
    r = client.post("/v1/recommendations", json=get_preset(name))
    assert r.status_code == 200
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
              for e in _validator(doc, "RecommendationResponse").iter_errors(r.json())]
    assert not errors, errors[:10]
    option = _schemas(doc)["Option"]["properties"]
    documented = {f: set(_resolve(doc, option[f])["properties"]) for f in ("predicted", "config")}
    for cat, opts in r.json()["recommendations"].items():
        for o in opts:
            for f, known in documented.items():
                assert set(o[f]) <= known, (cat, o["option"], f, set(o[f]) - known)
