"""EFS for shared files: storage class by access frequency and file lifetime, One Zone for
scratch or non-production files, throughput in the cheaper mode (PERF03).

The lifecycle rules follow https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html,
the file system types https://docs.aws.amazon.com/efs/latest/ug/availability-durability.html;
prices come from ``unit_prices`` only (https://aws.amazon.com/efs/pricing/).
"""

from __future__ import annotations

from typing import Any

from recommender.rules.base import (
    PERF01_COST,
    PERF03_CONFIG,
    Candidate,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.prices import PriceBook
from recommender.rules.storage.class_prices import (
    charges_reasons,
    priced_storage,
    storage_price_rows,
)
from recommender.rules.storage.efs_throughput import efs_throughput, throughput_limit
from recommender.rules.storage.efs_tiering import efs_tiering
from recommender.rules.storage.need import StorageNeed

#: EFS storage class the data settles in, per access frequency.  The EFS lifecycle docs
#: (https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html) describe IA as
#: "cost-optimized for data that is accessed only a few times each quarter" and Archive as
#: "only a few times each year or less", so warm and cold data settle in IA, archival data
#: in Archive; hot (or unknown) data stays in Standard.
EFS_CLASS: dict[str | None, str] = {
    "hot": "standard", "warm": "ia", "cold": "ia", "archive": "archive", None: "standard",
}

EFS_LIFECYCLE_URL = "https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html"
#: "Amazon EFS provides serverless, fully elastic file storage so that you can share file
#: data without provisioning or managing storage capacity and performance" (What is EFS?).
EFS_WHAT_URL = "https://docs.aws.amazon.com/efs/latest/ug/whatisefs.html"
#: "Files smaller than 128 KB aren't eligible for lifecycle management and are always stored
#: in the Standard class", nor is file metadata ever moved (:data:`EFS_LIFECYCLE_URL`).
EFS_SMALL_FILE_KB = 128.0

#: Lifecycle policies (EFS PutLifecycleConfiguration values) that move the data into the
#: priced class.  They are AWS's documented defaults (IA after 30 days without access,
#: Archive after 90, files stay in IA/Archive when read), same doc as above.
EFS_LIFECYCLE: dict[str, dict[str, str]] = {
    "ia": {"transition_to_ia": "AFTER_30_DAYS"},
    "archive": {"transition_to_ia": "AFTER_30_DAYS", "transition_to_archive": "AFTER_90_DAYS"},
}

#: Days without access after which those default policies move a file into the class
#: ("files that are not accessed in Standard storage for 30 days are transitioned into IA",
#: 90 days into Archive, same doc).  A file deleted sooner never leaves Standard.
EFS_TRANSITION_DAYS: dict[str, float] = {"ia": 30.0, "archive": 90.0}

#: EFS One Zone storage (One Zone file systems, Standard class) and why it suits the data.
ONE_ZONE_ITEM = "efs.one_zone.storage_gb_month"
ONE_ZONE_IA_ITEM = "efs.one_zone_ia.storage_gb_month"
ONE_ZONE_URL = "https://docs.aws.amazon.com/efs/latest/ug/availability-durability.html"
#: "When you use the CLI or API to create a file system, automatic backups are enabled by
#: default only for One Zone file systems"; the default plan makes daily backups kept 35 days.
EFS_BACKUP_URL = "https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html"
#: Environments EFS One Zone suits ("development, build, and staging environments").
NON_PRODUCTION = frozenset({"staging", "development", "test"})
#: Suffix of the legacy EFS IA storage item (Bursting/Provisioned Throughput).
_IA_LEGACY = "_bursting_provisioned"
_CLASS_LABEL = {"standard": "Standard", "ia": "IA", "archive": "Archive"}
#: The classes a file passes through under the default policies, with the age (days
#: without access) it enters each: Standard when written, then IA, then Archive.
_EFS_STAGES: tuple[tuple[str, float], ...] = (
    ("standard", 0.0), ("ia", EFS_TRANSITION_DAYS["ia"]),
    ("archive", EFS_TRANSITION_DAYS["archive"]))

#: "The Archive storage class is available only for file systems that use the Elastic
#: throughput mode and the General Purpose performance mode" (PutLifecycleConfiguration).
EFS_ARCHIVE_MODE_URL = "https://docs.aws.amazon.com/efs/latest/ug/API_PutLifecycleConfiguration.html"


def efs_option(n: StorageNeed, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """EFS for the shared files: the class the access frequency calls for, or IA instead of
    Archive when Archive's Elastic Throughput costs more than IA with another mode.

    EFS Archive is available only with Elastic Throughput (:data:`EFS_ARCHIVE_MODE_URL`), so
    for archival files with a throughput need the file system is priced twice: Archive on
    Elastic, and lifecycle stopping at IA with the cheaper mode (Provisioned or Bursting,
    :func:`efs_throughput`); the cheaper one is offered and the other's figure named
    (:func:`_archive_or_ia`).  Everything else is :func:`_efs_candidate`.
    """
    cls, shares, life_note = efs_class(n)
    c = _efs_candidate(n, cls, shares, life_note, book=book, catalog=catalog, region=region)
    if "archive" in shares and n.mibps:
        c = _archive_or_ia(n, c, book=book, catalog=catalog, region=region)
    efs_latency(c, n)
    return c


#: Latency of a General Purpose file system, ms, (reads, writes), each "as low as": reads
#: 250 microseconds, writes 2.7 ms on a Regional and 1.6 ms on a One Zone file system (EFS
#: performance summary, :data:`EFS_PERFORMANCE_URL`).
EFS_LATENCY_MS = {"regional": (0.25, 2.7), "one_zone": (0.25, 1.6)}
EFS_PERFORMANCE_URL = "https://docs.aws.amazon.com/efs/latest/ug/performance.html"


def efs_latency(c: Candidate, n: StorageNeed) -> None:
    """A latency need against EFS's published latency: risk 3 below its fastest reads, 2
    when only reads reach it and the I/O has writes (``read_fraction`` below 1, or not
    given), else 0 with a caution that AWS's figures are best cases ("as low as"), 1 when
    the files settle in IA or Archive, slower than Standard (the figures are Standard's)."""
    if n.latency_ms is None:
        return
    kind = "one_zone" if c.config.get("file_system_type") == "one_zone" else "regional"
    read, write = EFS_LATENCY_MS[kind]
    label = "One Zone" if kind == "one_zone" else "Regional"
    writes = n.read_fraction is None or n.read_fraction < 1.0
    need = fmt_num(n.latency_ms)
    if n.latency_ms < read:
        risk, text = 3.0, (f"A {need} ms latency need is below EFS's fastest reads (as low as "
                           f"{fmt_num(read)} ms)")
    elif writes and n.latency_ms < write:
        risk, text = 2.0, (
            f"EFS reads (as low as {fmt_num(read)} ms) can meet a {need} ms need, but writes "
            f"on a {label} file system go as low as {fmt_num(write)} ms only"
            + (" (storage.read_fraction not given: writes assumed)" if n.read_fraction is None
               else f" ({1.0 - n.read_fraction:.0%} of the I/O is writes)"))
    else:
        risk, text = 0.0, (
            f"EFS ({label}, General Purpose) reads go as low as {fmt_num(read)} ms"
            + (f" and writes as low as {fmt_num(write)} ms" if writes else " (all the I/O is "
               "reads)") + f", within the {need} ms need; these are best cases: measure the "
            "latency under load before relying on it")
    cls = c.config.get("storage_class", "standard")
    if risk == 0.0 and cls != "standard":
        # The figures are Standard's; AWS points "performance-sensitive use cases that demand
        # the fastest latency" to moving files back into Standard on first access.
        risk, text = 1.0, (text + f"; these are Standard's figures, and reads of files in "
                           f"{_CLASS_LABEL.get(cls, cls)} are slower ({EFS_LIFECYCLE_URL})")
    c.reasons.append(reason("storage.latency", PERF03_CONFIG,
                            f"{text} ({EFS_PERFORMANCE_URL}).", "caution"))
    c.risk = max(c.risk, risk)


def _archive_or_ia(n: StorageNeed, archive: Candidate, *, book: PriceBook, catalog: Any,
                   region: str) -> Candidate:
    """The cheaper of ``archive`` (Archive on Elastic Throughput) and the same files with
    lifecycle stopping at IA in the cheaper throughput mode, with a reason naming both."""
    cls, shares, life_note = efs_class(n, cap="ia")
    ia = _efs_candidate(n, cls, shares, life_note, book=book, catalog=catalog, region=region)
    a_usd, i_usd = archive.monthly_cost_usd, ia.monthly_cost_usd
    if a_usd is None or i_usd is None:
        return archive
    mode = ia.config.get("throughput_mode", "elastic")
    text = (f"EFS Archive is available only with Elastic Throughput ({EFS_ARCHIVE_MODE_URL}): "
            f"at {fmt_num(n.mibps or 0)} MiB/s, Archive on Elastic costs {fmt_usd(a_usd)}/month, "
            f"lifecycle stopping at IA with {mode.capitalize()} Throughput {fmt_usd(i_usd)}/month")
    if i_usd < a_usd and mode != "elastic":
        ia.reasons.append(reason("storage.efs_class", PERF01_COST,
                                 text + ": IA is cheaper, so the files settle in IA.", "info"))
        ia.config["archive_monthly_cost_usd"] = round(a_usd, 2)
        return ia
    archive.reasons.append(reason("storage.efs_class", PERF01_COST,
                                  text + ": Archive is cheaper.", "info"))
    return archive


def _efs_candidate(n: StorageNeed, cls: str, shares: dict[str, float], life_note: str | None,
                   *, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """EFS for files shared by many instances, in the class the access frequency calls for.

    Warm, cold and archival data are priced where lifecycle management moves them
    (``EFS_CLASS``, policies in ``config["lifecycle"]``): all of it in the class when the
    files are long-lived, time-weighted over the classes a file passes through within
    ``object_lifetime_days`` otherwise (:func:`efs_class`); ``predicted`` carries the
    all-Standard cost as the bound for files read more often than the transition age.
    Scratch data is short-lived, so transitions measured in days since last access never
    reach it: it stays on Standard whatever the frequency.  Scratch or non-production files
    on Standard go on a One Zone file system (:func:`efs_one_zone`).  Throughput is priced
    in the cheaper mode (:func:`efs_throughput`) on the Standard share; IA storage costs
    less with Elastic Throughput than with Bursting/Provisioned
    (https://aws.amazon.com/efs/pricing/).
    """
    scratch = n.persistence == "scratch" and cls != "standard"
    if scratch:
        cls, shares, life_note = "standard", {"standard": 1.0}, None
    one_zone = efs_one_zone(n, shares, book, region)
    # One Zone-IA has one rate in every throughput mode: no legacy-IA premium to weigh.
    plan = efs_throughput(n, (n.size_gib or 0.0) * shares.get("standard", 0.0), book, region,
                          elastic_only="archive" in shares,
                          ia_premium_usd=0.0 if one_zone else _ia_premium(n, shares, book, region))
    items = {_efs_item(c, plan.mode, one_zone, book, region): share
             for c, share in shares.items()}
    config: dict[str, Any] = {"storage_class": cls, **plan.config}
    if len(shares) > 1:
        config["class_shares"] = {c: round(share, 4) for c, share in shares.items()}
    lifecycle = EFS_LIFECYCLE.get(cls)
    if lifecycle:
        config["lifecycle"] = dict(lifecycle)
    why, note = _efs_why(cls, n.frequency, lifecycle, shares)
    c, priced = priced_storage("efs", items, n.size_gib, book, region, why=why, config=config,
                                note=note)
    c.reasons += plan.reasons
    limit_risk, limit = throughput_limit(n, plan.mode, one_zone=one_zone)
    c.risk = max(plan.risk, limit_risk)
    if limit is not None:
        c.reasons.append(limit)
    if c.monthly_cost_usd is not None:
        c.monthly_cost_usd = None if plan.cost_usd is None else c.monthly_cost_usd + plan.cost_usd
    c.name_unpriced_all(plan.unpriced)
    _efs_class_notes(c, n, cls, book, region, one_zone=one_zone)
    if one_zone or (n.persistence == "scratch" or n.environment in NON_PRODUCTION):
        _one_zone_notes(c, n, one_zone, book, region, shares=shares, mode=plan.mode)
    if life_note:
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG, life_note, "info"))
    if scratch:
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                f"Scratch data: lifecycle transitions (days since last access) "
                                f"would not reach it, so it is priced on Standard, not "
                                f"{EFS_CLASS[n.frequency]}.", "info"))
    _efs_charges(c, shares, items, catalog, region, priced=priced is not None,
                 throughput=bool(n.mibps))
    if not one_zone:  # (the catalog has no One Zone tiering row)
        efs_tiering(c, n, shares, book, region)
    c.add_provenance(*(priced or []), *plan.priced)
    return c


