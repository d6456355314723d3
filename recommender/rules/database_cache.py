"""ElastiCache sizing (PERF03): memory for the data, on one node or across shards.

The need is the data with the default 25 % of node memory reserved
(:data:`CACHE_MEMORY_URL`; Memcached: the data and its 100 MB connection overhead,
:data:`CACHE_MEMCACHED_PARAMS_URL`).  One node that holds it needs nothing of the client (one shard,
cluster mode disabled).  A Valkey/Redis OSS cluster with cluster mode enabled partitions the
data across shards and can be cheaper (80 GiB: 9 x cache.r6g.large at $1,082.74 a month vs one
cache.m4.10xlarge at $1,817.41), but it asks something of the application: "Applications must
use a Valkey or Redis OSS client that is capable of using Cluster protocol and use a
configuration endpoint", and "The cluster may only have keys in database 0"
(:data:`CACHE_CLUSTER_MODE_URL`); "the keys must be hashed to the same hash slot" for a
multi-key operation (:data:`CACHE_CROSSSLOT_URL`).  So the profile says whether its client
can (``database.cluster_mode``):

* ``enabled``: the cheapest of one node and a sharded cluster wins, no risk;
* ``disabled``: one shard only; a need no node holds is rejected
  (:data:`CACHE_NEEDS_CLUSTER_MODE`);
* absent (unknown, as every absent field): both are offered, the sharded cluster at
  performance risk 1 with the client requirement as a caution: ``cost`` takes the cheaper,
  ``balanced`` takes the cluster only while it stays cheaper with the stated 10 % premium of
  one risk step, and ``performance`` (equal fit: capacity beyond the need earns nothing) the
  lower risk.  A need only shards hold is the sharded cluster whatever the objective.

Memcached has no cluster mode: its nodes are its partitions (:data:`CACHE_CLUSTERS_URL`,
:data:`CACHE_MEMCACHED_SCALING_URL`), so one node and, when cheaper, the cheapest partitioned
cluster are offered at no risk: the cheaper wins under every objective.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from recommender.rules.base import (
    PERF03_CONFIG,
    Candidate,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.database_common import asks_multi_az, node_rate, pick_node
from recommender.rules.prices import per_unit_cost
from recommender.rules.rank import RISK_PREMIUM_PCT

#: ElastiCache reserves 25% of node memory by default (``reserved-memory-percent``), so data
#: can use 75% of it: the need is data / (1 - 0.25).
CACHE_RESERVED_FRACTION = 0.25
CACHE_MEMORY_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                    "redis-memory-management.html")
#: Memcached has no reserved-memory-percent (a Valkey/Redis OSS parameter): it keeps
#: ``memcached_connections_overhead``, "the amount of memory to be reserved for memcached
#: connections and other miscellaneous overhead", 100 MB by default (Memcached specific
#: parameters), so a Memcached node's need is the data + 100 MB.
CACHE_MEMCACHED_OVERHEAD_GIB = 100.0 / 1024.0
CACHE_MEMCACHED_PARAMS_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                              "ParameterGroups.Engine.html#ParameterGroups.Memcached")
#: The least data a cache is sized for, GiB (the rule's floor: no size, or less, is sized as
#: this much).  The need text says so: before, "0 GiB of data ...: memory >= 0 / 0.75 = 0.67
#: GiB" stated a division whose result is 0.
CACHE_MIN_DATA_GIB = 0.5
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
#: "Because you can partition your data across all the nodes in a Memcached cluster, scaling
#: up to a node type with greater memory is seldom required" (manual scaling for Memcached).
CACHE_MEMCACHED_SCALING_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                               "Scaling.Memcached.manually.html")
#: Valkey or Redis OSS (cluster mode enabled): shards (node groups) of a primary and 0-5
#: replicas each.
CACHE_CME_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                 "Replication.CreatingReplGroup.NoExistingCluster.Cluster.html")
#: What cluster mode enabled asks of the application (the Cluster protocol, a configuration
#: endpoint, database 0 only) and that it cannot be reverted to cluster mode disabled.
CACHE_CLUSTER_MODE_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                          "modify-cluster-mode.html")
#: "To implement multi-key operations in a sharded Redis (cluster mode enabled) ElastiCache
#: cluster, the keys must be hashed to the same hash slot" (AWS Knowledge Center).
CACHE_CROSSSLOT_URL = "https://repost.aws/knowledge-center/elasticache-crossslot-keys-error-redis"
#: Rejected: ``cluster_mode: disabled`` and no node holds the need.
CACHE_NEEDS_CLUSTER_MODE = "database.cache_needs_cluster_mode"
#: Performance risk of a sharded cluster whose client the profile does not vouch for.
CLUSTER_MODE_RISK = 1.0
#: "Amazon ElastiCache is transitioning T2 instances to previous generation status. You will no
#: longer be able to create new ElastiCache clusters with T2 instances or purchase new T2
#: reserved nodes" (Supported node types): the feed still lists T2 as current generation, so
#: the cache picks leave T2 out (T3 and T4g are the burstable nodes a new cluster gets).
CACHE_NODE_TYPES_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
                        "CacheNodes.SupportedTypes.html")
CACHE_RETIRED_PREFIXES = ("cache.t2.",)
#: id of a row list -> (the list, its rows without :data:`CACHE_RETIRED_PREFIXES`), per list.
_CREATABLE_ROWS: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}


def creatable_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The node rows a new cluster can be created on: T2 left out (:data:`CACHE_NODE_TYPES_URL`).

    Built once per row list (the lists are the catalog index's, kept for its lifetime).
    """
    hit = _CREATABLE_ROWS.get(id(rows))
    if hit is None or hit[0] is not rows:
        if len(_CREATABLE_ROWS) >= 1024:
            _CREATABLE_ROWS.clear()
        kept = [r for r in rows if not str(r["instance_class"]).startswith(
            CACHE_RETIRED_PREFIXES)]
        hit = _CREATABLE_ROWS[id(rows)] = (rows, kept)
    return hit[1]


