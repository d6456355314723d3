"""Network options: region choice, edge, placement, adapters and links (PERF04).

The region (``"auto"``) is chosen from where the users are, with the catalog's measured
inter-region round-trip times (cloudping p50; a great-circle estimate from the regions'
locations only where a pair was not measured, flagged as such), and from the region's EC2
price level (median on-demand price ratio to the reference region over the types both
price).  The other options come with the description the catalog keeps for them (facts,
topic ``network_option``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF04_DEDICATED,
    PERF04_FEATURES,
    PERF04_LOCATION,
    PERF04_UNDERSTAND,
    Candidate,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.prices import PriceBook, edge_geography, per_catalog

REFERENCE_REGION = "us-east-1"
#: A region is admissible when its users' share-weighted round trip is within this many ms
#: of the best region's (per objective); the cheapest admissible region then wins.
REGION_LATENCY_SLACK_MS = {"cost": 40.0, "balanced": 20.0, "performance": 5.0}
#: Light in fibre covers about 200 km per ms; routes are longer than great circles.
FIBRE_KM_PER_MS = 200.0
ROUTE_FACTOR = 1.5
#: Static share above which an edge cache is proposed, and the user RTT (ms) above which
#: users count as far from the region (heuristics stated in the reasons).
STATIC_SHARE_FOR_CDN = 0.3
FAR_USER_RTT_MS = 100.0


@dataclass(frozen=True)
class RegionIndex:
    regions: list[str]  # EC2-priced regions
    location: dict[str, tuple[float, float]]
    rtt: dict[tuple[str, str], float]
    price_index: dict[str, float]


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
    return RegionIndex(sorted(price_index), location, rtt, price_index)


def region_index(catalog: Any, ix: Ec2Index) -> RegionIndex:
    """The catalog's :class:`RegionIndex`, built once per catalog object."""
    return per_catalog("region_index", catalog, lambda c: build_region_index(c, ix))


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


def region_options(
    p: WorkloadProfile, ri: RegionIndex, objective: str, warnings: list[str]
) -> list[Candidate]:
    """Candidate regions scored on user latency and price (explicit region: just it)."""
    users = p.network.user_regions if p.network and p.network.user_regions else None
    explicit = p.region if p.region not in (None, "auto") else None
    cands = [explicit] if explicit else ri.regions
    out = []
    for r in cands:
        lat, measured, known = 0.0, True, 0.0
        if users:
            for u, share in sorted(users.items()):
                ms, m = rtt_ms(ri, u, r)
                if ms is None:
                    continue
                lat += share * ms
                known += share
                measured &= m
            lat = lat / known if known else float("nan")
        idx = ri.price_index.get(r, float("nan"))
        rs = []
        if users:
            rs.append(reason("network.region_latency", PERF04_LOCATION,
                             f"Users' share-weighted round trip to {r}: {lat:.0f} ms ("
                             + ("measured inter-region p50" if measured else
                                "partly estimated from region locations") + ")."))
        rs.append(reason("network.region_price", PERF01_COST,
                         f"EC2 price level {idx:.2f} x {REFERENCE_REGION} (median over the "
                         "types both regions price)." if not math.isnan(idx) else
                         f"No EC2 price level for {r} in the catalog.",
                         "info" if not math.isnan(idx) else "caution"))
        out.append(Candidate(
            f"region:{r}", "region", None, rs, config={"region": r},
            predicted={"user_rtt_ms": None if math.isnan(lat) else round(lat, 1),
                       "price_index": None if math.isnan(idx) else round(idx, 3)},
            purchase_option=None,
            components={"latency_ms": lat if users else 0.0,
                        "price_index": idx if not math.isnan(idx) else 10.0},
        ))
    if not out:
        return out
    _rank_regions(out, objective, bool(users))
    if not users and not explicit:
        warnings.append("region not given and no user_regions: the region was chosen on price "
                        "alone; give network.user_regions to weigh latency.")
    return out


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
               f"admissible {best:.2f})." if admitted else
               f"no, {lat:.0f} ms; ranked after the admissible regions by latency.")))


def _described(option: str, book: PriceBook, why: str, bp: str, fit: float, *,
               cost: float | None = None, config: dict[str, Any] | None = None,
               extra: list[Reason] | None = None) -> Candidate:
    """A network option with the catalog's description of it (facts ``network_option``)."""
    rs = [reason(f"network.{option.split(':')[0]}", bp, why)]
    verify = False
    for aspect in ("what", "limits"):
        f = book.fact("network_option", f"{option}.{aspect}")
        if f is not None and f.value:
            rs.append(reason(f"network.{aspect}", PERF04_FEATURES, f.value,
                             "verify" if f.verify else ("caution" if aspect == "limits"
                                                        else "info")))
            verify |= f.verify
    rs += extra or []
    return Candidate(option, option.split(":")[0], cost, rs, config=config or {},
                     verify=verify, purchase_option=None, components={"fit": fit})


