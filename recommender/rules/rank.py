"""The objective: how admissible options are ordered, with the reason for every rank.

Hard constraints come first (every category's filters reject what misses the need); the
objective then orders what is left (PERF01-BP03, factor cost into architectural decisions;
PERF01-BP04, evaluate trade-offs):

* ``cost``: effective monthly cost, cheapest first (risk, then the id break ties);
* ``balanced``: cost with performance risk as a bounded premium: each step of risk (0-4,
  Compute Optimizer's scale) adds :data:`RISK_PREMIUM_PCT` % to the cost used for ranking,
  so a risk-0 option ranks above a risk-2 one unless it costs 2 x N % more or above;
* ``performance``: delivered capacity (perf_index the work can use), highest first, cost
  breaking ties; within ``max_monthly_usd`` when given.

There are no other weights.  Each objective is one function in :data:`OBJECTIVES` returning a
:class:`Ranking`: the order, the number that ranked each option (``key``) and, from that same
number, the reason text; ``score`` is that key normalised against #1 (1.0 = #1), so the
score shown is the ranking number, never a hidden blend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF01_TRADEOFFS,
    Candidate,
    reason,
)
from recommender.rules.rank_few import FewRanking, FewTable, few_performance_keys, few_scores
from recommender.rules.rank_text import rank_text

#: balanced: percent of its cost added per step of performance risk when ranking.
RISK_PREMIUM_PCT = 10.0
#: performance: capacities within this fraction of the best tie (then cost decides): measured
#: CoreMark of one processor varies by a few percent between sizes and families.
CAPACITY_TIE = 0.05


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class RankTable:
    """What the objective sees of each admissible option (aligned arrays)."""

    #: Option id (str), the last tie-break.  With ``id_rank`` given, only read by position
    #: (a reason names #1), so a :class:`RowIds` will do.
    ids: np.ndarray | RowIds
    cost: np.ndarray  # effective monthly USD (NaN = unpriced, ranked last)
    risk: np.ndarray  # performance risk 0-4
    capacity: np.ndarray  # delivered capacity (perf_index units the work can use)
    tier: np.ndarray | None = None  # guidance tier (higher first), for non-compute categories
    #: Integer codes in the order of ``ids`` (equal ids, equal order as a stable sort), when
    #: the caller has them: the id tie-break sorts on them instead of comparing strings.
    id_rank: np.ndarray | None = None


class RowIds:
    """``names[rows] + extra`` read by position, for :attr:`RankTable.ids` when ``id_rank``
    orders the rows: only the few ids a reason names are read, so no object array of all
    of them is gathered."""

    __slots__ = ("_names", "_rows", "_extra")

    def __init__(self, names: np.ndarray, rows: np.ndarray, extra: list[str]) -> None:
        self._names, self._rows, self._extra = names, rows, extra

    def __len__(self) -> int:
        return len(self._rows) + len(self._extra)

    def __getitem__(self, k: int) -> Any:
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        k = int(k) % len(self)
        n = len(self._rows)
        return self._names[self._rows[k]] if k < n else self._extra[k - n]


#: The positions :meth:`Ranking.place` reads from the head of the order before it builds the
#: full inverse permutation; also the least head :meth:`Ranking.head` ranks.
_HEAD = 32


def top_rows(keys: tuple[np.ndarray, ...], k: int) -> np.ndarray:
    """A prefix of ``np.lexsort(keys)`` (last key primary) holding at least its first ``k``.

    Only the rows whose primary key is at or below the ``k``-th smallest are sorted: every
    other row sorts after all of them, and a stable sort of a subset taken in index order
    keeps the order the full sort gives it, ties included, so the prefix is exactly the
    full sort's.  A NaN at the ``k``-th place (NaN sorts last) or an object key sorts all.
    """
    n = len(keys[-1]) if keys else 0
    p = keys[-1] if keys else None
    if p is None or k < 1 or k * 2 >= n or p.dtype == object:
        return np.lexsort(keys)
    q = p.copy()
    q.partition(k - 1)  # (the method: np.partition's wrappers cost more than the work)
    th = q[k - 1]
    if th != th:
        return np.lexsort(keys)
    sel: np.ndarray = (p <= th).nonzero()[0]
    return sel[np.lexsort(tuple(x[sel] for x in keys))]


@dataclass  # (not frozen: built per call; it keeps its sorted head in __dict__)
class Ranking:
    """One objective's verdict: the order, the ranking number per option and its reason.

    :attr:`order` (positions into the table, best first) is either given (``given_order``)
    or, from ``sort_keys`` (``np.lexsort`` keys, last primary), sorted when first read: the
    options shown read only :meth:`head`, which sorts the leading rows alone
    (:func:`top_rows`).
    """

    objective: str
    given_order: np.ndarray | None
    key: np.ndarray  # the number each option was ranked by (lower is better)
    unit: str  # what key is, in words
    table: RankTable
    sort_keys: tuple[np.ndarray, ...] | None = None
    #: The sorted head read so far (the full order, once sorted, is :attr:`order`'s).
    _prefix: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.given_order is None and self.sort_keys is None:
            raise ValueError("Ranking needs an order or the keys to sort")
        if self.given_order is not None:
            self.__dict__["order"] = self.given_order

    # (order, position and head_list are kept in the instance's __dict__ by hand: 3.11's
    # functools.cached_property takes a lock on every read, and they are read per option.)
    @property
    def order(self) -> np.ndarray:
        """Every position, best first (the full sort, once, when something reads it)."""
        full: np.ndarray | None = self.__dict__.get("order")
        if full is None:
            assert self.sort_keys is not None
            full = self.__dict__["order"] = np.lexsort(self.sort_keys)
        return full

    def head(self, m: int) -> np.ndarray:
        """The first ``m`` positions of :attr:`order`, sorting only the leading rows."""
        if "order" in self.__dict__ or self.sort_keys is None:
            return self.order[:m]
        if self._prefix is None or (m > len(self._prefix) and
                                    len(self._prefix) < len(self.key)):
            k = max(m, _HEAD) if self._prefix is None else max(m, 4 * len(self._prefix))
            prefix = top_rows(self.sort_keys, k)
            object.__setattr__(self, "_prefix", prefix)
            if len(prefix) == len(self.key):
                self.__dict__["order"] = prefix
        assert self._prefix is not None
        return self._prefix[:m]

    @property
    def score(self) -> np.ndarray:
        """key of #1 / key of the option (1.0 for #1; lower = further behind), in [0, 1]."""
        top = self.head(1)
        # The usual keys (no NaN, no -inf, none <= 0) and #1 finite: the steps below keep
        # +inf, divide every key and give quotients >= 0, so best / key capped at 1 is theirs.
        # (np.minimum.reduce: ndarray.min without its Python wrapper; NaN propagates alike.)
        if len(top) and np.minimum.reduce(self.key) > 0 and (
                best := float(self.key[top[0]])) < math.inf:
            s = best / self.key
            return np.minimum(s, 1.0, out=s)
        k = np.where(np.isfinite(self.key), self.key, np.inf)
        best = float(k[top[0]]) if len(top) else math.inf
        if math.isfinite(best):  # the usual case: finite / (positive or inf), no NaN or inf
            s = np.ones(len(k))
            pos = k > 0
            s[pos] = best / k[pos]
            return np.minimum(np.maximum(s, 0.0), 1.0)  # np.clip's result, as its ufuncs
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(k > 0, best / k, 1.0)
        out: np.ndarray = np.clip(np.nan_to_num(s, nan=0.0, posinf=1.0), 0.0, 1.0)
        return out

    @property
    def position(self) -> np.ndarray:
        """Position in ``order`` of each option (-1 when not ranked), computed once."""
        pos: np.ndarray | None = self.__dict__.get("position")
        if pos is None:
            pos = np.full(len(self.table.ids), -1, dtype=np.intp)
            pos[self.order] = np.arange(len(self.order))
            self.__dict__["position"] = pos
        return pos

    @property
    def head_list(self) -> list[int]:
        """The first positions of ``order`` as a list: the options shown are among them."""
        head: list[int] | None = self.__dict__.get("head_list")
        if head is None:
            head = self.__dict__["head_list"] = self.head(_HEAD).tolist()
        return head

    def place(self, k: int) -> int:
        """Position of option ``k`` in ``order`` (-1 when it is not ranked or not an option):
        looked up in the head first, the full inverse (:attr:`position`) only beyond it."""
        if not 0 <= k < len(self.key):  # (as many as the table's ids, without RowIds.__len__)
            return -1
        head = self.head_list
        if k in head:
            return head.index(k)
        return int(self.position[k])

    def among(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` in the order :attr:`order` gives them (a subset of a stable sort keeps
        its order, so only the subset is sorted)."""
        if "order" in self.__dict__ or self.sort_keys is None:
            return rows[np.argsort(self.position[rows], kind="stable")]
        return rows[np.lexsort(tuple(x[rows] for x in self.sort_keys))]

    def reason(self, k: int, shown: int | None = None) -> Reason:
        """Why option ``k`` ranks where it does, against #1, in numbers (same ``key``).

        ``shown``: the rank the response shows it at, when that list skips ranked rows
        (compute shows one size per family): the text then leads with that rank, as the
        option's ``rank`` field does, and names its place among every row ranked.
        """
        return reason("rank.objective", PERF01_COST, rank_text(self, k, shown))


def chunks(order: np.ndarray | Ranking, first: int) -> Iterator[np.ndarray]:
    """``order`` (an array, or a :class:`Ranking`'s order read by :meth:`Ranking.head`) in
    consecutive slices of ``first`` positions, then 4x as many each time: a reader that
    stops near the head leaves the rest of a ranking unsorted."""
    read: Callable[[int], np.ndarray]
    if isinstance(order, Ranking):
        read, n = order.head, len(order.key)
    else:
        arr = order
        read, n = (lambda m: arr[:m]), len(arr)
    start, step = 0, max(1, first)
    while start < n:
        end = start + step
        yield read(end)[start:]
        start, step = end, step * 4


def _ids(t: RankTable) -> np.ndarray:
    """The id tie-break key: the integer codes when given, else the ids themselves."""
    return np.asarray(t.ids) if t.id_rank is None else t.id_rank


def _costs(t: RankTable) -> np.ndarray:
    # NaN -> inf in one pass: fmin takes the other operand for NaN, min(cost, inf) else.
    costs: np.ndarray = np.fmin(t.cost, np.inf)
    return costs


def _by_keys(t: RankTable, *keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """The ``np.lexsort`` keys of ``keys`` (last = primary) under the guidance tier, higher
    first.

    Without tiers the tier key would be constant, which cannot change a stable sort, so it
    is left out (one pass less over the table).
    """
    if t.tier is None:
        return keys
    return (*keys, -np.asarray(t.tier, dtype=float))


#: The sort keys of an objective, most significant first, under the guidance tier and
#: before the id: (the ranking number ``key``, [sort keys]).
SortKeys = tuple[np.ndarray, list[np.ndarray]]


def _cost_keys(t: RankTable) -> SortKeys:
    key = _costs(t)
    return key, [key.round(6), t.risk]  # (np.round's own method, without its wrapper)


def _balanced_keys(t: RankTable) -> SortKeys:
    costs = _costs(t)
    key = costs * (1.0 + RISK_PREMIUM_PCT / 100.0 * np.asarray(t.risk, dtype=float))
    return key, [key.round(6), costs]


def _performance_keys(t: RankTable) -> SortKeys:
    cap = np.asarray(t.capacity, dtype=float)
    # A non-finite capacity makes the sum non-finite (a finite sum proves none is): only
    # then nan_to_num, which leaves finite values as they are.
    if not math.isfinite(np.add.reduce(cap)):
        cap = np.nan_to_num(cap, nan=0.0)
    # Capacity in steps of CAPACITY_TIE below the best (log scale), so capacity within
    # CAPACITY_TIE of the best ties with it and cost decides.  (The sort key is the steps
    # themselves: -(-floor(x)) is floor(x), bit for bit.)
    best = float(np.maximum.reduce(cap)) if len(cap) else 1.0
    floor = np.maximum(cap, 1e-9)
    steps = np.floor(np.log(best / floor) / math.log1p(CAPACITY_TIE))
    return 1.0 / floor, [steps, t.risk, _costs(t)]


def _unit(objective: str) -> str:
    """What the objective's ranking number is, in words (read when ranking: the premium
    and the tie are module settings)."""
    if objective == "cost":
        return "effective monthly cost, cheapest first"
    if objective == "balanced":
        return f"monthly cost + {RISK_PREMIUM_PCT:g}% per step of performance risk"
    return f"delivered capacity, most first; within {CAPACITY_TIE:.0%} cost decides"


#: objective -> its sort keys.
_OBJECTIVE_KEYS: dict[str, Callable[[RankTable], SortKeys]] = {
    "cost": _cost_keys, "balanced": _balanced_keys, "performance": _performance_keys,
}


def _ranked(t: RankTable, objective: str) -> Ranking:
    key, keys = _OBJECTIVE_KEYS[objective](t)
    return Ranking(objective, None, key, _unit(objective), t,
                   sort_keys=_by_keys(t, _ids(t), *reversed(keys)))


def rank_cost(t: RankTable) -> Ranking:
    """Cheapest effective monthly cost first (PERF01-BP03); risk, then id, break ties."""
    return _ranked(t, "cost")


def rank_balanced(t: RankTable) -> Ranking:
    """Cost x (1 + RISK_PREMIUM_PCT % x risk): risk is a bounded premium (PERF01-BP04)."""
    return _ranked(t, "balanced")


def rank_performance(t: RankTable) -> Ranking:
    """Most delivered capacity first (ties within CAPACITY_TIE), then cheapest (PERF01-BP04)."""
    return _ranked(t, "performance")


#: One registry: objective -> its ranking function.
OBJECTIVES: dict[str, Callable[[RankTable], Ranking]] = {
    "cost": rank_cost, "balanced": rank_balanced, "performance": rank_performance,
}


def rank(t: RankTable, objective: str) -> Ranking:
    """Rank ``t`` by ``objective`` (unknown objectives rank as ``balanced``)."""
    return OBJECTIVES.get(objective, rank_balanced)(t)


def rank_others(cands: list[Candidate], objective: str, *,
                keep: int | None = None) -> list[Candidate]:
    """Rank storage/database/network/trade-off candidates: guidance tier, then objective.

    Each category's rules set ``components["fit"]``: 1 for the purpose-built choice AWS's
    guidance names for the profile, less for admissible alternatives.  Options are ranked by
    that tier first (it is a stated rule of their module, PERF03-BP01), then by the
    objective (``cost`` skips the tier: cheapest admissible first).  ``score`` is #1's
    ranking number over the option's, and a reason says where it ranks and why.  With
    ``keep``, only the first ``keep`` ranked candidates are returned (the ones shown), and
    only they get that reason written.

    A category has a handful of candidates, so they are ranked in Python
    (:func:`_rank_few`, the same keys as :func:`rank`); many, or a key that is NaN, go
    through :func:`rank` itself.
    """
    if not cands:
        return []
    few = _rank_few(cands, objective) if len(cands) <= _FEW else None
    r: Ranking | FewRanking
    r, score = few if few is not None else _rank_many(cands, objective)
    rows = r.rows(keep) if isinstance(r, FewRanking) else (
        r.order if keep is None else r.head(keep)).tolist()
    out = []
    for k in rows:
        c = cands[k]
        c.score = float(score[k])
        if len(cands) > 1:
            c.reasons = [*c.reasons, reason("rank.objective", PERF01_TRADEOFFS,
                                            _others_text(r, k, cands))]
        out.append(c)
    return out


#: Up to this many candidates are ranked by :func:`_rank_few`.
_FEW = 16


def _others_table(cands: list[Candidate], objective: str, ids: list[str]) -> RankTable:
    return _few_table(objective, ids, *_few_columns(cands))


#: The columns of a few candidates as floats: cost (NaN = unpriced), risk (at most 4), fit.
_Columns = tuple[list[float], list[float], list[float]]


def _few_columns(cands: list[Candidate]) -> _Columns:
    return ([math.nan if c.monthly_cost_usd is None else float(c.monthly_cost_usd)
             for c in cands], [float(min(4.0, c.risk)) for c in cands],
            [float(c.components.get("fit", 0.5)) for c in cands])


def _few_table(objective: str, ids: list[str], cost: list[float], risk: list[float],
               fit: list[float]) -> RankTable:
    return RankTable(
        ids=np.array(ids, dtype=object), cost=np.array(cost, dtype=float),
        risk=np.array(risk, dtype=float), capacity=np.array(fit, dtype=float),
        tier=None if objective == "cost" else np.array([round(f, 3) for f in fit],
                                                        dtype=float))


def _round6(values: list[float]) -> list[float]:
    """``np.round(values, 6).tolist()`` element by element, as numpy computes it (x 1e6,
    round half to even, / 1e6); a zero may lose its sign, which no comparison sees."""
    out = []
    for x in values:
        y = x * 1e6
        out.append((round(y) if math.isfinite(y) else y) / 1e6)
    return out


def _few_keys(name: str, cost: list[float], risk: list[float], fit: list[float]
              ) -> tuple[list[float], list[list[float]]]:
    """:func:`_cost_keys` / :func:`_balanced_keys` / :func:`_performance_keys` on lists,
    the same float operations in the same order (the capacity steps by numpy's log)."""
    costs = [math.inf if x != x else x for x in cost]
    if name == "performance":
        return few_performance_keys(costs, risk, fit, CAPACITY_TIE)
    if name == "cost":
        return costs, [_round6(costs), risk]
    if name == "balanced":
        key = [c * (1.0 + RISK_PREMIUM_PCT / 100.0 * r) for c, r in zip(costs, risk,
                                                                        strict=True)]
        return key, [_round6(key), costs]
    raise ValueError(f"unknown objective {name!r}")


def _full_ids(cands: list[Candidate]) -> list[str]:
    """The id tie-break: the option and its settings (two volumes of one type differ)."""
    return [c.option + str(sorted(c.config.items())) for c in cands]


def _rank_many(cands: list[Candidate], objective: str) -> tuple[Ranking, np.ndarray]:
    r = rank(_others_table(cands, objective, _full_ids(cands)), objective)
    return r, r.score


def _rank_few(cands: list[Candidate], objective: str) -> tuple[FewRanking, list[float]] | None:
    """:func:`rank` and :attr:`Ranking.score` of a few candidates: the same keys, sorted
    by Python's (stable) sort instead of ``np.lexsort``; None when a key is NaN (Python's
    sort has no order for it: :func:`rank` decides then).

    The ids (option + settings) are built only when every other key ties, and the table
    names each option by its option id: the reason text says the option, not its settings.
    """
    cols = _few_columns(cands)
    name = objective if objective in _OBJECTIVE_KEYS else "balanced"
    # The guidance tier as _few_table rounds it (round(f, 3): the same floats).
    tier = None if objective == "cost" else [round(f, 3) for f in cols[2]]
    t = FewTable([c.option for c in cands], cols[0], cols[1], cols[2], tier)
    key, keys = _few_keys(name, cols[0], cols[1], cols[2])
    if tier is not None:
        keys = [[-x for x in tier], *keys]
    rows: list[tuple[Any, ...]] = list(zip(*keys, strict=True))
    if any(v != v for row in rows for v in row):
        return None
    if len(set(rows)) < len(rows):  # a tie on every number: the ids decide
        rows = [(*row, i) for row, i in zip(rows, _full_ids(cands), strict=True)]
    order = sorted(range(len(rows)), key=rows.__getitem__)
    # (np.array(key, dtype=float) of the numpy path: the keys are floats already.)
    return FewRanking(name, order, [float(x) for x in key], _unit(name), t), \
        few_scores(key, order[0])


def _others_text(r: Ranking | FewRanking, k: int, cands: list[Candidate]) -> str:
    first = r.head_list[0]
    fit = r.table.tier
    base = rank_text(r, k)
    if not isinstance(r, FewRanking):  # (a FewTable's ids are the options already)
        base = base.replace(str(r.table.ids[first]), cands[first].option)
    if fit is not None and k != first and fit[k] < fit[first]:
        base += " It ranks below options closer to the guidance for this profile."
    return base
