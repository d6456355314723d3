"""The recommendation: ranked, priced options with reasons (CONTRACT section 2).

Explanations are data: every option carries its ``reasons`` (rule id, the Well-Architected
PERF best practice it serves, and readable text with the numbers) so surfaces can show,
filter or export them.  ``to_frame()`` and friends give pandas DataFrames for notebooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.response_fields import DocumentedAs, OptionConfig, OptionPredicted

if TYPE_CHECKING:  # the frames are for notebooks: a process that only answers never needs pandas
    import pandas as pd

SCHEMA_VERSION: Final = "1"

#: The five categories of ``recommendations`` in contract order.
CATEGORIES: tuple[str, ...] = ("compute", "storage", "database", "network", "tradeoffs")

_CONFIG = ConfigDict(extra="forbid")


class Reason(BaseModel):
    """Why an option is there (or what to watch): one rule's verdict."""

    model_config = _CONFIG

    rule: str = Field(description="id of the rule that gave it, e.g. 'compute.size'")
    best_practice: str = Field(description="Well-Architected best practice, e.g. PERF02-BP01")
    text: str = Field(description="the verdict in words, with its numbers and the AWS page")
    severity: Literal["info", "caution", "verify"] = Field(default="info", description=(
        "`info` supports the choice, `caution` is a limit or a trade-off, `verify` a catalog "
        "figure its source marks as unchecked"))


class Unpriced(BaseModel):
    """A cost the engine cannot count from the catalog, named with the reason (never dropped)."""

    model_config = _CONFIG

    item: str = Field(description="what is not priced, e.g. 'S3 GET requests'")
    reason: str = Field(description="why it is not counted (no catalog price, depends on usage...)")
    estimate_monthly_usd: float | None = Field(
        default=None, description="a rough figure where the catalog allows one, USD; else null"
    )


class Option(BaseModel):
    """One ranked choice within a category (mirrors Compute Optimizer's option)."""

    model_config = _CONFIG

    rank: int = Field(ge=1, description="1 = best in its category")
    option: str = Field(description="option id (CONTRACT section 3), e.g. 'm7g.large', 'gp3'")
    kind: str = Field(description="what it is: ec2, fargate, lambda, ebs, efs, s3, rds...")
    count: int = Field(default=1, ge=1, description="nodes, tasks or volumes of the option")
    purchase_option: str | None = Field(default="on_demand", description=(
        "on_demand, spot, savings_plan or reserved; null where it does not apply"))
    score: float = Field(ge=0, le=1, description="ranking score within the category, 0-1")
    monthly_cost_usd: float | None = Field(default=None, description=(
        "monthly cost of `count` units, USD; null when the catalog has no price for the "
        "region (a reason says so)"))
    performance_risk: float = Field(default=0.0, ge=0, le=4, description=(
        "Compute Optimizer's performance risk, 0 (none) to 4 (very high)"))
    predicted: Annotated[dict[str, Any], DocumentedAs(OptionPredicted)] = Field(
        default_factory=dict, description="figures predicted for the option (by kind)")
    reasons: list[Reason] = Field(default_factory=list, description="why it is here, in order")
    config: Annotated[dict[str, Any], DocumentedAs(OptionConfig)] = Field(
        default_factory=dict, description="how to set the option up (by kind)")
    verify: bool = Field(default=False, description=(
        "true when a figure behind it comes from a catalog row marked verify"))
    region: str | None = Field(default=None, description="the region it is priced in")
    unpriced: list[Unpriced] = Field(default_factory=list, description=(
        "costs it implies that are not in monthly_cost_usd, each with its reason"))


_set_slot = object.__setattr__
#: The fields of an Option :func:`built_option` fills, and the same without ``unpriced``.
_OPTION_FIELDS: Final = frozenset(Option.model_fields)
_OPTION_FIELDS_NO_UNPRICED: Final = _OPTION_FIELDS - {"unpriced"}


