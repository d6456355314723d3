"""Batch jobs: predicted runtime, cost per run, deadline and ranking of EC2 options.

When the profile has ``compute.job`` and the runtime model loads, the leading EC2 candidates
(the options the response can show, at most :data:`JOB_POOL` or ``top_n``) are sent to the
runtime model in one typed call (:func:`recommender.models.interface.estimate_runtime`,
memoised per catalog there), at their node count and at the hourly price of the option's
own purchase option.  Each option then carries
its predicted runtime with the model's interval and its cost per run; ``runs_per_month``
turns the runtime into the job hours a month, which on-demand and Spot bill, while a
commitment bills every hour of its term (:mod:`~recommender.rules.compute.job_billing`,
which also moves a short job off a commitment to an hourly option the profile allows);
``deadline_s`` rejects the options predicted to miss it and raises the performance risk of
those whose interval crosses it; the options are ranked by cost (per run, or the month
billed with ``runs_per_month``), runtime or both, per objective.  Without the model nothing of this
is guessed: every EC2 option says so and the rules rank as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.core.profile import JobProfile, WorkloadProfile, make_profile_error
from recommender.core.response import Reason
from recommender.models.interface import (
    MeasuredRun,
    NodeConfig,
    RuntimeEstimate,
    RuntimeQuery,
    estimate_runtime,
    price_pairs,
)
from recommender.rules.base import (
    PERF01_BENCHMARK,
    PERF02_SELECT,
    Rejections,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.compute.job_billing import JobBill, JobPrices, bill_job, job_prices
from recommender.rules.compute.purchase import OFFERING, Pricing
from recommender.rules.compute.risk import UTIL_STEPS, risk_label, utilization_risk
from recommender.rules.prices import fmt_unit_usd
from recommender.rules.rank import Ranking, chunks

#: EC2 candidates whose runtime is predicted (more when ``top_n`` asks for more).  Enough to
#: hold every option shown after deadline rejections, few enough to keep one model call
#: (numpy physics and trees) well under a millisecond.
JOB_POOL = 20
# Predicted runtime comes from the job's own measured runs scaled by the model: evidence
# from benchmarking the workload itself, which is what PERF01-BP06 asks decisions to rest
# on (PERF02-BP01 is the selection the ranking then makes; see the deadline reason).
JOB_BP = PERF01_BENCHMARK


@dataclass
class JobInfo:
    """What a batch job adds to one EC2 option."""

    predicted: dict[str, Any] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    risk: float = 0.0
    hours: float | None = None  # job hours per node per month (runs x runtime)
    #: Hours billed per node: the job hours, or max(job hours, 730) on a commitment.
    billed_hours: float | None = None
    #: The hourly pricing the option switched to from a commitment (job_billing), else None.
    pricing: Pricing | None = None
    #: Config fields of a commitment billed for the month (its rate and billed hours).
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobPlan:
    """The job's effect on the compute ranking.

    ``order`` replaces the rules' order (positions into the candidate arrays) when
    predictions exist; ``info`` is keyed by EC2 index; ``note`` goes on every EC2 option
    when there is no prediction.
    """

    order: np.ndarray | None = None
    info: dict[int, JobInfo] = field(default_factory=dict)
    note: Reason | None = None

    def for_option(self, i: int) -> JobInfo:
        """What the job adds to the EC2 option of index ``i`` (the note alone if unpredicted)."""
        return self.info.get(i) or JobInfo(reasons=[self.note] if self.note else [])


def check_measurements(job: JobProfile, ix: Ec2Index) -> None:
    """Refuse a measured run on an instance type the catalog does not know (names the field)."""
    for j, m in enumerate(job.measurements or []):
        if m.instance_type not in ix.pos:
            raise make_profile_error([{
                "field": f"compute.job.measurements.{j}.instance_type",
                "rule": f"{m.instance_type!r} is not an EC2 instance type in the catalog",
            }])


def _pool(order: np.ndarray | Ranking, pp: np.ndarray, n_ec2: int, idx: np.ndarray,
          ix: Ec2Index, *, size: int) -> list[int]:
    """Positions to predict: the rules' order interleaved with price-performance order.

    A job's cost per run follows price / capacity, so the best price-performance types join
    the rules' leaders; one size per family, as the options shown; burstable types are left
    out (a batch job at full CPU drains their credits, so perf_index overstates them).
    """
    by_pp = np.lexsort((np.arange(len(pp)), -np.round(pp, 9)))
    seen: set[str] = set()
    out: list[int] = []
    # The rules' order is read a chunk at a time (a ranking sorts only what is read), and
    # the walk stops once the pool is full.
    ranked = (k for ks in chunks(order, 4 * size) for k in ks.tolist())
    for a, b in zip(ranked, by_pp.tolist(), strict=True):
        for k in (a, b):
            if len(out) >= size:
                return out
            if k >= n_ec2:
                continue
            i = int(idx[k])
            fam = str(ix.family[i])
            if fam in seen or ix.burstable[i] or ix.category[i] == "burstable":
                continue
            seen.add(fam)
            out.append(k)
    return out


def job_query(job: JobProfile, configs: list[tuple[str, int, float]], region: str
              ) -> RuntimeQuery:
    """The runtime query of a job for ``(instance type, nodes, USD/h)`` configurations."""
    return RuntimeQuery(
        configs=tuple(NodeConfig(t, n) for t, n, _ in configs),
        runs=tuple(MeasuredRun(m.instance_type, m.count, m.runtime_s, m.failed)
                   for m in job.measurements or []),
        input_gib=job.input_gib,
        # The option's own purchase option (spot, reserved) prices the run, as its month.
        prices_usd_per_hour=price_pairs({t: p for t, _, p in configs}), region=region)


def _no_prediction(why: str) -> JobPlan:
    return JobPlan(note=reason(
        "job.runtime", JOB_BP,
        f"No runtime prediction: {why}. Ranked by the rules; monthly cost from "
        "hours_per_month; deadline_s and runs_per_month are not applied.", "caution"))


def deadline_risk(runtime_s: float, high_s: float, deadline_s: float) -> float:
    """Performance risk from a deadline (Compute Optimizer's 0-4 scale).

    Point estimate over the deadline: 4 (expected to miss).  Only the interval's high bound
    over it: 2 or 3, by how much of the deadline the point estimate uses (the CPU
    utilization steps of :data:`recommender.rules.compute.risk.UTIL_STEPS`: above 90 % -> 3).
    High bound within the deadline: 0.
    """
    if runtime_s > deadline_s:
        return 4.0
    if high_s > deadline_s:
        return float(min(3.0, max(2.0, utilization_risk(np.array([runtime_s / deadline_s]))[0])))
    return 0.0


@dataclass
class JobCandidates:
    """The ranked candidates a job plan works on (arrays shared with the compute stage).

    ``idx``: EC2 indices of the surviving candidates (positions ``0..n_ec2-1``);
    ``order``: the rules' ranking, positions into the candidate arrays (serverless after
    ``n_ec2``), or the :class:`~recommender.rules.rank.Ranking` itself (read lazily);
    ``pp``: price-performance per position; ``count``, ``price``, ``po``, ``cost``: per
    EC2 index, node count, effective hourly price, its purchase option and the monthly cost
    (``cost`` is updated in place with the month billed when ``runs_per_month`` is given);
    ``total``: score per position (the predicted options' scores are replaced in place by
    the job score that ranks them).
    """

    ix: Ec2Index
    idx: np.ndarray
    order: np.ndarray | Ranking
    pp: np.ndarray
    n_ec2: int
    count: np.ndarray
    price: np.ndarray
    po: np.ndarray
    cost: np.ndarray
    total: np.ndarray


@dataclass
class JobSettings:
    """The request's settings a job plan needs: priced hours, region, objective, top_n."""

    hours: float
    region: str
    objective: str
    top_n: int


