"""Lambda prices and limits from the catalog: per request, tiered per GB-second, the timeout.

Read from the catalog's ``unit_prices`` table (items ``lambda.request[.<arch>]`` and
``lambda.duration.<arch>``, AWS Lambda pricing: https://aws.amazon.com/lambda/pricing/);
never a typed price.  :mod:`.lambda_mem` prices its duration predictions with them, and
checks measurements against the maximum timeout in the catalog's ``facts`` (topic ``lambda``,
key ``timeout_max``: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalog.store import per_catalog
from recommender.core.errors import UserError

#: Lambda reports durations to 0.01 ms (the contract's ``LambdaMeasurement.duration_ms``).
MIN_DURATION_MS = 0.01


@dataclass(frozen=True)
class LambdaPrices:
    """us-east-1 style Lambda prices: per request, and tiered per GB-second."""

    per_request_usd: float
    tiers: tuple[tuple[float, float, float], ...]  # (start GB-s, end GB-s or inf, USD/GB-s)
    source: str = ""

    def monthly(self, gb_seconds: np.ndarray, requests: float) -> np.ndarray:
        """Monthly USD of ``gb_seconds`` (any shape, elementwise) and ``requests``.

        A tier that starts at or above every value adds exactly 0 and is skipped; values all
        within a first tier from 0 are priced by one product (``0 + x * price`` is
        ``x * price``).  Both give the bits of the loop over every tier.
        """
        gb_seconds = np.asarray(gb_seconds, float)
        tiers = self.tiers
        if gb_seconds.size and tiers:
            lo, hi = float(gb_seconds.min()), float(gb_seconds.max())
            if lo >= 0.0 and hi < math.inf:  # (a NaN fails both: the full loop below)
                tiers = tuple(t for t in tiers
                              if t[0] < hi or not math.isfinite(t[2]) or t is self.tiers[0])
                start, end, price = tiers[0]
                if len(tiers) == 1 and start == 0.0 and hi <= end and math.isfinite(price):
                    return gb_seconds * price + requests * self.per_request_usd
        total = np.zeros_like(gb_seconds)
        for start, end, price in tiers:
            total += np.clip(gb_seconds - start, 0.0, end - start) * price
        return total + requests * self.per_request_usd


def lambda_unit_prices(catalog: Any, arch: str, region: str = "us-east-1") -> LambdaPrices:
    """Read ``lambda.request`` and ``lambda.duration.<arch>`` from the catalog's unit_prices.

    Read once per catalog, architecture and region (kept on the catalog by
    ``Catalog.derive``): filtering the unit-price table costs milliseconds, the serve-time
    path calls this for every event-driven profile.

    Raises
    ------
    recommender.core.errors.UserError
        When the catalog has no such rows for ``region`` (never a guessed price).
    """
    # Kept on disk with the derived indexes: a warm process parses no unit_prices table (nor
    # imports pandas) to price Lambda.
    return per_catalog(f"lambda_unit_prices.{arch}.{region}", catalog,
                       lambda c: _read_lambda_unit_prices(c, arch, region), persist=LambdaPrices)


def _read_lambda_unit_prices(catalog: Any, arch: str, region: str) -> LambdaPrices:
    up = getattr(catalog, "tables", {}).get("unit_prices")
    if up is None:
        raise UserError("the catalog has no unit_prices table; cannot price Lambda")
    up = up[up["region"] == region]
    # A per-architecture request item wins over the shared one when the catalog has both.
    req = up[up["item"] == f"lambda.request.{arch}"]
    if req.empty:
        req = up[up["item"] == "lambda.request"]
    dur = up[up["item"] == f"lambda.duration.{arch}"].sort_values("tier_start", na_position="first")
    missing = [
        i for i, df in (("lambda.request", req), (f"lambda.duration.{arch}", dur)) if df.empty
    ]
    if missing:
        raise UserError(
            f"the catalog has no unit_prices item(s) {', '.join(missing)} for {region}; "
            "rebuild the catalog with Lambda prices"
        )
    import pandas as pd  # the catalog's tables are pandas; inference otherwise is numpy

    r = req.sort_values("tier_start", na_position="first").iloc[0]
    per_req = float(r["price_usd"])
    if "1m" in str(r["unit"]).lower() or "million" in str(r["unit"]).lower():
        per_req /= 1e6
    tiers = tuple(
        (
            float(0 if pd.isna(t.tier_start) else t.tier_start),
            float(np.inf if pd.isna(t.tier_end) else t.tier_end),
            float(t.price_usd),
        )
        for t in dur.itertuples()
    )
    src = ",".join(sorted(set(req["price_source"]) | set(dur["price_source"])))
    return LambdaPrices(per_req, tiers, src)


def check_timeout(runs: Sequence[Any], catalog: Any) -> None:
    """Refuse measurements shorter than Lambda reports or longer than its maximum timeout.

    Lambda reports durations to 0.01 ms (the contract's lower bound, checked here too for
    typed callers), and a function cannot run longer than the timeout (a catalog fact), so
    such a "measurement" is a unit mistake; predicting from it would be nonsense.
    """
    for i, m in enumerate(runs):
        if not m.duration_ms >= MIN_DURATION_MS:
            raise UserError(f"measurements.{i}.duration_ms: {m.duration_ms:g} ms is below the "
                            f"{MIN_DURATION_MS:g} ms Lambda reports durations to")
    # Kept on disk with the derived indexes (a 1-tuple: the cache stores tuples, not a bare
    # float): a warm process then never parses the facts table, nor imports pandas for it.
    (limit_ms,) = per_catalog("lambda_timeout_max_ms", catalog,
                              lambda c: (_timeout_limit_ms(c),), persist=tuple)
    if limit_ms is None:
        return  # the catalog does not know the limit: nothing to check against
    for i, m in enumerate(runs):
        if m.duration_ms > limit_ms:
            raise UserError(
                f"measurements.{i}.duration_ms: {m.duration_ms:g} ms exceeds Lambda's maximum "
                f"timeout of {limit_ms:g} ms (catalog fact lambda.timeout_max)"
            )


def _timeout_limit_ms(catalog: Any) -> float | None:
    """Lambda's maximum timeout in ms from the catalog's facts (None when not known)."""
    facts = catalog.tables.get("facts")
    if facts is None:
        return None  # a partial catalog (tests, notebooks) without facts
    row = facts[(facts.topic == "lambda") & (facts.key == "timeout_max")]
    return None if row.empty else float(row.iloc[0]["value"]) * 1000.0