def built_option(*, rank: int, option: str, kind: str, count: int,
                 purchase_option: str | None, score: float, monthly_cost_usd: float | None,
                 performance_risk: float, predicted: dict[str, Any], reasons: list[Reason],
                 config: dict[str, Any], verify: bool, region: str | None,
                 unpriced: list[Unpriced] | None = None) -> Option:
    """``Option(...)`` of values the engine built itself, without validating them again.

    A warm ``recommend()`` builds about eight options whose values already have their
    field's exact type and lie within its bounds; pydantic's validation of each (a copy of
    every list and dict, each reason's class checked, its schema's code and data read back
    into the cache) cost 1.5-4 % of the call.  The types and bounds are checked here, and
    anything else (another type, a value out of bounds) goes to ``Option(...)``, which
    coerces it (an ``int`` cost to ``float``, a numpy scalar to a Python one) or raises
    exactly as before: both ways give the same model.  The lists and dicts are copied
    (shallowly) as validation copies them, so an option never shares a container with the
    candidate it came from.  ``unpriced`` None: not given (the field's default, left out of
    ``model_fields_set`` as pydantic leaves it).
    """
    items = [] if unpriced is None else unpriced
    fields = {"rank": rank, "option": option, "kind": kind, "count": count,
              "purchase_option": purchase_option, "score": score,
              "monthly_cost_usd": monthly_cost_usd, "performance_risk": performance_risk,
              "predicted": predicted, "reasons": reasons, "config": config,
              "verify": verify, "region": region, "unpriced": items}
    ok = (type(rank) is int and rank >= 1 and type(count) is int and count >= 1
          and type(score) is float and 0.0 <= score <= 1.0
          and type(performance_risk) is float and 0.0 <= performance_risk <= 4.0
          and type(option) is str and type(kind) is str and type(verify) is bool
          and (purchase_option is None or type(purchase_option) is str)
          and (region is None or type(region) is str)
          and (monthly_cost_usd is None or type(monthly_cost_usd) is float)
          and type(predicted) is dict and type(config) is dict
          and type(reasons) is list and type(items) is list)
    if ok:  # (loops, not all() of a generator: no call per reason)
        for r in reasons:
            if type(r) is not Reason:
                ok = False
                break
        for u in items:
            if type(u) is not Unpriced:
                ok = False
                break
    if not ok:
        if unpriced is None:
            del fields["unpriced"]
        return Option(**fields)
    fields["predicted"], fields["config"] = predicted.copy(), config.copy()
    fields["reasons"], fields["unpriced"] = reasons.copy(), items.copy()
    m = Option.__new__(Option)
    _set_slot(m, "__dict__", fields)
    _set_slot(m, "__pydantic_fields_set__", set(
        _OPTION_FIELDS if unpriced is not None else _OPTION_FIELDS_NO_UNPRICED))
    _set_slot(m, "__pydantic_extra__", None)
    _set_slot(m, "__pydantic_private__", None)
    return m


class CatalogInfo(BaseModel):
    """The catalog snapshot that answered."""

    model_config = _CONFIG

    version: str = Field(default="unknown", description="catalog version, e.g. '2026.11.28+1'")
    generated_at: str = Field(default="unknown", description="when it was built, ISO 8601")
    regions: list[str] = Field(default_factory=list, description="regions it has prices for")


class ModelInfo(BaseModel):
    """The model artifacts that answered (``rules-only`` when none)."""

    model_config = _CONFIG

    version: str = Field(default="rules-only", description=(
        "model artifacts version; 'rules-only' when no model was used"))
    trained_at: str | None = Field(default=None, description="when trained, ISO 8601")


class Recommendations(BaseModel):
    """Ranked options per category."""

    model_config = _CONFIG

    compute: list[Option] = Field(default_factory=list, description="EC2, Fargate, Lambda")
    storage: list[Option] = Field(default_factory=list, description=(
        "EBS, instance store, EFS, FSx, S3"))
    database: list[Option] = Field(default_factory=list, description=(
        "RDS, Aurora, DynamoDB, ElastiCache, OpenSearch, Redshift..."))
    network: list[Option] = Field(default_factory=list, description=(
        "regions and network add-ons (placement group, EFA, VPC endpoints...)"))
    tradeoffs: list[Option] = Field(default_factory=list, description=(
        "changes that trade one quality for another (a cache, a CDN...)"))


