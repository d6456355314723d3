"""Fleet sizing (``fewest_nodes``): the vectorised rule against hand-worked cases.

The rule (PERF02-BP05, module docstring of ``rules/compute/fleet.py``): within a family, a
size needing more nodes than the family's fewest is dropped; for task-parallel work only when
a size needing fewer nodes costs no more.
"""

from __future__ import annotations

import numpy as np

from recommender.rules.compute.fleet import _fewest_nodes_loop, fewest_nodes

# Family m: sizes needing 1, 2, 2 and 3 nodes costing 10, 4, 12 and 9 USD; family c: one size.
FAMILY = np.array(["m", "m", "m", "m", "c"], dtype=object)
COUNT = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
COST = np.array([10.0, 4.0, 12.0, 9.0, 7.0])
ALIVE = np.ones(5, dtype=bool)


def test_fewest_nodes_only_when_more_nodes_may_not_be_cheaper() -> None:
    keep, fam_min = fewest_nodes(FAMILY, COUNT, COST, ALIVE, cheaper_may_add_nodes=False)
    # Only the 1-node m size and the single c size remain; c needs 4 nodes at the fewest.
    assert keep.tolist() == [True, False, False, False, True]
    assert fam_min == {"m": 1.0, "c": 4.0}


def test_parallel_work_keeps_more_nodes_only_when_they_cost_less() -> None:
    keep, _ = fewest_nodes(FAMILY, COUNT, COST, ALIVE, cheaper_may_add_nodes=True)
    # 2 nodes at 4 < 10 (the 1-node size): kept.  2 nodes at 12 >= 10: dropped.  3 nodes at 9:
    # the cheapest size needing fewer nodes costs 4 <= 9: dropped.
    assert keep.tolist() == [True, True, False, False, True]


def test_dead_sizes_stay_dead_and_nan_costs_take_the_same_rule() -> None:
    alive = np.array([False, True, True, True, True])
    keep, fam_min = fewest_nodes(FAMILY, COUNT, COST, alive, cheaper_may_add_nodes=True)
    # Without the 1-node size, m's fewest is 2 nodes: the 2-node sizes stay, 3 nodes at 9 >= 4
    # is dropped.
    assert keep.tolist() == [False, True, True, False, True] and fam_min["m"] == 2.0
    cost = COST.copy()
    cost[2] = np.nan
    assert fewest_nodes(FAMILY, COUNT, cost, ALIVE, True)[0].tolist() == \
        _fewest_nodes_loop(FAMILY, COUNT, cost, ALIVE, True)[0].tolist()
