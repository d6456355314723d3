"""Region choice (PERF04-BP06, COST07-BP02): where the users are, and the region's EC2 price
level.

The region (``"auto"``) is chosen from where the users are, with the catalog's measured
inter-region round-trip times (cloudping p50; a great-circle estimate from the regions'
locations only where a pair was not measured, flagged as such), and from the region's EC2
price level (median on-demand price ratio to the reference region over the types both
price).  PERF04-BP06 (:data:`LOCATION_URL`): "User experience is greatly affected by the
latency between the user and your application"; COST07-BP02 (:data:`REGION_COST_URL`):
"Identify Regional cost differences and only deploy in Regions with higher costs to meet
latency, data residency and data sovereignty requirements".  Each reason cites its page.

A profile with storage and neither compute nor a database is billed for its storage only, so
its regions are ranked by the price level of that storage (the class or volume type the
storage rules choose for it: :func:`storage_price_item`), not by EC2's: S3 Standard costs
$0.023 per GB-month in eu-west-1 and in eu-north-1 alike (https://aws.amazon.com/s3/pricing/),
so an S3-only workload gains nothing from eu-north-1's lower EC2 prices and must not trade
its users' latency for them.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import PERF01_COST, PERF04_LOCATION, Candidate, reason
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.prices import per_catalog
from recommender.rules.storage.ebs import preferred_volume
from recommender.rules.storage.efs import EFS_CLASS
from recommender.rules.storage.need import storage_need
from recommender.rules.storage.objects import s3_class

REFERENCE_REGION = "us-east-1"
LOCATION_URL = ("https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-"
                "pillar/perf_networking_choose_workload_location_network_requirements.html")
REGION_COST_URL = ("https://docs.aws.amazon.com/wellarchitected/latest/cost-optimization-"
                   "pillar/cost_pricing_model_region_cost.html")
#: A region is admissible when its users' share-weighted round trip is within this many ms
#: of the best region's (per objective); the cheapest admissible region then wins.
REGION_LATENCY_SLACK_MS = {"cost": 40.0, "balanced": 20.0, "performance": 5.0}
#: Light in fibre covers about 200 km per ms; routes are longer than great circles.
FIBRE_KM_PER_MS = 200.0
ROUTE_FACTOR = 1.5

@dataclass(frozen=True)
class RegionIndex:
    regions: list[str]  # EC2-priced regions
    location: dict[str, tuple[float, float]]
    rtt: dict[tuple[str, str], float]
    price_index: dict[str, float]
    #: First-tier storage prices per GB-month, item -> region -> USD: the S3 and EFS
    #: ``unit_prices`` storage items and ``ebs.<volume type>`` (:func:`storage_price_item`).
    storage_prices: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Ranked region candidates per (region asked, user regions, objective): the same few
    #: questions recur, and the answer depends on nothing else (see :func:`region_options`).
    memo: dict[tuple[Any, ...], list[Candidate]] = field(
        default_factory=dict, compare=False, repr=False)


def build_region_index(catalog: Any, ix: Ec2Index) -> RegionIndex:
    """Region locations, measured RTTs and each region's EC2 price level against us-east-1.

    The price index is the median on-demand price ratio over the types priced in both
    regions (at least five), so a region with too few shared types has no index.
    """
    # ``Catalog.regions`` is the manifest's list; the table itself is in ``tables``.
    reg = catalog.tables["regions"]
    location = {str(r): (float(la), float(lo)) for r, la, lo in
                zip(reg["region"], reg["lat"], reg["lon"], strict=True)}
    priced = {str(r) for r, pe in zip(reg["region"], reg["priced_ec2"], strict=True) if pe}
    lat = catalog.tables["latency"]
    rtt = {(str(a), str(b)): float(v) for a, b, v in
           zip(lat["from_region"], lat["to_region"], lat["rtt_ms_p50"], strict=True)}
    price_index: dict[str, float] = {}
    ref = ix.region_pos.get(REFERENCE_REGION)
    for r in sorted(priced):
        k = ix.region_pos.get(r)
        if k is None or ref is None:
            continue
        both = ~np.isnan(ix.ondemand[k]) & ~np.isnan(ix.ondemand[ref])
        if both.sum() >= 5:
            price_index[r] = float(np.median(ix.ondemand[k][both] / ix.ondemand[ref][both]))
    return RegionIndex(sorted(price_index), location, rtt, price_index,
                       _storage_prices(catalog))


def _storage_prices(catalog: Any) -> dict[str, dict[str, float]]:
    """First-tier storage prices (USD per GB-month) by item and region: S3 and EFS storage
    items from ``unit_prices``, EBS volume types from ``ebs`` as ``ebs.<volume type>``."""
    out: dict[str, dict[str, float]] = {}
    up = catalog.unit_prices
    sel = up[up["item"].str.startswith(("s3.", "efs.")) & up["item"].str.contains(
        "storage_gb_month", regex=False) & (up["tier_start"].fillna(0.0) == 0.0)]
    for item, region, usd in zip(sel["item"], sel["region"], sel["price_usd"], strict=True):
        if usd == usd and usd > 0:  # not NaN
            out.setdefault(str(item), {})[str(region)] = float(usd)
    ebs = catalog.ebs
    for vt, region, usd in zip(ebs["volume_type"], ebs["region"],
                               ebs["storage_usd_per_gb_month"], strict=True):
        if usd == usd and usd > 0:
            out.setdefault(f"ebs.{vt}", {})[str(region)] = float(usd)
    return out


def storage_price_item(p: WorkloadProfile) -> str | None:
    """The storage item whose price level ranks the regions, or None (EC2's level does).

    Only a profile whose bill is its storage (storage, no compute, no database) is ranked by
    it: the S3 class :func:`~recommender.rules.storage.objects.s3_class` picks for web
    objects or archives without a block need, the EFS class of the access frequency for
    shared files, else the EBS volume type the guidance points to
    (:func:`~recommender.rules.storage.ebs.preferred_volume`).
    """
    if p.compute is not None or p.database is not None:
        return None
    n = storage_need(p)
    if n is None:
        return None
    if n.sharing == "web" or (n.sharing is None and n.frequency == "archive" and not n.iops):
        return f"s3.{s3_class(n)[0]}.storage_gb_month"
    if n.sharing == "multi_instance":
        return f"efs.{EFS_CLASS[n.frequency]}.storage_gb_month"
    return f"ebs.{preferred_volume(n)[0]}"


def region_index(catalog: Any, ix: Ec2Index) -> RegionIndex:
    """The catalog's :class:`RegionIndex`, built once per catalog object."""
    return per_catalog("region_index", catalog, lambda c: build_region_index(c, ix),
                       persist=RegionIndex)  # on disk too: a warm process parses no table


def rtt_ms(ri: RegionIndex, a: str, b: str) -> tuple[float | None, bool]:
    """Round-trip time between regions: (ms, measured?)."""
    if a == b:
        return 0.0, True
    for key in ((a, b), (b, a)):
        if key in ri.rtt:
            return ri.rtt[key], True
    if a in ri.location and b in ri.location:
        (la1, lo1), (la2, lo2) = ri.location[a], ri.location[b]
        p1, p2 = math.radians(la1), math.radians(la2)
        dlat, dlon = p2 - p1, math.radians(lo2 - lo1)
        h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
        km = 2 * 6371.0 * math.asin(math.sqrt(h))
        return 2 * km * ROUTE_FACTOR / FIBRE_KM_PER_MS, False
    return None, False


def _user_latency(ri: RegionIndex, users: dict[str, float] | None,
                  region: str) -> tuple[float, bool]:
    """Users' share-weighted round trip to ``region`` (ms; NaN when none is known; 0 without
    users) and whether every pair was measured."""
    if not users:
        return 0.0, True
    lat, measured, known = 0.0, True, 0.0
    for u, share in sorted(users.items()):
        ms, m = rtt_ms(ri, u, region)
        if ms is None:
            continue
        lat += share * ms
        known += share
        measured &= m
    return (lat / known if known else float("nan")), measured


def region_options(
    p: WorkloadProfile, ri: RegionIndex, objective: str, warnings: list[str], *,
    keep: int | None = None,
) -> list[Candidate]:
    """Candidate regions scored on user latency and price (explicit region: just it).

    The ranked candidates are remembered per question in ``ri.memo`` (at most
    :data:`_MEMO_MAX`); each call gets its own copies, which callers may change (of the
    first ``keep`` only, when given: the engine shows three).
    """
    users = p.network.user_regions if p.network and p.network.user_regions else None
    explicit = p.region if p.region not in (None, "auto") else None
    item = storage_price_item(p)
    key = (explicit, tuple(sorted(users.items())) if users else None, objective, item)
    out = ri.memo.get(key)
    if out is None:
        out = _ranked_regions(ri, users, explicit, objective, item)
        if len(ri.memo) < _MEMO_MAX:
            ri.memo[key] = out
    if out and not users and not explicit:
        warnings.append("region not given and no user_regions: the region was chosen on price "
                        f"alone ({REGION_COST_URL}); give network.user_regions to weigh "
                        f"latency ({LOCATION_URL}).")
    return [_copy(c) for c in out[:keep]]


def _copy(c: Candidate) -> Candidate:
    """A copy of a remembered candidate whose lists and dicts the caller may change."""
    new = copy.copy(c)  # (dataclasses.replace re-runs __init__: dearer than the rest here)
    new.reasons, new.config, new.predicted = list(c.reasons), dict(c.config), dict(c.predicted)
    new.components, new.unpriced = dict(c.components), list(c.unpriced)
    return new


#: Distinct region questions remembered per catalog (profiles repeat a few; a bound keeps
#: a stream of unique user-region mixes from growing the memo without end).
_MEMO_MAX = 4096


def _ranked_regions(ri: RegionIndex, users: dict[str, float] | None, explicit: str | None,
                    objective: str, item: str | None = None) -> list[Candidate]:
    """The region candidates of :func:`region_options`, ranked (computed once per question);
    ``item``: the storage item whose price level ranks them (:func:`storage_price_item`)."""
    cands = [explicit] if explicit else ri.regions
    out = []
    for r in cands:
        lat, measured = _user_latency(ri, users, r)
        idx, price = _price_level(ri, r, item)
        rs = []
        if users:
            rs.append(reason("network.region_latency", PERF04_LOCATION,
                             f"Users' share-weighted round trip to {r}: {lat:.0f} ms ("
                             + ("measured inter-region p50" if measured else
                                "partly estimated from region locations")
                             + f"; {LOCATION_URL})."))
        rs.append(price)
        out.append(Candidate(
            f"region:{r}", "region", None, rs, config={"region": r},
            predicted={"user_rtt_ms": None if math.isnan(lat) else round(lat, 1),
                       "price_index": None if math.isnan(idx) else round(idx, 3)},
            purchase_option=None,
            components={"latency_ms": lat if users else 0.0,
                        "price_index": idx if not math.isnan(idx) else 10.0},
        ))
    if out:
        _rank_regions(out, objective, bool(users))
    return out


#: The storage whose price a storage-only profile's regions are ranked by, as the reason
#: names it.
_ITEM_LABEL = {"s3": "S3", "efs": "EFS", "ebs": "EBS"}


def _price_level(ri: RegionIndex, r: str, item: str | None) -> tuple[float, Any]:
    """Region ``r``'s price level against us-east-1 and its ``network.region_price``
    reason: EC2's median (:func:`build_region_index`), or with ``item`` that storage
    price's ratio (NaN where the catalog has no price for it)."""
    if item is None:
        idx = ri.price_index.get(r, float("nan"))
        if math.isnan(idx):
            return idx, reason("network.region_price", PERF01_COST,
                               f"No EC2 price level for {r} in the catalog.", "caution")
        return idx, reason("network.region_price", PERF01_COST,
                           f"EC2 price level {idx:.2f} x {REFERENCE_REGION} (median over the "
                           f"types both regions price; {REGION_COST_URL}).")
    prices = ri.storage_prices.get(item, {})
    here, ref = prices.get(r), prices.get(REFERENCE_REGION)
    service, _, what = item.partition(".")
    label = f"{_ITEM_LABEL.get(service, service)} {what.removesuffix('.storage_gb_month')}"
    if here is None or ref is None:
        return float("nan"), reason(
            "network.region_price", PERF01_COST,
            f"No {label} storage price for {r} in the catalog, so no price level: ranked "
            f"after the priced regions ({REGION_COST_URL}).", "caution")
    idx = here / ref
    pricing = {"s3": "https://aws.amazon.com/s3/pricing/", "efs": "https://aws.amazon.com/efs/"
               "pricing/", "ebs": "https://aws.amazon.com/ebs/pricing/"}.get(service, "")
    return idx, reason("network.region_price", PERF01_COST, (
        f"{label} storage price level {idx:.2f} x {REFERENCE_REGION} (${here:g} against "
        f"${ref:g} per GB-month, {pricing}): the profile runs no compute or database, so "
        f"EC2's price level does not bear on its bill, its storage's does "
        f"({REGION_COST_URL})."))


def _rank_regions(out: list[Candidate], objective: str, users: bool) -> None:
    """Latency first as a constraint, then price (PERF04-BP06, PERF01-BP03), in place.

    Admissible regions are within :data:`REGION_LATENCY_SLACK_MS` (per objective) of the
    lowest share-weighted user latency; among them the lowest EC2 price level wins
    (``performance``: the lowest latency, price breaking ties).  ``score`` is the best
    price level over the region's (1 = cheapest admissible); regions beyond the slack
    score 0 and rank after, by latency.
    """
    lats = np.array([c.components["latency_ms"] for c in out], dtype=float)
    lats = np.where(np.isnan(lats), np.nanmax(lats) if np.isfinite(lats).any() else 0, lats)
    prices = np.array([c.components["price_index"] for c in out], dtype=float)
    slack = REGION_LATENCY_SLACK_MS.get(objective, REGION_LATENCY_SLACK_MS["balanced"])
    ok = lats <= lats.min() + slack if users else np.ones(len(out), dtype=bool)
    best = float(prices[ok].min())
    facts = {}
    for c, lat, price, admitted in zip(out, lats, prices, ok, strict=True):
        c.score = float(best / price) if admitted else 0.0
        facts[c.config["region"]] = (float(lat), float(price), bool(admitted))
    key = {c.config["region"]: (0 if a else 1, round(lat, 1) if objective == "performance"
                                or not a else 0.0, round(pr, 6), lat)
           for c, a, lat, pr in zip(out, ok, lats, prices, strict=True)}
    # Ties (equal price level, no users): the reference region first, then by code.
    out.sort(key=lambda c: (*key[c.config["region"]], c.config["region"] != REFERENCE_REGION,
                            c.config["region"]))
    if not users:
        return
    for c in out[:3]:  # the regions the response shows (the chosen one and two runners-up)
        lat, price, admitted = facts[c.config["region"]]
        c.reasons.append(reason(
            "network.region_rank", PERF04_LOCATION,
            f"Within {slack:g} ms of the lowest user latency ({lats.min():.0f} ms): "
            + (f"admitted at {lat:.0f} ms; ranked by price level {price:.2f} (cheapest "
               f"admissible {best:.2f}; {REGION_COST_URL})." if admitted else
               f"no, {lat:.0f} ms; ranked after the admissible regions by latency "
               f"({LOCATION_URL}).")))
