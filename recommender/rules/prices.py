"""Price and fact look-ups over the catalog, indexed once per catalog object.

``unit_prices`` rows are looked up by their stable item id (ARCHITECTURE.md) and region;
tiered items are costed tier by tier.  Nothing here invents a price: a missing row gives
``None`` and the caller says "no price for X in region Y" in the option.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from catalog.declared import UNIT_SCALE
from catalog.store import per_catalog as per_catalog  # re-exported: the rules' cache

T = TypeVar("T")




@dataclass(frozen=True)
class Tier:
    start: float
    end: float  # math.inf when open
    price_usd: float
    verify: bool
    unit: str
    price_as_of: str | None = None
    price_source: str | None = None


@dataclass(frozen=True)
class Priced:
    """A cost with its provenance: the verify flag, the first tier's price, date and source."""

    usd: float
    verify: bool
    unit_price_usd: float
    unit: str | None = None
    price_as_of: str | None = None
    price_source: str | None = None

    def provenance(self) -> dict[str, Any]:
        """``price_as_of``/``price_source`` (and ``verify`` when set) for an option's config."""
        out: dict[str, Any] = {"price_as_of": self.price_as_of, "price_source": self.price_source}
        if self.verify:
            out["price_verify"] = True
        return out


class UnitMismatchError(ValueError):
    """A cost asked for in a quantity the price row is not billed on (a programming error)."""


def unit_scale(unit: str) -> tuple[str, float]:
    """(billed quantity, quantity per price) of a declared unit (``catalog.declared.UNIT_SCALE``).

    Raises
    ------
    UnitMismatchError
        For a unit the schema does not declare.
    """
    try:
        return UNIT_SCALE[unit]
    except KeyError:
        raise UnitMismatchError(f"unit {unit!r} is not one of the declared units "
                                f"(catalog.declared.UNIT_SCALE)") from None


def per_unit_cost(price_usd: float, quantity: float, per: float = 1.0) -> float:
    """The one cost of the per-unit shape: ``quantity / per x price``.

    ``per`` is how many units one price covers (1e6 for "USD per 1M requests").
    """
    return max(0.0, float(quantity)) / per * price_usd


def tiered_cost(tiers: list[Tier], quantity: float, per: float = 1.0) -> tuple[float, bool]:
    """The one cost of the tiered shape: each tier's share of ``quantity`` at its price.

    Tier bounds are in the billed quantity (requests, GB...), not in ``per``-sized blocks.
    Returns the cost and whether any tier used is marked verify.
    """
    q = max(0.0, float(quantity))
    total, verify = 0.0, False
    for t in tiers:
        if q <= t.start:
            break
        total += per_unit_cost(t.price_usd, min(q, t.end) - t.start, per)
        verify = verify or t.verify
    return total, verify


@dataclass(frozen=True)
class Fact:
    topic: str
    key: str
    value: str | None
    unit: str | None
    scope: str | None
    source_url: str | None
    verify: bool


