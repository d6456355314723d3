"""Storage options: every store that meets the need, EBS to S3 (PERF03).

One entry point, :func:`storage_options`, gathers the candidates: single EBS volumes
(``storage.ebs``: latency bands, sizing, prices), RAID 0 arrays when one volume falls short
(``storage.striping``), instance store for scratch data (``storage.instance_store``), FSx
for Lustre for shared scratch or throughput-heavy data (``storage.fsx``), EFS for shared
files and S3 for web or archival objects (``storage.objects``).  Each EBS option is checked
against the chosen instance's EBS limits (:func:`cross_check_instance`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF03_CONFIG,
    PERF03_PURPOSE,
    Candidate,
    Rejections,
    fmt_num,
    fmt_usd,
    reason,
    sentence,
)
from recommender.rules.compute.candidates import (
    EBS_BURST_MINUTES_PER_DAY,
    EBS_OPTIMIZED_URL,
    MIB_IN_MB,
    InstanceEbs,
    ebs_limits,
    ebs_load_sustained,
)
from recommender.rules.compute.risk import ebs_burst_reason
from recommender.rules.prices import PriceBook, per_catalog
from recommender.rules.storage.ebs import (
    HDD_URL,
    LATENCY_CLASS_BAND_MS,
    LATENCY_CLASS_BOUND_MS,
    LATENCY_REJECT,
    ebs_rows,
    evaluate_volume,
    latency_fit,
    preferred_volume,
)
from recommender.rules.storage.fsx import FSX_URL, fsx_lustre_option, wants_lustre
from recommender.rules.storage.instance_store import (
    INSTANCE_STORE_URL,
    instance_store_option,
    name_unknown_iops,
)
from recommender.rules.storage.need import StorageNeed, storage_need
from recommender.rules.storage.objects import EFS_CLASS, S3_CLASS, efs_option, s3_option
from recommender.rules.storage.ssd import EBS_IO_URL, instance_io_count, ssd_io_kib
from recommender.rules.storage.striping import RAID_URL, striped_options

# EFS_CLASS and S3_CLASS are re-exported: they were defined here before the split.
__all__ = ["EFS_CLASS", "LATENCY_CLASS_BAND_MS", "LATENCY_CLASS_BOUND_MS", "LATENCY_REJECT",
           "S3_CLASS", "StorageNeed",
           "cross_check_instance", "ebs_rows", "evaluate_volume", "latency_fit",
           "preferred_volume", "storage_need", "storage_options"]

def storage_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, rej: Rejections, *,
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
    block_ok = n.sharing in (None, "single_instance")
    rows = region_ebs_rows(ebs_rows(catalog), region)
    out = _single_volumes(n, rows, region, rej, instance) if block_ok else []
    if not block_ok:
        rej.add("ebs.not_a_shared_or_web_store", n=len(rows))
    _closest_first(rej, rows)
    if n.persistence == "scratch" and block_ok:
        c = (_compute_store(instance_store, n) if instance_store is not None
             else instance_store_option(p, n, catalog, region, rej))
        if c is not None:
            out.append(c)
    out += _striped(n, rows, region, rej, instance=instance, catalog=catalog,
                    singles={c.option for c in out if c.kind == "ebs"})
    fsx = fsx_lustre_option(n, book, region, rej) if wants_lustre(n) else None
    if fsx is not None:
        out.append(fsx)
    if n.sharing == "multi_instance":
        out.append(_efs(n, book, catalog, region, lustre_missing=wants_lustre(n) and fsx is None))
    if n.sharing == "web" or (n.sharing is None and n.frequency in ("cold", "archive")):
        out.append(_s3_for(n, book, catalog, region))
    return out


#: "Use for archiving data that rarely needs to be accessed" (S3 Glacier Deep Archive; the
#: Glacier classes are AWS's archival storage, S3 storage classes,
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html).
S3_ARCHIVE_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html"


def _s3_for(n: StorageNeed, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """S3 for web objects (the guidance's store) or, with no sharing given, for cold or
    archival data: archival data without an IOPS need ranks with the guidance (the Glacier
    classes are AWS's archival storage, :data:`S3_ARCHIVE_URL`), cold data as an alternative
    to block storage."""
    c = s3_option(n, book, catalog, region)
    # An IOPS need is a block-storage need: S3 has no IOPS to provision.
    archive = n.sharing is None and n.frequency == "archive" and not n.iops
    c.components = {"fit": 1.0 if n.sharing == "web" or archive else 0.8}
    if archive:
        c.reasons.insert(1, reason(
            "storage.s3_class", PERF03_PURPOSE,
            "Archival data with no block-storage need given (storage.sharing and iops absent): "
            "S3's "
            "Glacier classes are AWS's storage for archives that rarely need to be accessed "
            f"({S3_ARCHIVE_URL}), so S3 ranks with the block volumes on cost and risk."))
    return c


def region_ebs_rows(by_region: dict[str, list[dict[str, Any]]],
                    region: str) -> list[dict[str, Any]]:
    """The region's EBS rows, and for each volume type the region has no row for, the
    reference region's (us-east-1): a volume type's size, IOPS and throughput limits are
    the same in every region (https://docs.aws.amazon.com/ebs/latest/userguide/
    ebs-volume-types.html), so the type is still sized and offered, unpriced, saying so
    (:func:`evaluate_volume`), instead of missing from the answer (the stored EBS feed has
    no io2 row for sa-east-1 or eu-west-3: a sub-ms need there found no option at all)."""
    ref = by_region.get("us-east-1") or next(iter(by_region.values()), [])
    own = by_region.get(region) or []
    have = {str(r["volume_type"]) for r in own}
    rows = own + [r for r in ref if str(r["volume_type"]) not in have]
    return sorted(rows, key=lambda r: str(r["volume_type"]))


#: Guidance tiers (``components["fit"]``) of EBS options: the type AWS's guidance points to,
#: and an admissible alternative (another type, or an array of the preferred type when one
#: volume of it cannot carry the need).
PREFERRED_FIT, ALTERNATIVE_FIT, GP2_FIT = 1.0, 0.75, 0.6


def _striped(n: StorageNeed, rows: list[dict[str, Any]], region: str, rej: Rejections, *,
             instance: dict[str, Any] | None, catalog: Any, singles: set[str]) -> list[Candidate]:
    """RAID 0 arrays; one of the preferred type ranks as an alternative when one volume of
    it cannot carry the need, so it competes on cost with the single volumes of other
    types (the EBS RAID guide: RAID 0 when I/O performance matters more than fault
    tolerance, https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html)."""
    arrays = striped_options(n, rows, region, rej, instance=instance,
                             largest=largest_ebs_limits(catalog))
    if instance is not None:
        # An array is bounded by the instance's EBS limits like one volume: sustained
        # (baseline) or only in bursts of 30 minutes a day (EBS-optimized instances,
        # https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html), same risk.
        pre = instance_checks(n, instance) if arrays else None
        for a in arrays:
            a.risk = max(a.risk, cross_check_instance(a, n, instance, instance["instance_type"],
                                                      pre=pre))
    pref, _ = preferred_volume(n)
    if pref in singles:
        return arrays
    for a in arrays:
        if a.option == pref:
            a.components = {"fit": ALTERNATIVE_FIT}
            a.reasons.insert(0, reason(
                "storage.volume_type", PERF03_PURPOSE,
                f"One {pref} volume (the type the guidance points to) cannot carry the need, "
                f"so the {a.count} x {pref} RAID 0 array ranks with the other volume types "
                f"on cost and risk ({RAID_URL})."))
    return arrays


def _efs(n: StorageNeed, book: PriceBook, catalog: Any, region: str, *,
         lustre_missing: bool) -> Candidate:
    """EFS for shared files, saying when FSx for Lustre would suit but has no price."""
    c = efs_option(n, book, catalog, region)
    if lustre_missing:
        c.reasons.append(reason(
            "storage.fsx_lustre", PERF03_PURPOSE,
            f"FSx for Lustre would suit this shared scratch/throughput data ({FSX_URL}), "
            "but the catalog has no FSx prices (a coverage gap of the local build; a live "
            "build brings them), so it is not offered.", "caution"))
        c.name_unpriced("FSx for Lustre (would suit this data; not offered)",
                        "the catalog has no FSx prices (not in the stored sources; a live "
                        f"build brings them), so it could not be priced against EFS ({FSX_URL})")
    # (A latency need is weighed in efs_option against EFS's published latency.)
    c.components = {"fit": 1.0}
    return c


def _single_volumes(
    n: StorageNeed, rows: list[dict[str, Any]], region: str, rej: Rejections,
    instance: dict[str, Any] | None,
) -> list[Candidate]:
    """One volume of each EBS type that meets the need, the preferred type first in fit."""
    pref, why = preferred_volume(n)
    pre = instance_checks(n, instance) if instance is not None else None
    out = []
    for row in rows:
        cand, key = evaluate_volume(row, n, region)
        if cand is None:
            rej.add(key or "ebs.other", example=str(row["volume_type"]))
            continue
        fit = PREFERRED_FIT if cand.option == pref else (
            GP2_FIT if cand.option == "gp2" else ALTERNATIVE_FIT)
        if cand.option == pref:
            cand.reasons.insert(0, reason("storage.volume_type", PERF03_PURPOSE, sentence(why)))
        cand.components = {"fit": fit}
        if instance is not None:
            cand.risk = max(cand.risk, cross_check_instance(
                cand, n, instance, instance["instance_type"], pre=pre))
        out.append(cand)
    _cheaper_ssd_first(out, pref)
    return out


#: HDD volume types' guidance rests on price (EBS HDD volumes, ``HDD_URL`` from
#: ``storage.ebs``: "low-cost HDD").


def _cheaper_ssd_first(cands: list[Candidate], pref: str) -> None:
    """When the HDD type the guidance points to (st1/sc1, chosen as the low-cost volume for
    throughput) costs more than gp3 for the same need at no less risk, gp3 takes the
    preferred tier: the HDD's reason for being is its price, and gp3 also has SSD latency
    (https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html)."""
    by = {c.option: c for c in cands}
    hdd, gp3 = by.get(pref), by.get("gp3")
    if pref not in ("st1", "sc1") or hdd is None or gp3 is None:
        return
    if hdd.monthly_cost_usd is None or gp3.monthly_cost_usd is None:
        return
    if gp3.monthly_cost_usd > hdd.monthly_cost_usd or gp3.risk > hdd.risk:
        return
    hdd.components = {"fit": ALTERNATIVE_FIT}
    gp3.components = {"fit": PREFERRED_FIT}
    why = reason(
        "storage.volume_type", PERF03_PURPOSE,
        f"AWS points sequential throughput to {pref} as the low-cost HDD volume ({HDD_URL}), "
        f"but {pref} sized for its baseline ({fmt_num(hdd.config['size_gib'])} GiB) costs "
        f"${hdd.monthly_cost_usd:,.2f}/month against gp3's ${gp3.monthly_cost_usd:,.2f} at "
        f"no less risk, so gp3 (SSD, single-digit-ms latency) ranks first.")
    gp3.reasons.insert(0, why)
    if hdd.reasons and hdd.reasons[0].rule == "storage.volume_type":
        hdd.reasons[0] = why


def _closest_first(rej: Rejections, rows: list[dict[str, Any]]) -> None:
    """Order each rejection's examples by how near their limit comes to the need."""
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


def largest_ebs_limits(catalog: Any) -> tuple[float, float]:
    """The largest EBS IOPS and MB/s of any instance type in the catalog (built once)."""
    def build(c: Any) -> tuple[float, float]:
        e = c.ec2
        return (float(e["ebs_max_iops"].max(skipna=True)),
                float(e["ebs_max_throughput_mbps"].max(skipna=True)))
    # Kept on disk (two numbers): a warm process then never parses the 46-column ec2 table.
    return per_catalog("largest_ebs_limits", catalog, build, persist=tuple)


def _store_delta(store: dict[str, Any]) -> tuple[float | None, Reason]:
    """The instance store's monthly cost beside the other storage: what moving the compute
    to its host adds to the compute the profile would run anyway (rank 1 of compute).

    The store comes with its instance ("Instance store ... located on disks that are
    physically attached to the host computer", INSTANCE_STORE_URL), so pricing it as the
    whole instance set a compute price against EBS's storage-only prices: 800 GiB of
    scratch at 40,000 IOPS ranked gp3 ($249.00) before the c6gd.4xlarge store ($448.51),
    though c6gd.4xlarge alone ($448.51) costs less than m8gb.2xlarge + gp3 ($673.86).
    """
    cost = store.get("monthly_cost_usd")
    itype = str(store["instance_type"])
    other, other_cost = store.get("instead_of") or (None, None)
    if cost is None or other is None or other_cost is None:
        return cost, reason("storage.instance_store_cost", PERF01_COST,
                            f"Priced as {itype} itself (storage included).")
    if other == itype:
        return 0.0, reason("storage.instance_store_cost", PERF01_COST,
                           f"{itype} is the compute's rank 1: its local SSD adds nothing.")
    delta = float(cost) - float(other_cost)
    return max(0.0, round(delta, 2)), reason(
        "storage.instance_store_cost", PERF01_COST,
        f"Priced as the change of host: {itype} {fmt_usd(float(cost))}/month instead of the "
        f"compute's rank 1, {other} {fmt_usd(float(other_cost))}"
        + (f", {fmt_usd(delta)} more" if delta >= 0 else
           f", {fmt_usd(-delta)} less (shown as $0.00)")
        + "; the bundle then runs the data's instance as the compute, priced once.")


def _compute_store(store: dict[str, Any], n: StorageNeed) -> Candidate:
    """The compute stage's instance with local SSD, offered for scratch data."""
    rs = [reason(
        "storage.instance_store", PERF03_PURPOSE,
        "Scratch data" + (f" at {fmt_num(n.iops)} IOPS" if n.iops else "")
        + f": {store['instance_type']} has "
        f"{fmt_num(store['store_gib'])} GiB of local "
        f"{'NVMe ' if store.get('nvme') else ''}SSD, lost when the instance stops "
        f"({INSTANCE_STORE_URL}).")]
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
            f"against a figure ({INSTANCE_STORE_URL}).", "caution"))
    nodes = int(store.get("node_count") or 1)  # each node has its own local store
    cost, why = _store_delta(store)
    rs.append(why)
    c = Candidate("instance_store", "instance_store", cost, rs,
                  count=nodes,
                  config={"instance_type": store["instance_type"],
                          "size_gib": store["store_gib"], "node_count": nodes,
                          "instance_monthly_cost_usd": None if store.get("monthly_cost_usd")
                          is None else round(float(store["monthly_cost_usd"]), 2)},
                  purchase_option=None, components={"fit": 1.0},
                  # Unchecked IOPS are a risk, as for the storage-only search
                  # (instance_store_option): the catalog has no figure to check them.
                  risk=1.0 if n.iops else 0.0)
    name_unknown_iops(c, n, str(store["instance_type"]))
    return c


