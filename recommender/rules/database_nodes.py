"""Node-sized data stores: ElastiCache, OpenSearch and Redshift (PERF03).

Each is sized by its data (and memory for caches and search) following AWS's own sizing
pages, cited on the constants and in the reasons; node classes and prices come from the
catalog's ``database`` table, usage prices from ``unit_prices``.  What the catalog cannot
price (OpenSearch EBS storage, dedicated masters, Redshift Managed Storage without a price
row) is named on the option (``Candidate.unpriced``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import (
    Candidate,
    fmt_num,
    fmt_usd,
)
from recommender.rules.database_common import (
    asks_multi_az,
    db_provenance,
    db_rows,
    node_option,
    pick_node,
    rows_or_reference,
)
from recommender.rules.prices import PriceBook

#: ElastiCache: share of node memory reserved for the engine (default reserved-memory-percent).
CACHE_OVERHEAD = 0.25
#: OpenSearch sizing: source x (1 + replicas) x 1.45 (indexing, OS and service overhead).
OPENSEARCH_OVERHEAD = 1.45
OPENSEARCH_MEMORY_STORAGE_RATIO = 16.0  # GiB of index per GiB of memory (heuristic)


def _storage_per_node_gib(row: dict[str, Any]) -> float | None:
    m = re.search(r"([\d.]+)\s*(TB|GB|TiB|GiB)", str(row.get("storage_desc") or ""))
    if not m:
        return None
    v = float(m.group(1))
    return v * 1024 if m.group(2).startswith("T") else v


def _service_engine(family: str, engine_asked: str | None, table: Any
                    ) -> tuple[str, str, str]:
    """(service, engine, deployment) of a node family in the catalog's database rows.

    ElastiCache defaults to Valkey and falls back to Redis where the catalog has no Valkey row.
    """
    if family == "redshift":
        service, engine = "redshift", "redshift"
    elif family == "elasticache":
        service, engine = "elasticache", (engine_asked or "valkey").lower()
    else:
        service, engine = "opensearch", "opensearch"
    deps = _deployments(table, service, engine)
    if not deps and family == "elasticache":
        engine = "redis"
        deps = _deployments(table, service, engine)
    return service, engine, deps[0] if deps else "standard"


def _deployments(table: Any, service: str, engine: str) -> list[str]:
    """The sorted deployments of (service, engine) in the table (cached by ``db_rows``'s)."""
    known = getattr(table, "deployments", None)
    if known is not None:
        return list(known(service, engine))
    return sorted({k[2] for k in table if k[0] == service and k[1] == engine})


def node_family_options(
    family: str, p: WorkloadProfile, catalog: Any, region: str, why: str, *,
    book: PriceBook | None = None,
) -> list[Candidate]:
    """Redshift, ElastiCache or OpenSearch sized by data (and memory for caches/search)."""
    d = p.database
    assert d is not None  # callers check the section first
    size = (d.size_gib.min or 0.0) if d.size_gib else 0.0  # {} is a range without ends
    table = db_rows(catalog)
    service, engine, deployment = _service_engine(family, d.engine, table)
    rows, unpriced = rows_or_reference(table, service, engine, deployment, region)
    option = service if family != "elasticache" else f"elasticache:{engine}"
    sizer = {"elasticache": _cache_size, "opensearch": _search_size}.get(family, _warehouse_size)
    row, count, sizing, todo = sizer(rows, size, p)
    extra, ev, priced = 0.0, False, None
    if family == "redshift" and row is not None and str(row["instance_class"]).startswith("ra3"):
        priced = book.cost(REDSHIFT_RMS_ITEM, region, size, per="GB-month") if book else None
        if priced is not None:
            extra, ev = priced.usd, priced.verify
            sizing += (f" RA3 managed storage: {fmt_num(size)} GB at "
                       f"{fmt_usd(priced.unit_price_usd)}/GB-month ({REDSHIFT_PRICING_URL}).")
        else:
            todo.append((f"Redshift Managed Storage for {fmt_num(size)} GiB",
                         f"RA3 bills managed storage per GB-month ({REDSHIFT_PRICING_URL}); "
                         "the catalog has no price for it (listed in its coverage gaps)"))
    c = node_option(option, service, row, count, unpriced, region=region, why=why,
                    sizing=sizing, extra_cost=extra, extra_verify=ev,
                    config={"storage_gib": size or None, **_shard_config(option, p, count)})
    c.name_unpriced_all(todo, category="database")
    db_provenance(c, row, priced)
    c.components = {"fit": 1.0}
    return [c]


#: ElastiCache reserves 25% of node memory by default (``reserved-memory-percent``,
#: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/redis-memory-management.html),
#: so data can use 75% of it: the need is data / (1 - 0.25).
CACHE_RESERVED_FRACTION = CACHE_OVERHEAD
OPENSEARCH_SIZING_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
                         "sizing-domains.html")
