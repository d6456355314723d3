"""Buffering (PERF01-BP04): a queue or a stream between bursty producers and consumers.

SQS standard is the priced buffer (the profile does not say whether order matters).  The
ordered alternatives are priced beside it from the same message rate, so the choice is
visible in numbers: an SQS FIFO queue (the same requests at the FIFO price, order within a
message group) and a Kinesis data stream in provisioned mode (shards sized by their
documented write limits, plus PUT payload units).

Pages the rule follows:

* SQS pricing (https://aws.amazon.com/sqs/pricing/): every action is a request, each 64 KB
  chunk of a payload one request.
* SQS batch actions (:data:`SQS_BATCH_URL`): up to 10 messages a call, their total size at
  most 1,048,576 bytes (1 MiB), which is also a message's maximum.
* SQS FIFO queues (:data:`SQS_FIFO_URL`): order kept within a message group; by default
  300 messages/s per action without batching, 3,000 with it (high throughput mode more).
* Kinesis Data Streams key concepts (:data:`KINESIS_CONCEPTS_URL`): a shard takes up to
  1,000 records/s and 1 MB/s of writes; records are ordered within a shard.  Sizing a
  provisioned stream (:data:`KINESIS_SIZING_URL`): record size rounded up to the next KB,
  shards = write KB/s / 1,024 (reads by one consumer, 2 MB/s a shard, need fewer).
* Kinesis pricing (:data:`KINESIS_PRICING_URL`): shard hours, and PUT payload units of 25 KB
  per record (5 KB is one unit, 45 KB two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    HOURS_PER_MONTH,
    PERF01_COST,
    SECONDS_PER_MONTH,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.prices import PriceBook, fmt_unit_usd

SQS_PRICING_URL = "https://aws.amazon.com/sqs/pricing/"
SQS_BATCH_URL = ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/"
                 "SQSDeveloperGuide/sqs-batch-api-actions.html")
SQS_FIFO_URL = ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/"
                "SQSDeveloperGuide/FIFO-queues.html")
KINESIS_CONCEPTS_URL = "https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html"
KINESIS_SIZING_URL = ("https://docs.aws.amazon.com/streams/latest/dev/"
                      "how-do-i-size-a-stream.html")
KINESIS_PRICING_URL = "https://aws.amazon.com/kinesis/data-streams/pricing/"

#: SQS batch actions: 10 messages a call, at most 1 MiB a call (SQS_BATCH_URL); each 64 KB
#: chunk of a payload is one billed request (SQS_PRICING_URL).
SQS_BATCH_MESSAGES = 10
SQS_BATCH_MAX_KIB = 1024.0
SQS_CHUNK_KIB = 64.0
#: Requests a month SQS standard bills at its first paid price: from 1 million to 100 billion
#: requests a month, lower prices above (SQS_PRICING_URL).  The catalog's row is that first
#: paid tier only (its feed has no tier bounds), so above it the figure is an upper bound.
SQS_FIRST_TIER_REQUESTS = 100e9
#: FIFO's default throughput with batching, messages per second (SQS_FIFO_URL).
SQS_FIFO_BATCHED_MSGS_PER_S = 3000.0
#: A Kinesis shard's write limits (KINESIS_CONCEPTS_URL) and the PUT payload unit
#: (KINESIS_PRICING_URL).
KINESIS_SHARD_RECORDS_PER_S = 1000.0
KINESIS_SHARD_KIB_PER_S = 1024.0
KINESIS_PUT_UNIT_KIB = 25.0


def sqs_requests_per_message(item_kib: float | None) -> tuple[float, str]:
    """Billed SQS requests per message through a queue, and the reason's wording.

    A message is sent, received and deleted (three actions), batched up to 10 messages a
    call and at most 1 MiB a call (SQS_BATCH_URL), so a batch holds
    ``min(10, floor(1024 / KiB))`` messages.  Per batch, SendMessageBatch and ReceiveMessage
    carry the payload (ceil(batch KiB / 64) requests each, SQS_PRICING_URL) and
    DeleteMessageBatch one: 3 / 10 = 0.3 per message up to 6.4 KiB.
    """
    kib = item_kib or 0.0
    batch = SQS_BATCH_MESSAGES if kib <= 0 else \
        max(1, min(SQS_BATCH_MESSAGES, math.floor(SQS_BATCH_MAX_KIB / kib)))
    chunks = max(1, math.ceil(batch * kib / SQS_CHUNK_KIB))
    per_msg = (2 * chunks + 1) / batch
    size = f"{fmt_num(item_kib)} KiB messages" if item_kib else "messages (size not given)"
    cap = "" if batch == SQS_BATCH_MESSAGES else \
        f" (1 MiB a batch call holds {batch} of them)"
    return per_msg, (
        f"{per_msg:g} requests per message: send, receive and delete, {batch} {size} a "
        f"batch call{cap} ({SQS_BATCH_URL}), each 64 KB chunk of a payload one request "
        f"({chunks} per send and per receive)")


@dataclass(frozen=True)
class Stream:
    """What the buffer carries: messages a month, the peak rate and the message size."""

    messages: float
    peak_per_s: float
    item_kib: float | None


def stream_of(p: WorkloadProfile, peak_to_average: float | None) -> Stream | None:
    """The message stream of the profile: database writes, else function invocations.

    ``writes_per_s`` is the peak (the profile's field), counted over the whole month as the
    other rules count it; invocations are a monthly count whose peak is the average x the
    load's peak-to-average.  None without either.
    """
    c, d = p.compute, p.database
    if d and d.writes_per_s:
        return Stream(d.writes_per_s * SECONDS_PER_MONTH, d.writes_per_s, d.item_size_kib)
    if c and c.invocations_per_month:
        peak = c.invocations_per_month / SECONDS_PER_MONTH * max(1.0, peak_to_average or 1.0)
        return Stream(c.invocations_per_month, peak, d.item_size_kib if d else None)
    return None


def kinesis_shards(peak_per_s: float, item_kib: float | None) -> int:
    """Provisioned shards for the write peak: records/s / 1,000 and KB/s / 1,024, the larger.

    The record size is rounded up to the next KB (KINESIS_SIZING_URL; 1 KB when not given).
    """
    kib = max(1, math.ceil(item_kib or 1.0))
    need = max(peak_per_s / KINESIS_SHARD_RECORDS_PER_S, peak_per_s * kib / KINESIS_SHARD_KIB_PER_S)
    return max(1, math.ceil(need))


def kinesis_put_units(item_kib: float | None) -> int:
    """PUT payload units per record: 25 KB chunks, at least one (KINESIS_PRICING_URL)."""
    return max(1, math.ceil((item_kib or 0.0) / KINESIS_PUT_UNIT_KIB))


def _sqs_text(s: Stream, requests: float, how: str, usd: float, unit_usd: float) -> str:
    return (f"SQS for {fmt_num(round(s.messages))} messages/month: "
            f"{fmt_num(round(requests))} requests ({how}) = {fmt_usd(usd)} at "
            f"{fmt_usd(unit_usd * 1e6)} per million requests; the monthly free tier of "
            f"{SQS_PRICING_URL} has no quantity in the catalog's feed (its free-tier row "
            "carries a $0 price only), so it is not deducted.")


def ordered_alternatives(s: Stream, book: PriceBook, region: str,
                         requests: float) -> tuple[dict[str, float], list[Reason]]:
    """SQS FIFO and Kinesis (provisioned) for the same stream, priced when the catalog can.

    Returns the predicted figures (``sqs_fifo_usd_month``, ``kinesis_shards``,
    ``kinesis_usd_month``) and one reason each; a missing price says so instead.
    """
    out: dict[str, float] = {}
    rs: list[Reason] = []
    fifo = book.cost("sqs.fifo.request", region, requests, per="request")
    if fifo is not None:
        out["sqs_fifo_usd_month"] = round(fifo.usd, 2)
        over = s.peak_per_s > SQS_FIFO_BATCHED_MSGS_PER_S
        rs.append(reason(
            "tradeoff.buffering.fifo", PERF01_COST,
            f"If order matters: an SQS FIFO queue keeps it within a message group, the same "
            f"{fmt_num(round(requests))} requests at {fmt_usd(fifo.unit_price_usd * 1e6)} per "
            f"million = {fmt_usd(fifo.usd)}" + (
                f"; {fmt_num(round(s.peak_per_s))} messages/s at peak is above FIFO's "
                f"default {fmt_num(SQS_FIFO_BATCHED_MSGS_PER_S)} with batching: enable high "
                "throughput FIFO" if over else "") + f" ({SQS_FIFO_URL}).",
            "caution" if over else ("verify" if fifo.verify else "info")))
    shards = kinesis_shards(s.peak_per_s, s.item_kib)
    units = kinesis_put_units(s.item_kib)
    hours = book.cost("kinesis.shard_hour", region, shards * HOURS_PER_MONTH, per="shard-hour")
    puts = book.cost("kinesis.put_payload_unit", region, s.messages * units,
                     per="PUT payload unit")
    out["kinesis_shards"] = float(shards)
    if hours is None or puts is None:
        rs.append(reason("tradeoff.buffering.kinesis", PERF01_COST,
                         f"Kinesis Data Streams (ordered within a shard) would need {shards} "
                         f"shards; the catalog has no Kinesis price for {region}.", "caution"))
        return out, rs
    out["kinesis_usd_month"] = round(hours.usd + puts.usd, 2)
    size = f"{fmt_num(s.item_kib)} KiB" if s.item_kib else "1 KB (size not given)"
    rs.append(reason(
        "tradeoff.buffering.kinesis", PERF01_COST,
        f"Or a Kinesis data stream, ordered within a shard: {fmt_num(round(s.peak_per_s))} "
        f"records/s at peak of {size} need {shards} provisioned shards (1,000 records/s and "
        f"1 MB/s of writes each, {KINESIS_CONCEPTS_URL}; {KINESIS_SIZING_URL}) x "
        f"{fmt_num(HOURS_PER_MONTH)} h at {fmt_unit_usd(hours.unit_price_usd)} = "
        f"{fmt_usd(hours.usd)}, plus {fmt_num(round(s.messages))} records x {units} PUT "
        f"payload unit(s) of 25 KB = {fmt_usd(puts.usd)} ({KINESIS_PRICING_URL}): "
        f"{fmt_usd(hours.usd + puts.usd)}/month.",
        "verify" if hours.verify or puts.verify else "info"))
    return out, rs


def buffer_cost(s: Stream, book: PriceBook, region: str
                ) -> tuple[float | None, list[Reason], dict[str, float], str | None]:
    """SQS standard's monthly cost of the stream, its reasons, the ordered alternatives'
    figures, and why it is unpriced (None when priced)."""
    if s.item_kib is not None and s.item_kib > SQS_BATCH_MAX_KIB:
        return None, [], {}, (
            f"{fmt_num(s.item_kib)} KiB messages are above SQS's 1 MiB message maximum "
            f"({SQS_BATCH_URL}): the payload goes to S3 and the queue carries a reference, "
            "so the S3 requests and storage decide the cost")
    per_msg, how = sqs_requests_per_message(s.item_kib)
    requests = s.messages * per_msg
    q = book.cost("sqs.standard.request", region, requests, per="request")
    if q is None:
        return None, [], {}, f"the catalog has no SQS price for {region}"
    rs = [reason("tradeoff.buffering.cost", PERF01_COST,
                 _sqs_text(s, requests, how, q.usd, q.unit_price_usd),
                 "verify" if q.verify else "info")]
    rs += _above_first_tier(book, region, requests, q.unit_price_usd)
    alt, more = ordered_alternatives(s, book, region, requests)
    return q.usd, rs + more, alt, None


def _above_first_tier(book: PriceBook, region: str, requests: float,
                      unit_usd: float) -> list[Reason]:
    """A caution when the requests pass SQS's first paid tier and the catalog has no other.

    SQS standard bills from 1 million to 100 billion requests a month at its first paid price
    and the requests above at lower ones (SQS_PRICING_URL); the catalog's row is the first
    paid tier alone, so every request is counted at it and the figure is an upper bound by
    up to the requests above :data:`SQS_FIRST_TIER_REQUESTS` x the difference.
    """
    tiers = book.tiers("sqs.standard.request", region)
    if requests <= SQS_FIRST_TIER_REQUESTS or len(tiers) != 1 or \
            math.isfinite(tiers[0].end):
        return []
    above = requests - SQS_FIRST_TIER_REQUESTS
    return [reason(
        "tradeoff.buffering.tiers", PERF01_COST,
        f"An upper bound: {fmt_num(round(requests))} requests a month are above the "
        f"{fmt_num(SQS_FIRST_TIER_REQUESTS)} that SQS standard bills at its first paid price; "
        f"the {fmt_num(round(above))} above it are billed at lower prices "
        f"({SQS_PRICING_URL}: the first paid price covers 1 million to 100 billion requests "
        f"a month) that the catalog's feed does not carry (its row is the first paid tier "
        f"only), so they are counted here at {fmt_usd(unit_usd * 1e6)} per million.",
        "caution")]