def _ia_premium(n: StorageNeed, shares: dict[str, float], book: PriceBook,
                region: str) -> float:
    """What the files' IA share costs more a month outside Elastic Throughput: the legacy
    IA rate with Bursting or Provisioned against Elastic's (https://aws.amazon.com/efs/
    pricing/; 0 without IA data or either price)."""
    gib = (n.size_gib or 0.0) * shares.get("ia", 0.0)
    item = "efs.ia.storage_gb_month"
    el, legacy = book.cost(item, region, gib), book.cost(item + _IA_LEGACY, region, gib)
    return 0.0 if not gib or el is None or legacy is None else max(0.0, legacy.usd - el.usd)


def _efs_item(cls: str, mode: str, one_zone: bool, book: PriceBook, region: str) -> str:
    """The storage item of ``cls``: One Zone (One Zone-IA for IA), the legacy IA rate outside
    Elastic Throughput."""
    if one_zone:
        return ONE_ZONE_IA_ITEM if cls == "ia" else ONE_ZONE_ITEM
    item = f"efs.{cls}.storage_gb_month"
    if cls == "ia" and mode != "elastic" and book.unit(item + _IA_LEGACY, region):
        item += _IA_LEGACY  # the legacy IA rate applies outside Elastic Throughput
    return item


def efs_one_zone(n: StorageNeed, shares: dict[str, float], book: PriceBook,
                 region: str) -> bool:
    """Whether the files go on an EFS One Zone file system (One Zone storage class).

    AWS: "One Zone file systems store data within a single Availability Zone" and data in
    them "might be lost" with the AZ (https://docs.aws.amazon.com/efs/latest/ug/
    availability-durability.html); the EFS storage classes page names them for
    "development, build, and staging environments"
    (https://docs.aws.amazon.com/efs/latest/ug/storage-classes.html).  So scratch
    (re-creatable) or non-production (``environment`` staging/development/test) files use
    One Zone when the catalog prices each class they settle in: One Zone for Standard, One
    Zone-IA for IA ("One Zone Infrequent Access" in the stored EFS price feed,
    https://aws.amazon.com/efs/pricing/); files that reach Archive, which the catalog has no
    One Zone price for, stay on a Regional file system.
    """
    items = {"standard": ONE_ZONE_ITEM, "ia": ONE_ZONE_IA_ITEM}
    return (set(shares) <= set(items)
            and all(book.unit(items[c], region) is not None for c in shares)
            and (n.persistence == "scratch" or n.environment in NON_PRODUCTION))


