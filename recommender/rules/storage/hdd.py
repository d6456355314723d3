"""st1 and sc1 sized for a daily peak by their burst bucket (PERF03).

The EBS HDD volumes page (https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html)
gives st1 and sc1 a burst-bucket model: the volume earns throughput credits at its baseline
(st1 40, sc1 12 MiB/s per TiB, the catalog's ``baseline_throughput_mibps_per_tib``), spends
them at up to its burst rate (st1 250, sc1 80 MiB/s per TiB, ``burst_throughput_mibps_per_tib``,
capped at ``throughput_max_mibps``), and "can hold up to 1 TiB-worth of credits" per TiB.
A load that runs at T MiB/s for P minutes a day (``storage.peak_minutes_per_day``) is carried
by a volume of S GiB (b, u: baseline and burst MiB/s per GiB) when

* its burst rate reaches the peak: u x S >= T;
* a full bucket lasts the peak: (T - b x S) x 60 P <= S x 1,024 MiB (1 TiB per TiB);
* the day earns back what the peak spends: T x P <= b x S x 1,440 (the daily average fits
  the baseline), which holds only if the rest of the day's load stays below the baseline.

The smallest such S (never above the baseline size, which sustains T all day) is the size.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import PERF03_CONFIG, fmt_num, reason
from recommender.rules.storage.need import StorageNeed

HDD_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html"
#: Credits a full bucket holds per GiB of volume, MiB: "up to 1 TiB-worth of credits" per TiB.
BUCKET_MIB_PER_GIB = 1024.0
MINUTES_PER_DAY = 1440.0


def hdd_burst_size(row: dict[str, Any], mibps: float,
                   peak_minutes: float | None) -> tuple[int, str] | None:
    """The smallest st1/sc1 size (GiB) whose burst bucket carries ``mibps`` for
    ``peak_minutes`` a day, with the note saying why; None when the row has no burst figures,
    the load is not a peak, or the burst rate cannot reach it (see the module docstring)."""
    base_tib = row.get("baseline_throughput_mibps_per_tib")
    burst_tib = row.get("burst_throughput_mibps_per_tib")
    cap = row.get("throughput_max_mibps")
    if not (base_tib and burst_tib and mibps and peak_minutes) or peak_minutes >= MINUTES_PER_DAY:
        return None
    if cap is not None and mibps > float(cap):
        return None
    b, u = float(base_tib) / 1024.0, float(burst_tib) / 1024.0
    seconds = 60.0 * peak_minutes
    size = max(mibps / u,                                     # the burst rate reaches T
               mibps * seconds / (BUCKET_MIB_PER_GIB + seconds * b),  # the bucket lasts P
               mibps * peak_minutes / (b * MINUTES_PER_DAY))  # the day refills it
    gib = math.ceil(size - 1e-9)
    lasts = gib * BUCKET_MIB_PER_GIB / max(mibps - b * gib, 1e-9) / 60.0
    note = (f"size {gib} GiB so its burst ({fmt_num(float(burst_tib))} MiB/s per TiB) carries "
            f"{fmt_num(mibps)} MiB/s for the {fmt_num(peak_minutes)}-minute daily peak: a full "
            f"credit bucket (1 TiB per TiB) lasts {fmt_num(round(lasts))} minutes at that rate "
            f"and the {fmt_num(round(b * gib, 1))} MiB/s baseline earns it back within the day "
            f"if the rest of the day's load stays below the baseline ({HDD_URL})")
    return gib, note


def hdd_burst_reason(row: dict[str, Any], n: StorageNeed, size: float) -> Any | None:
    """The caution of an st1/sc1 volume whose baseline is below the need: it carries the
    daily peak on burst credits (:func:`hdd_burst_size`)."""
    base_tib = row.get("baseline_throughput_mibps_per_tib")
    if str(row["media"]).upper() == "SSD" or not base_tib or not n.mibps:
        return None
    base = size / 1024.0 * float(base_tib)
    if n.mibps <= base:
        return None
    return reason("storage.hdd_burst", PERF03_CONFIG,
                  f"{row['volume_type']} {fmt_num(size)} GiB sustains {fmt_num(round(base, 1))} "
                  f"MiB/s (its baseline) and bursts to {fmt_num(n.mibps)} MiB/s on credits for "
                  f"the {fmt_num(n.peak_minutes_per_day or 0)}-minute daily peak: the rest of the "
                  f"day must stay below the baseline to earn them back; watch BurstBalance "
                  f"({HDD_URL}).", "caution")