def plan_job(
    p: WorkloadProfile, c: JobCandidates, st: JobSettings, rej: Rejections,
    warnings: list[str], *, models: Any = None, catalog: Any = None,
) -> JobPlan | None:
    """Predict, price, filter and rank the leading EC2 candidates for ``compute.job``.

    Parameters
    ----------
    p : WorkloadProfile
    c : JobCandidates
        The ranked candidates and their per-index arrays (some updated in place).
    st : JobSettings
        ``hours`` the rules priced (``hours_per_month`` or the default), region,
        objective, top_n.
    rej, warnings
        Where rejections and warnings are recorded.
    models, catalog
        The model bundle (may be None) and the catalog for the model's specs.

    Returns
    -------
    JobPlan or None
        None when the profile has no job.

    Raises
    ------
    ProfileError
        When a measured run names an instance type the catalog does not know.
    """
    job = p.compute.job if p.compute else None
    if job is None:
        return None
    check_measurements(job, c.ix)
    runtime_model = (models.get("runtime") if isinstance(models, dict)
                     else getattr(models, "runtime", None)) if models else None
    if runtime_model is None or catalog is None:
        return _no_prediction("the job-runtime model is not loaded (rules only)")
    predicted = _predict(job, c, st, models=models, catalog=catalog)
    if isinstance(predicted, JobPlan):
        return predicted
    pool, types, preds = predicted
    keep = _keep(job, preds, types, rej, warnings)
    if not keep.any():
        return _no_prediction("every predicted EC2 option is predicted to fail (memory)")
    bills = _bills(p, job, c, st, pool=pool, preds=preds, catalog=catalog)
    if bills is not None:  # a switch to an hourly option re-prices the run
        preds = tuple(b.estimate for b in bills)
    score = _job_score(preds, keep, st.objective,
                       None if bills is None else np.array([b.monthly for b in bills]))
    rt = np.array([x.runtime_s for x in preds])
    per_run = np.array([x.cost_usd for x in preds], dtype=float)
    keys = (np.asarray(types), rt, per_run, -np.round(score, 9))
    ranked = [int(j) for j in np.lexsort(keys) if keep[j]]
    plan = JobPlan()
    for j in ranked:
        k = pool[j]
        i = int(c.idx[k])
        plan.info[i] = _info(job, preds[j], itype=types[j], po=str(c.po[i]),
                             price=float(c.price[i]), objective=st.objective,
                             bill=None if bills is None else bills[j])
        if bills is not None:
            c.cost[i] = bills[j].monthly
        c.total[k] = float(score[j])
    serverless = _serverless_order(c)
    plan.order = np.array([pool[j] for j in ranked] + serverless, dtype=int)
    return plan