#: What :func:`cross_check_instance` compares, per dimension: (label, need, baseline,
#: maximum, the limit the load is held to, the need's unit in the limit's).
InstanceChecks = tuple[bool, tuple[tuple[str, Any, Any, Any, Any, float], ...]]


def instance_iops(n: StorageNeed) -> float | None:
    """The I/O operations a second the instance's EBS IOPS limit must carry: the profile's
    IOPS, or more when its throughput at ``storage.io_size_kib`` is more I/Os than that.

    "Amazon EBS counts each I/O operation per second (that is 256 KiB or smaller) as one
    IOPS" (EBS I/O characteristics, :data:`EBS_IO_URL`), and an instance's EBS limits are
    IOPS as well as MB/s (EBS-optimized instances, ``EBS_OPTIMIZED_URL``): 500 MiB/s of 4 KiB
    I/O is 500 x 1,024 / 4 = 128,000 IOPS at the instance whatever the volume.  Without an
    I/O size the throughput's I/O count is unknown, so only the profile's IOPS are checked.
    """
    return instance_io_count(n.iops, n.mibps, n.io_size_kib)


def instance_checks(n: StorageNeed, limits: dict[str, float]) -> InstanceChecks:
    """Whether the load is sustained, and the instance's limits against the need (the same
    for every volume of one need: :func:`storage_options` reads them once)."""
    sustained = ebs_load_sustained(n.peak_minutes_per_day)
    ix = InstanceEbs.of(limits)
    carry = ebs_limits(ix, sustained)
    return sustained, (
        ("IOPS", instance_iops(n), ix.ebs_base_iops[0], ix.ebs_max_iops[0], carry[0][0], 1.0),
        ("throughput MB/s", n.mibps, ix.ebs_base_mbps[0], ix.ebs_max_mbps[0], carry[1][0],
         MIB_IN_MB))


