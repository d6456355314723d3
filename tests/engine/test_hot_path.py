"""The hot path's shortcuts (issue 11) give what the general code they replace gives.

Each shortcut is checked against an independent reference: numpy's own percentile, Python's
string sort, a hand-built ranking, the filter a constraint-free profile would apply, and the
model state's re-stat rule on a directory of real artifacts.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender.rules.base import percentile, reason, round_list
from recommender.rules.compute.candidates import FILTERS, FilterContext, ec2_index
from recommender.rules.compute.fleet import _fewest_nodes_loop, fewest_nodes
from recommender.rules.compute.select import _id_rank
from recommender.rules.compute.table import DropNotes
from recommender.rules.rank import RankTable, rank


def test_percentile_is_numpys_linear_method_bit_for_bit() -> None:
    # Hand calculation: [1, 2, 3, 4] at 50 %: index (4 - 1) x 0.5 = 1.5, between 2 and 3
    # at 0.5 -> 2.5; at 99.5 %: index 2.985 -> 3 + 0.985 x (4 - 3) = 3.985.
    assert percentile(np.array([4.0, 1.0, 3.0, 2.0]), 50) == 2.5
    assert percentile(np.array([4.0, 1.0, 3.0, 2.0]), 99.5) == pytest.approx(3.985, abs=1e-12)
    rng = np.random.default_rng(7)
    for n in (2, 3, 288, 2016):
        x = rng.gamma(2.0, 10.0, n)
        for q in (0.0, 12.3, 50.0, 95.0, 99.5, 100.0):
            assert percentile(x, q) == float(np.percentile(x, q))  # exactly, not approx
    with_nan = np.array([1.0, np.nan, 3.0])
    assert np.isnan(percentile(with_nan, 50)) and np.isnan(np.percentile(with_nan, 50))


def test_id_codes_order_as_the_strings_do(cat) -> None:
    ix = ec2_index(cat)
    assert ix.types_sorted
    idx = np.arange(0, ix.n, 7)
    # "fargate" sorts among the f-types, "lambda:x" among the l-types, "zz" after all, and
    # an id equal to a type goes after it (a stable sort keeps the EC2 row first).
    extra = ["lambda:x", "fargate", "zz", str(ix.types[idx[3]])]
    names = [str(s) for s in ix.types[idx]] + extra
    codes = _id_rank(ix, idx, extra)
    assert codes is not None
    assert np.argsort(codes, kind="stable").tolist() == sorted(range(len(names)),
                                                              key=names.__getitem__)


def test_ranking_without_tiers_orders_as_with_a_constant_tier() -> None:
    # Three options: b and c cost the same, so risk then the id decide (cost objective).
    t = RankTable(ids=np.array(["c", "a", "b"], dtype=object), cost=np.array([5.0, 7.0, 5.0]),
                  risk=np.array([1.0, 0.0, 1.0]), capacity=np.ones(3))
    with_tier = replace(t, tier=np.zeros(3))
    for objective in ("cost", "balanced", "performance"):
        assert rank(t, objective).order.tolist() == rank(with_tier, objective).order.tolist()
    assert rank(t, "cost").order.tolist() == [2, 0, 1]  # b (5, id b) < c (5, id c) < a (7)
    r = rank(t, "cost")
    assert "Rank 2 by objective cost" in r.reason(0).text  # position from the inverse order


def test_unset_constraints_reject_nothing_and_share_one_mask(cat) -> None:
    ix = ec2_index(cat)
    ctx = FilterContext(region="us-east-1", vcpus_need=None, vcpus_max=None, memory_need=None,
                        memory_max=None, gpus_min=None, gpus_max=None,
                        arch=("x86_64", "arm64"), count=np.ones(ix.n), max_nodes=None,
                        parallelism=None, horizontal=False, tightly_coupled=False,
                        bandwidth_gbps=None, ebs_iops=None, ebs_mibps=None,
                        price=np.ones(ix.n))
    free = [fn(ix, ctx) for fn in FILTERS]
    shared = [c for c in free if c.mask is ix.all_rows]
    assert {c.key for c in shared} >= {"ec2.gpus", "ec2.ebs_limits_below_storage_need",
                                       "ec2.above_budget", "ec2.network_bandwidth"}
    assert ix.all_rows.all()


def test_reasons_are_shared_and_drop_notes_written_when_asked() -> None:
    a = reason("x.rule", "PERF01-BP03", "same text")
    assert reason("x.rule", "PERF01-BP03", "same text") is a
    assert reason("x.rule", "PERF01-BP03", "same text", "caution") is not a
    calls: list[int] = []
    notes = DropNotes()
    notes.add([3, 5], lambda i: calls.append(i) or f"row {i}")
    notes[7] = "written at once"
    assert not calls and 5 in notes and 4 not in notes and len(notes) == 3
    assert notes[5] == "row 5" and notes[7] == "written at once" and calls == [5]


def test_loaded_models_are_restated_at_most_once_a_second(tmp_path: Path,
                                                        monkeypatch) -> None:
    from recommender.models import artifacts as A

    art = tmp_path / "art"
    shutil.copytree(A.DEFAULT_ARTIFACTS_DIR, art)
    monkeypatch.setattr(A, "RESTAT_S", 3600.0)  # (however long the load took)
    assert A.model_state(art).status == "ok"
    stats: list[str] = []
    real = A._signature
    monkeypatch.setattr(A, "_signature", lambda d: stats.append(d) or real(d))
    A.model_state(art)
    assert stats == []  # within RESTAT_S of the last check: no stat
    monkeypatch.setattr(A, "RESTAT_S", 0.0)
    assert A.model_state(art).status == "ok" and len(stats) == 1


def test_round_list_is_pythons_round_bit_for_bit() -> None:
    # Hand-picked: 0.15 is stored just below 0.15 (Python gives 0.1) yet 0.15 x 10 is 1.5 in
    # floating point (rint gives 2); 0.25 is an exact half (half to even: 0.2), as are 2.5
    # and 3.5 to 0 digits (2 and 4); -0.04 rounds to -0.0; NaN, inf and 1e300 pass through.
    special = np.array([0.15, 0.25, 2.5, -0.04, 1.005, 2.675, np.nan, np.inf, -np.inf,
                        1e300, 123456789.25, 0.0, -0.0])
    assert round_list(special, 1)[:4] == [0.1, 0.2, 2.5, -0.0]
    assert round_list(np.array([2.5, 3.5]), 0) == [2.0, 4.0]
    rng = np.random.default_rng(11)
    arrays = [special, rng.gamma(2.0, 50.0, 5000), rng.normal(0, 1e4, 5000),
              np.round(rng.uniform(-50, 50, 5000), 2) + 0.005,  # many near-halves
              rng.uniform(0, 1e7, 5000), np.arange(0, 300, 1 / 12)]
    for x in arrays:
        for digits in (0, 1, 2, 3):
            want = [round(v, digits) for v in x.tolist()]
            got = round_list(x, digits)
            # Same floats, same signs of zero, NaN where NaN (compared as text).
            assert [repr(v) for v in got] == [repr(v) for v in want]


def test_fewest_nodes_without_the_cost_rule_equals_the_reference_loop() -> None:
    # The fast path (no cost condition) and the vectorised one, against the one-at-a-time
    # loop on random fleets: families of 1-12 sizes, 1-9 nodes, costs with many ties.
    rng = np.random.default_rng(5)
    names = np.array(sorted(f"f{k:02d}" for k in range(40)), dtype=object)
    for trial in range(200):
        n = int(rng.integers(1, 300))
        code = np.sort(rng.integers(0, len(names), n)) if trial % 2 else \
            rng.integers(0, len(names), n)
        family, count = names[code], rng.integers(1, 10, n).astype(float)
        cost = np.round(rng.uniform(1, 50, n), 0)
        alive = rng.random(n) < 0.8
        for cheaper in (False, True):
            got = fewest_nodes(family, count, cost, alive, cheaper)
            coded = fewest_nodes(family, count, cost, alive, cheaper, codes=(code, names))
            want = _fewest_nodes_loop(family, count, cost, alive, cheaper)
            assert got[0].tolist() == want[0].tolist() == coded[0].tolist()
            assert list(got[1].items()) == list(want[1].items()) == list(coded[1].items())


def _candidates(rng: np.random.Generator, n: int) -> list:
    from recommender.rules.base import Candidate

    out = []
    for _ in range(n):
        cost = rng.choice([None, 0.0, 5.0, 5.0, 12.5, 12.5000001, 40.0, float(rng.uniform(1, 90))])
        fit = rng.choice([1.0, 0.8, 0.5, 0.3333333, np.nan if rng.random() < 0.03 else 0.5])
        comps = {} if rng.random() < 0.2 else {"fit": float(fit)}
        out.append(Candidate(option=str(rng.choice(["gp3", "io2", "rds:pg", "s3"])), kind="x",
                             monthly_cost_usd=None if cost is None else float(cost),
                             reasons=[], config={"size": int(rng.integers(0, 3))},
                             risk=float(rng.choice([0.0, 0.0, 1.0, 2.5, 4.0, 6.0])),
                             components=comps))
    return out


def test_few_candidates_rank_as_the_numpy_ranking(monkeypatch) -> None:
    # The Python sort of a few candidates against rank()/Ranking.score (numpy) on random
    # lists with tied costs, risks, fits and options, unpriced ones and NaN fits.
    import copy

    from recommender.rules import rank as R

    rng = np.random.default_rng(3)
    for trial in range(600):
        cands = _candidates(rng, int(rng.integers(1, 7)))
        objective = ["cost", "balanced", "performance", "unknown"][trial % 4]
        keep = [None, 1, 3][trial % 3]
        fast = R.rank_others(copy.deepcopy(cands), objective, keep=keep)
        with monkeypatch.context() as m:
            m.setattr(R, "_FEW", 0)  # every list through rank() and Ranking.score
            slow = R.rank_others(copy.deepcopy(cands), objective, keep=keep)
        assert [(c.option, c.config, c.score, [x.text for x in c.reasons]) for c in fast] == \
            [(c.option, c.config, c.score, [x.text for x in c.reasons]) for c in slow]


def test_row_ids_read_as_the_gathered_array(cat) -> None:
    from recommender.rules.rank import RowIds

    ix = ec2_index(cat)
    rows = np.arange(3, ix.n, 5)
    extra = ["fargate", "lambda:x"]
    want = np.concatenate([ix.types[rows].astype(object), np.array(extra, dtype=object)])
    ids = RowIds(ix.types, rows, extra)
    assert len(ids) == len(want)
    for k in [*range(0, len(want), 17), len(want) - 2, len(want) - 1, -1, -len(want)]:
        assert ids[k] == want[k]
    for bad in (len(want), -len(want) - 1):
        with pytest.raises(IndexError):
            ids[bad]


def _pick_reference(rows: list[dict], mem_need: float) -> dict | None:
    """The relational class rule written out (database.pick_relational_class's docstring):
    current classes holding the memory, mainstream r/m/t families first; the cheapest,
    Graviton first at equal price, then the class name; the first such row in list order."""
    import re

    def fam(c: str) -> tuple[str, bool]:
        m = re.match(r"^db\.([a-z]+)(\d+)([a-z-]*)\.", c)
        return (m.group(1), m.group(3).startswith("g")) if m else ("", False)

    fits = [r for r in rows if (r["memory_gib"] or 0) >= mem_need
            and r.get("current_generation") is not False]
    pool = [r for r in fits if fam(r["instance_class"])[0] in ("r", "m", "t")] or fits
    best = None
    for r in pool:  # strictly less replaces: ties keep the first
        key = (r["ondemand_usd_per_hour"], not fam(r["instance_class"])[1], r["instance_class"])
        if best is None or key < best[0]:
            best = (key, r)
    return None if best is None else best[1]


def test_relational_class_pick_equals_the_reference_rule(cat) -> None:
    # Random class lists (mainstream and niche families, Graviton or not, tied prices,
    # duplicate classes, previous generation, missing memory) and the catalog's own rows.
    from recommender.rules.database import pick_relational_class
    from recommender.rules.database_common import db_rows

    rng = np.random.default_rng(9)
    fams = ["r6g", "r6i", "m5", "m7g", "t4g", "t3", "x2g", "x2iedn", "z1d"]
    for _ in range(300):
        rows = [{"instance_class": f"db.{rng.choice(fams)}.{rng.choice(['large', 'xlarge'])}",
                 "memory_gib": None if rng.random() < 0.05 else float(rng.choice(
                     [4, 8, 16, 32, 64, 256, 1024])),
                 "current_generation": rng.choice([True, True, False, None]),
                 "ondemand_usd_per_hour": float(rng.choice([0.1, 0.2, 0.2, 0.5, 1.3, 7.0]))}
                for _ in range(int(rng.integers(0, 25)))]
        for need in (1.0, 10.0, 100.0, 300.0, 2000.0):
            got, note = pick_relational_class(rows, need)
            want = _pick_reference(rows, need)
            if want is not None:
                assert got is want
                niche = want["instance_class"].split(".")[1][0] not in "rmt"
                assert (note is not None) == niche
    table = db_rows(cat)
    for key in list(table)[:40]:
        rows = table[key]
        for need in (1.0, 50.0, 700.0):
            want = _pick_reference(rows, need)
            if want is not None:
                assert pick_relational_class(rows, need)[0] is want


def test_shown_picks_one_size_per_family_as_by_name(cat) -> None:
    # The chunked pick over family codes against the rule read by family names: walk the
    # order, keep serverless ids and the first size of each family, stop at top_n.
    from recommender.rules.compute.options import pick_shown

    ix = ec2_index(cat)
    rng = np.random.default_rng(4)
    for _ in range(200):
        idx = np.sort(rng.choice(ix.n, int(rng.integers(0, 400)), replace=False))
        n_extra = int(rng.integers(0, 3))
        order = rng.permutation(len(idx) + n_extra)
        top_n = int(rng.integers(1, 12))
        seen, want = set(), []
        for k in order.tolist():
            if k < len(idx):
                fam = str(ix.family[idx[k]])
                if fam in seen:
                    continue
                seen.add(fam)
            want.append(k)
            if len(want) >= top_n:
                break
        assert pick_shown(order, idx, len(idx), ix, top_n) == want


def test_rank_place_is_the_inverse_permutation() -> None:
    # place(k) against the position read off the order itself (order.index), for options
    # near the head, deep in the order, unranked (a partial order) and out of range.
    from recommender.rules.rank import Ranking

    rng = np.random.default_rng(8)
    for n in (1, 5, 31, 32, 33, 200):
        order = rng.permutation(n)
        part = order[: max(1, n // 2)]
        for o in (order, part):
            t = RankTable(ids=np.array([f"x{i}" for i in range(n)], dtype=object),
                          cost=np.ones(n), risk=np.zeros(n), capacity=np.ones(n))
            r = Ranking("cost", o, np.ones(n), "u", t)
            listed = o.tolist()
            for k in [*range(n), -1, n, n + 3]:
                want = listed.index(k) if k in listed else -1
                assert r.place(k) == want


def test_fleet_average_and_scores_are_numpys_clip_and_mean_bit_for_bit() -> None:
    # The ufunc forms against np.clip and np.mean themselves on random demand series
    # (hand case: demand [1, 2, 5] at 2 vCPUs a node, 1-2 nodes: ceil -> [1, 1, 3],
    # clipped [1, 1, 2], average 4/3 -> 1.33).
    from recommender.rules.compute.elasticity import _fleet_range
    from recommender.rules.rank import Ranking

    d = np.array([1.0, 2.0, 5.0])
    assert _fleet_range(d, 2.0, count=1, max_nodes=2, min_nodes=1,
                        bounds=(1.0, 5.0)).average == 1.33
    rng = np.random.default_rng(12)
    for _ in range(300):
        demand = rng.gamma(2.0, 3.0, int(rng.integers(1, 2016)))
        per_node = float(rng.uniform(0.5, 16))
        lo, hi = sorted(int(x) for x in rng.integers(1, 12, 2))
        kw = dict(count=1, max_nodes=None, min_nodes=lo)
        got = _fleet_range(demand, per_node, bounds=(float(demand.min()), float(demand.max())),
                           **kw)
        want = np.clip(np.ceil(demand / per_node - 1e-9), got.lo, got.hi)
        assert got.average == round(float(want.mean()), 2)
        key = np.where(rng.random(len(demand)) < 0.05, np.nan, rng.uniform(-1, 50, len(demand)))
        key[0] = abs(key[0]) if not np.isnan(key[0]) else 1.0
        t = RankTable(ids=np.arange(len(key)), cost=key, risk=key, capacity=key)
        r = Ranking("cost", np.arange(len(key)), key, "u", t)
        k = np.where(np.isfinite(key), key, np.inf)
        s = np.ones(len(k))
        s[k > 0] = k[0] / k[k > 0]
        assert r.score.tolist() == np.clip(s, 0.0, 1.0).tolist()


def test_burst_verdict_text_is_written_when_read(cat) -> None:
    # A t3.large-like type (2 vCPUs, 36 credits/h = 30 % baseline per vCPU, 864 max) at a
    # flat 15 % of 2 vCPUs: 36 x 5 / 60 = 3 credits earned per 5-min step, 0.3 x 5 = 1.5
    # spent, so the balance stays full (864) and standard mode holds at risk 0.
    from types import SimpleNamespace

    from recommender.rules.compute.burst import BurstInputs, judge_burstable, simulate_credits

    one = dict(vcpus=np.array([2.0]), count=np.array([1.0]), credits_per_hour=np.array([36.0]),
               max_credits=np.array([864.0]))
    sim = simulate_credits(np.full(288, 15.0), 2.0, 5.0, hours_per_month=730, **one)
    ix = SimpleNamespace(credits_per_hour=np.array([36.0]), max_credits=np.array([864.0]),
                         family=np.array(["t3"], dtype=object))
    calls: list[str] = []
    inputs = BurstInputs(ix, np.array([1.0]), np.array([60.0]), sim,
                         lambda fam: calls.append(fam), np.array([True]))
    verdict, key = judge_burstable(inputs, 0, 0, 100.0)
    assert key == "" and verdict is not None and verdict.mode == "standard"
    assert verdict.risk == 0.0 and not calls
    assert verdict.text == verdict.text == (
        "CPU credits: earns 36/h (baseline 30% per vCPU), holds at most 864; the load "
        "averages 15% per vCPU; steady-state minimum balance 864. Standard mode holds: the "
        "balance never runs out.")
