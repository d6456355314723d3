"""FSx for Lustre for HPC/analytics scratch and throughput-heavy shared data (PERF03).

FSx for Lustre (https://docs.aws.amazon.com/fsx/latest/LustreGuide/what-is.html) is a shared
parallel file system for compute-intensive work.  Its SSD capacity comes in 1.2 TiB or
multiples of 2.4 TiB (https://docs.aws.amazon.com/fsx/latest/LustreGuide/
managing-storage-capacity.html), and a Scratch 2 file system delivers a baseline of 200 MB/s
per TiB (https://docs.aws.amazon.com/fsx/latest/LustreGuide/performance.html), so capacity
grows until it carries the throughput.  Prices come from ``unit_prices`` items
``fsx.lustre.<storage>.<deployment>.storage_gb_month`` (the live build's AmazonFSx rows);
the stored sources have none, so from a local build the option is absent and the catalog
manifest lists the gap (``storage.fsx_no_price_in_catalog`` counts it).
"""

from __future__ import annotations

import math

from recommender.rules.base import (
    PERF03_PURPOSE,
    Candidate,
    Rejections,
    cost_reason,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.candidates import MIB_IN_MB
from recommender.rules.prices import PriceBook, fmt_unit_usd
from recommender.rules.storage.need import StorageNeed

FSX_URL = "https://docs.aws.amazon.com/fsx/latest/LustreGuide/what-is.html"
FSX_PRICING_URL = "https://aws.amazon.com/fsx/lustre/pricing/"
FSX_STORAGE_URL = ("https://docs.aws.amazon.com/fsx/latest/LustreGuide/"
                   "managing-storage-capacity.html")
#: Scratch 2 baseline throughput, MB/s per TiB of storage (performance guide above).
SCRATCH2_MBPS_PER_TIB = 200.0
#: Capacity steps in TiB: the first size, then multiples of the increment (storage guide).
FIRST_TIB, STEP_TIB = 1.2, 2.4


def lustre_capacity_tib(size_gib: float, mibps: float | None) -> float:
    """Smallest valid Lustre SSD capacity holding ``size_gib`` and carrying ``mibps``."""
    need_tib = max(size_gib / 1024.0, (mibps or 0.0) * MIB_IN_MB / SCRATCH2_MBPS_PER_TIB)
    if need_tib <= FIRST_TIB:
        return FIRST_TIB
    return math.ceil(need_tib / STEP_TIB - 1e-9) * STEP_TIB


def wants_lustre(n: StorageNeed) -> bool:
    """Shared data that is HPC/analytics scratch or throughput-heavy sequential access."""
    return n.sharing == "multi_instance" and (
        n.persistence == "scratch" or (n.pattern == "sequential" and bool(n.mibps)))


def lustre_item(items: list[str], kind: str) -> str | None:
    """The SSD storage item of the ``kind`` deployment (``scratch``/``persistent``), the
    latest generation first (Scratch 2 before Scratch 1, Persistent 2 before 1), or None.

    The capacity steps and the per-TiB throughput this option sizes by are SSD's (1.2 TiB
    or multiples of 2.4 TiB, :data:`FSX_STORAGE_URL`); an HDD file system (Persistent 1
    only) comes in 6.0 or 1.8 TiB steps at 12 or 40 MB/s per TiB, so its price row does not
    apply.  Items are ``fsx.lustre.<storage>.<deployment>.storage_gb_month`` (the live
    build's), sorted, so the first match used to be ``hdd.persistent_1`` for persistent data.
    """
    ssd = [i for i in items if i.startswith("fsx.lustre.ssd.")
           and i.split(".")[3].startswith(kind) and i.endswith(".storage_gb_month")]
    return max(ssd) if ssd else None


def fsx_lustre_option(
    n: StorageNeed, book: PriceBook, region: str, rej: Rejections
) -> Candidate | None:
    """FSx for Lustre Scratch 2 (scratch) or Persistent (else), priced; None when unpriced."""
    kind = "scratch" if n.persistence == "scratch" else "persistent"
    item = lustre_item(book.items("fsx.lustre.", region), kind)
    if item is None:
        rej.add("storage.fsx_no_price_in_catalog")
        return None
    tib = lustre_capacity_tib(n.size_gib or 0.0, n.mibps)
    gib = tib * 1024.0
    priced = book.cost(item, region, gib, per="GB-month")
    if priced is None:
        return None
    rs = [reason("storage.fsx_lustre", PERF03_PURPOSE,
                 f"Shared {'scratch' if kind == 'scratch' else 'throughput-heavy'} data for "
                 f"compute-intensive work: FSx for Lustre, a parallel file system ({FSX_URL}); "
                 f"{fmt_num(round(tib, 1))} TiB is the smallest valid SSD capacity (1.2 TiB or "
                 f"multiples of 2.4 TiB, {FSX_STORAGE_URL}) for {fmt_num(n.size_gib or 0)} GiB"
                 + (f" and {fmt_num(n.mibps)} MiB/s at {SCRATCH2_MBPS_PER_TIB:g} MB/s per TiB"
                    if n.mibps and kind == "scratch" else "") + "."),
          cost_reason("storage", f"{fmt_usd(priced.usd)}/month: {fmt_num(round(gib, 1))} GiB "
                      f"at {fmt_unit_usd(priced.unit_price_usd)}/GB-month ({item}; "
                      f"{FSX_PRICING_URL}).")]
    c = Candidate("fsx_lustre", "fsx", priced.usd, rs,
                  config={"deployment": item.split(".")[-2], "storage_capacity_tib": tib,
                          **priced.provenance()},
                  verify=priced.verify, purchase_option=None, components={"fit": 1.0})
    return c
