"""Which configuration to measure next (expected improvement), and how regret falls per run.

The pillar's advice is to benchmark (AWS Well-Architected, Performance Efficiency,
PERF01-BP06 "Use benchmarking to drive architectural decisions":
https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/perf_architecture_benchmark.html);
this says *which* run to make.  Each unmeasured configuration's cost (or runtime) is taken
as log-normal around the runtime model's prediction, with the spread of its calibrated
interval.  The next run is the one with the largest expected improvement over the best
measured so far (Jones et al. 1998; the acquisition CherryPick uses, Alipourfard et al.,
NSDI 2017).  The expected regret after each further run comes from Monte Carlo draws of
those distributions, following the expected-improvement choices in turn.
"""

from __future__ import annotations

from typing import Any

from recommender.models.next_run_plan import Plan, expected_improvement, plan_next

__all__ = ["Plan", "expected_improvement", "next_run", "next_run_view", "plan_next"]


def next_run(request: Any, catalog: Any = None, bundle: Any = None) -> Any:
    """The next configuration to measure for a job (CONTRACT section 4, ``next-run``).

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request, or an instance type the catalog does not know.
    """
    from recommender.models.next_run_request import answer  # pydantic + pandas on first use

    return answer(request, catalog, bundle)


def next_run_view(response: Any) -> dict[str, Any]:
    """What the Predictions page shows for a ``next-run`` response (pure; no UI library).

    Returns ``headline`` and ``reason`` (text), ``current_best`` (text), ``regret_curve``
    (``{"extra_runs": [...], "expected_regret_pct": [...]}`` for a line chart) and ``plan``
    (table rows: extra run, expected regret, configurations to run).
    """
    data = response.model_dump(mode="json") if hasattr(response, "model_dump") else response
    nxt, best = data.get("next"), data.get("current_best")
    headline = ("Nothing left to run" if nxt is None else
                f"Run next: {nxt['count']} x {nxt['instance_type']} (predicted "
                f"{nxt['predicted_runtime_s']:.0f} s, {nxt['probability_better']:.0%} chance "
                f"to beat the best so far)")
    steps = data.get("expected_regret", [])
    return {
        "headline": headline,
        "reason": nxt["reason"] if nxt else "; ".join(data.get("notes", [])),
        "current_best": (f"{best['count']} x {best['instance_type']}: {best['runtime_s']:.0f} s"
                         if best else "no successful run yet"),
        "regret_curve": {"extra_runs": [s["extra_runs"] for s in steps],
                         "expected_regret_pct": [s["expected_regret_pct"] for s in steps]},
        "plan": [{"extra runs": s["extra_runs"],
                  "expected regret %": round(s["expected_regret_pct"], 2),
                  "runs": ", ".join(s["next_configurations"])} for s in steps],
    }
