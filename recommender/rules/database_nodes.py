"""Node-sized data stores: ElastiCache, OpenSearch and Redshift (PERF03).

Each is sized by its data (and memory for caches and search) following AWS's own sizing
pages, cited on the constants and in the reasons; node classes and prices come from the
catalog's ``database`` table, usage prices from ``unit_prices``.  What the catalog cannot
price (OpenSearch EBS storage, dedicated masters beyond the sizing table, Redshift Managed
Storage without a price row) is named on the option (``Candidate.unpriced``).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import (
    Candidate,
    Rejections,
    fmt_num,
)
from recommender.rules.database_cache import (
    CACHE_CLUSTER_MODE_URL,
    CACHE_MEMORY_URL,
    cache_need_text,
    cache_plans,
    cache_sizing,
    cluster_mode_reason,
    shard_config,
)
from recommender.rules.database_common import (
    asks_multi_az,
    db_provenance,
    db_rows,
    node_option,
    pick_node,
    priced_at_both,
    rows_or_reference,
)
from recommender.rules.database_redshift import warehouse_size
from recommender.rules.database_search import holds as search_holds
from recommender.rules.database_search import instance_quota_reason as search_instance_quota
from recommender.rules.database_search import node_storage as search_node_storage
from recommender.rules.database_search import nodes_for_storage as search_nodes_for_storage
from recommender.rules.database_search import storage_text as search_storage_text
from recommender.rules.database_search import volume_config as search_volume_config

# The masters live in their own module; re-exported for the callers that import them here.
from recommender.rules.database_search_masters import (
    OPENSEARCH_MASTER_CLASSES as OPENSEARCH_MASTER_CLASSES,
)
from recommender.rules.database_search_masters import (
    OPENSEARCH_MASTER_COUNT,
    search_masters,
)
from recommender.rules.prices import PriceBook, fmt_unit_usd

#: OpenSearch sizing: source x (1 + replicas) x 1.45 (indexing, OS and service overhead).
OPENSEARCH_OVERHEAD = 1.45
OPENSEARCH_MEMORY_STORAGE_RATIO = 16.0  # GiB of index per GiB of memory (heuristic)
#: "If your cluster has many shards, performs taxing aggregations, ... try starting with a
#: configuration closer to 2 vCPU cores and 8 GiB of memory for every 100 GiB of your storage
#: requirement" (:data:`OPENSEARCH_SIZING_URL`): (vCPUs, GiB of memory) per 100 GiB.
OPENSEARCH_HEAVY_PER_100_GIB = (2.0, 8.0)


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
    book: PriceBook | None = None, rej: Rejections | None = None,
    twins: list[Candidate | None] | None = None,
) -> list[Candidate]:
    """Redshift, ElastiCache or OpenSearch sized by data (and memory for caches/search); with
    ``twins``, each option priced at the reserved rate as well (its twin appended there)."""
    d = p.database
    assert d is not None  # callers check the section first
    size = (d.size_gib.min or 0.0) if d.size_gib else 0.0  # {} is a range without ends
    table = db_rows(catalog)
    service, engine, deployment = _service_engine(family, d.engine, table)
    rows, unpriced = rows_or_reference(table, service, engine, deployment, region)
    if family == "elasticache":
        return _cache_options(f"elasticache:{engine}", p, rows, unpriced, region=region,
                              why=why, size=size, rej=rej, twins=twins)
    sizer = _search_size if family == "opensearch" else _warehouse_size
    sized = sizer(rows, size, p)
    c, twin = priced_at_both(lambda: _node_family_option(
        family, p, (rows, unpriced), sized, service=service, region=region, why=why,
        book=book, size=size), twins is not None)
    if twins is not None:
        twins.append(twin)
    return [c]


def _node_family_option(
    family: str, p: WorkloadProfile, rows_unpriced: tuple[list[dict[str, Any]], bool],
    sized: tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]], *, service: str,
    region: str, why: str, book: PriceBook | None, size: float,
) -> Candidate:
    """The Redshift or OpenSearch option of the sizing ``sized`` (row, count, sizing text,
    items not priced), priced at the node rate in force, with its masters (OpenSearch
    production) or managed storage (Redshift RA3)."""
    rows, unpriced = rows_unpriced
    row, count, sizing, sized_todo = sized
    todo = list(sized_todo)
    extra, ev, priced, label = 0.0, False, None, "storage/I/O"
    config: dict[str, Any] = {"storage_gib": size or None}
    if family == "opensearch" and size:
        # Each data node's EBS volume holds its share of the index storage (sizing-domains.html
        # step 2: "184 / 3 = 61 GiB to find the amount of storage that each node needs").
        # The minimum volume applies; a type with instance storage has no EBS volume at all.
        config.update(search_volume_config(row, search_storage_gib(size), count) if row
                      is not None else {"volume_gib_per_node": math.ceil(
                          search_storage_gib(size) / max(count, 1))})
    if family == "opensearch" and asks_multi_az(p):
        masters = search_masters(rows, count, unpriced)
        if isinstance(masters, tuple):  # (no recommended class priced: named, not counted)
            todo.append(masters)
        else:
            extra, ev = masters.monthly_usd, masters.verify
            label = f"{OPENSEARCH_MASTER_COUNT} dedicated master nodes"
            sizing += " " + masters.text
            config.update(dedicated_master_type=masters.instance_class,
                          dedicated_master_count=OPENSEARCH_MASTER_COUNT)
    if family == "redshift" and row is not None and str(row["instance_class"]).startswith("ra3"):
        priced = book.cost(REDSHIFT_RMS_ITEM, region, size, per="GB-month") if book else None
        if priced is not None:
            extra, ev = priced.usd, priced.verify
            sizing += (f" RA3 managed storage: {fmt_num(size)} GB at "
                       f"{fmt_unit_usd(priced.unit_price_usd)}/GB-month ({REDSHIFT_PRICING_URL}).")
        else:
            todo.append((f"Redshift Managed Storage for {fmt_num(size)} GiB",
                         f"RA3 bills managed storage per GB-month ({REDSHIFT_PRICING_URL}); "
                         "the catalog has no price for it (listed in its coverage gaps)"))
    c = node_option(service, service, row, count, unpriced, region=region, why=why,
                    sizing=sizing, extra_cost=extra, extra_verify=ev, config=config,
                    extra_label=label)
    c.name_unpriced_all(todo, category="database")
    quota = search_instance_quota(count) if family == "opensearch" else None
    if quota is not None:
        c.reasons.append(quota)
    db_provenance(c, row, priced)
    c.components = {"fit": 1.0}
    return c


def _cache_options(
    option: str, p: WorkloadProfile, rows: list[dict[str, Any]], unpriced: bool, *,
    region: str, why: str, size: float, rej: Rejections | None,
    twins: list[Candidate | None] | None = None,
) -> list[Candidate]:
    """ElastiCache: one option per layout :func:`cache_plans` offers (one node, and a sharded
    cluster when it is cheaper), or none and the rejection when the profile rules out the
    only layout that holds the need; with ``twins``, each layout priced at the reserved rate
    as well."""
    plan = cache_plans(rows, size, p)
    if plan.rejected is not None:
        if rej is not None:
            big = max((r for r in rows if r["memory_gib"]), default=None,
                      key=lambda r: float(r["memory_gib"]))
            rej.add(plan.rejected, example=option, note=(
                f"database.cluster_mode is disabled (one shard), and no node holds "
                f"{fmt_num(round(plan.need, 2))} GiB (the data / 0.75, "
                f"{CACHE_MEMORY_URL})"
                + (f"; the largest, {big['instance_class']}, has "
                   f"{fmt_num(float(big['memory_gib']))} GiB" if big else "")
                + f"; a larger cache needs cluster mode enabled ({CACHE_CLUSTER_MODE_URL})."))
        return []
    if not plan.layouts:  # no node rows at all: the option says it has no price
        c = node_option(option, "elasticache", None, 1, unpriced, region=region, why=why,
                        sizing=cache_need_text(plan, size) + ".",
                        config={"storage_gib": size or None})
        c.components = {"fit": 1.0}
        if twins is not None:
            twins.append(None)
        return [c]
    out = []
    mode = p.database.cluster_mode if p.database is not None else None
    for k in range(len(plan.layouts)):
        c, twin = priced_at_both(functools.partial(
            _cache_layout_option, option, plan, k, unpriced=unpriced, region=region, why=why,
            size=size, mode=mode), twins is not None)
        if twins is not None:
            twins.append(twin)
        out.append(c)
    return out


def _cache_layout_option(option: str, plan: Any, k: int, *, unpriced: bool, region: str,
                         why: str, size: float, mode: str | None) -> Candidate:
    """The option of layout ``k`` of ``plan``, priced at the node rate in force."""
    layout = plan.layouts[k][0]
    c = node_option(option, "elasticache", layout.row, layout.nodes, unpriced,
                    region=region, why=why,
                    sizing=cache_sizing(plan, k, size, priced=not unpriced),
                    config={"storage_gib": size or None, **shard_config(option, layout)})
    cluster_mode_reason(c, plan, k, mode)
    db_provenance(c, layout.row)
    c.components = {"fit": 1.0}
    return c


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
REDSHIFT_RMS_ITEM = "redshift.managed_storage_gb_month"


def _search_size(
    rows: list[dict[str, Any]], size: float, p: WorkloadProfile
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    """OpenSearch: storage with AWS's overhead; at least three data nodes, across three AZs
    for production.

    The sizing guide's first step is "a minimum of three nodes to avoid potential OpenSearch
    issues, such as a split brain state" (:data:`OPENSEARCH_SIZING_URL`); data nodes are
    current-generation types, never UltraWarm (warm, read-only storage on S3) or the
    previous generation (:data:`OPENSEARCH_INSTANCE_TYPES_URL`).  A domain that "performs
    taxing aggregations" (``query_pattern: aggregations``) starts "closer to 2 vCPU cores
    and 8 GiB of memory for every 100 GiB of your storage requirement" (the same guide,
    :data:`OPENSEARCH_HEAVY_PER_100_GIB`); otherwise memory follows the index size by a
    heuristic (:data:`OPENSEARCH_MEMORY_STORAGE_RATIO`).  Either way each node holds its share
    of the index within its type's storage quota, the EBS maximum or its instance storage
    (:mod:`recommender.rules.database_search`), with more nodes when it does not.
    """
    storage = search_storage_gib(size)
    production = asks_multi_az(p)
    count = OPENSEARCH_MIN_DATA_NODES
    rows = [r for r in rows if _search_data_node(str(r["instance_class"]), production)]
    # Only types whose storage quota is known (search_node_storage) hold the index.
    rows = [r for r in rows if search_node_storage(r) is not None] or rows
    step = 3 if production else 1
    heavy = p.database is not None and p.database.query_pattern == "aggregations"
    if heavy:
        vcpu_per, mem_per = OPENSEARCH_HEAVY_PER_100_GIB
        row, count = _search_nodes(rows, (storage / 100 * vcpu_per, storage / 100 * mem_per,
                                          storage), step=step)
        need_text = (f"together >= {fmt_num(round(storage / 100 * vcpu_per, 1))} vCPUs and "
                     f"{fmt_num(round(storage / 100 * mem_per, 1))} GiB of memory (taxing "
                     f"aggregations: {vcpu_per:g} vCPUs and {mem_per:g} GiB per 100 GiB of "
                     f"storage, {OPENSEARCH_SIZING_URL})")
    else:
        row, count, need_text = _search_by_memory(rows, storage, step)
    sizing = (("" if size else "database.size_gib not given, so the index is sized at 0 GiB "
               "and each node's storage at its type's minimum: ")
              + f"Index storage {fmt_num(round(storage, 1))} GiB = data x (1 + 1 replica) x "
              f"{OPENSEARCH_OVERHEAD} (10% indexing overhead, 5% Linux reserved, 20% service "
              f"overhead: 1.1 / 0.95 / 0.8, {OPENSEARCH_SIZING_URL}); {count} data nodes (at "
              f"least three, against split brain) {need_text}, of a current-generation "
              f"data-node type ({OPENSEARCH_INSTANCE_TYPES_URL})"
              + (search_storage_text(row, storage, count) if row is not None else "")
              + (f"; production: at least three data nodes across three Availability Zones "
                 f"({OPENSEARCH_MULTI_AZ_URL})" if production else "") + ".")
    return row, count, sizing, _search_todo(row, storage, count)


def _search_by_memory(rows: list[dict[str, Any]], storage: float, step: int
                      ) -> tuple[dict[str, Any] | None, int, str]:
    """(type, data nodes, need text) of a domain sized by memory: about
    :data:`OPENSEARCH_MEMORY_STORAGE_RATIO` GiB of index per GiB (a heuristic), on the three
    nodes the sizing guide starts from when one type has a third of the memory and holds a
    third of the index; else the type with the most memory, times the nodes it needs.

    The text gives each node's share of the memory on the nodes chosen, and the total.
    Before, it gave the share of three nodes whatever the count: 50,000 GiB in production
    read "9 data nodes ... with >= 3,021 GiB memory each" for nodes of 1,024 GiB (145,000 /
    16 = 9,062.5 GiB in all, 1,007 GiB each on nine).
    """
    count = OPENSEARCH_MIN_DATA_NODES
    need = max(1.0, storage / OPENSEARCH_MEMORY_STORAGE_RATIO / count)
    # Three nodes of a type that each hold a third of the index, when one has the memory.
    fit = [r for r in rows if search_holds(r, storage / count)]
    row, shards = pick_node(fit, need) if fit else (None, 0)
    if row is None or shards > 1:
        row, shards = pick_node(rows, need)
    count *= max(shards, 1)
    if row is not None:
        count = max(count, search_nodes_for_storage(row, storage))
    count = -(-count // step) * step
    total = need * OPENSEARCH_MIN_DATA_NODES
    return row, count, (f"with >= {fmt_num(round(total / count, 2))} GiB memory each ("
                        f"{fmt_num(round(total, 1))} GiB in all: about "
                        f"{OPENSEARCH_MEMORY_STORAGE_RATIO:g} GiB of index per GiB, a "
                        "heuristic)")


def _search_todo(row: dict[str, Any] | None, storage: float, count: int
                 ) -> list[tuple[str, str]]:
    """The index's EBS storage, named (the catalog has no OpenSearch storage price); nothing
    for a type that keeps it on its instance storage, which the instance price includes."""
    vol = None if row is None else search_volume_config(row, storage, count).get(
        "volume_gib_per_node")
    if row is not None and vol is None:
        return []
    total = (f"{count} x {fmt_num(vol)} GiB = {fmt_num(count * vol)} GiB" if vol is not None
             else f"{fmt_num(round(storage, 1))} GiB")
    return [("OpenSearch EBS storage for the index",
             f"{total} of gp3 EBS per domain is billed per GB-month; the catalog has no "
             "OpenSearch storage price")]


def search_storage_gib(size_gib: float) -> float:
    """The minimum storage requirement of ``size_gib`` of source data: "Source Data * (1 +
    Number of Replicas) * 1.45" with the default one replica (:data:`OPENSEARCH_SIZING_URL`)."""
    return size_gib * 2 * OPENSEARCH_OVERHEAD


