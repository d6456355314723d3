"""Review audit 11: a review judges the saved choice by the rules and prices recommend used."""

from __future__ import annotations

import json

from catalog.store import load_catalog
from recommender import recommend
from recommender.core.response import RecommendationResponse
from recommender.operations import compare

#: 2 vCPUs / 4 GiB at 45 % average CPU, x86: a t3a.medium in unlimited mode, whose monthly
#: cost is its rate x 730 h plus the surplus CPU credits it is expected to spend.
BURSTY = {"name": "bursty", "region": "us-east-1", "purchase_options": ["on_demand"],
          "compute": {"vcpus": 2, "memory_gib": 4, "arch": "x86_64",
                      "cpu_utilization": {"average_pct": 45}}}


def test_an_unlimited_burstable_price_move_bills_the_profile_hours() -> None:
    cat = load_catalog()
    current = recommend(BURSTY, catalog=cat, models=False)
    best = current.recommendations.compute[0]
    assert (best.option, best.config["credit_mode"]) == ("t3a.medium", "unlimited")
    row = next(p for p in current.prices if p.category == "compute"
               and p.option == best.option and p.item == "ec2.on_demand")
    today = row.usd  # the catalog's t3a.medium on-demand rate (us-east-1)
    # Saved when the rate was $0.01 higher: the saved option cost $0.01 x 730 h more.
    data = json.loads(current.model_dump_json())
    data["prices"] = [dict(p, usd=round(today + 0.01, 6))
                      if (p["option"], p["item"]) == (best.option, "ec2.on_demand") else p
                      for p in data["prices"]]
    opt = data["recommendations"]["compute"][0]
    opt["monthly_cost_usd"] = round(opt["monthly_cost_usd"] + 0.01 * 730, 2)
    saved = RecommendationResponse.model_validate(data)
    found = [f for f in compare(saved, current, cat).findings if f.kind == "price_changed"
             and f.category == "compute"]
    # The instance runs the profile's 730 h (no hours_per_month given) at the rate: a move of
    # $0.01/h is $0.01 x 1 node x 730 h = $7.30 a month, $87.60 a year.  The surplus credits
    # ("a flat additional rate per vCPU-hour", https://docs.aws.amazon.com/AWSEC2/latest/
    # UserGuide/burstable-performance-instances-unlimited-mode.html) do not scale with the
    # instance rate.  Before, the hours came from the monthly cost, which holds the credits
    # too ($53.00 / $0.0476 = 1,113 h: $11.13 a month).
    assert len(found) == 1
    assert found[0].saving_usd_per_month == 7.30
    assert found[0].saving_usd_per_year == 87.60
