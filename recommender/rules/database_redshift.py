"""Redshift provisioned clusters: node type and count by AWS's node type table (PERF03).

"Node type details" (:data:`REDSHIFT_NODE_TYPES_URL`) gives each node type a node range when a
cluster is created, and the storage of its nodes: dc2.large 1-32 nodes, dc2.8xlarge 2-128,
ra3.xlplus 1 (single-node, managed storage limited to 4 TB) or 2-16 (multi-node), ra3.4xlarge
2-32, ra3.16xlarge 2-128; the storage per node is the table's managed storage limit per node
for the RA3 types it lists (ra3.xlplus 32 TB, ra3.4xlarge and ra3.16xlarge 128 TB, where the
catalog's ``storage_desc`` says 64TB), else the catalog's (``storage_desc``).  "Single-
node clusters are not recommended for running production workloads" (same page), so a
production profile gets at least two nodes.  A node type the table does not list (ra3.large:
the stored page predates it) keeps the catalog's storage and no range.
"""

from __future__ import annotations

import math
import re
from typing import Any

from recommender.rules.base import fmt_num

REDSHIFT_NODE_TYPES_URL = ("https://docs.aws.amazon.com/redshift/latest/mgmt/"
                           "working-with-clusters.html#rs-node-type-info")
#: (fewest, most) nodes of a cluster created with the node type (:data:`REDSHIFT_NODE_TYPES_URL`).
REDSHIFT_NODE_RANGE: dict[str, tuple[int, int]] = {
    "dc2.large": (1, 32), "dc2.8xlarge": (2, 128), "ra3.xlplus": (1, 16),
    "ra3.4xlarge": (2, 32), "ra3.16xlarge": (2, 128),
}
#: Managed storage of a single-node cluster of the type, GiB (ra3.xlplus: 4 TB, "a hard limit"),
#: read as the catalog reads its TB (x 1,024).
REDSHIFT_SINGLE_NODE_GIB: dict[str, float] = {"ra3.xlplus": 4.0 * 1024}
#: "Managed storage limit per node" of a multi-node cluster, "a hard limit" (the same table):
#: ra3.xlplus 32 TB, ra3.4xlarge and ra3.16xlarge 128 TB, read as TB x 1,024.  The catalog's
#: ``storage_desc`` says "64TB RMS" for the two larger types; the page's figure is the limit.
REDSHIFT_RMS_LIMIT_GIB: dict[str, float] = {"ra3.xlplus": 32.0 * 1024,
                                            "ra3.4xlarge": 128.0 * 1024,
                                            "ra3.16xlarge": 128.0 * 1024}


def storage_per_node_gib(row: dict[str, Any]) -> float | None:
    """The storage of one node, GiB: the page's managed storage limit of an RA3 type it lists
    (:data:`REDSHIFT_RMS_LIMIT_GIB`), else the catalog's ``storage_desc`` ("32TB RMS")."""
    page = REDSHIFT_RMS_LIMIT_GIB.get(str(row.get("instance_class")))
    if page is not None:
        return page
    return catalog_storage_gib(row)


def catalog_storage_gib(row: dict[str, Any]) -> float | None:
    """The storage of one node, GiB, as the catalog's ``storage_desc`` gives it, or None."""
    m = re.search(r"([\d.]+)\s*(TB|GB|TiB|GiB)", str(row.get("storage_desc") or ""))
    if not m:
        return None
    v = float(m.group(1))
    return v * 1024 if m.group(2).startswith("T") else v


def redshift_nodes(cls: str, cap: float | None, size: float, production: bool) -> int | None:
    """The fewest nodes of ``cls`` that hold ``size`` GiB within its node range, or None.

    One node is admissible only when the type allows a single-node cluster, the profile is
    not production, and the single node's storage (``REDSHIFT_SINGLE_NODE_GIB`` when lower
    than the multi-node figure) holds the data.
    """
    low, high = REDSHIFT_NODE_RANGE.get(cls, (1, 0))  # 0: no range known
    n = max(low, 2 if production else 1, math.ceil(size / cap - 1e-9) if cap else 1)
    if n == 1 and size > REDSHIFT_SINGLE_NODE_GIB.get(cls, math.inf):
        n = 2  # the multi-node cluster has the full managed storage per node
    return None if high and n > high else n


def warehouse_size(
    rows: list[dict[str, Any]], size: float, production: bool
) -> tuple[dict[str, Any] | None, int, str, list[tuple[str, str]]]:
    """The cheapest (node type, count) that holds ``size`` GiB (see the module docstring).

    When no type holds it within its node range, the cheapest ignoring the ranges, and the
    sizing says so.
    """
    current = [r for r in rows if r.get("current_generation") is not False] or rows
    caps = [storage_per_node_gib(r) for r in current]  # (parsed once for both passes)
    best: tuple[tuple[float, str], dict[str, Any], int, float | None] | None = None
    for strict in (True, False):
        for r, cap in zip(current, caps, strict=True):
            cls = str(r["instance_class"])
            n = redshift_nodes(cls, cap, size, production) if strict else max(
                1, math.ceil(size / cap - 1e-9) if cap else 1)
            if n is None:
                continue
            key = (float(r["ondemand_usd_per_hour"]) * n, cls)
            if best is None or key < best[0]:
                best = (key, r, n, cap)
        if best is not None:
            break
    if best is None:
        return None, 1, f"1 node(s) for {fmt_num(size)} GiB.", []
    _, row, count, cap = best
    cls = str(row["instance_class"])
    low, high = REDSHIFT_NODE_RANGE.get(cls, (1, 0))
    if count == 1 and cap:
        cap = min(cap, REDSHIFT_SINGLE_NODE_GIB.get(cls, cap))
    # No data size: say so rather than size "for 0 GiB" (the node count is the least allowed).
    sizing = (f"{count} node(s) for "
              + (f"{fmt_num(size)} GiB" if size else "data of unknown size (database.size_gib "
                 "not given: the fewest nodes the type allows; more data needs more)")
              + (f" ({fmt_num(cap)} GiB "
                 + ("managed storage" if cls.startswith("ra3") else "of storage")
                 + " per node" if cap else
                 " (node storage not in the catalog")
              + (f" (the node type table's limit; the catalog's row says {row['storage_desc']})"
                 if cap and catalog_storage_gib(row) not in (None, cap) and count > 1 else "")
              + (f"; {cls} clusters have {low}-{high} nodes" if high else "")
              + ("; production: at least two nodes, single-node clusters are not "
                 "recommended for production" if production else "")
              + ("; no type holds it within its node range" if high and count > high else "")
              + f", {REDSHIFT_NODE_TYPES_URL}).")
    return row, count, sizing, []
