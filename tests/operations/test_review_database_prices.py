"""Review: a moved data-store node rate gives its exact monthly effect (PERF05-BP06).

A database node bills every hour of the month (730 h) at its rate, so a rate move of d $/h
on n nodes is d x n x 730 a month.  Before, the effect was taken from the option's monthly
cost, which also holds storage, and a reserved rate gave no figure at all.  The saved
response here is today's with its node rate raised 10 % (as if saved before a price cut);
the rates are the embedded catalog's us-east-1 rows.
"""

from __future__ import annotations

from typing import Any

import pytest

from recommender import recommend
from recommender.core.response import RecommendationResponse
from recommender.operations import compare


def _saved_at_110_pct(resp: RecommendationResponse) -> RecommendationResponse:
    data = resp.model_dump()
    best = resp.best("database")
    assert best is not None
    for p in data["prices"]:
        if p["category"] == "database" and p["option"] == best.option and p["unit"] == "hour" \
                and p["rank"] in (None, best.rank):
            p["usd"] = round(p["usd"] * 1.1, 6)
    return RecommendationResponse.model_validate(data)


def _moved(profile: dict[str, Any]) -> tuple[Any, list[Any]]:
    now = recommend(profile, models=False)
    rev = compare(_saved_at_110_pct(now), now, catalog=_catalog())
    return now.best("database"), [f for f in rev.findings if f.kind == "price_changed"]


def _catalog() -> Any:
    from catalog.store import load_catalog

    return load_catalog()


@pytest.mark.parametrize(("purchase", "rate", "effect"), [
    # db.r6g.8xlarge (working set 25 % of 1,000 GiB = 250 GiB -> 256 GiB): on demand
    # $3.597/h, saved at $3.9567: 0.3597 x 1 x 730 = $262.58 a month less.
    ("on_demand", 3.597, 262.58),
    # 1-year No Upfront reserved $2.0775/h, saved at $2.28525: 0.20775 x 730 = $151.66.
    ("reserved", 2.0775, 151.66),
])
def test_rds_rate_move_is_rate_times_730_hours(purchase: str, rate: float,
                                               effect: float) -> None:
    best, moved = _moved({"purchase_options": [purchase], "database": {
        "engine": "postgresql", "size_gib": 1000, "data_model": "relational"}})
    assert best.config["instance_class"] == "db.r6g.8xlarge"
    assert len(moved) == 1
    assert moved[0].after == {"item": f"rds.{purchase}", "usd": rate}
    assert moved[0].saving_usd_per_month == effect
    assert f"${effect:,.2f}/month less" in moved[0].text


def test_cache_nodes_all_move() -> None:
    # 80 GiB Valkey: 9 x cache.r6g.large at $0.1648/h, saved at $0.18128:
    # 0.01648 x 9 x 730 = $108.27 a month less.
    best, moved = _moved({"database": {"data_model": "cache", "size_gib": 80}})
    assert (best.config["instance_class"], best.config["node_count"]) == ("cache.r6g.large", 9)
    assert moved[0].saving_usd_per_month == 108.27


def test_rds_with_read_replicas_gives_no_inexact_figure() -> None:
    # Its two read replicas bill the Single-AZ rate, a row the option does not record.
    best, moved = _moved({"environment": "production", "database": {
        "engine": "postgresql", "size_gib": 200, "data_model": "relational",
        "reads_per_s": 12000, "writes_per_s": 500}})
    assert best.config["read_replicas"] == 2
    assert moved and moved[0].saving_usd_per_month is None
