"""File and object storage options: EFS and S3, storage class by access frequency (PERF03).

Prices come from ``unit_prices`` only.  A storage class whose reads carry a per-GB charge
(EFS Infrequent Access and Archive, the S3 IA and Glacier classes) is priced with that charge
when the catalog has an item for it; when it has none, the option says so ("... charges not
in the catalog") and ``predicted["cost_excludes"]`` lists what the monthly figure leaves out,
so the cost is never presented as complete when it is not.
"""

from __future__ import annotations

from typing import Any

from recommender.rules.base import (
    PERF01_COST,
    PERF03_CONFIG,
    PERF03_PURPOSE,
    Candidate,
    clean_row,
    cost_reason,
    fmt_num,
    fmt_usd,
    no_price_reason,
    reason,
    verify_reason,
)
from recommender.rules.prices import PriceBook, per_catalog
from recommender.rules.storage.efs_throughput import efs_throughput
from recommender.rules.storage.need import StorageNeed

#: S3 storage class per access frequency (unknown -> Intelligent-Tiering, which moves
#: objects between tiers by observed access).
S3_CLASS: dict[str | None, str] = {
    "hot": "standard", "warm": "standard_ia", "cold": "glacier_instant",
    "archive": "glacier_deep_archive", None: "intelligent_tiering",
}

#: EFS storage class the data settles in, per access frequency.  The EFS lifecycle docs
#: (https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html) describe IA as
#: "cost-optimized for data that is accessed only a few times each quarter" and Archive as
#: "only a few times each year or less", so warm and cold data settle in IA, archival data
#: in Archive; hot (or unknown) data stays in Standard.
EFS_CLASS: dict[str | None, str] = {
    "hot": "standard", "warm": "ia", "cold": "ia", "archive": "archive", None: "standard",
}

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

#: Classes whose reads are billed per GB on top of storage: EFS IA/Archive reads and
#: tiering (https://aws.amazon.com/efs/pricing/), S3 retrievals from the IA and Glacier
#: classes (https://aws.amazon.com/s3/pricing/).  Only *whether* a charge exists is recorded
#: here; its price must come from the catalog.
PER_GB_ACCESS_CLASSES: dict[str, frozenset[str]] = {
    "efs": frozenset({"ia", "archive"}),
    "s3": frozenset({"standard_ia", "one_zone_ia", "glacier_instant", "glacier_flexible",
                     "glacier_deep_archive"}),
}
#: Minimum storage duration per S3 class in days (https://aws.amazon.com/s3/storage-classes/
#: "minimum storage duration charge"); classes absent have none.
S3_MIN_DURATION_DAYS: dict[str, float] = {
    "standard_ia": 30.0, "one_zone_ia": 30.0, "glacier_instant": 90.0,
    "glacier_flexible": 90.0, "glacier_deep_archive": 180.0,
}
#: Classes to fall back to, in order, when the objects live shorter than the minimum.
S3_STEP_DOWN: dict[str, tuple[str, ...]] = {
    "glacier_deep_archive": ("glacier_flexible", "standard_ia", "standard"),
    "glacier_flexible": ("standard_ia", "standard"),
    "glacier_instant": ("standard_ia", "standard"),
    "standard_ia": ("standard",), "one_zone_ia": ("standard",),
}
#: Suffix of the legacy EFS IA storage item (Bursting/Provisioned Throughput).
_IA_LEGACY = "_bursting_provisioned"
_WHAT_IS_CHARGED = {"efs": ("access", "reads (and tiering into the class)"),
                    "s3": ("retrieval", "retrievals")}
_CLASS_LABEL = {"ia": "IA", "archive": "Archive"}
#: Why a fee named only in a price row's note is unpriced (no object count in the profile).
_NOTED_FEE = ("a fee the catalog's storage price leaves out (its note says so; S3 bills "
              "Intelligent-Tiering monitoring per 1,000 objects, https://aws.amazon.com/s3/"
              "pricing/); the profile gives no object count")


def storage_price_rows(catalog: Any) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """EFS and S3 ``unit_prices`` rows by (item prefix ``<service>.<class>``, region).

    Built once per catalog; it keeps the row ``notes`` (e.g. "retrieval fee not included"),
    which the price book does not carry, so the option can repeat them.
    """
    def build(c: Any) -> dict[tuple[str, str], list[dict[str, Any]]]:
        up = c.unit_prices
        sel = up[up["item"].str.startswith(("efs.", "s3."))]
        out: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for raw in sel[["item", "region", "unit", "price_usd", "tier_start", "notes"]].to_dict(
                "records"):
            r = clean_row(raw)
            if r["tier_start"] is not None and float(r["tier_start"]) > 0:
                continue  # the first tier is enough to name a charge
            r["notes"] = None if r["notes"] is None else str(r["notes"])
            prefix = ".".join(str(r["item"]).split(".")[:2])
            out.setdefault((prefix, str(r["region"])), []).append(r)
        return out
    return per_catalog("storage_price_rows", catalog, build)