def _bills(p: WorkloadProfile, job: JobProfile, c: JobCandidates, st: JobSettings, *,
           pool: list[int], preds: tuple[RuntimeEstimate, ...], catalog: Any
           ) -> list[JobBill] | None:
    """Each predicted option's month from ``runs_per_month`` (None without it): job hours
    on-demand or Spot, every hour of a commitment's term (job_billing)."""
    runs = job.runs_per_month
    if runs is None:
        return None
    committed = any(str(c.po[c.idx[k]]) in OFFERING for k in pool)
    prices: JobPrices | None = job_prices(p, c.ix, st.region, catalog) if committed else None
    out = []
    for k, pr in zip(pool, preds, strict=True):
        i = int(c.idx[k])
        out.append(bill_job(runs, pr, i=i, po=str(c.po[i]), price=float(c.price[i]),
                            hours=st.hours, prices=prices))
    return out


def _serverless_order(c: JobCandidates) -> list[int]:
    """The serverless positions (``n_ec2`` and up) in the rules' order."""
    if isinstance(c.order, Ranking):
        return [int(k) for k in c.order.among(np.arange(c.n_ec2, len(c.pp)))]
    return [int(k) for k in c.order if k >= c.n_ec2]


def _predict(job: JobProfile, c: JobCandidates, st: JobSettings, *, models: Any, catalog: Any
             ) -> tuple[list[int], list[str], tuple[RuntimeEstimate, ...]] | JobPlan:
    """Runtime estimates of the pool (positions, types, estimates), or the no-prediction plan."""
    pool = _pool(c.order, c.pp, c.n_ec2, c.idx, c.ix, size=max(JOB_POOL, st.top_n))
    if not pool:
        return _no_prediction("no non-burstable EC2 candidate to predict")
    types = [str(c.ix.types[c.idx[k]]) for k in pool]
    query = job_query(job, [(t, int(c.count[c.idx[k]]), float(c.price[c.idx[k]]))
                            for t, k in zip(types, pool, strict=True)], st.region)
    try:
        preds = estimate_runtime(query, catalog=catalog, bundle=models)
    except Exception as exc:  # noqa: BLE001 - a model failure falls back to the rules
        return _no_prediction(f"the job-runtime model failed ({type(exc).__name__}: {exc})")
    rt = np.array([x.runtime_s for x in preds])
    if not (np.all(np.isfinite(rt)) and np.all(rt > 0)):
        # Extreme inputs (e.g. runs of a microsecond) must not put NaN or inf in the response.
        return _no_prediction("the job-runtime model gave no finite runtime for these runs")
    return pool, types, preds


