"""The I/O operations a second a compute option's EBS limit must carry for the storage need.

Shared by the EC2 filters (``select.build_table``) and Fargate's task EBS floor
(``fargate._task_storage_need``), so both count the storage's I/O the same way the storage
rules count it at the instance (``rules.storage.block.instance_iops``).
"""

from __future__ import annotations

from typing import Any

from recommender.rules.storage.ssd import iops_for_io


def ebs_iops_need(s: Any) -> float | None:
    """The I/O operations a second the instance's EBS limit must carry for storage ``s``:
    its IOPS, or more when its throughput at ``io_size_kib`` makes more I/Os.

    "Amazon EBS counts each I/O operation per second (that is 256 KiB or smaller) as one
    IOPS" (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html), and
    an instance's EBS limits are IOPS as well as MB/s (EBS-optimized instances): 500 MiB/s of
    4 KiB I/O is 500 x 1,024 / 4 = 128,000 IOPS at the instance.  The storage rules check a
    volume the same way (``rules.storage.block.instance_iops``).  Without an I/O size the
    throughput's I/O count is unknown: the profile's IOPS alone.
    """
    iops = s.iops.min if s.iops else None
    if s.io_size_kib is None or not s.throughput_mibps or not s.throughput_mibps.min:
        return iops
    return max(iops or 0.0, iops_for_io(s.throughput_mibps.min, s.io_size_kib))
