"""Network links: Direct Connect for an on-premises link, a gateway VPC endpoint for S3.

Split from :mod:`recommender.rules.network` (module size), with the helper every network
option is built by (:func:`described`: the option with the catalog's description of it) and
the features AWS documents as free (:data:`NO_CHARGE`).  Pages:

* Direct Connect pricing (https://aws.amazon.com/directconnect/pricing/): port hours and
  data transfer out; the catalog has no Direct Connect prices, so they are named unpriced.
* Gateway endpoints (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html):
  "There is no additional charge for using gateway endpoints"; interface endpoints bill per
  hour and per GB (https://aws.amazon.com/privatelink/pricing/); the NAT gateway's per-GB
  processing the endpoint avoids is on https://aws.amazon.com/vpc/pricing/ (no catalog row).
"""

from __future__ import annotations

from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Reason
from recommender.rules.base import (
    PERF01_COST,
    PERF04_DEDICATED,
    PERF04_FEATURES,
    PERF04_UNDERSTAND,
    Candidate,
    cost_reason,
    fmt_num,
    reason,
)
from recommender.rules.prices import PriceBook

DIRECT_CONNECT_PRICING_URL = "https://aws.amazon.com/directconnect/pricing/"
PRIVATELINK_PRICING_URL = "https://aws.amazon.com/privatelink/pricing/"
NAT_PRICING_URL = "https://aws.amazon.com/vpc/pricing/"
GATEWAY_ENDPOINTS_URL = ("https://docs.aws.amazon.com/vpc/latest/privatelink/"
                         "gateway-endpoints.html")
#: Features AWS documents as carrying no charge of their own (AWS's words, the page): the
#: gateway endpoint and the compute add-ons among them (a placement group, EFA, enhanced
#: networking) are priced at that $0 (issue 9).
NO_CHARGE: dict[str, tuple[str, str]] = {
    "vpc_endpoint": ('"There is no additional charge for using gateway endpoints"',
                     GATEWAY_ENDPOINTS_URL),
    "placement_group": ('"There is no charge for creating a placement group"',
                        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                        "placement-groups.html"),
    "efa": ('"EFA is available as an optional EC2 networking feature that you can enable '
            'on any supported EC2 instance at no additional cost"',
            "https://aws.amazon.com/hpc/efa/"),
    # (ENA Express has no such sentence on its page, ena-express.html: it stays unpriced.)
    "enhanced_networking": ('"There is no additional charge for using enhanced networking"',
                            "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                            "enhanced-networking.html"),
}


def described(option: str, book: PriceBook, why: str, bp: str, fit: float, *,
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


def gateway_endpoint(book: PriceBook, s3: float | None) -> Candidate:
    """A gateway VPC endpoint for S3, priced at AWS's documented $0.

    "There is no additional charge for using gateway endpoints"
    (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html): a documented
    zero is a price, so the option costs $0.00 rather than being left open.  Interface
    endpoints (billed per hour and per GB, https://aws.amazon.com/privatelink/pricing/) are not
    what is offered here.  The NAT gateway data processing it keeps the S3 traffic off is a
    saving the catalog cannot figure (it has no NAT gateway price): named in a reason, not
    invented.
    """
    quote, url = NO_CHARGE["vpc_endpoint"]
    gib = f"{fmt_num(s3)} GiB/month" if s3 else "the S3 traffic"
    ep = described("vpc_endpoint", book,
                    "The workload's compute exchanges data with S3"
                    + (f" ({fmt_num(s3)} GiB/month)" if s3 else "")
                    + ": a gateway VPC endpoint keeps that traffic on the AWS network "
                    f"and off NAT gateways ({url}).", PERF04_UNDERSTAND, 0.8,
                    cost=0.0, config={"service": "s3", "type": "gateway"},
                    extra=[cost_reason("network", f"$0.00/month: AWS: {quote} ({url}); an "
                                       "interface endpoint would bill per hour and per GB "
                                       f"({PRIVATELINK_PRICING_URL}) and is not what is "
                                       "offered here."),
                           reason("network.nat_avoided", PERF01_COST,
                                  f"Not figured: the NAT gateway data processing that {gib} "
                                  "of S3 traffic would pay without the endpoint (billed per "
                                  f"GB processed, {NAT_PRICING_URL}); the catalog has no NAT "
                                  "gateway price, so the saving is named, not counted.",
                                  "caution")])
    return ep


def link_options(p: WorkloadProfile, book: PriceBook) -> list[Candidate]:
    """Direct Connect for an on-premises link; a gateway VPC endpoint for S3 traffic.

    Direct Connect bills port hours and data transfer out
    (https://aws.amazon.com/directconnect/pricing/); the catalog does not price it, so the
    option names what it leaves out (its ``unpriced`` list, which reaches the bundle's).
    The gateway endpoint is priced at AWS's documented $0 (:func:`gateway_endpoint`), and
    offered only with compute in the profile: it is a target in a VPC's route tables, used by
    the resources in that VPC (GATEWAY_ENDPOINTS_URL), so S3 traffic with no compute (from
    outside AWS, say) has nothing to route through it.
    """
    n, c = p.network, p.compute
    out = []
    if n and n.on_premises_link:
        dx = described("direct_connect", book,
                        "An on-premises link: a dedicated connection gives consistent "
                        "latency and bandwidth (port and transfer prices are not in the "
                        f"catalog; {DIRECT_CONNECT_PRICING_URL}).", PERF04_DEDICATED, 1.0)
        dx.name_unpriced("Direct Connect port hours and data transfer out",
                         "the catalog has no Direct Connect prices "
                         f"({DIRECT_CONNECT_PRICING_URL})")
        out.append(dx)
    s3 = n.s3_traffic_gib_per_month if n else None
    web = p.storage is not None and p.storage.sharing == "web"
    # A gateway endpoint is a route in a VPC's route tables (GATEWAY_ENDPOINTS_URL): with no
    # compute in the profile nothing of the workload runs in a VPC to use it.
    if c is not None and ((s3 is not None and s3 > 0) or web):
        out.append(gateway_endpoint(book, s3))
    return out
