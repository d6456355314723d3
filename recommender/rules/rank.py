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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import PERF01_COST, PERF01_TRADEOFFS, Candidate, fmt_usd, reason

#: balanced: percent of its cost added per step of performance risk when ranking.
RISK_PREMIUM_PCT = 10.0
#: performance: capacities within this fraction of the best tie (then cost decides): measured
#: CoreMark of one processor varies by a few percent between sizes and families.
CAPACITY_TIE = 0.05


@dataclass(frozen=True)
class RankTable:
    """What the objective sees of each admissible option (aligned arrays)."""

    ids: np.ndarray  # option id (str), the last tie-break
    cost: np.ndarray  # effective monthly USD (NaN = unpriced, ranked last)
    risk: np.ndarray  # performance risk 0-4
    capacity: np.ndarray  # delivered capacity (perf_index units the work can use)
    tier: np.ndarray | None = None  # guidance tier (higher first), for non-compute categories
    #: Integer codes in the order of ``ids`` (equal ids, equal order as a stable sort), when
    #: the caller has them: the id tie-break sorts on them instead of comparing strings.
    id_rank: np.ndarray | None = None


@dataclass(frozen=True)
class Ranking:
    """One objective's verdict: the order, the ranking number per option and its reason."""

    objective: str
    order: np.ndarray  # positions into the table, best first
    key: np.ndarray  # the number each option was ranked by (lower is better)
    unit: str  # what key is, in words
    table: RankTable

    @property
    def score(self) -> np.ndarray:
        """key of #1 / key of the option (1.0 for #1; lower = further behind), in [0, 1]."""
        k = np.where(np.isfinite(self.key), self.key, np.inf)
        best = float(k[self.order[0]]) if len(self.order) else math.inf
        if math.isfinite(best):  # the usual case: finite / (positive or inf), no NaN or inf
            s = np.ones(len(k))
            pos = k > 0
            s[pos] = best / k[pos]
            return np.clip(s, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(k > 0, best / k, 1.0)
        out: np.ndarray = np.clip(np.nan_to_num(s, nan=0.0, posinf=1.0), 0.0, 1.0)
        return out

    @cached_property
    def position(self) -> np.ndarray:
        """Position in ``order`` of each option (-1 when not ranked), computed once."""
        pos = np.full(len(self.table.ids), -1, dtype=np.intp)
        pos[self.order] = np.arange(len(self.order))
        return pos

    def reason(self, k: int) -> Reason:
        """Why option ``k`` ranks where it does, against #1, in numbers (same ``key``)."""
        return reason("rank.objective", PERF01_COST, _rank_text(self, k))


def _rank_text(r: Ranking, k: int) -> str:
    t, first = r.table, int(r.order[0])
    at = int(r.position[k]) if 0 <= k < len(r.position) else -1
    head = (f"Rank {at + 1}" if at >= 0 else "Not ranked") + \
        f" by objective {r.objective} ({r.unit})"
    c, c1 = float(t.cost[k]), float(t.cost[first])
    if k == first:
        return head + f": #1 at {fmt_usd(c)}/month, {_key_text(r, k)}."
    more = c - c1 if not (math.isnan(c) or math.isnan(c1)) else float("nan")
    diff = (f"{fmt_usd(more)}/month more than #1" if more >= 0.005 else
            f"{fmt_usd(-more)}/month less than #1" if more <= -0.005 else "the same cost as #1")
    return (head + f": {fmt_usd(c)}/month, {diff} ({t.ids[first]}); {_key_text(r, k)}, "
            f"#1: {_key_text(r, first)}.")


def _key_text(r: Ranking, k: int) -> str:
    t = r.table
    if r.objective == "balanced":
        return f"risk {t.risk[k]:g}, ranked at {fmt_usd(float(r.key[k]))}"
    if r.objective == "performance":
        return f"capacity {float(t.capacity[k]):.2f}, risk {t.risk[k]:g}"
    return f"risk {t.risk[k]:g}"


def _ids(t: RankTable) -> np.ndarray:
    """The id tie-break key: the integer codes when given, else the ids themselves."""
    return t.ids if t.id_rank is None else t.id_rank


def _costs(t: RankTable) -> np.ndarray:
    return np.where(np.isnan(t.cost), np.inf, t.cost)


def _by(t: RankTable, *keys: np.ndarray) -> np.ndarray:
    """``np.lexsort`` of ``keys`` (last = primary) under the guidance tier, higher first.

    Without tiers the tier key would be constant, which cannot change a stable sort, so it
    is left out (one pass less over the table).
    """
    if t.tier is None:
        return np.lexsort(keys)
    return np.lexsort((*keys, -np.asarray(t.tier, dtype=float)))


def rank_cost(t: RankTable) -> Ranking:
    """Cheapest effective monthly cost first (PERF01-BP03); risk, then id, break ties."""
    key = _costs(t)
    order = _by(t, _ids(t), t.risk, np.round(key, 6))
    return Ranking("cost", order, key, "effective monthly cost, cheapest first", t)


def rank_balanced(t: RankTable) -> Ranking:
    """Cost x (1 + RISK_PREMIUM_PCT % x risk): risk is a bounded premium (PERF01-BP04)."""
    costs = _costs(t)
    key = costs * (1.0 + RISK_PREMIUM_PCT / 100.0 * np.asarray(t.risk, dtype=float))
    order = _by(t, _ids(t), costs, np.round(key, 6))
    return Ranking("balanced", order, key,
                   f"monthly cost + {RISK_PREMIUM_PCT:g}% per step of performance risk", t)


def rank_performance(t: RankTable) -> Ranking:
    """Most delivered capacity first (ties within CAPACITY_TIE), then cheapest (PERF01-BP04)."""
    cap = np.asarray(t.capacity, dtype=float)
    if not np.isfinite(cap).all():  # (nan_to_num costs more than the test)
        cap = np.nan_to_num(cap, nan=0.0)
    # Capacity in steps of CAPACITY_TIE below the best (log scale), so capacity within
    # CAPACITY_TIE of the best ties with it and cost decides.
    best = float(cap.max()) if len(cap) else 1.0
    step = -np.floor(np.log(best / np.maximum(cap, 1e-9)) / math.log1p(CAPACITY_TIE))
    key = 1.0 / np.maximum(cap, 1e-9)
    order = _by(t, _ids(t), _costs(t), t.risk, -step)
    return Ranking("performance", order, key,
                   f"delivered capacity, most first; within {CAPACITY_TIE:.0%} cost decides", t)


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
    """
    if not cands:
        return []
    t = RankTable(
        ids=np.array([c.option + str(sorted(c.config.items())) for c in cands], dtype=object),
        cost=np.array([np.nan if c.monthly_cost_usd is None else c.monthly_cost_usd
                       for c in cands], dtype=float),
        risk=np.array([min(4.0, c.risk) for c in cands], dtype=float),
        capacity=np.array([c.components.get("fit", 0.5) for c in cands], dtype=float),
        tier=None if objective == "cost" else np.array(
            [round(c.components.get("fit", 0.5), 3) for c in cands], dtype=float))
    r = rank(t, objective)
    score = r.score
    out = []
    for k in r.order.tolist()[:keep]:
        c = cands[k]
        c.score = float(score[k])
        if len(cands) > 1:
            c.reasons = [*c.reasons, reason("rank.objective", PERF01_TRADEOFFS,
                                            _others_text(r, k, cands))]
        out.append(c)
    return out


def _others_text(r: Ranking, k: int, cands: list[Candidate]) -> str:
    first = int(r.order[0])
    fit = r.table.tier
    base = _rank_text(r, k).replace(str(r.table.ids[first]), cands[first].option)
    if fit is not None and k != first and fit[k] < fit[first]:
        base += " It ranks below options closer to the guidance for this profile."
    return base
