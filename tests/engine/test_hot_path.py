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

from recommender.rules.base import percentile, reason
from recommender.rules.compute.candidates import FILTERS, FilterContext, ec2_index
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
