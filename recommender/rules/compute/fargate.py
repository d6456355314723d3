"""Fargate options: the smallest valid task size, priced on EC2's monthly scale (PERF02-BP01).

The task sizes (vCPU/memory pairs) come from the catalog's ``facts`` (topic ``fargate``, from
the ECS task-size table,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html);
a task's memory also holds the memory the work is measured to use (plus headroom).  Work
that scales out takes the cheapest task count; prices are per vCPU-hour and per GB-hour
from ``unit_prices`` (https://aws.amazon.com/fargate/pricing/).  A task's vCPUs also set its
baseline EBS IOPS and throughput (:mod:`.fargate_limits`): a storage
need above a task's baseline sizes the task up, and above the largest task's it rejects
Fargate (:func:`fargate_ebs_floor`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF02_SCALE,
    PERF02_SELECT,
    Candidate,
    Rejections,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.bandwidth import (
    FARGATE_NET_URL,
    needs_published_bandwidth,
    unpublished_bandwidth_note,
)
from recommender.rules.compute.ebs_need import ebs_iops_need
from recommender.rules.compute.fargate_limits import (
    FARGATE_EBS_REJECT,
    fargate_ebs_floor,
)
from recommender.rules.compute.purchase import allowed_purchase_options
from recommender.rules.compute.sizing import (
    ComputeNeed,
    memory_headroom_pct,
)
from recommender.rules.prices import (
    PriceBook,
    Tier,
    UnitMismatchError,
    fmt_unit_usd,
    per_unit_cost,
    unit_scale,
)


def fargate_task_sizes(book: PriceBook) -> list[tuple[float, float, bool]]:
    """Valid (vCPU, memory GB, verify) pairs from ``facts`` (topic ``fargate``), memoised."""
    return book.memo("fargate_task_sizes", lambda: _task_sizes(book))


def _task_sizes(book: PriceBook) -> list[tuple[float, float, bool]]:
    out: list[tuple[float, float, bool]] = []
    for f in book.topic("fargate"):
        m = re.fullmatch(r"task_size_([\d.]+)vcpu_memory_gb", f.key)
        if not m or f.value is None:
            continue
        for v in re.split(r"[,\s]+", f.value.strip()):
            try:
                out.append((float(m.group(1)), float(v), f.verify))
            except ValueError:
                continue
    return sorted(set(out))


def fargate_option(
    p: WorkloadProfile, need: ComputeNeed, book: PriceBook, region: str, rej: Rejections
) -> Candidate | None:
    """The cheapest valid Fargate task configuration for the need, or None (counted)."""
    gate = _fargate_gate(p, need, book)
    if gate is not None:
        rej.add(gate, note=unpublished_bandwidth_note("a Fargate task", FARGATE_NET_URL)
                if gate == "fargate.network_bandwidth_not_published" else None)
        return None
    ebs = fargate_ebs_floor(*_task_storage_need(p))
    if ebs is not None and ebs.vcpus is None:
        rej.add(FARGATE_EBS_REJECT, note=ebs.text)
        return None
    need = _with_vcpu_floor(need, (ebs.vcpus or 0.0) if ebs is not None else 0.0)
    used_gib = _used_memory_gib(p)
    m_need = need.memory_gib or 0.0
    # A task's memory must hold what the work uses (ECS task size table,
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html):
    # one task when it runs alone, every task when the work scales out over several.
    if used_gib > m_need and not need.horizontal:
        m_need = used_gib
    if need.horizontal and used_gib > (need.node_floor_memory_gib or 0.0):
        need = replace(need, node_floor_memory_gib=used_gib)
    # Same node rule as EC2 (compute.fewest_nodes): fewest tasks first, each task paying its
    # own runtime overhead; parallel work takes more, smaller tasks only when they cost less.
    fewest_first = not (need.parallelism and need.horizontal)
    arches: list[str] = [a for a in ("arm64", "x86_64") if a in need.arch]
    best, unpriced = _cheapest_task(need, book, region, arches=arches, m_need=m_need,
                                    fewest_first=fewest_first)
    if best is None:
        if unpriced and len(unpriced) == len(arches):
            return Candidate(
                "fargate", "fargate", None,
                [reason("fargate.price", PERF01_COST,
                        f"No Fargate price in the catalog for {region}.", "caution")],
                config={"arch": arches[0]},
            )
        rej.add("fargate.task_size_limit")
        return None
    cost, n, v, m, arch, vfy = best
    rates = _arch_rates(book, region, arch)
    assert rates is not None  # the best task was priced at them
    c = Candidate(
        "fargate", "fargate", cost,
        _fargate_reasons(p, need, best, used_gib=used_gib, m_need=m_need,
                         fewest_first=fewest_first, unit_usd=rates[2]),
        config={"vcpu": v, "memory_gib": m, "arch": arch, "task_count": n,
                "price_as_of": rates[0].price_as_of, "price_source": rates[0].price_source},
        count=n, verify=vfy,
        components={"perf_capacity_vcpus": v * n, "vcpus_total": v * n, "memory_total": m * n},
    )
    if ebs is not None:
        c.reasons.insert(1, reason("fargate.ebs_baseline", PERF02_SELECT, ebs.text,
                                   "caution" if ebs.vcpus == 0 else "info"))
    if n == 1:  # one task is one AZ, as one instance is (sizing.single_node_availability)
        c.reasons.extend(x for x in need.reasons if x.rule == "compute.single_az")
    spot = fargate_spot_unpriced(p, need, book, region)
    if spot is not None:
        # A cheaper way to run the same task, not a cost left out: named, with its own reason.
        c.name_unpriced(*spot)
        c.reasons.append(reason("fargate.spot", PERF01_COST,
                                f"{spot[0]} is not priced: {spot[1]}.", "caution"))
    return c


def _task_storage_need(p: WorkloadProfile) -> tuple[float | None, float | None]:
    """(IOPS, MiB/s) a task's EBS must sustain: block storage (one instance), the ephemeral
    storage of scratch data included, since both share the task's EBS limit."""
    s = p.storage
    if s is None or s.sharing not in (None, "single_instance"):
        return None, None
    return (ebs_iops_need(s), s.throughput_mibps.min if s.throughput_mibps else None)


