"""What a batch job's month bills: job hours per node, or every hour of a commitment's term.

``runs_per_month`` x the predicted runtime gives the hours a node runs.  On-demand and Spot bill
only those hours.  A commitment bills every hour of its term whether the nodes run or not: a
No/Partial Upfront Reserved Instance's discounted rate is billed "for every hour within the
term, regardless of whether the Reserved Instance is being used"
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options),
and a Savings Plan commits to a consistent USD-per-hour amount for the term
(https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html).  So a
committed node of a job bills max(job hours, 730) hours a month (above 730 the runs overlap:
concurrent clusters, each node of which is committed too), the rule a steady EC2 option follows
(:mod:`~recommender.rules.compute.purchase`).

The type's purchase option was chosen at ``hours_per_month`` (730 by default), before the job
hours were known.  Where the profile allows an hourly option too (on-demand, Spot) and it bills
less for the job hours than the commitment does for the month, the option switches to it: a
short monthly job runs on-demand, as it would with ``hours_per_month`` set to its hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.models.interface import RuntimeEstimate
from recommender.rules.base import HOURS_PER_MONTH, PERF01_COST, fmt_num, fmt_usd, reason
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.compute.purchase import (
    COMMITMENT_BILLING_URL,
    OFFERING,
    Pricing,
    allowed_purchase_options,
    effective_prices,
)
from recommender.rules.prices import fmt_unit_usd

SECONDS_PER_HOUR = 3600.0
#: Hours in the month AWS's pricing pages use: a commitment bills them all; job hours above
#: it mean runs overlap (concurrent clusters).
MONTH_HOURS = HOURS_PER_MONTH


@dataclass(frozen=True)
class JobPrices:
    """The pricings a job's month is billed from.

    ``chosen``: the compute stage's own (the purchase option per type, and the committed
    ``rate`` before it is spread over ``hours_per_month``); ``hourly``: the hourly options the
    profile allows (on-demand, Spot) when it allows a commitment too, else None.
    """

    chosen: Pricing
    hourly: Pricing | None


def job_prices(p: WorkloadProfile, ix: Ec2Index, region: str, catalog: Any) -> JobPrices:
    """The compute stage's pricing and the hourly alternative (both memoised per catalog)."""
    r = ix.region_pos[region]
    allowed = allowed_purchase_options(p, [])  # (the compute stage already warned)
    chosen = effective_prices(ix, r, allowed, p=p, catalog=catalog)
    hourly = tuple(po for po in allowed if po not in OFFERING)
    alt = (effective_prices(ix, r, hourly, p=p, catalog=catalog)
           if hourly and len(hourly) < len(allowed) else None)
    return JobPrices(chosen, alt)


@dataclass(frozen=True)
class JobBill:
    """One predicted option's month: its job hours, the hours billed and what bills them.

    ``pricing`` is the hourly pricing the option switched to (None: the compute stage's);
    ``estimate`` the runtime estimate with its cost per run at the price billed.
    """

    hours: float  # job hours per node (runs x runtime)
    billed_hours: float  # per node: the job hours, or max(job hours, 730) when committed
    monthly: float
    po: str
    price: float  # USD/h per node: the hourly price, or the committed rate
    estimate: RuntimeEstimate
    reason: Reason
    pricing: Pricing | None = None
    config: dict[str, Any] | None = None  # a commitment's rate and billed hours


