"""Database options: the purpose-built family, then its size and price (PERF03).

Family from the data model and query pattern (relational/joins -> RDS and Aurora,
key-value/document -> DynamoDB, analytics -> Redshift, cache -> ElastiCache, full text ->
OpenSearch); node classes and prices from the catalog's ``database`` table, usage prices
(DynamoDB request/capacity units, RDS/Aurora storage and I/O) from ``unit_prices``.
Where the region has no price the option says so and carries no cost.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import (
    PERF03_CONFIG,
    Candidate,
    Rejections,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.database_class_io import ec2_ebs_index, pick_for_io
from recommender.rules.database_common import (
    asks_multi_az,
    db_provenance,
    db_rows,
    node_option,
    pick_node,
    production_classes,
    rows_or_reference,
)

# DynamoDB lives in its own module; its target utilization is re-exported for the monitoring.
from recommender.rules.database_dynamodb import (
    DYNAMODB_TARGET_UTILIZATION as DYNAMODB_TARGET_UTILIZATION,
)
from recommender.rules.database_dynamodb import dynamodb_options
from recommender.rules.database_nodes import node_family_options
from recommender.rules.database_reserved import asks_reserved, with_reserved
from recommender.rules.database_usage import (
    AURORA_STORAGE_REJECT,
    AURORA_STORAGE_TYPES_URL,
    RDS_STORAGE_REJECT,
    aurora_storage_too_large,
    instance_iops,
    io_intensive,
    rds_storage_too_large,
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

def families(p: WorkloadProfile) -> list[tuple[str, str]]:
    """(family, why) in order of fit for the data model and query pattern."""
    d = p.database
    assert d is not None  # callers check the section first
    dm, qp = d.data_model, d.query_pattern
    if dm == "relational" or qp == "joins":
        return [("relational", "relational data with joins: RDS or Aurora")]
    if dm in ("key_value", "document") or qp == "key_lookup":
        return [("dynamodb", "key-value/document access at any scale: DynamoDB")]
    # Aggregations over a search index (log analytics, dashboards) stay on OpenSearch, which
    # aggregates what it indexes; without a search data model they go to the warehouse.
    if dm == "analytics" or (qp == "aggregations" and dm != "search"):
        return [("redshift", "analytics and aggregations over large data: Redshift")]
    if dm == "cache":
        return [("elasticache", "an in-memory cache: ElastiCache")]
    if dm == "search" and qp == "aggregations":
        return [("opensearch", "aggregations over a search index: OpenSearch")]
    if dm == "search" or qp == "full_text":
        return [("opensearch", "full-text search: OpenSearch")]
    return [("relational", "no data model given: relational as the general default"),
            ("dynamodb", "no data model given: DynamoDB for key access")]


def wants_multi_az(p: WorkloadProfile) -> bool:
    """Whether the profile asks for a standby in a second AZ (or is production)."""
    return asks_multi_az(p)


def _read_replicas(d: Any) -> int:
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


#: "You can create up to 15 read replicas from one DB instance within the same Region" (RDS
#: for MySQL and MariaDB; PostgreSQL and SQL Server "up to 15 read replicas from one source
#: DB instance"), and an Aurora cluster has up to 15 Aurora Replicas.  Other engines keep 5.
MAX_READ_REPLICAS = 15
MAX_READ_REPLICAS_OTHER = 5
READ_REPLICA_ENGINES = ("mysql", "mariadb", "postgresql", "postgres", "sqlserver")
READ_REPLICA_QUOTA_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
                          "USER_MySQL.Replication.ReadReplicas.html")


def max_read_replicas(engine: str | None) -> int:
    """The most read replicas of one source instance for ``engine`` (PostgreSQL by default)."""
    e = (engine or "postgresql").lower()
    return MAX_READ_REPLICAS if e.startswith(READ_REPLICA_ENGINES) else MAX_READ_REPLICAS_OTHER


def _relational_option(
    p: WorkloadProfile, book: PriceBook, region: str, why: str, *,
    deployment: tuple[str, str], rows: tuple[list[dict[str, Any]], bool],
    replica_rows: list[dict[str, Any]] | None = None, ix: Any = None,
) -> Candidate:
    """One RDS or Aurora deployment sized for the working set and priced (or saying why not).

    An RDS class also carries each instance's storage I/O within its EBS baseline
    (:func:`pick_for_io`, ``ix``: the catalog's EC2 index, None to skip).

    RDS read replicas are Single-AZ instances of the primary's class with their own storage
    (``replica_rows``: the Single-AZ rows; :func:`replica_cost`); Aurora's replicas are
    billed at the cluster's instance rate and share its storage.
    """
    d = p.database
    assert d is not None  # callers check the section first
    service, dep = deployment
    engine = (d.engine or "postgresql").lower()
    size = d.size_gib.min if d.size_gib else None
    ws: float = d.working_set_fraction or WORKING_SET_FRACTION
    mem_need = max(1.0, (size or 0.0) * ws)
    replicas, multi_az = _read_replicas(d), wants_multi_az(p)
    classes, t_note = production_classes(rows[0], p)
    if service == "rds":
        row, class_note = pick_for_io(pick_relational_class, classes, mem_need,
                                      instance_iops(d, replicas), ix)
    else:
        row, class_note = pick_relational_class(classes, mem_need)
    # A replica in a second AZ is Aurora's failover target.
    count = max(1 + replicas, 2 if service == "aurora" and multi_az else 1)
    u = usage_extras(d, service, dep, size, book=book, region=region, multi_az=multi_az,
                     replicas=replicas if service == "rds" else 0)
    if service == "rds" and replicas and row is not None:
        _add_rds_replicas(u, row, replica_rows or [], (replicas, size), book=book,
                          region=region)
    u.notes[:0] = [x for x in (t_note, class_note) if x]
    sizing = _sizing_text(d, (mem_need, ws, size), replicas, u.notes)
    priced_nodes = 1 if service == "rds" else count
    c = node_option(f"{service}:{engine}", service, row, priced_nodes, rows[1] or u.missing,
                    region=region, why=why, sizing=sizing, extra_cost=u.usd,
                    extra_verify=u.verify,
                    extra_label="storage/I/O" + (" and read replicas" if service == "rds"
                                                 and replicas else ""),
                    config={"read_replicas": replicas, "storage_gib": size,
                            "multi_az": dep == "multi_az" or (service == "aurora" and multi_az),
                            **_gp3_config(u.gp3, size)})
    c.name_unpriced_all(u.unpriced, category="database")
    if u.gp3 is not None and u.gp3.short_iops:
        c.risk = max(c.risk, GP3_SHORT_RISK)  # gp3 as priced cannot carry all the I/O
    c.count = count
    if "node_count" in c.config:
        c.config["node_count"] = count
    db_provenance(c, row, *u.priced)
    # Multi-AZ offered but not asked for ranks after Single-AZ: the standby doubles the cost.
    io_heavy = service == "aurora" and io_intensive(d, size, replicas)
    if io_heavy:
        c.reasons.append(reason("database.aurora_io", PERF03_CONFIG, (
            "Each instance's I/O is above what gp3 provisions on RDS (RDS would need io2 "
            "Block Express), and AWS names Aurora I/O-Optimized for I/O-intensive "
            f"applications ({AURORA_STORAGE_TYPES_URL}): Aurora ranks with RDS, by cost.")))
    fit = 0.8 if dep == "multi_az" and not multi_az else (
        1.0 if service == "rds" or replicas or io_heavy else 0.9)
    c.components = {"fit": fit}
    _latency_caution(c, d)
    return c


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


def _latency_caution(c: Candidate, d: Any) -> None:
    """Sub-millisecond reads need a cache in front of any relational database."""
    if d.latency_ms is not None and d.latency_ms < 1:
        c.reasons.append(reason("database.latency", PERF03_CONFIG,
                                "Sub-millisecond reads need a cache in front (see "
                                "trade-offs: caching).", "caution"))
        c.risk = max(c.risk, 3.0)


def relational_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, why: str, *,
    rej: Rejections | None = None,
) -> list[Candidate]:
    """RDS and Aurora options sized for the working set, the load and the availability asked.

    Memory holds the working set (``database.working_set_fraction`` of the data, 0.25 by
    default); the class is chosen among RDS's mainstream families before niche ones
    (:func:`pick_relational_class`).  RDS Multi-AZ keeps a synchronous standby in another
    AZ (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html): it is
    offered beside Single-AZ, and when the profile asks for it (``database.availability:
    multi_az`` or ``environment: production``) Single-AZ is not admissible and Aurora keeps
    a replica in a second AZ.  Data above an RDS instance's 64 TiB storage maximum (Oracle,
    SQL Server: 256 TiB over four volumes) leaves Aurora only (:func:`rds_storage_too_large`,
    counted in ``rej``), and above an Aurora
    cluster volume's 128 TiB maximum nothing relational (:func:`aurora_storage_too_large`,
    "Amazon Aurora size limits").  ``why`` leads each option's reasons.
    """
    d = p.database
    assert d is not None  # callers check the section first
    engine = (d.engine or "postgresql").lower()
    multi_az = wants_multi_az(p)
    table = db_rows(catalog)
    single = rows_or_reference(table, "rds", engine, "single_az", region)[0]
    out: list[Candidate] = []
    aurora: list[Candidate] = []
    size = d.size_gib.min if d.size_gib else None
    too_large = {"rds": rds_storage_too_large(size, engine),
                 "aurora": aurora_storage_too_large(size)}
    no_aurora = engine.startswith(NON_AURORA_ENGINES)
    if no_aurora:
        # No Aurora edition of this engine: not offered, so its size limit is no reason.
        too_large["aurora"] = None
        if rej is not None:
            rej.add(AURORA_ENGINE_REJECT, example=f"aurora:{engine}", note=(
                f"Aurora is compatible with MySQL and PostgreSQL only, not {engine} "
                f"({AURORA_OVERVIEW_URL})"))
    for service, key in (("rds", RDS_STORAGE_REJECT), ("aurora", AURORA_STORAGE_REJECT)):
        if too_large[service] is not None and rej is not None:
            rej.add(key, example=f"{service}:{engine}", note=too_large[service])
    ix = ec2_ebs_index(catalog) if (d.reads_per_s or d.writes_per_s) else None
    for service, deployment in (("rds", "single_az"), ("rds", "multi_az"),
                                ("aurora", "standard"), ("aurora", "io_optimized")):
        if too_large[service] is not None or (service == "aurora" and no_aurora):
            continue
        if multi_az and deployment == "single_az":
            if rej is not None:
                rej.add("database.single_az_not_available", example=f"rds:{engine}")
            continue
        c = _relational_option(p, book, region, why, deployment=(service, deployment),
                               rows=rows_or_reference(table, service, engine, deployment,
                                                      region), replica_rows=single, ix=ix)
        (aurora if service == "aurora" else out).append(c)
    if aurora:
        out.append(cheaper_aurora(aurora))
    return out


#: "Amazon Aurora (Aurora) is a fully managed relational database engine that's compatible
#: with MySQL and PostgreSQL" (Aurora User Guide, :data:`AURORA_OVERVIEW_URL`): RDS's other
#: engines (SQL Server, Oracle, MariaDB, Db2) have no Aurora edition, so no aurora option.
NON_AURORA_ENGINES = ("sqlserver", "oracle", "mariadb", "db2")
AURORA_OVERVIEW_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                       "CHAP_AuroraOverview.html")
AURORA_ENGINE_REJECT = "database.aurora_engine_not_supported"
#: RDS instance class families meant for general use (https://docs.aws.amazon.com/AmazonRDS/
#: latest/UserGuide/Concepts.DBInstanceClass.html): memory-optimized r, general purpose m,
#: burstable t.  Others (x2g, x2iedn, z1d...) are for memory needs the mainstream cannot hold.
MAINSTREAM_FAMILIES = ("r", "m", "t")
_FAMILY = re.compile(r"^db\.([a-z]+)(\d+)([a-z-]*)\.")


@functools.lru_cache(maxsize=4096)  # a few hundred classes, parsed on every recommendation
def class_family(instance_class: str) -> tuple[str, bool]:
    """(family letters, Graviton) of an RDS class: ``db.r6g.large`` -> ("r", True)."""
    m = _FAMILY.match(instance_class)
    if not m:
        return "", False
    return m.group(1), m.group(3).startswith("g")


#: id of a list of class rows -> (the list, kept so that its id stays its own; memory_gib
#: with missing as 0; current_generation is not False; family in MAINSTREAM_FAMILIES; the
#: rows in a stable order by (price, not Graviton, class)), built once per list.
_CLASS_TABLES: dict[int, tuple[Any, ...]] = {}


def _class_table(rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    t = _CLASS_TABLES.get(id(rows))
    if t is None or t[0] is not rows or len(t[1]) != len(rows):
        fam = [class_family(str(r["instance_class"])) for r in rows]
        # A row without a price sorts last (min() over it would fail on float(None)).
        key = [(math.inf if r["ondemand_usd_per_hour"] is None else float(
            r["ondemand_usd_per_hour"]), not g, str(r["instance_class"]))
            for r, (_, g) in zip(rows, fam, strict=True)]
        if len(_CLASS_TABLES) >= 1024:
            _CLASS_TABLES.clear()
        t = _CLASS_TABLES[id(rows)] = (
            rows, np.array([r["memory_gib"] or 0 for r in rows], dtype=float),
            np.array([r.get("current_generation") is not False for r in rows], dtype=bool),
            np.array([f in MAINSTREAM_FAMILIES for f, _ in fam], dtype=bool),
            np.array(sorted(range(len(rows)), key=key.__getitem__), dtype=np.intp))
    return t


def pick_relational_class(
    rows: list[dict[str, Any]], mem_need: float, allowed: np.ndarray | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """The cheapest current class holding ``mem_need``: mainstream families first.

    Among classes of equal price Graviton comes first (lower price is already first).  A
    niche family (x2g...) is chosen only when no mainstream class has the memory.  Without
    any fitting class, the largest one (a note says the working set does not fit).
    ``allowed`` (a mask over ``rows``) keeps the choice to those classes, e.g. the ones whose
    EBS baseline carries the load's I/O (:func:`pick_for_io`).
    """
    _, memory, current, mainstream, order = _class_table(rows)
    fits = (memory >= mem_need) & current
    if allowed is not None:
        fits &= allowed
    main = fits & mainstream
    pool = main if main.any() else fits
    if pool.any():
        # The first row of the pool with the least (price, not Graviton, class): the same
        # row as min() over the pool with that key (a stable order of every row by it).
        best = rows[int(order[np.flatnonzero(pool[order])[0]])]
        note = None if main.any() else (f"no r/m/t class holds {fmt_num(mem_need)} GiB, so "
                                        f"the memory-optimized niche class "
                                        f"{best['instance_class']}")
        return best, note
    row, _ = pick_node(rows, mem_need)
    return row, (None if row is None else
                 f"no class holds {fmt_num(mem_need)} GiB; the largest is "
                 f"{row['instance_class']} ({fmt_num(row['memory_gib'] or 0)} GiB)")


def cheaper_aurora(pair: list[Candidate]) -> Candidate:
    """Aurora Standard vs I/O-Optimized: keep the cheaper and say what the other costs."""
    priced = [c for c in pair if c.monthly_cost_usd is not None]
    if not priced:
        return pair[0]
    best = min(priced, key=lambda c: (c.monthly_cost_usd, c.config.get("deployment", "")))
    other = next((c for c in priced if c is not best), None)
    if other is not None:
        best.reasons.append(reason(
            "database.aurora_storage_config", PERF03_CONFIG,
            f"Aurora {best.config['deployment']} is cheaper here than "
            f"{other.config['deployment']} ({fmt_usd(other.monthly_cost_usd)}/month)."))
    return best


def database_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, rej: Rejections
) -> list[Candidate]:
    """Database options for the profile's database section (unranked).

    Parameters
    ----------
    p : WorkloadProfile
    catalog : Catalog
    book : PriceBook
    region : str
    rej : Rejections

    Returns
    -------
    list of Candidate
        One or more options of the purpose-built family (or families, when the data model
        is unknown), each sized, priced or saying that the region has no price.
    """
    if p.database is None:
        return []
    out = _family_options(p, catalog, book, region, rej)
    # Asked for reserved: the same sizing, its nodes priced at the reserved rate as well.
    return with_reserved(p, out, lambda: _family_options(p, catalog, book, region, Rejections())
                         ) if asks_reserved(p) else out


def _family_options(p: WorkloadProfile, catalog: Any, book: PriceBook, region: str,
                    rej: Rejections) -> list[Candidate]:
    """The options of every family the profile's data model calls for (see above)."""
    out: list[Candidate] = []
    for fam, why in families(p):
        if fam == "relational":
            out += relational_options(p, catalog, book, region, why, rej=rej)
        elif fam == "dynamodb":
            out += dynamodb_options(p, book, region, why, rej=rej)
        else:
            out += node_family_options(fam, p, catalog, region, why, book=book, rej=rej)
    return out