def _with_vcpu_floor(need: ComputeNeed, floor: float) -> ComputeNeed:
    """The need with every task at least ``floor`` vCPUs (one task, or each of several)."""
    if not floor:
        return need
    if need.horizontal:
        return replace(need, node_floor_vcpus=max(need.node_floor_vcpus or 0.0, floor))
    return replace(need, vcpus=max(need.vcpus or 0.0, floor))


#: Fargate Spot: "run interruption tolerant Amazon ECS tasks at a rate that's discounted
#: compared to the Fargate price ... interrupted with a two-minute warning"; "Fargate Spot
#: only supports Linux tasks with the X86_64 architecture" (Fargate capacity providers).
FARGATE_SPOT_URL = ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                    "fargate-capacity-providers.html")
#: The unit-price items a Fargate Spot price would need (none of the catalog's sources has
#: them: facts/fargate_facts.csv and the price feed list on-demand rows only).
FARGATE_SPOT_ITEMS = ("fargate.spot_vcpu_hour.x86_64", "fargate.spot_gb_hour.x86_64")


def fargate_spot_unpriced(p: WorkloadProfile, need: ComputeNeed, book: PriceBook,
                          region: str) -> tuple[str, str] | None:
    """``(item, reason)`` naming Fargate Spot as unpriced, or None when it does not apply.

    It applies where EC2 Spot does (``allowed_purchase_options``: the work is
    interruption-tolerant and spot is not excluded) and the work may run on x86_64, the only
    architecture Fargate Spot runs (FARGATE_SPOT_URL).  The cost shown stays on-demand.
    """
    if "spot" not in allowed_purchase_options(p, []) or "x86_64" not in need.arch:
        return None
    missing = [k for k in FARGATE_SPOT_ITEMS if book.unit(k, region) is None]
    why = (f"the catalog has no Fargate Spot price for {region}" if missing else
           "the engine does not price Fargate Spot yet")
    return ("Fargate Spot (x86_64)",
            f"{why}; interruption-tolerant tasks may run on Fargate Spot at a discount to "
            "the Fargate price, x86_64 Linux tasks only, interrupted with a two-minute "
            f"warning ({FARGATE_SPOT_URL}); the cost shown is Fargate on-demand")