class PriceUsed(BaseModel):
    """One catalog price behind an option, saved so a later review diffs it exactly."""

    model_config = _CONFIG

    category: str = Field(description="the option's category")
    option: str = Field(description="the option id")
    rank: int | None = Field(default=None, description="the option's rank in its category")
    item: str = Field(description="what is priced, e.g. 'ec2.on_demand', 'ebs.storage'")
    key: str = Field(description="the catalog row, e.g. 'm7g.large', 'gp3', 'db.r7g.large'")
    region: str = Field(description="the region of the price")
    usd: float = Field(description="the price, USD per `unit`")
    unit: str = Field(description="e.g. 'hour', 'GB-month', 'IOPS-month', 'request'")
    price_as_of: str | None = Field(default=None, description="date of the price, ISO 8601")
    price_source: str | None = Field(default=None, description="the catalog source of it")


class Monitor(BaseModel):
    """A CloudWatch alarm that tells whether the choice still holds (CONTRACT section 2).

    ``dimensions`` maps each dimension name to the resource whose id fills it (``instance``,
    ``auto_scaling_group``, ``volume``, ``function``, ``table``, ``db_instance``,
    ``db_replica``, ``cache_cluster``, ``distribution``); the export resolves them.  With
    ``expression`` (CloudWatch metric math over ``metrics`` as m1, m2...) the alarm is on the
    expression, not on ``metric``.
    """

    model_config = _CONFIG

    id: str = Field(description="alarm id, unique in the response")
    category: str = Field(description="the category of the option it watches")
    option: str = Field(description="the option it watches, e.g. 'm7g.large', 'gp3'")
    namespace: str = Field(description="CloudWatch namespace, e.g. AWS/EC2")
    metric: str = Field(description="CloudWatch metric name, e.g. CPUUtilization")
    dimensions: dict[str, str] = Field(default_factory=dict, description=(
        "dimension name -> the resource whose id fills it (instance, volume, function...)"))
    statistic: str = Field(description="Average, Maximum, Sum, p99...")
    threshold: float = Field(description="alarm threshold, in `unit`")
    comparison: Literal["GreaterThanThreshold", "GreaterThanOrEqualToThreshold",
                        "LessThanThreshold", "LessThanOrEqualToThreshold"] = Field(
        description="CloudWatch ComparisonOperator")
    period_s: int = Field(ge=10, description="evaluation period, seconds")
    evaluation_periods: int = Field(ge=1, description="periods evaluated")
    datapoints_to_alarm: int = Field(ge=1, description="breaching periods that raise the alarm")
    unit: str | None = Field(default=None, description="CloudWatch unit, e.g. Percent")
    expression: str | None = Field(default=None, description=(
        "metric math over `metrics` (m1, m2...); the alarm is on it when given"))
    metrics: list[str] = Field(default_factory=list, description=(
        "metric names of the expression, in m1, m2... order"))
    reason: Reason = Field(description="why this alarm, in words")
    source_url: str = Field(description="the AWS page the threshold follows")


class BundleComponent(BaseModel):
    """One part of the recommended architecture: a ranked option and its share of the cost."""

    model_config = _CONFIG

    role: str = Field(description="compute | storage | database | network | tradeoff")
    category: str = Field(description="the category it comes from")
    option: str = Field(description="the option id")
    kind: str = Field(description="the option's kind, e.g. ec2, rds")
    count: int = Field(default=1, description="nodes, tasks or volumes")
    monthly_cost_usd: float | None = Field(default=None, description="its monthly cost, USD")
    add_ons: list[str] = Field(default_factory=list, description=(
        "add-ons attached to it (placement group, EFA, ENA Express...)"))
    why: str = Field(default="", description="why it is part of the bundle, in words")


class BundleAlternative(BaseModel):
    """An either/or choice that would change the bundle (e.g. self-managed EC2 vs RDS)."""

    model_config = _CONFIG

    replaces: str = Field(description="the component it would replace")
    option: str = Field(description="the alternative option id")
    category: str = Field(description="its category")
    monthly_cost_usd: float | None = Field(default=None, description="its monthly cost, USD")
    delta_monthly_usd: float | None = Field(default=None, description=(
        "its monthly cost minus the replaced component's, USD"))
    trade_off: str = Field(description="what changes, in words")


