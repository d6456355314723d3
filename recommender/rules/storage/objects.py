"""Object storage options: S3, storage class by access frequency and lifetime (PERF03).

EFS lives in ``storage.efs`` (``efs_option`` and ``EFS_CLASS`` are re-exported here), the
price rows and per-GB charges both share in ``storage.class_prices`` (whose docstring says
how a class's per-GB read charges are priced, or named as left out).
"""

from __future__ import annotations

from typing import Any

from recommender.rules.base import (
    HOURS_PER_MONTH,
    PERF01_COST,
    PERF03_CONFIG,
    Candidate,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.prices import PriceBook, fmt_unit_usd, per_unit_cost
from recommender.rules.storage.class_prices import (
    PER_GB_ACCESS_CLASSES,
    S3_RESTORE_CLASSES,
    charges_reasons,
    priced_storage,
    storage_price_rows,
)
from recommender.rules.storage.efs import EFS_CLASS, efs_option
from recommender.rules.storage.efs_throughput import DEFAULT_READ_FRACTION, transferred_gib
from recommender.rules.storage.need import StorageNeed

__all__ = ["EFS_CLASS", "PER_GB_ACCESS_CLASSES", "S3_CLASS", "S3_MIN_DURATION_DAYS",
           "S3_RESTORE_CLASSES",
           "efs_option", "s3_class", "s3_option", "storage_price_rows"]

#: S3 storage class per access frequency (unknown -> Intelligent-Tiering, which moves
#: objects between tiers by observed access).
S3_CLASS: dict[str | None, str] = {
    "hot": "standard", "warm": "standard_ia", "cold": "glacier_instant",
    "archive": "glacier_deep_archive", None: "intelligent_tiering",
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
#: Minimum billable object size per S3 class, KB ("Comparing the Amazon S3 storage classes",
#: :data:`S3_CLASSES_URL`): an IA or Glacier Instant Retrieval object smaller than 128 KB is
#: charged as 128 KB; each Glacier Flexible Retrieval or Deep Archive object adds 40 KB of
#: metadata (32 KB at the class's rate, 8 KB at Standard's).  Standard and
#: Intelligent-Tiering have none (objects under 128 KB stay in its Frequent Access tier).
S3_MIN_OBJECT_KB: dict[str, float] = {
    "standard_ia": 128.0, "one_zone_ia": 128.0, "glacier_instant": 128.0,
    "glacier_flexible": 40.0, "glacier_deep_archive": 40.0,
}
#: ``S3_RESTORE_CLASSES`` (from ``storage.class_prices``): classes whose objects "are not
#: available for real-time access": they must be restored first (Deep Archive "a default
#: retrieval time of 12 hours", Flexible Retrieval minutes to hours), whereas Glacier
#: Instant Retrieval is for archives that need "milliseconds retrieval" (the page below).
S3_CLASSES_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html"
#: "S3 Express One Zone is a high-performance, single-Availability Zone storage class purpose-
#: built to deliver consistent, single-digit millisecond data access", "up to 10x faster" than
#: S3 Standard ("What is Amazon S3?", storage classes): a need below 10 ms is the single-digit
#: band that the regional classes do not promise.
S3_EXPRESS_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html"
S3_SINGLE_DIGIT_MS = 10.0
#: The performance risk of a regional S3 class asked for single-digit milliseconds: it is
#: expected to miss (AWS's own faster class is "up to 10x faster"), not merely unmeasured.
S3_LATENCY_RISK = 2.0
#: Why a fee named only in a price row's note is unpriced (no object count in the profile).
_NOTED_FEE = ("a fee the catalog's storage price leaves out (its note says so; S3 bills "
              "Intelligent-Tiering monitoring per 1,000 objects, https://aws.amazon.com/s3/"
              "pricing/); the profile gives no object count")



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
    if cls in S3_RESTORE_CLASSES and n.latency_ms is not None:
        cls = _archive_for_latency(cls, n.latency_ms, notes)
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


#: Standard retrieval, the default restore, at the top of its typical time in ms: "3-5
#: hours" from Glacier Flexible Retrieval, "within 12 hours" from Deep Archive
#: (:data:`S3_RETRIEVAL_URL`).  Expedited retrieval (Flexible Retrieval only, 1-5 minutes) is
#: a premium whose capacity only provisioned capacity assures: not relied on.
S3_RETRIEVAL_URL = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
                    "restoring-objects-retrieval-options.html")
S3_RESTORE_MS: dict[str, float] = {"glacier_deep_archive": 12 * 3_600_000.0,
                                   "glacier_flexible": 5 * 3_600_000.0}


def _archive_for_latency(cls: str, need_ms: float, notes: list[str]) -> str:
    """The coldest archive class whose Standard retrieval meets ``need_ms`` (Deep Archive,
    then Flexible Retrieval, :data:`S3_RESTORE_MS`), else Glacier Instant Retrieval, which
    serves archives in milliseconds (:data:`S3_CLASSES_URL`); the note says why."""
    order = ("glacier_deep_archive", "glacier_flexible")
    for c in order[order.index(cls):] if cls in order else ():
        if S3_RESTORE_MS[c] <= need_ms:
            notes.append(f"a {fmt_num(need_ms)} ms latency need: {c}'s Standard retrieval "
                         f"restores within {fmt_num(S3_RESTORE_MS[c] / 3_600_000)} hours"
                         + (f" ({cls}'s within {fmt_num(S3_RESTORE_MS[cls] / 3_600_000)})"
                            if c != cls else "") + f" ({S3_RETRIEVAL_URL})")
            return c
    notes.append(f"a {fmt_num(need_ms)} ms latency need: {cls} objects must be restored "
                 f"(hours: Standard retrieval up to {fmt_num(S3_RESTORE_MS[cls] / 3_600_000)}, "
                 f"{S3_RETRIEVAL_URL}) before they can be read, Glacier Instant Retrieval "
                 f"serves archives in milliseconds ({S3_CLASSES_URL})")
    return "glacier_instant"


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


#: A lifecycle expiration of objects "in ... STANDARD_IA, or ONEZONE_IA storage for less than
#: 30 days" is "charged for 30 days" (Glacier 90, Deep Archive 180): S3 User Guide, "Expiring
#: objects".  (S3 Intelligent-Tiering has had no minimum duration since 2021: not listed.)
S3_EXPIRE_URL = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
                 "lifecycle-expire-general-considerations.html")


