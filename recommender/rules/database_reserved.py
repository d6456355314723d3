"""Database nodes at their reserved rate when the profile asks for ``reserved`` (PERF01/COST).

RDS, ElastiCache, OpenSearch and Redshift sell their nodes as reserved capacity for a term, at
a discount on the on-demand rate, billed every hour of the term whether the node runs or not:
RDS Reserved Instances (:data:`RESERVED_URLS`), ElastiCache reserved nodes, OpenSearch Service
Reserved Instances and Redshift reserved nodes.  The catalog's ``database`` rows carry the
1-year No Upfront rate (``reserved_1y_no_upfront_usd_per_hour``) and no other term or payment.

So a profile whose ``purchase_options`` include ``reserved`` (1 year, No Upfront: the default
term and payment) gets each node option sized once and priced twice, the second time with its
nodes at the reserved rate (storage, I/O and usage charges stay on their own prices: no reservation
covers them): ``purchase_option`` ``reserved``, ``config.term_years`` 1, ``config.payment``
``no_upfront``.  An option whose nodes have no reserved price in the catalog (Aurora, whose
rows carry none; a class without the rate) keeps its on-demand price, and says so when the
profile did not ask for on-demand.  Before, a ``reserved`` profile's databases were priced
on-demand without a word.  DynamoDB sells reserved capacity for provisioned tables only, in
100-unit allocations with an upfront fee (:data:`DYNAMODB_RESERVED_URL`), at rates the catalog
does not carry: its options keep their standard prices and say so.
"""

from __future__ import annotations

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import PERF03_CONFIG, Candidate, fmt_usd, reason
from recommender.rules.database_common import RESERVED_RATE as RESERVED_RATE

#: Each service's page on its reserved nodes (the term, the payment options, the hourly bill).
RESERVED_URLS = {
    "rds": "https://aws.amazon.com/rds/reserved-instances/",
    "aurora": "https://aws.amazon.com/rds/reserved-instances/",
    "elasticache": "https://aws.amazon.com/elasticache/reserved-cache-nodes/",
    "opensearch": "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ri.html",
    "redshift": ("https://docs.aws.amazon.com/redshift/latest/mgmt/"
                 "purchase-reserved-node-instance.html"),
}


def asks_reserved(p: WorkloadProfile) -> bool:
    """Whether the profile's ``purchase_options`` include ``reserved``."""
    return "reserved" in (p.purchase_options or ())


def reserved_rate_applies(p: WorkloadProfile) -> bool:
    """Whether the term and payment asked are the catalog's reserved rate (1 year, No
    Upfront), so the options are priced at it as well."""
    return (p.purchase_term_years or 1, p.purchase_payment or "no_upfront") == (1, "no_upfront")


def with_reserved(p: WorkloadProfile, on_demand: list[Candidate],
                  twins: list[Candidate | None] | None) -> list[Candidate]:
    """``on_demand`` and, per node option, its reserved twin (see the module docstring).

    ``twins`` are the same options priced with node hours at :data:`RESERVED_RATE`, one per
    option (None where there is none), built where each option is built from the same sizing
    (:func:`~recommender.rules.database_common.priced_at_both`); None when
    :func:`reserved_rate_applies` is false.
    """
    term, payment = p.purchase_term_years or 1, p.purchase_payment or "no_upfront"
    keep_on_demand = "on_demand" in (p.purchase_options or ())
    if twins is None:
        return [_no_reserved(c, keep_on_demand, f"the catalog has only 1-year No Upfront "
                             f"reserved rates, not {term}-year {payment.replace('_', ' ')}")
                for c in on_demand]
    # The lists pair up by construction; should they not, none is reserved.
    paired: list[Candidate | None] = (list(twins) if len(twins) == len(on_demand)
                                      else [None] * len(on_demand))
    out: list[Candidate] = []
    for od, ri in zip(on_demand, paired, strict=True):
        if ri is None or not _node_priced(od, ri):
            if not keep_on_demand and ri is not None:
                _sizing_as_offered(od, ri)
            out.append(_no_reserved(od, keep_on_demand, "the catalog has no reserved rate for "
                                    "these nodes"))
            continue
        if keep_on_demand:
            out.append(od)
        out.append(_as_reserved(ri, od))
    return out


