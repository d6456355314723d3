"""The reason text of a rank: where an option stands by the objective, against #1, in numbers.

Read from a :class:`~recommender.rules.rank.Ranking` or a
:class:`~recommender.rules.rank_few.FewRanking` (duck-typed: ``table``, ``place``,
``head_list``, ``key``/``key_list``, ``objective``, ``unit``), so the one text serves both.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import fmt_g, fmt_usd
from recommender.rules.rank_few import FewRanking

#: What the text says of an option without a monthly cost.
_UNPRICED = "not priced (its costs are named in its unpriced list)"


def rank_text(r: Any, k: int, shown: int | None = None) -> str:
    first, c1, by, first_id, first_key = _first_texts(r)
    at = r.place(k)
    # Shown options may skip rows (other sizes of a family shown already): the text says the
    # rank the option is shown at, and where it stands among every row ranked.
    head = (f"Rank {shown} (position {at + 1} among all sizes ranked; one size per family "
            "is shown)" if shown not in (None, at + 1) and at >= 0
            else f"Rank {at + 1}" if at >= 0 else "Not ranked") + by
    c = float(r.table.cost[k])
    if k == first:
        return head + (f": #1, {_UNPRICED}" if math.isnan(c) else
                       f": #1 at {fmt_usd(c)}/month") + f", {_key_text(r, k)}."
    if math.isnan(c) or math.isnan(c1):
        # No cost to compare: say which side has none (an unpriced option is not "the same
        # cost as #1", as the text said before).
        own, other = (_UNPRICED, "") if math.isnan(c) else (f"{fmt_usd(c)}/month", ", not priced")
        return head + f": {own}; {_key_text(r, k)}; #1 ({first_id}{other}): {first_key}."
    more = c - c1
    diff = (f"{fmt_usd(more)}/month more than #1" if more >= 0.005 else
            f"{fmt_usd(-more)}/month less than #1" if more <= -0.005 else "the same cost as #1")
    return (head + f": {fmt_usd(c)}/month, {diff} ({first_id}); {_key_text(r, k)}, "
            f"#1: {first_key}.")


def _first_texts(r: Any) -> tuple[int, float, str, str, str]:
    """What every rank reason of ``r`` says of #1, read once per ranking (the options shown
    each say it): #1's position and cost, " by objective <objective> (<unit>)", #1's id and
    its key text."""
    got: tuple[int, float, str, str, str] | None = r.__dict__.get("_first_texts")
    if got is None:
        first = r.head_list[0]
        got = r.__dict__["_first_texts"] = (
            first, float(r.table.cost[first]), f" by objective {r.objective} ({r.unit})",
            str(r.table.ids[first]), _key_text(r, first))
    return got


def _key_text(r: Any, k: int) -> str:
    t = r.table
    if r.objective == "balanced":
        key = r.key_list[k] if isinstance(r, FewRanking) else r.key[k]
        ranked = float(key)
        return f"risk {fmt_g(t.risk[k])}, " + (
            f"ranked at {fmt_usd(ranked)}" if math.isfinite(ranked) else "no price to rank by")
    if r.objective == "performance":
        return f"capacity {float(t.capacity[k]):.2f}, risk {fmt_g(t.risk[k])}"
    return f"risk {fmt_g(t.risk[k])}"


__all__ = ["rank_text"]
