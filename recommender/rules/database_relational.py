"""RDS and Aurora options priced from their sizing: storage, I/O, read replicas (PERF03).

:func:`price_relational` prices what :func:`recommender.rules.database.relational_options`
sized (the class, the replicas, the nodes): once at the on-demand rate and, when reserved
pricing is asked, once more with node hours at the reserved rate
(:func:`~recommender.rules.database_common.priced_at_both`), without sizing again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import PERF03_CONFIG, Candidate, fmt_num, reason
from recommender.rules.database_common import db_provenance, node_option
from recommender.rules.database_usage import (
    AURORA_PRICING_URL,
    AURORA_STORAGE_TYPES_URL,
    io_intensive,
    replica_cost,
    usage_extras,
)
from recommender.rules.prices import PriceBook

#: Assumed hot working set of a relational database, as a share of its data (a heuristic
#: stated in the reason): the instance memory should hold it.
WORKING_SET_FRACTION = 0.25
#: Read-heavy: reads at least this share of operations, and replicas per this many reads/s.
READ_HEAVY_SHARE = 0.8
READS_PER_REPLICA = 5000.0
#: Performance risk of an RDS option whose I/O is above what gp3 storage can provision.
GP3_SHORT_RISK = 2.0

def read_replicas(d: Any) -> int:
    """Read replicas for a read-heavy load beyond what the primary serves, up to the engine's
    maximum (:func:`max_read_replicas`).

    Read replicas scale reads "beyond the capacity constraints of a single DB instance"
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html), so the
    primary serves the first :data:`READS_PER_REPLICA` reads/s (the heuristic capacity of
    one instance) and each replica the next as many: 2,000 reads/s need none, 12,000 two.
    """
    reads, writes = d.reads_per_s or 0.0, d.writes_per_s or 0.0
    if reads + writes > 0 and reads / (reads + writes) >= READ_HEAVY_SHARE:
        return min(max_read_replicas(d.engine),
                   max(0, math.ceil(reads / READS_PER_REPLICA - 1e-9) - 1))
    return 0


#: CreateDBInstanceReadReplica, SourceDBInstanceIdentifier: "Each DB instance can have up to
#: 15 read replicas, except for the following engines: Db2 - Can have up to three replicas.
#: Oracle - Can have up to five read replicas.  SQL Server - Can have up to five read
#: replicas" (:data:`READ_REPLICA_QUOTA_URL`); an Aurora cluster has up to 15 Aurora Replicas.
#: Before, SQL Server was given 15 (with MySQL, MariaDB and PostgreSQL) and Db2 five.
MAX_READ_REPLICAS = 15
MAX_READ_REPLICAS_BY_ENGINE = {"db2": 3, "oracle": 5, "sqlserver": 5}
READ_REPLICA_QUOTA_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/"
                          "API_CreateDBInstanceReadReplica.html")


def max_read_replicas(engine: str | None) -> int:
    """The most read replicas of one source instance for ``engine`` (PostgreSQL by default)."""
    e = (engine or "postgresql").lower()
    return next((n for k, n in MAX_READ_REPLICAS_BY_ENGINE.items() if e.startswith(k)),
                MAX_READ_REPLICAS)


@dataclass(frozen=True)
class RelationalSizing:
    """What the sizing of one RDS or Aurora deployment chose (see ``price_relational``)."""

    service: str
    deployment: str
    engine: str
    size: float | None
    working_set: float
    mem_need: float
    replicas: int
    multi_az: bool
    row: dict[str, Any] | None
    #: Notes on the class choice (no T class in production; the class for the I/O).
    notes: tuple[str, ...]
    count: int
    #: The rows are a reference region's: sized, not priced.
    unpriced: bool


def price_relational(
    p: WorkloadProfile, s: RelationalSizing, *, book: PriceBook, region: str, why: str,
    replica_rows: list[dict[str, Any]] | None = None,
) -> Candidate:
    """The option of the sizing ``s``, priced at the node rate in force (on-demand or
    reserved, :data:`~recommender.rules.database_common.RATE_COLUMN`).

    RDS read replicas are Single-AZ instances of the primary's class with their own storage
    (``replica_rows``: the Single-AZ rows; :func:`replica_cost`); Aurora's replicas are
    billed at the cluster's instance rate and share its storage.
    """
    d = p.database
    assert d is not None  # callers check the section first
    service, dep, size, replicas, row = s.service, s.deployment, s.size, s.replicas, s.row
    u = usage_extras(d, service, dep, size, book=book, region=region, multi_az=s.multi_az,
                     replicas=replicas if service == "rds" else 0)
    if service == "rds" and replicas and row is not None:
        _add_rds_replicas(u, row, replica_rows or [], (replicas, size), book=book,
                          region=region)
    u.notes[:0] = list(s.notes)
    sizing = _sizing_text(d, (s.mem_need, s.working_set, size), replicas, u.notes)
    priced_nodes = 1 if service == "rds" else s.count
    c = node_option(f"{service}:{s.engine}", service, row, priced_nodes, s.unpriced or u.missing,
                    region=region, why=why, sizing=sizing, extra_cost=u.usd,
                    extra_verify=u.verify,
                    extra_label="storage/I/O" + (" and read replicas" if service == "rds"
                                                 and replicas else ""),
                    config={"read_replicas": replicas, "storage_gib": size,
                            "multi_az": dep == "multi_az" or (service == "aurora"
                                                              and s.multi_az),
                            **_gp3_config(u.gp3, size)})
    c.name_unpriced_all(u.unpriced + cpu_credits_unpriced(service, s.engine, row, s.count),
                        category="database")
    if u.gp3 is not None and u.gp3.short_iops:
        c.risk = max(c.risk, GP3_SHORT_RISK)  # gp3 as priced cannot carry all the I/O
    c.count = s.count
    if "node_count" in c.config:
        c.config["node_count"] = s.count
    db_provenance(c, row, *u.priced)
    # Multi-AZ offered but not asked for ranks after Single-AZ: the standby doubles the cost.
    io_heavy = service == "aurora" and io_intensive(d, size, replicas)
    if io_heavy:
        c.reasons.append(reason("database.aurora_io", PERF03_CONFIG, (
            "Each instance's I/O is above what gp3 provisions on RDS (RDS would need io2 "
            "Block Express), and AWS names Aurora I/O-Optimized for I/O-intensive "
            f"applications ({AURORA_STORAGE_TYPES_URL}): Aurora ranks with RDS, by cost.")))
    fit = 0.8 if dep == "multi_az" and not s.multi_az else (
        1.0 if service == "rds" or replicas or io_heavy else 0.9)
    c.components = {"fit": fit}
    _latency_caution(c, d)
    return c


#: "Amazon RDS T4g and T3 DB instances run in Unlimited mode, which means that you will be
#: charged if your average CPU utilization over a rolling 24-hour period exceeds the baseline
#: of the instance", CPU credits billed per vCPU-hour (the engine's RDS pricing page; Aurora's
#: pricing page for its T4g and T3 classes); T2 classes run in Standard mode, held to the
#: baseline once their credits are spent.  The profile gives no CPU use and the catalog no
#: credit price, so the surplus credits are named, not counted.
UNLIMITED_CLASSES = ("db.t3.", "db.t4g.")
RDS_ENGINE_PRICING_URL = "https://aws.amazon.com/rds/{engine}/pricing/"


def cpu_credits_unpriced(service: str, engine: str, row: dict[str, Any] | None, count: int
                         ) -> list[tuple[str, str]]:
    """The surplus CPU credits a T4g/T3 class in Unlimited mode may bill (see above), named
    for ``unpriced``; nothing for another class.  Before, a development database on
    db.t4g.medium ($47.45 a month) said nothing of the credits billed when its CPU averages
    above the baseline."""
    cls = "" if row is None else str(row["instance_class"])
    if not cls.startswith(UNLIMITED_CLASSES):
        return []
    url = (AURORA_PRICING_URL if service == "aurora" else RDS_ENGINE_PRICING_URL.format(
        engine="postgresql" if engine.startswith("postgres") else engine))
    return [(f"CPU credits above the baseline of {count} x {cls} (Unlimited mode)",
             f"{'Aurora' if service == 'aurora' else 'RDS'} T4g and T3 DB instances run in "
             "Unlimited mode: a 24-hour average CPU utilization above the baseline bills "
             f"surplus CPU credits per vCPU-hour ({url}); the profile gives no CPU use and the "
             "catalog no credit price")]


def _sizing_text(d: Any, memory: tuple[float, float, float | None], replicas: int,
                 notes: list[str]) -> str:
    """The ``database.size`` reason: memory for the working set, replicas and usage notes."""
    mem_need, ws, size = memory
    return (f"Memory >= {fmt_num(mem_need)} GiB (working set {ws:.0%} of "
            f"{fmt_num(size or 0)} GiB" + ("" if d.working_set_fraction else
                                           ", database.working_set_fraction not given: the "
                                           "default") + ")"
            + (f"; {replicas} read replica(s) for {fmt_num(d.reads_per_s or 0.0)} reads/s "
               f"(the primary serves {fmt_num(READS_PER_REPLICA)}, each replica "
               f"{fmt_num(READS_PER_REPLICA)} more, a heuristic; read replicas scale reads "
               "beyond one instance, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
               "USER_ReadRepl.html)" if replicas else "")
            + (f"; at most {replicas} read replicas per source instance "
               f"({READ_REPLICA_QUOTA_URL}), so the reads above "
               f"{fmt_num((1 + replicas) * READS_PER_REPLICA)}/s need a cache or sharding"
               if replicas and replicas == max_read_replicas(d.engine)
               and (d.reads_per_s or 0.0) > (1 + replicas) * READS_PER_REPLICA else "")
            + ("; " + "; ".join(notes) if notes else "") + ".")


def _add_rds_replicas(
    u: Any, row: dict[str, Any], replica_rows: list[dict[str, Any]],
    replicas_size: tuple[int, float | None], *, book: PriceBook, region: str,
) -> None:
    """Add the read replicas (Single-AZ rows of the primary's class) to the usage ``u``."""
    replicas, size = replicas_size
    rep = next((r for r in replica_rows if r["instance_class"] == row["instance_class"]), None)
    usd, priced, text = replica_cost(rep, replicas, size, book=book, region=region,
                                     gp3=u.gp3)
    u.notes.append(text)
    u.missing |= usd is None
    u.usd += usd or 0.0
    u.priced += priced
    u.verify |= any(bool(x.get("verify") if isinstance(x, dict) else x.verify) for x in priced)


def _gp3_config(plan: Any, size: float | None) -> dict[str, Any]:
    """The RDS storage the option allocates when the load's I/O asks more than the data (or
    the data's size is not given): ``storage_gib`` (the allocation, what the export's
    AllocatedStorage takes) and ``iops`` (the total provisioned, only when some are
    provisioned above the included ones)."""
    if plan is None or (not plan.text and size):
        return {}
    out: dict[str, Any] = {"storage_gib": plan.allocated_gib}
    if plan.extra_iops:
        out["iops"] = int(plan.included_iops + plan.extra_iops)
    if plan.storage_type != "gp3":
        out["storage_type"] = plan.storage_type  # io2 beyond gp3's maximum (the export's)
    return out


#: "ElastiCache is a fully managed, in-memory caching service that provides microsecond read
#: and write latencies ... ElastiCache can help you accelerate application and database
#: performance" (RDS and Aurora User Guides, creating an ElastiCache cache from the database's
#: settings): the cache AWS names for reads faster than the database answers them.
CACHE_IN_FRONT_URLS = {
    "rds": ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
            "creating-elasticache-cluster-with-RDS-settings.html"),
    "aurora": ("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
               "creating-elasticache-cluster-with-RDS-settings.html"),
}


def _latency_caution(c: Candidate, d: Any) -> None:
    """Sub-millisecond reads need a cache in front of any relational database (cited: before,
    the caution named no page)."""
    if d.latency_ms is not None and d.latency_ms < 1:
        c.reasons.append(reason("database.latency", PERF03_CONFIG, (
            f"Sub-millisecond reads ({fmt_num(d.latency_ms)} ms asked) need a cache in front: "
            "ElastiCache provides microsecond read latencies in front of the database "
            f"({CACHE_IN_FRONT_URLS.get(c.kind, CACHE_IN_FRONT_URLS['rds'])}; see trade-offs: "
            "caching)."), "caution"))
        c.risk = max(c.risk, 3.0)


