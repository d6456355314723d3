"""What every database family shares: node rows by key, node choice, the priced option.

Node classes and prices come from the catalog's ``database`` table; a region without rows
is sized from a reference region and the option says it has no price.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalog.derived_cache import TableColumns
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
from recommender.rules.prices import per_catalog, per_unit_cost

__all__ = ["ON_DEMAND_RATE", "RATE_COLUMN", "RESERVED_RATE", "SECONDS_PER_MONTH",
           "asks_multi_az", "db_provenance", "db_rows", "node_option", "node_rate", "pick_node",
           "priced_at_both", "production_classes", "rows_or_reference"]

#: The ``database`` row column that prices node hours: on-demand, unless
#: :func:`priced_at_both` prices the same sizing at the reserved rate as well.  The sizing
#: itself (the cheapest class, cluster or node count) always reads on-demand prices.
ON_DEMAND_RATE = "ondemand_usd_per_hour"
RATE_COLUMN: ContextVar[str] = ContextVar("database_rate_column", default=ON_DEMAND_RATE)
#: The reserved rate the catalog's ``database`` rows carry (1 year, No Upfront).
RESERVED_RATE = "reserved_1y_no_upfront_usd_per_hour"


def priced_at_both(build: Callable[[], Candidate], reserved: bool
                   ) -> tuple[Candidate, Candidate | None]:
    """``build()`` priced on-demand and, with ``reserved``, again with node hours at
    :data:`RESERVED_RATE` (``build`` prices what the sizing outside it chose: the sizing is
    done once, only the node-hour prices and the texts that quote them are built twice)."""
    c = build()
    if not reserved:
        return c, None
    token = RATE_COLUMN.set(RESERVED_RATE)
    try:
        return c, build()
    finally:
        RATE_COLUMN.reset(token)


def node_rate(row: dict[str, Any]) -> float | None:
    """The hourly rate of ``row`` in the column :data:`RATE_COLUMN` names (None: no price)."""
    v = row.get(RATE_COLUMN.get())
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)

#: AWS: "We recommend using the T DB instance classes only for development and test servers,
#: or other non-production servers" (RDS DB instance class types; Aurora MySQL best practices).
T_CLASS_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
               "Concepts.DBInstanceClass.Types.html")
#: id of a class list -> (the list, its production subset without db.t*), built once per list
#: so the class pick's own per-list tables stay cached.
_PRODUCTION_ROWS: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}


def asks_multi_az(p: Any) -> bool:
    """Whether the profile asks for a copy in a second AZ (``database.availability:
    multi_az``) or is production (``environment: production``); an explicit
    ``availability: single_az`` is the user's choice and wins over the environment."""
    availability = p.database.availability if p.database is not None else None
    if availability is not None:
        return bool(availability == "multi_az")
    return bool(getattr(p, "environment", None) == "production")


@dataclass(frozen=True)
class DbIndex:
    """The ``database`` table's columns and its rows' order by key (storable by
    :mod:`catalog.derived_cache`: a warm process reads this, not the table, nor pandas)."""

    table: TableColumns
    #: (service, engine, deployment, region) of each group, shape (groups, 4).
    keys: np.ndarray
    #: Row positions sorted by group, price, class; group g is ``order[starts[g]:ends[g]]``.
    order: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def db_index(frame: Any) -> DbIndex:
    """The :class:`DbIndex` of a ``database`` frame."""
    import pandas as pd

    cols = ["service", "engine", "deployment", "region"]
    codes, uniques = zip(*(pd.factorize(frame[k]) for k in cols), strict=True)
    group = np.zeros(len(frame), dtype=np.int64)
    for c, u in zip(codes, uniques, strict=True):
        group = group * len(u) + c
    # Sorted by group, then price, then class name (factorize(sort=True) codes order
    # like the strings); lexsort is stable, so ties keep the table's order.
    cls = pd.factorize(frame["instance_class"], sort=True)[0]
    price = frame["ondemand_usd_per_hour"].to_numpy(dtype=float)
    order = np.lexsort((cls, price, group))
    # An empty table (a catalog without database rows) has no groups at all.
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0]) if len(order) \
        else np.zeros(0, dtype=np.intp)
    ends = np.r_[starts[1:], len(order)] if len(order) else starts
    keys = np.empty((len(starts), len(cols)), dtype=object)
    for g, a in enumerate(starts.tolist()):
        first = order[a]
        keys[g] = [str(u[c[first]]) for c, u in zip(codes, uniques, strict=True)]
    return DbIndex(TableColumns.of_frame(frame), keys, order, starts, ends)