def bill_job(runs: float, pr: RuntimeEstimate, *, i: int, po: str, price: float, hours: float,
             prices: JobPrices | None) -> JobBill:
    """The month of ``runs`` runs of ``pr`` on type ``i`` under purchase option ``po``.

    ``price`` is the hourly price the compute stage priced (a committed rate spread over
    ``hours``, the profile's ``hours_per_month``, when below 730: the rate is read back from
    ``prices.chosen.rate``).
    """
    n = pr.count
    h = runs * pr.runtime_s / SECONDS_PER_HOUR
    head = f"{fmt_num(runs)} runs/month x {pr.runtime_s:.0f} s = {h:.2f} h per node"
    overlap = (f" Above {MONTH_HOURS:g} h the runs overlap: run concurrent clusters."
               if h > MONTH_HOURS else "")
    sev = "caution" if h > MONTH_HOURS else "info"
    if po not in OFFERING:
        monthly = price * n * h
        return JobBill(h, h, monthly, po, price, pr, reason(
            "job.monthly_hours", PERF01_COST,
            f"{head}; {n} node(s) x {h:.2f} h x {fmt_unit_usd(price)}/h = {fmt_usd(monthly)}/month "
            f"(job hours replace the {hours:g} h/month of hours_per_month; {po} nodes bill "
            "only while the job runs)." + overlap, sev))
    rate = _rate(prices, i, price, hours)
    billed = max(h, MONTH_HOURS)
    committed = rate * n * billed
    rule = (f"bills every hour of its term whether the nodes run or not "
            f"({COMMITMENT_BILLING_URL[po]}): {n} node(s) x max({h:.2f}, {MONTH_HOURS:g}) h x "
            f"${rate:.4f}/h = {fmt_usd(committed)}/month")
    alt = prices.hourly if prices is not None else None
    a = float(alt.price[i]) if alt is not None else math.nan
    if alt is not None and math.isfinite(a) and a * n * h < committed:
        monthly, alt_po = a * n * h, str(alt.po[i])
        return JobBill(h, h, monthly, alt_po, a, _at_price(pr, a), reason(
            "job.monthly_hours", PERF01_COST,
            f"{head}; {alt_po} bills only those hours: {n} node(s) x {h:.2f} h x "
            f"{fmt_usd(a)}/h = {fmt_usd(monthly)}/month, less than the {po} commitment, which "
            f"{rule}; so the job runs {alt_po}." + overlap, sev), pricing=alt)
    return JobBill(h, billed, committed, po, rate, pr, reason(
        "job.monthly_hours", PERF01_COST,
        f"{head}, but a {po} commitment {rule} ({fmt_usd(committed / runs)} per run)."
        + (" On-demand, billing only the job hours, is not among purchase_options."
           if alt is None else
           f" {alt.po[i]} for the job hours bills more: {n} node(s) x {h:.2f} h x "
           f"{fmt_usd(a)}/h = {fmt_usd(a * n * h)}/month." if math.isfinite(a) else "")
        + overlap, "caution" if alt is None else sev),
        config={"commitment_usd_per_hour": round(rate, 5), "billed_hours_per_month":
                round(billed, 2)})


def monthly_cost_text(cost: float, hours: float, *, tail: str, po: str,
                      billed: float | None) -> str:
    """An EC2 option's ``<cost>/month for <hours> h<tail>``: the hours billed per node.

    ``billed`` is a batch job's billed hours per node (:attr:`JobBill.billed_hours`), None
    otherwise.  A committed job node bills max(job hours, 730) hours, not its job hours: a
    Reserved Instance's rate is billed "for every hour within the term, regardless of
    whether the Reserved Instance is being used"
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options);
    a Savings Plan commits USD per hour for the term
    (https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html).
    """
    if billed is None or po not in OFFERING:
        return f"{fmt_usd(cost)}/month for {fmt_num(hours)} h{tail}"
    runs = f"; the job runs {fmt_num(hours)} h of them" if billed > hours else ""
    return (f"{fmt_usd(cost)}/month for {fmt_num(billed)} h billed per node{tail} A {po} "
            f"commitment bills every hour of its term whether the nodes run or not "
            f"({COMMITMENT_BILLING_URL[po]}){runs}.")


def _rate(prices: JobPrices | None, i: int, price: float, hours: float) -> float:
    """The committed USD/h of type ``i`` before the spread over ``hours`` (purchase._price)."""
    rate = prices.chosen.rate if prices is not None else None
    if rate is not None and math.isfinite(float(rate[i])):
        return float(rate[i])
    return price * min(1.0, hours / MONTH_HOURS)


def _at_price(pr: RuntimeEstimate, price: float) -> RuntimeEstimate:
    """``pr`` with its cost per run (and interval) at ``price``: runtime x nodes x USD/h."""
    def cost(s: float) -> float:
        return s / SECONDS_PER_HOUR * pr.count * price

    return replace(pr, cost_usd=cost(pr.runtime_s), cost_usd_low=cost(pr.runtime_s_low),
                   cost_usd_high=cost(pr.runtime_s_high), price_usd_per_hour=price)
