"""Compute, 9th audit (issue 9): each rule against the AWS page it follows.

Prices are read from the catalog snapshot (never typed); the worked figures in the comments
are the snapshot's us-east-1 rows.
"""

from __future__ import annotations

from typing import Any

import pytest

# The 16 vCPU Spark job of audit 8 (two measured runs on m5.xlarge), the same profile.
from test_aws_scenarios_billing_audit8 import _job

from recommender import recommend

REGION = "us-east-1"
MONTH = 730.0  # hours: 8,760 a year / 12, the month AWS's pricing pages use
RI_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
          "ec2-reserved-instances.html#ri-payment-options")


@pytest.fixture(scope="module")
def bundle() -> Any:
    from recommender.models import load_models

    return load_models()


def _compute(profile: dict[str, Any], models: Any) -> list[dict[str, Any]]:
    r = recommend(profile, models=models).model_dump(mode="json")
    return list(r["recommendations"]["compute"])


def _text(o: dict[str, Any], rule: str) -> str:
    return next(r["text"] for r in o["reasons"] if r["rule"] == rule)


def test_a_committed_jobs_monthly_cost_text_names_the_billed_hours(bundle: Any) -> None:
    # ec2-reserved-instances.html#ri-payment-options: a Reserved Instance is "billed a
    # discounted hourly rate for every hour within the term, regardless of whether the
    # Reserved Instance is being used".  (The snapshot has no Savings Plans 1-year No Upfront
    # rows: a savings_plan job falls back to on-demand, so only reserved is shown.)  30 runs
    # of ~5 min on 2 nodes: ~2.5-3.1 job hours per node, billed max(3.08, 730) = 730 h per
    # node: m6g.2xlarge $0.1932/h x 2 x 730 = $282.07/month "for 730 h billed per node",
    # not "for 3.08 h" (the text before; the cost itself was already 730 h's).
    opts = [o for o in _compute(_job(["reserved"], 30), bundle)
            if o["kind"] == "ec2" and o["purchase_option"] == "reserved"]
    assert opts
    for o in opts:
        h = o["predicted"]["job_hours_per_month"]
        assert h < MONTH
        assert o["config"]["billed_hours_per_month"] == MONTH
        text = _text(o, "compute.monthly_cost")
        rate, n = o["config"]["commitment_usd_per_hour"], o["count"]
        assert o["monthly_cost_usd"] == pytest.approx(rate * n * MONTH, abs=0.011)
        assert text.startswith(f"${o['monthly_cost_usd']:,.2f}/month for 730 h billed per node")
        assert RI_URL in text
        assert f"the job runs {h:g} h of them" in text


def test_an_on_demand_jobs_monthly_cost_text_keeps_the_job_hours(bundle: Any) -> None:
    # On-demand bills only the hours run: the text names the job hours (runs x runtime).
    opts = [o for o in _compute(_job(["on_demand"], 30), bundle) if o["kind"] == "ec2"]
    assert opts
    for o in opts:
        h = o["predicted"]["job_hours_per_month"]
        text = _text(o, "compute.monthly_cost")
        assert text.startswith(f"${o['monthly_cost_usd']:,.2f}/month for {h:g} h in ")
        assert "billed per node" not in text


SPOT_NOTICE_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                   "spot-instance-termination-notices.html")


def test_a_spot_option_names_the_two_minute_interruption_notice(bundle: Any) -> None:
    # spot-instance-termination-notices.html: "A Spot Instance interruption notice is a
    # warning that is issued two minutes before Amazon EC2 stops or terminates your Spot
    # Instance."  Interruption-tolerant horizontal work (16 vCPUs, 32 GiB) is priced on Spot
    # (c6gd.2xlarge x 2, on-demand $0.3072/h x 21% = $0.0645/h x 2 x 730 = $94.19); each spot
    # option's compute.spot reason says what it costs in handling: two minutes' notice.
    # Before, it said only "the workload tolerates interruption", with no page.
    p = {"region": REGION, "objective": "cost", "top_n": 5,
         "compute": {"vcpus": 16, "memory_gib": 32, "interruption_tolerant": True,
                     "scale_out": "horizontal"}}
    spot = [o for o in _compute(p, bundle) if o["purchase_option"] == "spot"]
    assert spot
    for o in spot:
        text = _text(o, "compute.spot")
        assert "two-minute interruption notice" in text and SPOT_NOTICE_URL in text
        if o["config"].get("spot_price_basis") == "estimate":
            assert "https://aws.amazon.com/ec2/spot/instance-advisor/" in text