class _DbRows(Mapping[tuple[str, str, str, str], list[dict[str, Any]]]):
    """(service, engine, deployment, region) -> rows sorted by (price, class), each key's rows
    made into dicts on first use: a profile reads a handful of the ~30k rows' keys, and
    turning every row into a dict up front cost 0.4 s of a cold ``recommend``."""

    def __init__(self, frame: Any) -> None:
        ix = frame if isinstance(frame, DbIndex) else db_index(frame)
        self._table = ix.table
        self._index: dict[tuple[str, str, str, str], Any] = {}
        for key, a, b in zip(ix.keys.tolist(), ix.starts.tolist(), ix.ends.tolist(),
                             strict=True):
            self._index[tuple(key)] = ix.order[a:b]
        self._rows: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        self._deployments: dict[tuple[str, str], list[str]] = {}

    def deployments(self, service: str, engine: str) -> list[str]:
        """The sorted deployments the table has for (service, engine), in any region: read
        off the keys once per pair (a scan of every key on each call cost more than the
        sizing around it)."""
        got = self._deployments.get((service, engine))
        if got is None:
            got = self._deployments[(service, engine)] = sorted(
                {k[2] for k in self._index if k[0] == service and k[1] == engine})
        return got

    def __getitem__(self, key: tuple[str, str, str, str]) -> list[dict[str, Any]]:
        got = self._rows.get(key)
        if got is None:
            got = [clean_row(r) for r in self._table.records(self._index[key])]
            self._rows[key] = got
        return got

    def __iter__(self) -> Iterator[tuple[str, str, str, str]]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def db_rows(catalog: Any) -> Mapping[tuple[str, str, str, str], list[dict[str, Any]]]:
    """(service, engine, deployment, region) -> rows sorted by price (built once)."""
    return per_catalog("db_rows", catalog, lambda c: _DbRows(
        per_catalog("db_index", c, lambda c2: db_index(c2.database), persist=DbIndex)))


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


def production_classes(rows: list[dict[str, Any]], p: Any
                       ) -> tuple[list[dict[str, Any]], str | None]:
    """RDS/Aurora classes admissible for the profile, and the note when T classes are out.

    A production profile (``environment: production``) excludes the burstable T classes
    (``db.t*``), which AWS recommends only for development, test and other non-production
    servers (:data:`T_CLASS_URL`); other environments keep every class.
    """
    if getattr(p, "environment", None) != "production":
        return rows, None
    hit = _PRODUCTION_ROWS.get(id(rows))
    if hit is None or hit[0] is not rows:
        if len(_PRODUCTION_ROWS) >= 1024:
            _PRODUCTION_ROWS.clear()
        kept = [r for r in rows if not str(r["instance_class"]).startswith("db.t")]
        hit = _PRODUCTION_ROWS[id(rows)] = (rows, kept or rows)
    return hit[1], (f"production: no burstable T class (AWS recommends T classes only for "
                    f"development and test servers, {T_CLASS_URL})")


def rows_or_reference(
    table: Mapping[tuple[str, str, str, str], list[dict[str, Any]]],
    service: str, engine: str, deployment: str, region: str,
) -> tuple[list[dict[str, Any]], bool]:
    """Rows for the region, or (reference-region rows, unpriced=True) to size without price."""
    rows = table.get((service, engine, deployment, region))
    if rows:
        return rows, False
    for key in sorted(table):  # keys only: the rows of the first match are all it reads
        if key[:3] == (service, engine, deployment):
            return table[key], True
    return [], True


