"""What every database family shares: node rows by key, node choice, the priced option.

Node classes and prices come from the catalog's ``database`` table; a region without rows
is sized from a reference region and the option says it has no price.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import (
    PERF03_CONFIG,
    PERF03_PURPOSE,
    SECONDS_PER_MONTH,
    Candidate,
    clean_row,
    cost_reason,
    fmt_usd,
    no_price_reason,
    reason,
    sentence,
    verify_reason,
)
from recommender.rules.prices import per_catalog

__all__ = ["SECONDS_PER_MONTH", "db_provenance", "db_rows", "node_option", "pick_node",
           "rows_or_reference"]


def db_rows(catalog: Any) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    """(service, engine, deployment, region) -> rows sorted by price (built once)."""
    def build(c: Any) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for raw in c.database.to_dict("records"):
            r = clean_row(raw)
            key = (str(r["service"]), str(r["engine"]), str(r["deployment"]), str(r["region"]))
            out.setdefault(key, []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: (float(r["ondemand_usd_per_hour"]), str(r["instance_class"])))
        return out
    return per_catalog("db_rows", catalog, build)


def pick_node(
    rows: list[dict[str, Any]], mem_need: float
) -> tuple[dict[str, Any] | None, int]:
    """Cheapest current node with memory >= need, else the largest node and a shard count."""
    # Rows are sorted by price, so the first fitting row is the cheapest.
    fit = next((r for r in rows if (r["memory_gib"] or 0) >= mem_need
                and r.get("current_generation") is not False), None)
    if fit is not None:
        return fit, 1
    sized = [r for r in rows if r["memory_gib"]]
    if not sized:
        return None, 0
    big = max(sized, key=lambda r: (r["memory_gib"], -r["ondemand_usd_per_hour"]))
    return big, math.ceil(mem_need / big["memory_gib"])


def rows_or_reference(
    table: dict[tuple[str, str, str, str], list[dict[str, Any]]],
    service: str, engine: str, deployment: str, region: str,
) -> tuple[list[dict[str, Any]], bool]:
    """Rows for the region, or (reference-region rows, unpriced=True) to size without price."""
    rows = table.get((service, engine, deployment, region))
    if rows:
        return rows, False
    for (s, e, dep, _), ref in sorted(table.items()):
        if s == service and e == engine and dep == deployment:
            return ref, True
    return [], True


def node_option(
    option: str, kind: str, row: dict[str, Any] | None, count: int, unpriced: bool, *,
    region: str, why: str, sizing: str, extra_cost: float = 0.0, extra_verify: bool = False,
    config: dict[str, Any] | None = None, hours: float = 730.0,
) -> Candidate:
    """The priced option of ``count`` nodes of ``row`` (or a reason why it has no price).

    ``extra_cost`` (storage, I/O) is added to the node hours; ``unpriced`` marks rows sized
    from a reference region, which carry no cost.
    """
    config = dict(config or {})
    rs = [reason(f"database.{kind}", PERF03_PURPOSE, sentence(why)),
          reason("database.size", PERF03_CONFIG, sizing)]
    if row is None:
        rs.append(no_price_reason("database", f"No {option} node classes in the catalog."))
        return Candidate(option, kind, None, rs, config=config, count=max(count, 1))
    config = {"instance_class": row["instance_class"], "deployment": row["deployment"],
              "node_count": count, **config}
    cost = None
    verify = bool(row.get("verify")) or extra_verify
    if unpriced:
        rs.append(no_price_reason("database", f"No price for {option} {row['instance_class']} "
                                  f"in {region} in the catalog."))
    else:
        nodes = float(row["ondemand_usd_per_hour"]) * count * hours
        cost = nodes + extra_cost
        rs.append(cost_reason("database", f"{fmt_usd(cost)}/month: {count} x "
                              f"{row['instance_class']} ({fmt_usd(nodes)})"
                              + (f" + storage/I/O {fmt_usd(extra_cost)}" if extra_cost else "")
                              + "."))
    if verify:
        rs.append(verify_reason("A price behind this option is marked unverified by its "
                                "source."))
    return Candidate(option, kind, cost, rs, config=config, count=max(count, 1), verify=verify)


def db_provenance(c: Candidate, row: dict[str, Any] | None, *priced: Any) -> None:
    """``price_as_of``/``price_source`` of the node row (and usage prices) in the config."""
    if row is not None:
        c.add_provenance(row, *priced)