def _far_users(p: WorkloadProfile, ri: RegionIndex, region: str) -> dict[str, float]:
    """Users' regions (with their shares) over :data:`FAR_USER_RTT_MS` from ``region``."""
    users = p.network.user_regions if p.network and p.network.user_regions else {}
    return {u: s for u, s in users.items()
            if (rtt_ms(ri, u, region)[0] or 0.0) > FAR_USER_RTT_MS}


def _cloudfront_cost(
    p: WorkloadProfile, book: PriceBook, region: str
) -> tuple[float | None, list[Reason]]:
    """CloudFront's data out for the static share of the egress, after the always-free tier.

    CloudFront's always-free data out (per account and month, all edges; the catalog's
    ``cloudfront.data_out.free_tier`` row) comes off before pricing, shared across
    geographies by the users' shares (https://aws.amazon.com/cloudfront/pricing/).
    """
    n = p.network
    egress = n.egress_gib_per_month if n else None
    if not n or not egress:
        return None, []
    static = n.static_content_fraction
    cdn_gib = egress * (static if static is not None else 0.5)
    direct = book.cost("datatransfer.internet_out", region, cdn_gib)
    free_rows = book.tiers("cloudfront.data_out.free_tier", "global")
    free_gb = free_rows[0].end if free_rows else 0.0
    cdn, unverified = 0.0, bool(direct and direct.verify)
    for u, s in (n.user_regions or {region: 1.0}).items():
        pc = book.cost("cloudfront.data_out", f"edge:{edge_geography(u)}", cdn_gib * s,
                       per="GB", free=free_gb * s)
        if pc is None:
            return None, []
        cdn += pc.usd
        unverified |= pc.verify
    extra = [reason("catalog.verify", PERF01_COST,
                    "A data-transfer price here is marked unverified.", "verify")] \
        if unverified else []
    extra.append(reason("network.cloudfront_cost", PERF01_COST,
                        f"{fmt_num(round(cdn_gib))} GiB/month from the edge: {fmt_usd(cdn)}"
                        + (f" after the always-free {fmt_num(free_gb)} GB" if free_gb else "")
                        + f" vs {fmt_usd(direct.usd if direct else None)} "
                        "direct from the region (requests not included)."))
    return cdn, extra


def _edge_options(
    p: WorkloadProfile, book: PriceBook, region: str, ri: RegionIndex
) -> list[Candidate]:
    """CloudFront for static content or far users; latency routing across regions."""
    n = p.network
    far = _far_users(p, ri, region)
    static = n.static_content_fraction if n else None
    cdn = static is not None and static >= STATIC_SHARE_FOR_CDN
    out: list[Candidate] = []
    if cdn or far:
        cost, extra = _cloudfront_cost(p, book, region)
        why = f"{static:.0%} of content is static" if cdn else ""
        if far:
            why += ("; " if why else "") + f"{sum(far.values()):.0%} of users are over " \
                f"{FAR_USER_RTT_MS:g} ms from {region}"
        out.append(_described("cloudfront", book, "Edge caching: " + why + ".",
                              PERF04_LOCATION, 1.0, cost=cost, extra=extra))
    users = n.user_regions if n and n.user_regions else {}
    # Latency routing needs more than one region: offered only when the region is left to
    # the recommender ("auto"), never next to a single pinned region.
    if far and len(users) > 1 and p.region in (None, "auto"):
        out.append(_described("route53_latency_routing", book,
                              "Users on several continents: serve dynamic requests from more "
                              "than one region (the runner-up regions below) and route each "
                              "user to the nearest.", PERF04_LOCATION, 0.7))
    return out


def _cluster_options(
    p: WorkloadProfile, book: PriceBook, top_ec2: dict[str, Any] | None
) -> list[Candidate]:
    """Cluster placement group and EFA for tightly coupled or latency-sensitive nodes."""
    c, n = p.compute, p.network
    coupled = c is not None and c.scale_out == "tightly_coupled"
    if not (coupled or (n and n.inter_node_latency_sensitive)):
        return []
    # A job that fits one node has no inter-node traffic yet: say so rather than
    # implying the feature helps the recommended single-node fleet.
    one = top_ec2 is not None and top_ec2.get("node_count") == 1
    itype = (top_ec2 or {}).get("instance_type")
    single = (f" The top compute option runs on one {itype}, so this "
              "matters only once the job spans several nodes.") if one else ""
    out = [_described("placement_group:cluster", book,
                      "Nodes exchange latency-sensitive traffic: pack them in one "
                      "cluster placement group." + single, PERF04_FEATURES, 1.0,
                      config={"strategy": "cluster"})]
    if top_ec2 is not None and top_ec2.get("efa"):
        out.append(_described("efa", book, f"{top_ec2['instance_type']} supports EFA: "
                              "OS-bypass for MPI/NCCL between the nodes." + single,
                              PERF04_FEATURES, 0.9 if coupled else 0.6))
    return out