#: One Fargate choice: (monthly cost, tasks, vCPU, memory GB, arch, verify).
TaskChoice = tuple[float, int, float, float, str, bool]


def _fargate_gate(p: WorkloadProfile, need: ComputeNeed, book: PriceBook) -> str | None:
    """The rejection key when Fargate cannot run the work at all (GPUs, placement groups,
    no task sizes), else None."""
    c = p.compute
    if c and c.gpus and (c.gpus.min or 0) > 0:
        return "fargate.gpus_not_supported"
    if need.tightly_coupled:
        return "fargate.tightly_coupled_needs_placement_group"
    if needs_published_bandwidth(p):
        return "fargate.network_bandwidth_not_published"
    if not fargate_task_sizes(book):
        return "fargate.no_task_sizes_in_catalog"
    return None


def _cheapest_task(need: ComputeNeed, book: PriceBook, region: str, *, arches: list[str],
                   m_need: float, fewest_first: bool) -> tuple[TaskChoice | None, list[str]]:
    """The best task over the architectures, and the architectures without a price."""
    best: TaskChoice | None = None
    unpriced = []
    for arch in arches:
        rates = _arch_rates(book, region, arch)
        if rates is None:
            unpriced.append(arch)
            continue
        pv, pm, unit_usd, per_hour = rates
        found = _best_task(need, _task_arrays(book), v_need=need.vcpus or 0.0, m_need=m_need,
                           unit_usd=unit_usd, fewest_first=fewest_first, per_hour=per_hour)
        if found is not None:
            cost, n, v, m, vfy = found
            key = (cost, n, v, m, arch, vfy or pv.verify or pm.verify)
            if best is None or _task_order(key, fewest_first) < _task_order(best, fewest_first):
                best = key
    return best, unpriced


#: One architecture's Fargate rates in a region: the vCPU-hour and GB-hour rows, their USD
#: per one unit, and every task size's USD per hour at them (None: a rate is unpriced).
ArchRates = tuple[Tier, Tier, tuple[float, float], np.ndarray] | None


def _arch_rates(book: PriceBook, region: str, arch: str) -> ArchRates:
    """The rates of ``arch`` in ``region`` and each task size's hourly price at them.

    They are the book's alone (not the profile's), so found once per (region, arch) and kept
    with the book, read-only; a row in an undeclared unit raises every time (not kept).
    The hourly prices are the very operations a task's cost starts with (vCPU x vCPU-hour
    + GB x GB-hour, elementwise), so a cost from them is the same float.
    """
    memo: dict[tuple[str, str], ArchRates] = book.memo("fargate_arch_rates", dict)
    key = (region, arch)
    if key in memo:
        return memo[key]
    pv = book.unit(f"fargate.vcpu_hour.{arch}", region)
    pm = book.unit(f"fargate.gb_hour.{arch}", region)
    rates: ArchRates = None
    if pv is not None and pm is not None:
        # Per vCPU-hour and per GB-hour: the declared unit's price per one unit (the per-unit
        # shape of rules.prices), so a row in another unit cannot be charged wrongly.
        unit_usd = (_per_one(pv, "vCPU-hour"), _per_one(pm, "GB-hour"))
        v, m, _ = _task_arrays(book)
        per_hour = v * unit_usd[0] + m * unit_usd[1]
        per_hour.flags.writeable = False
        rates = (pv, pm, unit_usd, per_hour)
    memo[key] = rates
    return rates


def _per_one(t: Tier, billed_on: str) -> float:
    """USD per one ``billed_on`` unit of a Fargate price row (its declared unit's scale);
    :class:`UnitMismatchError` when the row is billed on another quantity."""
    on, per = unit_scale(t.unit)
    if on != billed_on:
        raise UnitMismatchError(f"Fargate row billed per {on!r} ({t.unit}); expected "
                                f"{billed_on!r}")
    return per_unit_cost(t.price_usd, 1.0, per)


