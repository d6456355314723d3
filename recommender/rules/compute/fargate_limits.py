"""Fargate task limits that are documented service limits, not prices: the baseline EBS
performance a task's vCPUs give (ECS Developer Guide, :data:`FARGATE_EBS_URL`) and the
ephemeral storage every task has (:data:`FARGATE_STORAGE_URL`)."""

from __future__ import annotations

from dataclasses import dataclass

#: "Performance of Amazon EBS volumes for Fargate on-demand tasks" (Amazon ECS Developer Guide).
FARGATE_EBS_URL = ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                   "ebs-fargate-performance-limits.html")
#: That page's table, (vCPUs requested, baseline EBS IOPS at 16 KiB I/O, baseline EBS
#: throughput MiB/s at 128 KiB I/O), smallest task first.  A documented service limit, not
#: a price; no stored source carries it (facts/fargate_facts.csv has prices and task sizes
#: only), so it lives here, in this one table.  Below 2 vCPUs the page gives no figure.
FARGATE_EBS_BASELINE: tuple[tuple[float, float, float], ...] = (
    (2.0, 3000.0, 75.0), (4.0, 5000.0, 120.0), (8.0, 10000.0, 250.0), (16.0, 15000.0, 500.0))
#: The rejection key when even the largest task's baseline is below the storage need.
FARGATE_EBS_REJECT = "fargate.ebs_above_task_baseline"
#: The table in words, as every Fargate EBS reason cites it (the same text each call:
#: written once, not per profile).
_BASELINE_TAIL = (
    "(baseline per task, shared by its ephemeral storage and its one EBS volume: "
    + "; ".join(f"{v:g} vCPU {b_i:,.0f} IOPS / {b_t:,.0f} MiB/s"
                for v, b_i, b_t in FARGATE_EBS_BASELINE)
    + f"; AWS advises planning on these limits, {FARGATE_EBS_URL})")


@dataclass(frozen=True)
class FargateEbsFloor:
    """The smallest task vCPU whose baseline EBS performance sustains the storage need.

    ``vcpus`` is 0 when the need is within the smallest documented task's baseline (any
    task size, with a caution), None when no task sustains it (Fargate is rejected);
    ``text`` is the reason either way, citing FARGATE_EBS_URL.
    """

    vcpus: float | None
    text: str


def fargate_ebs_floor(iops: float | None, mibps: float | None) -> FargateEbsFloor | None:
    """The task vCPU floor the storage need sets (FARGATE_EBS_BASELINE), None without one.

    AWS: "If you request more than 1 vCPU for your Fargate task, the following baseline
    performance limits apply to an Amazon EBS volume attached to the task. You may
    temporarily get higher EBS performance ... However, we recommend that you plan your
    workload based on these limits", and the limit "is shared between the task's ephemeral
    storage and the attached volume" (FARGATE_EBS_URL).  So the need is compared with the
    baseline (never a burst), whatever ``storage.peak_minutes_per_day`` says; for 0.25-1
    vCPU the page only recommends gp2/gp3 or st1/sc1, so a need within the 2-vCPU baseline
    leaves every task size open, with a caution.
    """
    if not iops and not mibps:
        return None
    i, t = iops or 0.0, mibps or 0.0
    need = "the storage needs " + " and ".join(
        x for x in (f"{i:,.0f} IOPS" if i else "", f"{t:,.0f} MiB/s" if t else "") if x
    ) + " sustained"
    fits = [v for v, b_i, b_t in FARGATE_EBS_BASELINE if b_i >= i and b_t >= t]
    tail = _BASELINE_TAIL
    if not fits:
        return FargateEbsFloor(None, f"Fargate is not offered: {need}, above even a 16 vCPU "
                                     f"task's baseline {tail}; EC2 carries it.")
    v = fits[0]
    if v == FARGATE_EBS_BASELINE[0][0]:
        return FargateEbsFloor(0.0, (
            f"{need[0].upper()}{need[1:]}, within a 2 vCPU task's baseline {tail}; AWS gives "
            "no figure for 0.25-1 vCPU tasks (it recommends gp2/gp3 or st1/sc1 there), so "
            "measure it on a smaller task."))
    return FargateEbsFloor(v, f"At least {v:g} vCPU per task: {need}, and a task's EBS "
                              f"baseline grows with its vCPUs {tail}.")


FARGATE_STORAGE_URL = ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                       "fargate-task-storage.html")
#: GiB every Fargate task includes, and the most its task definition may configure
#: (``ephemeralStorage.sizeInGiB``, FARGATE_STORAGE_URL).
FARGATE_INCLUDED_GIB = 20
FARGATE_MAX_GIB = 200
