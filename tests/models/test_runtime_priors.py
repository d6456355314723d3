"""The per-node overhead prior ``kap`` learned from workloads measured at 3+ node counts."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.models.runtime_priors import learned_kappa


def _workload(wid: str, source: str, kap: float, nodes: tuple[int, ...]) -> pd.DataFrame:
    # Ernest with lam = 0, s = 100 s and no parallel part, perf_index 1 per node:
    # T(n) = 100 (1 + kap n).  kap = 0.2: 140, 180, 260, 420 s at 2, 4, 8, 16 nodes, a rise
    # no smaller kap on the grid (0.1 at most: 1 + 0.1 n rises 1.2 -> 2.6, not 1.4 -> 4.2)
    # follows within 5 %; kap = 0: 100 s at every count.
    t = [100 * (1 + kap * n) for n in nodes]
    return pd.DataFrame({"workload_id": wid, "source": source, "nodes": list(nodes),
                         "runtime_s": t, "cap": 1.0, "failed": False})


def test_kappa_is_the_mean_over_sources_of_the_median_workload() -> None:
    runs = pd.concat([
        _workload("a1", "a", 0.2, (2, 4, 8, 16)),
        _workload("a2", "a", 0.2, (2, 4, 8)),
        _workload("a3", "a", 0.0, (2, 4, 8, 16)),
        _workload("b1", "b", 0.0, (2, 4, 8, 16)),
        # Two node counts cannot separate kap from the serial time: ignored.
        _workload("b2", "b", 0.2, (2, 16)),
    ], ignore_index=True)
    # Source a: median of (0.2, 0.2, 0) = 0.2; source b: 0; mean over sources 0.1.
    assert learned_kappa(runs, 0.0) == pytest.approx(0.1)


def test_no_workload_with_three_node_counts_gives_no_overhead() -> None:
    runs = _workload("b2", "b", 0.2, (2, 16))
    assert learned_kappa(runs, 0.0) == 0.0