def _job_score(preds: tuple[RuntimeEstimate, ...], keep: np.ndarray, objective: str,
               monthly: np.ndarray | None = None) -> np.ndarray:
    """Rank score: cost (per run, or the month billed when ``runs_per_month`` gives
    ``monthly``), runtime, or both.

    The month is runs x the cost per run on-demand or Spot (the same order), but a
    commitment bills every hour of its term (job_billing), so its month, not its job hours,
    is its cost.  Relative to the best kept option (1 = best); ``balanced`` weighs the two
    equally, the rule the runtime reason (:func:`_runtime_reason`) names as ``rank_by``.
    """
    rt = np.array([x.runtime_s for x in preds])
    per_run = (np.array([x.cost_usd for x in preds], dtype=float) if monthly is None
               else np.asarray(monthly, dtype=float))
    c_rel = np.nanmin(per_run[keep]) / per_run
    t_rel = np.min(rt[keep]) / rt
    return np.asarray({"cost": c_rel, "performance": t_rel}.get(
        objective, 0.5 * c_rel + 0.5 * t_rel), dtype=float)


def _keep(job: JobProfile, preds: tuple[RuntimeEstimate, ...], types: list[str],
          rej: Rejections,
          warnings: list[str]) -> np.ndarray:
    """Options that may rank: within the deadline (else the fastest), not predicted to fail."""
    rt = np.array([x.runtime_s for x in preds])
    keep = np.ones(len(preds), dtype=bool)
    dl = job.deadline_s
    if dl is not None:
        keep = rt <= dl
        if not keep.any():
            f = int(np.argmin(rt))
            keep[f] = True
            warnings.append(
                f"No EC2 option is predicted to finish within the deadline of {dl:g} s; the "
                f"fastest, {preds[f].count} x {types[f]}, is predicted at "
                f"{preds[f].runtime_s:.0f} s (interval {preds[f].runtime_s_low:.0f}-"
                f"{preds[f].runtime_s_high:.0f} s). Relax compute.job.deadline_s or allow "
                "more nodes (compute.max_nodes).")
        for j in np.flatnonzero(~keep):
            rej.add("ec2.job_misses_deadline", 1, example=types[j])
    # A cluster predicted to fail (less memory than a run that failed, or than job.memory_gib)
    # never ranks: a job that does not complete is the worst outcome.
    fails = np.array([x.predicted_to_fail for x in preds], dtype=bool)
    for j in np.flatnonzero(fails & keep):
        rej.add("ec2.job_predicted_to_fail", 1, example=types[j])
    return np.asarray(keep & ~fails, dtype=bool)


