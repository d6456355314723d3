"""The recommendation: ranked, priced options with reasons (CONTRACT section 2).

Explanations are data: every option carries its ``reasons`` (rule id, the Well-Architected
PERF best practice it serves, and readable text with the numbers) so surfaces can show,
filter or export them.  ``to_frame()`` and friends give pandas DataFrames for notebooks.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Final = "1"

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


class PriceUsed(BaseModel):
    """One catalog price behind an option, saved so a later review diffs it exactly."""

    model_config = _CONFIG

    category: str
    option: str
    rank: int | None = Field(default=None, description="the option's rank in its category")
    item: str = Field(description="what is priced, e.g. 'ec2.on_demand', 'ebs.storage'")
    key: str = Field(description="the catalog row, e.g. 'm7g.large', 'gp3', 'db.r7g.large'")
    region: str
    usd: float
    unit: str = Field(description="e.g. 'hour', 'GB-month', 'IOPS-month', 'request'")
    price_as_of: str | None = None
    price_source: str | None = None


class Monitor(BaseModel):
    """A CloudWatch alarm that tells whether the choice still holds (CONTRACT section 2).

    ``dimensions`` maps each dimension name to the resource whose id fills it (``instance``,
    ``auto_scaling_group``, ``volume``, ``function``, ``table``, ``db_instance``,
    ``db_replica``, ``cache_cluster``, ``distribution``); the export resolves them.  With
    ``expression`` (CloudWatch metric math over ``metrics`` as m1, m2...) the alarm is on the
    expression, not on ``metric``.
    """

    model_config = _CONFIG

    id: str
    category: str
    option: str = Field(description="the option it watches, e.g. 'm7g.large', 'gp3'")
    namespace: str
    metric: str
    dimensions: dict[str, str] = Field(default_factory=dict)
    statistic: str
    threshold: float
    comparison: Literal["GreaterThanThreshold", "GreaterThanOrEqualToThreshold",
                        "LessThanThreshold", "LessThanOrEqualToThreshold"]
    period_s: int = Field(ge=10)
    evaluation_periods: int = Field(ge=1)
    datapoints_to_alarm: int = Field(ge=1)
    unit: str | None = None
    expression: str | None = None
    metrics: list[str] = Field(default_factory=list)
    reason: Reason
    source_url: str


class BundleComponent(BaseModel):
    """One part of the recommended architecture: a ranked option and its share of the cost."""

    model_config = _CONFIG

    role: str = Field(description="compute | storage | database | network | tradeoff")
    category: str
    option: str
    kind: str
    count: int = 1
    monthly_cost_usd: float | None = None
    #: Add-ons attached to this component (placement group, EFA, ENA Express...).
    add_ons: list[str] = Field(default_factory=list)
    why: str = ""


class BundleAlternative(BaseModel):
    """An either/or choice that would change the bundle (e.g. self-managed EC2 vs RDS)."""

    model_config = _CONFIG

    replaces: str = Field(description="the component it would replace")
    option: str
    category: str
    monthly_cost_usd: float | None = None
    delta_monthly_usd: float | None = None
    trade_off: str


class Bundle(BaseModel):
    """The recommended architecture as one coherent whole, with its total monthly cost."""

    model_config = _CONFIG

    components: list[BundleComponent] = Field(default_factory=list)
    total_monthly_usd: float = 0.0
    #: Priced cost per role (compute, storage, database, network, tradeoff).
    breakdown: dict[str, float] = Field(default_factory=dict)
    #: Costs of the chosen components that the total does not count (each with a reason).
    unpriced: list[Unpriced] = Field(default_factory=list)
    alternatives: list[BundleAlternative] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)


class WhyNot(BaseModel):
    """The answer to "why not X": the first constraint X fails, or its rank against #1."""

    model_config = _CONFIG

    option: str
    category: str = "compute"
    verdict: Literal["rejected", "ranked", "shown", "unknown"]
    rule: str | None = None
    text: str
    rank: int | None = None
    monthly_cost_usd: float | None = None


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
    #: The recommended architecture with its total (compute + storage + database + add-ons).
    bundle: Bundle | None = None
    #: Answers to the profile's ``explain`` list / ``recommend(..., explain=[...])``.
    why_not: list[WhyNot] = Field(default_factory=list)
    #: What a later review needs: the profile as given (echoed), the catalog prices behind
    #: the options, and the alarms that tell whether the choice still holds.
    profile: dict[str, Any] | None = None
    prices: list[PriceUsed] = Field(default_factory=list)
    monitoring: list[Monitor] = Field(default_factory=list)

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
        counts: list[tuple[str, int]] = sorted(
            self.rejected.items(), key=lambda kv: (-kv[1], kv[0])
        )
        df = pd.DataFrame(
            counts,
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
