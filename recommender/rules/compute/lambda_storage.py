"""A Lambda function's scratch data in its own ephemeral storage (``/tmp``), priced.

Every function has a ``/tmp`` directory of 512 MB, configurable in 1 MB steps up to
10,240 MB (LAMBDA_STORAGE_URL; the catalog's fact ``lambda.ephemeral_storage_range``); it
belongs to the execution environment and is not kept beyond it, which is what scratch data
(``storage.persistence`` scratch) allows.  Only the storage configured above the included
512 MB is billed, per GB-second of the function's duration (LAMBDA_PRICING_URL; the
catalog's ``lambda.ephemeral_storage_gb_second``):

    invocations x billed duration (s) x (MB configured - 512) / 1,024 x the GB-second price

A function cannot mount an EBS volume, so scratch data above 10,240 MB leaves Lambda out
(rejection ``lambda.ephemeral_storage_above_max``).  AWS publishes no IOPS, throughput or
latency for ``/tmp``, so a scratch need that states one keeps the ranked volume (the bundle
then takes an EC2 host for it, as before).  The storage profile's ``size_gib`` is taken as
what one execution environment holds in ``/tmp`` (the reason says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Option, Unpriced
from recommender.rules.base import PERF01_COST, Rejections, fmt_num, fmt_usd, reason
from recommender.rules.prices import PriceBook

LAMBDA_STORAGE_URL = ("https://docs.aws.amazon.com/lambda/latest/dg/"
                      "configuration-ephemeral-storage.html")
LAMBDA_PRICING_URL = "https://aws.amazon.com/lambda/pricing/"
LAMBDA_TMP_ITEM = "lambda.ephemeral_storage_gb_second"
#: MB of ``/tmp`` every function has at no charge, and the most it may configure
#: (LAMBDA_STORAGE_URL; the EphemeralStorage ``Size`` range of the API is the same), used
#: when the catalog lacks the fact ``ephemeral_storage_range``.
TMP_INCLUDED_MB = 512.0
TMP_MAX_MB = 10240.0


@dataclass
class LambdaPrice:
    """Lambda's monthly cost (requests + billed GB-seconds, after the free tier) and why.

    ``config`` carries what the function is configured with besides its memory (its
    ``/tmp`` size); ``unpriced`` the costs the catalog cannot price.
    """

    cost: float | None
    reasons: list[Any]
    predicted: dict[str, Any]
    provenance: dict[str, Any]
    verify: bool
    config: dict[str, Any] = field(default_factory=dict)
    unpriced: list[Unpriced] = field(default_factory=list)


def tmp_range_mb(book: PriceBook) -> tuple[float, float]:
    """(included, maximum) ``/tmp`` MB from the catalog's fact, else the page's figures."""
    f = book.fact("lambda", "ephemeral_storage_range")
    try:
        lo, hi = str(f.value if f else "").replace(",", "").split("-")
        return float(lo), float(hi)
    except ValueError:
        return TMP_INCLUDED_MB, TMP_MAX_MB


def tmp_need_mb(p: WorkloadProfile) -> float | None:
    """MB of scratch data the function's ``/tmp`` must hold, or None.

    None unless the storage is scratch data for one function (``sharing`` single_instance
    or absent) of a known size with no IOPS, throughput or latency need (AWS publishes none
    for ``/tmp``, so it cannot be shown to meet one).
    """
    s = p.storage
    if s is None or s.persistence != "scratch" or s.sharing not in (None, "single_instance") \
            or s.size_gib is None or not s.size_gib.min or s.iops is not None or \
            s.throughput_mibps is not None or s.latency_ms is not None:
        return None
    return float(math.ceil(s.size_gib.min * 1024.0))


def tmp_above_max(p: WorkloadProfile, book: PriceBook, rej: Rejections) -> bool:
    """True (counted in ``rej``) when the scratch data needs more ``/tmp`` than Lambda has.

    Any scratch data for one function counts here, a performance need or not: above the
    maximum neither ``/tmp`` nor an EBS volume (a function cannot mount one) holds it.
    """
    s = p.storage
    if s is None or s.persistence != "scratch" or s.sharing not in (None, "single_instance") \
            or s.size_gib is None or not s.size_gib.min:
        return False
    need, (_, top) = math.ceil(s.size_gib.min * 1024.0), tmp_range_mb(book)
    if need <= top:
        return False
    rej.add("lambda.ephemeral_storage_above_max", note=(
        f"{fmt_num(s.size_gib.min)} GiB of scratch data = {fmt_num(need)} MB, above the "
        f"{fmt_num(top)} MB a function's /tmp may be configured to ({LAMBDA_STORAGE_URL}); "
        "a function cannot mount an EBS volume"))
    return True


def with_tmp(price: LambdaPrice, p: WorkloadProfile, *, book: PriceBook, region: str,
             inv: float | None, dur: float | None) -> LambdaPrice:
    """``price`` with the function's ``/tmp`` sized for its scratch data and priced.

    Cost: invocations x billed duration x (MB - included) / 1,024 GB x the catalog's
    GB-second price (LAMBDA_PRICING_URL); no ``/tmp`` above the included is $0.  Without a
    price row the cost is named in ``unpriced``.
    """
    need = tmp_need_mb(p)
    if need is None or inv is None or dur is None:
        return price
    included, _ = tmp_range_mb(book)
    mb = max(included, need)
    extra_gb = (mb - included) / 1024.0
    billed_s = math.ceil(dur) / 1000.0
    gbs = inv * billed_s * extra_gb
    priced = book.cost(LAMBDA_TMP_ITEM, region, gbs, per="GB-second") if extra_gb else None
    config = {**price.config, "ephemeral_storage_mb": int(mb)}
    head = (f"/tmp {fmt_num(mb)} MB for {fmt_num(need / 1024.0)} GiB of scratch data (one "
            f"execution environment's; {fmt_num(included)} MB included, configurable to "
            f"{fmt_num(tmp_range_mb(book)[1])} MB, {LAMBDA_STORAGE_URL})")
    if extra_gb and priced is None:
        gap = Unpriced(item=f"Lambda ephemeral storage ({fmt_num(mb)} MB)", reason=(
            f"no {LAMBDA_TMP_ITEM} price in the catalog for {region}: "
            f"{fmt_num(round(gbs))} GB-s above the included ({LAMBDA_PRICING_URL})"))
        rs = [*price.reasons, reason("lambda.ephemeral_storage", PERF01_COST,
                                     f"{head}: not priced, see unpriced.", "caution")]
        return LambdaPrice(price.cost, rs, price.predicted, price.provenance, price.verify,
                           config, [*price.unpriced, gap])
    usd = priced.usd if priced is not None else 0.0
    text = (f"{head}: {fmt_num(extra_gb)} GB above the included x {fmt_num(inv)} invocations "
            f"x {fmt_num(billed_s)} s billed = {fmt_num(round(gbs))} GB-s"
            + (f" x ${priced.unit_price_usd:g} per GB-second" if priced else "")
            + f" = {fmt_usd(usd)}/month ({LAMBDA_PRICING_URL}).")
    cost = None if price.cost is None else price.cost + usd
    predicted = {**price.predicted, "ephemeral_storage_gb_seconds_month": round(gbs, 1),
                 "ephemeral_storage_usd_month": round(usd, 2)}
    return LambdaPrice(cost, [*price.reasons, reason("lambda.ephemeral_storage", PERF01_COST,
                                                     text)],
                       predicted, price.provenance, price.verify or bool(priced and
                                                                          priced.verify),
                       config, price.unpriced)


def lambda_scratch(host: Option | None, store: Option | None) -> Option | None:
    """The bundle's storage when the Lambda function holds the scratch data in ``/tmp``.

    The function's option carries ``config.ephemeral_storage_mb`` (set by :func:`with_tmp`)
    and its cost already counts the ``/tmp`` above the included, so this component costs
    nothing more; it stands in for the ranked volume (category compute: the export sets the
    function's EphemeralStorage and creates no volume).
    """
    if host is None or store is None or host.kind != "lambda" or \
            not host.config.get("ephemeral_storage_mb"):
        return None
    mb = int(host.config["ephemeral_storage_mb"])
    tmp_usd = float(host.predicted.get("ephemeral_storage_usd_month") or 0.0)
    why = (f"The scratch data in the function's /tmp ({fmt_num(mb)} MB, {LAMBDA_STORAGE_URL}) "
           f"instead of a {store.option} volume a function cannot mount: its "
           f"{fmt_usd(tmp_usd)}/month above the included is in the Lambda option's cost "
           f"({LAMBDA_PRICING_URL}).")
    return host.model_copy(update={
        "option": "lambda:ephemeral_storage", "kind": "lambda_ephemeral_storage",
        "monthly_cost_usd": 0.0, "unpriced": [], "predicted": {},
        "config": {"ephemeral_storage_mb": mb, "replaces": store.option},
        "reasons": [reason("bundle.lambda_ephemeral_storage", PERF01_COST, why)]})
