"""EFS throughput modes priced for the need: Elastic, Provisioned or Bursting (PERF03).

AWS EFS pricing (https://aws.amazon.com/efs/pricing/) bills Elastic Throughput (the default
mode) per GB read and per GB written, and Provisioned Throughput per MB/s-month provisioned
above what the Standard storage earns in Bursting mode; Bursting costs nothing beyond
storage.  The EFS performance guide
(https://docs.aws.amazon.com/efs/latest/ug/performance.html) gives the Bursting baseline:
50 KiB/s per GiB of data in the Standard class.  Bursting and Provisioned Throughput limit
*metered* throughput, and EFS meters reads at one third of the rate of writes ("Understanding
metered throughput", https://repost.aws/knowledge-center/efs-choosing-correct-throughput-mode;
https://aws.amazon.com/blogs/storage/amazon-efs-introduces-3x-read-throughput-increase-at-no-additional-charge/:
750 MB/s read + 250 MB/s write is metered at 500 MB/s), so the throughput to provision is
reads / 3 + writes (all of it when ``storage.read_fraction`` is not given, the safe side).
Every price comes from ``unit_prices``
(``efs.elastic.read_gb``, ``efs.elastic.write_gb``, ``efs.provisioned.throughput_mbps_month``);
the mode with the lower monthly cost is chosen and the other one named with its cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recommender.rules.base import PERF01_COST, PERF03_CONFIG, fmt_num, fmt_usd, reason
from recommender.rules.prices import PriceBook, Priced, fmt_unit_usd
from recommender.rules.storage.need import HOURS_PER_MONTH, StorageNeed

EFS_PRICING_URL = "https://aws.amazon.com/efs/pricing/"
EFS_PERFORMANCE_URL = "https://docs.aws.amazon.com/efs/latest/ug/performance.html"
#: Bursting baseline per GiB of Standard storage, KiB/s (EFS performance guide, above).
BURSTING_BASELINE_KIBPS_PER_GIB = 50.0
#: Read share S3 retrievals assume when the profile gives no ``storage.read_fraction``
#: (stated in reasons).  EFS takes none of it as reads instead (the dearer side in every mode).
DEFAULT_READ_FRACTION = 0.5
#: EFS meters a read at this share of a write's throughput (Bursting and Provisioned modes).
READ_METERING_RATE = 1.0 / 3.0
METERED_URL = "https://repost.aws/knowledge-center/efs-choosing-correct-throughput-mode"
_ELASTIC_READ = "efs.elastic.read_gb"
_ELASTIC_WRITE = "efs.elastic.write_gb"
_PROVISIONED = "efs.provisioned.throughput_mbps_month"


@dataclass
class ThroughputPlan:
    """The chosen EFS throughput mode, its monthly cost and what it leaves out."""

    mode: str  # elastic | provisioned | bursting
    cost_usd: float | None
    reasons: list[Any] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    priced: list[Priced] = field(default_factory=list)
    #: (item, why) pairs the option must name as unpriced.
    unpriced: list[tuple[str, str]] = field(default_factory=list)
    #: Performance risk of the mode (1: Bursting carries a daily peak on credits).
    risk: float = 0.0


def transferred_gib(mibps: float, hours: float) -> float:
    """GiB moved in a month at ``mibps`` for ``hours`` (AWS bills EFS transfer per GB)."""
    return mibps * 3600.0 * hours / 1024.0


def bursting_baseline_mibps(standard_gib: float) -> float:
    """Throughput the Standard storage earns in Bursting mode (50 KiB/s per GiB)."""
    return standard_gib * BURSTING_BASELINE_KIBPS_PER_GIB / 1024.0


#: Bursting credits (EFS performance guide, "Throughput scaling"): "all file systems,
#: regardless of size, can burst to 100 MiB/s", those over 1 TiB to 100 MiB/s per TiB; a
#: file system earns credits at its baseline up to "2.1 TiB for file systems smaller than 1
#: TiB, or 2.1 TiB per TiB stored" above it.
BURST_MIN_MIBPS = 100.0
BURST_MIBPS_PER_TIB = 100.0
CREDIT_TIB_PER_TIB = 2.1


def bursting_peak_text(standard_gib: float, metered: float,
                       peak_minutes: float | None) -> str | None:
    """Why Bursting carries a metered load above its baseline for ``peak_minutes`` a day
    (``storage.peak_minutes_per_day``), or None when it cannot: the burst rate must reach
    it, the credit balance last the peak, and the day's credits (the baseline all day) cover
    what it moves, which holds only if the rest of the day is below the baseline (the
    guide's example: 100 GiB bursts at 100 MiB/s about 72 minutes a day, inactive the rest)."""
    if not peak_minutes or peak_minutes >= 1440.0:
        return None
    tib = standard_gib / 1024.0
    rate = max(BURST_MIN_MIBPS, BURST_MIBPS_PER_TIB * tib)
    base = bursting_baseline_mibps(standard_gib)
    balance = CREDIT_TIB_PER_TIB * max(1.0, tib) * 1024.0 * 1024.0  # MiB
    if metered > rate or (metered - base) * 60.0 * peak_minutes > balance:
        return None
    if metered * peak_minutes > base * 1440.0:
        return None
    return (f"it bursts to {fmt_num(round(rate))} MiB/s, and the {fmt_num(round(base, 1))} "
            f"MiB/s baseline earns in a day the credits a {fmt_num(peak_minutes)}-minute daily "
            f"peak spends if the rest of the day stays below the baseline "
            f"({EFS_PERFORMANCE_URL}); watch BurstCreditBalance")


def metered_mibps(mibps: float, read_fraction: float | None) -> tuple[float, str]:
    """Metered throughput of ``mibps`` (reads count 1/3), and the sentence saying how.

    Without a read share nothing is discounted: all of it is metered as writes.
    """
    if read_fraction is None:
        return mibps, (f"{fmt_num(mibps)} MiB/s metered in full (storage.read_fraction not "
                       "given; EFS meters reads at 1/3)")
    metered = mibps * (read_fraction * READ_METERING_RATE + (1.0 - read_fraction))
    return metered, (f"{fmt_num(mibps)} MiB/s with {read_fraction:.0%} reads is metered at "
                     f"{fmt_num(round(metered, 1))} MiB/s (reads count 1/3, {METERED_URL})")


def _elastic(n: StorageNeed, book: PriceBook, region: str) -> ThroughputPlan:
    """Elastic Throughput: reads and writes billed per GB transferred."""
    if n.mibps is None:
        return ThroughputPlan("elastic", 0.0, [reason(
            "storage.efs_throughput", PERF03_CONFIG,
            f"Elastic Throughput (the default mode; {EFS_PRICING_URL}); its per-GB read and "
            "write charges are not counted: the profile gives no storage.throughput_mibps.",
            "caution")], {"throughput_mode": "elastic"},
            unpriced=[("EFS Elastic Throughput reads and writes (per GB transferred)",
                       "storage.throughput_mibps not given, so the GB moved per month is "
                       "unknown")])
    hours = n.throughput_hours or HOURS_PER_MONTH
    # Without storage.read_fraction all of it is taken as writes, as Provisioned and the
    # throughput limits take it: writes are the dearer side of each mode (Elastic bills a GB
    # written at twice a GB read), so the modes are compared on one assumption.  (At half
    # reads Elastic was priced on the cheap side and Provisioned on the dear one.)
    rf = 0.0 if n.read_fraction is None else n.read_fraction
    gib = transferred_gib(n.mibps, hours)
    r = book.cost(_ELASTIC_READ, region, gib * rf, per="GB")
    w = book.cost(_ELASTIC_WRITE, region, gib * (1 - rf), per="GB")
    if r is None or w is None:
        return ThroughputPlan("elastic", None, [reason(
            "storage.efs_throughput", PERF01_COST,
            f"No EFS Elastic Throughput read/write price for {region} in the catalog.",
            "caution")], {"throughput_mode": "elastic"},
            unpriced=[("EFS Elastic Throughput reads and writes", f"no price in {region}")])
    cost = r.usd + w.usd
    text = (f"Elastic Throughput: {fmt_num(n.mibps)} MiB/s for {fmt_num(hours)} h/month = "
            f"{fmt_num(round(gib))} GiB moved, {rf:.0%} reads"
            + (" (storage.read_fraction not given: all taken as writes, as for Provisioned)"
               if n.read_fraction is None else "")
            + f": {fmt_usd(r.usd)} reads at {fmt_unit_usd(r.unit_price_usd)}/GB + {fmt_usd(w.usd)} "
            f"writes at {fmt_unit_usd(w.unit_price_usd)}/GB = {fmt_usd(cost)}/month "
            f"({EFS_PRICING_URL}).")
    return ThroughputPlan("elastic", cost, [reason("storage.efs_throughput", PERF01_COST, text)],
                          {"throughput_mode": "elastic", "transferred_gib_month": round(gib, 1),
                           "read_fraction": rf}, [r, w])


def _provisioned(
    n: StorageNeed, standard_gib: float, book: PriceBook, region: str
) -> ThroughputPlan | None:
    """Provisioned (or, when the baseline suffices, Bursting) throughput; None if unpriced."""
    if n.mibps is None:
        return None
    base = bursting_baseline_mibps(standard_gib)
    metered, how = metered_mibps(n.mibps, n.read_fraction)
    if metered <= base:
        return ThroughputPlan("bursting", 0.0, [reason(
            "storage.efs_throughput", PERF03_CONFIG,
            f"Bursting Throughput: {fmt_num(standard_gib)} GiB in Standard earns a "
            f"{fmt_num(base)} MiB/s baseline (50 KiB/s per GiB, {EFS_PERFORMANCE_URL}), enough "
            f"for {how}; no throughput charge ({EFS_PRICING_URL}).")],
            {"throughput_mode": "bursting", "bursting_baseline_mibps": round(base, 1)})
    peak = bursting_peak_text(standard_gib, metered, n.peak_minutes_per_day)
    if peak is not None:
        return ThroughputPlan("bursting", 0.0, [reason(
            "storage.efs_throughput", PERF03_CONFIG,
            f"Bursting Throughput: {how}, above the {fmt_num(round(base, 1))} MiB/s baseline "
            f"of {fmt_num(standard_gib)} GiB Standard; {peak}; no throughput charge "
            f"({EFS_PRICING_URL}).", "caution")],
            {"throughput_mode": "bursting", "bursting_baseline_mibps": round(base, 1)},
            risk=1.0)
    extra = metered - base
    # Provisioned Throughput is set in MiB/s (ProvisionedThroughputInMibps) and billed per
    # "MB/s-month" on the pricing page: one provisioned MiB/s is one billed unit.
    p = book.cost(_PROVISIONED, region, extra, per="MBps-month")
    if p is None:
        return None
    text = (f"Provisioned Throughput: {how}; less the {fmt_num(base)} MiB/s Bursting baseline "
            f"of {fmt_num(standard_gib)} GiB Standard = {fmt_num(round(extra, 1))} MiB/s at "
            f"{fmt_unit_usd(p.unit_price_usd)} per MB/s-month = {fmt_usd(p.usd)}/month "
            f"({EFS_PRICING_URL}).")
    return ThroughputPlan("provisioned", p.usd,
                          [reason("storage.efs_throughput", PERF01_COST, text)],
                          {"throughput_mode": "provisioned",
                           "provisioned_throughput_mibps": round(metered, 1)}, [p])


def efs_throughput(
    n: StorageNeed, standard_gib: float, book: PriceBook, region: str, *,
    elastic_only: bool = False, ia_premium_usd: float = 0.0,
) -> ThroughputPlan:
    """The cheaper EFS throughput mode for the need (Elastic when the class requires it).

    Parameters
    ----------
    n : StorageNeed
        ``mibps``, ``throughput_hours`` and ``read_fraction`` are used.
    standard_gib : float
        Data in the Standard class (what earns the Bursting baseline).
    elastic_only : bool
        True for EFS Archive, which needs Elastic Throughput.
    ia_premium_usd : float
        What the file's IA storage costs more a month outside Elastic Throughput (EFS
        pricing: IA is $0.016 per GB-month with Elastic, $0.025 with Bursting or
        Provisioned, :data:`EFS_PRICING_URL`), added to the other modes' side of the
        comparison so the cheaper mode is the cheaper file system.
    """
    el = _elastic(n, book, region)
    alt = None if elastic_only else _provisioned(n, standard_gib, book, region)
    if alt is None or alt.cost_usd is None:
        return el
    premium = (f" plus {fmt_usd(ia_premium_usd)} more for IA storage outside Elastic "
               f"({EFS_PRICING_URL})" if ia_premium_usd > 0 else "")
    if el.cost_usd is not None and el.cost_usd <= alt.cost_usd + ia_premium_usd:
        el.reasons.append(reason("storage.efs_throughput", PERF01_COST,
                                 f"{alt.mode.capitalize()} Throughput would cost "
                                 f"{fmt_usd(alt.cost_usd)}/month{premium}: Elastic is "
                                 f"cheaper ({EFS_PRICING_URL})."))
        return el
    alt.reasons.append(reason("storage.efs_throughput", PERF01_COST,
                              "Elastic Throughput (the default) would cost "
                              + (f"{fmt_usd(el.cost_usd)}/month" if el.cost_usd is not None
                                 else "an unknown amount")
                              + (f", with IA storage {fmt_usd(ia_premium_usd)}/month cheaper "
                                 f"({EFS_PRICING_URL})" if ia_premium_usd > 0 else "")
                              + f": {alt.mode} is cheaper ({EFS_PRICING_URL})."))
    alt.config["elastic_monthly_cost_usd"] = None if el.cost_usd is None else round(
        el.cost_usd, 2)
    return alt


#: Per-file-system maximum throughput, MiB/s, as (reads, writes) at the low and the high end
#: of AWS's range (it depends on the Region), for General Purpose file systems: the EFS
#: performance specifications (:data:`EFS_PERFORMANCE_URL`, "Performance summary"):
#: Regional Elastic 20-60 GiBps reads, 1-5 GiBps writes; Provisioned 3-10 and 1-3.33;
#: Bursting 3-5 and 1-3; One Zone (any mode) 3 and 1.  Above the Region's maximum AWS asks
#: for a throughput quota increase, considered case by case.
EFS_MAX_MIBPS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "elastic": ((20 * 1024.0, 1024.0), (60 * 1024.0, 5 * 1024.0)),
    "provisioned": ((3 * 1024.0, 1024.0), (10 * 1024.0, 3.33 * 1024.0)),
    "bursting": ((3 * 1024.0, 1024.0), (5 * 1024.0, 3 * 1024.0)),
    "one_zone": ((3 * 1024.0, 1024.0), (3 * 1024.0, 1024.0)),
}


