"""EC2 sizing and scoring rules (PERF02).

Sizing follows AWS Compute Optimizer's semantics where utilization is known: the CPU demand
is the P99.5 of the utilization (from the series; else the peak, p95 or average given) of
the capacity it was measured on, plus a CPU headroom (20 % by default); memory is the
memory used plus a memory headroom (20 % by default).  Both headrooms are profile fields.

``capacity_vcpus`` converts a vCPU need into each type's capacity through perf_index (a
need measured on one generation is fewer vCPUs on a faster one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recommender.core.profile import ComputeProfile, WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF02_RIGHTSIZE,
    PERF02_SCALE,
    fmt_num,
    percentile,
    reason,
)
from recommender.rules.compute.burst import synthetic_series
from recommender.rules.compute.concurrency import event_load, invocation_cpu

DEFAULT_HOURS = 730.0
DEFAULT_CPU_HEADROOM_PCT = 20.0
DEFAULT_MEMORY_HEADROOM_PCT = 20.0
#: Compute Optimizer's default CPU utilization percentile.
CPU_PERCENTILE = 99.5
#: Samples simulated for credits and scaling (31 days at 5 minutes); longer series are
#: averaged in blocks.
MAX_SIMULATED_SAMPLES = 8928


@dataclass(slots=True)
class ComputeNeed:
    """Compute requirements derived from a profile (all None when unknown).

    Read-only by convention (a stage that needs another need makes one with
    ``dataclasses.replace``), not frozen: a frozen dataclass sets each of its 30 fields
    through ``object.__setattr__``, once per call on the hot path (it was never hashable:
    ``series_pct`` is an array)."""

    vcpus: float | None
    vcpus_max: float | None
    memory_gib: float | None
    memory_max: float | None
    gpus_min: float | None
    gpus_max: float | None
    arch: tuple[str, ...]
    arch_free: bool
    horizontal: bool
    tightly_coupled: bool
    max_nodes: int | None
    parallelism: int | None
    hours: float
    measured_vcpus: float | None
    demand_vcpus: float | None  # P99.5 demand without headroom (for projected utilization)
    memory_used_gib: float | None
    series_pct: np.ndarray | None  # utilization series, % of measured_vcpus
    interval_min: float
    series_synthetic: bool
    reasons: tuple[Reason, ...]
    expected_category: str
    #: What points to ``expected_category``, in words (:func:`category_basis`).
    category_basis: str = ""
    #: Fewest nodes of a scaled-out fleet: 2 (one per Availability Zone) for horizontal work
    #: unless ``max_nodes`` is 1; 1 for single-node and tightly coupled work.
    min_nodes: int = 1
    #: Smallest node that may join the fleet (one parallel task's share), None = no floor.
    node_floor_vcpus: float | None = None
    node_floor_memory_gib: float | None = None
    #: Inputs of the scaling plan: start-up time, whether work can wait, the CPU headroom.
    startup_s: float | None = None
    can_wait: bool = False
    cpu_headroom_pct: float = DEFAULT_CPU_HEADROOM_PCT
    #: ``vcpus`` is always-on capacity for event-driven work sized from Lambda's CPU share
    #: (``compute.invocation_cpu``), not a per-invocation need the Lambda floor should take.
    cpu_from_lambda_share: bool = False


def derive_need(p: WorkloadProfile, lambda_mb_per_vcpu: float | None = None) -> ComputeNeed:
    """Right-size the profile's compute section (Compute Optimizer semantics).

    Stages, each returning its number with its reason: the CPU need from utilization
    (:func:`rightsize_cpu`), the series resampled for the simulations (:func:`resample`),
    the memory need (:func:`rightsize_memory`), the vCPU fallback from parallelism, and the
    fleet's shape (:func:`fleet_shape`).
    """
    c = p.compute
    reasons: list[Reason] = []
    vcpus = c.vcpus.min if c and c.vcpus else None
    arch_pref = (c.arch if c else None) or "any"
    series, synthetic = utilization_series(c)
    cpu = rightsize_cpu(c, series, synthetic, vcpus)
    reasons.extend(cpu.reasons)
    series, interval, said = resample(series, (c.series_interval_minutes if c else None) or 5.0)
    reasons.extend(said)
    mem, said = rightsize_memory(c, c.memory_gib.min if c and c.memory_gib else None)
    reasons.extend(said)
    # Event-driven work: per-invocation need x average concurrency (concurrency.py).
    load = event_load(c, cpu.vcpus, mem, hours=(c.hours_per_month if c else None)
                      or DEFAULT_HOURS, cpu_headroom_pct=_cpu_headroom(c),
                      inferred=invocation_cpu(c, lambda_mb_per_vcpu, memory_headroom_pct=(
                          memory_headroom_pct(c) if c else DEFAULT_MEMORY_HEADROOM_PCT)),
                      mb_per_vcpu=lambda_mb_per_vcpu)
    reasons.extend(load.reasons)
    mem = load.memory_gib
    shape = fleet_shape(c, load.vcpus, mem)
    reasons.extend(shape.reasons)
    reasons.extend(single_node_availability(p, shape))
    vcpus = shape.vcpus
    return ComputeNeed(
        vcpus=vcpus, vcpus_max=c.vcpus.max if c and c.vcpus else None, memory_gib=mem,
        memory_max=c.memory_gib.max if c and c.memory_gib else None,
        gpus_min=c.gpus.min if c and c.gpus else None,
        gpus_max=c.gpus.max if c and c.gpus else None,
        arch=("x86_64", "arm64") if arch_pref == "any" else (arch_pref,),
        arch_free=arch_pref == "any", horizontal=shape.horizontal,
        tightly_coupled=shape.tightly, max_nodes=shape.max_nodes,
        parallelism=c.parallelism if c else None,
        hours=(c.hours_per_month if c else None) or DEFAULT_HOURS, measured_vcpus=cpu.measured,
        demand_vcpus=cpu.demand, memory_used_gib=memory_used(c)[0],
        series_pct=series, interval_min=interval, series_synthetic=synthetic,
        reasons=tuple(reasons), expected_category=expected_category(p, vcpus, mem),
        category_basis=category_basis(p, vcpus, mem)[1],
        min_nodes=shape.min_nodes, node_floor_vcpus=shape.floor_vcpus,
        node_floor_memory_gib=shape.floor_memory_gib,
        startup_s=c.startup_time_s if c else None,
        can_wait=bool(c and (c.event_driven or c.interruption_tolerant)),
        cpu_headroom_pct=_cpu_headroom(c), cpu_from_lambda_share=load.cpu_inferred,
    )


def _cpu_headroom(c: ComputeProfile | None) -> float:
    return c.cpu_headroom_pct if c and c.cpu_headroom_pct is not None \
        else DEFAULT_CPU_HEADROOM_PCT


def utilization_series(c: ComputeProfile | None) -> tuple[np.ndarray | None, bool]:
    """The utilization series given, else a synthetic day from the summary statistics.

    Returns the series (None without utilization) and whether it is synthetic.
    """
    if c and c.utilization_series_pct:
        return np.asarray(c.utilization_series_pct, dtype=float), False
    u = c.cpu_utilization if c else None
    if u is not None and any(v is not None for v in (u.average_pct, u.p95_pct, u.peak_pct)):
        return synthetic_series(u.average_pct, u.p95_pct, u.peak_pct), True
    return None, False


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class CpuNeed:
    """The CPU need and its reason: the vCPUs with headroom, the demand, the measured base."""

    vcpus: float | None
    demand: float | None  # P99.5 demand without headroom
    measured: float | None  # the capacity the utilization was measured on
    reasons: tuple[Reason, ...] = ()


def _demand_pct(c: ComputeProfile, series: np.ndarray, synthetic: bool) -> tuple[float, str]:
    """The utilization percent sized on, and its name (peak/p95/average, or the P99.5)."""
    u = c.cpu_utilization
    if synthetic and u is not None:
        for which, v in (("peak", u.peak_pct), ("p95", u.p95_pct), ("average", u.average_pct)):
            if v is not None:
                return v, which
    return percentile(series, CPU_PERCENTILE), "P99.5 of the series"


def rightsize_cpu(c: ComputeProfile | None, series: np.ndarray | None, synthetic: bool,
                  measured: float | None) -> CpuNeed:
    """CPU need = demand percentile x the vCPUs measured on x (1 + headroom) (PERF02-BP04).

    Compute Optimizer semantics: the P99.5 of the series, else the peak, p95 or average of
    the summary statistics.
    """
    if c is None or series is None:
        return CpuNeed(measured, None, measured)
    if measured is None:
        return CpuNeed(None, None, None, (reason(
            "compute.rightsize_cpu", PERF02_RIGHTSIZE,
            "CPU utilization given without compute.vcpus (the capacity it was measured on), "
            "so it cannot size vCPUs; it is used for burst and scaling rules only.", "caution"),))
    h = _cpu_headroom(c)
    pct, which = _demand_pct(c, series, synthetic)
    demand = measured * pct / 100.0
    vcpus = max(demand * (1 + h / 100.0), 0.05)
    return CpuNeed(vcpus, demand, measured, (reason(
        "compute.rightsize_cpu", PERF02_RIGHTSIZE,
        f"CPU demand {fmt_num(demand)} vCPUs = {which} utilization {pct:.1f}% of the "
        f"{fmt_num(measured)} vCPUs measured; with {h:g}% headroom the need is "
        f"{fmt_num(vcpus)} vCPUs (Compute Optimizer semantics)."
        + (" Percentile from summary statistics, not a series." if synthetic else ""),
        "info" if not synthetic or which != "average" else "caution"),))


def resample(series: np.ndarray | None, interval: float
             ) -> tuple[np.ndarray | None, float, list[Reason]]:
    """Long series: block means for the credit and scaling simulations, with the reason.

    Block means keep the credit totals (credits are linear in CPU) at a bounded cost; the
    percentile was taken on the full series.
    """
    if series is None or len(series) <= MAX_SIMULATED_SAMPLES:
        return series, interval, []
    f = math.ceil(len(series) / MAX_SIMULATED_SAMPLES)
    n = len(series) // f * f
    return series[:n].reshape(-1, f).mean(axis=1), interval * f, [reason(
        "compute.series_resampled", PERF02_RIGHTSIZE,
        f"Utilization series averaged over blocks of {f} samples "
        f"({interval * f:g} min) for the credit and scaling simulations.")]


#: Compute Optimizer's memory rule: memory utilization from the CloudWatch agent, sized with
#: headroom (https://docs.aws.amazon.com/compute-optimizer/latest/ug/ec2-metrics-analyzed.html).
MEMORY_RULE_URL = "https://docs.aws.amazon.com/compute-optimizer/latest/ug/ec2-metrics-analyzed.html"


def memory_used(c: ComputeProfile | None) -> tuple[float | None, str]:
    """The memory the work uses, GiB, and how it was given.

    ``compute.memory_used_gib`` when given, else ``compute.memory_mb_used`` / 1,024 (the MB
    Lambda and Fargate size in are MiB: 1,024 to the GiB), else None.
    """
    if c is None:
        return None, ""
    if c.memory_used_gib is not None:
        return c.memory_used_gib, f"{fmt_num(c.memory_used_gib)} GiB used"
    if c.memory_mb_used:
        return c.memory_mb_used / 1024.0, (
            f"{fmt_num(c.memory_mb_used)} MB used (compute.memory_mb_used) = "
            f"{fmt_num(c.memory_mb_used / 1024.0)} GiB")
    return None, ""


def memory_headroom_pct(c: ComputeProfile) -> float:
    """The profile's memory headroom, percent (:data:`DEFAULT_MEMORY_HEADROOM_PCT` when not
    given): the one default EC2, Fargate and Lambda all size the memory used with."""
    return DEFAULT_MEMORY_HEADROOM_PCT if c.memory_headroom_pct is None \
        else c.memory_headroom_pct


def rightsize_memory(c: ComputeProfile | None, mem: float | None
                     ) -> tuple[float | None, list[Reason]]:
    """Memory need = memory used x (1 + headroom), at least the memory asked (PERF02-BP04).

    The memory used is ``compute.memory_used_gib``, else ``compute.memory_mb_used`` / 1,024
    (:func:`memory_used`), so a function measured at 900 MB is never placed on less.  AWS
    Compute Optimizer sizes memory from the memory utilization measured, with headroom
    (https://docs.aws.amazon.com/compute-optimizer/latest/ug/ec2-metrics-analyzed.html).
    """
    used, said = memory_used(c)
    if c is None or used is None:
        return mem, []
    mh = memory_headroom_pct(c)
    m_need = used * (1 + mh / 100.0)
    return max(mem or 0.0, m_need), [reason(
        "compute.rightsize_memory", PERF02_RIGHTSIZE,
        f"Memory need {fmt_num(m_need)} GiB = {said} + {mh:g}% headroom (Compute Optimizer "
        f"sizes memory from the memory used, {MEMORY_RULE_URL}).")]


@dataclass(slots=True)  # (not frozen: built per call; nothing changes it)
class FleetShape:
    """How the work spreads over nodes, and the vCPU need after the parallelism fallback."""

    vcpus: float | None
    horizontal: bool
    tightly: bool
    max_nodes: int | None
    min_nodes: int
    floor_vcpus: float | None
    floor_memory_gib: float | None
    reasons: tuple[Reason, ...]


def fleet_shape(c: ComputeProfile | None, vcpus: float | None, mem: float | None
                ) -> FleetShape:
    """Scale-out, node bounds and per-node floor (PERF02-BP05); one vCPU per parallel task
    when no vCPU figure is given."""
    parallelism = c.parallelism if c else None
    scale = c.scale_out if c else None
    max_nodes = c.max_nodes if c else None
    horizontal = scale in ("horizontal", "tightly_coupled") or (
        scale is None and max_nodes is not None and max_nodes > 1)
    said: tuple[Reason, ...] = ()
    if vcpus is None and parallelism is not None:
        vcpus = float(parallelism)  # one vCPU per thread/task the work can run at once
        said = (reason(
            "compute.parallelism", PERF02_RIGHTSIZE,
            f"No vCPU figure: sized at one vCPU per parallel task ({parallelism}).", "caution"),)
    tightly = scale == "tightly_coupled"
    # Horizontal work runs one node per AZ at least, so losing a node or an AZ leaves capacity
    # serving; tightly coupled work wants the fewest nodes (less inter-node traffic), not two.
    min_nodes = 2 if horizontal and not tightly and (max_nodes is None or max_nodes >= 2) else 1
    floor_v = floor_m = None
    if horizontal and parallelism:
        # A task runs on one node, so no node may be smaller than one task's share.
        floor_v = vcpus / parallelism if vcpus is not None else None
        floor_m = mem / parallelism if mem is not None else None
    return FleetShape(vcpus, horizontal, tightly,
                      max_nodes if horizontal else (max_nodes or None), min_nodes,
                      floor_v, floor_m, said)


#: REL10-BP01 "Deploy the workload to multiple locations": spread a workload's resources
#: over several Availability Zones, so no single node or zone is a point of failure.
MULTI_AZ_URL = ("https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/"
                "rel_fault_isolation_multiaz_region_system.html")


def single_node_availability(p: WorkloadProfile, shape: FleetShape) -> tuple[Reason, ...]:
    """A caution when a production service runs on one node (REL10-BP01, MULTI_AZ_URL).

    One EC2 instance runs in one Availability Zone, so an instance or zone failure stops
    the service. The rule does not add a node (the application may not run on two); it
    says so, and how to ask for a fleet: ``compute.scale_out: horizontal`` sizes at least
    two nodes, one per AZ (:func:`fleet_shape`). Batch jobs are not services and are left
    out, as are tightly coupled fleets (kept in one cluster placement group on purpose).
    """
    c = p.compute
    if (p.environment != "production" or c is None or c.job is not None or shape.horizontal
            or shape.tightly):
        return ()
    return (reason(
        "compute.single_az", PERF02_SCALE,
        "Production on one node: one EC2 instance (or Fargate task) runs in one "
        "Availability Zone, so an "
        "instance or AZ failure stops the service; AWS deploys production workloads across "
        f"Availability Zones (REL10-BP01, {MULTI_AZ_URL}). If the application can run on "
        "more than one node, set compute.scale_out to horizontal: the fleet is then sized "
        "at two nodes or more, one per AZ (the cost shown is one node's).", "caution"),)


#: The EC2 instance categories (general purpose, compute, memory and storage optimized,
#: accelerated computing, HPC optimized) and what each is for.
INSTANCE_TYPES_URL = "https://aws.amazon.com/ec2/instance-types/"


def expected_category(p: WorkloadProfile, vcpus: float | None, mem: float | None) -> str:
    """The family category the workload's traits and memory:vCPU ratio point to."""
    return category_basis(p, vcpus, mem)[0]


def category_basis(p: WorkloadProfile, vcpus: float | None, mem: float | None
                   ) -> tuple[str, str]:
    """(category, what points to it in words): a GPU need, tightly coupled work, scratch
    data with an IOPS need, else the need's memory:vCPU ratio (compute optimized about 2 GiB
    per vCPU, general purpose 4, memory optimized 8 and more; INSTANCE_TYPES_URL)."""
    c, s = p.compute, p.storage
    if c and c.gpus and (c.gpus.min or 0) > 0:
        return "accelerated", "the GPU need (compute.gpus)"
    if c and c.scale_out == "tightly_coupled":
        return "hpc", "tightly coupled work (compute.scale_out)"
    if s and s.persistence == "scratch" and s.iops and (s.iops.min or 0) > 0:
        return "storage", "scratch data with an IOPS need (storage.iops)"
    if vcpus and mem:
        ratio = mem / vcpus
        return ("compute" if ratio <= 2.5 else ("general" if ratio <= 5.5 else "memory"),
                f"the need's memory:vCPU ratio ({fmt_num(mem)} GiB / {fmt_num(vcpus)} vCPUs "
                f"= {ratio:.2f} GiB per vCPU)")
    return "general", "no memory:vCPU ratio (general purpose by default)"


def node_counts(vcpus: np.ndarray, memory: np.ndarray, need: ComputeNeed) -> np.ndarray:
    """Nodes per candidate: 1, or enough to cover the total need when scaling out (and at
    least ``need.min_nodes``, for availability)."""
    count = np.ones(len(vcpus))
    if need.horizontal:
        count = np.maximum(count, float(need.min_nodes))
        if need.vcpus is not None:
            count = np.maximum(count, np.ceil(need.vcpus / vcpus - 1e-9))
        if need.memory_gib is not None:
            count = np.maximum(count, np.ceil(need.memory_gib / memory - 1e-9))
    return count


# --------------------------------------------------------------------------- capacity

#: perf_index is normalised to m5.large (2 vCPUs) = 1, so one m5 vCPU is 0.5: the unit a
#: vCPU need is in when ``compute.measured_on`` does not name the type it was measured on.
REFERENCE_PERF_PER_VCPU = 0.5


def capacity_vcpus(speed: np.ndarray, vcpus: np.ndarray, ref_speed: float | None
                   ) -> np.ndarray:
    """Each type's vCPUs in the demand's units: vCPUs x its perf_index per vCPU / the reference.

    With ``ref_speed`` (the measured-on type's perf_index per vCPU) the ratio goes both
    ways: a need measured on m5 is fewer
    vCPUs on m8g.  Without it the need is in m5 vCPUs
    and only a slower vCPU counts as a fraction (a faster one counts as one), so an older,
    slower type is not picked on list price (PERF01-BP06: benchmarks drive the choice).
    """
    if ref_speed is not None and ref_speed > 0:
        return np.asarray(vcpus * speed / ref_speed, dtype=float)
    return np.asarray(vcpus * np.minimum(1.0, speed / REFERENCE_PERF_PER_VCPU), dtype=float)