OPENSEARCH_INSTANCE_TYPES_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/"
                                 "developerguide/supported-instance-types.html")
#: Families the supported-instance-types page lists as previous generation.
OPENSEARCH_PREVIOUS_GENERATION = frozenset({"t2", "m3", "r3", "i2", "c4", "m4", "r4"})
#: The sizing guide's minimum node count (avoids a split-brain cluster).
OPENSEARCH_MIN_DATA_NODES = 3
OPENSEARCH_MULTI_AZ_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
                           "managedomains-multiaz.html")
REDSHIFT_PRICING_URL = "https://aws.amazon.com/redshift/pricing/"
#: ElastiCache Multi-AZ with automatic failover needs a replica in each shard.
CACHE_MULTI_AZ_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html"
CACHE_REPLICAS_PER_SHARD = 1
#: "You can create a cluster with higher number of shards and lower number of replicas
#: totaling up to 90 nodes per cluster" (the default; a quota increase allows up to 500).
CACHE_SHARDS_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Shards.html"
CACHE_MAX_NODES = 90
#: A Memcached cluster has 1 to 60 nodes, its data partitioned across them (Clusters.html).
CACHE_CLUSTERS_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.html"
CACHE_MEMCACHED_MAX_NODES = 60
#: Valkey or Redis OSS (cluster mode enabled): shards (node groups) of a primary and 0-5
#: replicas each.
CACHE_CME_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                 "Replication.CreatingReplGroup.NoExistingCluster.Cluster.html")
REDSHIFT_RMS_ITEM = "redshift.managed_storage_gb_month"


def _cache_size(
    rows: list[dict[str, Any]], size: float, p: WorkloadProfile
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    """ElastiCache: memory for the data with 25% reserved; a replica per shard for Multi-AZ.

    Multi-AZ with automatic failover needs at least one replica in each shard
    (:data:`CACHE_MULTI_AZ_URL`), so a production (or ``availability: multi_az``) cache has
    two nodes per shard; replicas hold a full copy, so they are the same class.
    """
    need = max(size, 0.5) / (1 - CACHE_RESERVED_FRACTION)
    # Memcached has no replication, so no replicas to fail over to (same page).
    memcached = p.database is not None and (p.database.engine or "").lower() == "memcached"
    multi_az = asks_multi_az(p) and not memcached
    per_shard = 1 + CACHE_REPLICAS_PER_SHARD if multi_az else 1
    row, shards, over = cache_cluster(
        rows, need, per_shard, CACHE_MEMCACHED_MAX_NODES if memcached else CACHE_MAX_NODES)
    count = shards * per_shard
    sizing = (f"{fmt_num(size)} GiB of data with {CACHE_RESERVED_FRACTION:.0%} of node memory "
              f"reserved (the default reserved-memory-percent): memory >= "
              f"{fmt_num(size)} / {1 - CACHE_RESERVED_FRACTION:g} = {fmt_num(round(need, 2))} GiB"
              + " (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                "redis-memory-management.html)"
              + (_shard_text(row, shards, per_shard, memcached, over)
                 if shards > 1 and row is not None else "")
              + (f"; Multi-AZ (production or availability multi_az): "
                 f"{CACHE_REPLICAS_PER_SHARD} replica per shard for automatic failover, "
                 f"{count} nodes ({CACHE_MULTI_AZ_URL})" if multi_az else "") + ".")
    return row, count, sizing, []