def throughput_limit(n: StorageNeed, mode: str, *, one_zone: bool) -> tuple[float, Any | None]:
    """Risk and caution when the need's reads or writes pass the file system's maximum.

    Reads are ``read_fraction`` of the throughput; without it all of it is taken as writes
    (the lower maximum, the safe side).  Within AWS's Regional range (above its low end):
    risk 1, the Region may cap it; above the range's high end: risk 2, a quota increase
    AWS considers case by case (:data:`EFS_MAX_MIBPS`).
    """
    if not n.mibps:
        return 0.0, None
    key = "one_zone" if one_zone else mode
    (lo_r, lo_w), (hi_r, hi_w) = EFS_MAX_MIBPS[key]
    rf = n.read_fraction or 0.0
    reads, writes = n.mibps * rf, n.mibps * (1.0 - rf)
    over = [(what, need, lo, hi) for what, need, lo, hi in
            (("reads", reads, lo_r, hi_r), ("writes", writes, lo_w, hi_w)) if need > lo]
    if not over:
        return 0.0, None
    risk = 2.0 if any(need > hi for _, need, _, hi in over) else 1.0
    label = "One Zone" if one_zone else f"{mode.capitalize()} Throughput"
    parts = "; ".join(
        f"{fmt_num(round(need))} MiB/s of {what} above the "
        + (f"{fmt_num(lo)} MiB/s maximum" if lo == hi else
           f"{fmt_num(lo)}-{fmt_num(round(hi))} MiB/s maximum (by Region)")
        for what, need, lo, hi in over)
    text = (f"EFS {label} file system: {parts}"
            + ("" if n.read_fraction is not None else
               " (storage.read_fraction not given: all taken as writes)")
            + f"; above its Region's maximum AWS asks for a throughput quota increase, "
            f"considered case by case ({EFS_PERFORMANCE_URL}).")
    return risk, reason("storage.efs_throughput_limit", PERF03_CONFIG, text, "caution")
