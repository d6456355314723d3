"""Issue 11 hot path: per-index memos, lazy drop notes, the one-task Fargate pick."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.store import load_catalog
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.fargate import _best_single
from recommender.rules.compute.index import index_memo
from recommender.rules.compute.table import DropNotes


def test_index_memo_builds_once_and_is_read_only() -> None:
    ix = ec2_index(load_catalog())
    calls: list[int] = []

    def build() -> np.ndarray:
        calls.append(1)
        return np.ones(ix.n)

    a = index_memo(ix, ("test", "ones"), build)
    assert index_memo(ix, ("test", "ones"), build) is a and calls == [1]
    with pytest.raises(ValueError):  # shared by every call: a stage cannot write into it
        a[0] = 2.0


def test_drop_notes_keep_the_latest_note_of_a_row() -> None:
    notes = DropNotes()
    notes.add(np.array([3, 5, 9]), lambda i: f"fleet {i}")
    notes[5] = "burst"
    notes.add([], lambda i: "never")
    assert notes[3] == "fleet 3" and notes[5] == "burst" and notes[9] == "fleet 9"
    assert 4 not in notes and "5" not in notes and len(notes) == 3
    with pytest.raises(KeyError):
        notes[4]


def test_one_task_pick_is_cheapest_then_fewest_vcpus_then_catalog_order() -> None:
    # Four sizes (vCPU, GB): (1, 2), (2, 4), (2, 4) again, (4, 8); need 2 vCPU / 4 GB, so
    # rows 1-3 are valid.  Rows 1 and 2 cost the same, (2 x 0.04 + 4 x 0.004) x 730 h =
    # 0.096 x 730 = $70.08, and have the same vCPUs: catalog order picks row 1 (not
    # verified), not row 2 (verified).
    sizes = (np.array([1.0, 2.0, 2.0, 4.0]), np.array([2.0, 4.0, 4.0, 8.0]),
             np.array([False, False, True, False]))
    cost, n, v, m, vfy = _best_single(sizes, np.array([1, 2, 3]), (0.04, 0.004), 730.0)
    assert cost == pytest.approx(70.08) and (n, v, m, vfy) == (1, 2.0, 4.0, False)
    # Only row 3 valid: (4 x 0.04 + 8 x 0.004) x 730 = 0.192 x 730 = $140.16.
    assert _best_single(sizes, np.array([3]), (0.04, 0.004), 730.0)[0] == pytest.approx(140.16)
    assert _best_single(sizes, np.array([], dtype=np.intp), (0.04, 0.004), 730.0) is None


@pytest.mark.parametrize("compute", [{"vcpus": 2, "memory_gib": 4},
                                     {"vcpus": 8, "memory_gib": 64, "arch": "arm64"}])
def test_static_filters_memo_counts_as_one_pass(compute: dict) -> None:
    # The region/platform/arch survivors are kept per (region, arch): the counts and the
    # survivors must be those of one pass over every filter in order, on every call, and a
    # caller's write into the survivors must not reach the next call.
    from recommender.core.profile import parse_profile
    from recommender.rules.compute import candidates as C
    from recommender.rules.compute.select import build_table
    from recommender.rules.compute.sizing import derive_need

    cat = load_catalog()
    ix = ec2_index(cat)
    p = parse_profile({"region": "eu-west-1", "compute": compute})
    ctx = build_table(p, derive_need(p), ix, "eu-west-1", catalog=cat, warnings=[]).ctx
    checks = [fn(ix, ctx) for fn in C.FILTERS]
    alive, rejected, _ = C._narrow(ix, checks)
    for _ in range(2):
        got = C.apply_filters(ix, ctx)
        assert got.rejected == rejected and list(got.rejected) == list(rejected)
        assert (got.passed == alive).all()
        got.passed[:] = False
    assert sum(rejected.values()) + int(alive.sum()) == ix.n
