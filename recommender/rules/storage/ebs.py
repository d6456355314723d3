"""EBS volume types: latency bands, sizing and pricing of one volume (PERF03).

Every EBS figure (limits, included IOPS/throughput, HDD baseline per TiB, prices) comes
from the catalog's ``ebs`` table.  Each volume type is checked against the need (a hard
filter counted by reason), sized (HDD size grows until its baseline throughput covers the
need, or for a daily peak its burst bucket does, ``storage.hdd``; SSD size grows until its
IOPS-per-GiB ratio allows the IOPS, gp2's until its baseline carries them, ``storage.ssd``)
and priced.  A latency
need admits the volume types whose ``ebs.latency_class`` band can meet it
(``LATENCY_CLASS_BAND_MS``, from the AWS EBS volume types doc).  gp3 provisions at least
the IOPS its throughput needs (``ebs.throughput_mibps_per_iops_max``, 0.25 MiB/s per IOPS:
https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html) and, at a given
``storage.io_size_kib``, IOPS x I/O size; io1/io2 the IOPS the Provisioned IOPS SSD page
ties their throughput to (:func:`piops_iops_for_throughput`).
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import (
    PERF03_CONFIG,
    Candidate,
    clean_row,
    cost_reason,
    fmt_num,
    fmt_usd,
    no_price_reason,
    reason,
    verify_reason,
)
from recommender.rules.prices import Tier, per_catalog, per_unit_cost, tiered_cost
from recommender.rules.storage.hdd import hdd_burst_reason, hdd_burst_size
from recommender.rules.storage.need import StorageNeed
from recommender.rules.storage.ssd import (
    EBS_IO_URL,
    SSD_MAX_IO_KIB,
    gp2_baseline,
    gp2_size_for,
    iops_for_io,
    piops_iops_for_throughput,
    ssd_io_kib,
)

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
GP3_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html"
PIOPS_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html"
HDD_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html"
EBS_PRICING_URL = "https://aws.amazon.com/ebs/pricing/"
#: The page each volume type's size and performance limits come from (its size reason).
TYPE_URL = {"gp3": GP3_URL, "gp2": GP3_URL, "io1": PIOPS_URL, "io2": PIOPS_URL,
            "st1": HDD_URL, "sc1": HDD_URL}


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
        for raw in c.ebs.to_dict("records"):
            r = clean_row(raw)
            out.setdefault(str(r["region"]), []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: str(r["volume_type"]))
        return out
    return per_catalog("ebs_rows", catalog, build, persist=dict)  # on disk: no table parse


def preferred_volume(n: StorageNeed) -> tuple[str, str]:
    """The volume type the pillar's guidance points to, and why."""
    floor = LATENCY_CLASS_BAND_MS["single-digit-ms"][0]
    if n.latency_ms is not None and n.latency_ms < floor:
        return "io2", (f"a latency need of {fmt_num(n.latency_ms)} ms is below the "
                       f"single-digit-ms class of gp3, gp2 and io1 (from {floor:g} ms): io2 "
                       f"Block Express, latency class sub-ms ({EBS_TYPES_URL})")
    if n.pattern == "sequential" and n.frequency in ("cold", "archive"):
        return "sc1", ("cold, sequential data: sc1 is the lowest-cost block storage, for "
                       f"throughput-oriented data that is infrequently accessed ({HDD_URL})")
    if n.pattern == "sequential" and (n.mibps or 0) >= 125 and (n.iops or 0) <= 500:
        return "st1", ("large sequential throughput: st1 gives MiB/s per TiB at HDD prices, for "
                       f"frequently accessed, throughput-intensive workloads ({HDD_URL})")
    return "gp3", ("general purpose SSD: gp3 includes baseline IOPS (3,000) and throughput "
                   f"(125 MiB/s) at any size ({GP3_URL})")


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


def iops_needed(row: dict[str, Any], n: StorageNeed) -> float:
    """The IOPS one volume of ``row`` needs: the profile's, or more when its throughput at
    the I/O size needs more (:func:`iops_for_throughput`; gp2's baseline IOPS scale with
    its size, :func:`gp2_size_for`, and count the same way)."""
    vt = str(row["volume_type"])
    tp = n.mibps or 0.0
    if vt == "gp2":
        tp_iops = iops_for_io(tp, n.io_size_kib)
    elif vt in ("gp3", "io1", "io2"):
        tp_iops = iops_for_throughput(row, tp, n.io_size_kib)
    else:
        tp_iops = 0.0
    return max(n.iops or 0.0, float(tp_iops))