class Bundle(BaseModel):
    """The recommended architecture as one coherent whole, with its total monthly cost."""

    model_config = _CONFIG

    components: list[BundleComponent] = Field(default_factory=list, description=(
        "the chosen option of each role"))
    total_monthly_usd: float = Field(default=0.0, description=(
        "priced monthly cost of the components, USD"))
    breakdown: dict[str, float] = Field(default_factory=dict, description=(
        "role -> priced monthly cost, USD"))
    unpriced: list[Unpriced] = Field(default_factory=list, description=(
        "costs of the components that the total does not count"))
    alternatives: list[BundleAlternative] = Field(default_factory=list, description=(
        "either/or choices that would change the bundle"))
    reasons: list[Reason] = Field(default_factory=list, description="why this architecture")


class WhyNot(BaseModel):
    """The answer to "why not X": the first constraint X fails, or its rank against #1."""

    model_config = _CONFIG

    option: str = Field(description="the option asked about")
    category: str = Field(default="compute", description="its category")
    verdict: Literal["rejected", "ranked", "shown", "unknown"] = Field(description=(
        "`rejected` by a constraint, `ranked` below the shown ones, `shown`, or `unknown` id"))
    rule: str | None = Field(default=None, description="the rule that rejected it")
    text: str = Field(description="the answer in words, with the numbers")
    rank: int | None = Field(default=None, description="its rank when ranked")
    monthly_cost_usd: float | None = Field(default=None, description="its monthly cost, USD")


class RecommendationResponse(BaseModel):
    """What ``recommend()`` returns (CONTRACT section 2)."""

    model_config = _CONFIG

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description=(
        "version of this response schema; always \"1\""))
    name: str | None = Field(default=None, description="the profile's name")
    region: str | None = Field(default=None, description="the region the options are priced in")
    catalog: CatalogInfo = Field(default_factory=CatalogInfo, description=(
        "the catalog snapshot that answered"))
    model: ModelInfo = Field(default_factory=ModelInfo, description=(
        "the model artifacts that answered"))
    recommendations: Recommendations = Field(default_factory=Recommendations, description=(
        "ranked options per category"))
    rejected: dict[str, int] = Field(default_factory=dict, description=(
        "rejection reason -> options rejected for it"))
    warnings: list[str] = Field(default_factory=list, description=(
        "assumptions and problems, in words"))
    bundle: Bundle | None = Field(default=None, description=(
        "the recommended architecture with its total (compute + storage + database + "
        "add-ons)"))
    why_not: list[WhyNot] = Field(default_factory=list, description=(
        "answers to the profile's `explain` list"))
    profile: dict[str, Any] | None = Field(default=None, description=(
        "the request's WorkloadProfile as given (echoed, for a later review)"))
    prices: list[PriceUsed] = Field(default_factory=list, description=(
        "the catalog prices behind the options"))
    monitoring: list[Monitor] = Field(default_factory=list, description=(
        "CloudWatch alarms that tell whether the choice still holds"))

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
        return _frame(rows, columns=None if rows else cols)

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
        return _frame(rows, columns=cols)

    def rejected_frame(self) -> pd.DataFrame:
        """Rejections per reason, most frequent first."""
        counts: list[tuple[str, int]] = sorted(
            self.rejected.items(), key=lambda kv: (-kv[1], kv[0])
        )
        df = _frame(
            counts,
            columns=["reason", "count"],
        )
        return df

    def predicted_frame(self, category: str, rank: int = 1, key: str | None = None) -> pd.DataFrame:
        """A list-valued prediction (e.g. ``credit_balance`` curve) of one option as a frame."""
        opts = [o for o in getattr(self.recommendations, category) if o.rank == rank]
        if not opts:
            return _frame()
        series = {
            k: v
            for k, v in opts[0].predicted.items()
            if isinstance(v, list) and (key is None or k == key)
        }
        if not series:
            return _frame()
        n = max(len(v) for v in series.values())
        return _frame({k: list(v) + [None] * (n - len(v)) for k, v in series.items()})


def _frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """``pandas.DataFrame(*args, **kwargs)``, pandas imported on first use (it costs a process
    about 0.3 s; the contract itself does not need it)."""
    import pandas as pd

    return pd.DataFrame(*args, **kwargs)
