"""DynamoDB options: capacity units from the item size and consistency, priced per mode (PERF03).

A read unit covers 4 KiB strongly consistent (half a unit eventually consistent), a write unit
1 KiB (https://aws.amazon.com/dynamodb/pricing/); provisioned capacity is set at auto scaling's
default target utilization; usage prices come from ``unit_prices``.  An item above DynamoDB's
400 KB maximum rejects DynamoDB (:func:`item_too_large`).
"""

from __future__ import annotations

import math
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import (
    HOURS_PER_MONTH,
    PERF01_COST,
    PERF03_CONFIG,
    PERF03_PURPOSE,
    SECONDS_PER_MONTH,
    Candidate,
    Rejections,
    cost_reason,
    fmt_num,
    fmt_usd,
    no_price_reason,
    reason,
    sentence,
    verify_reason,
)
from recommender.rules.prices import PriceBook

#: DynamoDB auto scaling's default target utilization for provisioned capacity
#: (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html; the
#: provisioned example of https://aws.amazon.com/dynamodb/pricing/provisioned/ uses it too).
DYNAMODB_TARGET_UTILIZATION = 0.7
DYNAMODB_AUTOSCALING_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                            "AutoScaling.html")
#: ProvisionedThroughput ReadCapacityUnits and WriteCapacityUnits: "Valid Range: Minimum value
#: of 1" (DynamoDB API Reference), so a provisioned table with no reads (or no writes) still
#: provisions, and pays for, one unit of each.
DYNAMODB_MIN_UNITS = 1
DYNAMODB_PROVISIONED_THROUGHPUT_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/"
                                       "APIReference/API_ProvisionedThroughput.html")
#: The feed's DynamoDB free-tier rows carry a $0 price but no quantity, so none is deducted.
#: DynamoDB's maximum item size, attribute names and values included, in its 1,024-byte KB.
DYNAMODB_MAX_ITEM_KIB = 400.0
DYNAMODB_CONSTRAINTS_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                            "Constraints.html")
DYNAMODB_LARGE_ITEMS_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                            "bp-use-s3-too.html")
DYNAMODB_ITEM_REJECT = "database.dynamodb_item_above_400_kb"
DYNAMODB_PRICING_URL = "https://aws.amazon.com/dynamodb/pricing/"
#: "In most cases, the DynamoDB response times can be measured in single-digit milliseconds";
#: for "response times in microseconds", DAX serves eventually consistent reads, and it is not
#: for "applications that require strongly consistent reads" (In-Memory Acceleration with DAX).
DAX_URL = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.html"
#: The performance risk of a DynamoDB table asked for sub-millisecond reads: the relational
#: options' step for the same need (``database_relational._latency_caution``), a cache in
#: front is needed.
SUB_MS_RISK = 3.0
DYNAMODB_FREE_TIER_NOTE = ("the free tier (https://aws.amazon.com/dynamodb/pricing/) has no "
                           "quantity in the catalog's feed, so it is not deducted.")


#: "Both tables and LSIs provide two read consistency options: eventually consistent (default)
#: and strongly consistent reads"; "Eventually consistent is the default read consistent model
#: for all read operations" (DynamoDB read consistency).  A profile without
#: ``database.consistency`` is priced at that default, eventually consistent, as the caching
#: trade-off already took it (DAX offloads those reads); the capacity reason says it was not
#: asked, and that strong reads take twice the read units.
DYNAMODB_READ_CONSISTENCY_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/"
                                 "developerguide/HowItWorks.ReadConsistency.html")


def _capacity_units(d: Any) -> tuple[float, float, int, list[Any]]:
    """(item KiB, RCU per read, WCU per write, the reasons saying so) of DynamoDB.

    A read unit covers 4 KiB strongly consistent (half a unit eventually consistent), a write
    unit 1 KiB (https://aws.amazon.com/dynamodb/pricing/).  Reads are strongly consistent
    only when ``consistency`` says so; absent, they are DynamoDB's default, eventually
    consistent (:data:`DYNAMODB_READ_CONSISTENCY_URL`), and the reason says so.
    """
    item = d.item_size_kib or 1.0
    strong = d.consistency == "strong"  # absent: DynamoDB's default, eventual (see above)
    rcu_per_read = math.ceil(item / 4.0) * (1.0 if strong else 0.5)  # 4 KiB per RCU
    wcu_per_write = math.ceil(item / 1.0)  # 1 KiB per WCU
    text = (f"{fmt_num(rcu_per_read)} RCU per {'strong' if strong else 'eventual'} read "
            f"and {wcu_per_write} WCU per write of {fmt_num(item)} KiB"
            + ("" if d.item_size_kib else " (item size not given: 1 KiB assumed)")
            + ("" if d.consistency else (
                " (database.consistency not given: DynamoDB's default, 'Eventually "
                "consistent is the default read consistent model for all read operations', "
                f"{DYNAMODB_READ_CONSISTENCY_URL}; strongly consistent reads take twice the "
                "read units: set it to strong if the reads must be)"))
            + ".")
    return item, rcu_per_read, wcu_per_write, [reason("database.capacity_units",
                                                      PERF03_CONFIG, text)]