def _filter_reject(row: dict[str, Any], n: StorageNeed) -> tuple[str | None, str | None]:
    """(reject key, latency fit): the hard limits one volume of ``row`` cannot meet."""
    vt = str(row["volume_type"])
    if vt == "standard":
        return "ebs.previous_generation", None
    lat_fit = None
    if n.latency_ms is not None:
        lat_fit = latency_fit(str(row["latency_class"]), n.latency_ms)
        if lat_fit == "fails":
            return LATENCY_REJECT, lat_fit
    if str(row["media"]).upper() != "SSD" and n.pattern != "sequential":
        return "ebs.hdd_needs_sequential_access", lat_fit
    if row["iops_max"] is not None and iops_needed(row, n) > row["iops_max"]:
        return "ebs.iops_above_volume_max", lat_fit
    if row["throughput_max_mibps"] is not None and (n.mibps or 0.0) > row["throughput_max_mibps"]:
        return "ebs.throughput_above_volume_max", lat_fit
    return None, lat_fit


def _volume_size(row: dict[str, Any], n: StorageNeed) -> tuple[float, list[str]]:
    """The size the need calls for (IOPS ratio, gp2 baseline, HDD throughput), with notes."""
    vt = str(row["volume_type"])
    size = max(n.size_gib or 0.0, float(row["size_min_gib"]))
    iops_need, tp_need = n.iops or 0.0, n.mibps or 0.0
    notes = []
    per_gib = row.get("iops_per_gib_max")
    inc_iops = row.get("included_iops") or 0.0
    # gp3's included IOPS come at any size; only IOPS above them need the per-GiB ratio, and
    # that includes the IOPS provisioned so the throughput fits (0.25 MiB/s per IOPS).
    if vt in ("gp3", "io1", "io2"):
        iops_need = max(iops_need, iops_for_throughput(row, tp_need, n.io_size_kib))
    if iops_need > inc_iops and per_gib and vt in ("gp3", "io1", "io2"):
        need_size = math.ceil(iops_need / per_gib)
        if need_size > size:
            notes.append(f"size raised to {need_size} GiB for the IOPS ratio ({per_gib:g}/GiB)")
            size = float(need_size)
    if vt == "gp2":
        need_size, why = gp2_size_for(row, iops_need, tp_need, n.io_size_kib)
        if why is not None and need_size > size:
            notes.append(f"size raised to {need_size} GiB {why}")
            size = float(need_size)
    base_tib = row.get("baseline_throughput_mibps_per_tib")
    if str(row["media"]).upper() != "SSD" and tp_need and base_tib:
        need_size = math.ceil(tp_need / base_tib * 1024)
        why = (f"size raised to {need_size} GiB so the baseline throughput ({base_tib:g} "
               f"MiB/s per TiB) covers {fmt_num(tp_need)} MiB/s")
        # A daily peak may be carried by the burst bucket of a smaller volume (hdd.py).
        burst = hdd_burst_size(row, tp_need, n.peak_minutes_per_day)
        if burst is not None and burst[0] < need_size:
            need_size, why = burst[0], "size raised to " + burst[1].removeprefix("size ")
        if need_size > size:
            notes.append(why)
            size = float(need_size)
    return size, notes


def iops_for_throughput(row: dict[str, Any], mibps: float,
                        io_size_kib: float | None = None) -> float:
    """IOPS a volume must provision to carry ``mibps`` (0 when nothing ties the two).

    AWS caps gp3 throughput at 0.25 MiB/s per provisioned IOPS (EC2 user guide, General
    Purpose SSD volumes, https://docs.aws.amazon.com/ebs/latest/userguide/
    general-purpose.html): 1,000 MiB/s needs 4,000 IOPS.  The ratio is the catalog's
    ``throughput_mibps_per_iops_max``.  When ``io_size_kib`` is given, each IOPS moves one
    I/O of that size (at most 256 KiB: "I/O size is capped at 256 KiB for SSD volumes",
    :data:`EBS_IO_URL`), so 500 MiB/s of 16 KiB I/O needs 32,000 IOPS, not the ratio's 2,000.
    io1 and io2 follow the Provisioned IOPS SSD page (:func:`piops_iops_for_throughput`).
    """
    if not mibps:
        return 0.0
    vt = str(row.get("volume_type"))
    ratio = row.get("throughput_mibps_per_iops_max")
    if not ratio:
        return piops_iops_for_throughput(vt, mibps, io_size_kib) if vt in ("io1", "io2") \
            else 0.0
    by_ratio = math.ceil(mibps / float(ratio) - 1e-9)
    if io_size_kib is None:
        return float(by_ratio)
    return float(max(by_ratio, iops_for_io(mibps, io_size_kib)))


