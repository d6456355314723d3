"""The profile form of the app: widget state to and from a profile dict, and CSV uploads.

:func:`state_from_profile` and :func:`profile_from_state` convert between a profile dict
and the flat ``{"compute.vcpus.min": 2, ...}`` widget state the app keeps, field by field
of :data:`~recommender.app.form_fields.FIELDS` (re-exported here).  They hold no Streamlit
code, so they are tested directly; the app only draws the widgets.
"""

from __future__ import annotations

from typing import Any

from recommender.app.form_fields import FIELDS, SECTIONS, FormField, fields_of, groups_of
from recommender.app.form_text import (
    number_or_none,
    parse_numbers,
    parse_runs,
    parse_shares,
    whole_or_none,
)

__all__ = ["FIELDS", "SECTIONS", "FormField", "fields_of", "groups_of",
           "parse_utilization_csv", "profile_from_state", "state_from_profile"]


def _get(d: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)  # type: ignore[assignment]
    return d


def _put(d: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        d = d.setdefault(part, {})
    d[parts[-1]] = value


def state_from_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """Flat widget state (every key of the form, ``None`` when unset) for a profile dict."""
    state: dict[str, Any] = {}
    for f in FIELDS:
        v = _get(profile.get(f.section, {}) if f.section else profile, f.name)
        if f.widget in ("range", "intrange"):
            lo, hi = (v.get("min"), v.get("max")) if isinstance(v, dict) else (v, None)
            conv = whole_or_none if f.widget == "intrange" else number_or_none
            state[f"{f.key}.min"], state[f"{f.key}.max"] = conv(lo), conv(hi)
        elif f.widget == "multi":
            state[f.key] = list(v or [])
        elif f.widget == "shares":
            state[f.key] = ", ".join(f"{k}={s:g}" for k, s in (v or {}).items())
        elif f.widget == "series":
            state[f.key] = ", ".join(f"{x:g}" for x in (v or []))
        elif f.widget == "runs":
            state[f.key] = "; ".join(
                f"{r['instance_type']} x {r['count']:g} = {r['runtime_s']:g}" for r in v or []
            )
        elif f.widget == "text":
            state[f.key] = "" if v is None else str(v)
        elif f.widget == "int":
            state[f.key] = None if number_or_none(v) is None else int(v)
        elif f.widget == "float":
            state[f.key] = number_or_none(v)
        else:
            state[f.key] = v
    return state


def profile_from_state(state: dict[str, Any]) -> dict[str, Any]:
    """Build a profile dict from widget state; unset widgets are left out.

    Raises
    ------
    ProfileError
        When a text widget cannot be read (``user_regions``, the utilization series).  The
        profile's own rules are checked later by :func:`recommender.core.profile.parse_profile`.
    """
    profile: dict[str, Any] = {"schema_version": "1"}
    for f in FIELDS:
        target = profile.setdefault(f.section, {}) if f.section else profile
        if f.widget in ("range", "intrange"):
            lo, hi = state.get(f"{f.key}.min"), state.get(f"{f.key}.max")
            if f.widget == "intrange":
                lo, hi = whole_or_none(lo), whole_or_none(hi)
            rng = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            value: Any = rng or None
        elif f.widget == "int":
            v = state.get(f.key)
            value = None if v is None else (int(v) if float(v).is_integer() else v)
        elif f.widget in ("text", "region"):
            value = (state.get(f.key) or "").strip() or None
        elif f.widget == "multi":
            value = list(state.get(f.key) or []) or None
        elif f.widget == "shares":
            value = parse_shares(state.get(f.key) or "", f.key) or None
        elif f.widget == "series":
            value = parse_numbers(state.get(f.key) or "", f.key) or None
        elif f.widget == "runs":
            value = parse_runs(state.get(f.key) or "", f.key) or None
        else:
            value = state.get(f.key)
        if value is not None:
            _put(target, f.name, value)
    return {k: v for k, v in profile.items() if v != {}}


def parse_utilization_csv(data: bytes | str) -> tuple[list[float], float | None]:
    """Read a CPU utilization CSV (e.g. a CloudWatch export: timestamp + value columns).

    Returns ``(values, interval_minutes)``; see
    :func:`recommender.app.csv_upload.read_utilization_csv` for the notes on dropped rows.

    Raises
    ------
    UserError
        Naming the rule the file breaks (no numeric column, values outside 0-100, ragged
        rows, true/false values...).
    """
    from recommender.app.csv_upload import read_utilization_csv

    r = read_utilization_csv(data)
    return r.values, r.interval_minutes
