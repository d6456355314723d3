"""Storage options: EBS type and provisioning, instance store, EFS and S3 (PERF03).

Every EBS figure (limits, included IOPS/throughput, HDD baseline per TiB, prices) comes
from the catalog's ``ebs`` table; S3 and EFS prices from ``unit_prices``.  Each volume type
is checked against the need (a hard filter counted by reason), sized (HDD size grows until
its baseline throughput covers the need; SSD size grows until its IOPS-per-GiB ratio
allows the IOPS) and priced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.profile import WorkloadProfile
from recommender.rules.base import (
    PERF01_COST,
    PERF03_CONFIG,
    PERF03_PURPOSE,
    Candidate,
    Rejections,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.candidates import MIB_IN_MB
from recommender.rules.prices import PriceBook, per_catalog

#: S3 storage class per access frequency (unknown -> Intelligent-Tiering, which moves
#: objects between tiers by observed access).
S3_CLASS = {"hot": "standard", "warm": "standard_ia", "cold": "glacier_instant",
            "archive": "glacier_deep_archive", None: "intelligent_tiering"}
EFS_CLASS = {"hot": "standard", "warm": "standard", "cold": "ia", "archive": "archive",
             None: "standard"}


def ebs_rows(catalog: Any) -> dict[str, list[dict[str, Any]]]:
    """EBS rows per region as plain dicts (built once per catalog)."""
    def build(c: Any) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in c.ebs.to_dict("records"):
            r = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            out.setdefault(str(r["region"]), []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: str(r["volume_type"]))
        return out
    return per_catalog("ebs_rows", catalog, build)


@dataclass(frozen=True)
class StorageNeed:
    size_gib: float | None
    iops: float | None
    mibps: float | None
    latency_ms: float | None
    pattern: str | None
    sharing: str | None
    persistence: str | None
    frequency: str | None


def storage_need(p: WorkloadProfile) -> StorageNeed | None:
    s = p.storage
    if s is None:
        return None
    return StorageNeed(
        size_gib=s.size_gib.min if s.size_gib else None,
        iops=s.iops.min if s.iops else None,
        mibps=s.throughput_mibps.min if s.throughput_mibps else None,
        latency_ms=s.latency_ms, pattern=s.access_pattern, sharing=s.sharing,
        persistence=s.persistence, frequency=s.access_frequency,
    )


def preferred_volume(n: StorageNeed) -> tuple[str, str]:
    """The volume type the pillar's guidance points to, and why."""
    if n.latency_ms is not None and n.latency_ms < 1:
        return "io2", "sub-millisecond latency needs io2 (Block Express)"
    if n.pattern == "sequential" and n.frequency in ("cold", "archive"):
        return "sc1", "cold, sequential data: sc1 is the lowest-cost block storage"
    if n.pattern == "sequential" and (n.mibps or 0) >= 125 and (n.iops or 0) <= 500:
        return "st1", "large sequential throughput: st1 gives MiB/s per TiB at HDD prices"
    return "gp3", "general purpose SSD: gp3 includes baseline IOPS and throughput at any size"


def _io2_iops_cost(row: dict[str, Any], iops: float) -> float | None:
    """Provisioned IOPS cost through the catalog's io2 tiers (single rate when untiered)."""
    p1 = row.get("iops_usd_per_iops_month")
    if p1 is None:
        return None
    t2, p2 = row.get("iops_tier2_start"), row.get("iops_tier2_usd_per_iops_month")
    t3, p3 = row.get("iops_tier3_start"), row.get("iops_tier3_usd_per_iops_month")
    if t2 is None or p2 is None:
        return iops * p1
    cost = min(iops, t2) * p1
    if iops > t2:
        upper = t3 if (t3 is not None and p3 is not None) else math.inf
        cost += (min(iops, upper) - t2) * p2
        if iops > upper:
            cost += (iops - upper) * p3
    return cost


