"""An option without a monthly cost is ranked "not priced" in its reason, never "the same
cost as #1" or "ranked at $inf" (what the text said of an unpriced option before)."""

from __future__ import annotations

from recommender.core.engine import recommend


def _rank_text(o) -> str:
    return next(x.text for x in o.reasons if x.rule == "rank.objective")


def test_unpriced_trade_off_below_a_priced_one() -> None:
    r = recommend({"network": {"egress_gib_per_month": 20000, "static_content_fraction": 0.8}},
                  models=False)
    caching, compression = r.options("tradeoffs")[:2]
    assert (caching.option, caching.monthly_cost_usd) == ("caching", 0.0)
    assert compression.monthly_cost_usd is None
    text = _rank_text(compression)
    assert "not priced (its costs are named in its unpriced list)" in text
    assert "the same cost as #1" not in text and "$inf" not in text
    assert "#1 (caching): risk 0, ranked at $0." in text


def test_unpriced_first_option() -> None:
    # The catalog has no RDS for Oracle rows: every relational option is unpriced.
    r = recommend({"database": {"engine": "oracle-ee", "size_gib": 100,
                                "data_model": "relational"}}, models=False)
    first, second = r.options("database")[:2]
    assert first.monthly_cost_usd is None and second.monthly_cost_usd is None
    assert ": #1, not priced" in _rank_text(first)
    assert "no price to rank by" in _rank_text(first) and "$inf" not in _rank_text(second)
