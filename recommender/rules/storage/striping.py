"""Striping EBS volumes (RAID 0) when one volume cannot hold the size or reach the IOPS or
throughput (PERF03).

The EBS RAID guide (https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html)
stripes N identical volumes into one RAID 0 array whose IOPS and throughput are the sum of
its volumes', capped by the instance's EBS bandwidth and IOPS limits, and advises against
RAID 5/6 (parity writes eat IOPS).  Each volume type whose single-volume maximum is below
the need is tried with the fewest volumes that carry it: every volume is sized and priced by
:func:`evaluate_volume` for its share, and the array is checked against the instance's EBS
limits (or, with no instance chosen, against the largest EBS limit in the catalog).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from recommender.rules.base import (
    PERF03_CONFIG,
    Candidate,
    Rejections,
    cost_reason,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.candidates import MIB_IN_MB
from recommender.rules.storage.ebs import evaluate_volume, iops_needed, latency_fit
from recommender.rules.storage.need import StorageNeed

RAID_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html"
#: Volume types striped when one volume falls short: the SSD types for size, IOPS or
#: throughput, and the HDD types st1/sc1 too, whose size (16 TiB) and throughput (500 and
#: 250 MiB/s) maxima an array's sum passes ("the resulting size of a RAID 0 array is the
#: sum of the sizes of the volumes within it, and the bandwidth is the sum of the available
#: bandwidth of the volumes within it", :data:`RAID_URL`); gp2 is previous to gp3.
STRIPE_TYPES = ("gp3", "io2", "io1", "st1", "sc1")


def stripe_count(row: dict[str, Any], n: StorageNeed) -> int:
    """Fewest volumes of ``row``'s type whose summed maxima carry the need (1 = no striping).

    Size counts too: "EBS currently supports a maximum volume size of 64 TiB" (io2 Block
    Express; gp3 the same, io1 16 TiB: the catalog's ``size_max_gib``,
    https://docs.aws.amazon.com/ebs/latest/userguide/volume_constraints.html), and "the
    resulting size of a RAID 0 array is the sum of the sizes of the volumes within it"
    (:data:`RAID_URL`), so more data than one volume holds is striped across volumes.
    """
    k = 1
    if n.size_gib and row.get("size_max_gib"):
        k = max(k, math.ceil(n.size_gib / float(row["size_max_gib"])))
    iops = iops_needed(row, n)  # with the IOPS its throughput needs at the I/O size
    if iops and row.get("iops_max"):
        k = max(k, math.ceil(iops / float(row["iops_max"])))
    if n.mibps and row.get("throughput_max_mibps"):
        k = max(k, math.ceil(n.mibps / float(row["throughput_max_mibps"])))
    return k


def _instance_limit_text(n: StorageNeed, instance: dict[str, Any] | None,
                         largest: tuple[float, float], iops: float | None = None) -> str | None:
    """Why the array cannot run on the instance (or on any instance), else None; ``iops``:
    the array's IOPS when its throughput at the I/O size needs more than ``n.iops``."""
    max_iops, max_mbps = largest
    name = "any instance in the catalog"
    if instance is not None:
        max_iops = instance.get("max_iops") or math.nan
        max_mbps = instance.get("max_mbps") or math.nan
        name = str(instance.get("instance_type"))
    iops = max(iops or 0.0, n.iops or 0.0)
    if iops and not math.isnan(max_iops) and iops > max_iops:
        return f"{name} caps EBS at {fmt_num(max_iops)} IOPS, below {fmt_num(iops)}"
    need_mbps = (n.mibps or 0.0) * MIB_IN_MB
    if need_mbps and not math.isnan(max_mbps) and need_mbps > max_mbps:
        return (f"{name} caps EBS at {fmt_num(max_mbps)} MB/s, below {fmt_num(need_mbps)} MB/s "
                f"({fmt_num(n.mibps or 0)} MiB/s)")
    return None


def striped_options(
    n: StorageNeed, rows: list[dict[str, Any]], region: str, rej: Rejections, *,
    instance: dict[str, Any] | None = None, largest: tuple[float, float] = (math.nan, math.nan),
) -> list[Candidate]:
    """RAID 0 arrays of the SSD types one volume of which falls short of the need.

    Parameters
    ----------
    rows : list of dict
        The region's EBS rows (``ebs_rows``).
    instance : dict, optional
        The chosen instance's EBS limits (``max_iops``, ``max_mbps``, ``instance_type``).
    largest : (float, float)
        The largest EBS IOPS and MB/s of any instance type, used when no instance is chosen.
    """
    if n.sharing not in (None, "single_instance") or not (n.iops or n.mibps or n.size_gib):
        return []
    out = []
    for row in rows:
        vt = str(row["volume_type"])
        k = stripe_count(row, n)
        if vt not in STRIPE_TYPES or k <= 1 or _hdd_unsuited(row, n):
            continue
        why_not = _instance_limit_text(n, instance, largest, iops_needed(row, n))
        if why_not is not None:
            rej.add("storage.striping_above_instance_ebs_limit", example=f"{k} x {vt}")
            continue
        share = dataclasses.replace(
            n, size_gib=None if n.size_gib is None else math.ceil(n.size_gib / k),
            iops=None if n.iops is None else math.ceil(n.iops / k),
            mibps=None if n.mibps is None else n.mibps / k)
        one, key = evaluate_volume(row, share, region)
        if one is None:
            rej.add(f"storage.striping_{key or 'other'}", example=f"{k} x {vt}")
            continue
        out.append(_array(one, k, n, row))
    return out


def _hdd_unsuited(row: dict[str, Any], n: StorageNeed) -> bool:
    """Whether ``row`` is st1/sc1 and the need is not theirs: HDD serves sequential access
    at a tens-of-ms latency class (https://docs.aws.amazon.com/ebs/latest/userguide/
    hdd-vols.html); the single volume's rejection already counts it."""
    if str(row["media"]).upper() == "SSD":
        return False
    return n.pattern != "sequential" or (
        n.latency_ms is not None and latency_fit(str(row["latency_class"]), n.latency_ms)
        == "fails")


def _array(one: Candidate, k: int, n: StorageNeed, row: dict[str, Any]) -> Candidate:
    """The RAID 0 array of ``k`` volumes like ``one``."""
    vt = one.option
    cost = None if one.monthly_cost_usd is None else one.monthly_cost_usd * k
    limits = []
    if n.size_gib and row.get("size_max_gib") and n.size_gib > float(row["size_max_gib"]):
        limits.append(f"{fmt_num(n.size_gib)} GiB > one {vt}'s {fmt_num(row['size_max_gib'])} "
                      "GiB maximum")
    if n.iops and row.get("iops_max"):
        limits.append(f"{fmt_num(n.iops)} IOPS > one {vt}'s {fmt_num(row['iops_max'])}")
    if n.mibps and row.get("throughput_max_mibps"):
        limits.append(f"{fmt_num(n.mibps)} MiB/s vs one {vt}'s "
                      f"{fmt_num(row['throughput_max_mibps'])}")
    rs = [reason("storage.striping", PERF03_CONFIG,
                 f"RAID 0 across {k} x {vt}: {'; '.join(limits)}, so {k} volumes each carry "
                 f"1/{k} of the IOPS and throughput; the array's performance is the sum, "
                 f"bounded by the instance's EBS limits; a lost volume loses the array "
                 f"({RAID_URL}).", "caution"),
          *_per_volume(one.reasons)]
    if cost is not None:
        rs.append(cost_reason("storage",
                              f"{fmt_usd(cost)}/month = {k} x {fmt_usd(one.monthly_cost_usd)} "
                              "(https://aws.amazon.com/ebs/pricing/)."))
    config = {**one.config, "volumes": k, "raid": "raid0",
              "size_gib_per_volume": one.config.get("size_gib"),
              "size_gib": (one.config.get("size_gib") or 0) * k}
    if "iops" in one.config:
        config["iops_per_volume"] = one.config["iops"]
        config["iops"] = one.config["iops"] * k
    if "baseline_throughput_mibps" in one.config:  # st1/sc1: each volume's baseline adds up
        config["baseline_throughput_mibps_per_volume"] = one.config["baseline_throughput_mibps"]
        config["baseline_throughput_mibps"] = one.config["baseline_throughput_mibps"] * k
    if "throughput_mibps" in one.config:
        config["throughput_mibps_per_volume"] = one.config["throughput_mibps"]
        config["throughput_mibps"] = one.config["throughput_mibps"] * k
    return Candidate(vt, "ebs", cost, rs, config=config, count=k, verify=one.verify,
                     purchase_option=None, risk=max(one.risk, 1.0),
                     components={"fit": 0.7}, unpriced=list(one.unpriced))


def _per_volume(reasons: list[Any]) -> list[Any]:
    """One volume's reasons inside an array: its size says "each volume", and its own
    monthly cost gives way to the array's (``k x`` one volume), so one option never shows
    two monthly figures."""
    out = []
    for r in reasons:
        if r.rule == "storage.monthly_cost":
            continue
        if r.rule == "storage.size":
            r = r.model_copy(update={"text": "Each volume: " + r.text})
        out.append(r)
    return out