def evaluate_volume(
    row: dict[str, Any], n: StorageNeed, region: str | None = None
) -> tuple[Candidate | None, str | None]:
    """Size and price one EBS volume type for the need; (None, reject_key) when it cannot.

    ``region`` differs from the row's region when the catalog has no EBS rows for it: the
    limits (the same in every region) are used and the option says it has no price.
    """
    region = region or str(row["region"])
    vt = str(row["volume_type"])
    hdd = str(row["media"]).upper() != "SSD"
    if vt == "standard":
        return None, "ebs.previous_generation"
    if n.latency_ms is not None:
        if n.latency_ms < 1 and row["latency_class"] != "sub-ms":
            return None, "ebs.latency"
        if n.latency_ms < 10 and hdd:
            return None, "ebs.latency"
    if hdd and n.pattern != "sequential":
        return None, "ebs.hdd_needs_sequential_access"
    size = max(n.size_gib or 0.0, float(row["size_min_gib"]))
    iops_need = n.iops or 0.0
    tp_need = n.mibps or 0.0
    notes = []
    if iops_need and row["iops_max"] is not None and iops_need > row["iops_max"]:
        return None, "ebs.iops_above_volume_max"
    prov_iops = 0.0
    per_gib = row.get("iops_per_gib_max")
    inc_iops = row.get("included_iops") or 0.0
    # gp3's included IOPS come at any size; only IOPS above them need the per-GiB ratio.
    if iops_need > inc_iops and per_gib and vt in ("gp3", "io1", "io2"):
        need_size = math.ceil(iops_need / per_gib)
        if need_size > size:
            notes.append(f"size raised to {need_size} GiB for the IOPS ratio ({per_gib:g}/GiB)")
            size = float(need_size)
    if vt == "gp2" and iops_need:
        need_size = math.ceil(iops_need / 3.0)  # gp2 baseline: 3 IOPS per GiB
        if need_size > size:
            notes.append(f"size raised to {need_size} GiB for gp2's IOPS per GiB")
            size = float(need_size)
    base_tib = row.get("baseline_throughput_mibps_per_tib")
    if hdd and tp_need and base_tib:
        need_size = math.ceil(tp_need / base_tib * 1024)
        if need_size > size:
            notes.append(f"size raised to {need_size} GiB so the baseline throughput "
                         f"({base_tib:g} MiB/s per TiB) covers {fmt_num(tp_need)} MiB/s")
            size = float(need_size)
    if row["throughput_max_mibps"] is not None and tp_need > row["throughput_max_mibps"]:
        return None, "ebs.throughput_above_volume_max"
    if size > float(row["size_max_gib"]):
        return None, "ebs.size_above_volume_max"
    cost = size * float(row["storage_usd_per_gb_month"])
    config: dict[str, Any] = {"size_gib": size, "volume_type": vt}
    inc_tp = row.get("included_throughput_mibps") or 0.0
    priced = True
    if vt == "gp3":
        prov_iops = max(iops_need, inc_iops)
        prov_tp = max(tp_need, inc_tp)
        extra_i = max(0.0, prov_iops - inc_iops)
        extra_t = max(0.0, prov_tp - inc_tp)
        if extra_i and row.get("iops_usd_per_iops_month") is None:
            priced = False
        if extra_t and row.get("throughput_usd_per_mibps_month") is None:
            priced = False
        cost += extra_i * (row.get("iops_usd_per_iops_month") or 0.0)
        cost += extra_t * (row.get("throughput_usd_per_mibps_month") or 0.0)
        config.update(iops=prov_iops, throughput_mibps=prov_tp)
    elif vt in ("io1", "io2"):
        prov_iops = max(iops_need, row.get("iops_min") or 0.0)
        ic = _io2_iops_cost(row, prov_iops)
        if ic is None:
            priced = False
        else:
            cost += ic
        config.update(iops=prov_iops)
    elif hdd and base_tib:
        config.update(baseline_throughput_mibps=min(size / 1024 * base_tib,
                                                    row["throughput_max_mibps"] or math.inf))
    elif vt == "gp2":
        config.update(baseline_iops=min(max(100.0, 3 * size), row["iops_max"] or math.inf))
    rs = [reason("storage.size", PERF03_CONFIG,
                 f"{vt} {fmt_num(size)} GiB" + (f" ({'; '.join(notes)})" if notes else "")
                 + f"; latency class {row['latency_class']}.")]
    if n.size_gib is None:
        rs.append(reason("storage.size_unknown", PERF03_CONFIG,
                         "storage.size_gib not given: priced at the volume's minimum size.",
                         "caution"))
    if region != str(row["region"]):
        priced = False
        rs.append(reason("storage.price", PERF01_COST,
                         f"No {vt} price in the catalog for {region} (limits as in "
                         f"{row['region']}).", "caution"))
    elif not priced:
        rs.append(reason("storage.price", PERF01_COST,
                         f"No provisioned IOPS/throughput price for {vt} in {region}.",
                         "caution"))
    else:
        rs.append(reason("storage.monthly_cost", PERF01_COST,
                         f"{fmt_usd(cost)}/month in {region}."))
    if row.get("verify"):
        rs.append(reason("catalog.verify", PERF01_COST,
                         f"The catalog's source marks the {vt} figures as unverified.", "verify"))
    return Candidate(vt, "ebs", cost if priced else None, rs, config=config,
                     verify=bool(row.get("verify")), purchase_option=None), None