class PriceBook:
    """``unit_prices`` and ``facts`` indexed for constant-time look-ups."""

    def __init__(self, unit_prices: pd.DataFrame, facts: pd.DataFrame) -> None:
        self._memo: dict[str, Any] = {}
        self._tiers: dict[tuple[str, str, str | None], list[Tier]] = {}
        up = unit_prices
        cols = [up[c].tolist() if c in up.columns else [None] * len(up) for c in
                ("item", "region", "to_region", "tier_start", "tier_end", "price_usd",
                 "verify", "unit", "price_as_of", "price_source")]  # fmt: skip
        for item, region, to_region, start, end, price, verify, unit, as_of, src in zip(
                *cols, strict=True):
            to = None if to_region is None or (isinstance(to_region, float)) or pd.isna(to_region) \
                else str(to_region)
            s = 0.0 if pd.isna(start) else float(start)
            e = math.inf if pd.isna(end) else float(end)
            self._tiers.setdefault((str(item), str(region), to), []).append(
                Tier(s, e, float(price), bool(verify), str(unit), _s(as_of), _s(src))
            )
        for tiers in self._tiers.values():
            tiers.sort(key=lambda t: t.start)
        self._facts: dict[tuple[str, str], list[Fact]] = {}
        for r in facts.itertuples(index=False):
            f = Fact(
                str(r.topic), str(r.key), _s(r.value), _s(r.unit), _s(r.scope),
                _s(r.source_url), bool(r.verify),
            )
            self._facts.setdefault((f.topic, f.key), []).append(f)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from this book, computed once (e.g. parsed Fargate task sizes)."""
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value

    # ------------------------------------------------------------------ unit prices

    def tiers(self, item: str, region: str, to_region: str | None = None) -> list[Tier]:
        """Tiers of ``item`` in ``region`` (empty when the catalog has no price)."""
        return self._tiers.get((item, region, to_region), [])

    def unit(self, item: str, region: str, to_region: str | None = None) -> Tier | None:
        """The first tier's price (the marginal price of the first unit), or None."""
        t = self.tiers(item, region, to_region)
        return t[0] if t else None

    def cost(
        self, item: str, region: str, quantity: float, to_region: str | None = None, *,
        per: str | None = None, free: float = 0.0,
    ) -> Priced | None:
        """Cost of ``quantity`` of ``item`` (through its tiers), or None without a price.

        Parameters
        ----------
        item, region, to_region : str
            The ``unit_prices`` row key.
        quantity : float
            How much is used, in the row's billed quantity (requests, GB, GB-seconds...):
            the unit's scale ("USD per 1M requests" covers 1e6 requests) is applied here.
        per : str, optional
            The quantity the caller counts in (e.g. ``"request"``); when given, a row billed
            on anything else raises :class:`UnitMismatchError` instead of costing wrongly.
        free : float
            A free allowance in the same quantity, taken off before pricing (a free tier).
        """
        tiers = self.tiers(item, region, to_region)
        if not tiers:
            return None
        billed_on, scale = _scale_or_one(tiers[0].unit)
        if per is not None and per != billed_on:
            raise UnitMismatchError(f"{item} is billed per {billed_on!r} ({tiers[0].unit}); "
                                    f"the caller counts {per!r}")
        q = max(0.0, float(quantity) - max(0.0, free))
        if len(tiers) == 1 and tiers[0].start == 0 and math.isinf(tiers[0].end):
            total, verify = per_unit_cost(tiers[0].price_usd, q, scale), tiers[0].verify
        else:
            total, verify = tiered_cost(tiers, q, scale)
        t0 = tiers[0]
        return Priced(total, verify or t0.verify, t0.price_usd, t0.unit, t0.price_as_of,
                      t0.price_source)

    def items(self, prefix: str, region: str) -> list[str]:
        """Item ids starting with ``prefix`` priced in ``region`` (sorted)."""
        return sorted({k[0] for k in self._tiers if k[1] == region and k[0].startswith(prefix)})

    def has_item(self, item: str) -> bool:
        return any(k[0] == item for k in self._tiers)

    # ------------------------------------------------------------------ facts

    def facts(self, topic: str, key: str) -> list[Fact]:
        return self._facts.get((topic, key), [])

    def fact(self, topic: str, key: str, scope_prefix: str | None = None) -> Fact | None:
        """The first fact of (topic, key) whose scope starts with ``scope_prefix`` (if given)."""
        for f in self.facts(topic, key):
            if scope_prefix is None or (f.scope or "").startswith(scope_prefix):
                return f
        return None

    def fact_float(self, topic: str, key: str, scope_prefix: str | None = None) -> float | None:
        f = self.fact(topic, key, scope_prefix)
        if f is None or f.value is None:
            return None
        try:
            return float(f.value.replace(",", ""))
        except ValueError:
            return None

    def topic(self, topic: str) -> list[Fact]:
        return [f for (t, _), fs in self._facts.items() if t == topic for f in fs]


def _scale_or_one(unit: str) -> tuple[str, float]:
    """The declared scale of ``unit``; an undeclared unit (older snapshots) counts as 1."""
    try:
        return unit_scale(unit)
    except UnitMismatchError:
        return unit.removeprefix("USD per ").strip(), 1.0


def _s(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return str(v)


def price_book(catalog: Any) -> PriceBook:
    """The catalog's :class:`PriceBook` (built once per catalog)."""
    return per_catalog("price_book", catalog, lambda c: PriceBook(c.unit_prices, c.facts))


#: Edge geography of CloudFront data-out prices for each region-code prefix; a geography
#: label of the price feed, not a price.
_EDGE_GEO = (
    ("us-", "United States"), ("ca-", "Canada"), ("mx-", "United States"), ("eu-", "EU"),
    ("ap-south-", "India"), ("ap-northeast-1", "Japan"), ("ap-northeast-3", "Japan"),
    ("ap-southeast-2", "Australia"), ("ap-southeast-4", "Australia"), ("ap-", "Asia Pacific"),
    ("me-", "Middle East"), ("il-", "Middle East"), ("af-", "South Africa"),
    ("sa-", "South America"),
)


def edge_geography(region: str) -> str:
    """CloudFront's price geography for users in ``region`` (e.g. ``eu-west-1`` -> ``EU``)."""
    for prefix, geo in _EDGE_GEO:
        if region.startswith(prefix):
            return geo
    return "United States"