def _per_gb_charges(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows billed per GB transferred (not per GB-month stored): access/retrieval charges."""
    return [r for r in rows
            if "per GB" in str(r["unit"]) and "month" not in str(r["unit"]).lower()]


def _charges_reasons(
    service: str, cls: str, rows: list[dict[str, Any]], storage_item: str,
) -> tuple[list[Any], list[str]]:
    """Reasons about the charges beyond storage, and what the monthly figure excludes."""
    rs: list[Any] = []
    excludes: list[str] = []
    what, billed = _WHAT_IS_CHARGED[service]
    for r in rows:
        # Only the notes that say a fee is left out of the price matter to the cost.
        if r["item"] == storage_item and r["notes"] and "not included" in r["notes"]:
            rs.append(reason("storage.price_notes", PERF01_COST,
                             f"Catalog note on {storage_item}: {r['notes']}.", "caution"))
            if cls not in PER_GB_ACCESS_CLASSES[service]:
                # A fee the note names and no per-GB item covers (e.g. Intelligent-Tiering's
                # monitoring and automation charge per 1,000 objects) is named as unpriced.
                excludes.append(f"{storage_item}: {r['notes']}")
    if cls in PER_GB_ACCESS_CLASSES[service]:
        per_gb = _per_gb_charges(rows)
        if per_gb:
            listed = ", ".join(f"{r['item']} {fmt_usd(float(r['price_usd']))} {r['unit']}"
                               for r in per_gb)
            rs.append(reason("storage.access_charges", PERF01_COST,
                             f"Per-GB {what} charges from the catalog: {listed}; not in the "
                             "monthly figure because the profile gives no monthly read "
                             "volume.", "caution"))
            excludes += [str(r["item"]) for r in per_gb]
        else:
            rs.append(reason("storage.access_charges", PERF01_COST,
                             f"{service.upper()} {cls} {billed} are billed per GB: {what} "
                             "charges not in the catalog, so the monthly cost excludes them.",
                             "caution"))
            excludes.append(f"{service}.{cls} per-GB {what} charges (not in the catalog)")
    if service == "s3":
        # Request prices exist per class; the profile has no request rate to multiply.
        req = {str(r["item"]).rsplit(".", 1)[-1]: r for r in rows}
        parts = []
        for kind in ("put_request", "get_request"):
            rq = req.get(kind)
            parts.append(f"{kind.replace('_', ' ')} {fmt_usd(float(rq['price_usd']))}" if rq
                         else f"{kind.replace('_', ' ')}: no price in the catalog")
            excludes.append(f"s3.{cls}.{kind}")
        rs.append(reason("storage.request_charges", PERF01_COST,
                         f"Request charges ({'; '.join(parts)}) are not in the monthly "
                         "figure: the profile gives no request rate.", "caution"))
    return rs, excludes


def _priced_storage(
    option: str, item: str, size: float | None, book: PriceBook, region: str, *, why: str,
    config: dict[str, Any], note: str,
) -> tuple[Candidate, Any]:
    """A storage-only candidate priced from ``item`` (the shared part of EFS and S3)."""
    priced = book.cost(item, region, size or 0.0, per="GB-month")
    rs = [reason(f"storage.{option}", PERF03_PURPOSE, why)]
    cost = None
    if priced is None:
        rs.append(no_price_reason("storage", f"No price for {item} in {region} in the catalog."))
    elif size is None:
        rs.append(reason("storage.size_unknown", PERF01_COST,
                         f"storage.size_gib not given: {fmt_usd(priced.unit_price_usd)} per "
                         "GB-month.", "caution"))
    else:
        cost = priced.usd
        rs.append(cost_reason("storage", f"{fmt_usd(cost)}/month for {fmt_num(size)} GiB "
                                         f"({note})."))
    verify = bool(priced and priced.verify)
    if verify:
        rs.append(verify_reason(f"{item} is marked unverified."))
    return Candidate(option, option, cost, rs, config=config, verify=verify,
                     purchase_option=None), priced


def efs_option(n: StorageNeed, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """EFS for files shared by many instances, in the class the access frequency calls for.

    Warm, cold and archival data are priced where lifecycle management settles them
    (``EFS_CLASS``, policies in ``config["lifecycle"]``); ``predicted`` carries the
    all-Standard cost as the bound for files read more often than the transition age.
    Scratch data is short-lived, so transitions measured in days since last access never
    reach it: it stays on Standard whatever the frequency.  Throughput is priced in the
    cheaper mode (:func:`efs_throughput`); IA storage costs less with Elastic Throughput
    than with Bursting/Provisioned (https://aws.amazon.com/efs/pricing/).
    """
    frequency, size_gib = n.frequency, n.size_gib
    cls, life_note = efs_class(n)
    scratch = n.persistence == "scratch" and cls != "standard"
    if scratch:
        cls = "standard"
    plan = efs_throughput(n, (size_gib or 0.0) if cls == "standard" else 0.0, book, region,
                          elastic_only=cls == "archive")
    item = f"efs.{cls}.storage_gb_month"
    if cls == "ia" and plan.mode != "elastic" and book.unit(item + _IA_LEGACY, region):
        item += _IA_LEGACY  # the legacy IA rate applies outside Elastic Throughput
    config: dict[str, Any] = {"storage_class": cls, **plan.config}
    lifecycle = EFS_LIFECYCLE.get(cls)
    if lifecycle:
        config["lifecycle"] = dict(lifecycle)
    why, note = _efs_why(cls, frequency, lifecycle)
    c, priced = _priced_storage("efs", item, size_gib, book, region, why=why, config=config,
                                note=note)
    c.reasons += plan.reasons
    if c.monthly_cost_usd is not None:
        c.monthly_cost_usd = None if plan.cost_usd is None else c.monthly_cost_usd + plan.cost_usd
    c.name_unpriced_all(plan.unpriced)
    _efs_class_notes(c, n, cls, book, region)
    if life_note:
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG, life_note, "info"))
    if scratch:
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                f"Scratch data: lifecycle transitions (days since last access) "
                                f"would not reach it, so it is priced on Standard, not "
                                f"{EFS_CLASS[frequency]}.", "info"))
    rows = storage_price_rows(catalog).get((f"efs.{cls}", region), [])
    rs, excludes = _charges_reasons("efs", cls, rows, item)
    c.reasons += rs
    if excludes and priced is not None:
        c.predicted["cost_excludes"] = excludes
        c.name_unpriced_all([(x, "billed per GB read or tiered; the profile gives no monthly "
                                 "volume into or out of the class") for x in excludes])
    c.add_provenance(priced, *plan.priced)
    return c


def efs_class(n: StorageNeed) -> tuple[str, str | None]:
    """The EFS class the files reach within their lifetime, and the note when it is not the
    access frequency's own.

    Lifecycle management moves a file only after it has gone unread for the transition age
    (:data:`EFS_TRANSITION_DAYS`, AWS's defaults,
    https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html), so files
    deleted within ``object_lifetime_days`` of no more than 90 days never reach Archive (they
    settle in IA when they live longer than 30 days), and within 30 days never leave
    Standard.  Without a lifetime the files are taken as long-lived.
    """
    cls = EFS_CLASS[n.frequency]
    life = n.object_lifetime_days
    if life is None or cls == "standard":
        return cls, None
    reached = next((c for c in ("archive", "ia") if EFS_TRANSITION_DAYS[c] < life
                    and (c == "ia" or cls == "archive")), "standard")
    if reached == cls:
        return cls, None
    return reached, (f"Files live {fmt_num(life)} days, no longer than the "
                     f"{fmt_num(EFS_TRANSITION_DAYS[cls])}-day transition age into "
                     f"{_CLASS_LABEL[cls]} (lifecycle moves files not accessed for that long, "
                     "https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html"
                     f"): priced in {reached}, the class they reach.")


def _efs_why(cls: str, frequency: str | None,
             lifecycle: dict[str, str] | None) -> tuple[str, str]:
    """Why EFS in ``cls`` (with the lifecycle moves that settle the data there), and the
    note of its cost reason."""
    why = ("Many instances share files: EFS is a shared, elastic NFS file system "
           f"({cls} class for {frequency or 'unknown'} access).")
    if not lifecycle:
        return why, "storage"
    moves = " and into ".join(
        f"{_CLASS_LABEL[k.removeprefix('transition_to_')]} "
        f"{v.lower().replace('after_', 'after ').replace('_', ' ')}"
        for k, v in lifecycle.items())
    return (why + f" Lifecycle management moves files not accessed in Standard into {moves}; "
            "files read within that window stay in Standard.",
            f"steady state: all data in {cls} once lifecycle has moved it")


def _efs_class_notes(c: Candidate, n: StorageNeed, cls: str, book: PriceBook,
                     region: str) -> None:
    """Reasons of the lifecycle classes: the all-Standard bound, Archive's needs, latency."""
    if cls == "standard":
        return
    std = book.cost("efs.standard.storage_gb_month", region, n.size_gib or 0.0)
    if std is not None and n.size_gib is not None:
        c.predicted["monthly_cost_usd_all_standard"] = round(std.usd, 2)
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                f"Up to {fmt_usd(std.usd)}/month if files are read more "
                                "often than the transition age and stay in Standard.",
                                "caution"))
    if cls == "archive":
        c.reasons.append(reason("storage.efs_class", PERF03_CONFIG,
                                "EFS Archive needs the Elastic throughput mode and the "
                                "General Purpose performance mode.", "info"))
    if n.latency_ms is not None:
        c.reasons.append(reason("storage.latency", PERF03_CONFIG,
                                f"Reads from {cls} are slower than from Standard; the "
                                f"catalog has no latency figure to check "
                                f"{fmt_num(n.latency_ms)} ms against.", "caution"))


