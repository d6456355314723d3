"""Storage options: EBS type and provisioning, instance store, EFS and S3 (PERF03).

Every EBS figure (limits, included IOPS/throughput, HDD baseline per TiB, prices) comes
from the catalog's ``ebs`` table; S3 and EFS prices from ``unit_prices``.  Each volume type
is checked against the need (a hard filter counted by reason), sized (HDD size grows until
its baseline throughput covers the need; SSD size grows until its IOPS-per-GiB ratio
allows the IOPS) and priced.  A latency need admits only the volume types whose
``ebs.latency_class`` can promise it (``LATENCY_CLASS_BOUND_MS``).  EFS and S3 options
(class by access frequency, lifecycle, access charges) live in ``storage_object``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
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
from recommender.rules.compute.candidates import MIB_IN_MB
from recommender.rules.prices import PriceBook, Tier, per_catalog, tiered_cost
from recommender.rules.storage.fsx import FSX_URL, fsx_lustre_option, wants_lustre
from recommender.rules.storage.instance_store import INSTANCE_STORE_URL, instance_store_option
from recommender.rules.storage.need import StorageNeed, storage_need
from recommender.rules.storage.objects import EFS_CLASS, S3_CLASS, efs_option, s3_option
from recommender.rules.storage.striping import striped_options

# EFS_CLASS and S3_CLASS are re-exported: they were defined here before the split.
__all__ = ["EFS_CLASS", "LATENCY_CLASS_BAND_MS", "LATENCY_CLASS_BOUND_MS", "LATENCY_REJECT",
           "S3_CLASS", "StorageNeed",
           "cross_check_instance", "ebs_rows", "evaluate_volume", "latency_fit",
           "preferred_volume", "storage_need", "storage_options"]

#: The latency band of each ``ebs.latency_class`` in ms, as (floor, ceiling).  The AWS EBS
#: volume types doc (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html)
#: gives io2 Block Express "sub-millisecond" latency, the other SSD types (gp3, gp2, io1)
#: "single-digit millisecond" and HDD (st1, sc1) tens of milliseconds.  A class meets a
#: need of L ms outright when L >= its ceiling; it meets it with a "measure it" caution when
#: L lies inside its band (gp3 at 5 ms: single-digit means somewhere from 1 to 10 ms); it
#: fails when L is below its floor.  So only a need under 1 ms requires io2.
LATENCY_CLASS_BAND_MS: dict[str, tuple[float, float]] = {
    "sub-ms": (0.0, 1.0), "single-digit-ms": (1.0, 10.0), "tens-of-ms": (10.0, 100.0),
}
#: The exclusive upper bound each class promises (the band's ceiling), kept for callers.
LATENCY_CLASS_BOUND_MS: dict[str, float] = {k: v[1] for k, v in LATENCY_CLASS_BAND_MS.items()}
_FASTEST_CLASS = min(LATENCY_CLASS_BOUND_MS, key=LATENCY_CLASS_BOUND_MS.__getitem__)
#: Rejection key of volume types whose latency class cannot promise the need.
LATENCY_REJECT = "ebs.latency_class_too_slow"
EBS_TYPES_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html"


def latency_fit(latency_class: str, need_ms: float) -> str:
    """Whether a volume's latency class meets a latency need (AWS EBS volume types doc).

    Returns
    -------
    str
        ``"meets"`` when the need is at or above the class ceiling; ``"measure"`` when it
        lies inside the class band (meets, with a caution to measure: gp3 for 1-10 ms);
        ``"closest"`` when the need is below the fastest class's ceiling (io2 under 1 ms:
        nothing EBS offers promises more, so measure it); ``"fails"`` when the need is
        below the class floor (also for a class the mapping does not know).
    """
    band = LATENCY_CLASS_BAND_MS.get(latency_class)
    if band is None:
        return "fails"
    floor, ceiling = band
    if need_ms >= ceiling:
        return "meets"
    if latency_class == _FASTEST_CLASS:
        return "closest"
    if need_ms >= floor:
        return "measure"
    return "fails"


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


def preferred_volume(n: StorageNeed) -> tuple[str, str]:
    """The volume type the pillar's guidance points to, and why."""
    floor = LATENCY_CLASS_BAND_MS["single-digit-ms"][0]
    if n.latency_ms is not None and n.latency_ms < floor:
        return "io2", (f"a latency need of {fmt_num(n.latency_ms)} ms is below the "
                       f"single-digit-ms class of gp3, gp2 and io1 (from {floor:g} ms): io2 "
                       f"Block Express, latency class sub-ms ({EBS_TYPES_URL})")
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
    # The catalog's tiers as price-book tiers, costed by the one tiered-cost function.
    tiers = [Tier(0.0, math.inf if t2 is None or p2 is None else float(t2), float(p1), False,
                  "USD per IOPS-month")]
    if t2 is not None and p2 is not None:
        top = math.inf if t3 is None or p3 is None else float(t3)
        tiers.append(Tier(float(t2), top, float(p2), False, "USD per IOPS-month"))
        if t3 is not None and p3 is not None:
            tiers.append(Tier(float(t3), math.inf, float(p3), False, "USD per IOPS-month"))
    return tiered_cost(tiers, iops)[0]


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
    lat_fit = None
    if n.latency_ms is not None:
        lat_fit = latency_fit(str(row["latency_class"]), n.latency_ms)
        if lat_fit == "fails":
            return None, LATENCY_REJECT
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
    config: dict[str, Any] = {"size_gib": size, "volume_type": vt,
                              "price_as_of": row.get("price_as_of"),
                              "price_source": row.get("price_source")}
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
    if lat_fit is not None:
        rs.append(_latency_reason(str(row["latency_class"]), n.latency_ms or 0.0, lat_fit))
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
                     verify=bool(row.get("verify")), purchase_option=None,
                     risk=1.0 if lat_fit == "closest" else 0.0), None


