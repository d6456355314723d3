"""Validation errors in words: pydantic's error dicts as ``{"field", "rule"}`` sentences.

Pydantic says "Input should be greater than or equal to 1"; a user reads "must be at least
1".  Messages never carry the offending input (it may not be encodable) or pydantic's
documentation links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_URL = re.compile(r"\s*For further information visit \S+", re.IGNORECASE)


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _items(n: Any, what: str = "item") -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


#: pydantic error type -> sentence (``ctx`` values fill the braces).
_RULES: dict[str, Any] = {
    "greater_than_equal": lambda c: f"must be at least {_num(c.get('ge'))}",
    "greater_than": lambda c: f"must be greater than {_num(c.get('gt'))}",
    "less_than_equal": lambda c: f"must be at most {_num(c.get('le'))}",
    "less_than": lambda c: f"must be less than {_num(c.get('lt'))}",
    "finite_number": lambda c: "must be a finite number",
    "missing": lambda c: "is required",
    "int_type": lambda c: "must be a whole number",
    "int_from_float": lambda c: "must be a whole number",
    "int_parsing": lambda c: "must be a whole number",
    "float_type": lambda c: "must be a number",
    "float_parsing": lambda c: "must be a number",
    "string_type": lambda c: "must be text",
    "bool_type": lambda c: "must be true or false",
    "dict_type": lambda c: "must be a JSON object",
    "model_type": lambda c: "must be a JSON object",
    "model_attributes_type": lambda c: "must be a JSON object",
    "list_type": lambda c: "must be a list",
    "too_short": lambda c: f"must have at least {_items(c.get('min_length'))}",
    "too_long": lambda c: f"must have at most {_items(c.get('max_length'))}",
    "string_too_short": lambda c: f"must be at least {_items(c.get('min_length'), 'character')}",
    "string_too_long": lambda c: f"must be at most {_items(c.get('max_length'), 'character')}",
    "json_invalid": lambda c: "is not valid JSON",
    "string_pattern_mismatch": lambda c: f"must match the pattern {c.get('pattern')}",
}

_REGION_RULE = "must be an AWS region code (e.g. us-east-1) or 'auto'"


def rule_of(err: Mapping[str, Any], schema: str) -> str:
    """The sentence for one pydantic error dict."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") if isinstance(err.get("ctx"), dict) else {}
    msg = _URL.sub("", str(err.get("msg", "invalid"))).removeprefix("Value error, ")
    loc = [str(p) for p in err.get("loc", ())]
    if kind == "extra_forbidden":
        return f"unknown field (not in the {schema}; check the spelling)"
    if kind == "model_type" and "Range" in msg:
        return 'must be a number (a minimum) or {"min": .., "max": ..}'
    if kind == "literal_error":
        return msg.replace("Input should be", "must be one of")
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "region":
        # The profile's pattern admits "auto"; the prediction requests' does not.
        pattern = str((ctx or {}).get("pattern", ""))
        return _REGION_RULE if "auto" in pattern else _REGION_RULE.split(" or ")[0]
    if kind in _RULES:
        return str(_RULES[kind](ctx))
    return msg.replace("Input should be", "must be")


def field_path(loc: Iterable[Any], root: str) -> str:
    """``compute.vcpus.min`` from a pydantic location, without internal tags or the part of
    the request (body, query, path) a caller does not name."""
    parts = [str(p) for p in loc]
    parts = [p for p in parts if not p.startswith("function-") and not p.startswith("constrained-")
             and p not in ("float", "int", "str", "bool", "list", "dict")]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    return ".".join(parts) or root


def sentences(
    errors: Iterable[Mapping[str, Any]], root: str = "(profile)", schema: str = "profile schema"
) -> list[dict[str, str]]:
    """Every error at once as ``[{"field", "rule"}]``, one per field and rule."""
    out: list[dict[str, str]] = []
    for err in errors:
        item = {"field": field_path(err.get("loc", ()), root), "rule": rule_of(err, schema)}
        if item not in out:
            out.append(item)
    return out
