"""Readers of the app's text widgets: number lists, ``region=share`` pairs, measured runs.

Each reader returns the profile value or raises a :class:`~recommender.core.errors.ProfileError`
naming the field and what is wrong with the text (every bad entry at once, never a traceback).
"""

from __future__ import annotations

import math
import re
from typing import Any

from recommender.core.profile import make_profile_error

__all__ = ["number_or_none", "parse_numbers", "parse_runs", "parse_shares", "whole_or_none"]


def number_or_none(v: Any) -> float | None:
    """``v`` as a float when it is a number (not a bool), else None."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def whole_or_none(v: Any) -> int | float | None:
    """A whole number as ``int`` (a fraction is kept, so the profile rules can refuse it)."""
    n = number_or_none(v)
    return None if n is None else (int(n) if n.is_integer() else n)


def parse_numbers(text: str, field: str) -> list[float]:
    """Finite numbers from ``"12, 15 70;65"``; every bad token is named in one error."""
    out: list[float] = []
    bad: list[str] = []
    for tok in re.split(r"[,\s;]+", text.strip()):
        if not tok:
            continue
        value, why = _run_number(tok, "value", whole=False)
        if why:
            bad.append(f"{tok[:20]!r}" if "not a number" in why or "too long" in why else why)
        elif value is not None:
            out.append(value)
    if bad:
        raise make_profile_error([{"field": field,
                                   "rule": f"not finite numbers: {', '.join(bad[:10])}"}])
    return out


def parse_shares(text: str, field: str) -> dict[str, float]:
    """``{"us-east-1": 0.7, ...}`` from ``"us-east-1=0.7, eu-west-1=0.3"``."""
    out: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in re.split(r"[,;\n]+", text))):
        code, sep, share = pair.partition("=")
        try:
            if not sep:
                raise ValueError
            out[code.strip()] = float(share)
        except ValueError:
            raise make_profile_error(
                [{"field": field, "rule": f"write region=share pairs (got {pair!r})"}]
            ) from None
    return out


_RUN = re.compile(r"^\s*([a-z0-9][a-z0-9.-]*)\s*[x*]\s*(\S+)\s*=\s*(\S+?)\s*s?\s*$")
#: Longest count or seconds literal read (a float has 17 significant digits).
_MAX_LITERAL = 30


def _run_number(text: str, what: str, whole: bool) -> tuple[float | None, str | None]:
    """The number in ``text`` or the reason it is not one (never raises)."""
    if len(text) > _MAX_LITERAL:
        return None, f"{what} {text[:12]}... is too long to be a number"
    try:
        value = float(text)
    except ValueError:
        return None, f"{what} {text!r} is not a number"
    if not math.isfinite(value):
        return None, f"{what} must be a finite number"
    if whole and not value.is_integer():
        return None, f"{what} must be a whole number of nodes"
    return value, None


def parse_runs(text: str, field: str) -> list[dict[str, Any]]:
    """Measured runs from ``"m5.xlarge x 8 = 1500; m5.xlarge x 16 = 850"``.

    Every bad run is reported at once, by its position: "run 2: seconds '.' is not a number".
    """
    out, problems = [], []
    for k, part in enumerate(filter(None, (p.strip() for p in re.split(r"[;\n]+", text))), 1):
        m = _RUN.match(part)
        if not m:
            problems.append(f"run {k}: write 'type x nodes = seconds' (got {part[:60]!r})")
            continue
        count, why_count = _run_number(m[2], "nodes", whole=True)
        secs, why_secs = _run_number(m[3], "seconds", whole=False)
        reasons = [r for r in (why_count, why_secs) if r]
        if reasons:
            problems.append(f"run {k}: " + "; ".join(reasons))
            continue
        out.append({"instance_type": m[1], "count": int(count or 0), "runtime_s": secs})
    if problems:
        raise make_profile_error([{"field": field, "rule": p} for p in problems])
    return out
