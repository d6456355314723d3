"""SSD I/O size, gp2's size-bound baseline and io1/io2 IOPS per throughput (PERF03).

An SSD IOPS moves at most one 256 KiB I/O (EBS I/O characteristics), so throughput is IOPS
x I/O size; gp2's baseline IOPS, and with them its sustained throughput, scale with its
size (General Purpose SSD page); io1 and io2 carry their throughput per provisioned IOPS as
the Provisioned IOPS SSD page says (:func:`piops_iops_for_throughput`).  Used by
:mod:`recommender.rules.storage.ebs`.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import fmt_num

GENERAL_PURPOSE_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html"
#: "I/O size is capped at 256 KiB for SSD volumes" (EBS I/O characteristics), so an SSD
#: IOPS moves at most 256 KiB: throughput = IOPS x I/O size.
SSD_MAX_IO_KIB = 256.0
EBS_IO_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html"


def ssd_io_kib(io_size_kib: float | None) -> float:
    """The I/O size one SSD IOPS moves: the profile's, at most (and by default) 256 KiB."""
    return min(io_size_kib or SSD_MAX_IO_KIB, SSD_MAX_IO_KIB)


def iops_for_io(mibps: float, io_size_kib: float | None) -> float:
    """IOPS that carry ``mibps`` when each moves one I/O of the size (:func:`ssd_io_kib`)."""
    return float(math.ceil(mibps * 1024.0 / ssd_io_kib(io_size_kib) - 1e-9)) if mibps else 0.0


def instance_io_count(iops: float | None, mibps: float | None,
                      io_size_kib: float | None) -> float | None:
    """The I/O operations a second an instance's EBS IOPS limit must carry: ``iops``, or
    more when ``mibps`` at ``io_size_kib`` is more I/Os ("Amazon EBS counts each I/O
    operation per second (that is 256 KiB or smaller) as one IOPS", :data:`EBS_IO_URL`).
    Without an I/O size the throughput's I/O count is unknown: ``iops`` alone.  The one rule
    of the EC2 filter, Fargate's task floor and the storage cross-check."""
    if io_size_kib is None or not mibps:
        return iops
    return max(iops or 0.0, iops_for_io(mibps, io_size_kib))


def gp2_baseline(row: dict[str, Any], size_gib: float,
                 io_size_kib: float | None = None) -> tuple[float, float]:
    """gp2's baseline IOPS and the throughput they sustain at ``size_gib``.

    The General Purpose SSD page (:data:`GENERAL_PURPOSE_URL`, "gp2 volume performance"):
    baseline IOPS are 3 per GiB (``iops_per_gib_max``) between a minimum of 100
    (``iops_min``, volumes of 33.33 GiB and smaller) and 16,000 (``iops_max``); throughput
    is "IOPS performance x I/O size in KiB" up to 250 MiB/s (``throughput_max_mibps``), the
    I/O size at most 256 KiB (:data:`SSD_MAX_IO_KIB`): 334 GiB is "the min size for max
    throughput" (1,002 IOPS x 256 KiB).  Burst IOPS (to 3,000 below 1 TiB, from a credit
    balance) are not counted: the baseline is what the volume sustains.
    """
    per_gib = float(row.get("iops_per_gib_max") or 0.0)
    iops = max(float(row.get("iops_min") or 0.0), per_gib * size_gib)
    iops = min(iops, float(row.get("iops_max") or math.inf))
    mibps = iops * ssd_io_kib(io_size_kib) / 1024.0
    return iops, min(mibps, float(row.get("throughput_max_mibps") or math.inf))


