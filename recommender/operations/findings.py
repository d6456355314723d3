"""What a review reports: findings with their reason and PERF05 best practice.

A :class:`Finding` is one change since a saved response was made (a cheaper or newer option,
a price that moved, an option that disappeared, a model version that changed an estimate, a
new risk); a :class:`Review` is all findings of one saved response with its total saving.
Every finding's text and figures come from one function in :mod:`.review`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.response import CatalogInfo, ModelInfo

_CONFIG = ConfigDict(extra="forbid")

FindingKind = Literal["newer_generation", "cheaper_option", "price_changed",
                      "option_disappeared", "model_changed", "new_risk", "catalog_changed"]


class Finding(BaseModel):
    """One change since the saved response (mirrors a reason: rule, best practice, text)."""

    model_config = _CONFIG

    kind: FindingKind = Field(description="what changed")
    category: str = Field(description="the category of the saved option")
    option: str = Field(description="the saved option the finding is about")
    replacement: str | None = Field(default=None, description="the option to move to")
    rule: str = Field(description="id of the review rule that found it")
    best_practice: str = Field(description="Well-Architected best practice, e.g. PERF05-BP06")
    text: str = Field(description="the finding in words, with its numbers")
    severity: Literal["info", "caution"] = Field(default="info", description=(
        "`caution` for a new risk or a retired option"))
    saving_usd_per_month: float | None = Field(default=None, description=(
        "saving per month of acting on it, USD"))
    saving_usd_per_year: float | None = Field(default=None, description=(
        "saving per year of acting on it, USD"))
    before: dict[str, float | str | None] = Field(default_factory=dict, description=(
        "the saved figures (price, cost, version...)"))
    after: dict[str, float | str | None] = Field(default_factory=dict, description=(
        "today's figures, same keys as `before`"))


class Review(BaseModel):
    """The review of one saved response against today's catalog and models."""

    model_config = _CONFIG

    name: str | None = Field(default=None, description="the workload's name")
    saved_catalog: CatalogInfo = Field(description="the catalog the saved response used")
    saved_model: ModelInfo = Field(description="the models the saved response used")
    current_catalog: CatalogInfo = Field(description="today's catalog")
    current_model: ModelInfo = Field(description="today's models")
    findings: list[Finding] = Field(default_factory=list, description="every change found")
    #: The largest saving per category, summed (moving every category to its best option).
    saving_usd_per_month: float = Field(default=0.0, description=(
        "largest saving per category, summed, USD per month"))
    saving_usd_per_year: float = Field(default=0.0, description=(
        "the same, USD per year"))

    def summary_row(self) -> dict[str, object]:
        """One row of the many-responses table: the workload, its saving and what drives it."""
        best = max((f for f in self.findings if f.saving_usd_per_month),
                   key=lambda f: f.saving_usd_per_month or 0.0, default=None)
        return {
            "workload": self.name or "(unnamed)",
            "saving_usd_per_month": self.saving_usd_per_month,
            "saving_usd_per_year": self.saving_usd_per_year,
            "findings": len(self.findings),
            "top_change": None if best is None else (
                f"{best.option} -> {best.replacement}" if best.replacement
                else f"{best.kind}: {best.option}"),
        }
