"""The compute hot path's restructured steps (issue 11) give what the code they replace gave.

Each new step is checked against the formula it replaced, written out here as the
reference: the performance keys of a few candidates (lists, not a numpy table), the risk
dimensions from per-index cleaned limits, the CPU risk raised at the perf_index low bound,
the fewest-nodes mapping (looked up, not a dict of every family) and the one-node filters.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.rules.compute.candidates import FilterContext, filter_cluster, filter_nodes
from recommender.rules.compute.fleet import FamilyMin, fewest_nodes
from recommender.rules.compute.index import ec2_index, one_node
from recommender.rules.compute.risk import (
    clean_limit_risk,
    clean_limits,
    limit_risk,
    low_bound_factor,
    perf_interval_cpu_risk,
    raised_cpu_risk,
    utilization_risk,
    worst_dimension,
)
from recommender.rules.rank import CAPACITY_TIE, RankTable, _performance_keys
from recommender.rules.rank_few import few_performance_keys


def _old_limit_risk(need: float, base: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """risk.limit_risk as it was written before the limits were cleaned once per index."""
    pk = np.where(np.isnan(peak), base, peak)
    out = np.where(np.where(np.isnan(base), 0.0, base) >= need, 0.0, 2.0)
    return np.where(np.where(np.isnan(pk), 0.0, pk) >= need, out, 4.0)


def test_cleaned_limits_give_the_limit_risk() -> None:
    # Hand case: baseline 3,600 / peak 15,000 IOPS (m5.large's EBS limits) against 3,000
    # (within the baseline: 0), 6,000 (only within the burst: 2) and 20,000 (above: 4); an
    # unknown peak is the baseline, an unknown baseline is 0.
    base = np.array([3600.0, 3600.0, 3600.0, np.nan, 3600.0])
    peak = np.array([15000.0, 15000.0, 15000.0, 15000.0, np.nan])
    for need, want in ((3000.0, [0, 0, 0, 2, 0]), (6000.0, [2, 2, 2, 2, 4]),
                       (20000.0, [4, 4, 4, 4, 4])):
        got = clean_limit_risk(need, *clean_limits(base, peak))
        assert got.tolist() == want == limit_risk(need, base, peak).tolist()
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        b = np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 100, n).round(0))
        p = np.where(rng.random(n) < 0.2, np.nan, b + rng.uniform(0, 100, n).round(0))
        need = float(round(rng.uniform(0, 200)))
        assert clean_limit_risk(need, *clean_limits(b, p)).tolist() == \
            _old_limit_risk(need, b, p).tolist()


def test_worst_dimension_is_the_maximum_and_the_first_dimension_reaching_it() -> None:
    # CPU 1, memory 3, EBS 3, network absent: risk 3, driven by memory (the first at 3).
    risk, worst = worst_dimension(1, (np.array([1.0]), np.array([3.0]), np.array([3.0]), None))
    assert (risk.tolist(), worst.tolist()) == ([3.0], [1])
    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(1, 30))
        dims = tuple(None if rng.random() < 0.3 else rng.choice([0.0, 1.0, 2.0, 4.0], n)
                     for _ in range(4))
        ref_risk, ref_worst = np.zeros(n), np.zeros(n, dtype=np.intp)  # the old loop
        for k, d in enumerate(dims):
            if d is not None:
                ref_worst[d > ref_risk] = k
                ref_risk = np.maximum(ref_risk, d)
        got_risk, got_worst = worst_dimension(n, dims)
        assert [repr(v) for v in got_risk.tolist()] == [repr(v) for v in ref_risk.tolist()]
        assert got_worst.tolist() == ref_worst.tolist()


def test_raised_cpu_risk_from_the_kept_factor_is_the_interval_rule() -> None:
    # Hand case: 1.9 vCPUs needed on 2 of capacity (95 %: risk 3), perf 1.0 predicted with a
    # low bound of 0.9 -> 95 % x 1.0/0.9 = 105.6 % at the low bound: raised to 4.
    vt, perf, low = np.array([2.0]), np.array([1.0]), np.array([0.9])
    pred = np.array([True])
    assert perf_interval_cpu_risk(1.9, vt, perf, low, pred).tolist() == [4.0]
    util = 1.9 / vt
    assert raised_cpu_risk(util, utilization_risk(util), low_bound_factor(perf, low),
                           pred).tolist() == [4.0]
    rng = np.random.default_rng(6)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(200):
            n = int(rng.integers(1, 40))
            vt = rng.uniform(0.5, 8, n)
            perf = rng.uniform(0.2, 4, n)
            low = np.where(rng.random(n) < 0.2, np.nan, perf * rng.uniform(0.0, 1.1, n))
            pred = rng.random(n) < 0.6
            demand = float(rng.uniform(0.1, 8))
            util = demand / vt
            ratio = perf / low  # the old steps, written out
            util_low = util * np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
            hit = pred & (util <= 1.0) & (util_low > 1.0)
            want = np.where(hit, np.minimum(4.0, utilization_risk(util) + 1.0), 0.0)
            got = raised_cpu_risk(util, utilization_risk(util), low_bound_factor(perf, low),
                                  pred)
            assert got.tolist() == want.tolist()


def test_few_performance_keys_are_the_numpy_ranking_keys() -> None:
    # Hand case: capacities 1.0 and 0.96 are within CAPACITY_TIE (5 %) of the best, so both
    # sit at step 0 and cost decides; 0.5 is floor(log(2) / log(1.05)) = 14 steps below.
    key, (steps, risk, costs) = few_performance_keys([3.0, 2.0, 1.0], [0.0, 0.0, 0.0],
                                                     [1.0, 0.96, 0.5], CAPACITY_TIE)
    assert steps == [0, 0, 14] and key == [1.0, 1 / 0.96, 2.0]
    rng = np.random.default_rng(8)
    for _ in range(300):
        n = int(rng.integers(1, 8))
        fit = [float(rng.choice([1.0, 0.8, 0.5, 0.3333333, 0.0, 1e-12, np.nan, np.inf]))
               for _ in range(n)]
        cost = [float(rng.choice([5.0, 12.5, np.nan, 40.0])) for _ in range(n)]
        risk = [float(rng.choice([0.0, 1.0, 4.0])) for _ in range(n)]
        t = RankTable(ids=np.array([str(j) for j in range(n)], dtype=object),
                      cost=np.array(cost), risk=np.array(risk), capacity=np.array(fit))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf capacity
            want_key, want_keys = _performance_keys(t)
            costs_inf = [math.inf if c != c else c for c in cost]
            got_key, got_keys = few_performance_keys(costs_inf, risk, fit, CAPACITY_TIE)
        assert [repr(v) for v in got_key] == [repr(v) for v in want_key.tolist()]
        for got, want in zip(got_keys, want_keys, strict=True):
            assert [float(v) for v in got] == want.tolist()  # equal as sort keys


def test_family_min_reads_as_the_dict_it_replaces() -> None:
    # Two families: "a" sizes needing 4 and 2 nodes, "c" one size needing 3 (all alive,
    # cost ignored): a's fewest is 2, c's is 3; "b" has no alive size.
    family = np.array(["a", "a", "c", "b"], dtype=object)
    count = np.array([4.0, 2.0, 3.0, 1.0])
    alive = np.array([True, True, True, False])
    keep, fam_min = fewest_nodes(family, count, np.ones(4), alive, False)
    assert isinstance(fam_min, FamilyMin)
    assert keep.tolist() == [False, True, True, False]
    assert fam_min == {"a": 2.0, "c": 3.0} and list(fam_min) == ["a", "c"]
    assert fam_min.get("b") is None and "b" not in fam_min and len(fam_min) == 2
    assert fam_min.get("zz") is None and fam_min.get(3) is None  # type: ignore[call-overload]
    with pytest.raises(KeyError):
        fam_min["b"]


def test_one_node_filters_reject_only_under_one_node(cat) -> None:
    ix = ec2_index(cat)
    ones = one_node(ix)
    assert ones is one_node(ix) and not ones.flags.writeable and (ones == 1.0).all()

    def ctx(**kw: object) -> FilterContext:
        base: dict = dict(region="us-east-1", vcpus_need=None, vcpus_max=None,
                          memory_need=None, memory_max=None, gpus_min=None, gpus_max=None,
                          arch=("x86_64", "arm64"), count=ones, max_nodes=None,
                          parallelism=None, horizontal=False, tightly_coupled=False,
                          bandwidth_gbps=None, ebs_iops=None, ebs_mibps=None,
                          price=np.ones(ix.n), single_node=True)
        return FilterContext(**{**base, **kw})

    # One node of each type: a limit of 1 or more nodes rejects nothing, a limit of 0 all,
    # exactly as comparing the counts (all 1) would; a single node needs no cluster group.
    assert filter_nodes(ix, ctx(max_nodes=1)).mask is ix.all_rows
    assert not filter_nodes(ix, ctx(max_nodes=0)).mask.any()
    general = ctx(count=np.ones(ix.n), max_nodes=1, single_node=False)  # counts compared
    assert filter_nodes(ix, general).mask.all() and filter_nodes(ix, general).mask is not \
        ix.all_rows
    assert not filter_nodes(ix, ctx(count=np.ones(ix.n), max_nodes=0,
                                    single_node=False)).mask.any()
    assert filter_cluster(ix, ctx(tightly_coupled=True)).mask is ix.all_rows
    two = ctx(count=np.full(ix.n, 2.0), tightly_coupled=True, single_node=False)
    assert filter_cluster(ix, two).mask.tolist() == ix.cluster_pg.tolist()
