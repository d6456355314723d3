"""The budget ``max_monthly_usd`` on the costs the EC2 price filter does not see.

The budget is a hard constraint on every compute option (docs/CONTRACT.md, the decision
principle).  :func:`~recommender.rules.compute.candidates.filter_budget` holds each EC2 type's
price x nodes x hours to it, but two costs come after that filter:

* a burstable type in unlimited mode adds its surplus CPU credits, "billed for the additional
  usage at a flat additional rate per vCPU-hour" when the 24-hour average exceeds the baseline
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-unlimited-mode-concepts.html),
  so its monthly cost is the instance price plus that charge;
* Fargate tasks and Lambda functions are priced by their own rules (per vCPU-hour and GB-hour,
  https://aws.amazon.com/fargate/pricing/; per request and GB-second,
  https://aws.amazon.com/lambda/pricing/) and never pass through the EC2 filter.

Each is held to the budget here, with the figure it was compared at.
"""

from __future__ import annotations

from recommender.rules.base import Candidate, Rejections, fmt_usd

#: The pricing page each serverless option's cost follows (named in its rejection).
PRICING_URL = {"fargate": "https://aws.amazon.com/fargate/pricing/",
               "lambda": "https://aws.amazon.com/lambda/pricing/"}


def over_budget(cost: float, budget: float | None) -> bool:
    """Whether a monthly ``cost`` exceeds the budget (never without one, nor unpriced)."""
    return budget is not None and cost == cost and cost > budget


def serverless_within_budget(cands: list[Candidate], budget: float | None,
                             rej: Rejections) -> list[Candidate]:
    """The serverless candidates whose monthly cost is within ``budget``; the others are
    counted under ``<option>.above_budget`` with the figure (an unpriced one stays: it is
    named in ``unpriced``, as an EC2 type without a price is never held to the budget)."""
    if budget is None:
        return cands
    kept = []
    for c in cands:
        cost = c.monthly_cost_usd
        if cost is None or not over_budget(cost, budget):
            kept.append(c)
            continue
        page = PRICING_URL.get(c.option, "its pricing page")
        rej.add(f"{c.option}.above_budget", note=(
            f"{c.option} costs {fmt_usd(cost)}/month ({page}), above the budget "
            f"max_monthly_usd {fmt_usd(budget)}"))
    return kept


def unlimited_budget_note(itype: str, price_usd: float, surplus_usd: float,
                          budget: float) -> str:
    """Why burstable ``itype`` in unlimited mode is over the budget, in its figures."""
    return (f"{itype} in unlimited mode costs {fmt_usd(price_usd)} + {fmt_usd(surplus_usd)} of "
            f"surplus CPU credits = {fmt_usd(price_usd + surplus_usd)}/month "
            "(burstable-performance-instances-unlimited-mode-concepts.html), above the budget "
            f"max_monthly_usd {fmt_usd(budget)}")