def _cost_text(best: TaskChoice, hours: float, unit_usd: tuple[float, float]) -> str:
    """The monthly cost worked out: tasks x (vCPU x vCPU-hour + GB x GB-hour) x hours.

    Fargate bills each task's requested vCPU and memory per vCPU-hour and per GB-hour
    (https://aws.amazon.com/fargate/pricing/; per second, one-minute minimum, the catalog's
    fact note); ``unit_usd`` are the catalog's two rates.
    """
    cost, n, v, m, arch, _ = best
    return (f"{fmt_usd(cost)}/month for {hours:g} h ({arch}): {n} task(s) x ({fmt_num(v)} "
            f"vCPU x {fmt_unit_usd(unit_usd[0])} per vCPU-hour + {fmt_num(m)} GB x "
            f"{fmt_unit_usd(unit_usd[1])} per GB-hour) x {hours:g} h "
            "(https://aws.amazon.com/fargate/pricing/).")


def _fargate_reasons(p: WorkloadProfile, need: ComputeNeed, best: TaskChoice, *,
                     used_gib: float, m_need: float, fewest_first: bool,
                     unit_usd: tuple[float, float]) -> list[Reason]:
    """Task size, monthly cost, task count and verify flag of the chosen task (PERF02-BP01)."""
    cost, n, v, m, arch, vfy = best
    # Event-driven work on always-on tasks holds the invocations in flight (concurrency.py):
    # the memory sized is that need, and the option says so with the same reason as EC2's.
    conc = [r for r in need.reasons
            if r.rule in ("compute.invocation_cpu", "compute.event_concurrency")]
    rs = [
        reason("fargate.task_size", PERF02_SELECT,
               f"{fmt_num(v)} vCPU / {fmt_num(m)} GB is the smallest valid Fargate task size "
               f"for the need" + (f"; {n} tasks" if n > 1 else "")
               + _memory_text(p, used_gib, m_need, any(
                   r.rule == "compute.event_concurrency" for r in conc))
               + "; no instances to manage."),
        *conc,
        reason("fargate.monthly_cost", PERF01_COST, _cost_text(best, need.hours, unit_usd)),
    ]
    if need.horizontal:
        rs.append(reason(
            "fargate.task_count", PERF02_SCALE,
            f"{n} task(s): the fewest that meet the need"
            + (f", at least {need.min_nodes} (one per Availability Zone)"
               if need.min_nodes > 1 else "")
            + ("" if fewest_first else ", unless more, smaller tasks cost less (parallel "
               "tasks pack onto any task)")
            + "; each task pays its own runtime memory, so fewer, larger tasks come first."))
    if vfy:
        rs.append(reason("catalog.verify", PERF01_COST,
                         "A Fargate figure behind this option is marked unverified by its source.",
                         "verify"))
    return rs


def _memory_text(p: WorkloadProfile, used_gib: float, m_need: float, in_flight: bool) -> str:
    """The memory part of the task-size reason: the need the task was sized for, and why."""
    if not used_gib or p.compute is None:
        return ""
    used = f"{fmt_num(p.compute.memory_mb_used or 0)} MB used + headroom"
    if in_flight and m_need > used_gib:
        return (f" (memory >= {fmt_num(round(m_need, 2))} GiB: {used} per invocation, x the "
                "invocations in flight)")
    return f" (memory >= {fmt_num(round(used_gib, 2))} GiB: {used})"


def _used_memory_gib(p: WorkloadProfile) -> float:
    """``compute.memory_mb_used`` plus the memory headroom, in GiB (0 when not given)."""
    c = p.compute
    if c is None or not c.memory_mb_used:
        return 0.0
    return c.memory_mb_used * (1 + memory_headroom_pct(c) / 100) / 1024.0


