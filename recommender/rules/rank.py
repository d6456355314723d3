"""Weights per objective and the deterministic ranking of scored options.

Total score = sum(weight x rule score) / sum(weights), in [0, 1].  Sorting is deterministic:
score descending, then monthly cost ascending (unpriced last), then option id.
"""

from __future__ import annotations

import math

import numpy as np

from recommender.rules.base import Candidate

#: Compute rule weights per objective (rule names as in ``rules.compute``).
COMPUTE_WEIGHTS: dict[str, dict[str, float]] = {
    "cost": {"cost": 0.45, "price_performance": 0.25, "fit": 0.10, "family": 0.05,
             "generation": 0.04, "graviton": 0.03, "spot": 0.04, "confidence": 0.04},
    "balanced": {"cost": 0.25, "price_performance": 0.30, "fit": 0.15, "family": 0.10,
                 "generation": 0.05, "graviton": 0.04, "spot": 0.05, "confidence": 0.06},
    "performance": {"speed": 0.30, "price_performance": 0.15, "cost": 0.05, "fit": 0.15,
                    "family": 0.15, "generation": 0.08, "spot": 0.06, "confidence": 0.06},
}

#: Other categories: cost against fit to the guidance, per objective.
OTHER_WEIGHTS: dict[str, tuple[float, float]] = {
    "cost": (0.6, 0.4), "balanced": (0.4, 0.6), "performance": (0.2, 0.8),
}


def combine(components: dict[str, np.ndarray], objective: str) -> np.ndarray:
    """Weighted mean of rule scores (missing components are left out of the weights)."""
    w = COMPUTE_WEIGHTS.get(objective, COMPUTE_WEIGHTS["balanced"])
    total, wsum = None, 0.0
    for name, weight in w.items():
        if name not in components:
            continue
        part = weight * np.nan_to_num(components[name], nan=0.0)
        total = part if total is None else total + part
        wsum += weight
    if total is None:
        raise ValueError("no rule scores to combine")
    return np.clip(total / wsum, 0.0, 1.0)


def sort_key(score: float, cost: float | None, option: str, extra: str = "") -> tuple:
    """Total order of options: higher score, then lower cost (unpriced last), then the id.

    The score is rounded so that float noise cannot reorder ties between platforms.
    """
    c = math.inf if cost is None or math.isnan(cost) else cost
    return (-round(float(score), 9), c, option, extra)


def rank_others(cands: list[Candidate], objective: str) -> list[Candidate]:
    """Score storage/database/trade-off options on cost and fit, minus a risk penalty."""
    if not cands:
        return []
    wc, wf = OTHER_WEIGHTS.get(objective, OTHER_WEIGHTS["balanced"])
    costs = [c.monthly_cost_usd for c in cands if c.monthly_cost_usd is not None]
    cmin = min(costs) if costs else None
    for c in cands:
        if c.monthly_cost_usd is None or cmin is None:
            cost_s = 0.0 if costs else 0.5
        else:
            cost_s = (cmin + 0.01) / (c.monthly_cost_usd + 0.01)
        fit = c.components.get("fit", 0.5)
        c.score = float(np.clip(wc * cost_s + wf * fit - 0.05 * c.risk, 0.0, 1.0))
    return sorted(cands, key=lambda c: sort_key(c.score, c.monthly_cost_usd, c.option,
                                                str(sorted(c.config.items()))))