def _volume_cost(
    row: dict[str, Any], n: StorageNeed, size: float
) -> tuple[float, bool, dict[str, Any]]:
    """Monthly cost of the volume (storage + provisioned IOPS/throughput), priced?, config."""
    vt = str(row["volume_type"])
    iops_need, tp_need = n.iops or 0.0, n.mibps or 0.0
    # Every charge goes through the price book's per-unit shape (one cost function).
    cost = per_unit_cost(float(row["storage_usd_per_gb_month"]), size)
    config: dict[str, Any] = {"size_gib": size, "volume_type": vt,
                              "price_as_of": row.get("price_as_of"),
                              "price_source": row.get("price_source")}
    priced = True
    base_tib = row.get("baseline_throughput_mibps_per_tib")
    if vt == "gp3":
        inc_iops = row.get("included_iops") or 0.0
        inc_tp = row.get("included_throughput_mibps") or 0.0
        prov_tp = max(tp_need, inc_tp)
        # The ratio caps the provisioned throughput (at least the included 125 MiB/s); the
        # I/O size ties the IOPS to the throughput the need moves.
        prov_iops = max(iops_need, inc_iops, iops_for_throughput(row, prov_tp),
                        iops_for_throughput(row, tp_need, n.io_size_kib))
        extra_i, extra_t = max(0.0, prov_iops - inc_iops), max(0.0, prov_tp - inc_tp)
        if (extra_i and row.get("iops_usd_per_iops_month") is None) or (
                extra_t and row.get("throughput_usd_per_mibps_month") is None):
            priced = False
        cost += per_unit_cost(row.get("iops_usd_per_iops_month") or 0.0, extra_i)
        cost += per_unit_cost(row.get("throughput_usd_per_mibps_month") or 0.0, extra_t)
        config.update(iops=prov_iops, throughput_mibps=prov_tp)
    elif vt in ("io1", "io2"):
        prov_iops = max(iops_need, row.get("iops_min") or 0.0,
                        iops_for_throughput(row, tp_need, n.io_size_kib))
        ic = _io2_iops_cost(row, prov_iops)
        priced = ic is not None
        cost += ic or 0.0
        config.update(iops=prov_iops)
    elif str(row["media"]).upper() != "SSD" and base_tib:
        config.update(baseline_throughput_mibps=min(size / 1024 * base_tib,
                                                    row["throughput_max_mibps"] or math.inf))
    elif vt == "gp2":
        config.update(baseline_iops=gp2_baseline(row, size, n.io_size_kib)[0])
    return cost, priced, config


