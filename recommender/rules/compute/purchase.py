"""Purchase options: which ones apply and the effective hourly price per instance type.

On-demand always; spot only when the workload tolerates interruption (Spot Instance Advisor
band shown with it); reserved at the cheaper of the 1- and 3-year no-upfront prices.  The
catalog has no Savings Plans prices, which the response says instead of guessing.
"""

from __future__ import annotations

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.rules.compute.candidates import Ec2Index

_PO_ORDER = ("on_demand", "spot", "reserved")


def allowed_purchase_options(p: WorkloadProfile, warnings: list[str]) -> tuple[str, ...]:
    """Purchase options to price: on-demand, spot only when interruption-tolerant, reserved."""
    tolerant = bool(p.compute and p.compute.interruption_tolerant)
    asked = list(p.purchase_options or (["on_demand", "spot"] if tolerant else ["on_demand"]))
    if "spot" in asked and not tolerant:
        asked.remove("spot")
        warnings.append("purchase option spot ignored: set compute.interruption_tolerant to "
                        "true if the workload can be interrupted.")
    if "savings_plan" in asked:
        asked.remove("savings_plan")
        warnings.append("The catalog has no Savings Plans prices; those options are priced "
                        "with the other purchase options.")
    allowed = tuple(po for po in _PO_ORDER if po in asked)
    return allowed or ("on_demand",)


def effective_prices(
    ix: Ec2Index, r: int, allowed: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Per type: the cheapest hourly price among the allowed purchase options, and which.

    NaN where no allowed option has a price (the filter then rejects the type).
    """
    rows, names = [], []
    for po in allowed:
        if po == "on_demand":
            rows.append(ix.ondemand[r])
        elif po == "spot":
            rows.append(ix.spot[r])
        else:
            rows.append(np.fmin(ix.reserved_1y[r], ix.reserved_3y[r]))
        names.append(po)
    stack = np.vstack(rows)
    allnan = np.isnan(stack).all(axis=0)
    filled = np.where(np.isnan(stack), np.inf, stack)
    choice = filled.argmin(axis=0)
    price = np.where(allnan, np.nan, filled.min(axis=0))
    return price, np.array(names, dtype=object)[choice]