def _minimum_duration(c: Candidate, cls: str, life: float | None) -> None:
    """What the class's minimum storage duration costs the objects.

    :func:`s3_class` never picks a class whose minimum is longer than a known lifetime, so
    objects that live ``life`` days (at least the minimum) incur no minimum-duration charge,
    and the reason says so.  Without a lifetime the charge cannot be priced: objects deleted,
    overwritten or moved out earlier are billed for the rest of the minimum
    (:data:`S3_EXPIRE_URL`; "a prorated early deletion fee" for the Glacier classes), so the
    option names it as unpriced.
    """
    days = fmt_num(S3_MIN_DURATION_DAYS[cls])
    if life is not None:
        c.reasons.append(reason("storage.minimum_duration", PERF01_COST,
                                f"Objects live {fmt_num(life)} days, at least the {days}-day "
                                f"minimum storage duration of {cls}: no minimum-duration "
                                f"charge ({S3_EXPIRE_URL})."))
        return
    c.name_unpriced_all([(f"s3.{cls} minimum storage duration charge", (
        f"objects deleted, overwritten or moved to another class before {days} days are "
        f"billed for {days} days ({S3_EXPIRE_URL}); the profile gives no "
        f"storage.object_lifetime_days"))], category="storage")


def _object_size_and_restore(c: Candidate, cls: str) -> None:
    """Name the class's minimum billable object size (the profile gives no object count or
    size, so it cannot be priced) and say when objects must be restored before a read."""
    kb = S3_MIN_OBJECT_KB.get(cls)
    if kb is not None:
        how = (f"each object adds {fmt_num(kb)} KB of metadata (32 KB at the {cls} rate, 8 KB "
               "at S3 Standard's)" if cls in S3_RESTORE_CLASSES else
               f"an object smaller than {fmt_num(kb)} KB is charged as {fmt_num(kb)} KB")
        c.name_unpriced_all([(f"s3.{cls} minimum billable object size ({fmt_num(kb)} KB)", (
            f"{how} ({S3_CLASSES_URL}); the profile gives no object count or size, so the "
            "monthly figure bills the data's GiB only"))], category="storage")
    if cls in S3_RESTORE_CLASSES:
        c.reasons.append(reason("storage.s3_restore", PERF01_COST, (
            f"{cls} objects are not available for real-time access: each must be restored "
            "(RestoreObject; Deep Archive within 12 hours by default, Flexible Retrieval "
            f"minutes to hours) before it can be read ({S3_CLASSES_URL})."), "caution"))


