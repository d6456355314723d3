"""What a relational deployment costs beyond its primary instance: storage, I/O, read replicas.

AWS's RDS pricing (https://aws.amazon.com/rds/pricing/) bills Multi-AZ storage per copy
(the ``rds.storage.multi_az.*`` rows), and a read replica as a DB instance of its own: at the
Single-AZ rate of its class with its own storage ("Read replicas are billed as standard DB
instances", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html).
Aurora's replicas share the cluster volume, so its storage is billed once
(https://aws.amazon.com/rds/aurora/pricing/).  Every price comes from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recommender.rules.base import HOURS_PER_MONTH, SECONDS_PER_MONTH, fmt_num, fmt_usd
from recommender.rules.database_common import node_rate
from recommender.rules.database_gp3 import (
    RDS_PIOPS_URL,
    Gp3Plan,
    gp3_plan,
    io_per_s,
)
from recommender.rules.prices import PriceBook, fmt_unit_usd, per_unit_cost

RDS_PRICING_URL = "https://aws.amazon.com/rds/pricing/"
#: "Every DB instance has a primary storage volume with a maximum capacity of 64 TiB"
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.ModifyingExisting.html;
#: CreateDBInstance AllocatedStorage: MySQL/PostgreSQL gp3 20-65,536 GiB).  Aurora's cluster
#: volume grows on its own beyond that, so only RDS is bounded here.
RDS_MAX_STORAGE_GIB = 65536.0
RDS_STORAGE_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
                   "USER_PIOPS.ModifyingExisting.html")
RDS_STORAGE_REJECT = "database.rds_storage_above_64_tib"
#: "You can increase the total storage capacity of an RDS for Oracle or RDS for SQL Server
#: instance by adding up to three volumes to each DB instance.  Each additional volume
#: allocates up to 64 TiB of storage, up to a maximum of 256 TiB per instance" (same page):
#: these engines' instances hold up to four 64 TiB volumes.
RDS_MAX_STORAGE_GIB_MULTI_VOLUME = 4 * RDS_MAX_STORAGE_GIB
RDS_MULTI_VOLUME_ENGINES = ("oracle", "sqlserver")
#: The least gp3 storage an RDS instance allocates: CreateDBInstance AllocatedStorage,
#: "General Purpose (SSD) storage (gp3): Must be an integer from 20 to 65536" for MySQL,
#: MariaDB and PostgreSQL (20 for the other engines too), https://docs.aws.amazon.com/
#: AmazonRDS/latest/APIReference/API_CreateDBInstance.html.  Less data is billed as 20 GiB.
RDS_MIN_STORAGE_GIB = 20.0
RDS_CREATE_URL = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
#: Aurora's cluster volume "expands up to a maximum of 128 tebibytes (TiB)" (the limit of
#: current engine versions; older ones stop at 64 TiB): "Amazon Aurora size limits",
#: Aurora User Guide (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/
#: CHAP_Limits.html#RDS_Limits.FileSize.Aurora; Aurora.Managing.Performance.html, storage
#: scaling).  Data above it fits no single Aurora cluster.
AURORA_MAX_STORAGE_GIB = 131072.0
AURORA_STORAGE_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                      "CHAP_Limits.html#RDS_Limits.FileSize.Aurora")
AURORA_STORAGE_REJECT = "database.aurora_storage_above_128_tib"
READ_REPLICA_URL = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html"
AURORA_PRICING_URL = "https://aws.amazon.com/rds/aurora/pricing/"
#: Backup storage: RDS "There is no additional charge for backup storage up to 100% of your
#: total database storage for a region" (:data:`RDS_PRICING_URL`); Aurora "up to 100% of your
#: total Aurora database storage for each Aurora database cluster" (:data:`AURORA_PRICING_URL`).
#: Beyond it, backups and snapshots are billed per GB-month: the profile has no retention
#: period and the catalog no backup storage price, so the excess is named, never counted.
_BACKUP_FREE = {"rds": ("up to 100% of the total database storage in the region",
                        RDS_PRICING_URL),
                "aurora": ("up to 100% of the cluster's database storage", AURORA_PRICING_URL)}
_AURORA_STORAGE_ITEM = {"standard": "aurora.storage_gb_month",
                        "io_optimized": "aurora.io_optimized.storage_gb_month"}


def _rds_item(deployment: str, storage_type: str, unit: str) -> str:
    """The catalog item of RDS storage (``unit`` ``gb_month``) or its provisioned IOPS
    (``iops_month``, above gp3's included ones, every IOPS of io2), per copy of the storage:
    ``rds.storage[.multi_az].<gp3|io2>_<unit>`` (CHAP_Storage.html, gp3 and io2)."""
    return (f"rds.storage.{'multi_az.' if deployment == 'multi_az' else ''}"
            f"{storage_type}_{unit}")


@dataclass
class Usage:
    """Cost beyond the primary instance, its verify flag, notes and the prices used."""

    usd: float = 0.0
    verify: bool = False
    notes: list[str] = field(default_factory=list)
    priced: list[Any] = field(default_factory=list)
    missing: bool = False
    #: RDS: the gp3 allocation of each instance (primary and read replicas alike).
    gp3: Gp3Plan | None = None
    #: What the option cannot price: (item, reason), named in its ``unpriced``.
    unpriced: list[tuple[str, str]] = field(default_factory=list)

    def add(self, priced: Any) -> None:
        """Count one priced charge."""
        self.usd += priced.usd
        self.verify |= bool(priced.verify)
        self.priced.append(priced)


def rds_storage_too_large(size: float | None, engine: str = "postgresql") -> str | None:
    """Why an RDS instance of ``engine`` cannot hold ``size`` GiB, or None: its 64 TiB primary
    storage volume, and for Oracle and SQL Server up to three more volumes of 64 TiB, 256 TiB
    in all (:data:`RDS_MAX_STORAGE_GIB_MULTI_VOLUME`)."""
    multi = engine.startswith(RDS_MULTI_VOLUME_ENGINES)
    top = RDS_MAX_STORAGE_GIB_MULTI_VOLUME if multi else RDS_MAX_STORAGE_GIB
    if size is None or size <= top:
        return None
    if multi:
        return (f"{fmt_num(size)} GiB of data is above the {fmt_num(top)} GiB (256 TiB) "
                f"maximum of an RDS for Oracle or SQL Server DB instance, its primary storage "
                f"volume and up to three more of 64 TiB each ({RDS_STORAGE_URL}); split the "
                "data across instances (sharding)")
    return (f"{fmt_num(size)} GiB of data is above the {fmt_num(RDS_MAX_STORAGE_GIB)} GiB "
            f"(64 TiB) maximum of an RDS DB instance's storage volume ({RDS_STORAGE_URL}); "
            "an Aurora cluster volume grows beyond it, up to 128 TiB")


def aurora_storage_too_large(size: float | None) -> str | None:
    """Why one Aurora cluster cannot hold ``size`` GiB (its 128 TiB volume maximum), or None."""
    if size is None or size <= AURORA_MAX_STORAGE_GIB:
        return None
    return (f"{fmt_num(size)} GiB of data is above the {fmt_num(AURORA_MAX_STORAGE_GIB)} GiB "
            f"(128 TiB) maximum of an Aurora cluster volume (Amazon Aurora size limits, "
            f"{AURORA_STORAGE_URL}); split the data across clusters (sharding) or keep the "
            "bulk of it in an analytics store")


def relational_storage(
    service: str, deployment: str, size: float | None, book: PriceBook, region: str, *,
    storage_type: str = "gp3",
) -> tuple[Any, str | None]:
    """Storage price of the deployment (Multi-AZ storage is billed per copy), or a note.

    RDS bills the storage it allocates (``storage_type`` gp3 or io2), at least
    :data:`RDS_MIN_STORAGE_GIB`; Aurora bills the cluster volume's use
    (https://aws.amazon.com/rds/aurora/pricing/).
    """
    if not size:
        return None, None
    if service == "rds":
        size = max(size, RDS_MIN_STORAGE_GIB)
        item = _rds_item(deployment, storage_type, "gb_month")
    else:
        item = _AURORA_STORAGE_ITEM[deployment]
    st = book.cost(item, region, size, per="GB-month")
    return st, (f"no {item} price in {region}" if st is None else None)


#: The item an Aurora Standard option names when the profile gives no request rates.
AURORA_IO_UNPRICED = "Aurora Standard I/O requests"


def _aurora_io(d: Any, book: PriceBook, region: str, u: Usage) -> None:
    """Aurora Standard bills storage I/O: writes, plus reads that miss the buffer cache (all
    reads when the cacheable share is unknown).

    Without ``reads_per_s`` and ``writes_per_s`` the I/O is unknown, so it is named in
    ``unpriced`` ("Aurora Standard ... pay-per-request I/O", :data:`AURORA_PRICING_URL`):
    before, the option counted its instance and storage only and named nothing, and Aurora
    Standard was "cheaper than I/O-Optimized" on that omission.
    """
    if d.reads_per_s is None and d.writes_per_s is None:
        u.unpriced.append((AURORA_IO_UNPRICED, (
            "Aurora Standard bills each read and write I/O request, per million requests "
            f"({AURORA_PRICING_URL}); database.reads_per_s and database.writes_per_s are not "
            "given, so the I/O is unknown (I/O-Optimized includes it)")))
        return
    if not (d.reads_per_s or d.writes_per_s):
        return
    ios = io_per_s(d) * SECONDS_PER_MONTH
    io = book.cost("aurora.io_request", region, ios, per="I/O request")
    if io is not None:
        u.add(io)
        u.notes.append(f"{fmt_num(round(ios))} I/Os per month (writes + cache misses)")


def rds_gp3_plan(d: Any, size: float | None, replicas: int) -> Gp3Plan:
    """The gp3 allocation of each RDS instance for the load.

    Every instance applies every write (a read replica replays them) and serves its share of
    the reads that miss the cache, spread evenly over the primary and its ``replicas``; a
    read replica has "the same storage type as the source DB instance" by default
    (:data:`READ_REPLICA_URL`), so it gets the primary's allocation.  Without a data size
    the allocation starts at RDS's 20 GiB minimum, which every instance is billed for.
    """
    return gp3_plan((d.engine or "postgresql").lower(),
                    max(size or 0.0, RDS_MIN_STORAGE_GIB), instance_iops(d, replicas))


#: "Aurora I/O-Optimized ... provides improved price performance and predictable pricing for
#: I/O-intensive applications" (Aurora storage configurations).
AURORA_STORAGE_TYPES_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                            "Aurora.Overview.StorageReliability.html#aurora-storage-type")


def io_intensive(d: Any, size: float | None, replicas: int) -> bool:
    """Whether each RDS instance's I/O is above what gp3 provisions, so RDS needs io2 Block
    Express (:func:`rds_gp3_plan`): an I/O-intensive load, for which AWS names Aurora's
    I/O-Optimized storage (:data:`AURORA_STORAGE_TYPES_URL`).  Aurora is then in RDS's
    guidance tier, and the objective (cost, with its risk) decides between them."""
    return bool(d.reads_per_s or d.writes_per_s) and \
        rds_gp3_plan(d, size, replicas).storage_type != "gp3"


def instance_iops(d: Any, replicas: int) -> float:
    """Storage IOPS of each RDS instance: every write, and its even share of the reads the
    cache misses among the primary and its ``replicas`` (:func:`rds_gp3_plan`)."""
    writes = d.writes_per_s or 0.0
    return writes + (io_per_s(d) - writes) / (1 + replicas)


def _gp3_iops_cost(plan: Gp3Plan | None, deployment: str, book: PriceBook, region: str
                   ) -> tuple[Any, str | None]:
    """The IOPS provisioned above gp3's included ones (io2: all of them), per copy, or a note
    without a price."""
    if plan is None or not plan.extra_iops:
        return None, None
    item = _rds_item(deployment, plan.storage_type, "iops_month")
    io = book.cost(item, region, plan.extra_iops, per="IOPS-month")
    return io, (f"no {item} price in {region}" if io is None else None)


def replica_cost(
    replica_row: dict[str, Any] | None, replicas: int, size: float | None, *,
    book: PriceBook, region: str, gp3: Gp3Plan | None = None,
) -> tuple[float | None, list[Any], str]:
    """RDS read replicas: each a Single-AZ instance of the class with its own gp3 storage
    (``gp3``: the primary's allocation and provisioned IOPS, :func:`rds_gp3_plan`).

    Returns
    -------
    (float or None, list, str)
        The replicas' monthly cost (None when the catalog has no Single-AZ price for the
        class), the prices used and the sentence that says how it was worked out.
    """
    rate = None if replica_row is None else node_rate(replica_row)
    if replica_row is None or rate is None:
        return None, [], (f"no Single-AZ price for the {replicas} read replica(s) in {region} "
                          f"({READ_REPLICA_URL})")
    nodes = per_unit_cost(rate, replicas * HOURS_PER_MONTH)
    gib = gp3.allocated_gib if gp3 is not None else size
    st, _ = relational_storage("rds", "single_az", gib, book, region,
                               storage_type=gp3.storage_type if gp3 is not None else "gp3")
    io, _ = _gp3_iops_cost(gp3, "single_az", book, region)
    storage = sum(0.0 if x is None else x.usd for x in (st, io)) * replicas
    text = (f"{replicas} read replica(s), each a Single-AZ {replica_row['instance_class']} at "
            f"{fmt_unit_usd(rate)}/h with its own {fmt_num(gib or 0)} GiB of storage"
            + (f" and {fmt_num(gp3.extra_iops)} provisioned IOPS" if gp3 and gp3.extra_iops
               else "")
            + f": {fmt_usd(nodes + storage)} ({READ_REPLICA_URL}, {RDS_PRICING_URL})")
    # The replica row is a price used too: its date, source and verify flag reach the option.
    return nodes + storage, [replica_row, *(x for x in (st, io) if x is not None)], text


def _rds_gp3_usage(u: Usage, deployment: str, book: PriceBook, region: str) -> None:
    """Add the gp3 IOPS provisioned above the included ones, and name what gp3 cannot do."""
    plan = u.gp3
    if plan is None or not plan.text:
        return
    u.notes.append(plan.text)
    io, missing = _gp3_iops_cost(plan, deployment, book, region)
    if missing:
        u.notes.append(missing)
        u.missing = True
    elif io is not None:
        u.add(io)
    if plan.short_iops:
        u.unpriced.append((
            f"Storage for {fmt_num(round(plan.short_iops))} IOPS above io2 Block Express's "
            "maximum",
            f"one RDS instance's io2 Block Express storage provisions at most "
            f"{fmt_num(plan.included_iops + plan.extra_iops)} IOPS ({RDS_PIOPS_URL}); the rest "
            "needs the data split across instances (sharding) or a cache in front, not "
            "counted in this option"))


def usage_extras(
    d: Any, service: str, deployment: str, size: float | None, *, book: PriceBook,
    region: str, multi_az: bool, replicas: int = 0,
) -> Usage:
    """Storage and I/O cost beyond the instances, with the notes that say what was counted.

    RDS allocates gp3 for the load's I/O as well as its data (:func:`rds_gp3_plan`): the
    storage billed is that allocation, plus the IOPS provisioned above the included ones.
    """
    u = Usage()
    if service == "rds":
        u.gp3 = rds_gp3_plan(d, size, replicas)
    st, missing = relational_storage(service, deployment, u.gp3.allocated_gib if u.gp3
                                     else size, book, region,
                                     storage_type=u.gp3.storage_type if u.gp3 else "gp3")
    if missing:
        u.notes.append(missing)
        u.missing = True
    elif st is not None:
        u.add(st)
    if service == "rds" and (size or 0.0) < RDS_MIN_STORAGE_GIB and (
            u.gp3 is None or u.gp3.allocated_gib <= RDS_MIN_STORAGE_GIB):
        u.notes.append(f"{fmt_num(RDS_MIN_STORAGE_GIB)} GiB of gp3 billed for "
                       + (f"{fmt_num(size)} GiB of data" if size else
                          "data of unknown size (database.size_gib not given; more data "
                          "bills more)")
                       + f": RDS allocates at least 20 GiB ({RDS_CREATE_URL})")
    if service == "aurora" and not size:
        u.unpriced.append(("Aurora cluster storage",
                           "billed per GB-month of the data the cluster volume holds "
                           f"({AURORA_PRICING_URL}); database.size_gib not given"))
    u.unpriced.append(backup_unpriced(service, u.gp3.allocated_gib if u.gp3 else size))
    if service == "rds":
        _rds_gp3_usage(u, deployment, book, region)
    if deployment == "standard":
        _aurora_io(d, book, region, u)
    elif deployment == "io_optimized":
        # Cited (before, the note named no page): Aurora I/O-Optimized bills no read or write
        # I/O operations, at higher instance and storage prices (Aurora pricing; storage
        # configurations).
        u.notes.append("I/O-Optimized: no per-I/O charge, higher instance and storage prices "
                       f"({AURORA_PRICING_URL}, {AURORA_STORAGE_TYPES_URL})")
    if deployment == "multi_az":
        u.notes.append("Multi-AZ: a synchronous standby in a second AZ, instance and storage "
                       "billed twice (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
                       "Concepts.MultiAZ.html)")
    elif service == "aurora" and multi_az:
        u.notes.append("a replica in a second AZ for failover (Multi-AZ asked)")
    return u


def backup_unpriced(service: str, free_gib: float | None) -> tuple[str, str]:
    """The backup storage beyond the free allowance, named for ``unpriced`` (:data:`_BACKUP_FREE`).

    Automated backups and snapshots are free up to the database's storage (``free_gib``, the
    GiB allocated or used; None when unknown); beyond it they are billed per GB-month, which
    depends on the retention period and the change rate, neither of them in the profile.
    """
    free, url = _BACKUP_FREE[service]
    name = "RDS" if service == "rds" else "Aurora"
    return (f"{name} backup storage beyond the free allowance",
            f"automated backups and snapshots are free {free}"
            + (f" ({fmt_num(free_gib)} GiB here)" if free_gib else "")
            + f", beyond it billed per GB-month ({url}); the profile has no backup retention "
            "period and the catalog no backup storage price")
