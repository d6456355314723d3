"""Commitments bill every hour of their term, in a batch job's month and in a scaled fleet
(issue 9, "every cost counted", 8th audit).

A No/Partial Upfront Reserved Instance's discounted rate is billed "for every hour within the
term, regardless of whether the Reserved Instance is being used"
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options),
and a Savings Plan commits to a consistent USD-per-hour amount for the term
(https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html).  So:

* a batch job of ``runs_per_month`` x runtime job hours bills rate x nodes x max(job hours,
  730) on a commitment, while on-demand and Spot bill the job hours only; where the profile
  allows on-demand and it bills less for the job hours, the job runs on-demand;
* a fleet that scales in keeps billing every committed node: the engine commits the nodes it
  prices (``config.node_count``), so ``monthly_cost_usd_with_scaling`` of a committed option is
  its monthly cost, not the monthly cost / nodes x the average node count.

Prices are read from the catalog snapshot (never typed); the worked figures in the comments
are the snapshot's us-east-1 rows.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from recommender import recommend
from recommender.models.interface import RuntimeEstimate
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.job_billing import bill_job

REGION = "us-east-1"
MONTH = 730.0  # hours: 8,760 a year / 12, the month AWS's pricing pages use
RI_URL = "ec2-reserved-instances.html#ri-payment-options"
SP_URL = "savingsplans/latest/userguide/what-is-savings-plans.html"
#: Two measured runs of one Spark job (plausible, made up: the model scales them).
RUNS = [{"instance_type": "m5.xlarge", "count": 1, "runtime_s": 1200.0},
        {"instance_type": "m5.xlarge", "count": 2, "runtime_s": 700.0}]


@pytest.fixture(scope="module")
def bundle() -> Any:
    from recommender.models import load_models

    return load_models()


def _rate(cat: Any, itype: str) -> float:
    """Reserved Standard 1-year No Upfront USD/h (the default term and payment)."""
    df = cat.tables["ec2_commitments"]
    row = df[(df.instance_type == itype) & (df.region == REGION)
             & (df.offering == "reserved_standard") & (df.term_years == 1)
             & (df.payment == "no_upfront")]
    assert len(row) == 1
    return float(row["effective_usd_per_hour"].iloc[0])


def _ondemand(cat: Any, itype: str) -> float:
    ix = ec2_index(cat)
    return float(ix.ondemand[ix.region_pos[REGION], ix.pos[itype]])


def _job(purchase: list[str], runs: int) -> dict[str, Any]:
    return {"region": REGION, "objective": "cost", "top_n": 20, "purchase_options": purchase,
            "compute": {"vcpus": 16, "memory_gib": 64, "scale_out": "horizontal",
                        "max_nodes": 16,
                        "job": {"framework": "spark", "application": "etl", "input_gib": 40,
                                "measurements": RUNS, "runs_per_month": runs}}}


def _ec2(profile: dict[str, Any], models: Any) -> list[dict[str, Any]]:
    r = recommend(profile, models=models).model_dump(mode="json")
    return [o for o in r["recommendations"]["compute"] if o["kind"] == "ec2"]


def _text(o: dict[str, Any], rule: str) -> str:
    return next(r["text"] for r in o["reasons"] if r["rule"] == rule)


def test_a_reserved_job_bills_every_hour_of_the_month(cat: Any, bundle: Any) -> None:
    # 30 short runs a month, reserved only: a few job hours per node, far below 730.
    # m6g.2xlarge Reserved 1y No Upfront $0.1932/h (catalog), 2 nodes:
    #   before: $0.1932 x 2 x 3.08 h = $1.19/month (the job hours only);
    #   now:    $0.1932 x 2 x max(3.08, 730) h = $0.1932 x 1,460 = $282.07/month.
    opts = _ec2(_job(["reserved"], 30), bundle)
    reserved = [o for o in opts if o["purchase_option"] == "reserved"]
    assert reserved
    for o in reserved:
        rate, n = _rate(cat, o["option"]), o["count"]
        h = o["predicted"]["job_hours_per_month"]
        assert h < MONTH
        assert o["monthly_cost_usd"] == pytest.approx(round(rate * n * MONTH, 2), abs=0.011)
        assert o["monthly_cost_usd"] > rate * n * h * 10
        assert o["config"]["billed_hours_per_month"] == MONTH
        assert o["config"]["commitment_usd_per_hour"] == pytest.approx(rate)
        text = _text(o, "job.monthly_hours")
        assert "bills every hour of its term" in text and RI_URL in text
        assert f"${rate:.4f}/h = ${rate * n * MONTH:,.2f}/month" in text
        assert "not among purchase_options" in text  # on-demand was not allowed
    m6g = next((o for o in reserved if o["option"] == "m6g.2xlarge"), None)
    if m6g is not None:
        assert m6g["count"] == 2
        assert m6g["monthly_cost_usd"] == pytest.approx(
            round(_rate(cat, "m6g.2xlarge") * 1460, 2))


def test_a_short_job_runs_on_demand_when_allowed(cat: Any, bundle: Any) -> None:
    # Offered on-demand and reserved, 30 short runs: each type's commitment bills 730 h, its
    # on-demand price only the job hours.  m7g.2xlarge, 2 nodes, ~2.7 h:
    #   on-demand $0.3264 x 2 x 2.73 = $1.78 < reserved $0.2159 x 2 x 730 = $315.21.
    # Before, every option was reserved, ranked at $0.2159 x 2 x 2.73 = $1.18.
    opts = _ec2(_job(["on_demand", "reserved"], 30), bundle)
    assert opts
    for o in opts:
        assert o["purchase_option"] == "on_demand", o["option"]
        od, n = _ondemand(cat, o["option"]), o["count"]
        h = o["predicted"]["job_hours_per_month"]
        assert o["monthly_cost_usd"] == pytest.approx(od * n * h, rel=0.01)
        assert "billed_hours_per_month" not in o["config"]
        # The per-run cost is at the on-demand price: runtime x nodes x USD/h.
        assert o["predicted"]["cost_per_run_usd"] == pytest.approx(
            o["predicted"]["runtime_s"] / 3600 * n * od, rel=0.01)
    top = opts[0]
    rate = _rate(cat, top["option"])
    text = _text(top, "job.monthly_hours")
    assert "on_demand bills only those hours" in text and RI_URL in text
    assert f"${rate * top['count'] * MONTH:,.2f}/month" in text
    # The monthly costs rank the options (objective cost).
    costs = [o["monthly_cost_usd"] for o in opts]
    assert costs == sorted(costs)


def test_a_job_keeps_the_commitment_only_where_it_bills_less(cat: Any, bundle: Any) -> None:
    # 8,000 runs a month: ~700-800 job hours per node.  Per option, whichever bills less:
    # on-demand od x n x h, or the commitment rate x n x max(h, 730).  m7g.2xlarge at
    # ~727 h: reserved $0.2159 x 2 x 730 = $315.21 < on-demand $0.3264 x 2 x 727 = $474.8.
    opts = _ec2(_job(["on_demand", "reserved"], 8000), bundle)
    assert any(o["purchase_option"] == "reserved" for o in opts)
    for o in opts:
        od, n = _ondemand(cat, o["option"]), o["count"]
        h = o["predicted"]["job_hours_per_month"]
        hourly = od * n * h
        if o["purchase_option"] == "reserved":
            committed = _rate(cat, o["option"]) * n * max(h, MONTH)
            assert o["monthly_cost_usd"] == pytest.approx(committed, rel=0.005)
            assert committed <= hourly * 1.005
        else:
            assert o["monthly_cost_usd"] == pytest.approx(hourly, rel=0.01)
            if not math.isnan(_rate_or_nan(cat, o["option"])):
                assert hourly <= _rate(cat, o["option"]) * n * max(h, MONTH) * 1.005


def _rate_or_nan(cat: Any, itype: str) -> float:
    df = cat.tables["ec2_commitments"]
    row = df[(df.instance_type == itype) & (df.region == REGION)
             & (df.offering == "reserved_standard") & (df.term_years == 1)
             & (df.payment == "no_upfront")]
    return float(row["effective_usd_per_hour"].iloc[0]) if len(row) else math.nan


def test_on_demand_jobs_still_bill_the_job_hours(cat: Any, bundle: Any) -> None:
    # On-demand only: unchanged, od x nodes x runs x runtime.
    for o in _ec2(_job(["on_demand"], 30), bundle):
        od, n = _ondemand(cat, o["option"]), o["count"]
        h = 30 * o["predicted"]["runtime_s"] / 3600
        assert o["monthly_cost_usd"] == pytest.approx(od * n * h, rel=0.01)
        assert "commitment" not in _text(o, "job.monthly_hours")


def test_a_savings_plan_job_bills_730_hours(cat: Any) -> None:
    # The rule itself, for a Savings Plan (the snapshot has no Compute Savings Plans rows to
    # drive it end to end): 2 nodes, 10 runs of 1,800 s = 5 h per node; at m6g.xlarge's
    # committed $0.0966/h (a catalog rate, standing in) the plan bills 2 x 730 x $0.0966 =
    # $141.04, not 2 x 5 x $0.0966 = $0.97.
    rate = _rate(cat, "m6g.xlarge")
    pr = RuntimeEstimate("m6g.xlarge", 2, 1800.0, 1500.0, 2100.0, 1800 / 3600 * 2 * rate,
                         None, None, rate, "override", "measured", False, False)
    bill = bill_job(10, pr, i=0, po="savings_plan", price=rate, hours=MONTH, prices=None)
    assert bill.hours == pytest.approx(5.0)
    assert bill.billed_hours == MONTH
    assert bill.monthly == pytest.approx(2 * 730 * rate)
    assert round(bill.monthly, 2) == round(2 * 730 * 0.0966, 2)
    assert SP_URL in bill.reason.text
    on_demand = bill_job(10, pr, i=0, po="on_demand", price=rate, hours=MONTH, prices=None)
    assert on_demand.monthly == pytest.approx(2 * 5 * rate)


def _fleet(purchase: list[str]) -> dict[str, Any]:
    # A load repeating daily between 20 % and 80 % of 32 vCPUs (5-minute samples, 3 days).
    series = [20 + 60 * max(0.0, math.sin(2 * math.pi * k / 288)) for k in range(288 * 3)]
    return {"region": REGION, "purchase_options": purchase, "top_n": 10,
            "compute": {"vcpus": 32, "memory_gib": 64, "scale_out": "horizontal",
                        "max_nodes": 16, "utilization_series_pct": series}}


def test_a_committed_fleet_bills_its_nodes_when_it_scales_in(cat: Any) -> None:
    # t4g.2xlarge, 4 nodes reserved, the group averaging 2.58 nodes (min 2):
    #   before: $0.1686 x 730 x 4 / 4 x 2.58 = $317.54 "with scaling";
    #   now:    the 4 committed nodes bill every hour: $0.1686 x 730 x 4 = $492.31;
    #   committing the minimum 2 and the rest on-demand: 2 x $0.1686 x 730 +
    #   0.58 x 730 x $0.2688 = $246.16 + $113.81 = $359.97.
    opts = [o for o in _ec2(_fleet(["reserved"]), False) if o["purchase_option"] == "reserved"]
    scaled_in = [o for o in opts if o["config"]["scaling"].get("expected_average_count", 0)
                 < o["count"]]
    assert scaled_in
    for o in opts:
        rate, n = _rate(cat, o["option"]), o["count"]
        assert o["monthly_cost_usd"] == pytest.approx(round(rate * n * MONTH, 2), abs=0.011)
        assert o["predicted"]["monthly_cost_usd_with_scaling"] == o["monthly_cost_usd"]
    for o in scaled_in:
        rate, n, od = _rate(cat, o["option"]), o["count"], _ondemand(cat, o["option"])
        sc = o["config"]["scaling"]
        avg, lo = sc["expected_average_count"], sc["min_count"]
        text = _text(o, "elasticity.commitment")
        assert RI_URL in text and "saves nothing" in text
        assert f"covers the {n} node(s) priced" in text
        mix = lo * rate * MONTH + (avg - lo) * MONTH * od
        if lo < n and mix < rate * n * MONTH:
            assert f"${mix:,.2f}/month" in text


def test_an_on_demand_fleet_still_bills_its_average(cat: Any) -> None:
    # On-demand nodes bill while they run: od x 730 x the average node count.
    for o in _ec2(_fleet(["on_demand"]), False):
        avg = o["config"]["scaling"].get("expected_average_count")
        if avg is None:
            continue
        od = _ondemand(cat, o["option"])
        assert o["predicted"]["monthly_cost_usd_with_scaling"] == pytest.approx(
            od * MONTH * avg, abs=0.011)
        assert not any(r["rule"] == "elasticity.commitment" for r in o["reasons"])