def _dynamodb_usage(
    mode: str, d: Any, book: PriceBook, region: str, per: tuple[float, int],
) -> tuple[list[Any], dict[str, int], list[Any]]:
    """The read and write prices of one capacity mode (None when unpriced), the provisioned
    units (the export writes ProvisionedThroughput from them) and the mode's reasons."""
    reads, writes = d.reads_per_s, d.writes_per_s
    rcu_per_read, wcu_per_write = per
    if mode == "on_demand":
        return [book.cost("dynamodb.on_demand.read_request_unit", region,
                          reads * rcu_per_read * SECONDS_PER_MONTH),
                book.cost("dynamodb.on_demand.write_request_unit", region,
                          writes * wcu_per_write * SECONDS_PER_MONTH)], {}, []
    # A provisioned table has at least one unit of each ("Valid Range: Minimum value of 1").
    rcu = max(DYNAMODB_MIN_UNITS, math.ceil(reads * rcu_per_read / DYNAMODB_TARGET_UTILIZATION))
    wcu = max(DYNAMODB_MIN_UNITS,
              math.ceil(writes * wcu_per_write / DYNAMODB_TARGET_UTILIZATION))
    priced = [book.cost("dynamodb.provisioned.rcu_hour", region, rcu * HOURS_PER_MONTH),
              book.cost("dynamodb.provisioned.wcu_hour", region, wcu * HOURS_PER_MONTH)]
    return priced, {"rcu": rcu, "wcu": wcu}, [reason(
        "database.provisioned", PERF03_CONFIG,
        f"{fmt_num(reads)} reads/s x {fmt_num(rcu_per_read)} = "
        f"{fmt_num(reads * rcu_per_read)} RCU and {fmt_num(writes)} writes/s x "
        f"{wcu_per_write} = {fmt_num(writes * wcu_per_write)} WCU consumed at peak; "
        f"{rcu} RCU and {wcu} WCU provisioned at auto scaling's default "
        f"{DYNAMODB_TARGET_UTILIZATION:.0%} target utilization ({DYNAMODB_AUTOSCALING_URL})"
        + (f"; at least {DYNAMODB_MIN_UNITS} of each, the least a provisioned table takes "
           f"({DYNAMODB_PROVISIONED_THROUGHPUT_URL})"
           if min(reads * rcu_per_read, writes * wcu_per_write) <= 0 else "") + ".")]


#: "Per table: 40,000 read request units and 40,000 write request units" (on-demand) and
#: "40,000 read capacity units and 40,000 write capacity units" (provisioned), adjustable: the
#: default table-level throughput quotas (:data:`DYNAMODB_QUOTAS_URL`).
DYNAMODB_TABLE_QUOTA_UNITS = 40000.0
DYNAMODB_QUOTAS_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                       "ServiceQuotas.html#default-limits-throughput")


def _table_quota_reasons(mode: str, d: Any, per: tuple[float, int],
                         prov: dict[str, int]) -> list[Any]:
    """A caution when the table needs more read or write units per second than the default
    per-table quota: the quota is adjustable, so the option stands, but an increase must be
    requested before the table can carry the load."""
    if mode == "on_demand":
        need = {"read": d.reads_per_s * per[0], "write": d.writes_per_s * per[1]}
        unit = "request units"
    else:
        need = {"read": float(prov["rcu"]), "write": float(prov["wcu"])}
        unit = "capacity units"
    over = [f"{fmt_num(round(v))} {k} {unit}" for k, v in need.items()
            if v > DYNAMODB_TABLE_QUOTA_UNITS]
    if not over:
        return []
    return [reason("database.dynamodb_table_quota", PERF03_CONFIG, (
        f"{' and '.join(over)} per second exceed the default per-table quota of "
        f"{fmt_num(DYNAMODB_TABLE_QUOTA_UNITS)} {unit} ({DYNAMODB_QUOTAS_URL}); it is "
        "adjustable: request an increase (Service Quotas) before the load arrives."),
        "caution")]


