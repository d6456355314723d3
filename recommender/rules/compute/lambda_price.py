"""A Lambda function's requests and compute duration, priced from the catalog.

Lambda bills requests and duration: GB-seconds = invocations x billed duration (1 ms steps)
x memory (GB), less the monthly free tier of the catalog's facts (requests and GB-seconds,
per account and shared by all its functions), https://aws.amazon.com/lambda/pricing/.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.rules.base import PERF01_COST, PERF02_CONFIG, fmt_num, fmt_usd, reason
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
        f"{fmt_num(round(gbs))} GB-s at {billed_ms} ms billed ({fmt_usd(dur_cost.usd)}"
        + _tiers_text(book.tiers(f"lambda.duration.{arch}", region), gbs - free_gbs, arch)
        + f"); after the monthly free tier of {fmt_num(free_req)} requests and "
        f"{fmt_num(free_gbs)} GB-s (per account, shared with its other functions; "
        "https://aws.amazon.com/lambda/pricing/)."))
    return LambdaPrice(cost, rs, predicted, {"price_as_of": dur_cost.price_as_of,
                                             "price_source": dur_cost.price_source}, verify)


def _gbs_usd(x: float) -> str:
    """A GB-second price as the pricing page writes it ($0.0000166667), not rounded."""
    return "$" + f"{x:.10f}".rstrip("0")


def _tiers_text(tiers: list[Any], billed: float, arch: str) -> str:
    """The duration tiers the billed GB-seconds run through, for the cost reason.

    Lambda's on-demand duration is tiered per month ("First 6 Billion GB-seconds", x86;
    "First 7.5 Billion", Arm), the tiers "applied to aggregate monthly duration of your
    functions running on the same architecture ..., in the same region, within the account"
    (https://aws.amazon.com/lambda/pricing/).  Within the first tier: its price; beyond it,
    each tier's GB-s and price, so the figure can be worked by hand.
    """
    if not tiers or billed <= 0:
        return ""
    if billed <= tiers[0].end:
        return f": {fmt_num(round(billed))} GB-s billed x {_gbs_usd(tiers[0].price_usd)}"
    parts = [f"{fmt_num(round(min(billed, t.end) - t.start))} GB-s at {_gbs_usd(t.price_usd)}"
             for t in tiers if billed > t.start]
    return (f": {fmt_num(round(billed))} GB-s billed through the {arch} duration tiers, "
            + " + ".join(parts) + "; the tiers count the account's aggregate duration on "
            "this architecture in the Region")


#: "Configure Lambda function timeout" (AWS Lambda Developer Guide).
LAMBDA_TIMEOUT_URL = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
#: The timeout the export gives a function whose duration needs no more (the export's default).
BASE_TIMEOUT_S = 30
#: Timeout / duration: a heuristic margin, since AWS names no figure, only that "if the
#: timeout value is close to the average duration of a function, there is a higher risk that
#: the function will time out unexpectedly" (LAMBDA_TIMEOUT_URL).
TIMEOUT_MARGIN = 2.0


def lambda_timeout(duration_ms: float | None, max_s: float) -> tuple[int, list[Any]]:
    """The function timeout (whole seconds) for a duration, and its reason.

    The timeout is "the maximum amount of time in seconds that a Lambda function can run ...
    in increments of 1 second up to a maximum value of 900 seconds", and one close to the
    average duration risks timing out (LAMBDA_TIMEOUT_URL).  So it is TIMEOUT_MARGIN x the
    duration (its upper bound when the model gives one), never below BASE_TIMEOUT_S, at most
    ``max_s`` (the catalog's limit); capped there, a caution says how close the duration is.
    """
    if duration_ms is None:
        return BASE_TIMEOUT_S, []
    dur_s = duration_ms / 1000.0
    want = max(BASE_TIMEOUT_S, math.ceil(TIMEOUT_MARGIN * dur_s))
    timeout = int(min(want, max_s))
    if timeout >= want:
        if want == BASE_TIMEOUT_S:
            return timeout, []
        return timeout, [reason(
            "lambda.timeout", PERF02_CONFIG,
            f"Timeout {timeout} s: {TIMEOUT_MARGIN:g} x the {fmt_num(dur_s)} s duration (a "
            "heuristic margin; AWS: a timeout close to the average duration risks timing out, "
            f"{LAMBDA_TIMEOUT_URL}).")]
    return timeout, [reason(
        "lambda.timeout", PERF02_CONFIG,
        f"Timeout {timeout} s, Lambda's maximum: the {fmt_num(dur_s)} s duration is "
        f"{dur_s / timeout:.0%} of it, close enough that longer invocations time out (AWS: a "
        f"timeout close to the average duration risks timing out, {LAMBDA_TIMEOUT_URL}); "
        "measure the slowest invocations, or move the work to Fargate or EC2.", "caution")]


__all__ = ["LAMBDA_TIMEOUT_URL", "lambda_price", "lambda_timeout"]