@dataclass(frozen=True)
class CacheLayout:
    """``shards`` x ``per_shard`` nodes of ``row`` (``over``: beyond the node quota)."""

    row: dict[str, Any]
    shards: int
    per_shard: int
    over: bool = False

    @property
    def nodes(self) -> int:
        return self.shards * self.per_shard

    def hourly(self) -> float:
        return self.nodes * float(self.row["ondemand_usd_per_hour"] or 0.0)


@dataclass(frozen=True)
class CachePlan:
    """What :func:`cache_plans` sizes: the need, one layout per option, and the rejection."""

    need: float
    per_shard: int
    memcached: bool
    #: (layout, risk) per option: one node first, then the sharded cluster.
    layouts: list[tuple[CacheLayout, float]]
    rejected: str | None = None
    #: Whether the region's rows had T2 nodes, left out (:func:`creatable_rows`).
    retired: bool = False
    #: Whether the profile asks for a copy in a second AZ (production or availability).
    multi_az: bool = False


def cache_plans(rows: list[dict[str, Any]], size: float, p: Any) -> CachePlan:
    """The cache layouts to offer for ``size`` GiB of data (see the module docstring).

    Multi-AZ with automatic failover needs at least one replica in each shard
    (:data:`CACHE_MULTI_AZ_URL`), so a production (or ``availability: multi_az``) cache has
    two nodes per shard; replicas hold a full copy, so they are the same class.  T2 nodes,
    on which ElastiCache no longer creates clusters, are left out (:func:`creatable_rows`).
    """
    kept = creatable_rows(rows)
    retired, rows = len(kept) < len(rows), kept
    d = p.database
    # Memcached has no replication, so no replicas to fail over to (same page).
    memcached = d is not None and (d.engine or "").lower() == "memcached"
    # Valkey/Redis OSS reserve 25 % of node memory; Memcached its 100 MB connection overhead.
    data = max(size, CACHE_MIN_DATA_GIB)
    need = (data + CACHE_MEMCACHED_OVERHEAD_GIB if memcached
            else data / (1 - CACHE_RESERVED_FRACTION))
    per_shard = 1 + CACHE_REPLICAS_PER_SHARD if asks_multi_az(p) and not memcached else 1
    mode = None if memcached or d is None else d.cluster_mode
    one, many = cache_cluster(rows, need, per_shard,
                              CACHE_MEMCACHED_MAX_NODES if memcached else CACHE_MAX_NODES)
    risk = 0.0 if memcached or mode == "enabled" else CLUSTER_MODE_RISK
    layouts: list[tuple[CacheLayout, float]] = []
    if one is not None:
        layouts.append((one, 0.0))
    # Memcached has no cluster mode to weigh: its data is partitioned across its nodes
    # anyway (CACHE_MEMCACHED_SCALING_URL), so the cheaper layout simply wins, at no risk.
    if many is not None and (memcached or mode != "disabled"):
        layouts.append((many, risk))
    rejected = CACHE_NEEDS_CLUSTER_MODE if one is None and mode == "disabled" else None
    return CachePlan(need, per_shard, memcached, layouts, rejected, retired, asks_multi_az(p))


