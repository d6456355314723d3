"""Network options: edge, placement, adapters and links (PERF04); the region's data out.

The region choice lives in :mod:`recommender.rules.region` (re-exported here), the links
(Direct Connect, the gateway VPC endpoint) in :mod:`recommender.rules.network_links`.  The
other options come with the description the catalog keeps for them (facts, topic
``network_option``).
"""

from __future__ import annotations

import math
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF04_FEATURES,
    PERF04_LOCATION,
    PERF04_UNDERSTAND,
    Candidate,
    cost_reason,
    fmt_num,
    fmt_usd,
    no_price_reason,
    reason,
    verify_reason,
)
from recommender.rules.compute.placement import no_cluster_group, unsupported_text, zones_text
from recommender.rules.network_az import EC2_DATA_TRANSFER_URL, inter_az_transfer
from recommender.rules.network_links import NO_CHARGE, link_options
from recommender.rules.network_links import described as _described
from recommender.rules.prices import PriceBook, cloudfront_usd, edge_geography, fmt_unit_usd
from recommender.rules.region import (
    REFERENCE_REGION,
    RegionIndex,
    build_region_index,
    region_index,
    region_options,
    rtt_ms,
)

# The region choice was defined here before it became a module of its own.
__all__ = ["COMPUTE_ADD_ONS", "EC2_DATA_TRANSFER_URL", "REFERENCE_REGION", "RegionIndex",
           "build_region_index", "cloudfront_cost", "edge_gib", "internet_data_out",
           "network_features", "network_options", "region_index", "region_options", "rtt_ms"]

#: Static share above which an edge cache is proposed, and the user RTT (ms) above which
#: users count as far from the region (heuristics stated in the reasons).
STATIC_SHARE_FOR_CDN = 0.3
FAR_USER_RTT_MS = 100.0
#: Share of the egress assumed cacheable at the edge when ``static_content_fraction`` is
#: not given (a heuristic).
DEFAULT_EDGE_SHARE = 0.5
CLOUDFRONT_PRICING_URL = "https://aws.amazon.com/cloudfront/pricing/"


def _far_users(p: WorkloadProfile, ri: RegionIndex, region: str) -> dict[str, float]:
    """Users' regions (with their shares) over :data:`FAR_USER_RTT_MS` from ``region``."""
    users = p.network.user_regions if p.network and p.network.user_regions else {}
    return {u: s for u, s in users.items()
            if (rtt_ms(ri, u, region)[0] or 0.0) > FAR_USER_RTT_MS}


def edge_gib(p: WorkloadProfile) -> float:
    """GiB/month CloudFront would serve: the static share of the egress (half when the share
    is not given, a heuristic stated where it is used)."""
    n = p.network
    if not n or not n.egress_gib_per_month:
        return 0.0
    static = n.static_content_fraction
    return n.egress_gib_per_month * (static if static is not None else DEFAULT_EDGE_SHARE)


