"""OpenSearch dedicated master nodes for a production domain (PERF03, REL).

"We recommend that you add three dedicated master nodes to each production OpenSearch Service
domain", of the "recommended minimum dedicated master instance type" for the domain's instance
count (:data:`OPENSEARCH_MASTERS_URL`); priced from the catalog's ``database`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recommender.rules.base import fmt_usd
from recommender.rules.database_common import node_rate
from recommender.rules.prices import fmt_unit_usd, per_unit_cost

OPENSEARCH_MASTERS_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
                          "managedomains-dedicatedmasternodes.html")
#: "We recommend that you add three dedicated master nodes to each production OpenSearch
#: Service domain" (:data:`OPENSEARCH_MASTERS_URL`).
OPENSEARCH_MASTER_COUNT = 3
#: The page's "recommended minimum dedicated master instance type" by the domain's instance
#: count: (up to this many data nodes, the two classes it names).  31-75 instances: "32 GiB"
#: of master RAM, ``r5.xlarge.search`` or ``r6g.xlarge.search``.
OPENSEARCH_MASTER_CLASSES: tuple[tuple[int, tuple[str, str]], ...] = (
    (10, ("m5.large.search", "m6g.large.search")),
    (30, ("c5.2xlarge.search", "c6g.2xlarge.search")),
    (75, ("r5.xlarge.search", "r6g.xlarge.search")),
    (125, ("r5.2xlarge.search", "r6g.2xlarge.search")),
    (200, ("r5.4xlarge.search", "r6g.4xlarge.search")),
)


@dataclass(frozen=True)
class SearchMasters:
    """The three dedicated master nodes of a production OpenSearch domain, priced."""

    instance_class: str
    monthly_usd: float
    verify: bool
    text: str


def search_masters(rows: list[dict[str, Any]], data_nodes: int, unpriced: bool
                   ) -> SearchMasters | tuple[str, str]:
    """The dedicated masters AWS recommends for ``data_nodes`` data nodes, or why not priced.

    "We recommend that you add three dedicated master nodes to each production OpenSearch
    Service domain", of the "recommended minimum dedicated master instance type" for the
    domain's instance count (:data:`OPENSEARCH_MASTER_CLASSES`, from
    :data:`OPENSEARCH_MASTERS_URL`): of the two classes the table names for that count, the
    cheaper one priced in the region's rows.  Returns ``(item, reason)`` for ``unpriced``
    when there is no such class (over 200 data nodes, or neither class priced here).  The text
    quotes the hourly rate as the catalog row gives it (:func:`fmt_unit_usd`: m6g.large.search
    "$0.128/h", not "$0.13/h", whose 3 x 730 h would be $284.70, not the $280.32 counted).
    """
    item = f"{OPENSEARCH_MASTER_COUNT} dedicated master nodes"
    tier = next((t for t in OPENSEARCH_MASTER_CLASSES if data_nodes <= t[0]), None)
    if tier is None:
        return item, (f"AWS recommends three dedicated master nodes for production "
                      f"({OPENSEARCH_MASTERS_URL}); its table ends at 200 data nodes, below "
                      f"this domain's {data_nodes}")
    top, names = tier
    priced = [] if unpriced else sorted(
        (rate, str(r["instance_class"]), r) for r in rows
        if str(r["instance_class"]) in names and (rate := node_rate(r)) is not None)
    if not priced:
        return item, (f"AWS recommends three dedicated master nodes of {' or '.join(names)} "
                      f"for production ({OPENSEARCH_MASTERS_URL}); the catalog has no price "
                      "for them in this region")
    hourly, cls, row = priced[0]
    usd = per_unit_cost(hourly, OPENSEARCH_MASTER_COUNT * 730.0)
    text = (f"Production: {OPENSEARCH_MASTER_COUNT} dedicated master nodes, "
            f"{cls} ({' or '.join(names)} is AWS's recommended minimum for up to {top} data "
            f"nodes; three, never an even number, keep a quorum, {OPENSEARCH_MASTERS_URL}): "
            f"{OPENSEARCH_MASTER_COUNT} x {fmt_unit_usd(hourly)}/h x 730 h = {fmt_usd(usd)}"
            f"/month.")
    return SearchMasters(cls, usd, bool(row.get("verify")), text)
