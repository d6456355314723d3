"""Shared types of the rules: scores with reasons, rejection counters, best-practice ids.

Also the small pieces every priced option is built from, so storage, database, network and
trade-off rules phrase and record them the same way: the cost, no-price and verify reasons,
the price provenance in the option's config, and the costs an option names as unpriced.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel

from recommender.core.response import Reason, Unpriced

# Well-Architected Performance Efficiency pillar best practices the rules serve.
PERF01_COST = "PERF01-BP03"  # factor cost into architectural decisions
PERF01_TRADEOFFS = "PERF01-BP04"  # evaluate how trade-offs impact customers and efficiency
PERF01_BENCHMARK = "PERF01-BP06"  # use benchmarking to drive architectural decisions
PERF01_DATA = "PERF01-BP07"  # use a data-driven approach for architectural choices
PERF02_SELECT = "PERF02-BP01"  # select the best compute options for your workload
PERF02_CONFIG = "PERF02-BP02"  # understand the available compute configuration and features
PERF02_RIGHTSIZE = "PERF02-BP04"  # configure and right-size compute resources
PERF02_SCALE = "PERF02-BP05"  # scale your compute resources dynamically
PERF02_ACCEL = "PERF02-BP06"  # use optimized hardware-based compute accelerators
PERF03_PURPOSE = "PERF03-BP01"  # use a purpose-built data store
PERF03_CONFIG = "PERF03-BP02"  # evaluate available configuration options for data store
PERF03_QUERY = "PERF03-BP04"  # implement strategies to improve query performance
PERF03_CACHE = "PERF03-BP05"  # implement data access patterns that utilize caching
PERF04_UNDERSTAND = "PERF04-BP01"  # understand how networking impacts performance
PERF04_FEATURES = "PERF04-BP02"  # evaluate available networking features
PERF04_DEDICATED = "PERF04-BP03"  # choose dedicated connectivity or VPN
PERF04_LOCATION = "PERF04-BP06"  # choose the workload's location based on network needs

#: Hours and seconds in the month AWS prices use (730 = 8,760 / 12).
HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0


#: Validated reasons by (rule, best practice, text, severity): most texts recur from call to
#: call (the same options, the same numbers), and a :class:`Reason` is never changed once
#: made, so one instance serves every response that says it.  Emptied when it grows past
#: :data:`_REASONS_MAX` (a plain dict: an LRU's bookkeeping would cost what it saves).
_REASONS: dict[tuple[str, str, str, str], Reason] = {}
_REASONS_MAX = 50_000


def reason(rule: str, best_practice: str, text: str, severity: str = "info") -> Reason:
    """Build a :class:`Reason` (severity: info, caution or verify)."""
    key = (rule, best_practice, text, severity)
    hit = _REASONS.get(key)
    if hit is None:
        hit = Reason(rule=rule, best_practice=best_practice, text=text, severity=severity)
        if len(_REASONS) >= _REASONS_MAX:
            _REASONS.clear()
        _REASONS[key] = hit
    return hit


#: Unpriced entries by (item, reason, estimate), shared between options and responses as
#: :data:`_REASONS` are (an :class:`Unpriced` is never changed once made); emptied when full.
_UNPRICED: dict[tuple[str, str, float | None], Unpriced] = {}


def unpriced(item: str, why: str, estimate_usd: float | None = None) -> Unpriced:
    """``Unpriced(item=item, reason=why, estimate_monthly_usd=estimate_usd)``, made once.

    An estimate that is NaN (equal to nothing) or -0.0 (equal to 0.0, yet printed ``-0.0``)
    is never a key: such an entry is made each time.
    """
    e = estimate_usd
    if not (e is None or (type(e) is float and e == e and (e or math.copysign(1.0, e) > 0))):
        return Unpriced(item=item, reason=why, estimate_monthly_usd=e)
    key = (item, why, e)
    hit = _UNPRICED.get(key)
    if hit is None:
        hit = Unpriced(item=item, reason=why, estimate_monthly_usd=e)
        if len(_UNPRICED) >= _REASONS_MAX:
            _UNPRICED.clear()
        _UNPRICED[key] = hit
    return hit


M = TypeVar("M", bound=BaseModel)
_set_slot = object.__setattr__


def assembled(cls: type[M], fields: dict[str, Any], given: frozenset[str]) -> M:
    """The ``cls`` that validating ``fields`` would give, without validating them again.

    For values the caller checked to have their field's exact type and bounds, as
    :func:`recommender.core.response.built_option` does for options: ``fields`` holds every
    field in the model's order (new lists and dicts, as validation makes), ``given`` the
    ones passed (``model_fields_set``).  Pydantic's validation of such values only copies
    them, and costs a few microseconds per model on the hot path.
    """
    m = cls.__new__(cls)
    _set_slot(m, "__dict__", fields)
    _set_slot(m, "__pydantic_fields_set__", set(given))
    _set_slot(m, "__pydantic_extra__", None)
    _set_slot(m, "__pydantic_private__", None)
    return m


def percentile(a: np.ndarray, pct: float) -> float:
    """``float(np.percentile(a, pct))`` (linear method) of a 1-D float array, bit for bit.

    The same steps as numpy's (virtual index ``(n - 1) * q``, the two order statistics
    around it, numpy's two-sided interpolation), without its general machinery, which costs
    more than the sizing rule around it.  Arrays with NaN, or under two values, go to numpy.
    """
    x = np.asarray(a, dtype=float)
    n = len(x)
    if x.ndim != 1 or n < 2 or np.isnan(x).any():
        return float(np.percentile(x, pct))
    v = (n - 1) * (pct / 100)
    if v >= n - 1:
        return float(x.max())
    if v < 0:
        return float(x.min())
    lo = math.floor(v)
    part = np.partition(x, (lo, lo + 1))
    below, above = float(part[lo]), float(part[lo + 1])
    t = v - lo
    diff = above - below
    return above - diff * (1 - t) if t >= 0.5 else below + diff * t


#: Below this magnitude a scaled value's rounding error (half an ulp) is under 1e-7, so a value
#: more than :data:`_HALF_GAP` away from a half rounds the same before and after scaling.
_EXACT_BELOW = 2.0**30
_HALF_GAP = 1e-6


def round_list(a: np.ndarray, digits: int) -> list[float]:
    """``[round(v, digits) for v in a.tolist()]`` of a 1-D float array, bit for bit.

    numpy's ``rint(v * 10**digits) / 10**digits`` gives Python's (correctly rounded) result
    whenever the scaled value is exact enough and not near a half: the integer it rounds to
    is the one the exact decimal rounds to, and the division is correctly rounded to the
    double nearest that decimal, which is what ``round`` returns.  The few values near a
    half (0.15 x 10 is 1.5 in floating point, yet 0.15 is below 0.15 exactly), huge or not
    finite go through ``round`` itself.
    """
    x = np.asarray(a, dtype=float)
    scale = 10.0**digits
    y = x * scale
    out = np.rint(y) / scale
    small = np.abs(y) < _EXACT_BELOW  # (False for NaN and inf)
    y = np.where(small, y, 0.0)
    slow = ~(small & (np.abs(y - np.floor(y) - 0.5) > _HALF_GAP))
    values: list[float] = out.tolist()
    for j in np.flatnonzero(slow).tolist():
        values[j] = round(float(x[j]), digits)
    return values


def sentence(text: str) -> str:
    """``text`` as a sentence: first letter capitalised, a full stop at the end."""
    return text[0].upper() + text[1:] + "."


def cost_reason(category: str, text: str) -> Reason:
    """The ``<category>.monthly_cost`` reason: how the option's monthly cost is made up."""
    return reason(f"{category}.monthly_cost", PERF01_COST, text)