def cloudfront_cost(
    p: WorkloadProfile, book: PriceBook, region: str
) -> tuple[float | None, list[Reason]]:
    """CloudFront's data out for the static share of the egress, after the always-free tier.

    Without ``static_content_fraction`` the edge serves :data:`DEFAULT_EDGE_SHARE` of the
    egress, a heuristic the reason names as such; with it 0 the edge serves none, $0.00 (not
    "no egress", which is the case without ``egress_gib_per_month``: None).

    CloudFront's always-free data out (per account and month, all edges; the catalog's
    ``cloudfront.data_out.free_tier`` row) comes off before pricing, shared across
    geographies by the users' shares (https://aws.amazon.com/cloudfront/pricing/).  Usage
    tiers are measured separately for each geographic region (CloudFront FAQs,
    https://aws.amazon.com/cloudfront/faqs/), so users' regions in one geography (us-east-1
    and us-west-2) go through its tiers together, not each from the first tier.  It is
    compared with what the same GiB would add to the region's data out (EC2 on-demand pricing,
    "Data Transfer", :data:`EC2_DATA_TRANSFER_URL`): the egress through its tiers with them
    less without them, since the rest of the egress leaves the region anyway.
    """
    n = p.network
    cdn_gib = edge_gib(p)
    if not n or not n.egress_gib_per_month:
        return None, []
    if not cdn_gib:
        # static_content_fraction 0: the edge caches none of the egress, which all leaves the
        # region (the bundle's data out prices it); nothing is priced at the edge.
        return 0.0, [reason(
            "network.cloudfront_cost", PERF01_COST,
            f"$0.00 of data out from the edge: static_content_fraction is 0, so none of the "
            f"{fmt_num(n.egress_gib_per_month)} GiB/month egress is cached there and all of "
            f"it leaves {region} through its data-out tiers (requests not included; "
            f"{CLOUDFRONT_PRICING_URL}, {EC2_DATA_TRANSFER_URL}).")]
    # What the same GiB would add to the region's data out: the egress's cost through its
    # tiers with them less without them (the rest leaves the region either way), not their
    # cost from the first tier, which the rest has already used.
    full = book.cost("datatransfer.internet_out", region, n.egress_gib_per_month or 0.0)
    rest = book.cost("datatransfer.internet_out", region,
                     max(0.0, (n.egress_gib_per_month or 0.0) - cdn_gib))
    direct = full.usd - rest.usd if full is not None and rest is not None else None
    edge = cloudfront_usd(book, region, cdn_gib, n.user_regions)
    if edge is None:
        return None, []
    cdn, edge_verify, free_gb = edge
    unverified = bool(full and full.verify) or edge_verify
    extra = [reason("catalog.verify", PERF01_COST,
                    "A data-transfer price here is marked unverified.", "verify")] \
        if unverified else []
    # The share the edge serves is the profile's static share, or a stated heuristic.
    share = (f" ({n.static_content_fraction:.0%} of the egress, the static share)"
             if n.static_content_fraction is not None else
             f" ({DEFAULT_EDGE_SHARE:.0%} of the egress: static_content_fraction is not "
             "given, so that share is a heuristic)")
    extra.append(reason("network.cloudfront_cost", PERF01_COST,
                        f"{fmt_num(round(cdn_gib))} GiB/month from the edge{share}: "
                        f"{fmt_usd(cdn)}"
                        + (f" after the always-free {fmt_num(free_gb)} GB" if free_gb else "")
                        + f" vs {fmt_usd(direct)} more from the region's data-out tiers "
                        f"without the edge (requests not included; {CLOUDFRONT_PRICING_URL}, "
                        f"{EC2_DATA_TRANSFER_URL})."))
    return cdn, extra


def _cloudfront_requests(p: WorkloadProfile, book: PriceBook, region: str) -> tuple[str, str]:
    """The CloudFront request charge, named: the profile has no request rate to price it.

    The catalog prices requests per geography (``cloudfront.http_request``/``https_request``);
    the feed's always-free request row has no quantity, so no allowance could be taken off.
    """
    users = p.network.user_regions if p.network and p.network.user_regions else {region: 1.0}
    geo = edge_geography(max(sorted(users), key=lambda u: users[u]))
    https = book.unit("cloudfront.https_request", f"edge:{geo}")
    # Through the one per-unit function with the row's declared scale, whatever it is.
    per_10k = book.cost("cloudfront.https_request", f"edge:{geo}", 10_000, per="request")
    # Four decimals, as the pricing page writes it: cents would print $0.0120 as $0.01.
    price = (f"the catalog's {geo} HTTPS price is ${per_10k.usd:,.4f} per "
             "10,000" if https and per_10k else f"the catalog has no {geo} request price")
    return ("CloudFront HTTP/HTTPS requests",
            f"billed per request ({price}); the profile gives no request rate, and the "
            f"always-free request allowance has no quantity in the catalog's feed "
            f"({CLOUDFRONT_PRICING_URL})")