#: S3 Intelligent-Tiering's "monthly object monitoring and automation charge" (objects
#: smaller than 128 KB are not monitored, https://docs.aws.amazon.com/AmazonS3/latest/
#: userguide/intelligent-tiering-overview.html), in the catalog per object-month.
S3_MONITORING_ITEM = "s3.intelligent_tiering.monitoring_object_month"


def _monitoring_fee(book: PriceBook, region: str) -> str:
    """Why Intelligent-Tiering's monitoring fee is unpriced, with its catalog price."""
    pr = book.cost(S3_MONITORING_ITEM, region, 1000.0, per="object-month")
    if pr is None:
        return _NOTED_FEE
    return (f"S3 bills Intelligent-Tiering monitoring and automation at {fmt_unit_usd(pr.usd)} per "
            f"1,000 objects a month ({S3_MONITORING_ITEM}; objects under 128 KB are not "
            "monitored nor charged; https://aws.amazon.com/s3/pricing/); the profile gives no "
            "object count")


def _single_digit_latency(c: Candidate, n: StorageNeed, book: PriceBook, region: str) -> None:
    """A latency need under 10 ms: a caution, :data:`S3_LATENCY_RISK`, and S3 Express One Zone
    (the class AWS builds for single-digit milliseconds, :data:`S3_EXPRESS_URL`) named as the
    alternative, its storage priced in the reason at the catalog's
    ``s3.express_one_zone.storage_gb_month`` (https://aws.amazon.com/s3/pricing/); it is not
    offered: a directory bucket in one Availability Zone, which the exported templates do not
    create."""
    if n.latency_ms is None or n.latency_ms >= S3_SINGLE_DIGIT_MS:
        return
    c.reasons.append(reason("storage.s3_latency", PERF03_CONFIG, (
        f"A {fmt_num(n.latency_ms)} ms latency need is in the single-digit milliseconds that "
        "AWS promises only for S3 Express One Zone (directory buckets in one Availability "
        f"Zone, up to 10x faster than S3 Standard; {S3_EXPRESS_URL}); the regional classes "
        "are expected to miss it: measure first-byte latency, or cache in front (CloudFront, "
        "ElastiCache)."), "caution"))
    c.risk = max(c.risk, S3_LATENCY_RISK)
    item = "S3 Express One Zone (for single-digit millisecond access)"
    pr = book.cost(S3_EXPRESS_ITEM, region, n.size_gib or 0.0, per="GB-month")
    if pr is None:
        c.name_unpriced_all([(item, (
            f"no S3 Express One Zone price for {region} in the catalog, so it is named, not "
            f"offered ({S3_EXPRESS_URL})"))], category="storage")
        return
    size = (f"{fmt_num(n.size_gib)} GiB would store for {fmt_usd(pr.usd)}/month"
            if n.size_gib else "storage.size_gib not given")
    why = (f"its storage is {fmt_unit_usd(pr.unit_price_usd)} per GB-month in {region} "
           f"({S3_EXPRESS_ITEM}, https://aws.amazon.com/s3/pricing/): {size}, requests and "
           "per-GB upload and retrieval charges besides; named, not offered: a directory "
           f"bucket in one Availability Zone, which the exported templates do not create "
           f"({S3_EXPRESS_URL})")
    # No estimate_usd: it is an alternative to this option's storage, not a cost beside it.
    c.name_unpriced(item, why)
    c.reasons.append(reason("storage.unpriced", PERF01_COST,
                            f"Not in the monthly cost: {item} ({why}).", "caution"))


#: S3 Express One Zone storage in the catalog (the stored feed's "Express One Zone Storage").
S3_EXPRESS_ITEM = "s3.express_one_zone.storage_gb_month"


def s3_option(n: StorageNeed, book: PriceBook, catalog: Any, region: str) -> Candidate:
    """S3 for web or archival object access, storage class by access frequency and lifetime;
    S3 Standard instead when the class's per-GB retrievals of the profile's reads make it
    cost more than Standard, which bills none (:func:`_cheaper_with_retrievals`)."""
    cls, notes = s3_class(n)
    c = _s3_candidate(n, cls, notes, book=book, catalog=catalog, region=region)
    if "retrieval_usd" not in c.config:
        return c
    return _cheaper_with_retrievals(n, c, book, catalog, region)


