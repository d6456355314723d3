"""RDS gp3 storage for the I/O a relational load asks: the IOPS included by size and engine.

"Amazon RDS DB instance storage", gp3 storage (:data:`RDS_GP3_URL`): a gp3 volume includes a
baseline of 3,000 IOPS and 125 MiB/s; for Db2, MariaDB, MySQL and PostgreSQL from 400 GiB
(Oracle from 200 GiB) the storage is striped across four volumes and the baseline is 12,000
IOPS and 500 MiB/s.  Below that threshold no IOPS can be provisioned ("N/A"); at or above it
12,000-64,000 IOPS.  RDS for SQL Server does not stripe: 3,000 IOPS at any size (20-16,384
GiB), 3,000-16,000 provisionable.  "For all DB engines, you pay for only the additional
provisioned storage performance", and the IOPS may be at most 500 per GiB allocated.

So a load above 3,000 IOPS on less storage than the threshold allocates the threshold (whose
12,000 included IOPS cost only its GB-months), and above the included IOPS the rest is
provisioned at the catalog's ``rds.storage[.multi_az].gp3_iops_month`` price.  Above gp3's
maximum the storage is Provisioned IOPS SSD, io2 Block Express, which RDS recommends "for
I/O-intensive and latency-sensitive workloads" up to 256,000 IOPS (SQL Server 64,000) on
100-65,536 GiB (:data:`RDS_PIOPS_URL`), its IOPS at most 1,000 times the GiB allocated
(io2 Block Express on RDS gives "20 times more IOPS/GiB from provisioned storage (up to 1,000
IOPS per GiB)" than io1's 50, :data:`RDS_IO2_BLOG_URL`; CreateDBInstance's ``Iops`` text,
"a multiple between .5 and 50 of the storage amount", is io1's ratio): every IOPS is
provisioned, priced with the GiB at the catalog's ``rds.storage[.multi_az].io2_*`` rows
(:func:`io2_plan`).  The IOPS asked are the I/O operations per second Aurora Standard bills
for the same load (writes plus reads that miss the cache, :func:`io_per_s`), so RDS and
Aurora are compared on one I/O count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from recommender.rules.base import fmt_num

RDS_GP3_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html"
               "#gp3-storage")
#: The baseline of one gp3 volume and of a striped (four-volume) one, IOPS.
GP3_BASELINE_IOPS = 3000.0
GP3_STRIPED_IOPS = 12000.0
#: Storage (GiB) from which gp3 is striped, by engine prefix; SQL Server never is.
GP3_STRIPE_GIB = {"oracle": 200.0}
GP3_STRIPE_GIB_DEFAULT = 400.0
#: The most IOPS a gp3 allocation can have: 64,000 (SQL Server 16,000), at most 500 per GiB.
GP3_MAX_IOPS = 64000.0
GP3_MAX_IOPS_SQLSERVER = 16000.0
GP3_MAX_IOPS_PER_GIB = 500.0
RDS_PIOPS_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html"
                 "#USER_PIOPS")
RDS_IO2_BLOG_URL = ("https://aws.amazon.com/blogs/database/optimize-amazon-rds-performance-"
                    "with-io2-block-express-storage-for-production-workloads/")
#: io2 Block Express on RDS: up to 256,000 IOPS (SQL Server 64,000), from 100 GiB, at most
#: 1,000 IOPS per GiB allocated (:data:`RDS_PIOPS_URL`, :data:`RDS_IO2_BLOG_URL`).
IO2_MAX_IOPS = 256000.0
IO2_MAX_IOPS_SQLSERVER = 64000.0
IO2_MIN_GIB = 100.0
IO2_MAX_IOPS_PER_GIB = 1000.0


def io_per_s(d: Any) -> float:
    """Storage I/O operations per second of the load: every write, and the reads the cache
    does not answer (all of them when ``cacheable_read_fraction`` is not given)."""
    reads, writes = d.reads_per_s or 0.0, d.writes_per_s or 0.0
    return writes + reads * (1.0 - (d.cacheable_read_fraction or 0.0))


@dataclass(frozen=True)
class Gp3Plan:
    """The gp3 allocation of one RDS instance: GiB, IOPS included and provisioned above them."""

    allocated_gib: float
    included_iops: float
    extra_iops: float
    #: IOPS asked that the storage cannot deliver (above its maximum): 0 when it can.
    short_iops: float
    text: str
    #: ``gp3``, or ``io2`` (Block Express) for a load above gp3's maximum (:func:`io2_plan`).
    storage_type: str = "gp3"


def _stripe_gib(engine: str) -> float | None:
    if engine.startswith("sqlserver"):
        return None
    return next((v for k, v in GP3_STRIPE_GIB.items() if engine.startswith(k)),
                GP3_STRIPE_GIB_DEFAULT)


def gp3_plan(engine: str, gib: float, iops: float) -> Gp3Plan:
    """How much gp3 an RDS instance of ``engine`` allocates for ``gib`` of data and ``iops``.

    ``gib`` is what is billed before the I/O is counted (the data, at least 20 GiB).  Within
    3,000 IOPS nothing changes.  Above, an engine that stripes allocates at least its
    threshold (12,000 IOPS included) and provisions the IOPS above 12,000; SQL Server
    provisions those above 3,000.  IOPS above gp3's maximum are ``short_iops``.
    """
    stripe = _stripe_gib(engine)
    if iops <= GP3_BASELINE_IOPS:
        included = GP3_STRIPED_IOPS if stripe is not None and gib >= stripe \
            else GP3_BASELINE_IOPS
        return Gp3Plan(gib, included, 0.0, 0.0, "")
    top = GP3_MAX_IOPS if stripe is not None else GP3_MAX_IOPS_SQLSERVER
    if iops > top:
        return io2_plan(engine, gib, iops, top)
    wanted = min(iops, top)
    alloc = float(max(gib, stripe or 0.0, math.ceil(wanted / GP3_MAX_IOPS_PER_GIB)))
    included = GP3_STRIPED_IOPS if stripe is not None else GP3_BASELINE_IOPS
    extra = max(0.0, math.ceil(wanted - included))
    short = max(0.0, iops - top)
    text = (f"gp3 for {fmt_num(round(iops))} IOPS (writes + reads the cache misses): "
            + (f"{fmt_num(alloc)} GiB allocated for {fmt_num(gib)} GiB, as gp3 includes "
               f"{fmt_num(GP3_STRIPED_IOPS)} IOPS from {fmt_num(stripe)} GiB and only "
               f"{fmt_num(GP3_BASELINE_IOPS)} below, where none can be provisioned; "
               if stripe is not None and alloc > gib else
               f"{fmt_num(included)} IOPS included at {fmt_num(alloc)} GiB; ")
            + (f"{fmt_num(extra)} IOPS provisioned above the included {fmt_num(included)}"
               if extra else "no IOPS provisioned")
            + (f"; {fmt_num(round(short))} IOPS above gp3's {fmt_num(top)} maximum"
               if short else "") + f" ({RDS_GP3_URL})")
    return Gp3Plan(alloc, included, extra, short, text)


def io2_plan(engine: str, gib: float, iops: float, gp3_top: float) -> Gp3Plan:
    """io2 Block Express for a load above gp3's ``gp3_top`` IOPS (see the module docstring).

    Every IOPS is provisioned (io2 includes none), up to io2's maximum; the allocation is at
    least the data, io2's 100 GiB minimum and the IOPS / 1,000 the ratio asks.  IOPS above io2's
    maximum are ``short_iops``: more than one RDS instance's storage delivers.
    """
    top = IO2_MAX_IOPS_SQLSERVER if engine.startswith("sqlserver") else IO2_MAX_IOPS
    wanted = min(iops, top)
    alloc = float(max(gib, IO2_MIN_GIB, math.ceil(wanted / IO2_MAX_IOPS_PER_GIB)))
    extra = float(math.ceil(wanted))
    short = max(0.0, iops - top)
    text = (f"{fmt_num(round(iops))} IOPS (writes + reads the cache misses) are above gp3's "
            f"{fmt_num(gp3_top)} maximum ({RDS_GP3_URL}), so Provisioned IOPS SSD io2 Block "
            f"Express (up to {fmt_num(top)} IOPS, {RDS_PIOPS_URL}): {fmt_num(extra)} IOPS "
            f"provisioned on {fmt_num(alloc)} GiB"
            + (f" allocated for {fmt_num(gib)} GiB (100 GiB at least, IOPS at most "
               f"{fmt_num(IO2_MAX_IOPS_PER_GIB)} per GiB, {RDS_IO2_BLOG_URL})"
               if alloc > gib else "")
            + (f"; {fmt_num(round(short))} IOPS above io2's {fmt_num(top)} maximum"
               if short else ""))
    return Gp3Plan(alloc, 0.0, extra, short, text, "io2")