def _inter_region(book: PriceBook, region: str, far: dict[str, float]) -> tuple[str, str]:
    """Data between the regions (replication, calls across), named with the catalog's price.

    Data out of a region to another region is billed per GB by the sending region (EC2
    on-demand pricing, "Data Transfer", :data:`EC2_DATA_TRANSFER_URL`; catalog
    ``datatransfer.inter_region_out``); the profile gives no volume between regions.
    """
    to = max(sorted(far), key=lambda u: far[u])
    per_gb = book.cost("datatransfer.inter_region_out", region, 1.0, to_region=to, per="GB")
    price = (f"the catalog's {region} -> {to} price is {fmt_unit_usd(per_gb.usd)} per GB, each "
             "way billed by the region sending" if per_gb else
             f"the catalog has no {region} -> {to} price")
    return ("Data transfer between the regions",
            f"billed per GB out of each region ({price}; {EC2_DATA_TRANSFER_URL} \"Data "
            "Transfer\"); the profile gives no volume between regions")


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
        cost, extra = cloudfront_cost(p, book, region)
        why = f"{static:.0%} of content is static" if cdn else ""
        if far:
            why += ("; " if why else "") + f"{sum(far.values()):.0%} of users are over " \
                f"{FAR_USER_RTT_MS:g} ms from {region}"
        cf = _described("cloudfront", book, "Edge caching: " + why + ".", PERF04_LOCATION, 1.0,
                        cost=cost, extra=extra)
        cf.name_unpriced(*_cloudfront_requests(p, book, region))
        if cost is None:
            cf.name_unpriced("CloudFront data out", "the profile gives no egress_gib_per_month"
                             if not edge_gib(p) else "the catalog has no CloudFront data-out "
                             "price for a users' geography")
        out.append(cf)
    users = n.user_regions if n and n.user_regions else {}
    # Latency routing needs more than one region: offered only when the region is left to
    # the recommender ("auto"), never next to a single pinned region.
    if far and len(users) > 1 and p.region in (None, "auto"):
        r53 = _described("route53_latency_routing", book,
                         "Users on several continents: serve dynamic requests from more "
                         "than one region (the runner-up regions below) and route each "
                         "user to the nearest.", PERF04_LOCATION, 0.7)
        r53.name_unpriced_all([
            ("Route 53 hosted zone and latency-based queries",
             "the catalog has no Route 53 prices"),
            ("The application's resources in a second region",
             "sized like the bundle's, in the runner-up region; not added to the total"),
            _inter_region(book, region, far)])
        out.append(r53)
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
    if top_ec2 is not None and top_ec2.get("cluster_pg") is False:
        return [no_cluster_group(str(itype), unsupported_text(str(itype), one))]
    if not coupled and c is not None and c.scale_out == "horizontal" and \
            int((top_ec2 or {}).get("node_count") or 1) > 1:
        return [no_cluster_group(str(itype), zones_text(str(itype)))]
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


#: ENA Express "increases the maximum bandwidth a single flow can use from 5 Gbps up to 25
#: Gbps within the same Region, up to the aggregate instance limit" (ENA_EXPRESS_URL).
ENA_EXPRESS_URL = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ena-express.html"
SINGLE_FLOW_GBPS = 5.0
ENA_EXPRESS_FLOW_GBPS = 25.0


def _ena_express_text(bw: float, itype: str) -> str:
    """Why ENA Express: the bandwidth wanted is above one flow's 5 Gbps without it."""
    flows = math.ceil(bw / ENA_EXPRESS_FLOW_GBPS - 1e-9)
    return (f"{fmt_num(bw)} Gbps wanted: {itype} supports ENA Express, which raises the "
            f"bandwidth one flow can use from {fmt_num(SINGLE_FLOW_GBPS)} Gbps up to "
            f"{fmt_num(ENA_EXPRESS_FLOW_GBPS)} Gbps within the Region, up to the instance's "
            f"aggregate limit ({ENA_EXPRESS_URL})"
            + (f"; {fmt_num(bw)} Gbps still takes at least {flows} flows" if flows > 1 else "")
            + ".")


def _bandwidth_options(
    p: WorkloadProfile, book: PriceBook, top_ec2: dict[str, Any] | None
) -> list[Candidate]:
    """ENA Express and enhanced networking when the profile asks for bandwidth.

    ENA Express only when the bandwidth wanted is above one flow's 5 Gbps without it: it
    raises a single flow to 25 Gbps (ENA_EXPRESS_URL), which a need within 5 Gbps never uses.
    """
    bw = p.network.bandwidth_gbps if p.network else None
    if bw is None or top_ec2 is None:
        return []
    out = []
    itype = top_ec2["instance_type"]
    if top_ec2.get("ena_express") and bw > SINGLE_FLOW_GBPS:
        out.append(_described("ena_express", book, _ena_express_text(bw, str(itype)),
                              PERF04_FEATURES, 0.8))
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


def network_options(
    p: WorkloadProfile, book: PriceBook, region: str, top_ec2: dict[str, Any] | None,
    ri: RegionIndex,
) -> list[Candidate]:
    """Network features and links that the profile calls for (unranked)."""
    az = inter_az_transfer(p)  # (network_az: the traffic across zones, named unpriced)
    return (_edge_options(p, book, region, ri) + _cluster_options(p, book, top_ec2)
            + _bandwidth_options(p, book, top_ec2) + link_options(p, book) + ([az] if az else []))


#: Network option kinds that configure the chosen compute rather than compete with anything.
COMPUTE_ADD_ONS = ("placement_group", "efa", "ena_express", "enhanced_networking")