def cross_check_instance(
    cand: Candidate, n: StorageNeed, limits: dict[str, float], itype: str, *,
    pre: InstanceChecks | None = None,
) -> float:
    """Check an EBS option against the chosen instance's EBS limits; returns the risk 0-4.

    The same rule as the compute filter (``candidates.ebs_limits``, ``ebs_load_sustained``):
    a sustained load (``storage.peak_minutes_per_day`` absent or above 30) must fit the
    instance's baseline, since its maximum is guaranteed only "for 30 minutes at least once
    every 24 hours" (EBS-optimized instances, EBS_OPTIMIZED_URL), so a need above the
    baseline is risk 4, as a type the compute filter rejects; a load that peaks at most 30
    minutes a day may use the maximum, at risk 2 (the burst reason).  ``pre`` is
    :func:`instance_checks` of the same ``n`` and ``limits``, when the caller read it once.
    """
    sustained, checks = instance_checks(n, limits) if pre is None else pre
    risk = 0.0
    ios = instance_iops(n) or 0.0
    if ios > (n.iops or 0.0):
        cand.reasons.append(reason(
            "storage.instance_limit", PERF03_CONFIG,
            f"{fmt_num(n.mibps or 0)} MiB/s of {fmt_num(ssd_io_kib(n.io_size_kib))} KiB I/O is "
            f"{fmt_num(ios)} I/O operations a second at {itype}'s EBS IOPS limit: Amazon EBS "
            f"counts each I/O operation of 256 KiB or smaller as one IOPS ({EBS_IO_URL})."))
    for label, need, base, peak, limit, unit in checks:
        if not need or np.isnan(base):
            continue
        need_u = need * unit
        if need_u > limit:
            risk = max(risk, 4.0)
            text = _over_limit_text(itype, label, (float(base), float(peak)), need_u,
                                    sustained=sustained)
        elif need_u > base:
            risk = max(risk, 2.0)
            text = ebs_burst_reason(itype, float(checks[0][2]), float(checks[1][2])).text
        else:
            text = (f"{itype} sustains {fmt_num(float(base))} EBS {label}, enough for "
                    f"{fmt_num(need_u)} ({EBS_OPTIMIZED_URL}).")
        cand.reasons.append(reason("storage.instance_limit", PERF03_CONFIG, text,
                                   "info" if need_u <= base else "caution"))
    return risk


def _over_limit_text(itype: str, label: str, base_peak: tuple[float, float], need: float, *,
                     sustained: bool) -> str:
    """Why a need above what ``itype`` carries is risk 4 (:func:`cross_check_instance`)."""
    base, peak = base_peak
    if sustained and not np.isnan(peak) and need <= peak:
        return (f"{itype} sustains {fmt_num(base)} EBS {label} (its baseline); its maximum "
                f"{fmt_num(peak)} is guaranteed only {EBS_BURST_MINUTES_PER_DAY} minutes at "
                f"least once every 24 hours ({EBS_OPTIMIZED_URL}), and the need "
                f"{fmt_num(need)} is taken as sustained (storage.peak_minutes_per_day absent "
                f"or above {EBS_BURST_MINUTES_PER_DAY}).")
    return (f"{itype} caps EBS {label} at {fmt_num(peak)}, below the need {fmt_num(need)} "
            f"({EBS_OPTIMIZED_URL}).")