def _dynamodb_option(
    mode: str, d: Any, book: PriceBook, region: str, *, base: list[Any],
    units: tuple[float, float, int], storage: Any,
) -> Candidate:
    """DynamoDB in one capacity mode, priced from the request rates when they are given."""
    item, rcu_per_read, wcu_per_write = units
    size = d.size_gib.min if d.size_gib else None
    rs = list(base)
    cost, verify = None, bool(storage and storage.verify)
    config: dict[str, Any] = {"capacity_mode": mode, "item_size_kib": item, "storage_gib": size}
    todo: list[tuple[str, str, float | None]] = []
    if d.reads_per_s is None or d.writes_per_s is None:
        rs.append(no_price_reason("database", "Needs reads_per_s and writes_per_s to price "
                                  "capacity."))
        todo = _capacity_unpriced(mode, storage)
    else:
        (r, w), prov_units, mode_rs = _dynamodb_usage(mode, d, book, region,
                                                      (rcu_per_read, wcu_per_write))
        config.update(prov_units)
        rs += mode_rs
        rs += _table_quota_reasons(mode, d, (rcu_per_read, wcu_per_write), prov_units)
        if r and w:
            cost = r.usd + w.usd + (storage.usd if storage else 0.0)
            verify |= r.verify or w.verify
            config.update(price_as_of=r.price_as_of, price_source=r.price_source)
            rs.append(cost_reason("database", _cost_text(
                mode, cost, (r, w), (storage, billed_storage_gib(size, item) if size else 0.0))))
        else:
            rs.append(no_price_reason("database",
                                      f"No DynamoDB {mode} price in {region} in the catalog."))
            todo = _capacity_unpriced(mode, storage, f"the catalog has no DynamoDB {mode} "
                                      f"price in {region}")
    if verify:
        rs.append(verify_reason("A DynamoDB price is unverified."))
    fit = 1.0 if (mode == "on_demand") == (d.reads_per_s is None) else 0.9
    c = Candidate("dynamodb", "dynamodb", cost, rs, verify=verify, config=config,
                  purchase_option=mode, components={"fit": fit})
    sub_ms = sub_ms_reason(d)
    if sub_ms is not None:
        c.reasons.append(sub_ms)
        c.risk = max(c.risk, SUB_MS_RISK)
    for what, why, usd in todo:
        c.name_unpriced(what, why, estimate_usd=usd)
        c.reasons.append(reason("database.unpriced", PERF01_COST,
                                f"Not in the monthly cost: {what} ({why}).", "caution"))
    if not size:
        # DynamoDB bills the table's storage per GB-month whatever the capacity mode.
        c.name_unpriced_all([("DynamoDB table storage", (
            f"billed per GB-month of the table's data ({DYNAMODB_PRICING_URL}); "
            "database.size_gib not given"))], category="database")
    return c


def _cost_text(mode: str, cost: float, rw: tuple[Any, Any], st: tuple[Any, float]) -> str:
    """The cost reason: the reads, the writes and the storage billed, each with its figure.

    Before, it read "$3,133.66/month on-demand incl. 50 GiB storage": the data's 50 GiB, not
    the 51.63 GiB billed with the per-item overhead, and no figure for any part."""
    r, w = rw
    storage, gib = st
    unit = "request units" if mode == "on_demand" else "capacity unit-hours"
    return (f"{fmt_usd(cost)}/month {mode.replace('_', '-')}: reads {fmt_usd(r.usd)} + writes "
            f"{fmt_usd(w.usd)} ({unit})"
            + (f" + storage {fmt_usd(storage.usd)} ({gib:,.2f} GiB billed)"
               if storage else "") + f"; {DYNAMODB_FREE_TIER_NOTE}")


def _capacity_unpriced(mode: str, storage: Any, why: str = "") -> list[tuple[str, str,
                                                                           float | None]]:
    """What a table without a capacity price leaves out (issue 9, "Every cost counted or
    named"): its reads and writes, billed per request unit on-demand or per capacity
    unit-hour provisioned (:data:`DYNAMODB_PRICING_URL`), and its storage, priced but not
    counted in an option that carries no cost (named with its estimate).  Before, the option
    named nothing, or only the storage when its size was missing, and the bundle listed no
    capacity charge."""
    unit = "request unit" if mode == "on_demand" else "capacity unit-hour"
    out: list[tuple[str, str, float | None]] = [(
        f"DynamoDB {mode.replace('_', '-')} read and write {unit}s",
        (why or "database.reads_per_s and database.writes_per_s are needed to count them")
        + f"; billed per read and write {unit} ({DYNAMODB_PRICING_URL})", None)]
    if storage is not None:
        out.append(("DynamoDB table storage", (
            f"priced at {fmt_usd(storage.usd)}/month, not counted: an option without its "
            f"capacity price carries no monthly cost ({DYNAMODB_PRICING_URL})"), storage.usd))
    return out


#: "For storage billing, each item includes a per-item storage overhead ... Every item in
#: DynamoDB requires 100 bytes of storage overhead for indexing" (DynamoDB item sizes and
#: formats, :data:`DYNAMODB_ITEM_SIZE_URL`).
DYNAMODB_ITEM_OVERHEAD_BYTES = 100.0
DYNAMODB_ITEM_SIZE_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                          "CapacityUnitCalculations.html")