def _bandwidth_options(
    p: WorkloadProfile, book: PriceBook, top_ec2: dict[str, Any] | None
) -> list[Candidate]:
    """ENA Express and enhanced networking when the profile asks for bandwidth."""
    bw = p.network.bandwidth_gbps if p.network else None
    if bw is None or top_ec2 is None:
        return []
    out = []
    itype = top_ec2["instance_type"]
    if top_ec2.get("ena_express"):
        out.append(_described("ena_express", book,
                              f"{fmt_num(bw)} Gbps wanted: {itype} supports ENA Express for "
                              "higher single-flow bandwidth.", PERF04_FEATURES, 0.8))
    if top_ec2.get("ena_support") in ("required", "supported"):
        raw = top_ec2.get("net_baseline_gbps")
        known = raw is not None and not math.isnan(raw)
        base = float(raw) if raw is not None and known else 0.0
        out.append(_described("enhanced_networking", book,
                              f"{fmt_num(bw)} Gbps wanted: keep ENA enhanced networking on "
                              f"{itype} (ENA {top_ec2['ena_support']}"
                              + (f"; {fmt_num(base)} Gbps baseline" if known else "") + ").",
                              PERF04_FEATURES, 0.6))
    return out


def _link_options(p: WorkloadProfile, book: PriceBook) -> list[Candidate]:
    """Direct Connect for an on-premises link; a gateway VPC endpoint for S3 traffic."""
    n, c = p.network, p.compute
    out = []
    if n and n.on_premises_link:
        out.append(_described("direct_connect", book,
                              "An on-premises link: a dedicated connection gives consistent "
                              "latency and bandwidth (port and transfer prices are not in the "
                              "catalog).", PERF04_DEDICATED, 1.0))
    s3 = n.s3_traffic_gib_per_month if n else None
    web = p.storage is not None and p.storage.sharing == "web"
    if (s3 is not None and s3 > 0) or (web and c is not None):
        out.append(_described("vpc_endpoint", book,
                              "Instances exchange data with S3"
                              + (f" ({fmt_num(s3)} GiB/month)" if s3 else "")
                              + ": a gateway VPC endpoint keeps that traffic on the AWS network "
                              "and off NAT gateways.", PERF04_UNDERSTAND, 0.8,
                              config={"service": "s3", "type": "gateway"}))
    return out


def network_options(
    p: WorkloadProfile, book: PriceBook, region: str, top_ec2: dict[str, Any] | None,
    ri: RegionIndex,
) -> list[Candidate]:
    """Network features and links that the profile calls for (unranked)."""
    return (_edge_options(p, book, region, ri) + _cluster_options(p, book, top_ec2)
            + _bandwidth_options(p, book, top_ec2) + _link_options(p, book))


#: Network option kinds that configure the chosen compute rather than compete with anything.
COMPUTE_ADD_ONS = ("placement_group", "efa", "ena_express", "enhanced_networking")


def network_features(cands: list[Candidate], top_ec2: dict[str, Any] | None) -> list[Candidate]:
    """Network items the profile calls for, in order: features, then compute add-ons.

    They are not alternatives to one another, so they are not ranked against each other or
    the region: each scores 1 (called for).  A placement group, EFA, ENA Express or
    enhanced networking is an add-on of the chosen EC2 option (PERF04-BP02): its config
    names that option and a reason says so.
    """
    feats = [c for c in cands if c.kind not in COMPUTE_ADD_ONS]
    adds = [c for c in cands if c.kind in COMPUTE_ADD_ONS]
    for c in cands:
        c.score = 1.0
    host = top_ec2["instance_type"] if top_ec2 else None
    for c in adds:
        c.config = {**c.config, "attached_to": host}
        c.reasons = [*c.reasons, reason(
            "network.add_on", PERF04_FEATURES,
            f"Add-on of the compute option {host}: configured with it, not an alternative to "
            "a region or to CloudFront." if host else
            "Add-on of the compute option: configured with it, not an alternative.")]
    return feats + adds