def cache_cluster(
    rows: list[dict[str, Any]], need: float, per_shard: int, max_nodes: int
) -> tuple[dict[str, Any] | None, int, bool]:
    """(node row, shards, over the node quota) of the cache that holds ``need`` GiB.

    A need one node holds keeps the cheapest such node (:func:`pick_node`; one shard, cluster
    mode disabled, any client).  A need no node holds is partitioned across shards (cluster
    mode enabled: "Valkey or Redis OSS (cluster mode enabled) clusters can have up to 500
    shards, with your data partitioned across the shards", :data:`CACHE_CLUSTERS_URL`): the
    cluster is then the cheapest ``shards x per_shard`` nodes of one current-generation class
    whose shards hold the need, within the default quota of :data:`CACHE_MAX_NODES` nodes a
    cluster (:data:`CACHE_SHARDS_URL`; Memcached :data:`CACHE_MEMCACHED_MAX_NODES`).  Ties in
    price go to fewer nodes, then Graviton, then the class name.  Under every objective: a
    cluster's capacity beyond the need earns nothing and no risk step is defined for a shard
    count (docs/CONTRACT.md's objectives), so ``performance`` and ``balanced`` pick the same
    cluster.  When no class fits within the quota, the largest node (``over`` is True).
    """
    row, shards = pick_node(rows, need)
    if row is None or shards <= 1:
        return row, shards, False
    best: tuple[tuple[float, bool, int, str], dict[str, Any], int] | None = None
    for r in rows:
        mem = float(r["memory_gib"] or 0)
        if mem <= 0 or r.get("current_generation") is False:
            continue
        n = math.ceil(need / mem)
        if n * per_shard > max_nodes:
            continue
        # Rounded so that equal hourly totals (13 x 1.3136 = 26 x 0.6568) tie exactly.
        key = (round(n * per_shard * float(r["ondemand_usd_per_hour"]), 6),
               not _graviton(str(r["instance_class"])), n, str(r["instance_class"]))
        if best is None or key < best[0]:
            best = (key, r, n)
    if best is None:
        return row, shards, True
    return best[1], best[2], False


def _shard_config(option: str, p: WorkloadProfile, count: int) -> dict[str, int]:
    """``shards`` and ``replicas_per_shard`` of a Valkey/Redis OSS cache partitioned across
    shards (cluster mode enabled, :func:`cache_cluster`); empty for one shard (cluster mode
    disabled) and for Memcached, whose nodes are its partitions (``node_count``).

    A cluster mode enabled cluster has "1 to 500 shards (API/CLI: node groups), a primary
    node in each shard, and up to 5 read replicas in each shard"
    (:data:`CACHE_CME_URL`): ``count`` = shards x (1 + replicas per shard), the replicas
    being :data:`CACHE_REPLICAS_PER_SHARD` for Multi-AZ (:func:`_cache_size`).
    """
    if not option.startswith("elasticache:") or option == "elasticache:memcached":
        return {}
    replicas = CACHE_REPLICAS_PER_SHARD if asks_multi_az(p) else 0
    shards = count // (1 + replicas)
    if shards <= 1:
        return {}
    return {"shards": shards, "replicas_per_shard": replicas}


def _graviton(instance_class: str) -> bool:
    """Whether a cache node class is Graviton: ``cache.r6g.large``, ``cache.c7gn.xlarge``."""
    m = re.match(r"cache\.[a-z]+\d+([a-z]*)\.", instance_class)
    return bool(m and "g" in m.group(1))


