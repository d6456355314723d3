"""EC2 candidates: the hard filters over the :class:`~.index.Ec2Index`, in one registry.

The index (specs and prices as aligned arrays, built once per catalog) lives in
:mod:`~recommender.rules.compute.index` and is re-exported here.  Each filter is a function
returning ``(mask_of_survivors, reason_key)``; :func:`apply_filters` runs them in order and counts
every rejected type under the first filter it fails, so ``rejected`` adds up.  A filter
returns a :class:`Check`: its mask, its key and, from the same comparison, the sentence
saying why a given type fails it (used by "why not X" and the no-fit message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np

from recommender.rules.compute.ebs_need import ebs_why, holds_scratch
from recommender.rules.compute.index import (
    Ec2Index,
    SpotMeasured,
    build_ec2_index,
    ec2_index,
    family_category,
    index_memo,
)
from recommender.rules.compute.risk import (
    EBS_BURST_MINUTES_PER_DAY,
    EBS_OPTIMIZED_URL,
    ebs_load_sustained,
)

__all__ = [
    "EBS_BURST_MINUTES_PER_DAY", "EBS_OPTIMIZED_URL", "FILTERS", "MIB_IN_MB", "Check",
    "Ec2Index", "FilterContext", "FilterResult", "SpotMeasured", "apply_filters",
    "EbsLimited", "InstanceEbs", "build_ec2_index", "ebs_limits", "ebs_load_sustained",
    "ec2_index", "family_category", "tightest_constraint",
]

#: 1 MiB/s in MB/s (EBS instance limits are published in MB/s, profiles ask in MiB/s).
MIB_IN_MB = 1.048576

# --------------------------------------------------------------------------- filters


@dataclass(slots=True)
class FilterContext:
    """What the filters need, derived once from the profile (see ``compute.derive_need``).

    Read-only by convention, not frozen: a frozen dataclass sets each of its 28 fields
    through ``object.__setattr__``, once per call on the hot path, and nothing changes a
    context once made."""

    region: str
    vcpus_need: float | None
    vcpus_max: float | None
    memory_need: float | None
    memory_max: float | None
    gpus_min: float | None
    gpus_max: float | None
    arch: tuple[str, ...]
    count: np.ndarray  # nodes per candidate
    max_nodes: int | None
    parallelism: int | None
    horizontal: bool
    tightly_coupled: bool
    bandwidth_gbps: float | None
    ebs_iops: float | None
    ebs_mibps: float | None
    price: np.ndarray  # effective USD/h per node under the allowed purchase options
    node_floor_vcpus: float | None = None  # smallest node that may join a scaled-out fleet
    node_floor_memory_gib: float | None = None
    #: vCPUs of each type in the demand's units (perf_index per vCPU against the reference).
    vcpus_eff: np.ndarray | None = None
    #: Burstable types: the peak demand (no headroom) must fit in 100 % of their vCPUs.
    vcpus_need_burst: float | None = None
    hours: float = 730.0
    max_monthly_usd: float | None = None
    #: The storage load is sustained (the default: ``storage.peak_minutes_per_day`` absent
    #: or above 30, see ``risk.ebs_load_sustained``), so only the baseline EBS limits carry
    #: it; False lets the burst maximum carry it, at a risk (EBS-optimized instances,
    #: EBS_OPTIMIZED_URL).
    ebs_sustained: bool = True
    #: ``~np.isnan(price)`` when the caller keeps it (a memoised pricing's own, read-only).
    priced: np.ndarray | None = None
    #: ``count`` is one node of every type (the index's ``one_node``): the filters skip its
    #: products and comparisons (x * 1.0 is x, 1 <= n for n >= 1).
    single_node: bool = False
    #: Scratch data (``storage.persistence`` scratch) of this many GiB: a type whose SSD
    #: instance store holds it need not carry the storage's EBS load (:func:`filter_ebs`).
    scratch_gib: float | None = None


class Check(NamedTuple):
    """A hard constraint's verdict: survivors, its reason key, and why a type fails it."""

    mask: np.ndarray
    key: str
    why: Callable[[int], str]


FilterFn = Callable[[Ec2Index, FilterContext], Check]


def _eff(ix: Ec2Index, ctx: FilterContext) -> np.ndarray:
    return ix.vcpus if ctx.vcpus_eff is None else ctx.vcpus_eff


def _is_burst(ix: Ec2Index) -> np.ndarray:
    return ix.is_burst  # burstable flag or family (built once in the index)