def _search_nodes(rows: list[dict[str, Any]], need: tuple[float, float, float], *,
                  step: int = 1) -> tuple[dict[str, Any] | None, int]:
    """The cheapest (class, node count >= 3) whose nodes together have the ``need``'s vCPUs
    and GiB of memory and hold its GiB of index storage (each node within its type's storage
    quota, :func:`~recommender.rules.database_search.nodes_for_storage`): per class, the
    fewest nodes that have all three (a multiple of ``step``: 3 for a domain across three
    Availability Zones, :data:`OPENSEARCH_MULTI_AZ_URL`), then the lowest hourly total
    (ties: the fewer nodes, then the name)."""
    vcpus, memory_gib, storage = need
    best: tuple[float, int, str] | None = None
    pick: tuple[dict[str, Any] | None, int] = (None, OPENSEARCH_MIN_DATA_NODES)
    for r in rows:
        v, m = float(r.get("vcpus") or 0), float(r["memory_gib"] or 0)
        if v <= 0 or m <= 0 or r.get("ondemand_usd_per_hour") is None:
            continue
        n = max(OPENSEARCH_MIN_DATA_NODES, math.ceil(vcpus / v - 1e-9),
                math.ceil(memory_gib / m - 1e-9), search_nodes_for_storage(r, storage))
        n = -(-n // step) * step
        key = (float(r["ondemand_usd_per_hour"]) * n, n, str(r["instance_class"]))
        if best is None or key < best:
            best, pick = key, (r, n)
    return pick


def _search_data_node(instance_class: str, production: bool) -> bool:
    """A current-generation data-node type (T2/T3 not for production, same sizing guide)."""
    family = instance_class.split(".", 1)[0]
    if family.startswith("ultrawarm") or family in OPENSEARCH_PREVIOUS_GENERATION:
        return False
    return not (production and family in ("t2", "t3"))


def _warehouse_size(
    rows: list[dict[str, Any]], size: float, p: WorkloadProfile
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    """Redshift by AWS's node type table (:func:`warehouse_size`)."""
    return warehouse_size(rows, size, getattr(p, "environment", None) == "production")
