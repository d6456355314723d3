"""The ranking of a few candidates as plain lists (:func:`recommender.rules.rank._rank_few`).

A category's handful of storage, database, network or trade-off options is ranked in Python;
these hold that ranking in the shape the reason texts of :mod:`recommender.rules.rank` read
(a :class:`~recommender.rules.rank.Ranking` and its table, by position), without building
numpy arrays of three rows.
"""

from __future__ import annotations

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
