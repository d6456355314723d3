"""Performance trade-offs: caching, sharding, compression, buffering (PERF01-BP04).

Each rule says when the pattern applies (from the profile), what it trades (the pillar's
trade-off table) and which service implements it; costs come from the catalog where it
prices the implementing service.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF01_TRADEOFFS,
    PERF03_CACHE,
    Candidate,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.buffering import buffer_cost, sqs_requests_per_message, stream_of
from recommender.rules.network import (
    CLOUDFRONT_PRICING_URL,
    DEFAULT_EDGE_SHARE,
    EC2_DATA_TRANSFER_URL,
    STATIC_SHARE_FOR_CDN,
    edge_gib,
)
from recommender.rules.prices import PriceBook, cloudfront_usd

# sqs_requests_per_message moved to rules.buffering; importable from here as before.
__all__ = ["buffering", "caching", "compression", "sharding", "sqs_requests_per_message",
           "tradeoff_options"]

#: Heuristic thresholds, stated in the reasons.
CACHEABLE_SHARE = 0.5
SHARD_WRITES_PER_S = 10_000.0
LARGE_GIB = 1024.0
BURSTY_PEAK_TO_AVERAGE = 2.0


def _opt(option: str, why: str, trades: str, service: str, *, bp: str, fit: float,
         cost: float | None = None, extra: list[Reason] | None = None,
         predicted: dict[str, Any] | None = None) -> Candidate:
    rs = [reason(f"tradeoff.{option}", bp, why),
          reason(f"tradeoff.{option}.trades", PERF01_TRADEOFFS, trades, "caution"),
          reason(f"tradeoff.{option}.service", bp, f"Implement with {service}.")]
    return Candidate(option, "tradeoff", cost, rs + (extra or []),
                     config={"applies_when": why, "trades": trades, "service": service},
                     predicted=predicted or {}, purchase_option=None,
                     components={"fit": fit})


#: DAX "passes strongly consistent read requests to DynamoDB" and does not cache their
#: results (DAX and DynamoDB consistency models, strongly consistent and transactional reads).
DAX_CONSISTENCY_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                       "DAX.consistency.html")


DAX_URL = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.html"
#: Data models the database stage puts on DynamoDB (``database._services``: key-value and
#: document access -> DynamoDB); their cache is DAX, "a DynamoDB-compatible caching service"
#: (DAX_URL).
DYNAMODB_MODELS = ("key_value", "document")


def caching(p: WorkloadProfile) -> Candidate | None:
    """Caching for cacheable reads, sub-millisecond reads or static content (PERF03-BP05).

    A key-value or document store is DynamoDB (:data:`DYNAMODB_MODELS`), so its cache is DAX.
    DAX caches only eventually consistent reads: strongly consistent ones pass through to
    DynamoDB uncached (DAX_CONSISTENCY_URL), so with ``consistency`` strong it offloads no
    reads unless they are made eventually consistent (:func:`_dax_strong`).
    """
    d, n = p.database, p.network
    share = d.cacheable_read_fraction if d else None
    static = n.static_content_fraction if n else None
    # A cache store (data_model "cache") is already the in-memory tier: no cache before it.
    if d is not None and share is not None and share >= CACHEABLE_SHARE and \
            d.data_model != "cache":
        reads = d.reads_per_s
        dynamo = d.data_model in DYNAMODB_MODELS
        if dynamo and d.consistency == "strong":
            return _dax_strong(share, reads)
        service = "DynamoDB Accelerator (DAX)" if dynamo else \
            "ElastiCache (Valkey/Redis) in front of the database"
        return _opt("caching",
                    f"{share:.0%} of reads are cacheable (>= {CACHEABLE_SHARE:.0%})"
                    + (f": about {fmt_num(round(reads * share))} reads/s leave the database"
                       if reads else "")
                    + (f" (a {str(d.data_model).replace('_', '-')} store is DynamoDB here, and "
                       f"DAX is \"a DynamoDB-compatible caching service\", {DAX_URL})"
                       if dynamo else "")
                    + ".",
                    "Freshness for latency and load: cached reads can be stale until they "
                    "expire or are invalidated; one more tier to run.",
                    service, bp=PERF03_CACHE, fit=share,
                    predicted={"offloaded_reads_per_s": round(reads * share, 1) if reads
                               else None})
    if d and d.latency_ms is not None and d.latency_ms < 1 and d.data_model != "cache":
        # DAX serves only eventually consistent reads from memory (DAX_CONSISTENCY_URL).
        strong = d.data_model in DYNAMODB_MODELS and d.consistency == "strong"
        return _opt("caching", "Sub-millisecond reads are asked of a database.",
                    "Freshness for latency: an in-memory copy answers in microseconds.",
                    "ElastiCache, or DAX once the reads can be eventually consistent (DAX "
                    f"passes strongly consistent reads to DynamoDB, {DAX_CONSISTENCY_URL})"
                    if strong else "ElastiCache or DAX", bp=PERF03_CACHE, fit=0.8)
    if static is not None and static >= CACHEABLE_SHARE:
        # The network stage offers CloudFront from a static share of STATIC_SHARE_FOR_CDN
        # (below this one) and prices its data out there: the trade-off costs nothing more.
        return _opt("caching", f"{static:.0%} of content is static.",
                 "Freshness for latency: edge copies live until their TTL.",
                 "CloudFront", bp=PERF03_CACHE, fit=0.7, cost=0.0, extra=[reason(
                     "tradeoff.caching.cost", PERF01_COST,
                     "$0 more: CloudFront is the network option cloudfront, priced there (its "
                     f"data out at the edge, {CLOUDFRONT_PRICING_URL}; what it leaves out is "
                     "named there), not counted twice.", "info")])
    return None


def _dax_strong(share: float, reads: float | None) -> Candidate:
    """DAX for strongly consistent reads: none offloaded as they are (DAX_CONSISTENCY_URL)."""
    could = round(reads * share, 1) if reads else None
    return _opt("caching",
                f"{share:.0%} of reads are cacheable (>= {CACHEABLE_SHARE:.0%}), but they are "
                "strongly consistent: DAX passes strongly consistent reads to DynamoDB and "
                f"does not cache them ({DAX_CONSISTENCY_URL}), so it offloads none as they "
                "are" + (f"; about {fmt_num(round(could or 0))} reads/s would leave the "
                         "table if they can be eventually consistent" if could else "") + ".",
                "Consistency for latency and load: only eventually consistent reads are "
                "served from the cache, and they can be stale until DAX's TTL or a write "
                "through it refreshes them; one more tier to run.",
                "DynamoDB Accelerator (DAX), with the cacheable reads made eventually "
                "consistent", bp=PERF03_CACHE, fit=share,
                predicted={"offloaded_reads_per_s": 0.0 if reads else None})


#: "each individual partition is limited to 1,000 write units per second and 3,000 read
#: units per second" (DynamoDB warm throughput scenarios); a write unit covers 1 KB
#: (https://aws.amazon.com/dynamodb/pricing/).
DYNAMODB_PARTITION_URL = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                          "warm-throughput-scenarios.html")
DYNAMODB_PARTITION_WRITE_UNITS = 1000.0


def sharding(p: WorkloadProfile) -> Candidate | None:
    """Sharding for writes beyond one writer (a heuristic threshold, stated in the reason).

    On DynamoDB (``key_value``, ``document``) there is no writer node: the limit is a
    partition's 1,000 write units per second (DYNAMODB_PARTITION_URL), so it applies as soon
    as the write units (1 KB each) are more than one partition takes, whatever the writes
    count: the reason says how many partitions the writes must spread over and ``predicted``
    carries it (``min_partitions``).
    """
    d = p.database
    if d is None or d.writes_per_s is None:
        return None
    dynamo = d.data_model in DYNAMODB_MODELS
    units = d.writes_per_s * math.ceil(d.item_size_kib or 1.0)
    if (units <= DYNAMODB_PARTITION_WRITE_UNITS) if dynamo else \
            d.writes_per_s < SHARD_WRITES_PER_S:
        return None
    service = {"key_value": "DynamoDB partition keys with high cardinality",
               "document": "DynamoDB partition keys with high cardinality",
               "cache": "ElastiCache cluster mode (shards)"}.get(
        d.data_model or "", "Aurora (Limitless Database) or application-level shards")
    why = (f"{fmt_num(d.writes_per_s)} writes/s (>= {fmt_num(SHARD_WRITES_PER_S)}, a "
           "heuristic for beyond one writer node).")
    predicted: dict[str, Any] = {}
    if dynamo:
        parts = math.ceil(units / DYNAMODB_PARTITION_WRITE_UNITS)
        predicted["min_partitions"] = parts
        why = (f"{fmt_num(d.writes_per_s)} writes/s of "
               + (f"{fmt_num(d.item_size_kib)} KiB" if d.item_size_kib else
                  "1 KiB (item size not given)")
               + f" = {fmt_num(units)} write units/s (1 KB each, "
               f"https://aws.amazon.com/dynamodb/pricing/); a DynamoDB partition takes at most "
               f"{fmt_num(DYNAMODB_PARTITION_WRITE_UNITS)} write units per second "
               f"({DYNAMODB_PARTITION_URL}), so the writes must spread over at least "
               f"{fmt_num(parts)} partitions (a partition key with many distinct, evenly "
               "used values).")
    return _opt("sharding", why,
                "Write scale for complexity: cross-shard queries, joins and transactions "
                "become application work; hot keys and rebalancing need care.",
                service, bp=PERF01_TRADEOFFS, fit=0.9, predicted=predicted)


def compression(p: WorkloadProfile, book: PriceBook, region: str, *,
                edge: Candidate | None = None) -> Candidate | None:
    """Compression for large data; the stake is the bundle's egress (:func:`_egress_usd`).

    ``edge`` is the network stage's CloudFront option (None when it offered none): its
    figure is the egress's edge share at full volume, so it is not priced again here.
    """
    s, d, n = p.storage, p.database, p.network
    size = max((s.size_gib.min or 0) if s and s.size_gib else 0,
               (d.size_gib.min or 0) if d and d.size_gib else 0)
    egress = n.egress_gib_per_month if n and n.egress_gib_per_month else 0.0
    if size < LARGE_GIB and egress < LARGE_GIB:
        return None
    extra = []
    predicted = {}
    if egress:
        # CloudFront serves its share whenever the network stage put it in the bundle.
        served = edge is not None
        e = _egress_usd(p, book, region, 1.0, edge, served=served)
        less = _egress_usd(p, book, region, 0.9, served=served)
        if e is not None and less is not None:
            # The bytes saved come off the top of the tiers, so the saving is the cost of
            # the egress less the cost of 90% of it, not 10% of the average price.
            extra.append(reason("tradeoff.compression.stake", PERF01_COST,
                                f"Internet egress of {fmt_num(egress)} GiB/month costs "
                                f"{fmt_usd(e[0])} through the tiers ({e[2]}; AWS's monthly "
                                "free allowance of data out is not in the catalog, so not "
                                "deducted); 10% fewer bytes saves "
                                f"{fmt_usd(e[0] - less[0])} ({EC2_DATA_TRANSFER_URL}"
                                + (f", {CLOUDFRONT_PRICING_URL}" if e[3] else "") + ").",
                                "verify" if e[1] else "info"))
            predicted["egress_usd_month"] = round(e[0], 2)
    parts = [f"{fmt_num(size)} GiB stored" if size else "",
             f"{fmt_num(egress)} GiB/month out" if egress else ""]
    return _opt("compression",
                f"Large data ({', '.join(x for x in parts if x)}; >= {fmt_num(LARGE_GIB)} GiB "
                "is the heuristic).",
                "CPU time for bytes: smaller storage and transfer, more CPU to "
                "compress/decompress.",
                "CloudFront automatic compression, columnar formats (Parquet/ORC with zstd) "
                "on S3, Redshift column encoding", bp=PERF01_TRADEOFFS, fit=0.7,
                extra=extra, predicted=predicted)


def _egress_usd(p: WorkloadProfile, book: PriceBook, region: str, scale: float,
                edge: Candidate | None = None, *, served: bool | None = None,
                ) -> tuple[float, bool, str, bool] | None:
    """What the bundle pays for ``scale`` x the egress: (USD, verify, how, via CloudFront).

    When the network stage puts CloudFront in the bundle (``served``: it offered ``edge``, for
    a static share of at least :data:`STATIC_SHARE_FOR_CDN` or for users far from the region;
    None: that static share alone decides), CloudFront serves its share of the egress
    (:func:`~recommender.rules.network.edge_gib`: the static share, else the network stage's
    stated default) through its own edge tiers after its always-free allowance
    (:func:`~recommender.rules.prices.cloudfront_usd`) while the rest leaves the region
    through its tiers, exactly as the bundle's data out prices it; otherwise all of it
    leaves the region.  Priced by the network stage's own functions, so the compression
    stake is the bundle's figure (None without a price).  ``edge``, the network stage's
    CloudFront option, gives the full egress's edge figure (``scale`` 1) as it priced it.
    """
    n = p.network
    if n is None or not n.egress_gib_per_month:
        return None
    egress = n.egress_gib_per_month * scale
    static = n.static_content_fraction
    if served is None:
        served = static is not None and static >= STATIC_SHARE_FOR_CDN
    cdn: float | None = None
    cdn_gib = edge_gib(p) * scale if served else 0.0
    if cdn_gib:
        if edge is not None and scale == 1.0:
            cdn = edge.monthly_cost_usd
        else:
            priced = cloudfront_usd(book, region, cdn_gib, n.user_regions)
            cdn = None if priced is None else priced[0]
    at_edge = cdn_gib if cdn is not None else 0.0
    direct = book.cost("datatransfer.internet_out", region, max(0.0, egress - at_edge),
                       per="GB")
    if direct is None:
        return None
    share = "static" if static is not None else \
        f"({DEFAULT_EDGE_SHARE:.0%}: static_content_fraction not given, a heuristic)"
    how = (f"{fmt_num(round(at_edge))} GiB {share} from CloudFront's edge tiers, the rest "
           f"from {region}'s" if cdn is not None else f"all of it from {region}")
    return direct.usd + (cdn or 0.0), direct.verify, how, cdn is not None


def buffering(p: WorkloadProfile, book: PriceBook, region: str,
              peak_to_average: float | None) -> Candidate | None:
    """SQS buffering for bursty work that can wait, priced per billed request (PERF01-BP04).

    The cost is SQS standard's (:func:`recommender.rules.buffering.buffer_cost`: every
    action a request, 64 KB chunks, batches of 10 up to 1 MiB; SQS pricing and batch-actions
    pages).  The text names SQS FIFO and Kinesis Data Streams for ordered streams, and the
    option prices both beside it (``predicted``): a FIFO queue at the FIFO request price,
    a provisioned stream by its shard write limits (1,000 records/s, 1 MB/s; Kinesis key
    concepts) and PUT payload units of 25 KB (Kinesis pricing).  The profile does not say
    whether order matters, so neither replaces the SQS figure.
    """
    c = p.compute
    can_wait = bool(c and (c.interruption_tolerant or c.event_driven))
    bursty = peak_to_average is not None and peak_to_average >= BURSTY_PEAK_TO_AVERAGE
    if not (can_wait and bursty):
        return None
    s = stream_of(p, peak_to_average)
    cost, extra, alt, unpriced = (None, [], {}, None) if s is None else \
        buffer_cost(s, book, region)
    o = _opt("buffering",
             f"Bursty load (peak {peak_to_average:.1f}x the average) and work that can wait.",
             "Latency for smoothness: work waits in a queue, consumers are sized for the "
             "average rather than the peak.",
             "SQS (or, when order matters, SQS FIFO or Kinesis Data Streams) with consumers "
             "scaling on backlog", bp=PERF01_TRADEOFFS, fit=0.8, cost=cost, extra=extra,
             predicted=dict(alt))
    if unpriced is not None:
        o.name_unpriced("buffering trade-off (SQS)", unpriced)
    return o


def tradeoff_options(p: WorkloadProfile, book: PriceBook, region: str,
                     peak_to_average: float | None, *,
                     edge: Candidate | None = None) -> list[Candidate]:
    """The architectural trade-offs the profile calls for (unranked).

    Parameters
    ----------
    p : WorkloadProfile
    book : PriceBook
    region : str
    peak_to_average : float or None
        Peak-to-average load of the utilization series (from the compute stage), which
        decides whether buffering pays.
    edge : Candidate, optional
        The network stage's CloudFront option, whose data-out figure the compression stake
        reuses (priced once per call).

    Returns
    -------
    list of Candidate
        Caching, sharding, compression and buffering, each only when it applies.
    """
    out = [o for o in (caching(p), sharding(p), compression(p, book, region, edge=edge),
                       buffering(p, book, region, peak_to_average)) if o is not None]
    for o in out:
        if o.monthly_cost_usd is None and not o.unpriced:
            # Every cost counted or named: the trade-off's own service is not priced here,
            # and the reason says which choice of this trade-off is missing.
            o.name_unpriced(f"{o.option} trade-off ({o.config.get('service')})",
                            UNSIZED.get(o.option, "sized by choices the profile does not "
                                        "give") + "; price it once known")
    return out


#: What each unpriced trade-off lacks to be sized: its own choice, not the others'.
UNSIZED = {
    "caching": "sized by the cached data's size (the cache's node type and count), which "
               "the profile does not give",
    "sharding": "sized by how the keys spread the writes (the shard count and each shard's "
                "nodes; on DynamoDB the writes themselves are the database option's), which "
                "the profile does not give",
    "compression": "sized by the compression ratio the data reaches and the CPU it costs, "
                   "which the profile does not give",
}