def evaluate_volume(
    row: dict[str, Any], n: StorageNeed, region: str | None = None
) -> tuple[Candidate | None, str | None]:
    """Size and price one EBS volume type for the need; (None, reject_key) when it cannot.

    ``region`` differs from the row's region when the catalog has no EBS rows for it: the
    limits (the same in every region) are used and the option says it has no price.
    """
    region = region or str(row["region"])
    vt = str(row["volume_type"])
    key, lat_fit = _filter_reject(row, n)
    if key is not None:
        return None, key
    size, notes = _volume_size(row, n)
    if size > float(row["size_max_gib"]):
        return None, "ebs.size_above_volume_max"
    cost, priced, config = _volume_cost(row, n, size)
    rs = [reason("storage.size", PERF03_CONFIG,
                 f"{vt} {fmt_num(size)} GiB" + (f" ({'; '.join(notes)})" if notes else "")
                 + f"; latency class {row['latency_class']} "
                 f"({TYPE_URL.get(vt, EBS_TYPES_URL)}).")]
    rs += _throughput_iops_reasons(row, n, config)
    burst = hdd_burst_reason(row, n, size)
    if burst is not None:
        rs.append(burst)
    if lat_fit is not None:
        rs.append(_latency_reason(str(row["latency_class"]), n.latency_ms or 0.0, lat_fit))
    if n.size_gib is None:
        rs.append(reason("storage.size_unknown", PERF03_CONFIG,
                         "storage.size_gib not given: priced at the volume's minimum size.",
                         "caution"))
    missing = region != str(row["region"])
    if missing:
        priced = False
        rs.append(no_price_reason("storage", f"No {vt} price in the catalog for {region} "
                                             f"(limits as in {row['region']}): look it up "
                                             f"({EBS_PRICING_URL})."))
    elif not priced:
        rs.append(no_price_reason("storage", f"No provisioned IOPS/throughput price for {vt} "
                                             f"in {region}."))
    else:
        rs.append(cost_reason("storage", f"{fmt_usd(cost)}/month in {region} "
                                         f"({EBS_PRICING_URL})."))
    if row.get("verify"):
        rs.append(verify_reason(f"The catalog's source marks the {vt} figures as unverified."))
    c = Candidate(vt, "ebs", cost if priced else None, rs, config=config,
                  verify=bool(row.get("verify")), purchase_option=None,
                  risk=1.0 if lat_fit == "closest" or burst is not None else 0.0)
    if missing:  # the other region's price date and source do not apply here
        for key in ("price_as_of", "price_source"):
            c.config.pop(key, None)
        c.name_unpriced(f"EBS {vt} volume in {region}",
                        f"the catalog's EBS price feed has no {vt} row for {region}; sized "
                        f"with {row['region']}'s limits, the same in every region "
                        f"({EBS_TYPES_URL}); its price is to be looked up ({EBS_PRICING_URL})")
    return c, None


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


def _throughput_iops_reasons(row: dict[str, Any], n: StorageNeed,
                             config: dict[str, Any]) -> list[Any]:
    """Why the IOPS were raised for the throughput (gp3), or that io1/io2's are unchecked."""
    vt, tp = str(row["volume_type"]), n.mibps or 0.0
    ratio = row.get("throughput_mibps_per_iops_max")
    if ratio:
        floor = iops_for_throughput(row, config.get("throughput_mibps") or 0.0)
        by_io = iops_for_throughput(row, tp, n.io_size_kib)
        if by_io > max(floor, n.iops or 0.0, row.get("included_iops") or 0.0):
            return [reason("storage.throughput_iops", PERF03_CONFIG,
                           f"IOPS raised to {fmt_num(by_io)}: {vt} throughput is the IOPS x "
                           f"the I/O size, so {fmt_num(tp)} MiB/s of "
                           f"{fmt_num(ssd_io_kib(n.io_size_kib))} KiB I/O needs "
                           f"{fmt_num(by_io)} IOPS ({EBS_IO_URL}).")]
        if floor > max(n.iops or 0.0, row.get("included_iops") or 0.0):
            return [reason("storage.throughput_iops", PERF03_CONFIG,
                           f"IOPS raised to {fmt_num(floor)}: {vt} allows at most {ratio:g} "
                           f"MiB/s per provisioned IOPS, so "
                           f"{fmt_num(config['throughput_mibps'])} MiB/s needs "
                           f"{fmt_num(floor)} IOPS ({GP3_URL}).")]
        return []
    floor = iops_for_throughput(row, tp, n.io_size_kib) if vt in ("io1", "io2") else 0.0
    if floor > max(n.iops or 0.0, row.get("iops_min") or 0.0):
        size = (f"{fmt_num(n.io_size_kib)} KiB I/O" if n.io_size_kib else
                f"the largest I/O, {SSD_MAX_IO_KIB:g} KiB (storage.io_size_kib not given)")
        return [reason("storage.throughput_iops", PERF03_CONFIG,
                       f"IOPS raised to {fmt_num(floor)}: {vt} throughput is the provisioned "
                       f"IOPS x the I/O size, so {fmt_num(tp)} MiB/s at {size} needs "
                       f"{fmt_num(floor)} IOPS ({PIOPS_URL}"
                       + ("; each I/O of 256 KiB or smaller is one IOPS, " + EBS_IO_URL
                          if n.io_size_kib and n.io_size_kib < SSD_MAX_IO_KIB else "")
                       + ").")]
    return []