def _task_arrays(book: PriceBook) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The task sizes as (vCPU, memory GB, verify) arrays, memoised with the price book."""
    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sizes = fargate_task_sizes(book)
        return (np.array([s[0] for s in sizes], float), np.array([s[1] for s in sizes], float),
                np.array([s[2] for s in sizes], bool))

    return book.memo("fargate_task_arrays", build)


def _best_task(
    need: ComputeNeed, sizes: tuple[np.ndarray, np.ndarray, np.ndarray], *, v_need: float,
    m_need: float, unit_usd: tuple[float, float], fewest_first: bool,
    per_hour: np.ndarray | None = None,
) -> tuple[float, int, float, float, bool] | None:
    """The best valid task size for one architecture: ``(cost, tasks, vCPU, GB, verify)``.

    All sizes at once (numpy); the first size in catalog order wins a tie, as a loop would.
    ``per_hour`` is each size's USD per hour at ``unit_usd`` (:func:`_arch_rates`), when the
    caller has it.
    """
    v, m, vfy = sizes
    if need.horizontal:
        n = np.maximum(np.maximum(np.ceil(v_need / v - 1e-9), np.ceil(m_need / m - 1e-9)),
                       need.min_nodes)
        ok = np.ones(v.size, bool) if need.max_nodes is None else n <= need.max_nodes
        if need.node_floor_vcpus is not None:
            ok &= v >= need.node_floor_vcpus - 1e-9
        if need.node_floor_memory_gib is not None:
            ok &= m >= need.node_floor_memory_gib - 1e-9
        if need.vcpus_max is not None:
            ok &= v <= need.vcpus_max
    else:
        ok = (v >= v_need - 1e-9) & (m >= m_need - 1e-9)
        if need.vcpus_max is not None:
            ok &= v <= need.vcpus_max
        if fewest_first:
            return _best_single(sizes, ok.nonzero()[0], unit_usd, need.hours,
                                per_hour=per_hour)
        n = np.ones(v.size)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return None
    base = (v[rows] * unit_usd[0] + m[rows] * unit_usd[1]) if per_hour is None \
        else per_hour[rows]
    cost = base * n[rows] * need.hours
    keys = (v[rows], cost, n[rows]) if fewest_first else (v[rows], n[rows], cost)
    k = int(np.lexsort(keys)[0])  # stable: ties keep catalog order
    i = int(rows[k])
    return float(cost[k]), int(n[i]), float(v[i]), float(m[i]), bool(vfy[i])


def _best_single(sizes: tuple[np.ndarray, np.ndarray, np.ndarray], rows: np.ndarray,
                 unit_usd: tuple[float, float], hours: float, *,
                 per_hour: np.ndarray | None = None,
                 ) -> tuple[float, int, float, float, bool] | None:
    """:func:`_best_task` for one task (every count 1, fewest first): the cheapest valid size,
    then the fewest vCPUs, then catalog order, as its ``np.lexsort`` orders them.  The cost
    is the same float operations (``x * 1.0`` is ``x``); ``per_hour`` (each size's USD per
    hour, :func:`_arch_rates`) is its first step done once per book."""
    if rows.size == 0:
        return None
    v, m, vfy = sizes
    base = (v[rows] * unit_usd[0] + m[rows] * unit_usd[1]) if per_hour is None \
        else per_hour[rows]
    cost = base * hours
    # The least cost skipping NaN (which the sort puts last), and the rows at it: one is the
    # answer; several, the fewest vCPUs among them, then the first (argmin's first minimum),
    # as the stable sort breaks those ties.  Every cost NaN: no row is at it, the sort decides.
    low = float(np.fmin.reduce(cost))
    tied = (cost == low).nonzero()[0]
    if len(tied) == 1:
        k = int(tied[0])
    elif len(tied):
        k = int(tied[np.argmin(v[rows[tied]])])
    else:
        k = int(np.lexsort((v[rows], cost))[0])
    i = int(rows[k])
    return float(cost[k]), 1, float(v[i]), float(m[i]), bool(vfy[i])


def _task_order(key: tuple[Any, ...], fewest_first: bool) -> tuple[Any, ...]:
    cost, n, v = key[:3]
    return (n, cost, v) if fewest_first else (cost, n, v)
