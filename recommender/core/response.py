"""The recommendation: ranked, priced options with reasons (CONTRACT section 2).

Explanations are data: every option carries its ``reasons`` (rule id, the Well-Architected
PERF best practice it serves, and readable text with the numbers) so surfaces can show,
filter or export them.  ``to_frame()`` and friends give pandas DataFrames for notebooks.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

#: The five categories of ``recommendations`` in contract order.
CATEGORIES: tuple[str, ...] = ("compute", "storage", "database", "network", "tradeoffs")

_CONFIG = ConfigDict(extra="forbid")


class Reason(BaseModel):
    """Why an option is there (or what to watch): one rule's verdict."""

    model_config = _CONFIG

    rule: str
    best_practice: str = Field(description="Well-Architected best practice, e.g. PERF02-BP01")
    text: str
    #: ``info`` (supports the choice), ``caution`` (a limit or a trade-off), ``verify``
    #: (a catalog figure its source marks as unchecked).
    severity: Literal["info", "caution", "verify"] = "info"


class Unpriced(BaseModel):
    """A cost the engine cannot count from the catalog, named with the reason (never dropped)."""

    model_config = _CONFIG

    item: str = Field(description="what is not priced, e.g. 'S3 GET requests'")
    reason: str = Field(description="why it is not counted (no catalog price, depends on usage...)")
    estimate_monthly_usd: float | None = Field(
        default=None, description="a rough figure where the catalog allows one; else null"
    )


class Option(BaseModel):
    """One ranked choice within a category (mirrors Compute Optimizer's option)."""

    model_config = _CONFIG

    rank: int = Field(ge=1)
    option: str
    kind: str
    count: int = Field(default=1, ge=1)
    purchase_option: str | None = "on_demand"
    score: float = Field(ge=0, le=1)
    #: None when the catalog has no price for the region (a reason says so).
    monthly_cost_usd: float | None = None
    performance_risk: float = Field(default=0.0, ge=0, le=4)
    predicted: dict[str, Any] = Field(default_factory=dict)
    reasons: list[Reason] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    #: True when any figure behind this option comes from a catalog row with verify=True.
    verify: bool = False
    region: str | None = None
    #: Costs this option implies that are not in ``monthly_cost_usd`` (each with its reason).
    unpriced: list[Unpriced] = Field(default_factory=list)


class CatalogInfo(BaseModel):
    model_config = _CONFIG

    version: str = "unknown"
    generated_at: str = "unknown"
    regions: list[str] = Field(default_factory=list)


class ModelInfo(BaseModel):
    model_config = _CONFIG

    version: str = "rules-only"
    trained_at: str | None = None


class Recommendations(BaseModel):
    model_config = _CONFIG

    compute: list[Option] = Field(default_factory=list)
    storage: list[Option] = Field(default_factory=list)
    database: list[Option] = Field(default_factory=list)
    network: list[Option] = Field(default_factory=list)
    tradeoffs: list[Option] = Field(default_factory=list)


class RecommendationResponse(BaseModel):
    """What ``recommend()`` returns (CONTRACT section 2)."""

    model_config = _CONFIG

    schema_version: Literal["1"] = SCHEMA_VERSION
    name: str | None = None
    region: str | None = Field(default=None, description="the region the options are priced in")
    catalog: CatalogInfo = Field(default_factory=CatalogInfo)
    model: ModelInfo = Field(default_factory=ModelInfo)
    recommendations: Recommendations = Field(default_factory=Recommendations)
    rejected: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)

    # ------------------------------------------------------------------ helpers

    def options(self, category: str | None = None) -> list[Option]:
        """All options, or those of one category, in category then rank order."""
        cats = CATEGORIES if category is None else (category,)
        out: list[Option] = []
        for cat in cats:
            out.extend(getattr(self.recommendations, cat))
        return out

    def best(self, category: str) -> Option | None:
        """The rank-1 option of ``category`` (None when the category is empty)."""
        opts = getattr(self.recommendations, category)
        return opts[0] if opts else None

    def to_frame(self, category: str | None = None) -> pd.DataFrame:
        """Options as one row each: category, rank, option, kind, cost, risk, score...

        ``config`` and ``predicted`` scalars are flattened into ``config.<key>`` and
        ``predicted.<key>`` columns; list values (curves) are left out (see
        :meth:`predicted_frame`).
        """
        rows: list[dict[str, Any]] = []
        cats = CATEGORIES if category is None else (category,)
        for cat in cats:
            for o in getattr(self.recommendations, cat):
                row: dict[str, Any] = {
                    "category": cat,
                    "rank": o.rank,
                    "option": o.option,
                    "kind": o.kind,
                    "count": o.count,
                    "purchase_option": o.purchase_option,
                    "score": o.score,
                    "monthly_cost_usd": o.monthly_cost_usd,
                    "performance_risk": o.performance_risk,
                    "verify": o.verify,
                    "region": o.region,
                    "n_reasons": len(o.reasons),
                }
                for prefix, d in (("config", o.config), ("predicted", o.predicted)):
                    for k, v in d.items():
                        if isinstance(v, str | int | float | bool) or v is None:
                            row[f"{prefix}.{k}"] = v
                rows.append(row)
        cols = [
            "category", "rank", "option", "kind", "count", "purchase_option", "score",
            "monthly_cost_usd", "performance_risk", "verify", "region", "n_reasons",
        ]
        return pd.DataFrame(rows, columns=None if rows else cols)

    def reasons_frame(self, category: str | None = None) -> pd.DataFrame:
        """One row per (option, reason): category, rank, option, rule, best_practice, text."""
        rows = [
            {
                "category": cat,
                "rank": o.rank,
                "option": o.option,
                "rule": r.rule,
                "best_practice": r.best_practice,
                "severity": r.severity,
                "text": r.text,
            }
            for cat in (CATEGORIES if category is None else (category,))
            for o in getattr(self.recommendations, cat)
            for r in o.reasons
        ]
        cols = ["category", "rank", "option", "rule", "best_practice", "severity", "text"]
        return pd.DataFrame(rows, columns=cols)

    def rejected_frame(self) -> pd.DataFrame:
        """Rejections per reason, most frequent first."""
        df = pd.DataFrame(
            sorted(self.rejected.items(), key=lambda kv: (-kv[1], kv[0])),
            columns=["reason", "count"],
        )
        return df

    def predicted_frame(self, category: str, rank: int = 1, key: str | None = None) -> pd.DataFrame:
        """A list-valued prediction (e.g. ``credit_balance`` curve) of one option as a frame."""
        opts = [o for o in getattr(self.recommendations, category) if o.rank == rank]
        if not opts:
            return pd.DataFrame()
        series = {
            k: v
            for k, v in opts[0].predicted.items()
            if isinstance(v, list) and (key is None or k == key)
        }
        if not series:
            return pd.DataFrame()
        n = max(len(v) for v in series.values())
        return pd.DataFrame({k: list(v) + [None] * (n - len(v)) for k, v in series.items()})