def cache_cluster(
    rows: list[dict[str, Any]], need: float, per_shard: int, max_nodes: int
) -> tuple[CacheLayout | None, CacheLayout | None]:
    """(one shard, several shards) that hold ``need`` GiB, each None when there is none.

    One shard is the cheapest node that holds the need (:func:`pick_node`).  Several: the
    data partitioned across shards ("Valkey or Redis OSS (cluster mode enabled) clusters can
    have up to 500 shards, with your data partitioned across the shards",
    :data:`CACHE_CLUSTERS_URL`), the cheapest ``shards x per_shard`` nodes of one
    current-generation class whose shards hold the need, within the default quota of
    :data:`CACHE_MAX_NODES` nodes a cluster (:data:`CACHE_SHARDS_URL`; Memcached
    :data:`CACHE_MEMCACHED_MAX_NODES`); ties in price go to fewer nodes, then Graviton, then
    the class name.  It is returned only when it costs less than the one node (or when no
    node holds the need).  When no class fits within the quota, the largest node with the
    shards it needs (``over`` is True).
    """
    row, shards = pick_node(rows, need)
    if row is None:
        return None, None
    one = CacheLayout(row, 1, per_shard) if shards <= 1 else None
    best: tuple[tuple[float, bool, int, str], CacheLayout] | None = None
    for r in rows:
        mem = float(r["memory_gib"] or 0)
        if mem <= 0 or mem >= need or r.get("current_generation") is False:
            continue
        n = math.ceil(need / mem)
        if n * per_shard > max_nodes:
            continue
        # Rounded so that equal hourly totals (13 x 1.3136 = 26 x 0.6568) tie exactly.
        key = (round(n * per_shard * float(r["ondemand_usd_per_hour"]), 6),
               not _graviton(str(r["instance_class"])), n, str(r["instance_class"]))
        if best is None or key < best[0]:
            best = (key, CacheLayout(r, n, per_shard))
    if one is None:
        return None, (best[1] if best else CacheLayout(row, shards, per_shard, over=True))
    if best is None or round(best[1].hourly(), 6) >= round(one.hourly(), 6):
        return one, None
    return one, best[1]


def shard_config(option: str, layout: CacheLayout) -> dict[str, int]:
    """``shards`` and ``replicas_per_shard`` of a Valkey/Redis OSS cache partitioned across
    shards (cluster mode enabled); empty for one shard (cluster mode disabled) and for
    Memcached, whose nodes are its partitions (``node_count``).

    A cluster mode enabled cluster has "1 to 500 shards (API/CLI: node groups), a primary
    node in each shard, and up to 5 read replicas in each shard" (:data:`CACHE_CME_URL`):
    ``node_count`` = shards x (1 + replicas per shard).
    """
    if not option.startswith("elasticache:") or option == "elasticache:memcached" \
            or layout.shards <= 1:
        return {}
    return {"shards": layout.shards, "replicas_per_shard": layout.per_shard - 1}


@functools.lru_cache(maxsize=4096)  # a few hundred classes; asked per row on every call
def _graviton(instance_class: str) -> bool:
    """Whether a cache node class is Graviton: ``cache.r6g.large``, ``cache.c7gn.xlarge``."""
    m = re.match(r"cache\.[a-z]+\d+([a-z]*)\.", instance_class)
    return bool(m and "g" in m.group(1))