def _s3_candidate(n: StorageNeed, cls: str, notes: list[str], *, book: PriceBook,
                  catalog: Any, region: str) -> Candidate:
    """S3 in ``cls``: storage priced, its retrievals priced from the profile's reads when
    it gives a throughput (:func:`_retrievals`), every other charge named."""
    item = f"s3.{cls}.storage_gb_month"
    c, parts = priced_storage(
        "s3", {item: 1.0}, n.size_gib, book, region,
        why=f"Object access (web or archival): S3 with the {cls} class for "
        f"{n.frequency or 'unknown'} access frequency ("
        + (f"{'; '.join(notes)}; " if notes else "")
        + "https://aws.amazon.com/s3/storage-classes/).", config={"storage_class": cls},
        note="storage only")
    if S3_MIN_DURATION_DAYS.get(cls):
        c.config["minimum_storage_duration_days"] = S3_MIN_DURATION_DAYS[cls]
        _minimum_duration(c, cls, n.object_lifetime_days)
    _object_size_and_restore(c, cls)
    _single_digit_latency(c, n, book, region)
    priced = parts[0] if parts else None
    rows = storage_price_rows(catalog).get((f"s3.{cls}", region), [])
    rs, excludes = charges_reasons("s3", cls, rows, item)
    retrieval = _retrievals(c, n, cls, book, region) if priced is not None else None
    if retrieval is not None:
        # The per-GB charge is counted: drop the reasons saying it is left out.
        rs = [r for r in rs if r.rule not in ("storage.access_charges", "storage.price_notes")]
        excludes = [x for x in excludes if x != retrieval[0]]
    c.reasons += rs
    if excludes and priced is not None:
        c.predicted["cost_excludes"] = excludes
        noted = _monitoring_fee(book, region) if cls == "intelligent_tiering" else _NOTED_FEE
        c.name_unpriced_all([(x, noted if ": " in x else
                              "billed per request or per GB retrieved; the profile gives no "
                              "request or retrieval rate") for x in excludes])
    if cls in S3_RESTORE_CLASSES and priced is not None:
        _restored_copies(c, n, cls, book, region)
    c.add_provenance(priced, None if retrieval is None else retrieval[1])
    return c


#: "When you restore an archive, you pay for both the archive and the restored copy. Because
#: there is a storage cost for the copy, restore objects only for the duration you need
#: them" (Restoring an archived object): the temporary copy of a Glacier Flexible Retrieval
#: or Deep Archive object is stored beside the archive for the days the restore asks for.
S3_RESTORE_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html"


def _restored_copies(c: Candidate, n: StorageNeed, cls: str, book: PriceBook,
                     region: str) -> None:
    """Name the storage of the temporary copies restores make (:data:`S3_RESTORE_URL`): the
    profile gives no restore duration (days), so it is not priced; with a read throughput
    the GB restored a month are known and the reason gives what each day the copies are
    kept costs at the catalog's S3 Standard rate (the rate of the restored copy,
    https://aws.amazon.com/s3/pricing/)."""
    item = f"s3.{cls} restored copies (stored beside the archive while kept)"
    why = (f"a restore keeps a temporary copy of each object for the days it asks for, billed "
           f"as storage beside the {cls} archive ({S3_RESTORE_URL}); the profile gives no "
           "restore duration")
    std = book.unit("s3.standard.storage_gb_month", region)
    gib = c.config.get("retrieval_gib_month")
    if std is not None and gib:
        per_day = per_unit_cost(std.price_usd, float(gib)) * 24.0 / HOURS_PER_MONTH
        why += (f"; the {fmt_num(gib)} GB restored a month at S3 Standard's "
                f"{fmt_unit_usd(std.price_usd)} per GB-month cost {fmt_usd(per_day)} for "
                f"each day they are kept ({fmt_num(gib)} x {fmt_unit_usd(std.price_usd)} x 24 / "
                f"{fmt_num(HOURS_PER_MONTH)} h, {S3_PRICING_URL})")
    c.name_unpriced_all([(item, why)], category="storage")


