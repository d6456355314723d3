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


def test_round6_is_numpys_round_value_for_value() -> None:
    # Exact halves at the 6th decimal (0.0000005 x odd: round half to even decides), costs of
    # every magnitude, negatives, zeros and the non-finite values, against np.round itself.
    from recommender.rules.rank import _round6

    rng = np.random.default_rng(5)
    halves = (rng.integers(-10**7, 10**7, 2000) + 0.5) / 1e6
    values = np.concatenate([halves, rng.uniform(-1e4, 1e4, 2000),
                             10.0 ** rng.uniform(-9, 300, 2000),
                             [0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, 2.5e-6, 3.5e-6]])
    got = _round6(values.tolist())
    with np.errstate(over="ignore"):  # (1e300 x 1e6 is inf, as it is for numpy)
        want = np.round(values, 6).tolist()
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert (g != g and w != w) or g == w


@pytest.mark.parametrize("objective", ["cost", "balanced", "performance", "other"])
def test_rank_few_orders_and_scores_as_the_numpy_ranking(objective: str) -> None:
    # _rank_few (Python keys) against _rank_many (rank() on arrays, np.lexsort): costs
    # from a few values (ties), risks 0-4 and a few fits, the same order and scores.
    from recommender.rules.base import Candidate
    from recommender.rules.rank import _rank_few, _rank_many

    rng = np.random.default_rng(21)
    for _ in range(400):
        n = int(rng.integers(1, 9))
        cands = [Candidate(option=f"o{int(rng.integers(0, 4))}", kind="ebs", reasons=[],
                           monthly_cost_usd=None if rng.random() < 0.1 else
                           float(rng.choice([5.0, 5.0000004, 7.25, 12.0, 0.0])),
                           risk=float(rng.integers(0, 5)),
                           components={"fit": float(rng.choice([1.0, 0.8, 0.5]))},
                           config={"size_gib": int(rng.integers(0, 3))})
                 for _ in range(n)]
        few = _rank_few(cands, objective)
        assert few is not None
        many, score = _rank_many(cands, objective)
        assert few[0].order.tolist() == many.order.tolist()
        assert few[1] == score.tolist()
        assert few[0].key.tolist() == many.key.tolist()
