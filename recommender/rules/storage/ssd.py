"""SSD I/O size and gp2's size-bound baseline (PERF03).

An SSD IOPS moves at most one 256 KiB I/O (EBS I/O characteristics), so throughput is IOPS
x I/O size; gp2's baseline IOPS, and with them its sustained throughput, scale with its
size (General Purpose SSD page).  Used by :mod:`recommender.rules.storage.ebs`.
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