def s3_class(n: StorageNeed) -> tuple[str, list[str]]:
    """The S3 storage class for the access frequency within the objects' lifetime.

    AWS bills each class's minimum storage duration for objects deleted earlier
    (https://aws.amazon.com/s3/storage-classes/, https://aws.amazon.com/s3/pricing/):
    Standard-IA and One Zone-IA 30 days, Glacier Instant and Flexible Retrieval 90, Deep
    Archive 180.  A class whose minimum exceeds ``object_lifetime_days`` is stepped down to
    the next colder-to-warmer class that fits.  "Warm" alone does not choose Standard-IA:
    without a lifetime of at least 30 days, Intelligent-Tiering (no minimum duration) moves
    objects by observed access instead.  Scratch data counts as short-lived.

    Returns
    -------
    (str, list of str)
        The class and the notes explaining any step down.
    """
    cls = S3_CLASS[n.frequency]
    notes: list[str] = []
    life = n.object_lifetime_days
    if life is None and n.persistence == "scratch":
        life = 0.0
        notes.append("scratch data is short-lived")
    if n.frequency == "warm" and life is None:
        notes.append("warm access alone does not justify Standard-IA (30-day minimum "
                     "duration); Intelligent-Tiering has none and moves objects by access")
        return "intelligent_tiering", notes
    if life is None:
        return cls, notes
    order = S3_STEP_DOWN.get(cls, ())
    for candidate in (cls, *order):
        if S3_MIN_DURATION_DAYS.get(candidate, 0.0) <= life:
            if candidate != cls:
                notes.append(f"objects live {fmt_num(life)} days, under the "
                             f"{fmt_num(S3_MIN_DURATION_DAYS[cls])}-day minimum duration of "
                             f"{cls}: {candidate} instead")
            return _one_zone_if_recreatable(candidate, n, notes), notes
    return "standard", notes