def network_features(cands: list[Candidate], top_ec2: dict[str, Any] | None) -> list[Candidate]:
    """Network items the profile calls for, in order: features, then compute add-ons.

    They are not alternatives to one another, so they are not ranked against each other or
    the region: each scores 1 (called for).  A placement group, EFA, ENA Express or
    enhanced networking is an add-on of the chosen EC2 option (PERF04-BP02): its config
    names that option and a reason says so.  The ones AWS documents as free
    (:data:`~recommender.rules.network_links.NO_CHARGE`: a placement group, EFA, enhanced
    networking) cost $0.00 with AWS's words in the reason; the others (ENA Express) are named
    unpriced.
    """
    feats = [c for c in cands if c.kind not in COMPUTE_ADD_ONS]
    adds = [c for c in cands if c.kind in COMPUTE_ADD_ONS]
    for c in cands:
        c.score = 1.0
    host = top_ec2["instance_type"] if top_ec2 else None
    for c in adds:
        free = NO_CHARGE.get(c.option.split(":")[0])
        if free:
            # A documented zero is a price: $0.00, AWS's words in the reason.
            c.monthly_cost_usd = 0.0
            c.reasons = [*c.reasons, cost_reason(
                "network", f"$0.00/month: AWS: {free[0]} ({free[1]}); the instances it "
                "configures are counted in compute.")]
        else:
            c.name_unpriced(f"{c.option} (configuration of the compute option)",
                            "the catalog has no separate price for it; the instances it "
                            "configures are counted in compute")
        c.config = {**c.config, "attached_to": host}
        c.reasons = [*c.reasons, reason(
            "network.add_on", PERF04_FEATURES,
            f"Add-on of the compute option {host}: configured with it, not an alternative to "
            "a region or to CloudFront." if host else
            "Add-on of the compute option: configured with it, not an alternative.")]
    return feats + adds


def internet_data_out(
    p: WorkloadProfile, book: PriceBook, region: str, *, edge_served: bool
) -> Candidate | None:
    """Data out to the internet from the region: the egress CloudFront does not serve.

    Priced through the catalog's tiers (``datatransfer.internet_out``; EC2 on-demand pricing,
    "Data Transfer", https://aws.amazon.com/ec2/pricing/on-demand/).  AWS's monthly free
    allowance of data out to the internet, aggregated across services, is not in the
    catalog's sources (the feed has no such row), so it is not deducted and the reason says
    so.  With CloudFront in the bundle (``edge_served``) the static share leaves from the edge
    and is priced there.  None when the profile gives no egress.
    """
    egress = p.network.egress_gib_per_month if p.network else None
    if not egress:
        return None
    gib = max(0.0, egress - (edge_gib(p) if edge_served else 0.0))
    priced = book.cost("datatransfer.internet_out", region, gib, per="GB")
    free_note = (" AWS's monthly free allowance of data out (aggregated across services, "
                 f"{EC2_DATA_TRANSFER_URL} \"Data Transfer\") is not in the catalog's sources, "
                 "so it is not deducted.")
    rs = [reason("network.data_transfer_out", PERF04_UNDERSTAND,
                 f"{fmt_num(round(gib, 1))} GiB/month leave {region} for the internet"
                 + (" (the egress less the static share CloudFront serves)" if edge_served
                    else "") + ".")]
    c = Candidate("data_transfer_out", "data_transfer", None, rs, purchase_option=None,
                  config={"gib_per_month": round(gib, 1), "free_allowance_applied": False})
    if priced is None:
        rs.append(no_price_reason("network", f"No data-transfer-out price for {region} in the "
                                             "catalog."))
        c.name_unpriced(f"Data transfer out to the internet from {region}",
                        f"no datatransfer.internet_out price for {region} in the catalog")
        return c
    c.monthly_cost_usd = priced.usd
    # Named in the option's (and so the bundle's) unpriced list: an allowance the figure
    # leaves out is a cost difference the user must see, not only a sentence in a reason.
    c.name_unpriced("AWS's monthly free allowance of data out to the internet (aggregated "
                    "across services; not deducted)",
                    "the catalog's sources have no row for it (the data-transfer feed lists "
                    "the paid tiers only), so the data-out figure does not deduct it and may "
                    f"be high by the allowance at the first tier's price ({EC2_DATA_TRANSFER_URL}"
                    " \"Data Transfer\")")
    rs.append(cost_reason("network", f"{fmt_usd(priced.usd)}/month through the catalog's "
                                     f"tiers (first at {fmt_unit_usd(priced.unit_price_usd)}/GB)."
                          + free_note))
    if priced.verify:
        rs.append(verify_reason("The data-transfer-out price is marked unverified."))
    c.add_provenance(priced)
    return c
