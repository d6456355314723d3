"""Purchase options: which apply, and the effective hourly price per instance type.

On-demand always; spot only when the workload tolerates interruption and is not tightly
coupled (Spot best practices; Spot Instance Advisor band shown with it; the measured price
where the catalog has one, else the estimate, see
:mod:`~recommender.rules.compute.spot`); Reserved Instances and Savings Plans at the
profile's term and payment option (``purchase_term_years`` 1 or 3, ``purchase_payment``
no/partial/all upfront; default 1 year, no upfront).  Prices come from the catalog's
``ec2_commitments`` table when it has one (Reserved Standard and Compute Savings Plans rates,
the upfront fee spread over the term), else from the ``reserved_{1,3}y_no_upfront`` columns
of ``ec2_prices``.  Where the region has no such price a type falls back to on-demand and the
response says how many did (https://aws.amazon.com/ec2/pricing/reserved-instances/pricing/,
https://aws.amazon.com/savingsplans/compute-pricing/).

A commitment bills every hour of its term whether the instance runs or not: a Reserved
Instance's discounted rate is billed "for every hour within the term, regardless of whether the
Reserved Instance is being used" (No/Partial Upfront; All Upfront pays the term at once,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options),
and a Savings Plan is a commitment to a consistent amount of usage in USD per hour for the term
(https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html).  So a
workload running ``hours_per_month`` below the 730-hour month pays the committed rate for 730
hours: its price per hour used is rate x 730 / hours, and on-demand wins where that is dearer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Unpriced
from recommender.rules.base import HOURS_PER_MONTH
from recommender.rules.compute.candidates import Ec2Index
from recommender.rules.compute.index import ec2_index, verify_flags
from recommender.rules.compute.spot import SpotBasis, spot_prices
from recommender.rules.prices import per_catalog

if TYPE_CHECKING:
    import pandas as pd

#: (price, upfront, price_as_of, price_source, verify) arrays of one purchase option.
Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
CommitmentKey = tuple[str, int, str]
_PO_ORDER = ("on_demand", "spot", "reserved", "savings_plan")
#: The commitments offering that prices each committed purchase option.
OFFERING = {"reserved": "reserved_standard", "savings_plan": "savings_plan_compute"}
_NAMES = {"reserved": "Reserved Instances", "savings_plan": "Savings Plans"}
DEFAULT_TERM_YEARS = 1
DEFAULT_PAYMENT = "no_upfront"
#: Hours in the month AWS's pricing pages use (rules.base); a commitment bills them all.
MONTH_HOURS = HOURS_PER_MONTH
#: The pages that say a commitment bills every hour of its term, used or not.
COMMITMENT_BILLING_URL = {
    "reserved": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                "ec2-reserved-instances.html#ri-payment-options",
    "savings_plan": "https://docs.aws.amazon.com/savingsplans/latest/userguide/"
                    "what-is-savings-plans.html",
}


@dataclass(frozen=True)
class Pricing:
    """Per type: effective USD/h per node, the purchase option it is, and its provenance."""

    price: np.ndarray
    po: np.ndarray  # object: on_demand | spot | reserved | savings_plan
    as_of: np.ndarray
    source: np.ndarray
    upfront: np.ndarray  # USD per node (NaN: none or not given)
    term_years: int
    payment: str
    #: How each spot price was found (measured or estimate); None when spot is not allowed.
    spot: SpotBasis | None = None
    #: Per type: the source of the price used marks it unverified (the catalog's ``verify``
    #: of the row it came from: on-demand, measured spot or commitment).
    verify: np.ndarray | None = None
    #: Hours a month the workload runs (the profile's ``hours_per_month``, else 730).
    hours: float = MONTH_HOURS
    #: Per type: the committed USD/h before it is spread over the hours used (NaN otherwise).
    rate: np.ndarray | None = None
    #: Per committed option asked: per type, the catalog has no rate for it (on-demand does).
    missing: tuple[tuple[str, np.ndarray], ...] = ()
    #: What the option texts derive from one type's price (explain.price_texts), kept with
    #: the pricing they read: its arrays are never changed once priced.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def priced(self) -> np.ndarray:
        """Per type: a price exists (``~np.isnan(price)``), once per pricing (a memoised
        pricing serves many calls; read-only, as they share it)."""
        got: np.ndarray | None = self.__dict__.get("_priced")
        if got is None:
            got = ~np.isnan(self.price)
            got.setflags(write=False)
            self.__dict__["_priced"] = got  # (frozen: not through __setattr__)
        return got

    def unverified(self, i: int) -> bool:
        """Whether the price used for type ``i`` is marked unverified by its source."""
        return bool(self.verify is not None and self.verify[i])

    def config(self, i: int) -> dict[str, Any]:
        """The purchase fields of type ``i``'s option config (term/payment when committed,
        which spot price when spot)."""
        out: dict[str, Any] = {"price_as_of": self.as_of[i], "price_source": self.source[i]}
        if self.po[i] == "spot" and self.spot is not None:
            out.update(self.spot.config(i, self.as_of[i]))
        if self.po[i] in OFFERING:
            out.update(term_years=self.term_years, payment=self.payment,
                       offering=OFFERING[str(self.po[i])])
            if not np.isnan(self.upfront[i]):
                out["upfront_usd_per_node"] = round(float(self.upfront[i]), 2)
            if self.hours < MONTH_HOURS and self.rate is not None:
                out.update(commitment_usd_per_hour=round(float(self.rate[i]), 5),
                           billed_hours_per_month=MONTH_HOURS)
        return out

    def billing_note(self, i: int) -> str:
        """The sentence saying a commitment bills every hour of the month, when the workload
        runs fewer ('' otherwise): the rate, the 730 h billed and the price per hour used."""
        po = str(self.po[i])
        if po not in OFFERING or self.hours >= MONTH_HOURS or self.rate is None:
            return ""
        rate = float(self.rate[i])
        return (f" It bills every hour of the term whether the instance runs or not "
                f"({COMMITMENT_BILLING_URL[po]}): ${rate:.4f}/h x {MONTH_HOURS:g} h = "
                f"${rate * MONTH_HOURS:,.2f}/month per node for the {self.hours:g} h used, "
                f"${float(self.price[i]):.4f} per hour used (on-demand bills only the "
                "hours run).")

    def unpriced(self, i: int, itype: str, region: str) -> list[Unpriced]:
        """The commitments asked for that the catalog does not price for type ``i``, named
        with the price the option shows instead (every cost counted or named)."""
        out = []
        for po, mask in self.missing:
            if not mask[i]:
                continue
            name = f"{_NAMES[po]} {self.term_years}y {self.payment.replace('_', ' ')}"
            out.append(Unpriced(item=f"{name} ({itype})", reason=(
                f"the catalog (ec2_commitments) has no {name} rate for {itype} in {region}, "
                f"so its cost is not known ({COMMITMENT_BILLING_URL[po]}); the cost shown is "
                f"{self.label(i).replace('_', '-')}")))
        return out

    def label(self, i: int) -> str:
        """``reserved 1y no upfront`` / ``on_demand``: what the reason names."""
        po = str(self.po[i])
        if po not in OFFERING:
            return po
        return f"{po} {self.term_years}y {self.payment.replace('_', ' ')}"


#: Spot best practices: Spot is not suitable for work "tightly coupled between instance nodes".
SPOT_BEST_PRACTICES_URL = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html")


def allowed_purchase_options(p: WorkloadProfile, warnings: list[str]) -> tuple[str, ...]:
    """Purchase options to price: on-demand, spot only when interruption-tolerant and not
    tightly coupled, commitments.

    AWS's Spot best practices call Spot unsuitable for workloads that are fault-intolerant or
    "tightly coupled between instance nodes" and warn strongly against it there
    (SPOT_BEST_PRACTICES_URL): one reclaimed node stops every node of a coupled (MPI) job, so
    ``scale_out`` ``tightly_coupled`` gets no spot option even when interruption-tolerant.
    """
    c = p.compute
    tolerant = bool(c and c.interruption_tolerant)
    coupled = bool(c and c.scale_out == "tightly_coupled")
    asked = list(p.purchase_options or (["on_demand", "spot"] if tolerant else ["on_demand"]))
    if "spot" in asked and not tolerant:
        asked.remove("spot")
        warnings.append("purchase option spot ignored: set compute.interruption_tolerant to "
                        "true if the workload can be interrupted.")
    elif "spot" in asked and coupled:
        asked.remove("spot")
        warnings.append("purchase option spot ignored: tightly coupled work "
                        "(compute.scale_out tightly_coupled) stops on every node when one "
                        "Spot node is reclaimed; AWS calls Spot unsuitable for workloads "
                        f"tightly coupled between instance nodes ({SPOT_BEST_PRACTICES_URL}).")
    allowed = tuple(po for po in _PO_ORDER if po in asked)
    return allowed or ("on_demand",)


def _commitment_arrays(ix: Ec2Index, df: pd.DataFrame) -> dict[CommitmentKey, Rows]:
    """(offering, term, payment) -> (price, upfront, as_of, source, verify) arrays, (R, N).

    Grouped in plain Python over the table's columns (a pandas ``groupby`` with a ``map`` per
    group cost ~50 ms for 1,867 rows, most of a CLI run's first answer); rows of a type or
    region the index does not hold, or with a missing key, are left out as before.
    """
    import pandas as pd  # the table's frame is pandas; a warm process loads the arrays instead

    ri = np.array([ix.region_pos.get(r, -1) for r in df["region"].tolist()], dtype=int)
    ci = np.array([ix.pos.get(t, -1) for t in df["instance_type"].tolist()], dtype=int)
    cols = (df["effective_usd_per_hour"].to_numpy(dtype=float),
            pd.to_numeric(df["upfront_usd"], errors="coerce").to_numpy(float),
            df["price_as_of"].astype(str).to_numpy(), df["price_source"].astype(str).to_numpy(),
            verify_flags(df))
    groups: dict[tuple[str, int, str], list[int]] = {}
    keys = zip(df["offering"].tolist(), df["term_years"].tolist(), df["payment"].tolist(),
               strict=True)
    for i, (off, term, pay) in enumerate(keys):
        if ri[i] >= 0 and ci[i] >= 0 and not any(pd.isna(v) for v in (off, term, pay)):
            groups.setdefault((str(off), int(term), str(pay)), []).append(i)
    shape = (len(ix.regions), ix.n)
    out: dict[CommitmentKey, Rows] = {}
    for key in sorted(groups):
        rows = np.array(groups[key], dtype=int)
        arrs = (np.full(shape, np.nan), np.full(shape, np.nan),
                np.full(shape, None, dtype=object), np.full(shape, None, dtype=object),
                np.zeros(shape, dtype=bool))
        for arr, col in zip(arrs, cols, strict=True):
            arr[ri[rows], ci[rows]] = col[rows]
        out[key] = arrs
    return out


def commitments(catalog: Any, ix: Ec2Index) -> dict[CommitmentKey, Rows] | None:
    """The catalog's ``ec2_commitments`` as arrays (None when the catalog has no such table).

    Kept on disk with the catalog's other derived indexes (``persist``): a warm process reads
    the arrays instead of parsing the table (and importing pandas to do it).
    """
    def build(c: Any) -> tuple[bool, dict[CommitmentKey, Rows]]:
        tables = getattr(c, "tables", None) or {}
        df = tables.get("ec2_commitments") if isinstance(tables, dict) else None
        if df is None or len(df) == 0:
            return False, {}
        return True, _commitment_arrays(ix, df)

    present, arrays = per_catalog("ec2_commitments", catalog, build, persist=tuple)
    return arrays if present else None


def _committed_row(
    ix: Ec2Index, r: int, po: str, *, term: int, payment: str,
    table: dict[CommitmentKey, Rows] | None,
) -> Rows:
    n = ix.n
    hit = table.get((OFFERING[po], term, payment)) if table else None
    if hit is not None:
        return hit[0][r], hit[1][r], hit[2][r], hit[3][r], hit[4][r]
    if po == "reserved" and table is None and payment == "no_upfront":
        col = ix.reserved_1y if term == 1 else ix.reserved_3y
        return col[r], np.full(n, np.nan), ix.price_as_of[r], ix.price_source[r], ix.verify[r]
    return (np.full(n, np.nan), np.full(n, np.nan), np.full(n, None, object),
            np.full(n, None, object), np.zeros(n, dtype=bool))


def effective_prices(
    ix: Ec2Index, r: int, allowed: tuple[str, ...], *, p: WorkloadProfile | None = None,
    catalog: Any = None, warnings: list[str] | None = None,
) -> Pricing:
    """Per type: the cheapest hourly price among the allowed purchase options, and which.

    A committed option the region does not price falls back to on-demand (warned, never
    dropped); NaN only where no price at all exists (the filter then rejects the type).
    """
    term = (p.purchase_term_years if p else None) or DEFAULT_TERM_YEARS
    pay = (p.purchase_payment if p else None) or DEFAULT_PAYMENT
    hours = (p.compute.hours_per_month if p and p.compute else None) or MONTH_HOURS
    # Pure in (index, region, options, term, payment): memoised per catalog (the hot path),
    # only for the catalog's own (cached) index, so the key needs no object identity.  A
    # stand-in without ``derive`` keeps no memo, and no index is built just to compare.
    own = hasattr(catalog, "derive") and ec2_index(catalog) is ix
    memo: dict[tuple[Any, ...], tuple[Pricing, list[str]]] = per_catalog(
        "ec2_pricing_memo", catalog, lambda c: {}) if own else {}
    key = (r, allowed, term, pay, hours)
    hit = memo.get(key)
    if hit is None:
        said: list[str] = []
        hit = (_price(ix, r, allowed, term=term, pay=pay, hours=hours, catalog=catalog,
                      warnings=said), said)
        if len(memo) < 256:
            memo[key] = hit
    if warnings is not None:
        warnings.extend(hit[1])
    return hit[0]


def _price(ix: Ec2Index, r: int, allowed: tuple[str, ...], *, term: int, pay: str,
           hours: float, catalog: Any, warnings: list[str]) -> Pricing:
    """:func:`effective_prices` without the memo.

    A committed rate is compared and billed per hour *used*: rate x 730 / ``hours`` below the
    730-hour month, since the commitment bills every hour (COMMITMENT_BILLING_URL)."""
    # Only a committed option reads the commitments table (on-demand and spot never do).
    committed_asked = any(po in OFFERING for po in allowed)
    table = commitments(catalog, ix) if catalog is not None and committed_asked else None
    od = (ix.ondemand[r], np.full(ix.n, np.nan), ix.price_as_of[r], ix.price_source[r],
          ix.verify[r])
    rows: dict[str, Rows] = {}
    spot: SpotBasis | None = None
    for po in allowed:
        if po == "on_demand":
            rows[po] = od
        elif po == "spot":
            rows[po], spot = spot_prices(ix, r)
        else:
            rows[po] = _committed_row(ix, r, po, term=term, payment=pay, table=table)
    spread = max(1.0, MONTH_HOURS / hours)  # 1 at 730 h or more: nothing to spread
    for po in (k for k in rows if k in OFFERING):
        rows[po] = (rows[po][0] * spread, *rows[po][1:])
    names = list(rows)
    stack = np.vstack([rows[k][0] for k in names])
    filled = np.where(np.isnan(stack), np.inf, stack)
    choice = filled.argmin(axis=0)
    price = np.where(np.isnan(stack).all(axis=0), np.nan, filled.min(axis=0))
    chosen = np.array(names, dtype=object)[choice]
    pick = [np.choose(choice, [rows[k][j] for k in names]) for j in (1, 2, 3, 4)]
    fallback = np.isnan(price) & ~np.isnan(ix.ondemand[r])
    committed = [k for k in names if k in OFFERING]
    if fallback.any() and "on_demand" not in names:
        price = np.where(fallback, ix.ondemand[r], price)
        chosen = np.where(fallback, "on_demand", chosen).astype(object)
        for j in (1, 2, 3, 4):
            pick[j - 1] = np.where(fallback, od[j], pick[j - 1])
    if committed:
        _warn_missing(rows, committed, ix, r, term=term, pay=pay, table=table,
                      warnings=warnings)
    chosen_rate = np.where(np.isin(chosen, list(OFFERING)), price / spread, np.nan)
    has_od = ~np.isnan(ix.ondemand[r])
    missing = tuple((po, np.isnan(rows[po][0]) & has_od) for po in committed)
    return Pricing(price, chosen, pick[1], pick[2], pick[0].astype(float), term, pay, spot,
                   pick[3].astype(bool), hours, chosen_rate, missing)


def _warn_missing(rows: dict[str, Rows], committed: list[str], ix: Ec2Index, r: int, *,
                  term: int, pay: str, table: dict[CommitmentKey, Rows] | None,
                  warnings: list[str]) -> None:
    priced = ~np.isnan(ix.ondemand[r])
    for po in committed:
        missing = int(np.count_nonzero(priced & np.isnan(rows[po][0])))
        if not missing:
            continue
        src = "ec2_commitments" if table else "ec2_prices (no ec2_commitments table)"
        name = _NAMES[po]
        warnings.append(
            f"{name} {term}y {pay.replace('_', ' ')}: no price in "
            f"{ix.regions[r]} for {missing} of {int(priced.sum())} instance types in {src}; "
            "those are priced on-demand instead (never dropped).")
