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
    db_rows,
    pick_node,
    priced_at_both,
    production_classes,
    rows_or_reference,
)

# DynamoDB lives in its own module; its target utilization is re-exported for the monitoring.
from recommender.rules.database_dynamodb import (
    DYNAMODB_TARGET_UTILIZATION as DYNAMODB_TARGET_UTILIZATION,
)
from recommender.rules.database_dynamodb import dynamodb_options
from recommender.rules.database_nodes import node_family_options

# The default working set is re-exported for the monitoring.
from recommender.rules.database_relational import (
    WORKING_SET_FRACTION as WORKING_SET_FRACTION,
)
from recommender.rules.database_relational import (
    RelationalSizing,
    price_relational,
    read_replicas,
)
from recommender.rules.database_reserved import (
    asks_reserved,
    reserved_rate_applies,
    with_reserved,
)
from recommender.rules.database_usage import (
    AURORA_IO_UNPRICED,
    AURORA_STORAGE_REJECT,
    RDS_STORAGE_REJECT,
    aurora_storage_too_large,
    instance_iops,
    rds_storage_too_large,
)
from recommender.rules.prices import PriceBook


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


def _relational_option(
    p: WorkloadProfile, book: PriceBook, region: str, why: str, *,
    deployment: tuple[str, str], rows: tuple[list[dict[str, Any]], bool],
    replica_rows: list[dict[str, Any]] | None = None, ix: Any = None, reserved: bool = False,
) -> tuple[Candidate, Candidate | None]:
    """One RDS or Aurora deployment sized for the working set, and priced (or saying why
    not) on-demand and, with ``reserved``, at the reserved rate too (:func:`price_relational`).

    An RDS class also carries each instance's storage I/O within its EBS baseline
    (:func:`pick_for_io`, ``ix``: the catalog's EC2 index, None to skip).
    """
    d = p.database
    assert d is not None  # callers check the section first
    service, dep = deployment
    size = d.size_gib.min if d.size_gib else None
    ws: float = d.working_set_fraction or WORKING_SET_FRACTION
    mem_need = max(1.0, (size or 0.0) * ws)
    replicas, multi_az = read_replicas(d), wants_multi_az(p)
    classes, t_note = production_classes(rows[0], p)
    if service == "rds":
        row, class_note = pick_for_io(pick_relational_class, classes, mem_need,
                                      instance_iops(d, replicas), ix)
    else:
        row, class_note = pick_relational_class(classes, mem_need)
    sized = RelationalSizing(
        service, dep, (d.engine or "postgresql").lower(), size, ws, mem_need, replicas,
        multi_az, row, tuple(x for x in (t_note, class_note) if x),
        # A replica in a second AZ is Aurora's failover target.
        max(1 + replicas, 2 if service == "aurora" and multi_az else 1), rows[1])
    return priced_at_both(lambda: price_relational(p, sized, book=book, region=region,
                                                   why=why, replica_rows=replica_rows),
                          reserved)