def _latency_reason(cls: str, need_ms: float, fit: str) -> Any:
    """The ``storage.latency`` reason of a volume that passed the latency filter."""
    floor, bound = LATENCY_CLASS_BAND_MS[cls]
    if fit == "meets":
        return reason("storage.latency", PERF03_CONFIG,
                      f"Latency class {cls} (< {bound:g} ms) meets the {fmt_num(need_ms)} ms "
                      f"need ({EBS_TYPES_URL}).")
    if fit == "measure":
        return reason("storage.latency", PERF03_CONFIG,
                      f"Latency class {cls} ({floor:g}-{bound:g} ms) covers a "
                      f"{fmt_num(need_ms)} ms need, but AWS promises only \"{cls}\": measure "
                      f"the latency under load before relying on it ({EBS_TYPES_URL}).",
                      "caution")
    return reason("storage.latency", PERF03_CONFIG,
                  f"No EBS latency class promises {fmt_num(need_ms)} ms; {cls} (< {bound:g} ms)"
                  f" is the lowest there is: measure before relying on it ({EBS_TYPES_URL}).",
                  "caution")


def storage_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, rej: Rejections,
    instance_store: dict[str, Any] | None = None, instance: dict[str, Any] | None = None,
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
    instance : dict, optional
        The top EC2 choice's EBS limits (with ``instance_type``); each EBS option is checked
        against them (:func:`cross_check_instance`).

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
        if instance is not None:
            cand.risk = max(cand.risk, cross_check_instance(cand, n, instance,
                                                            instance["instance_type"]))
        out.append(cand)
    # Closest first: the volumes whose limit comes nearest to the need.
    if LATENCY_REJECT in rej.examples:
        lat = {str(r["volume_type"]): LATENCY_CLASS_BOUND_MS.get(str(r["latency_class"]),
                                                                 math.inf) for r in rows}
        rej.examples[LATENCY_REJECT].sort(key=lambda v: lat.get(v, math.inf))
    limit = {"ebs.iops_above_volume_max": "iops_max",
             "ebs.throughput_above_volume_max": "throughput_max_mibps",
             "ebs.size_above_volume_max": "size_max_gib"}
    by_type = {str(r["volume_type"]): r for r in rows}
    for key, col in limit.items():
        if key in rej.examples:
            rej.examples[key].sort(key=lambda v: -(by_type.get(v, {}).get(col) or 0.0))
    if n.persistence == "scratch" and block_ok:
        c = (_compute_store(instance_store, n) if instance_store is not None
             else instance_store_option(p, n, catalog, region, rej))
        if c is not None:
            out.append(c)
    out += striped_options(n, rows, region, rej, instance, largest_ebs_limits(catalog))
    fsx = fsx_lustre_option(n, book, region, rej) if wants_lustre(n) else None
    if fsx is not None:
        out.append(fsx)
    if n.sharing == "multi_instance":
        c = efs_option(n, book, catalog, region)
        if wants_lustre(n) and fsx is None:
            c.reasons.append(reason(
                "storage.fsx_lustre", PERF03_PURPOSE,
                f"FSx for Lustre would suit this shared scratch/throughput data ({FSX_URL}), "
                "but the catalog has no FSx prices (a coverage gap of the local build; a live "
                "build brings them), so it is not offered.", "caution"))
        if n.latency_ms is not None and n.latency_ms < LATENCY_CLASS_BOUND_MS["sub-ms"]:
            c.reasons.append(reason("storage.latency", PERF03_CONFIG,
                                    "EFS latency is in milliseconds, above the sub-ms target.",
                                    "caution"))
            c.risk = 3.0
        c.components = {"fit": 1.0}
        out.append(c)
    if n.sharing == "web" or (n.sharing is None and n.frequency in ("cold", "archive")):
        c = s3_option(n, book, catalog, region)
        c.components = {"fit": 1.0 if n.sharing == "web" else 0.8}
        out.append(c)
    return out


