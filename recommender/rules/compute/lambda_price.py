"""A Lambda function's requests and compute duration, priced from the catalog.

Lambda bills requests and duration: GB-seconds = invocations x billed duration (1 ms steps)
x memory (GB), less the monthly free tier of the catalog's facts (requests and GB-seconds,
per account and shared by all its functions), https://aws.amazon.com/lambda/pricing/.
"""

from __future__ import annotations

import math

from recommender.rules.base import PERF01_COST, fmt_num, fmt_usd, reason
from recommender.rules.compute.concurrency import in_flight
from recommender.rules.compute.lambda_storage import LambdaPrice
from recommender.rules.prices import PriceBook


def lambda_price(
    inv: float | None, dur: float | None, mem: float, *, book: PriceBook, region: str,
    arch: str, hours: float,
) -> LambdaPrice:
    """Requests and duration priced from ``unit_prices`` (https://aws.amazon.com/lambda/pricing/).

    The monthly free tier in the catalog's facts (requests and GB-seconds) is taken off
    first; it is per account, shared by all functions, as the reason says.
    """
    if inv is None or dur is None:
        return LambdaPrice(None, [reason(
            "lambda.price", PERF01_COST,
            "Needs compute.invocations_per_month and compute.duration_ms to price.",
            "caution")], {}, {}, False)
    billed_ms = math.ceil(dur)  # billed in 1 ms increments
    gbs = inv * billed_ms / 1000.0 * mem / 1024.0
    predicted = {"billed_duration_ms": billed_ms, "gb_seconds_month": round(gbs, 1),
                 "average_concurrency": round(in_flight(inv, dur, hours), 3)}
    req_item = "lambda.request" if arch == "x86_64" else "lambda.request.arm64"
    free_req = book.fact_float("lambda", "free_tier_requests") or 0.0
    free_gbs = book.fact_float("lambda", "free_tier_compute") or 0.0
    req = book.cost(req_item, region, inv, per="request", free=free_req) or book.cost(
        "lambda.request", region, inv, per="request", free=free_req)
    dur_cost = book.cost(f"lambda.duration.{arch}", region, gbs, per="GB-second",
                         free=free_gbs)
    if req is None or dur_cost is None:
        return LambdaPrice(None, [reason("lambda.price", PERF01_COST,
                                         f"No Lambda price in the catalog for {region}.",
                                         "caution")], predicted, {}, False)
    cost = req.usd + dur_cost.usd
    verify = req.verify or dur_cost.verify
    rs = [reason("catalog.verify", PERF01_COST,
                 "A Lambda price is marked unverified by its source.", "verify")] if verify \
        else []
    rs.append(reason(
        "lambda.monthly_cost", PERF01_COST,
        f"{fmt_usd(cost)}/month: {fmt_num(inv)} requests ({fmt_usd(req.usd)}) + "
        f"{fmt_num(round(gbs))} GB-s at {billed_ms} ms billed ({fmt_usd(dur_cost.usd)}); "
        f"after the monthly free tier of {fmt_num(free_req)} requests and "
        f"{fmt_num(free_gbs)} GB-s (per account, shared with its other functions; "
        "https://aws.amazon.com/lambda/pricing/)."))
    return LambdaPrice(cost, rs, predicted, {"price_as_of": dur_cost.price_as_of,
                                             "price_source": dur_cost.price_source}, verify)


__all__ = ["lambda_price"]