def _one_zone_notes(c: Candidate, n: StorageNeed, one_zone: bool, book: PriceBook,
                    region: str, *, shares: dict[str, float], mode: str) -> None:
    """Say why One Zone (with the Regional price of the same classes beside it), or why not
    (the class without a One Zone price), and name the charges it brings."""
    whose = "scratch (re-creatable)" if n.persistence == "scratch" else f"{n.environment}"
    if not one_zone:
        what = ("EFS One Zone" if shares == {"standard": 1.0} else
                "EFS One Zone-IA" if "archive" not in shares else "EFS One Zone Archive")
        c.reasons.append(reason("storage.efs_one_zone", PERF03_CONFIG, (
            f"EFS One Zone would suit {whose} data ({ONE_ZONE_URL}), but {what} has no "
            f"price in {region} in the catalog: priced on a Regional file system."), "info"))
        c.name_unpriced(f"{what} (would suit this data; not offered)",
                        f"no {what} price in {region} in the catalog")
        return
    c.config["file_system_type"] = "one_zone"
    parts = [book.cost(_efs_item(k, mode, False, book, region), region,
                       (n.size_gib or 0.0) * share) for k, share in shares.items()]
    than = ("" if n.size_gib is None or any(p is None for p in parts) else
            f"; a Regional file system's {' + '.join(_CLASS_LABEL[k] for k in shares)} "
            f"storage would cost {fmt_usd(sum(p.usd for p in parts if p))}")
    c.reasons.append(reason("storage.efs_one_zone", PERF03_CONFIG, (
        f"{whose.capitalize()} data: EFS One Zone, which stores the data in one Availability "
        f"Zone at a lower price and may lose it with that AZ ({ONE_ZONE_URL}){than}."),
        "caution"))
    c.name_unpriced("EFS One Zone access from other Availability Zones",
                    "instances in other AZs reach a One Zone file system across AZs, billed "
                    "as inter-AZ data transfer; the profile gives no per-AZ traffic")
    # Created through the API (the exported templates do), a One Zone file system is backed
    # up by default; AWS Backup bills that storage, which the catalog has no price for.
    c.name_unpriced("AWS Backup of the EFS One Zone file system (automatic backups)",
                    "automatic backups are on by default for One Zone file systems created "
                    f"with the CLI or API, daily and kept 35 days ({EFS_BACKUP_URL}), billed "
                    "per GB-month of backup storage by AWS Backup; the catalog has no AWS "
                    "Backup price")


