"""What the app shows of a response, as plain data: readable tables, the bundle, tab order.

The app draws widgets; these functions decide *what* is shown (column titles with units,
the bundle's breakdown and alternatives, which tab opens first) so that they are tested
without Streamlit.  The bundle (``response.bundle``: the recommended architecture with its
total, breakdown, unpriced items and alternatives) is read as JSON data, so the app renders
it whatever version of the response model produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

#: Readable titles (with units) of the option table's columns, in display order.
OPTION_COLUMNS: dict[str, str] = {
    "rank": "Rank",
    "option": "Option",
    "kind": "Kind",
    "count": "Nodes / units",
    "purchase_option": "Purchase option",
    "monthly_cost_usd": "Monthly cost (USD)",
    "performance_risk": "Performance risk (0 none - 4 high)",
    "config.price_as_of": "Price as of",
    "verify": "Verify",
}

_KIND_NAMES = {"ec2": "EC2", "fargate": "Fargate", "lambda": "Lambda", "ebs": "EBS",
               "efs": "EFS", "s3": "S3", "rds": "RDS", "aurora": "Aurora",
               "dynamodb": "DynamoDB", "elasticache": "ElastiCache", "redshift": "Redshift",
               "opensearch": "OpenSearch", "instance_store": "Instance store"}


def kind_name(kind: str | None) -> str:
    """AWS's spelling of an option kind (``ec2`` -> ``EC2``); unknown kinds unchanged."""
    return _KIND_NAMES.get(kind or "", kind or "")


def option_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The options of one category with readable column titles (no score, no raw keys).

    Parameters
    ----------
    frame : DataFrame
        ``RecommendationResponse.to_frame(category)``.
    """
    cols = [c for c in OPTION_COLUMNS if c in frame.columns]
    out = frame[cols].rename(columns=OPTION_COLUMNS)
    if "Kind" in out:
        out["Kind"] = out["Kind"].map(kind_name)
    if "Purchase option" in out:
        out["Purchase option"] = out["Purchase option"].fillna("-").str.replace("_", " ")
    return out


def first_tab_with_results(counts: Mapping[str, int], order: Iterable[str]) -> str | None:
    """The first category (in ``order``) with at least one option; None when all are empty."""
    return next((c for c in order if counts.get(c, 0) > 0), None)


def bundle_of(response: Any) -> dict[str, Any] | None:
    """``response.bundle`` as JSON data, or None when the response has none.

    Accepts a response model or its JSON dict.
    """
    data = response if isinstance(response, Mapping) else response.model_dump(mode="json")
    bundle = data.get("bundle")
    return bundle if isinstance(bundle, dict) and bundle else None


def _cost(d: Mapping[str, Any]) -> float | None:
    for key in ("monthly_cost_usd", "monthly_usd", "usd_per_month", "cost_usd"):
        v = d.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def _name(d: Mapping[str, Any]) -> str:
    for key in ("label", "component", "option", "item", "name", "category"):
        if d.get(key):
            return str(d[key])
    return "?"


def breakdown_frame(bundle: Mapping[str, Any]) -> pd.DataFrame:
    """The bundle's monthly cost per component: ``component, category, monthly_usd``.

    Read from the priced ``components``, else from ``breakdown`` (a list of rows or a
    ``name -> USD`` mapping).  Unpriced components are not rows here (see
    :func:`unpriced_rows`); a zero-cost component stays a row.
    """
    # The components name each option (a breakdown mapping names only categories).
    priced = [c for c in bundle.get("components") or []
              if isinstance(c, Mapping) and _cost(c) is not None]
    raw = priced or bundle.get("breakdown") or []
    rows: list[dict[str, Any]] = []
    if isinstance(raw, Mapping):
        for name, v in raw.items():
            cost = _cost(v) if isinstance(v, Mapping) else v
            if isinstance(cost, int | float):
                rows.append({"component": str(name), "category": str(name),
                             "monthly_usd": float(cost)})
    else:
        for item in raw:
            if isinstance(item, Mapping) and (cost := _cost(item)) is not None:
                rows.append({"component": _name(item),
                             "category": str(item.get("category") or ""),
                             "monthly_usd": cost})
    return pd.DataFrame(rows, columns=["component", "category", "monthly_usd"])


def components_frame(bundle: Mapping[str, Any]) -> pd.DataFrame:
    """The chosen components: ``category, option, kind, count, monthly_usd``."""
    rows = [
        {"category": str(c.get("category") or ""), "option": _name(c),
         "kind": kind_name(c.get("kind")), "count": c.get("count"), "monthly_usd": _cost(c)}
        for c in bundle.get("components") or [] if isinstance(c, Mapping)
    ]
    return pd.DataFrame(rows, columns=["category", "option", "kind", "count", "monthly_usd"])


def unpriced_rows(bundle: Mapping[str, Any]) -> list[str]:
    """One sentence per cost the bundle does not count, with its reason and any estimate."""
    out = []
    for u in bundle.get("unpriced") or []:
        if not isinstance(u, Mapping):
            out.append(str(u))
            continue
        est = u.get("estimate_monthly_usd")
        tail = f" (about ${est:,.2f}/month)" if isinstance(est, int | float) else ""
        out.append(f"{_name(u)}: {u.get('reason', 'not priced')}{tail}")
    return out


def alternatives_by_category(bundle: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The bundle's alternatives grouped by category, each with a readable ``summary``.

    ``alternatives`` may be a list of rows (each naming its ``category``) or a
    ``category -> rows`` mapping.
    """
    raw = bundle.get("alternatives") or []
    items: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(raw, Mapping):
        items = [(str(cat), a) for cat, rows in raw.items() for a in rows or []
                 if isinstance(a, Mapping)]
    else:
        items = [(str(a.get("category") or "other"), a) for a in raw if isinstance(a, Mapping)]
    out: dict[str, list[dict[str, Any]]] = {}
    for cat, a in items:
        cost = _cost(a)
        delta = a.get("delta_monthly_usd")
        parts = [_name(a)]
        if a.get("kind"):
            parts.append(f"({kind_name(a['kind'])})")
        if cost is not None:
            parts.append(f"${cost:,.2f}/month")
        if isinstance(delta, int | float):
            parts.append(f"({'+' if delta >= 0 else '-'}${abs(delta):,.2f} vs the bundle)")
        why = a.get("trade_off") or a.get("reason") or a.get("text")
        if not why and a.get("replaces"):
            why = f"instead of {a['replaces']}"
        summary = " ".join(parts) + (f": {why}" if why else "")
        out.setdefault(cat, []).append({**a, "summary": summary})
    return out


def money(usd: float | None) -> str:
    """``$1,234.50/month``, or ``no price`` for None."""
    return "no price" if usd is None else f"${usd:,.2f}/month"