def _object_or_file(
    option: str, item: str, n: StorageNeed, book: PriceBook, region: str, why: str,
    config: dict[str, Any],
) -> Candidate:
    size = n.size_gib
    priced = book.cost(item, region, size or 0.0)
    rs = [reason(f"storage.{option}", PERF03_PURPOSE, why)]
    cost = None
    if priced is None:
        rs.append(reason("storage.price", PERF01_COST,
                         f"No price for {item} in {region} in the catalog.", "caution"))
    elif size is None:
        rs.append(reason("storage.size_unknown", PERF01_COST,
                         f"storage.size_gib not given: {fmt_usd(priced.unit_price_usd)} per "
                         "GB-month.", "caution"))
    else:
        cost = priced.usd
        rs.append(reason("storage.monthly_cost", PERF01_COST,
                         f"{fmt_usd(cost)}/month for {fmt_num(size)} GiB (storage only; requests "
                         "and retrieval extra)."))
    verify = bool(priced and priced.verify)
    if verify:
        rs.append(reason("catalog.verify", PERF01_COST, f"{item} is marked unverified.", "verify"))
    return Candidate(option, option, cost, rs, config=config, verify=verify, purchase_option=None)


def storage_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, rej: Rejections,
    instance_store: dict[str, Any] | None = None,
) -> list[Candidate]:
    """All storage options that meet the need (unranked), rejections counted in ``rej``.

    Parameters
    ----------
    p : WorkloadProfile
    catalog : Catalog
    book : PriceBook
    region : str
    rej : Rejections
    instance_store : dict, optional
        The best EC2 candidate with local SSD large enough (from the compute stage), offered
        for scratch data.

    Returns
    -------
    list of Candidate
        EBS volume types sized and priced, instance store, EFS or S3 as the need calls for.
    """
    n = storage_need(p)
    if n is None:
        return []
    out: list[Candidate] = []
    pref, why = preferred_volume(n)
    block_ok = n.sharing in (None, "single_instance")
    by_region = ebs_rows(catalog)
    rows = by_region.get(region) or by_region.get("us-east-1") or next(
        iter(by_region.values()), [])
    for row in rows:
        if not block_ok:
            rej.add("ebs.not_a_shared_or_web_store")
            continue
        cand, key = evaluate_volume(row, n, region)
        if cand is None:
            rej.add(key or "ebs.other", example=str(row["volume_type"]))
            continue
        fit = 1.0 if cand.option == pref else (0.6 if cand.option == "gp2" else 0.75)
        if cand.option == pref:
            cand.reasons.insert(0, reason("storage.volume_type", PERF03_PURPOSE, why[0].upper()
                                          + why[1:] + "."))
        cand.components = {"fit": fit}
        out.append(cand)
    # Closest first: the volumes whose limit comes nearest to the need.
    limit = {"ebs.iops_above_volume_max": "iops_max",
             "ebs.throughput_above_volume_max": "throughput_max_mibps",
             "ebs.size_above_volume_max": "size_max_gib"}
    by_type = {str(r["volume_type"]): r for r in rows}
    for key, col in limit.items():
        if key in rej.examples:
            rej.examples[key].sort(key=lambda v: -(by_type.get(v, {}).get(col) or 0.0))
    if n.persistence == "scratch" and instance_store is not None and block_ok:
        c = Candidate(
            "instance_store", "instance_store", instance_store.get("monthly_cost_usd"),
            [reason("storage.instance_store", PERF03_PURPOSE,
                    f"Scratch data at high IOPS: {instance_store['instance_type']} has "
                    f"{fmt_num(instance_store['store_gib'])} GiB of local "
                    f"{'NVMe ' if instance_store.get('nvme') else ''}SSD, lost when the "
                    "instance stops; priced as that instance (storage included).")],
            config={"instance_type": instance_store["instance_type"],
                    "size_gib": instance_store["store_gib"]},
            purchase_option=None, components={"fit": 1.0},
        )
        out.append(c)
    if n.sharing == "multi_instance":
        cls = EFS_CLASS[n.frequency]
        c = _object_or_file("efs", f"efs.{cls}.storage_gb_month", n, book, region,
                            "Many instances share files: EFS is a shared, elastic NFS file "
                            f"system ({cls} class for {n.frequency or 'unknown'} access).",
                            {"storage_class": cls})
        if n.latency_ms is not None and n.latency_ms < 1:
            c.reasons.append(reason("storage.latency", PERF03_CONFIG,
                                    "EFS latency is in milliseconds, above the sub-ms target.",
                                    "caution"))
            c.risk = 3.0
        c.components = {"fit": 1.0}
        out.append(c)
    if n.sharing == "web" or (n.sharing is None and n.frequency in ("cold", "archive")):
        cls = S3_CLASS[n.frequency]
        c = _object_or_file("s3", f"s3.{cls}.storage_gb_month", n, book, region,
                            "Object access (web or archival): S3 with the "
                            f"{cls} class for {n.frequency or 'unknown'} access frequency.",
                            {"storage_class": cls})
        c.components = {"fit": 1.0 if n.sharing == "web" else 0.8}
        out.append(c)
    return out