def _sizing_as_offered(od: Candidate, ri: Candidate) -> None:
    """Give ``od``, kept on-demand among reserved options, the sizing sentence of its twin
    ``ri``: the same sizing, with the other layouts it names quoted at the rates they are
    offered at (a reserved cluster beside this on-demand node, :mod:`.database_cache`)."""
    same = ("instance_class", "deployment", "node_count")
    # Only a cache's sizing names another option's price; elsewhere (OpenSearch masters, RDS
    # replicas) the rate-dependent text prices this option's own nodes, which stay on-demand.
    if od.kind != "elasticache" or ri.option != od.option or any(
            ri.config.get(k) != od.config.get(k) for k in same):
        return  # not the same layout (e.g. the other Aurora storage configuration)
    twin = next((r for r in ri.reasons if r.rule == "database.size"), None)
    if twin is None:
        return
    od.reasons = [twin if r.rule == "database.size" else r for r in od.reasons]


def _node_priced(od: Candidate, ri: Candidate) -> bool:
    """Whether ``ri`` is the same node option priced at a reserved rate."""
    return (od.kind in RESERVED_URLS and "instance_class" in od.config
            and od.monthly_cost_usd is not None and ri.monthly_cost_usd is not None
            and ri.option == od.option
            and ri.config.get("instance_class") == od.config["instance_class"])


def _as_reserved(ri: Candidate, od: Candidate) -> Candidate:
    """Mark ``ri`` reserved, with the reason that says what it saves on ``od``."""
    assert ri.monthly_cost_usd is not None and od.monthly_cost_usd is not None
    ri.purchase_option = "reserved"
    ri.config.update(term_years=1, payment="no_upfront")
    ri.reasons.append(reason("database.reserved", PERF03_CONFIG, (
        f"purchase_options include reserved: the nodes at the 1-year No Upfront reserved rate, "
        f"billed every hour of the term whether they run or not ({RESERVED_URLS[od.kind]}); "
        f"storage, I/O and usage charges have no reservation and keep their prices: "
        f"{fmt_usd(ri.monthly_cost_usd)}/month against {fmt_usd(od.monthly_cost_usd)} "
        "on-demand.")))
    return ri


#: "DynamoDB reserved capacity": for provisioned tables of the Standard table class, bought in
#: allocations of 100 WCU or 100 RCU (100 at least), a one-year (three-year in some Regions)
#: commitment with a one-time partial upfront fee and a discounted hourly rate; not for tables
#: in on-demand mode.  The catalog has none of these rates.
DYNAMODB_RESERVED_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                         "reserved-capacity.html")


def _dynamodb_reserved(c: Candidate) -> Candidate:
    """A DynamoDB table when the profile asks for reserved: it keeps its standard price, and
    says why (:data:`DYNAMODB_RESERVED_URL`)."""
    if c.config.get("capacity_mode") == "provisioned":
        text = ("purchase_options include reserved: DynamoDB reserved capacity (100-unit "
                "allocations of RCU or WCU, a one-year term with a one-time upfront fee and a "
                f"discounted hourly rate, {DYNAMODB_RESERVED_URL}) is not in the catalog, so "
                "the provisioned capacity is priced at the standard rate, an upper bound.")
    else:
        text = ("purchase_options include reserved: DynamoDB reserved capacity is for "
                f"provisioned tables only, not on-demand mode ({DYNAMODB_RESERVED_URL}).")
    c.reasons.append(reason("database.reserved", PERF03_CONFIG, text, "caution"))
    return c


def _no_reserved(c: Candidate, keep_on_demand: bool, why: str) -> Candidate:
    """``c`` at its on-demand price, saying so when the profile asked only for reserved."""
    if c.kind == "dynamodb":
        return _dynamodb_reserved(c)
    if not keep_on_demand and c.monthly_cost_usd is not None and c.kind in RESERVED_URLS:
        c.reasons.append(reason("database.reserved", PERF03_CONFIG, (
            f"purchase_options ask for reserved, but {why} ({RESERVED_URLS[c.kind]}): priced "
            "on-demand."), "caution"))
    return c
