"""Storage-class prices shared by EFS and S3: the price rows, per-GB charges (PERF01).

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
from recommender.rules.prices import PriceBook, fmt_unit_usd, per_catalog, per_unit_cost

#: Classes whose reads are billed per GB on top of storage: EFS IA/Archive reads and
#: tiering (https://aws.amazon.com/efs/pricing/), S3 retrievals from the IA and Glacier
#: classes (https://aws.amazon.com/s3/pricing/).  Only *whether* a charge exists is recorded
#: here; its price must come from the catalog.
PER_GB_ACCESS_CLASSES: dict[str, frozenset[str]] = {
    "efs": frozenset({"ia", "archive"}),
    "s3": frozenset({"standard_ia", "one_zone_ia", "glacier_instant", "glacier_flexible",
                     "glacier_deep_archive"}),
}
_WHAT_IS_CHARGED = {"efs": ("access", "reads (and tiering into the class)"),
                    "s3": ("retrieval", "retrievals")}

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
    # Kept on disk with the derived indexes: a warm process reads no unit_prices table (nor
    # imports pandas) for an EFS or S3 option.
    return per_catalog("storage_price_rows", catalog, build, persist=dict)


def _per_gb_charges(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows billed per GB transferred (not per GB-month stored): access/retrieval charges."""
    return [r for r in rows
            if "per GB" in str(r["unit"]) and "month" not in str(r["unit"]).lower()]


def charges_reasons(
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
                             f"volume ({PRICING_URL[service]}).", "caution"))
            excludes += [str(r["item"]) for r in per_gb]
        else:
            rs.append(reason("storage.access_charges", PERF01_COST,
                             f"{service.upper()} {cls} {billed} are billed per GB: {what} "
                             "charges not in the catalog, so the monthly cost excludes them "
                             f"({PRICING_URL[service]}).", "caution"))
            excludes.append(f"{service}.{cls} per-GB {what} charges (not in the catalog)")
    if service == "s3":
        # Request prices exist per class; the profile has no request rate to multiply.  The
        # Glacier Flexible Retrieval and Deep Archive classes also bill each restore request
        # (Standard retrieval: $0.05 and $0.10 per 1,000, S3_PRICING_URL).
        req = {str(r["item"]).rsplit(".", 1)[-1]: r for r in rows}
        parts = []
        kinds = ("put_request", "get_request") + (
            ("restore_request",) if cls in S3_RESTORE_CLASSES else ())
        for kind in kinds:
            rq = req.get(kind)
            parts.append(f"{kind.replace('_', ' ')}s {_per_1000(rq)}" if rq
                         else f"{kind.replace('_', ' ')}: no price in the catalog")
            excludes.append(f"s3.{cls}.{kind}")
        rs.append(reason("storage.request_charges", PERF01_COST,
                         f"Request charges ({'; '.join(parts)}; {S3_PRICING_URL}) are not in "
                         "the monthly figure: the profile gives no request rate.", "caution"))
    return rs, excludes


S3_PRICING_URL = "https://aws.amazon.com/s3/pricing/"
#: The pricing page of each storage service's prices (cost and charge reasons cite it).
PRICING_URL = {"efs": "https://aws.amazon.com/efs/pricing/", "s3": S3_PRICING_URL}
#: S3 classes whose objects must be restored (RestoreObject) before a read: Glacier Flexible
#: Retrieval and Deep Archive (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
#: storage-class-intro.html); each restore is a billed request (:data:`S3_PRICING_URL`).
S3_RESTORE_CLASSES = frozenset({"glacier_flexible", "glacier_deep_archive"})


def _per_1000(row: dict[str, Any]) -> str:
    """A per-request row's price per 1,000 requests, as the S3 pricing page quotes it
    ($0.005 per 1,000 PUT requests to Standard): one request's price in whole dollars
    prints as $0.00 or in exponent notation."""
    if str(row["unit"]) != "USD per request":
        return f"{fmt_usd(float(row['price_usd']))} {row['unit']}"
    return f"${per_unit_cost(float(row['price_usd']), 1000):,.4f} per 1,000"


def priced_storage(
    option: str, parts: dict[str, float], size: float | None, book: PriceBook, region: str, *,
    why: str, config: dict[str, Any], note: str,
) -> tuple[Candidate, list[Any] | None]:
    """A storage-only candidate priced from ``parts`` (the shared part of EFS and S3).

    ``parts`` maps each storage item to the share of the data it holds (one item at 1.0 but
    for EFS files that spend part of their life in each lifecycle class); the priced parts
    are returned, or None when one of them has no price.
    """
    priced = [book.cost(item, region, (size or 0.0) * share, per="GB-month")
              for item, share in parts.items()]
    rs = [reason(f"storage.{option}", PERF03_PURPOSE, why)]
    cost = None
    missing = [item for item, pr in zip(parts, priced, strict=True) if pr is None]
    if missing:
        rs.append(no_price_reason("storage", f"No price for {', '.join(missing)} in {region} "
                                             "in the catalog."))
    elif size is None:
        rs.append(reason("storage.size_unknown", PERF01_COST,
                         "storage.size_gib not given: " + " + ".join(
                             f"{fmt_unit_usd(pr.unit_price_usd)}" for pr in priced if pr)
                         + " per GB-month.", "caution"))
    else:
        cost = sum(pr.usd for pr in priced if pr)
        rs.append(cost_reason("storage", f"{fmt_usd(cost)}/month for {fmt_num(size)} GiB "
                                         f"({note}; {PRICING_URL[option]})."))
    verify = any(pr.verify for pr in priced if pr)
    if verify:
        rs.append(verify_reason(f"{', '.join(parts)} is marked unverified."))
    return Candidate(option, option, cost, rs, config=config, verify=verify,
                     purchase_option=None), None if missing else priced
