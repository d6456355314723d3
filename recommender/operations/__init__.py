"""Review and monitoring: the two areas of the pillar after selection (PERF05).

* :func:`review` re-runs a saved response's profile against today's catalog and models and
  reports what changed (:mod:`.review`); :func:`review_many` does it for a folder or JSON
  Lines file of saved responses through the batch path (:mod:`.batch`).
* :func:`benchmark_plan` is the load-test plan for the top choices (:mod:`.benchmark_plan`).
* The alarms themselves are derived by the engine (``recommender.rules.monitoring``) and
  carried in every response's ``monitoring``; :func:`monitoring_frame` lists them.

Layer: above the engine and ``recommender.batch``, below the surfaces (pyproject).
"""

from __future__ import annotations

import pandas as pd

from recommender.core.response import RecommendationResponse
from recommender.operations.batch import parse_many, read_saved, review_many, summary_frame
from recommender.operations.benchmark_plan import PlanStep, benchmark_plan
from recommender.operations.findings import Finding, Review
from recommender.operations.review import compare, parse_saved, review

__all__ = ["Finding", "PlanStep", "Review", "benchmark_plan", "compare", "monitoring_frame",
           "parse_many", "parse_saved", "read_saved", "review", "review_many", "summary_frame"]


def monitoring_frame(response: RecommendationResponse) -> pd.DataFrame:
    """The response's alarms, one row each (for the app, the CLI and notebooks)."""
    cols = ["category", "option", "namespace", "metric", "statistic", "comparison",
            "threshold", "unit", "period_s", "why"]
    rows = [{"category": m.category, "option": m.option, "namespace": m.namespace,
             "metric": m.metric, "statistic": m.statistic, "comparison": m.comparison,
             "threshold": m.threshold, "unit": m.unit, "period_s": m.period_s,
             "why": m.reason.text} for m in response.monitoring]
    return pd.DataFrame(rows, columns=cols)