def gp2_size_for(row: dict[str, Any], iops: float, mibps: float,
                 io_size_kib: float | None = None) -> tuple[int, str | None]:
    """Smallest gp2 size (GiB) whose baseline (:func:`gp2_baseline`) carries ``iops`` and
    ``mibps``, and the note saying why; (0, None) when the 100-IOPS minimum already does
    (any size: "volumes 33.33 GiB and smaller are provisioned with the minimum of 100 IOPS",
    :data:`GENERAL_PURPOSE_URL`)."""
    per_gib = row.get("iops_per_gib_max")
    if not per_gib:
        return 0, None
    kib = ssd_io_kib(io_size_kib)
    tp_iops = iops_for_io(mibps, io_size_kib)
    need = max(iops, tp_iops)
    if need <= float(row.get("iops_min") or 0.0):
        return 0, None
    size = math.ceil(need / float(per_gib) - 1e-9)
    why = f"for gp2's baseline of {float(per_gib):g} IOPS per GiB"
    if tp_iops > iops:
        why += (f": {fmt_num(mibps)} MiB/s at {fmt_num(kib)} KiB I/O needs "
                f"{fmt_num(tp_iops)} IOPS ({GENERAL_PURPOSE_URL})")
    return size, why


#: Provisioned IOPS SSD volumes (https://docs.aws.amazon.com/ebs/latest/userguide/
#: provisioned-iops.html): io1 "provisioned with up to 32,000 IOPS support a maximum I/O
#: size of 256 KiB and yield as much as 500 MiB/s of throughput"; above 32,000 IOPS they
#: "yield a linear increase in throughput at a rate of 16 KiB per provisioned IOPS" (1,000
#: MiB/s at 64,000); io2 Block Express "scales proportionally up to 0.256 MiB/s per
#: provisioned IOPS" (4,000 MiB/s from 16,000 IOPS).  The 256 KiB is the SSD I/O cap of
#: ``storage.ssd`` (:data:`SSD_MAX_IO_KIB`).
IO1_LOW_MAX_MIBPS = 500.0
IO1_HIGH_KIB_PER_IOPS = 16.0
IO2_MIBPS_PER_IOPS = 0.256


def piops_iops_for_throughput(volume_type: str, mibps: float,
                              io_size_kib: float | None = None) -> float:
    """IOPS an io1 or io2 (Block Express) volume needs for ``mibps`` at the I/O size.

    Each provisioned IOPS moves at most one I/O of ``min(io_size_kib, 256)`` KiB (256 KiB,
    the largest, when the size is not given: the fewest IOPS that can carry the throughput).
    io1: up to 500 MiB/s at that size per IOPS (2,000 IOPS at 256 KiB), beyond it 16 KiB
    per IOPS (750 MiB/s needs 48,000 IOPS); io2: 0.256 MiB/s per IOPS at 256 KiB (1,000
    MiB/s needs 3,907 IOPS) and, at a smaller I/O, the I/O count, since "Amazon EBS counts
    each I/O operation per second (that is 256 KiB or smaller) as one IOPS"
    (:data:`EBS_IO_URL`): 500 MiB/s of 4 KiB I/O needs 500 x 1,024 / 4 = 128,000 IOPS (the
    page's ratio scaled down to 4 KiB, 0.004 MiB/s, gave 125,000, which move 488 MiB/s).
    The page's figures: :data:`SSD_MAX_IO_KIB`,
    :data:`IO1_LOW_MAX_MIBPS`, :data:`IO1_HIGH_KIB_PER_IOPS`, :data:`IO2_MIBPS_PER_IOPS`.
    """
    if not mibps:
        return 0.0
    kib = ssd_io_kib(io_size_kib)
    if volume_type == "io2":
        # AWS's ratio at the largest I/O; below it each I/O is one IOPS (EBS_IO_URL), so
        # the IOPS are the I/O count: 0.256 x 4 / 256 = 0.004 MiB/s per IOPS would let one
        # 4 KiB I/O move 4.096 KiB.
        per_iops = IO2_MIBPS_PER_IOPS if kib >= SSD_MAX_IO_KIB else kib / 1024.0
    elif mibps <= IO1_LOW_MAX_MIBPS:
        per_iops = kib / 1024.0
    else:
        per_iops = min(kib, IO1_HIGH_KIB_PER_IOPS) / 1024.0
    return float(math.ceil(mibps / per_iops - 1e-9))
