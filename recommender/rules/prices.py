"""Price and fact look-ups over the catalog, indexed once per catalog object.

``unit_prices`` rows are looked up by their stable item id (ARCHITECTURE.md) and region;
tiered items are costed tier by tier.  Nothing here invents a price: a missing row gives
``None`` and the caller says "no price for X in region Y" in the option.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from catalog.declared import UNIT_SCALE
from catalog.store import per_catalog as per_catalog  # re-exported: the rules' cache

if TYPE_CHECKING:  # frames only when a book is built from the tables (a cold cache)
    import pandas as pd

T = TypeVar("T")




def fmt_unit_usd(x: float | None) -> str:
    """A unit price as the pricing page writes it: ``$0.015``, ``$0.138``, ``$0.09``.

    :func:`recommender.rules.base.fmt_usd` rounds to cents, right for a monthly figure but
    wrong for a unit price: a Kinesis shard-hour of $0.015 would read "$0.01" and a
    sa-east-1 inter-region GB of $0.138 "$0.14".  Up to six decimals, at least two.
    """
    if x is None or math.isnan(x):
        return "n/a"
    if x != 0 and abs(x) < 0.0001:
        return f"${x:.4g}"
    text = f"{x:,.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


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


@dataclass(frozen=True)
class BookRows:
    """The cells a :class:`PriceBook` is made of, already converted (storable by
    :mod:`catalog.derived_cache`, so a warm process builds its book without pandas)."""

    #: ``unit_prices``: item, region, to_region (None: no destination), price_as_of and
    #: price_source (None when missing) as objects; tier bounds (inf: open), price, verify.
    item: np.ndarray
    region: np.ndarray
    to_region: np.ndarray
    start: np.ndarray
    end: np.ndarray
    price: np.ndarray
    verify: np.ndarray
    unit: np.ndarray
    as_of: np.ndarray
    source: np.ndarray
    #: ``facts``: topic, key, value, unit, scope, source_url (objects) and verify.
    facts: tuple[np.ndarray, ...]
    fact_verify: np.ndarray


def _na(v: Any) -> bool:
    """``pd.isna`` of one cell: None, NaN, or pandas' NA (pandas is loaded if a cell is)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and bool(pd.isna(v))


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def book_rows(unit_prices: pd.DataFrame, facts: pd.DataFrame) -> BookRows:
    """The :class:`BookRows` of the two tables (the cells converted as the book uses them)."""
    up = unit_prices
    names = ("item", "region", "to_region", "tier_start", "tier_end", "price_usd", "verify",
             "unit", "price_as_of", "price_source")
    cols: list[list[Any]] = [up[c].tolist() if c in up.columns else [None] * len(up)
                             for c in names]
    item, region, to, start, end, price, verify, unit, as_of, src = cols
    fcols = [facts[c].tolist() for c in ("topic", "key", "value", "unit", "scope",
                                         "source_url", "verify")]
    return BookRows(
        item=_objects([str(v) for v in item]), region=_objects([str(v) for v in region]),
        to_region=_objects([None if v is None or isinstance(v, float) or _na(v) else str(v)
                            for v in to]),
        start=np.array([0.0 if _na(v) else float(v) for v in start], dtype=float),
        end=np.array([math.inf if _na(v) else float(v) for v in end], dtype=float),
        price=np.array([float(v) for v in price], dtype=float),
        verify=np.array([bool(v) for v in verify], dtype=bool),
        unit=_objects([str(v) for v in unit]), as_of=_objects([_s(v) for v in as_of]),
        source=_objects([_s(v) for v in src]),
        facts=(_objects([str(v) for v in fcols[0]]), _objects([str(v) for v in fcols[1]]),
               *(_objects([_s(v) for v in c]) for c in fcols[2:6])),
        fact_verify=np.array([bool(v) for v in fcols[6]], dtype=bool))


