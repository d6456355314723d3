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

    kind: FindingKind
    category: str
    option: str = Field(description="the saved option the finding is about")
    replacement: str | None = Field(default=None, description="the option to move to")
    rule: str
    best_practice: str
    text: str
    severity: Literal["info", "caution"] = "info"
    saving_usd_per_month: float | None = None
    saving_usd_per_year: float | None = None
    before: dict[str, float | str | None] = Field(default_factory=dict)
    after: dict[str, float | str | None] = Field(default_factory=dict)


class Review(BaseModel):
    """The review of one saved response against today's catalog and models."""

    model_config = _CONFIG

    name: str | None = None
    saved_catalog: CatalogInfo
    saved_model: ModelInfo
    current_catalog: CatalogInfo
    current_model: ModelInfo
    findings: list[Finding] = Field(default_factory=list)
    #: The largest saving per category, summed (moving every category to its best option).
    saving_usd_per_month: float = 0.0
    saving_usd_per_year: float = 0.0

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