def _efs_charges(c: Candidate, shares: dict[str, float], items: dict[str, float],
                 catalog: Any, region: str, *, priced: bool, throughput: bool = False) -> None:
    """Per-GB read and tiering charges of every lifecycle class the files pass through;
    with a ``throughput`` need the reads are known but not which of them fall on files in
    IA or Archive (files move there only after going unread, :data:`EFS_LIFECYCLE_URL`),
    and the reasons say so instead of "no monthly read volume"."""
    excludes: list[str] = []
    for cls, item in zip(shares, items, strict=True):
        if cls == "standard":
            continue
        rows = storage_price_rows(catalog).get((f"efs.{cls}", region), [])
        rs, ex = charges_reasons("efs", cls, rows, item)
        if throughput:
            rs = [r.model_copy(update={"text": r.text.replace(
                "because the profile gives no monthly read volume",
                f"because the profile's throughput does not say which share of the reads "
                f"falls on files in {_CLASS_LABEL[cls]}")}) for r in rs]
        c.reasons += rs
        excludes += ex
    if excludes and priced:
        c.predicted["cost_excludes"] = excludes
        why = ("billed per GB read or tiered; the profile's throughput does not say how much "
               "of it goes into or out of the class" if throughput else
               "billed per GB read or tiered; the profile gives no monthly volume into or out "
               "of the class")
        c.name_unpriced_all([(x, why) for x in excludes])