def _info(job: JobProfile, pr: RuntimeEstimate, *, itype: str, po: str, price: float,
          objective: str, bill: JobBill | None) -> JobInfo:
    """Predicted fields, reasons, risk and job hours of one predicted option (``bill``: its
    month from ``runs_per_month``, which may switch it to an hourly purchase option)."""
    # Every predicted option is priced by its own purchase option (the query's overrides).
    assert pr.cost_usd is not None and pr.cost_usd_low is not None
    assert pr.cost_usd_high is not None
    info = JobInfo(predicted={
        "runtime_s": round(pr.runtime_s, 1), "runtime_s_low": round(pr.runtime_s_low, 1),
        "runtime_s_high": round(pr.runtime_s_high, 1),
        "cost_per_run_usd": round(pr.cost_usd, 4),
        "cost_per_run_usd_low": round(pr.cost_usd_low, 4),
        "cost_per_run_usd_high": round(pr.cost_usd_high, 4),
    })
    if bill is not None and bill.pricing is not None:
        po, price, info.pricing = bill.po, bill.price, bill.pricing
    info.reasons.append(_runtime_reason(job, pr, itype=itype, po=po, price=price,
                                        objective=objective))
    if bill is not None:
        info.hours, info.billed_hours = bill.hours, bill.billed_hours
        info.config = dict(bill.config or {})
        info.predicted["job_hours_per_month"] = round(bill.hours, 2)
        info.reasons.append(bill.reason)
    if job.deadline_s is not None:
        info.risk, why = _deadline(pr, job.deadline_s)
        info.reasons.append(why)
    return info


def _runtime_reason(job: JobProfile, pr: RuntimeEstimate, *, itype: str, po: str, price: float,
                    objective: str) -> Reason:
    """The predicted runtime and cost per run, their basis, and what ranks the option."""
    n = pr.count
    meas = job.measurements or []
    basis = (f"scaled from {len(meas)} measured run(s) ("
             + ", ".join(f"{m.count} x {m.instance_type}: {fmt_num(m.runtime_s)} s"
                         for m in meas) + ")"
             if meas else "placed from input_gib alone, no measured run: wide interval")
    cost_by = "cost per run" if job.runs_per_month is None else "monthly cost"
    rank_by = {"cost": cost_by, "performance": "runtime"}.get(
        objective, f"{cost_by} and runtime equally")
    return reason(
        "job.runtime", JOB_BP,
        f"Predicted runtime on {n} x {itype}: {pr.runtime_s:.0f} s (interval "
        f"{pr.runtime_s_low:.0f}-{pr.runtime_s_high:.0f} s), {basis}; perf_index "
        f"{pr.perf_index_source}. Cost per run {fmt_usd(pr.cost_usd)} (interval "
        f"{fmt_usd(pr.cost_usd_low)}-{fmt_usd(pr.cost_usd_high)}) = runtime x {n} node(s) x "
        f"{fmt_unit_usd(price)}/h ({po}). Ranked by {rank_by} (objective {objective}).",
        "info" if meas else "caution")


def _deadline(pr: RuntimeEstimate, dl: float) -> tuple[float, Reason]:
    """Deadline risk and its reason (the number and the text from one rule)."""
    risk = deadline_risk(pr.runtime_s, pr.runtime_s_high, dl)
    if pr.runtime_s > dl:
        text = (f"Predicted {pr.runtime_s:.0f} s misses the {dl:g} s deadline; kept as the "
                "fastest option, none is predicted to meet it")
    elif pr.runtime_s_high > dl:
        text = (f"Predicted {pr.runtime_s:.0f} s ({pr.runtime_s / dl:.0%} of the {dl:g} s "
                f"deadline) meets it, but the interval's high bound "
                f"{pr.runtime_s_high:.0f} s does not")
    else:
        text = (f"Meets the {dl:g} s deadline even at the interval's high bound "
                f"({pr.runtime_s_high:.0f} s)")
    return risk, reason(
        "job.deadline", PERF02_SELECT,
        text + f": deadline risk {risk:g} ({risk_label(risk)}; point over the "
        f"deadline 4, high bound over it 2-3 by the share of the deadline used, above "
        f"{UTIL_STEPS[2]:.0%} 3).", "caution" if risk >= 2 else "info")
