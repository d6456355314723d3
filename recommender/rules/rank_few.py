"""The ranking of a few candidates as plain lists (:func:`recommender.rules.rank._rank_few`).

A category's handful of storage, database, network or trade-off options is ranked in Python;
these hold that ranking in the shape the reason texts of :mod:`recommender.rules.rank` read
(a :class:`~recommender.rules.rank.Ranking` and its table, by position), without building
numpy arrays of three rows.
"""

from __future__ import annotations

import math

import numpy as np


class FewTable:
    """The columns of a few candidates as lists, read by position like a
    :class:`~recommender.rules.rank.RankTable` (the reason texts read a handful of cells:
    numpy arrays of three rows cost more to build than to read)."""

    __slots__ = ("ids", "cost", "risk", "capacity", "tier")

    def __init__(self, ids: list[str], cost: list[float], risk: list[float],
                 capacity: list[float], tier: list[float] | None) -> None:
        self.ids, self.cost, self.risk, self.capacity, self.tier = ids, cost, risk, capacity, tier


class FewRanking:
    """The :class:`~recommender.rules.rank.Ranking` of a few candidates: the full order and
    the keys as lists, and what the reason texts read of a ranking (``head_list``,
    ``place``, ``objective``, ``unit``, ``table``, ``key``)."""

    def __init__(self, objective: str, order: list[int], key: list[float], unit: str,
                 table: FewTable) -> None:
        self.objective, self.unit, self.table = objective, unit, table
        self.head_list, self.key_list = order, key

    @property
    def order(self) -> np.ndarray:
        """The order as the numpy ranking gives it (tests compare the two)."""
        return np.array(self.head_list, dtype=np.intp)

    @property
    def key(self) -> np.ndarray:
        """The ranking number of each option, as an array."""
        return np.array(self.key_list, dtype=float)

    def rows(self, keep: int | None) -> list[int]:
        """The first ``keep`` positions of the order (all without ``keep``)."""
        return self.head_list if keep is None else self.head_list[:max(keep, 0)]

    def place(self, k: int) -> int:
        """Position of option ``k`` in the order (-1 when it is not an option)."""
        if not 0 <= k < len(self.table.ids):
            return -1
        return self.head_list.index(k)


def few_scores(key: list[float], first: int) -> list[float]:
    """:attr:`~recommender.rules.rank.Ranking.score` of ``key`` with #1 at ``first``,
    element by element (numpy's division, ``nan_to_num`` and ``clip`` as they treat each
    value)."""
    k = [v if math.isfinite(v) else math.inf for v in key]
    best = k[first]
    s = [best / v if v > 0 else 1.0 for v in k]
    if not math.isfinite(best):  # nan_to_num(nan=0, posinf=1): inf/inf and inf/x
        s = [0.0 if v != v else 1.0 if v == math.inf else -_MAX_FLOAT if v == -math.inf
             else v for v in s]
    return [1.0 if v > 1.0 else 0.0 if v < 0.0 else v for v in s]


_MAX_FLOAT = float(np.finfo(float).max)


def few_performance_keys(costs: list[float], risk: list[float], fit: list[float], tie: float
                         ) -> tuple[list[float], list[list[float]]]:
    """``rank._performance_keys`` of a few candidates as lists: the ranking number
    (1 / capacity) and the sort keys (capacity steps of ``tie`` below the best, risk, cost
    with NaN as inf in ``costs``), by the same float operations; the steps' logarithms are
    numpy's, over the same values, so they are the same floats."""
    cap = fit
    if not all(math.isfinite(x) for x in cap):  # nan_to_num's NaN as 0, +-inf as +-max
        cap = np.nan_to_num(np.array(cap, dtype=float), nan=0.0).tolist()
    best = max(cap) if cap else 1.0
    floor = [x if x > 1e-9 else 1e-9 for x in cap]  # np.maximum(cap, 1e-9): no NaN left
    logs = np.log(np.array([best / x for x in floor])).tolist()
    step = math.log1p(tie)
    # -(-floor(x)) of the numpy steps: an int where finite (equal as a sort key).
    steps = [math.floor(v / step) if math.isfinite(v / step) else v / step for v in logs]
    return [1.0 / x for x in floor], [steps, risk, costs]
