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


def test_an_ebs_storage_price_move_is_counted_on_the_gib_provisioned() -> None:
    # 1,000 GiB at 4,000 IOPS and 1,000 MiB/s: one gp3 volume of 1,000 GiB.  EBS bills "the
    # storage you provision, in GB-months" (https://aws.amazon.com/ebs/pricing/); saved when
    # gp3 storage cost $0.01/GB-month more than today, the volume cost $0.01 x 1,000 GiB =
    # $10.00 a month more ($120.00 a year).  Before, a storage price move had no monthly
    # figure (None).
    cat = load_catalog()
    profile = {"name": "vol", "region": "us-east-1", "storage": {
        "size_gib": 1000, "iops": 4000, "throughput_mibps": 1000,
        "access_pattern": "random", "sharing": "single_instance",
        "persistence": "persistent"}}
    current = recommend(profile, catalog=cat, models=False)
    best = current.recommendations.storage[0]
    assert (best.option, best.config["size_gib"]) == ("gp3", 1000)
    data = json.loads(current.model_dump_json())
    data["prices"] = [dict(p, usd=round(p["usd"] + 0.01, 6))
                      if (p["category"], p["item"]) == ("storage", "ebs.storage") else p
                      for p in data["prices"]]
    data["recommendations"]["storage"][0]["monthly_cost_usd"] += 10.0
    saved = RecommendationResponse.model_validate(data)
    found = [f for f in compare(saved, current, cat).findings if f.kind == "price_changed"
             and f.category == "storage"]
    assert [(f.saving_usd_per_month, f.saving_usd_per_year) for f in found] == [(10.0, 120.0)]
    assert "1000 GiB provisioned at the rate, https://aws.amazon.com/ebs/pricing/" in \
        found[0].text