def efs_class(n: StorageNeed, *,
              cap: str | None = None) -> tuple[str, dict[str, float], str | None]:
    """The EFS class the files reach within their lifetime, the share of the data in each
    class they pass through, and the note saying so when a lifetime is given.

    Lifecycle management moves a file only after it has gone unread for the transition age
    (:data:`EFS_TRANSITION_DAYS`, AWS's defaults: "files that are not accessed in Standard
    storage for 30 days are transitioned into IA", 90 days into Archive,
    https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html).  A file that
    lives ``object_lifetime_days`` therefore sits in Standard for its first 30 days, in IA
    until day 90, then in Archive (only as far as the access frequency's class); with files
    written and deleted at a steady rate, each class holds the share of the data that a
    file's life spends in it: 60-day files are half in Standard, half in IA.  Files deleted
    within 30 days never leave Standard.  Without a lifetime the files are taken as
    long-lived: all of the data in the class.  ``cap`` ("ia") stops lifecycle at that class
    (no Archive transition): a file spends the rest of its life there.
    """
    cls = EFS_CLASS[n.frequency] if cap is None else cap
    life = n.object_lifetime_days
    if life is None or cls == "standard":
        return cls, {cls: 1.0}, None
    stages = _EFS_STAGES[:[stage for stage, _ in _EFS_STAGES].index(cls) + 1]
    shares: dict[str, float] = {}
    days: list[str] = []
    for i, (stage, start) in enumerate(stages):
        if start >= life:
            break  # the file is deleted before it would move here
        end = min(stages[i + 1][1] if i + 1 < len(stages) else life, life)
        shares[stage] = (end - start) / life
        days.append(f"{fmt_num(end - start)} days in {_CLASS_LABEL[stage]}")
    reached = next(reversed(shares))
    moves = ", ".join(f"{_CLASS_LABEL[s]} after {fmt_num(d)}" for s, d in stages[1:])
    return reached, shares, (
        f"Files live {fmt_num(life)} days; lifecycle management moves a file not accessed "
        f"for the transition age into {moves} days "
        "(https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html), so each "
        f"file spends {', '.join(days)}: priced time-weighted, "
        + " + ".join(f"{share:.0%} {_CLASS_LABEL[s]}" for s, share in shares.items()) + ".")


