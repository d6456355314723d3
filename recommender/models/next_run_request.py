"""The ``next-run`` request: runtime predictions of every candidate, then the EI plan."""

from __future__ import annotations

from typing import Any

import numpy as np

from recommender.core.predictions import (
    MeasuredBest,
    ModelInfo,
    NextRunChoice,
    NextRunRequest,
    NextRunResponse,
    RegretStep,
    RuntimeCandidate,
)
from recommender.models.interface import estimate_runtime
from recommender.models.next_run_plan import plan_next
from recommender.models.requests import resolve_request
from recommender.models.runtime import _check_region, default_candidates, runtime_query
from recommender.models.runtime_index import RuntimeIndex, region_prices, runtime_index


def _candidates(req: NextRunRequest, index: RuntimeIndex, prices: dict[str, Any]
                ) -> list[RuntimeCandidate]:
    """The request's candidates (or the defaults, from the catalog's runtime ``index``) plus
    every measured configuration."""
    cands = list(req.candidates or default_candidates(index, set(prices)))
    have = {(c.instance_type, c.count) for c in cands}
    for m in req.measurements:
        if (m.instance_type, m.count) not in have:
            cands.append(RuntimeCandidate(instance_type=m.instance_type, count=m.count))
            have.add((m.instance_type, m.count))
    return cands


def _reason(choice: dict[str, Any], best: MeasuredBest | None, unit: str, n_open: int) -> str:
    if best is None:
        return ("No successful run yet: measure the configuration predicted to be the best "
                f"({unit}); expected improvement needs a measured best to improve on.")
    return (
        f"Largest expected improvement over the best run so far ({best.count} x "
        f"{best.instance_type}) among {n_open} unmeasured configurations: "
        f"{choice['ei']:.4g} {unit} ({choice['pct']:.1f}% of it), with a "
        f"{choice['p']:.0%} chance of beating it (PERF01-BP06: benchmark to decide; "
        "expected improvement as in CherryPick, NSDI 2017)."
    )


def answer(request: NextRunRequest | dict[str, Any], catalog: Any = None, bundle: Any = None
           ) -> NextRunResponse:
    """See :func:`recommender.models.next_run.next_run`."""
    req, catalog, bundle = resolve_request(NextRunRequest, request, "next-run", catalog, bundle)
    prices = region_prices(catalog, req.region)
    # A region with no EC2 prices and no candidates: 422 naming the region, as on the
    # runtime route (it was an IndexError, a 500; issue 12).
    _check_region(req, catalog, prices)
    cands = _candidates(req, runtime_index(catalog, bundle), prices)
    est = estimate_runtime(runtime_query(req, cands), catalog=catalog, bundle=bundle)
    price = np.array([e.price_usd_per_hour or np.nan for e in est])
    nodes = np.array([c.count for c in cands], float)
    rt = np.array([[e.runtime_s, e.runtime_s_low, e.runtime_s_high] for e in est], float)
    fails = np.array([e.predicted_to_fail for e in est], dtype=bool)
    use_cost = req.objective == "cost"
    val = rt * (nodes * price / 3600.0)[:, None] if use_cost else rt
    failed = {(m.instance_type, m.count) for m in req.measurements if m.failed}
    was_failed = np.array([(c.instance_type, c.count) in failed for c in cands])
    measured = np.array([e.measured for e in est], dtype=bool) | was_failed
    excluded = fails | was_failed | ~np.isfinite(val[:, 0])
    plan = plan_next(val[:, 0], val[:, 1], val[:, 2], measured, excluded,
                     plan_runs=req.plan_runs)
    unit = "USD per run" if use_cost else "s"
    best = None
    if plan.best_pos is not None:
        b = plan.best_pos
        best = MeasuredBest(instance_type=cands[b].instance_type, count=cands[b].count,
                            runtime_s=float(rt[b, 0]),
                            cost_usd=None if np.isnan(price[b]) else float(val[b, 0])
                            if use_cost else float(rt[b, 0] * nodes[b] * price[b] / 3600))
    nxt, notes = None, []
    if plan.pick is None:
        notes.append("every candidate is measured, failing or unpriced: nothing left to run")
    else:
        j = plan.pick
        pct = plan.ei / plan.best * 100 if best is not None else 0.0
        cost = None if np.isnan(price[j]) else float(rt[j, 0] * nodes[j] * price[j] / 3600)
        nxt = NextRunChoice(
            instance_type=cands[j].instance_type, count=cands[j].count,
            predicted_runtime_s=float(rt[j, 0]), predicted_runtime_s_low=float(rt[j, 1]),
            predicted_runtime_s_high=float(rt[j, 2]), predicted_cost_usd=cost,
            expected_improvement=plan.ei, expected_improvement_pct=pct,
            probability_better=plan.p_better,
            reason=_reason({"ei": plan.ei, "pct": pct, "p": plan.p_better}, best, unit,
                           int((~measured & ~excluded).sum())),
        )
    steps = [RegretStep(extra_runs=k, expected_regret_pct=r,
                        next_configurations=[f"{cands[i].count} x {cands[i].instance_type}"
                                             for i in picks])
             for k, r, picks in plan.regret]
    if fails.any():
        notes.append(f"{int(fails.sum())} configuration(s) predicted to fail (memory) "
                     "are never proposed")
    notes.append("expected regret assumes independent log-normal outcomes around the "
                 "model's predictions (its calibrated 90 % intervals)")
    return NextRunResponse(
        next=nxt, current_best=best, objective=req.objective,
        acquisition="expected improvement", expected_regret=steps, notes=notes,
        model=ModelInfo(version=bundle.version, trained_at=bundle.trained_at),
    )