#: The S3 pricing page bills each GB retrieved from the IA and Glacier classes ("Requests &
#: data retrievals": Standard-IA and One Zone-IA $0.01, Glacier Instant Retrieval $0.03,
#: Glacier Flexible Retrieval Standard $0.01, Deep Archive Standard $0.02 per GB in
#: us-east-1); the catalog's ``s3.<class>.retrieval_gb`` rows carry them.
S3_PRICING_URL = "https://aws.amazon.com/s3/pricing/"


def _retrievals(c: Candidate, n: StorageNeed, cls: str, book: PriceBook,
                region: str) -> tuple[str, Any] | None:
    """Price the GB the profile reads a month at the class's per-GB retrieval price.

    The reads are ``storage.throughput_mibps`` for ``throughput_hours_per_month`` (all
    month when absent) times ``read_fraction`` (half when absent, stated), the way EFS
    Elastic Throughput bills the GB it moves (:func:`transferred_gib`).  Adds the charge to
    the option's cost; returns (item, priced), or None when the profile gives no throughput
    or the catalog no retrieval price (the charge then stays named as unpriced).
    """
    item = f"s3.{cls}.retrieval_gb"
    if not n.mibps or cls not in PER_GB_ACCESS_CLASSES["s3"] or c.monthly_cost_usd is None:
        return None
    hours = n.throughput_hours or HOURS_PER_MONTH
    rf = DEFAULT_READ_FRACTION if n.read_fraction is None else n.read_fraction
    gib = transferred_gib(n.mibps, hours) * rf
    pr = book.cost(item, region, gib, per="GB")
    if pr is None:
        return None
    storage_usd = c.monthly_cost_usd
    c.monthly_cost_usd += pr.usd
    c.reasons = [r.model_copy(update={"text": (
        f"{fmt_usd(c.monthly_cost_usd)}/month for {fmt_num(n.size_gib or 0)} GiB: "
        f"{fmt_usd(storage_usd)} storage + {fmt_usd(pr.usd)} retrievals ({S3_PRICING_URL}).")})
        if r.rule == "storage.monthly_cost" else r for r in c.reasons]
    c.config.update(retrieval_gib_month=round(gib, 1), retrieval_usd=round(pr.usd, 2))
    c.reasons.append(reason("storage.access_charges", PERF01_COST, (
        f"Retrievals: {fmt_num(n.mibps)} MiB/s for {fmt_num(hours)} h/month, {rf:.0%} reads"
        + (" (storage.read_fraction not given: assumed)" if n.read_fraction is None else "")
        + f" = {fmt_num(round(gib, 1))} GB retrieved x {fmt_unit_usd(pr.unit_price_usd)}/GB "
        f"({item}) = {fmt_usd(pr.usd)}/month, in the monthly cost ({S3_PRICING_URL}).")))
    return item, pr


def _cheaper_with_retrievals(n: StorageNeed, c: Candidate, book: PriceBook, catalog: Any,
                             region: str) -> Candidate:
    """S3 Standard when its storage costs less than ``c``'s storage plus retrievals.

    Standard has no retrieval charge, no minimum duration and millisecond access
    (https://aws.amazon.com/s3/storage-classes/), so it meets whatever the colder class
    met; the IA and Glacier classes save only while "accessed less frequently"
    (:data:`S3_CLASSES_URL`): when the profile's reads cost more than the storage saves,
    Standard is offered and the colder class's figure named.
    """
    std = _s3_candidate(n, "standard", [], book=book, catalog=catalog, region=region)
    cold, warm = c.monthly_cost_usd, std.monthly_cost_usd
    if cold is None or warm is None or warm >= cold:
        return c
    cls = c.config["storage_class"]
    std.reasons.insert(1, reason("storage.s3_class", PERF01_COST, (
        f"{cls} would cost {fmt_usd(cold)}/month with its retrievals "
        f"({fmt_usd(c.config['retrieval_usd'])} for {fmt_num(c.config['retrieval_gib_month'])}"
        f" GB read at the profile's throughput), S3 Standard {fmt_usd(warm)} with none: the "
        f"reads outweigh the storage {cls} saves, so S3 Standard ({S3_PRICING_URL}).")))
    std.config["colder_class"] = cls
    std.config["colder_class_monthly_cost_usd"] = round(cold, 2)
    return std
