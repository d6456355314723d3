"""The spot price of each instance type: measured where the catalog has it, else the estimate.

A measured price is the latest ``DescribeSpotPriceHistory`` record per Availability Zone
(``ec2_spot_prices``, built once per catalog into :class:`~.index.SpotMeasured`); the engine
uses the **lowest** AZ's.  A spot price is set per capacity pool (instance type x AZ) and
changes with supply and demand; AWS publishes the history so a user can see where and when it
is lowest and launch there ("Spot Instance pricing history",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-instances-history.html).  The
lowest AZ is the price a single instance or a fleet placed by a lowest-price allocation can
get, and it is what the catalog's ``ec2_prices.spot_usd_per_hour`` column holds, so the engine
and ``catalog info`` agree; the reason also shows the dearest AZ, the spread a fleet spread
across AZs would meet.  Without a measurement the price is the estimate on-demand x (1 -
savings %) of the Spot Instance Advisor (``spot_usd_per_hour_est``), and the option says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.rules.compute.index import Ec2Index

#: The page the measured price follows (cited in the reason).
SPOT_HISTORY_URL = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-instances-history.html")
#: "A Spot Instance interruption notice is a warning that is issued two minutes before
#: Amazon EC2 stops or terminates your Spot Instance" (Spot Instance interruption notices):
#: every spot option says so, whatever its price basis.
SPOT_NOTICE_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                   "spot-instance-termination-notices.html")
SPOT_NOTICE = ("EC2 reclaims a Spot Instance with a two-minute interruption notice "
               f"({SPOT_NOTICE_URL}): drain or checkpoint the node's work within it.")
#: Where the savings % behind an estimated spot price comes from.
SPOT_ADVISOR_URL = "https://aws.amazon.com/ec2/spot/instance-advisor/"
MEASURED = "measured"
ESTIMATE = "estimate"


@dataclass(frozen=True)
class SpotBasis:
    """How each type's spot price in one region was found (arrays over the index's types)."""

    measured: np.ndarray  # bool: from DescribeSpotPriceHistory
    az: np.ndarray  # object: the cheapest AZ (measured only)
    zones: np.ndarray  # int: AZs measured
    high: np.ndarray  # float: the dearest AZ's latest price
    savings_pct: np.ndarray  # float: the advisor's saving behind the estimate

    def label(self, i: int, as_of: Any) -> str:
        """``measured spot price, us-east-1c, 2021-02-08`` or ``estimate from savings %``."""
        if self.measured[i]:
            return f"measured spot price, {self.az[i]}, {str(as_of)[:10]}"
        return "estimate from savings %"

    def config(self, i: int, as_of: Any) -> dict[str, Any]:
        """The spot fields of type ``i``'s option config."""
        out: dict[str, Any] = {"spot_price_basis": MEASURED if self.measured[i] else ESTIMATE,
                               "spot_price_note": self.label(i, as_of)}
        if self.measured[i]:
            out["spot_availability_zone"] = self.az[i]
            out["spot_availability_zones_measured"] = int(self.zones[i])
        return out

    def text(self, i: int, price: float, as_of: Any) -> str:
        """The reason's sentence: which price, from where and when (PERF01-BP03)."""
        if self.measured[i]:
            spread = (f"; the {int(self.zones[i])} AZs measured range ${price:.4f}-"
                      f"${float(self.high[i]):.4f}/h" if self.zones[i] > 1 else "")
            return (f"{self.label(i, as_of)}: ${price:.4f}/h, the lowest AZ's latest "
                    f"DescribeSpotPriceHistory price{spread} ({SPOT_HISTORY_URL})")
        pct = self.savings_pct[i]
        saving = f"{pct:.0f}% off" if np.isfinite(pct) else "a saving on"
        return (f"{self.label(i, as_of)}: ${price:.4f}/h = {saving} the on-demand price "
                f"(Spot Instance Advisor, {SPOT_ADVISOR_URL}); no measured spot price in the "
                "catalog")


#: (price, upfront, price_as_of, price_source, verify) arrays, as purchase.Rows.
SpotRows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def spot_prices(ix: Ec2Index, r: int) -> tuple[SpotRows, SpotBasis]:
    """Region ``r``'s spot (price, upfront, as_of, source, verify) per type, and its basis.

    Measured where ``ec2_spot_prices`` has the type in the region, else the estimate (dated
    and sourced like the on-demand price it is derived from).
    """
    m = ix.spot_measured
    measured = ~np.isnan(m.price[r])
    price = np.where(measured, m.price[r], ix.spot[r])
    as_of = np.where(measured, m.as_of[r], ix.price_as_of[r]).astype(object)
    source = np.where(measured, m.source[r], ix.price_source[r]).astype(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        savings = (1.0 - ix.spot[r] / ix.ondemand[r]) * 100.0
    basis = SpotBasis(measured, m.az[r], m.zones[r], m.high[r], savings)
    # An estimate is derived from the on-demand price, so it carries that price's flag.
    verify = np.where(measured, m.verify[r], ix.verify[r]).astype(bool)
    return (price, np.full(ix.n, np.nan), as_of, source, verify), basis