def _efs_why(cls: str, frequency: str | None, lifecycle: dict[str, str] | None,
             shares: dict[str, float]) -> tuple[str, str]:
    """Why EFS in ``cls`` (with the lifecycle moves that settle the data there), and the
    note of its cost reason."""
    why = ("Many instances share files: EFS is a shared, elastic NFS file system "
           f"({cls} class for {frequency or 'unknown'} access; {EFS_WHAT_URL}).")
    if not lifecycle:
        return why, "storage"
    moves = " and into ".join(
        f"{_CLASS_LABEL[k.removeprefix('transition_to_')]} "
        f"{v.lower().replace('after_', 'after ').replace('_', ' ')}"
        for k, v in lifecycle.items())
    note = (f"steady state: all data in {cls} once lifecycle has moved it" if len(shares) == 1
            else "time-weighted over the file lifetime: " + " + ".join(
                f"{share:.0%} in {_CLASS_LABEL[c]}" for c, share in shares.items()))
    return (why + f" Lifecycle management moves files not accessed in Standard into {moves}; "
            "files read within that window stay in Standard.", note)


def _efs_class_notes(c: Candidate, n: StorageNeed, cls: str, book: PriceBook,
                     region: str, *, one_zone: bool = False) -> None:
    """Reasons of the lifecycle classes: the all-Standard bound (One Zone Standard on a One
    Zone file system), Archive's needs, latency."""
    if cls == "standard":
        return
    std = book.cost(ONE_ZONE_ITEM if one_zone else "efs.standard.storage_gb_month", region,
                    n.size_gib or 0.0)
    if std is not None and n.size_gib is not None:
        c.predicted["monthly_cost_usd_all_standard"] = round(std.usd, 2)
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                f"Up to {fmt_usd(std.usd)}/month if files are read more "
                                "often than the transition age and stay in Standard "
                                f"({EFS_LIFECYCLE_URL}).",
                                "caution"))
    # Lifecycle management never moves small files nor metadata (EFS_SMALL_FILE_KB).
    c.name_unpriced(f"EFS files under {EFS_SMALL_FILE_KB:g} KB and metadata (stay in Standard)",
                    f"files smaller than {EFS_SMALL_FILE_KB:g} KB are not eligible for "
                    "lifecycle management and file metadata is always stored in Standard "
                    f"({EFS_LIFECYCLE_URL}); the profile gives no file-size mix, so all the "
                    f"data is priced in {_CLASS_LABEL[cls]}; all of it in Standard is the "
                    "upper bound")
    if cls == "archive":
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                "EFS Archive needs the Elastic throughput mode and the "
                                "General Purpose performance mode.", "info"))
    if n.latency_ms is not None:
        c.reasons.append(reason("storage.latency", PERF03_CONFIG,
                                f"Reads from {cls} are slower than from Standard; the "
                                f"catalog has no latency figure to check "
                                f"{fmt_num(n.latency_ms)} ms against.", "caution"))
