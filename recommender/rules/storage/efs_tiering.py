"""EFS tiering charges of files whose lifetime is known (PERF01).

EFS bills each GB lifecycle management moves into Infrequent Access or Archive, per GB
(https://aws.amazon.com/efs/pricing/, the catalog's ``efs.<class>.tiering_gb``); lifecycle
management moves a file not accessed for the transition age
(https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html).  Used by
:mod:`recommender.rules.storage.efs`.
"""

from __future__ import annotations

from typing import Any

from recommender.rules.base import HOURS_PER_MONTH, PERF01_COST, Candidate, fmt_num, fmt_usd, reason
from recommender.rules.prices import PriceBook, fmt_unit_usd
from recommender.rules.storage.need import StorageNeed

EFS_LIFECYCLE_URL = "https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html"
_CLASS_LABEL = {"standard": "Standard", "ia": "IA", "archive": "Archive"}


def efs_tiering(c: Candidate, n: StorageNeed, shares: dict[str, float], book: PriceBook,
                region: str) -> list[Any]:
    """Figure the tiering charge of the files a known lifetime moves into IA and Archive.

    EFS bills each GB lifecycle management moves into IA or Archive ("tiering", per GB,
    https://aws.amazon.com/efs/pricing/; the catalog's ``efs.<class>.tiering_gb``).  The
    time-weighted shares (``efs.efs_class``) already take every file to move once into
    each class its life reaches; with the data at a steady ``size_gib`` and files living
    ``object_lifetime_days``, size / lifetime GiB are written a day, so size / lifetime x
    730 / 24 GiB a month are tiered into each class.  The charge stays named in
    ``unpriced`` (the monthly figure is storage and throughput), now with that estimate;
    without a lifetime the volume moved is unknown and it is named without one
    (``efs._efs_charges``).  Returns the prices used.
    """
    life, size = n.object_lifetime_days, n.size_gib
    if not life or not size or c.monthly_cost_usd is None:
        return []
    gib = size / life * HOURS_PER_MONTH / 24.0
    used, parts = [], []
    for cls in (k for k in shares if k != "standard"):
        item = f"efs.{cls}.tiering_gb"
        pr = book.cost(item, region, gib, per="GB")
        if pr is None:
            continue
        used.append(pr)
        part = (f"{fmt_num(round(gib, 1))} GB into {_CLASS_LABEL.get(cls, cls)} x "
                f"{fmt_unit_usd(pr.unit_price_usd)}/GB ({item}) = {fmt_usd(pr.usd)}")
        parts.append(part)
        c.unpriced = [u for u in c.unpriced if u.item != item]
        c.name_unpriced(item, (
            f"lifecycle management tiers files living {fmt_num(life)} days: {part} a "
            f"month, an estimate from the file lifetime, not "
            f"in the monthly figure ({EFS_LIFECYCLE_URL}; https://aws.amazon.com/efs/"
            "pricing/)"), estimate_usd=pr.usd)
    if parts:
        c.reasons.append(reason("storage.efs_tiering", PERF01_COST, (
            f"Tiering: {fmt_num(size)} GiB of files living {fmt_num(life)} days are written at "
            f"{fmt_num(round(size / life, 1))} GiB a day, and lifecycle management moves each "
            f"once into every class its life reaches: {'; '.join(parts)} a month, named in "
            f"unpriced with this estimate, not in the monthly figure ({EFS_LIFECYCLE_URL}; "
            "https://aws.amazon.com/efs/pricing/)."), "caution"))
    return used