def cross_check_instance(
    cand: Candidate, n: StorageNeed, limits: dict[str, float], itype: str
) -> float:
    """Check an EBS option against the chosen instance's EBS limits; returns the risk 0-4."""
    risk = 0.0
    checks = (("IOPS", n.iops, limits.get("base_iops"), limits.get("max_iops"), 1.0),
              ("throughput MiB/s", n.mibps, limits.get("base_mbps"), limits.get("max_mbps"),
               MIB_IN_MB))
    for label, need, base, peak, unit in checks:
        if not need or base is None or np.isnan(base):
            continue
        need_u = need * unit
        if peak is not None and not np.isnan(peak) and need_u > peak:
            risk = max(risk, 4.0)
            cand.reasons.append(reason("storage.instance_limit", PERF03_CONFIG,
                                       f"{itype} caps EBS {label} at {fmt_num(peak)}, below the "
                                       f"need {fmt_num(need_u)}.", "caution"))
        elif need_u > base:
            risk = max(risk, 2.0)
            cand.reasons.append(reason("storage.instance_limit", PERF03_CONFIG,
                                       f"{itype} sustains {fmt_num(base)} EBS {label} and bursts "
                                       f"to {fmt_num(peak or base)}: the need "
                                       f"{fmt_num(need_u)} relies on burst.", "caution"))
        else:
            cand.reasons.append(reason("storage.instance_limit", PERF03_CONFIG,
                                       f"{itype} sustains {fmt_num(base)} EBS {label}, enough "
                                       f"for {fmt_num(need_u)}."))
    return risk