def no_price_reason(category: str, text: str) -> Reason:
    """The ``<category>.price`` caution: the catalog has no price for part of the option."""
    return reason(f"{category}.price", PERF01_COST, text, "caution")


def verify_reason(text: str) -> Reason:
    """The ``catalog.verify`` reason: a price behind the option is marked unverified."""
    return reason("catalog.verify", PERF01_COST, text, "verify")


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """A catalog row as a plain dict with NaN cells as None."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _source_field(src: Any, name: str) -> Any:
    return src.get(name) if isinstance(src, dict) else getattr(src, name, None)


@dataclass(frozen=True)
class RuleScore:
    """A rule's verdict on one option: a score in [0, 1] and the reason behind it."""

    score: float
    reason: Reason | None


@dataclass
class Rejections:
    """Rejected candidates counted by reason (``<category>.<rule>`` keys)."""

    counts: Counter[str] = field(default_factory=Counter)
    #: A few rejected option ids per reason, to name the closest options when nothing fits.
    examples: dict[str, list[str]] = field(default_factory=dict)
    #: Why a one-off option (Fargate, Lambda) was rejected, by key: the rule's own sentence,
    #: shown by "why not" (the counts alone do not say which limit it broke).
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, n: int = 1, example: str | None = None, *,
            note: str | None = None) -> None:
        if n > 0:
            self.counts[key] += int(n)
            if example is not None:
                self.examples.setdefault(key, []).append(example)
            if note is not None:
                self.notes[key] = note

    def as_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in sorted(self.counts.items())}


#: The texts of :func:`fmt_usd` and :func:`fmt_num` (3 digits) by value: the same prices and
#: sizes recur from call to call, and formatting with thousands separators costs ~1 us.  Only
#: a ``float`` (the exact type) that is neither NaN nor zero is a key: two such floats that
#: are equal are the same number, hence the same text, whereas NaN equals nothing and -0.0
#: equals 0.0 yet prints ``$-0``.  Emptied when full (a plain dict, as :data:`_REASONS`).
_USD_TEXTS: dict[float, str] = {}
_NUM_TEXTS: dict[float, str] = {}
_TEXTS_MAX = 20_000


