"""Fleet shape of scaled-out work: how many nodes, of which size (PERF02-BP05).

Every node pays OS/runtime memory overhead and is one more thing to patch and watch, so an
architect meets a need with the fewest nodes, at least one per Availability Zone when the
work scales out horizontally, and never with a node smaller than one parallel task (the
floor is a filter in :mod:`recommender.rules.compute.candidates`; the counts come from
:func:`recommender.rules.compute.sizing.node_counts`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping

import numpy as np

from recommender.core.response import Reason
from recommender.rules.base import PERF02_SCALE, fmt_num, reason
from recommender.rules.compute.sizing import ComputeNeed


def fewest_nodes(
    family: np.ndarray, count: np.ndarray, cost: np.ndarray, alive: np.ndarray,
    cheaper_may_add_nodes: bool, *, codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, Mapping[str, float]]:
    """Mask of the ``alive`` sizes that keep a family's fleet to the fewest nodes.

    Every node pays OS/runtime memory and an agent, and each one is another thing to patch
    and watch, so a fleet of many small nodes is worse than a few right-sized ones at the
    same price (within a family, price is about linear in size).  A size is dropped when a
    size of its family meets the need in fewer nodes.  With ``cheaper_may_add_nodes``
    (task-parallel work, whose tasks pack onto any node) it is dropped only when that
    fewer-node size also costs no more, so rounding up to fewer, larger nodes never costs
    more money than it saves nodes.

    ``codes`` is ``(code per row, sorted family names)`` of ``family`` when the caller has
    them (the EC2 index factorizes its families once); else they are computed here.

    Returns
    -------
    keep : ndarray of bool
    family_min : mapping
        The fewest nodes any alive size of each family needs (for the explanation), read
        by family name (:class:`FamilyMin`).
    """
    idx = np.flatnonzero(alive)
    if idx.size == 0:
        return alive.copy(), {}
    if not np.isfinite(cost[idx]).all():  # NaN ranks have no order: the reference loop
        return _fewest_nodes_loop(family, count, cost, alive, cheaper_may_add_nodes)
    if codes is None:
        import pandas as pd  # only callers without the index's codes

        fam_code, names = pd.factorize(family[idx], sort=True)  # hashing: cheaper than unique
    else:  # codes of the whole index: not dense over idx, but in the same (sorted) order
        fam_code, names = codes[0][idx], codes[1]
    n_all = count[idx].astype(float)
    if not cheaper_may_add_nodes:  # the cost plays no part: a size needing more nodes than
        return _more_than_fewest(alive, idx, fam_code, names, n_all)  # its family's fewest goes
    # Vectorised: in (family, count, cost) order, compare each size with the cheapest size
    # of its family that needs strictly fewer nodes (a running minimum reset per family).
    order = np.lexsort((cost[idx], n_all, fam_code))
    f, n, c = fam_code[order], n_all[order], cost[idx][order]
    pos = np.arange(f.size)
    new_fam = np.concatenate(([True], f[1:] != f[:-1]))
    fam_start = np.maximum.accumulate(np.where(new_fam, pos, 0))
    group_start = np.maximum.accumulate(
        np.where(new_fam | np.concatenate(([True], n[1:] != n[:-1])), pos, 0))
    # Exact running minimum per family: costs as integer ranks, offset per family so an
    # earlier family's (larger) offset never wins the minimum.
    uniq, rank = np.unique(c, return_inverse=True)
    offset = (f.max() - f).astype(np.int64) * (uniq.size + 1)
    run_min = np.minimum.accumulate(rank.astype(np.int64) + offset) - offset
    prev = group_start - 1
    has_fewer = (prev >= fam_start) & (prev >= 0)
    best_fewer = np.where(has_fewer, uniq[run_min[np.maximum(prev, 0)]], np.inf)
    drop = (n > n[fam_start]) & (best_fewer <= c * (1 + 1e-9))
    keep = alive.copy()
    keep[idx[order[drop]]] = False
    # Each family's first row in (family, count) order holds its fewest nodes.
    fewest, present = np.zeros(len(names)), np.zeros(len(names), dtype=bool)
    fewest[f[new_fam]], present[f[new_fam]] = n[new_fam], True
    return keep, FamilyMin(names, fewest, present)


def _more_than_fewest(alive: np.ndarray, idx: np.ndarray, fam_code: np.ndarray,
                      names: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, FamilyMin]:
    """:func:`fewest_nodes` without the cost condition: each family keeps the sizes needing
    its fewest nodes (``fam_code`` codes the rows ``idx`` into the sorted ``names``)."""
    fewest = np.full(len(names), np.inf)
    np.minimum.at(fewest, fam_code, n)
    keep = alive.copy()
    keep[idx[n > fewest[fam_code]]] = False
    return keep, FamilyMin(names, fewest, np.isfinite(fewest))


class FamilyMin(Mapping[str, float]):
    """The fewest nodes of each family, read by name, as the ``{family: nodes}`` dict of
    the families ``present`` would be (equal to it, iterated in the names' sorted order).

    A scaled-out table has a hundred-odd families alive and its options name a few, so a
    name is looked up by bisection in the sorted ``names`` (an object array, read in
    place) instead of a dict of every family being built per call.
    """

    __slots__ = ("_names", "_fewest", "_present")

    def __init__(self, names: np.ndarray, fewest: np.ndarray, present: np.ndarray) -> None:
        self._names, self._fewest, self._present = names, fewest, present

    def _code(self, family: object) -> int | None:
        if not isinstance(family, str):
            return None
        names = self._names
        j = bisect.bisect_left(names, family)
        return j if j < len(names) and names[j] == family and self._present[j] else None

    def __getitem__(self, family: str) -> float:
        j = self._code(family)
        if j is None:
            raise KeyError(family)
        return float(self._fewest[j])

    def __contains__(self, family: object) -> bool:
        return self._code(family) is not None

    def __iter__(self) -> Iterator[str]:
        codes = np.flatnonzero(self._present)  # ascending: the names' sorted order
        return iter([str(x) for x in np.asarray(self._names)[codes].tolist()])

    def __len__(self) -> int:
        return int(np.count_nonzero(self._present))


def _fewest_nodes_loop(
    family: np.ndarray, count: np.ndarray, cost: np.ndarray, alive: np.ndarray,
    cheaper_may_add_nodes: bool,
) -> tuple[np.ndarray, dict[str, float]]:
    """The same rule as :func:`fewest_nodes`, one size at a time (costs that may be NaN)."""
    keep = alive.copy()
    idx = np.flatnonzero(alive)
    fam_min: dict[str, float] = {}
    order = idx[np.lexsort((cost[idx], count[idx], family[idx]))]
    fam, best_fewer, best_here, n_here = None, np.inf, np.inf, None
    for i in order.tolist():
        f, n, c = family[i], float(count[i]), float(cost[i])
        if f != fam:
            fam, best_fewer, best_here, n_here = f, np.inf, np.inf, n
            fam_min[f] = n
        elif n != n_here:
            best_fewer, best_here, n_here = min(best_fewer, best_here), np.inf, n
        best_here = min(best_here, c)
        if n > fam_min[f] and (not cheaper_may_add_nodes or best_fewer <= c * (1 + 1e-9)):
            keep[i] = False
    return keep, fam_min


#: HPC Lens, "Tightly coupled scenarios": "The network requirements for tightly coupled
#: calculations are demanding. Slow communication between nodes results in the slowdown of
#: the entire calculation. Cluster placement groups and high-speed networking cards, such as
#: the Elastic Fabric Adapter (EFA), help to achieve this in the cloud."
HPC_TIGHTLY_COUPLED_URL = ("https://docs.aws.amazon.com/wellarchitected/latest/"
                           "high-performance-computing-lens/tightly-coupled-scenarios.html")


def explain_nodes(
    need: ComputeNeed, itype: str, family: str, count: int, family_min: float | None = None,
    *, efa: bool | None = None,
) -> Reason:
    """The node-count rule behind a scaled-out option, with its reason (PERF02-BP05).

    ``family_min`` is the fewest nodes any size of the family needs; a larger ``count``
    means smaller nodes were cheaper for task-parallel work.  Tightly coupled work over two
    nodes or more on a type without EFA (``efa`` False) is a caution: its nodes talk MPI over
    the ordinary network, which the HPC Lens calls the bottleneck (HPC_TIGHTLY_COUPLED_URL).
    """
    fam = family or itype.split(".")[0]
    rule = ("Fewest nodes first: every node pays OS/runtime memory overhead and is one more "
            "to patch and watch, so more, smaller nodes are used only when no size of the "
            "family meets the need in fewer"
            + (", or, for parallel tasks, when they cost less." if need.parallelism
               and not need.tightly_coupled else "."))
    if need.tightly_coupled:
        text = (f"{count} node(s): the fewest {fam} nodes that meet the need; tightly coupled "
                "work exchanges data between nodes, so fewer, larger nodes also cut that "
                "traffic.")
    elif need.min_nodes < 2:
        text = (f"{count} node(s): max_nodes is 1, so there is no second node in another "
                "Availability Zone; a node or AZ failure stops the service.")
    elif family_min is not None and count > family_min:
        text = (f"{count} nodes: cheaper than {int(family_min)} larger {fam} nodes, and the "
                f"{need.parallelism} parallel tasks pack onto any node.")
    elif count <= need.min_nodes:
        text = (f"{count} nodes, one per Availability Zone: the fewest that meet the need and "
                "keep serving when a node or an AZ fails.")
    else:
        text = (f"{count} nodes: no {fam} size within the constraints meets the need in fewer "
                f"(at least {need.min_nodes}, one per Availability Zone).")
    floor = []
    if need.node_floor_vcpus is not None:
        floor.append(f"{fmt_num(need.node_floor_vcpus)} vCPUs")
    if need.node_floor_memory_gib is not None:
        floor.append(f"{fmt_num(need.node_floor_memory_gib)} GiB")
    if floor:
        text += (f" Per-node floor {' and '.join(floor)} (one of the {need.parallelism} "
                 "parallel tasks; a task runs on one node).")
    caution = need.min_nodes < 2 and not need.tightly_coupled
    if need.tightly_coupled and count >= 2 and efa is False:
        caution = True
        text += (f" {itype} has no Elastic Fabric Adapter: the {count} nodes exchange their "
                 "data over the ordinary network, and AWS's HPC Lens calls the network needs "
                 "of tightly coupled calculations demanding, slow communication slowing the "
                 "whole calculation, and points to cluster placement groups and EFA "
                 f"({HPC_TIGHTLY_COUPLED_URL}); a type with efa_supported (HPC optimized "
                 "hpc7g/hpc7a/hpc6a where offered) avoids it.")
    return reason("compute.node_count", PERF02_SCALE, f"{text} {rule}",
                  "caution" if caution else "info")
