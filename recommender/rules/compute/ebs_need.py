"""The I/O operations a second a compute option's EBS limit must carry for the storage need.

Shared by the EC2 filters (``select.build_table``) and Fargate's task EBS floor
(``fargate._task_storage_need``), so both count the storage's I/O the same way the storage
rules count it at the instance (``rules.storage.block.instance_iops``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recommender.rules.compute.index import Ec2Index
from recommender.rules.compute.risk import EBS_BURST_MINUTES_PER_DAY, EBS_OPTIMIZED_URL
from recommender.rules.storage.ssd import instance_io_count


def ebs_iops_need(s: Any) -> float | None:
    """The I/O operations a second the instance's EBS limit must carry for storage ``s``:
    its IOPS, or more when its throughput at ``io_size_kib`` makes more I/Os.

    "Amazon EBS counts each I/O operation per second (that is 256 KiB or smaller) as one
    IOPS" (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html), and
    an instance's EBS limits are IOPS as well as MB/s (EBS-optimized instances): 500 MiB/s of
    4 KiB I/O is 500 x 1,024 / 4 = 128,000 IOPS at the instance.  The storage rules check a
    volume with the same rule (``rules.storage.ssd.instance_io_count``).  Without an I/O size the
    throughput's I/O count is unknown: the profile's IOPS alone.
    """
    return instance_io_count(s.iops.min if s.iops else None,
                             s.throughput_mibps.min if s.throughput_mibps else None,
                             s.io_size_kib)


def holds_scratch(ix: Ec2Index, gib: float) -> np.ndarray:
    """Types whose SSD instance store holds ``gib`` of scratch data: on them the scratch
    data needs no EBS volume, so EBS limits do not bind ("Instance store is ideal for
    temporary storage ... scratch data",
    https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html)."""
    held: np.ndarray = ix.store_ssd & (ix.store_gib >= max(gib, 1e-9))
    return held


def ebs_why(ix: Ec2Index, ctx: Any, i: int, limit: tuple[float, float]) -> str:
    """Why type ``i`` fails ``candidates.filter_ebs`` (``ctx`` its FilterContext), from the
    limits the filter compared."""
    need = (f"the storage needs {ctx.ebs_iops or 0:g} IOPS and {ctx.ebs_mibps or 0:g} MiB/s"
            + (f" and the type has no SSD instance store for its {ctx.scratch_gib:g} GiB of "
               "scratch data" if ctx.scratch_gib is not None else ""))
    if not ctx.ebs_sustained:
        return (f"{ix.types[i]} reaches at most {limit[0]:g} EBS IOPS and {limit[1]:g} MB/s "
                f"even at its maximum (EBS-optimized instances, {EBS_OPTIMIZED_URL}); {need}")
    return (f"{ix.types[i]} sustains {limit[0]:g} EBS IOPS and {limit[1]:g} MB/s (its "
            f"baseline); its maximum ({ix.ebs_max_iops[i]:g} IOPS, {ix.ebs_max_mbps[i]:g} "
            f"MB/s) is guaranteed only {EBS_BURST_MINUTES_PER_DAY} minutes at least once "
            f"every 24 hours (EBS-optimized instances, {EBS_OPTIMIZED_URL}) and {need}, "
            f"taken as sustained (storage.peak_minutes_per_day absent or above "
            f"{EBS_BURST_MINUTES_PER_DAY})")