def fmt_usd(x: float | None) -> str:
    """``$1,234.56`` (or ``n/a`` when there is no price)."""
    if type(x) is float:
        text = _USD_TEXTS.get(x)
        if text is None:
            text = _usd_text(x)
            if x and x == x:  # (not zero, not NaN: see _USD_TEXTS)
                if len(_USD_TEXTS) >= _TEXTS_MAX:
                    _USD_TEXTS.clear()
                _USD_TEXTS[x] = text
        return text
    return _usd_text(x)


def _usd_text(x: float | None) -> str:
    """:func:`fmt_usd` without the memo."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"${x:,.2f}" if x >= 0.01 else f"${x:.4g}"


def fmt_num(x: float, digits: int = 3) -> str:
    """A compact number: 1,234 / 12.5 / 0.0123."""
    if digits == 3 and type(x) is float:
        text = _NUM_TEXTS.get(x)
        if text is None:
            text = _num_text(x, 3)
            if x and x == x:  # (not zero, not NaN: see _USD_TEXTS)
                if len(_NUM_TEXTS) >= _TEXTS_MAX:
                    _NUM_TEXTS.clear()
                _NUM_TEXTS[x] = text
        return text
    return _num_text(x, digits)


def _num_text(x: float, digits: int) -> str:
    """:func:`fmt_num` without the memo."""
    if x == int(x) and abs(x) < 1e12:
        return f"{int(x):,}"
    return f"{x:,.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


#: ``f"{x:g}"`` by value (:func:`fmt_g`): a handful of risks (0-4) recur in every rank reason.
_G_TEXTS: dict[float, str] = {}


def fmt_g(x: Any) -> str:
    """``f"{x:g}"`` of a real number, as its float formats it (a numpy scalar's ``:g`` is
    its Python value's); NaN and zero are not kept (-0.0 equals 0.0, yet prints ``-0``)."""
    v = float(x)
    text = _G_TEXTS.get(v)
    if text is None:
        text = f"{v:g}"
        if v and v == v:
            if len(_G_TEXTS) >= _TEXTS_MAX:
                _G_TEXTS.clear()
            _G_TEXTS[v] = text
    return text


def clean(value: Any) -> Any:
    """Make a value JSON-friendly: numpy scalars to Python, NaN to None."""
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class Candidate:
    """A non-vectorised option (Fargate, Lambda, storage, database, network, trade-off).

    The ``components`` are the rule scores in [0, 1] the engine weights into ``score``;
    ``monthly_cost_usd`` is None when the catalog has no price (a reason says so).
    """

    option: str
    kind: str
    monthly_cost_usd: float | None
    reasons: list[Reason]
    config: dict[str, Any] = field(default_factory=dict)
    predicted: dict[str, Any] = field(default_factory=dict)
    count: int = 1
    purchase_option: str | None = "on_demand"
    verify: bool = False
    risk: float = 0.0
    components: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    #: Costs the option implies but ``monthly_cost_usd`` leaves out, each with its reason.
    unpriced: list[Unpriced] = field(default_factory=list)

    def name_unpriced(self, item: str, why: str, estimate_usd: float | None = None) -> None:
        """Name a cost this option does not count (once per item)."""
        if all(u.item != item for u in self.unpriced):
            self.unpriced.append(unpriced(item, why, None if estimate_usd is None else round(
                float(estimate_usd), 2)))

    def name_unpriced_all(self, items: list[tuple[str, str]], *,
                          category: str | None = None) -> None:
        """Name each ``(item, why)`` as unpriced; with ``category``, also say so in a
        ``<category>.unpriced`` reason ("Not in the monthly cost: ...")."""
        for item, why in items:
            self.name_unpriced(item, why)
            if category is not None:
                self.reasons.append(reason(f"{category}.unpriced", PERF01_COST,
                                           f"Not in the monthly cost: {item} ({why}).",
                                           "caution"))

    def add_provenance(self, *sources: Any) -> None:
        """``price_as_of`` (the oldest) and ``price_source`` (all) of the prices behind it.

        ``sources`` are price-book results (:class:`~recommender.rules.prices.Priced`) or
        catalog rows (dicts), None for a price not used; any marked verify marks the option.
        """
        used = [s for s in sources if s is not None]
        dates = [str(d) for s in used if (d := _source_field(s, "price_as_of"))]
        srcs = {str(x) for s in used if (x := _source_field(s, "price_source"))}
        if dates:
            self.config["price_as_of"] = min(dates)
        if srcs:
            self.config["price_source"] = ", ".join(sorted(srcs))
        if any(_source_field(s, "verify") for s in used):
            self.verify = True
