"""The partial ranking (issue 11): the head it sorts is exactly the full sort's head.

The reference is ``np.lexsort`` of the same keys over every row (the order the ranking gave
before it sorted lazily), never the partial code's own output.  The keys are drawn from a
few values each so that most rows tie on the primary key, on every key, or sit exactly at
the k-th value; NaN, inf and -0.0 are mixed in.
"""

from __future__ import annotations

import numpy as np
import pytest

from recommender.rules.rank import Ranking, RankTable, chunks, rank, top_rows


def _keys(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """lexsort keys (last primary): a tie-break id, a secondary with ties, a primary drawn
    from very few values (with NaN, inf, -inf and both zeros among them)."""
    values = np.array([-np.inf, -0.0, 0.0, 1.0, 1.0, 2.5, np.inf, np.nan])
    primary = rng.choice(values[: int(rng.integers(2, len(values) + 1))], n)
    secondary = rng.integers(0, 3, n).astype(float)
    ids = rng.integers(0, max(1, n // 3), n)  # repeated ids: the stable order decides
    return ids, secondary, primary


@pytest.mark.parametrize("seed", range(6))
def test_top_rows_is_the_full_lexsorts_prefix(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        n = int(rng.integers(0, 400))
        keys = _keys(rng, n)
        full = np.lexsort(keys)
        for k in (1, 3, 32, max(1, n // 3)):
            got = top_rows(keys, k)
            assert len(got) >= min(k, n)
            # Every row the prefix holds, in the full sort's order, ties included.
            assert got.tolist() == full[: len(got)].tolist()


def test_top_rows_ties_at_the_kth_value_are_all_kept() -> None:
    # Hand case: primary [5, 1, 5, 5, 0, 9], no other key.  The 2nd smallest is 1, so the
    # prefix is rows 4 (0), 1 (1); at k = 3 the 3rd smallest is 5, held by rows 0, 2, 3,
    # which all come before row 5 (9) in index order: [4, 1, 0, 2, 3].
    p = np.array([5.0, 1.0, 5.0, 5.0, 0.0, 9.0, 9.0, 9.0])
    assert top_rows((p,), 2).tolist() == [4, 1]
    assert top_rows((p,), 3).tolist() == [4, 1, 0, 2, 3]


def _table(rng: np.random.Generator, n: int) -> RankTable:
    cost = rng.choice([10.0, 10.0, 12.5, 20.0, np.nan], n)
    return RankTable(ids=np.array([f"t{i % 7}" for i in range(n)], dtype=object), cost=cost,
                     risk=rng.integers(0, 3, n).astype(float),
                     capacity=rng.choice([1.0, 1.02, 2.0, 4.0], n))


@pytest.mark.parametrize("objective", ["cost", "balanced", "performance"])
def test_ranking_head_chunks_and_among_read_the_full_order(objective: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(1, 300))
        r = rank(_table(rng, n), objective)
        assert r.sort_keys is not None
        full = np.lexsort(r.sort_keys)
        for m in (1, 5, 40, n):
            assert r.head(m).tolist() == full[:m].tolist()
        again = rank(r.table, objective)
        walked = np.concatenate(list(chunks(again, 3))).tolist()
        assert walked == full.tolist()
        rows = np.flatnonzero(rng.random(n) < 0.2)
        want = [k for k in full.tolist() if k in set(rows.tolist())]
        assert rank(r.table, objective).among(rows).tolist() == want
        assert r.order.tolist() == full.tolist()
        assert r.among(rows).tolist() == want  # (after the full sort: by position)


def test_ranking_needs_an_order_or_its_keys() -> None:
    t = RankTable(ids=np.array(["a"], dtype=object), cost=np.ones(1), risk=np.zeros(1),
                  capacity=np.ones(1))
    with pytest.raises(ValueError, match="order or the keys"):
        Ranking("cost", None, np.ones(1), "u", t)