def largest_ebs_limits(catalog: Any) -> tuple[float, float]:
    """The largest EBS IOPS and MB/s of any instance type in the catalog (built once)."""
    def build(c: Any) -> tuple[float, float]:
        e = c.ec2
        return (float(e["ebs_max_iops"].max(skipna=True)),
                float(e["ebs_max_throughput_mbps"].max(skipna=True)))
    return per_catalog("largest_ebs_limits", catalog, build)


def _compute_store(store: dict[str, Any], n: StorageNeed) -> Candidate:
    """The compute stage's instance with local SSD, offered for scratch data."""
    rs = [reason(
        "storage.instance_store", PERF03_PURPOSE,
        f"Scratch data at high IOPS: {store['instance_type']} has "
        f"{fmt_num(store['store_gib'])} GiB of local "
        f"{'NVMe ' if store.get('nvme') else ''}SSD, lost when the instance stops; priced as "
        f"that instance (storage included) ({INSTANCE_STORE_URL}).")]
    if n.iops:
        rs.append(reason("storage.instance_store_iops", PERF03_CONFIG,
                         "The catalog has no instance-store IOPS per type, so the "
                         f"{fmt_num(n.iops)} IOPS need is not checked ({INSTANCE_STORE_URL}).",
                         "caution"))
    if n.latency_ms is not None:
        rs.append(reason(
            "storage.latency", PERF03_CONFIG,
            "Local storage on the host has no network hop to storage; the catalog has no "
            f"latency class for it, so the {fmt_num(n.latency_ms)} ms need is not checked "
            "against a figure.", "caution"))
    return Candidate("instance_store", "instance_store", store.get("monthly_cost_usd"), rs,
                     config={"instance_type": store["instance_type"],
                             "size_gib": store["store_gib"]},
                     purchase_option=None, components={"fit": 1.0})


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
