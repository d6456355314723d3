"""EC2 purchase options and network bandwidth audited against AWS's pages (issue 9, 7th audit).

Commitments bill every hour of their term: a No/Partial Upfront Reserved Instance's
discounted rate is billed for every hour within the term whether it is used or not
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options),
and a Savings Plan commits to a consistent USD-per-hour amount for the term
(https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html).  So at
``hours_per_month`` 200 a node pays its committed rate for the whole 730-hour month.

"Up to" network bandwidth is a burst on network I/O credits "for a limited time, typically from
5 to 60 minutes", best effort; the instance then returns to its baseline
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-network-bandwidth.html).
A per-node bandwidth need must fit the baseline.

Prices and specs are read from the catalog snapshot (never typed here).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommender import recommend
from recommender.rules.compute.candidates import ec2_index, filter_bandwidth, sustained_gbps
from recommender.rules.compute.purchase import MONTH_HOURS, effective_prices


def _commitment(cat: Any, itype: str, offering: str = "reserved_standard", term: int = 1,
                payment: str = "no_upfront") -> float:
    df = cat.tables["ec2_commitments"]
    row = df[(df.instance_type == itype) & (df.region == "us-east-1")
             & (df.offering == offering) & (df.term_years == term) & (df.payment == payment)]
    assert len(row) == 1
    return float(row["effective_usd_per_hour"].iloc[0])


def _ondemand(cat: Any, itype: str) -> float:
    ix = ec2_index(cat)
    return float(ix.ondemand[ix.region_pos["us-east-1"], ix.pos[itype]])


def _options(profile: dict[str, Any]) -> list[dict[str, Any]]:
    r = recommend(profile, models=False).model_dump(mode="json")
    return list(r["recommendations"]["compute"])


def test_a_reserved_instance_at_200_hours_bills_730(cat: Any) -> None:
    # m6g.xlarge Reserved Standard 1y No Upfront in us-east-1 (catalog: $0.0966/h).
    # Before: $0.0966 x 200 h = $19.32/month (ranked #1 under reserved).
    # Now:    $0.0966 x 730 h = $70.518 -> $70.52/month, $0.0966 x 730 / 200 = $0.3526 per
    # hour used, dearer than on-demand ($0.154 x 200 h = $30.80).
    rate = _commitment(cat, "m6g.xlarge")
    opts = _options({"region": "us-east-1", "purchase_options": ["reserved"], "top_n": 50,
                     "compute": {"vcpus": 4, "memory_gib": 16, "hours_per_month": 200}})
    o = next(x for x in opts if x["option"] == "m6g.xlarge")
    assert o["purchase_option"] == "reserved"
    assert o["monthly_cost_usd"] == pytest.approx(round(rate * 730, 2))
    assert o["monthly_cost_usd"] != pytest.approx(round(rate * 200, 2))
    assert o["config"]["billed_hours_per_month"] == 730
    assert o["config"]["commitment_usd_per_hour"] == pytest.approx(rate)
    text = next(r["text"] for r in o["reasons"] if r["rule"] == "compute.reserved")
    assert "bills every hour of the term" in text and "ri-payment-options" in text
    assert f"${rate * 730 / 200:.4f} per hour used" in text
    # Compute Optimizer's savings against on-demand turn negative, as they are:
    # 1 - 70.52 / 30.80 = -1.2896 -> -129.0 %.
    od = round(_ondemand(cat, "m6g.xlarge") * 200, 2)
    assert o["predicted"]["on_demand_monthly_cost_usd"] == pytest.approx(od)
    assert o["predicted"]["savings_vs_on_demand_pct"] == pytest.approx(
        round((1 - o["monthly_cost_usd"] / od) * 100, 1))
    assert o["predicted"]["savings_vs_on_demand_pct"] < 0


def test_on_demand_wins_over_an_idle_commitment(cat: Any) -> None:
    # Offered both, at 200 h: m6g.xlarge on-demand $0.154 x 200 = $30.80 beats the reserved
    # $70.52 (above); before, reserved $19.32 won.
    opts = _options({"region": "us-east-1", "purchase_options": ["on_demand", "reserved"],
                     "compute": {"vcpus": 4, "memory_gib": 16, "hours_per_month": 200}})
    o = next(x for x in opts if x["option"] == "m6g.xlarge")
    assert o["purchase_option"] == "on_demand"
    assert o["monthly_cost_usd"] == pytest.approx(round(_ondemand(cat, "m6g.xlarge") * 200, 2))


def test_a_commitment_used_every_hour_is_unchanged(cat: Any) -> None:
    # At 730 h (the default) nothing is spread: $0.0966 x 730 = $70.52, cheaper than
    # on-demand $0.154 x 730 = $112.42, so reserved wins and no billing note is added.
    rate = _commitment(cat, "m6g.xlarge")
    opts = _options({"region": "us-east-1", "purchase_options": ["on_demand", "reserved"],
                     "top_n": 50, "compute": {"vcpus": 4, "memory_gib": 16}})
    o = next(x for x in opts if x["option"] == "m6g.xlarge")
    assert o["purchase_option"] == "reserved"
    assert o["monthly_cost_usd"] == pytest.approx(round(rate * 730, 2))
    assert "billed_hours_per_month" not in o["config"]
    text = next(r["text"] for r in o["reasons"] if r["rule"] == "compute.reserved")
    assert "bills every hour" not in text


def test_all_upfront_is_spread_over_the_term_and_billed_every_hour(cat: Any, profile) -> None:
    # m5.large Reserved Standard 1y All Upfront: $494 / 8,760 h (a 365-day year) = $0.05639/h
    # effective (catalog column). At 100 h a month a node still pays 730 h of it:
    # $0.05639 x 730 / 100 = $0.41166 per hour used.
    ix = ec2_index(cat)
    r, i = ix.region_pos["us-east-1"], ix.pos["m5.large"]
    rate = _commitment(cat, "m5.large", payment="all_upfront")
    df = cat.tables["ec2_commitments"]
    up = df[(df.instance_type == "m5.large") & (df.region == "us-east-1")
            & (df.offering == "reserved_standard") & (df.term_years == 1)
            & (df.payment == "all_upfront")]["upfront_usd"].iloc[0]
    assert rate == pytest.approx(float(up) / 8760, abs=1e-5)
    p = profile(region="us-east-1", purchase_options=["reserved"],
                purchase_payment="all_upfront", compute={"vcpus": 2, "hours_per_month": 100})
    pr = effective_prices(ix, r, ("reserved",), p=p, catalog=cat)
    assert pr.po[i] == "reserved"
    assert pr.price[i] == pytest.approx(rate * MONTH_HOURS / 100)
    assert pr.config(i)["upfront_usd_per_node"] == pytest.approx(float(up))


def test_up_to_bandwidth_types_are_held_to_their_baseline(cat: Any, profile) -> None:
    # c6g.large: "Up to 10 Gigabit", baseline 0.75 Gbps (catalog).  Before, a 10 Gbps need
    # admitted it (its 10 Gbps peak) at risk 2; now it sustains 0.75 < 10: rejected.
    ix = ec2_index(cat)
    i = ix.pos["c6g.large"]
    held = sustained_gbps(ix)
    assert held[i] == pytest.approx(float(ix.net_baseline_gbps[i]))
    assert held[i] < 10 <= ix.net_peak_gbps[i]

    class Ctx:
        bandwidth_gbps = 10.0

    check = filter_bandwidth(ix, Ctx())  # type: ignore[arg-type]
    assert not check.mask[i]
    assert np.array_equal(check.mask, held >= 10.0)
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4},
                   "network": {"bandwidth_gbps": 10}, "explain": ["c6g.large"]},
                  models=False).model_dump(mode="json")
    why = r["why_not"][0]
    assert why["verdict"] == "rejected" and why["rule"] == "ec2.network_bandwidth"
    assert "sustains 0.75 Gbps" in why["text"] and "ec2-instance-network-bandwidth" in why["text"]
    for o in r["recommendations"]["compute"]:
        if o["kind"] == "ec2":
            j = ix.pos[o["option"]]
            assert held[j] >= 10, o["option"]


def test_a_need_within_the_baseline_still_fits(cat: Any) -> None:
    # 0.5 Gbps is within c6g.large's 0.75 Gbps baseline: admitted, network risk 0.
    ix = ec2_index(cat)

    class Ctx:
        bandwidth_gbps = 0.5

    check = filter_bandwidth(ix, Ctx())  # type: ignore[arg-type]
    assert check.mask[ix.pos["c6g.large"]]


def test_tightly_coupled_work_gets_no_spot_and_says_why(profile) -> None:
    # Spot best practices: Spot is not suitable for work "tightly coupled between instance
    # nodes" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html).
    # Before: 64 vCPUs tightly coupled, interruption-tolerant -> c6g.metal on spot, no word.
    from recommender.rules.compute.purchase import allowed_purchase_options

    said: list[str] = []
    p = profile(purchase_options=["on_demand", "spot"],
                compute={"vcpus": 64, "scale_out": "tightly_coupled",
                         "interruption_tolerant": True})
    assert allowed_purchase_options(p, said) == ("on_demand",)
    assert len(said) == 1 and "spot-best-practices" in said[0]
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 64, "memory_gib": 128, "scale_out": "tightly_coupled",
        "interruption_tolerant": True}}, models=False).model_dump(mode="json")
    assert r["recommendations"]["compute"]
    assert all(o["purchase_option"] != "spot" for o in r["recommendations"]["compute"])
    assert any("tightly coupled" in w for w in r["warnings"])


def test_horizontal_interruption_tolerant_work_keeps_spot(profile) -> None:
    # Loosely coupled (horizontal) work is what Spot suits: spot stays allowed, no warning.
    from recommender.rules.compute.purchase import allowed_purchase_options

    said: list[str] = []
    p = profile(compute={"vcpus": 8, "scale_out": "horizontal", "interruption_tolerant": True})
    assert allowed_purchase_options(p, said) == ("on_demand", "spot")
    assert said == []