class PriceBook:
    """``unit_prices`` and ``facts`` indexed for constant-time look-ups."""

    def __init__(self, unit_prices: pd.DataFrame, facts: pd.DataFrame) -> None:
        self._fill(book_rows(unit_prices, facts))

    @classmethod
    def from_rows(cls, rows: BookRows) -> PriceBook:
        """The book of already-converted cells (:func:`book_rows`, maybe from the disk cache)."""
        book = cls.__new__(cls)
        book._fill(rows)
        return book

    def _fill(self, rows: BookRows) -> None:
        self._memo: dict[str, Any] = {}
        self._tiers: dict[tuple[str, str, str | None], list[Tier]] = {}
        cols = [a.tolist() for a in (rows.item, rows.region, rows.to_region, rows.start,
                                     rows.end, rows.price, rows.verify, rows.unit,
                                     rows.as_of, rows.source)]
        for item, region, to, s, e, price, verify, unit, as_of, src in zip(*cols, strict=True):
            self._tiers.setdefault((item, region, to), []).append(
                Tier(s, e, price, verify, unit, as_of, src))
        for tiers in self._tiers.values():
            tiers.sort(key=lambda t: t.start)
        self._facts: dict[tuple[str, str], list[Fact]] = {}
        fcols = [a.tolist() for a in (*rows.facts, rows.fact_verify)]
        for topic, key, value, unit, scope, url, verify in zip(*fcols, strict=True):
            f = Fact(topic, key, value, unit, scope, url, verify)
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
        """Item ids starting with ``prefix`` priced in ``region`` (sorted).

        The answer is the book's alone (its tiers never change once filled): found once per
        (prefix, region), as the scan passes every tier (about 3,600 keys; ~0.3 ms a call),
        and handed out as a new list each time.
        """
        found: dict[tuple[str, str], tuple[str, ...]] = self.memo("items", dict)
        key = (prefix, region)
        if key not in found:
            found[key] = tuple(sorted(
                {k[0] for k in self._tiers if k[1] == region and k[0].startswith(prefix)}))
        return list(found[key])

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
    if v is None or (isinstance(v, float) and math.isnan(v)) or _is_pd_na(v):
        return None
    return str(v)


def _is_pd_na(v: Any) -> bool:
    """``v is pd.NA``, without importing pandas (a cell can only be NA once it is loaded)."""
    pd = sys.modules.get("pandas")
    return pd is not None and v is pd.NA


def price_book(catalog: Any) -> PriceBook:
    """The catalog's :class:`PriceBook` (built once per catalog; its converted cells are
    kept on disk too, so a warm process reads neither table)."""
    def rows(c: Any) -> BookRows:
        return book_rows(c.unit_prices, c.facts)

    return per_catalog("price_book", catalog, lambda c: PriceBook.from_rows(
        per_catalog("price_book_rows", c, rows, persist=BookRows)))


#: Edge geography of CloudFront data-out prices for each region-code prefix; a geography
#: label of the price feed, not a price.  The pricing page's columns group "United States,
#: Mexico, and Canada", "Europe, Israel, and Türkiye", "South Africa, Kenya, Nigeria, and
#: Middle East" and "Australia and New Zealand" (https://aws.amazon.com/cloudfront/pricing/;
#: usage tiers are measured per geography), so Canada and Israel price there, South Africa
#: with the Middle East (one column, one set of tiers; the feed's two rows carry the same
#: prices) and New Zealand (ap-southeast-6, Auckland) with Australia.
_EDGE_GEO = (
    ("us-", "United States"), ("ca-", "United States"), ("mx-", "United States"),
    ("eu-", "EU"), ("il-", "EU"),
    ("ap-south-", "India"), ("ap-northeast-1", "Japan"), ("ap-northeast-3", "Japan"),
    ("ap-southeast-2", "Australia"), ("ap-southeast-4", "Australia"),
    ("ap-southeast-6", "Australia"), ("ap-", "Asia Pacific"),
    ("me-", "Middle East"), ("af-", "Middle East"),
    ("sa-", "South America"),
)


def edge_geography(region: str) -> str:
    """CloudFront's price geography for users in ``region`` (e.g. ``eu-west-1`` -> ``EU``)."""
    for prefix, geo in _EDGE_GEO:
        if region.startswith(prefix):
            return geo
    return "United States"


def cloudfront_usd(book: PriceBook, region: str, cdn_gib: float,
                   user_regions: dict[str, float] | None) -> tuple[float, bool, float] | None:
    """CloudFront's data out of ``cdn_gib`` GiB/month: (USD, a price unverified, free GB).

    The figure of :func:`recommender.rules.network.cloudfront_cost` without its reasons
    (which the trade-offs' compression stake does not need): the always-free GB
    (``cloudfront.data_out.free_tier``) shared by the users' shares (the region's own users
    when none are given), each geography through its own tiers
    (https://aws.amazon.com/cloudfront/pricing/).  None when a users' geography has no price.
    """
    free_rows = book.tiers("cloudfront.data_out.free_tier", "global")
    free_gb = free_rows[0].end if free_rows else 0.0
    cdn, unverified = 0.0, False
    geos: dict[str, float] = {}
    for u, share in sorted((user_regions or {region: 1.0}).items()):
        geos[edge_geography(u)] = geos.get(edge_geography(u), 0.0) + share
    for geo, s in geos.items():
        pc = book.cost("cloudfront.data_out", f"edge:{geo}", cdn_gib * s,
                       per="GB", free=free_gb * s)
        if pc is None:
            return None
        cdn += pc.usd
        unverified |= pc.verify
    return cdn, unverified, free_gb