def _one_zone_if_recreatable(cls: str, n: StorageNeed, notes: list[str]) -> str:
    """Standard-IA -> One Zone-IA for re-creatable (scratch) data.

    AWS: One Zone-IA stores data in a single AZ at a lower price and suits "easily
    re-creatable data" (https://aws.amazon.com/s3/storage-classes/); the same 30-day
    minimum duration applies, so the lifetime check above holds for it too.
    """
    if cls != "standard_ia" or n.persistence != "scratch":
        return cls
    notes.append("scratch data can be re-created, so One Zone-IA (one AZ, lower price; "
                 "lost if that AZ is) instead of Standard-IA")
    return "one_zone_ia"


def s3_option(n: StorageNeed, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """S3 for web or archival object access, storage class by access frequency and lifetime."""
    cls, notes = s3_class(n)
    item = f"s3.{cls}.storage_gb_month"
    c, priced = _priced_storage(
        "s3", item, n.size_gib, book, region,
        why=f"Object access (web or archival): S3 with the {cls} class for "
        f"{n.frequency or 'unknown'} access frequency"
        + (f" ({'; '.join(notes)}; https://aws.amazon.com/s3/storage-classes/)" if notes
           else "") + ".", config={"storage_class": cls}, note="storage only")
    if S3_MIN_DURATION_DAYS.get(cls):
        c.config["minimum_storage_duration_days"] = S3_MIN_DURATION_DAYS[cls]
    rows = storage_price_rows(catalog).get((f"s3.{cls}", region), [])
    rs, excludes = _charges_reasons("s3", cls, rows, item)
    c.reasons += rs
    if excludes and priced is not None:
        c.predicted["cost_excludes"] = excludes
        c.name_unpriced_all([(x, _NOTED_FEE if ": " in x else
                              "billed per request or per GB retrieved; the profile gives no "
                              "request or retrieval rate") for x in excludes])
    c.add_provenance(priced)
    return c