def _monthly(layout: CacheLayout, hours: float = 730.0) -> str:
    """The layout's node-hours a month, as the cost reason prices them: at the rate the option
    is priced at (:func:`~recommender.rules.database_common.node_rate`, the reserved rate when
    reserved pricing is asked), on-demand for a node without that rate, which stays on-demand
    (:mod:`recommender.rules.database_reserved`)."""
    rate = node_rate(layout.row)
    if rate is None:
        rate = float(layout.row["ondemand_usd_per_hour"] or 0.0)
    return fmt_usd(per_unit_cost(rate, layout.nodes * hours))


def cache_need_text(plan: CachePlan, size: float) -> str:
    """The need: the data over the memory the default reservation leaves (Memcached: the data
    and its connection overhead), and T2 left out."""
    data = max(size, CACHE_MIN_DATA_GIB)
    what = (f"{fmt_num(size)} GiB of data" if size >= CACHE_MIN_DATA_GIB else
            (f"{fmt_num(data)} GiB of data (" + (f"{fmt_num(size)} GiB given" if size else
                                                 "database.size_gib not given")
             + f": sized for at least {fmt_num(CACHE_MIN_DATA_GIB)} GiB, an assumption)"))
    if plan.memcached:
        text = (f"{what} and Memcached's default 100 MB "
                f"memcached_connections_overhead (Memcached has no reserved-memory-percent): "
                f"memory >= {fmt_num(data)} GiB + 100 MB = {fmt_num(round(plan.need, 2))} GiB "
                f"({CACHE_MEMCACHED_PARAMS_URL})")
    else:
        text = (f"{what} with {CACHE_RESERVED_FRACTION:.0%} of node "
                f"memory reserved (the default reserved-memory-percent): memory >= "
                f"{fmt_num(data)} / {1 - CACHE_RESERVED_FRACTION:g} = "
                f"{fmt_num(round(plan.need, 2))} GiB ({CACHE_MEMORY_URL})")
    return (text
            + (f"; no T2 node: ElastiCache no longer creates new clusters with T2 instances "
               f"({CACHE_NODE_TYPES_URL})" if plan.retired else ""))


def cache_sizing(plan: CachePlan, k: int, size: float, *, priced: bool) -> str:
    """The ``database.size`` sentence of option ``k`` of ``plan``."""
    layout, _ = plan.layouts[k]
    text = cache_need_text(plan, size)
    other = next((x for i, (x, _) in enumerate(plan.layouts) if i != k), None)
    if layout.shards > 1:
        text += _shard_text(layout, plan.memcached, other, priced=priced)
    elif other is not None:
        text += ("; one node holds it" + (
            f" (a cluster of {other.nodes} x {other.row['instance_class']}, the data "
            f"partitioned across its nodes," if plan.memcached else
            f": one shard, cluster mode disabled, any client (a cluster mode enabled cluster "
            f"of {other.nodes} x {other.row['instance_class']}")
            + (f" costs {_monthly(other)}/month" if priced else " costs less")
            + ", the other option, "
            + (CACHE_MEMCACHED_SCALING_URL if plan.memcached else CACHE_CLUSTER_MODE_URL)
            + ")")
    if plan.per_shard > 1:
        text += (f"; Multi-AZ (production or availability multi_az): "
                 f"{CACHE_REPLICAS_PER_SHARD} replica per shard for automatic failover, "
                 f"{layout.nodes} nodes ({CACHE_MULTI_AZ_URL})")
    return text + "."