def _both(ix: Ec2Index, ok: np.ndarray, more: np.ndarray) -> np.ndarray:
    """``ok & more``; ``more`` itself while ``ok`` is still every row (one pass less)."""
    return more if ok is ix.all_rows else ok & more


def filter_region(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Offered in the region (ec2.regions)."""
    r = ix.region_pos.get(ctx.region)
    # ec2.regions, or an on-demand price there (ix.in_region, built once).
    ok = np.zeros(ix.n, dtype=bool) if r is None else ix.in_region[r]
    return Check(ok, "ec2.not_offered_in_region",
                 lambda i: f"{ix.types[i]} is not offered in {ctx.region}")


def filter_priced(ix: Ec2Index, ctx: FilterContext) -> Check:
    """A price exists under an allowed purchase option (no price: cannot be ranked on cost)."""
    ok = ~np.isnan(ctx.price) if ctx.priced is None else ctx.priced
    return Check(ok, "ec2.no_price_in_region_for_purchase_option",
                 lambda i: f"the catalog has no price for {ix.types[i]} in {ctx.region}")


def filter_platform(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Linux x86_64/arm64 only: Mac instances need dedicated hosts, i386-only types are legacy."""
    return Check(ix.linux, "ec2.mac_or_32bit_platform",
                 lambda i: f"{ix.types[i]} is a Mac or 32-bit-only platform")


def filter_arch(ix: Ec2Index, ctx: FilterContext) -> Check:
    ok = index_memo(ix, ("arch", ctx.arch), lambda: _arch_mask(ix, ctx.arch))
    return Check(ok, "ec2.architecture",
                 lambda i: f"{ix.types[i]} is {ix.arch[i]}; the profile asks for "
                           f"{' or '.join(ctx.arch)}")


def _arch_mask(ix: Ec2Index, arch: tuple[str, ...]) -> np.ndarray:
    """The types of the architectures ``arch`` (the same for every call with them)."""
    ok = np.zeros(ix.n, dtype=bool)
    if "x86_64" in arch:
        ok |= ix.is_x86
    if "arm64" in arch:
        ok |= ix.is_arm
    return ok


def filter_gpus(ix: Ec2Index, ctx: FilterContext) -> Check:
    ok = ix.all_rows
    if ctx.gpus_min is not None:
        ok = _both(ix, ok, ix.gpus >= ctx.gpus_min)
    if ctx.gpus_max is not None:
        ok = _both(ix, ok, ix.gpus <= ctx.gpus_max)
    return Check(ok, "ec2.gpus", lambda i: f"{ix.types[i]} has {ix.gpus[i]:g} GPUs; the need "
                 f"is {ctx.gpus_min or 0:g}-{ctx.gpus_max if ctx.gpus_max is not None else 'any'}")


def filter_vcpus(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Enough capacity on the node (single node) or across ``count`` nodes (horizontal).

    Capacity is in the demand's vCPUs (``vcpus_eff``: perf_index per vCPU against the
    reference, so a slower vCPU counts as a fraction).  Burstable types need the peak demand
    within 100 % of their vCPUs; their credits are judged by the burst rule.
    """
    ok = ix.all_rows
    # (One node of each type: the capacity is the type's own, x 1 skipped.)
    eff = _eff(ix, ctx) if ctx.single_node else _eff(ix, ctx) * ctx.count
    if ctx.vcpus_need is not None:
        need = ctx.vcpus_need if ctx.vcpus_need_burst is None else np.where(
            _is_burst(ix), ctx.vcpus_need_burst, ctx.vcpus_need)
        ok = _both(ix, ok, eff >= need - 1e-9)
    if ctx.vcpus_max is not None:
        ok = _both(ix, ok, ix.vcpus <= ctx.vcpus_max)

    def why(i: int) -> str:
        n = int(ctx.count[i])
        has = f"{n} x " if n > 1 else ""
        burst = bool(_is_burst(ix)[i]) and ctx.vcpus_need_burst is not None
        need_v = ctx.vcpus_need_burst if burst else ctx.vcpus_need
        if ctx.vcpus_max is not None and ix.vcpus[i] > ctx.vcpus_max:
            return f"{ix.types[i]} has {ix.vcpus[i]:g} vCPUs, above the maximum {ctx.vcpus_max:g}"
        return (f"{has}{ix.types[i]} gives {eff[i]:.2f} vCPUs of capacity "
                f"({ix.vcpus[i] * n:g} vCPUs at its perf_index per vCPU); the need is "
                f"{need_v:.2f}" + (" (the peak, burstable at 100%)" if burst else ""))
    return Check(ok, "ec2.vcpus", why)


def filter_memory(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Memory per node (a single node holds it all unless the work scales out)."""
    ok = ix.all_rows
    if ctx.memory_need is not None:
        mem = ix.memory_gib if ctx.single_node else ix.memory_gib * ctx.count
        ok = _both(ix, ok, mem >= ctx.memory_need - 1e-9)
    if ctx.memory_max is not None:
        ok = _both(ix, ok, ix.memory_gib <= ctx.memory_max)

    def why(i: int) -> str:
        if ctx.memory_max is not None and ix.memory_gib[i] > ctx.memory_max:
            return (f"{ix.types[i]} has {ix.memory_gib[i]:g} GiB, above the maximum "
                    f"{ctx.memory_max:g} GiB")
        n = int(ctx.count[i])
        return (f"{f'{n} x ' if n > 1 else ''}{ix.types[i]} has {ix.memory_gib[i] * n:g} GiB; "
                f"the need is {ctx.memory_need or 0:g} GiB"
                + ("" if ctx.horizontal else " on one node (memory is not split unless the "
                   "work scales out)"))
    return Check(ok, "ec2.memory", why)


def filter_nodes(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Node count within ``max_nodes`` and no more nodes than parallel tasks."""
    ok = ix.all_rows
    single = ctx.single_node  # every count is 1: only a limit under 1 rejects
    if ctx.max_nodes is not None and not (single and ctx.max_nodes >= 1):
        ok = _both(ix, ok, ctx.count <= ctx.max_nodes)
    if ctx.parallelism is not None and ctx.horizontal and not (
            single and ctx.parallelism >= 1):
        ok = _both(ix, ok, ctx.count <= ctx.parallelism)
    return Check(ok, "ec2.node_count_above_max_nodes",
                 lambda i: f"{ix.types[i]} needs {int(ctx.count[i])} nodes; at most "
                           f"{ctx.max_nodes or ctx.parallelism} are allowed")


def filter_node_floor(ix: Ec2Index, ctx: FilterContext) -> Check:
    """No node smaller than the per-node floor (one parallel task must fit on a node)."""
    ok = ix.all_rows
    if ctx.node_floor_vcpus is not None:
        ok = _both(ix, ok, ix.vcpus >= ctx.node_floor_vcpus - 1e-9)
    if ctx.node_floor_memory_gib is not None:
        ok = _both(ix, ok, ix.memory_gib >= ctx.node_floor_memory_gib - 1e-9)
    return Check(ok, "ec2.node_below_per_node_floor",
                 lambda i: f"{ix.types[i]} ({ix.vcpus[i]:g} vCPUs, {ix.memory_gib[i]:g} GiB) "
                           "is smaller than one parallel task")


def filter_cluster(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Tightly coupled nodes need a cluster placement group."""
    # (One node of each type needs no placement group: nothing rejected.)
    ok = ix.all_rows if not ctx.tightly_coupled or ctx.single_node else (
        ix.cluster_pg | (ctx.count <= 1))
    return Check(ok, "ec2.no_cluster_placement_group",
                 lambda i: f"{ix.types[i]} cannot join a cluster placement group")


#: The page on an instance's baseline and burst network bandwidth.
NETWORK_BANDWIDTH_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                         "ec2-instance-network-bandwidth.html")


def sustained_gbps(ix: Ec2Index) -> np.ndarray:
    """Per type, the network bandwidth it sustains: its baseline where the catalog has one,
    else its (only) published figure.

    "Up to" types (typically 16 vCPUs or fewer) burst above their baseline on network I/O
    credits "for a limited time, typically from 5 to 60 minutes", best effort, and return to
    the baseline when the credits run out (NETWORK_BANDWIDTH_URL).
    """
    def build() -> np.ndarray:
        base = ix.net_baseline_gbps
        return np.where(np.isnan(base), ix.net_best_gbps, base)
    held: np.ndarray = index_memo(ix, "sustained_gbps", build)  # the index's alone
    return held


def filter_bandwidth(ix: Ec2Index, ctx: FilterContext) -> Check:
    """A per-node ``network.bandwidth_gbps`` need must fit the bandwidth the type
    *sustains* (:func:`sustained_gbps`): its burst lasts minutes, on a best-effort basis
    (NETWORK_BANDWIDTH_URL), as the EBS filter holds a sustained load to the baseline."""
    if ctx.bandwidth_gbps is None:
        return Check(ix.all_rows, "ec2.network_bandwidth", lambda i: "")
    need = ctx.bandwidth_gbps
    held = sustained_gbps(ix)
    return Check(held >= need, "ec2.network_bandwidth",
                 lambda i: f"{ix.types[i]} sustains {held[i]:g} Gbps (its baseline"
                           + (f"; it bursts to {ix.net_peak_gbps[i]:g} Gbps only for 5 to 60 "
                              "minutes on network I/O credits"
                              if ix.net_peak_gbps[i] > held[i] else "")
                           + f", {NETWORK_BANDWIDTH_URL}); the need is {need:g} Gbps")


class EbsLimited(Protocol):
    """Anything with instance EBS limits as arrays: the :class:`Ec2Index`, an InstanceEbs."""

    @property
    def ebs_base_iops(self) -> np.ndarray: ...
    @property
    def ebs_base_mbps(self) -> np.ndarray: ...
    @property
    def ebs_max_iops(self) -> np.ndarray: ...
    @property
    def ebs_max_mbps(self) -> np.ndarray: ...


@dataclass(frozen=True)
class InstanceEbs:
    """One instance's EBS limits (IOPS, MB/s) as one-row arrays, for :func:`ebs_limits`."""

    ebs_base_iops: np.ndarray
    ebs_base_mbps: np.ndarray
    ebs_max_iops: np.ndarray
    ebs_max_mbps: np.ndarray

    @classmethod
    def of(cls, limits: dict[str, float]) -> InstanceEbs:
        """From the compute stage's ``top_ec2`` facts (base_iops, max_iops, base_mbps,
        max_mbps; a missing figure is unknown)."""
        def one(key: str) -> np.ndarray:
            v = limits.get(key)
            return np.array([np.nan if v is None else float(v)])
        return cls(one("base_iops"), one("base_mbps"), one("max_iops"), one("max_mbps"))


def ebs_limits(ix: EbsLimited, sustained: bool) -> tuple[np.ndarray, np.ndarray]:
    """The EBS (IOPS, MB/s) an instance carries a storage load at, NaN (unknown) as 0.

    A sustained load gets the baseline: AWS guarantees the maximum only "for 30 minutes at
    least once every 24 hours ... After the maximum performance duration, they revert to
    baseline performance" (EBS-optimized instances, EBS_OPTIMIZED_URL).  A load whose peaks
    are that short (``ebs_load_sustained``) may use the maximum.  The compute filter
    (:func:`filter_ebs`) and the storage cross-check (``storage.block``) both read it.
    """
    if not sustained:
        return (np.where(np.isnan(ix.ebs_max_iops), 0.0, ix.ebs_max_iops),
                np.where(np.isnan(ix.ebs_max_mbps), 0.0, ix.ebs_max_mbps))
    return (np.where(np.isnan(ix.ebs_base_iops), 0.0, ix.ebs_base_iops),
            np.where(np.isnan(ix.ebs_base_mbps), 0.0, ix.ebs_base_mbps))


def filter_ebs(ix: Ec2Index, ctx: FilterContext) -> Check:
    """The instance's EBS limits carry the storage IOPS and throughput: its baseline for a
    sustained load, its burst maximum only for peaks under 30 minutes a day (EBS-optimized
    instances, https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html)."""
    ok = ix.all_rows
    if ctx.ebs_iops is None and ctx.ebs_mibps is None:  # no storage need: nothing to compare
        return Check(ok, "ec2.ebs_limits_below_storage_need", lambda i: "")
    iops, mbps = index_memo(ix, ("ebs_limits", ctx.ebs_sustained),
                            lambda: _read_only(ebs_limits(ix, ctx.ebs_sustained)))
    if ctx.ebs_iops is not None:
        ok = _both(ix, ok, iops >= ctx.ebs_iops)
    if ctx.ebs_mibps is not None:
        ok = _both(ix, ok, mbps >= ctx.ebs_mibps * MIB_IN_MB)
    if ctx.scratch_gib is not None:
        ok = ok | holds_scratch(ix, ctx.scratch_gib)
    return Check(ok, "ec2.ebs_limits_below_storage_need",
                 lambda i: ebs_why(ix, ctx, i, (float(iops[i]), float(mbps[i]))))


def _read_only(arrays: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """``arrays`` made read-only: an index memo shared by every call (index_memo freezes a
    lone array itself, not the arrays of a tuple)."""
    for a in arrays:
        a.setflags(write=False)
    return arrays


def filter_budget(ix: Ec2Index, ctx: FilterContext) -> Check:
    """Monthly cost within ``max_monthly_usd`` (the profile's budget)."""
    ok = ix.all_rows if ctx.max_monthly_usd is None else ~(
        ctx.price * ctx.count * ctx.hours > ctx.max_monthly_usd)
    return Check(ok, "ec2.above_budget",
                 lambda i: f"{ix.types[i]} costs ${ctx.price[i] * ctx.count[i] * ctx.hours:,.2f}"
                           "/month, above the budget "
                           f"max_monthly_usd ${ctx.max_monthly_usd or 0:,.2f}")


#: The leading filters whose masks are the catalog's alone for a region and architectures
#: (offered there, Linux platform, the architecture): their survivors and counts are
#: computed once per (region, arch) and index.
_STATIC_FILTERS: tuple[FilterFn, ...] = (filter_region, filter_platform, filter_arch)
FILTERS: tuple[FilterFn, ...] = _STATIC_FILTERS + (
    filter_gpus, filter_vcpus, filter_memory, filter_node_floor, filter_nodes, filter_cluster,
    filter_bandwidth, filter_ebs, filter_priced, filter_budget,
)


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class FilterResult:
    passed: np.ndarray
    masks: list[tuple[str, np.ndarray]]
    rejected: dict[str, int]
    checks: list[Check] = field(default_factory=list)

    def first_failure(self, i: int) -> Check | None:
        """The first hard constraint type ``i`` fails (None when it passes them all)."""
        return next((c for c in self.checks if not c.mask[i]), None)


def apply_filters(ix: Ec2Index, ctx: FilterContext) -> FilterResult:
    """Run :data:`FILTERS`; count each rejected type under the first filter it fails."""
    checks = [fn(ix, ctx) for fn in FILTERS]
    k = len(_STATIC_FILTERS)
    alive0, rej0, left = index_memo(ix, ("static_filters", ctx.region, ctx.arch),
                                    lambda: _narrow(ix, checks[:k]))
    alive, rejected = alive0.copy(), dict(rej0)
    _narrow_into(ix, checks[k:], alive, rejected, left)
    return FilterResult(alive, [(c.key, c.mask) for c in checks], rejected, checks)


def _narrow(ix: Ec2Index, checks: list[Check]) -> tuple[np.ndarray, dict[str, int], int]:
    """The survivors of ``checks`` from every row, the rejections by key, how many are left."""
    alive = np.ones(ix.n, dtype=bool)
    rejected: dict[str, int] = {}
    left = _narrow_into(ix, checks, alive, rejected, ix.n)
    alive.setflags(write=False)  # (kept by index_memo: apply_filters works on a copy)
    return alive, rejected, left


def _narrow_into(ix: Ec2Index, checks: list[Check], alive: np.ndarray,
                 rejected: dict[str, int], left: int) -> int:
    """``alive &= `` each check's mask in order, counting under its key the rows it takes
    away; returns the survivors left."""
    for c in checks:
        if c.mask is ix.all_rows:  # a constraint the profile does not set rejects nothing
            continue
        alive &= c.mask
        now = int(np.count_nonzero(alive))  # the survivors it rejects: those it took away
        if now < left:
            rejected[c.key] = rejected.get(c.key, 0) + left - now
        left = now
    return left


def tightest_constraint(
    ix: Ec2Index, result: FilterResult, ignore: tuple[str, ...] = ()
) -> tuple[str | None, list[str]]:
    """When nothing passes: the filter whose relaxation admits most types, and those types.

    ``ignore`` lists filters that are facts of the catalog rather than user constraints
    (region, platform, price) and so are never suggested for relaxing.
    """
    best_key, best_ids = None, np.zeros(0, dtype=int)
    for k, (key, _) in enumerate(result.masks):
        if key in ignore:
            continue
        others = np.ones(ix.n, dtype=bool)
        for j, (_, m) in enumerate(result.masks):
            if j != k:
                others &= m
        ids = np.flatnonzero(others)
        if len(ids) > len(best_ids):
            best_key, best_ids = key, ids
    # Closest first: the types nearest to meeting the relaxed constraint.
    nearness = {
        "ec2.vcpus": -ix.vcpus, "ec2.memory": -ix.memory_gib, "ec2.gpus": -ix.gpus,
        "ec2.network_bandwidth": -sustained_gbps(ix),
        # The baseline: what carries the sustained load the engine assumes (filter_ebs).
        "ec2.ebs_limits_below_storage_need": -np.nan_to_num(ix.ebs_base_iops),
        "ec2.node_count_above_max_nodes": -ix.vcpus,
    }.get(best_key or "")
    if nearness is not None and len(best_ids):
        best_ids = best_ids[np.lexsort((best_ids, nearness[best_ids]))]
    return best_key, [str(ix.types[i]) for i in best_ids]