def node_option(
    option: str, kind: str, row: dict[str, Any] | None, count: int, unpriced: bool, *,
    region: str, why: str, sizing: str, extra_cost: float = 0.0, extra_verify: bool = False,
    config: dict[str, Any] | None = None, hours: float = 730.0,
    extra_label: str = "storage/I/O",
) -> Candidate:
    """The priced option of ``count`` nodes of ``row`` (or a reason why it has no price).

    ``extra_cost`` (storage, I/O, replicas: named by ``extra_label`` in the cost reason) is
    added to the node hours; ``unpriced`` marks rows sized from a reference region, which
    carry no cost.
    """
    config = dict(config or {})
    rs = [reason(f"database.{kind}", PERF03_PURPOSE, sentence(why)),
          reason("database.size", PERF03_CONFIG, sizing)]
    if row is None:
        rs.append(no_price_reason("database", f"No {option} node classes in the catalog."))
        none = Candidate(option, kind, None, rs, config=config, count=max(count, 1))
        name_unpriced_nodes(none, None, count, region=region, extra=(extra_label, extra_cost))
        return none
    config = {"instance_class": row["instance_class"], "deployment": row["deployment"],
              "node_count": count, **config}
    cost = None
    verify = bool(row.get("verify")) or extra_verify
    rate = None if unpriced else node_rate(row)
    if rate is None:
        rs.append(no_price_reason("database", f"No price for {option} {row['instance_class']} "
                                  f"in {region} in the catalog."))
    else:
        nodes = per_unit_cost(rate, count * hours)
        cost = nodes + extra_cost
        rs.append(cost_reason("database", f"{fmt_usd(cost)}/month: {count} x "
                              f"{row['instance_class']} ({fmt_usd(nodes)})"
                              + (f" + {extra_label} {fmt_usd(extra_cost)}" if extra_cost
                                 else "")
                              + "."))
    if verify:
        rs.append(verify_reason("A price behind this option is marked unverified by its "
                                "source."))
    c = Candidate(option, kind, cost, rs, config=config, count=max(count, 1), verify=verify)
    if cost is None:
        name_unpriced_nodes(c, row, count, region=region, reference=unpriced and rate is None
                            and node_rate(row) is not None, extra=(extra_label, extra_cost))
    return c


#: Each node service's pricing page: its instances or nodes are billed per hour.
NODE_PRICING_URLS = {"rds": "https://aws.amazon.com/rds/pricing/",
                     "aurora": "https://aws.amazon.com/rds/aurora/pricing/",
                     "elasticache": "https://aws.amazon.com/elasticache/pricing/",
                     "opensearch": "https://aws.amazon.com/opensearch-service/pricing/",
                     "redshift": "https://aws.amazon.com/redshift/pricing/"}


def name_unpriced_nodes(c: Candidate, row: dict[str, Any] | None, count: int, *, region: str,
                        reference: bool = False, extra: tuple[str, float] = ("", 0.0)) -> None:
    """Name the node hours of ``c``, an option without a node price, in its ``unpriced``.

    Issue 9, "Every cost counted or named": the option's nodes are its main charge, yet it
    named only its side items (backup storage beyond the free allowance), so the bundle listed
    those and not the instances, and read "Total $0/month" for an RDS for SQL Server database
    the catalog has no classes for.  ``reference``: the class is priced in another region,
    whose rows sized it.  An ``extra`` charge (storage/I/O) priced beside the nodes is not
    counted either (the option carries no cost), so it is named with its estimate.
    """
    billed = f"; billed per node-hour ({NODE_PRICING_URLS.get(c.kind, '')})"
    if row is None:
        item = f"{c.option} nodes"
        why = (f"the catalog has no {c.option} node classes, so the option is sized without "
               "a class or a price (see its reasons)")
    else:
        item = f"{count} x {row['instance_class']} ({c.option})"
        why = (f"the catalog has no price for {row['instance_class']} in {region}"
               + ("; the class was sized from another region's rows" if reference else ""))
    c.name_unpriced(item, why + billed)
    label, usd = extra
    if usd:
        c.name_unpriced(f"{c.option} {label}", (
            f"priced at {fmt_usd(usd)}/month, not counted: an option without its node price "
            "carries no monthly cost"), estimate_usd=usd)


def db_provenance(c: Candidate, row: dict[str, Any] | None, *priced: Any) -> None:
    """``price_as_of``/``price_source`` of the node row (and usage prices) in the config."""
    if row is not None:
        c.add_provenance(row, *priced)