def billed_storage_gib(size_gib: float, item_kib: float) -> float:
    """The table storage DynamoDB bills for ``size_gib`` of items of ``item_kib`` each: the
    data and :data:`DYNAMODB_ITEM_OVERHEAD_BYTES` per item (size / item items)."""
    return size_gib * (1.0 + DYNAMODB_ITEM_OVERHEAD_BYTES / (item_kib * 1024.0))


def item_too_large(d: Any) -> str | None:
    """Why DynamoDB cannot hold the profile's items, or None when it can.

    "The maximum item size in DynamoDB is 400 KB", and DynamoDB's KB is 1,024 bytes
    (:data:`DYNAMODB_CONSTRAINTS_URL`), so an ``item_size_kib`` above 400 is refused; AWS's
    answer for larger values is to keep them in S3 and a pointer to them in the item
    (:data:`DYNAMODB_LARGE_ITEMS_URL`).
    """
    item = d.item_size_kib
    if item is None or item <= DYNAMODB_MAX_ITEM_KIB:
        return None
    return (f"an item of {fmt_num(item)} KiB is above DynamoDB's maximum item size of "
            f"{fmt_num(DYNAMODB_MAX_ITEM_KIB)} KB (1 KB = 1,024 bytes, "
            f"{DYNAMODB_CONSTRAINTS_URL}); store the large values in S3 and their keys in the "
            f"items ({DYNAMODB_LARGE_ITEMS_URL})")


def dynamodb_options(p: WorkloadProfile, book: PriceBook, region: str, why: str, *,
                     rej: Rejections | None = None) -> list[Candidate]:
    """DynamoDB in on-demand and provisioned capacity, priced from the request rates.

    ``why`` is the reason DynamoDB was chosen; it leads each option's reasons.  Items above
    DynamoDB's maximum size reject it (:func:`item_too_large`, counted in ``rej``).
    """
    d = p.database
    assert d is not None  # callers check the section first
    too_large = item_too_large(d)
    if too_large is not None:
        if rej is not None:
            rej.add(DYNAMODB_ITEM_REJECT, example="dynamodb", note=sentence(too_large))
        return []
    item, rcu_per_read, wcu_per_write, unit_rs = _capacity_units(d)
    size = d.size_gib.min if d.size_gib else None
    billed = billed_storage_gib(size, item) if size else None
    st = book.cost("dynamodb.storage_gb_month", region, billed) if billed else None
    if st is not None and size:
        unit_rs.append(reason("database.dynamodb_storage", PERF03_CONFIG, (
            f"Storage billed {billed or 0.0:,.2f} GiB: {fmt_num(size)} GiB of "
            f"items of {fmt_num(item)} KiB" + ("" if d.item_size_kib else " (assumed)")
            + f" and {DYNAMODB_ITEM_OVERHEAD_BYTES:g} bytes of indexing overhead per item, "
            f"{fmt_num(size)} x {DYNAMODB_ITEM_OVERHEAD_BYTES:g} / {fmt_num(item * 1024)} = "
            f"{(billed or 0.0) - size:,.2f} GiB more ({DYNAMODB_ITEM_SIZE_URL}).")))
    base = [reason("database.dynamodb", PERF03_PURPOSE, sentence(why)), *unit_rs]
    return [_dynamodb_option(mode, d, book, region, base=base,
                             units=(item, rcu_per_read, wcu_per_write), storage=st)
            for mode in ("on_demand", "provisioned")]


def sub_ms_reason(d: Any) -> Any:
    """A caution for a read latency need under 1 ms, which DynamoDB alone does not meet, or None.

    DynamoDB answers "in single-digit milliseconds" in most cases; microseconds take DAX in
    front, and only for eventually consistent reads (:data:`DAX_URL`).  The option stays, at
    :data:`SUB_MS_RISK`, as the relational options do for the same need; DAX itself has no
    price in the catalog (the caching trade-off names it unpriced).
    """
    if d.latency_ms is None or d.latency_ms >= 1:
        return None
    strong = d.consistency == "strong"  # absent: DynamoDB's default, eventual
    return reason("database.latency", PERF03_CONFIG, (
        f"A {fmt_num(d.latency_ms)} ms read latency is below DynamoDB's single-digit "
        f"milliseconds; microsecond reads take DynamoDB Accelerator (DAX) in front ({DAX_URL})"
        + (", which serves only eventually consistent reads: strongly consistent ones pass "
           "through to the table, so make the latency-bound reads eventually consistent"
           if strong else "") + " (see trade-offs: caching)."), "caution")