def relational_options(
    p: WorkloadProfile, catalog: Any, book: PriceBook, region: str, why: str, *,
    rej: Rejections | None = None, twins: list[Candidate | None] | None = None,
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
    "Amazon Aurora size limits").  ``why`` leads each option's reasons.  With ``twins``,
    each option is priced at the reserved rate as well, its twin appended there in order.
    """
    d = p.database
    assert d is not None  # callers check the section first
    engine = (d.engine or "postgresql").lower()
    multi_az = wants_multi_az(p)
    table = db_rows(catalog)
    single = rows_or_reference(table, "rds", engine, "single_az", region)[0]
    out: list[Candidate] = []
    aurora: list[Candidate] = []
    tw: dict[str, list[Any]] = {"rds": [], "aurora": []}
    too_large = _size_limits(d, engine, rej)
    ix = ec2_ebs_index(catalog) if (d.reads_per_s or d.writes_per_s) else None
    for service, deployment in (("rds", "single_az"), ("rds", "multi_az"),
                                ("aurora", "standard"), ("aurora", "io_optimized")):
        if too_large[service] is not None:
            continue
        if multi_az and deployment == "single_az":
            if rej is not None:
                rej.add("database.single_az_not_available", example=f"rds:{engine}")
            continue
        c, twin = _relational_option(p, book, region, why, deployment=(service, deployment),
                                     rows=rows_or_reference(table, service, engine,
                                                            deployment, region),
                                     replica_rows=single, ix=ix, reserved=twins is not None)
        (aurora if service == "aurora" else out).append(c)
        tw[service].append(twin)
    if aurora:
        out.append(cheaper_aurora(aurora))
        tw["rds"].append(cheaper_aurora(tw["aurora"]) if twins is not None else None)
    if twins is not None:
        twins.extend(tw["rds"])
    return out


def _size_limits(d: Any, engine: str, rej: Rejections | None) -> dict[str, str | None]:
    """Why RDS and why Aurora cannot hold the data (None: they can; "" for Aurora when the
    engine has none), each counted in ``rej``."""
    size = d.size_gib.min if d.size_gib else None
    too_large: dict[str, str | None] = {"rds": rds_storage_too_large(size, engine),
                                        "aurora": aurora_storage_too_large(size)}
    if engine.startswith(NON_AURORA_ENGINES):
        # No Aurora edition of this engine: not offered, so its size limit is no reason.
        too_large["aurora"] = None
        if rej is not None:
            rej.add(AURORA_ENGINE_REJECT, example=f"aurora:{engine}", note=(
                f"Aurora is compatible with MySQL and PostgreSQL only, not {engine} "
                f"({AURORA_OVERVIEW_URL})"))
    for service, key in (("rds", RDS_STORAGE_REJECT), ("aurora", AURORA_STORAGE_REJECT)):
        if too_large[service] is not None and rej is not None:
            rej.add(key, example=f"{service}:{engine}", note=too_large[service])
    if engine.startswith(NON_AURORA_ENGINES):
        too_large["aurora"] = ""  # skipped, not rejected for its size
    return too_large


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
        # Aurora Standard without request rates leaves its I/O out (named unpriced).
        io_out = any(u.item == AURORA_IO_UNPRICED for u in best.unpriced)
        best.reasons.append(reason(
            "database.aurora_storage_config", PERF03_CONFIG,
            f"Aurora {best.config['deployment']} is cheaper here than "
            f"{other.config['deployment']} ({fmt_usd(other.monthly_cost_usd)}/month)"
            + (" before its I/O requests, which are not counted (the request rates are not "
               "given)" if io_out else "") + "."))
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
    if not asks_reserved(p):
        return _family_options(p, catalog, book, region, rej)
    # Asked for reserved: each node option priced at the reserved rate as well, from the same
    # sizing (the twins; none when the term or payment asked has no rate in the catalog).
    twins: list[Candidate | None] | None = [] if reserved_rate_applies(p) else None
    out = _family_options(p, catalog, book, region, rej, twins=twins)
    return with_reserved(p, out, twins)


def _family_options(p: WorkloadProfile, catalog: Any, book: PriceBook, region: str,
                    rej: Rejections, *, twins: list[Candidate | None] | None = None
                    ) -> list[Candidate]:
    """The options of every family the profile's data model calls for (see above); with
    ``twins``, each option's reserved-rate twin appended there in the same order (None for
    DynamoDB, which has no reserved rate in the catalog)."""
    out: list[Candidate] = []
    for fam, why in families(p):
        if fam == "relational":
            out += relational_options(p, catalog, book, region, why, rej=rej, twins=twins)
        elif fam == "dynamodb":
            got = dynamodb_options(p, book, region, why, rej=rej)
            out += got
            if twins is not None:
                twins.extend([None] * len(got))
        else:
            out += node_family_options(fam, p, catalog, region, why, book=book, rej=rej,
                                       twins=twins)
    return out