def _shard_text(row: dict[str, Any], shards: int, per_shard: int, memcached: bool,
                over: bool) -> str:
    """The sizing sentence's part on shards (why this many, and the node quota)."""
    mem = float(row["memory_gib"] or 0)
    limit = CACHE_MEMCACHED_MAX_NODES if memcached else CACHE_MAX_NODES
    if over:
        return (f"; no class holds it within the default quota of {limit} nodes a cluster "
                f"({CACHE_SHARDS_URL}): {shards} x {row['instance_class']} (a quota increase "
                f"is needed)")
    return (f"; no single node holds it, so the data is partitioned across {shards} "
            + ("nodes" if memcached else "shards (cluster mode enabled)")
            + f" of {row['instance_class']} ({fmt_num(mem)} GiB each, "
            f"{fmt_num(round(shards * mem, 2))} GiB), the cheapest cluster that holds it "
            f"within the default {limit} nodes a cluster ({CACHE_SHARDS_URL}; "
            f"{CACHE_CLUSTERS_URL})")


def _search_size(
    rows: list[dict[str, Any]], size: float, p: WorkloadProfile
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    """OpenSearch: storage with AWS's overhead; at least three data nodes, across three AZs
    for production.

    The sizing guide's first step is "a minimum of three nodes to avoid potential OpenSearch
    issues, such as a split brain state" (:data:`OPENSEARCH_SIZING_URL`); data nodes are
    current-generation types, never UltraWarm (warm, read-only storage on S3) or the
    previous generation (:data:`OPENSEARCH_INSTANCE_TYPES_URL`).
    """
    storage = size * 2 * OPENSEARCH_OVERHEAD
    production = asks_multi_az(p)
    count = OPENSEARCH_MIN_DATA_NODES
    rows = [r for r in rows if _search_data_node(str(r["instance_class"]), production)]
    need = max(1.0, storage / OPENSEARCH_MEMORY_STORAGE_RATIO / count)
    row, shards = pick_node(rows, need)
    if shards > 1:
        count *= shards
    sizing = (f"Index storage {fmt_num(round(storage, 1))} GiB = data x (1 + 1 replica) x "
              f"{OPENSEARCH_OVERHEAD} (10% indexing overhead, 5% Linux reserved, 20% service "
              f"overhead: 1.1 / 0.95 / 0.8, {OPENSEARCH_SIZING_URL}); {count} data nodes (at "
              f"least three, against split brain) with >= {fmt_num(round(need, 2))} GiB "
              f"memory each (about {OPENSEARCH_MEMORY_STORAGE_RATIO:g} GiB of index per GiB, "
              f"a heuristic), of a current-generation data-node type "
              f"({OPENSEARCH_INSTANCE_TYPES_URL})"
              + (f"; production: at least three data nodes across three Availability Zones "
                 f"({OPENSEARCH_MULTI_AZ_URL})" if production else "") + ".")
    todo = [("OpenSearch EBS storage for the index",
             f"{fmt_num(round(storage, 1))} GiB of EBS per domain is billed per GB-month; the "
             "catalog has no OpenSearch storage price")]
    if production:
        todo.append(("3 dedicated master nodes",
                     f"AWS recommends three dedicated master nodes for production "
                     f"({OPENSEARCH_MULTI_AZ_URL}); their class depends on the domain size"))
    return row, count, sizing, todo


def _search_data_node(instance_class: str, production: bool) -> bool:
    """A current-generation data-node type (T2/T3 not for production, same sizing guide)."""
    family = instance_class.split(".", 1)[0]
    if family.startswith("ultrawarm") or family in OPENSEARCH_PREVIOUS_GENERATION:
        return False
    return not (production and family in ("t2", "t3"))


def _warehouse_size(
    rows: list[dict[str, Any]], size: float, p: WorkloadProfile
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    current = [r for r in rows if r.get("current_generation") is not False] or rows
    best = None
    for r in current:
        cap = _storage_per_node_gib(r)
        n = max(1, math.ceil(size / cap)) if cap else 1
        key = (float(r["ondemand_usd_per_hour"]) * n, str(r["instance_class"]))
        if best is None or key < best[0]:
            best = (key, r, n, cap)
    row, count = (best[1], best[2]) if best else (None, 1)
    cap = best[3] if best else None
    sizing = (f"{count} node(s) for {fmt_num(size)} GiB"
              + (f" ({fmt_num(cap)} GiB managed storage per node)." if cap else
                 " (node storage not in the catalog: one node)."))
    return row, count, sizing, []