def _shard_text(layout: CacheLayout, memcached: bool, one: CacheLayout | None, *,
                priced: bool) -> str:
    """The sizing sentence's part on shards (why this many, and the node quota).

    The quota's page: Valkey/Redis OSS "up to 90 nodes per cluster" (:data:`CACHE_SHARDS_URL`);
    Memcached "Memcached clusters contain 1 to 60 nodes" (:data:`CACHE_CLUSTERS_URL`), which
    before was cited to the Valkey/Redis OSS shards page.
    """
    mem = float(layout.row["memory_gib"] or 0)
    limit = CACHE_MEMCACHED_MAX_NODES if memcached else CACHE_MAX_NODES
    cls = layout.row["instance_class"]
    # Memcached's 1-60 nodes are on the clusters page; Shards.html is Valkey/Redis OSS's.
    quota_url = CACHE_CLUSTERS_URL if memcached else CACHE_SHARDS_URL
    if layout.over:
        return (f"; no class holds it within the default quota of {limit} nodes a cluster "
                f"({quota_url}): {layout.shards} x {cls} (a quota increase is "
                f"needed)")
    why = ("no single node holds it, so" if one is None else
           f"one {one.row['instance_class']} holds it"
           + (f" ({_monthly(one)}/month)" if priced else "") + ", but")
    return (f"; {why} the data is partitioned across {layout.shards} "
            + ("nodes" if memcached else "shards (cluster mode enabled)")
            + f" of {cls} ({fmt_num(mem)} GiB each, {fmt_num(round(layout.shards * mem, 2))}"
            f" GiB), the cheapest cluster that holds it within the default {limit} nodes a "
            f"cluster ({quota_url}" + ("" if memcached else f"; {CACHE_CLUSTERS_URL}") + ")")


#: "Because Memcached does not support replication, a node failure will always result in
#: some data loss from your cluster"; "To mitigate the impact of an Availability Zone failure,
#: locate your nodes in as many Availability Zones as possible" (Mitigating Failures when
#: Running Memcached).
CACHE_MEMCACHED_FAILURES_URL = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/"
                                "FaultTolerance.html")


def memcached_availability_reason(c: Candidate, plan: CachePlan, k: int) -> None:
    """On a Memcached option of a profile that asks for Multi-AZ: a caution that Memcached
    has no replica to fail over to, with the share of the cache a node's failure loses and
    AWS's mitigation (:data:`CACHE_MEMCACHED_FAILURES_URL`)."""
    if not (plan.memcached and plan.multi_az):
        return
    nodes = plan.layouts[k][0].nodes
    c.reasons.append(reason("database.memcached_availability", PERF03_CONFIG, (
        f"Multi-AZ is asked (production or database.availability multi_az), but Memcached "
        f"does not support replication: a node's failure loses its share of the cached data "
        f"(here {100 / nodes:.0f}% on {nodes} node{'s' if nodes > 1 else ''}), an Availability "
        f"Zone's failure the share of the nodes in it; AWS's mitigation is to spread the data "
        f"over more nodes and locate them in as many Availability Zones as possible "
        f"({CACHE_MEMCACHED_FAILURES_URL}); a Valkey or Redis OSS cache keeps a replica per "
        f"shard for automatic failover ({CACHE_MULTI_AZ_URL})."), "caution"))


def cluster_mode_reason(c: Candidate, plan: CachePlan, k: int, mode: str | None) -> None:
    """On a sharded Valkey/Redis OSS option: what cluster mode enabled asks of the client,
    and its risk (with the premium ``balanced`` charges for it) unless the profile says the
    client supports it.  On a Memcached option, the availability caution instead
    (:func:`memcached_availability_reason`)."""
    memcached_availability_reason(c, plan, k)
    layout, risk = plan.layouts[k]
    if plan.memcached or layout.shards <= 1:
        return
    asks = (f"cluster mode enabled needs a client that uses the Cluster protocol through the "
            f"configuration endpoint and keeps keys in database 0 "
            f"({CACHE_CLUSTER_MODE_URL}), and multi-key commands whose keys hash to one "
            f"slot ({CACHE_CROSSSLOT_URL})")
    if mode == "enabled":
        c.reasons.append(reason("database.cluster_mode", PERF03_CONFIG,
                                f"database.cluster_mode enabled: the client supports it; "
                                f"{asks}."))
        return
    c.risk = max(c.risk, risk)
    premium = ("" if c.monthly_cost_usd is None else
               f" ({fmt_usd(c.monthly_cost_usd * (1 + RISK_PREMIUM_PCT / 100 * risk))} as "
               f"balanced ranks it)")
    c.reasons.append(reason(
        "database.cluster_mode", PERF03_CONFIG,
        f"Performance risk {risk:g}: {asks}; the profile does not say its client does "
        f"(database.cluster_mode), so under balanced it carries a {RISK_PREMIUM_PCT * risk:g}"
        f"% premium{premium}; set database.cluster_mode to enabled or disabled.", "caution"))
