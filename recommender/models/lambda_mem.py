"""Lambda duration across memory sizes (Sizeless-style), priced by billed duration.

Physics first: Lambda gives a function CPU in proportion to its memory (1 vCPU at 1,769 MB,
up to 6 vCPUs at 10,240 MB for code that uses several threads).  Duration is modelled as
``d(m) = a + c / share(m) ** beta``: a part that does not depend on CPU (waiting on I/O) and a
CPU part that shrinks as the share grows.  ``c >= 0`` and ``beta > 0`` make the prediction
never slower with more memory.  Two or more measurements fix ``a`` and ``c``; with one, the
CPU-to-wait ratio ``k = c / a`` comes from the training prior.  ``beta`` and the prior are the
learned part; intervals are quantiles of the residuals on held-out runtimes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from recommender.core.errors import UserError
from recommender.core.predictions import (
    LambdaMemoryRequest,
    LambdaMemoryResponse,
    LambdaPrediction,
    ModelInfo,
)
from recommender.models.features import LAMBDA_MAX_MB, LAMBDA_MIN_MB, lambda_cpu_share
from recommender.models.requests import resolve_request

#: Default candidate sizes: 128 MB steps to 2 GB, then coarser to the 10,240 MB maximum.
DEFAULT_MEMORY_MB = tuple(range(128, 2049, 128)) + (1769, 2560, 3008, 4096, 5120, 6144, 8192, 10240)


def fit_lambda_physics(
    memory_mb: np.ndarray,
    duration_ms: np.ndarray,
    beta: float,
    log_k_prior: float,
    parallel: bool = False,
) -> tuple[float, float]:
    """Wait time ``a`` and CPU time at one vCPU ``c`` from measured durations."""
    g = 1.0 / lambda_cpu_share(memory_mb, parallel) ** beta
    d = np.asarray(duration_ms, float)
    if len(d) >= 2 and np.ptp(np.log(g)) > 0.01:
        A = np.column_stack([np.ones_like(g), g]) / d[:, None]
        (a, c), _ = nnls(A, np.ones_like(d))
        if a + c > 0:
            return float(a), float(c)
    k = math.exp(log_k_prior)
    dm, gm = float(np.exp(np.mean(np.log(d)))), float(np.exp(np.mean(np.log(g))))
    a = dm / (1.0 + k * gm)
    return a, k * a


@dataclass
class LambdaModel:
    """What the Lambda artifact holds.

    ``log k = log_k_intercept + log_k_slope * log(max memory used)`` (clamped to the range
    seen in training) is the learned CPU-to-wait prior for a single measurement: heavier
    runtimes (larger footprint) spent more of their time on CPU in the training runs.
    ``log_k_prior`` (the median) is used when the memory used is unknown.
    """

    beta: float
    log_k_prior: float
    #: Log-residual (low, high) quantiles keyed by number of measurements (1, 2).
    log_q: dict[int, tuple[float, float]]
    metrics: dict[str, Any] = field(default_factory=dict)
    log_k_slope: float = 0.0
    log_k_intercept: float | None = None
    log_k_bounds: tuple[float, float] = (-math.inf, math.inf)

    def log_k(self, used_mb: float | None) -> float:
        """CPU-to-wait prior for a function that used ``used_mb`` (None: the median)."""
        if used_mb is None or not used_mb > 0 or self.log_k_intercept is None:
            return self.log_k_prior
        raw = self.log_k_intercept + self.log_k_slope * math.log(used_mb)
        return float(min(max(raw, self.log_k_bounds[0]), self.log_k_bounds[1]))

    def predict(
        self,
        memory_mb: np.ndarray,
        meas_mb: np.ndarray,
        meas_ms: np.ndarray,
        parallel: bool = False,
        used_mb: float | None = None,
    ) -> pd.DataFrame:
        """Duration and interval (ms) at each candidate memory size."""
        k = self.log_k(used_mb)
        a, c = fit_lambda_physics(meas_mb, meas_ms, self.beta, k, parallel)
        d = a + c / lambda_cpu_share(memory_mb, parallel) ** self.beta
        lo, hi = self.log_q[min(len(meas_ms), 2)]
        return pd.DataFrame(
            {
                "memory_mb": np.asarray(memory_mb, int),
                "duration_ms": d,
                "duration_ms_low": d * math.exp(lo),
                "duration_ms_high": d * math.exp(hi),
            }
        )


@dataclass(frozen=True)
class LambdaPrices:
    """us-east-1 style Lambda prices: per request, and tiered per GB-second."""

    per_request_usd: float
    tiers: tuple[tuple[float, float, float], ...]  # (start GB-s, end GB-s or inf, USD/GB-s)
    source: str = ""

    def monthly(self, gb_seconds: np.ndarray, requests: float) -> np.ndarray:
        gb_seconds = np.asarray(gb_seconds, float)
        total = np.zeros_like(gb_seconds)
        for start, end, price in self.tiers:
            total += np.clip(gb_seconds - start, 0.0, end - start) * price
        return total + requests * self.per_request_usd


def lambda_unit_prices(catalog: Any, arch: str, region: str = "us-east-1") -> LambdaPrices:
    """Read ``lambda.request`` and ``lambda.duration.<arch>`` from the catalog's unit_prices.

    Raises
    ------
    recommender.core.errors.UserError
        When the catalog has no such rows for ``region`` (never a guessed price).
    """
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


def choose(df: pd.DataFrame, objective: str) -> int:
    """Row position of the best candidate for ``objective`` (cost | speed | balanced)."""
    cost, dur = df["monthly_cost_usd"].to_numpy(float), df["duration_ms"].to_numpy(float)
    if objective == "cost":
        key = np.lexsort((dur, cost))
    elif objective == "speed":
        # Durations within 1 % of the fastest count as equal; the cheaper one wins.
        key = np.lexsort((cost, dur > dur.min() * 1.01))
    else:  # balanced: geometric mean of cost and duration, each relative to its best
        key = np.argsort((cost / max(cost.min(), 1e-12)) * (dur / dur.min()), kind="stable")
    return int(key[0])


def _check_timeout(req: LambdaMemoryRequest, catalog: Any) -> None:
    """Refuse measurements longer than Lambda's maximum timeout (a catalog fact).

    A function cannot run longer than the timeout, so such a "measurement" is a unit
    mistake (seconds or microseconds given as ms); predicting from it would be nonsense.
    """
    facts = catalog.tables.get("facts")
    if facts is None:
        return  # a partial catalog (tests, notebooks) without facts: nothing to check against
    row = facts[(facts.topic == "lambda") & (facts.key == "timeout_max")]
    if row.empty:
        return  # the catalog does not know the limit: nothing to check against
    limit_ms = float(row.iloc[0]["value"]) * 1000.0
    for i, m in enumerate(req.measurements):
        if m.duration_ms > limit_ms:
            raise UserError(
                f"measurements.{i}.duration_ms: {m.duration_ms:g} ms exceeds Lambda's maximum "
                f"timeout of {limit_ms:g} ms (catalog fact lambda.timeout_max)"
            )


def predict_lambda_memory(
    request: LambdaMemoryRequest | dict,
    catalog: Any = None,
    bundle: Any = None,
    prices: LambdaPrices | None = None,
) -> LambdaMemoryResponse:
    """Predict duration and monthly cost at candidate memory sizes (CONTRACT section 4).

    Parameters
    ----------
    request : LambdaMemoryRequest or dict
    catalog : Catalog, optional
        Source of Lambda prices (``unit_prices``); the committed snapshot by default.
    bundle : ModelBundle, optional
        Defaults to :func:`recommender.models.load_models`.
    prices : LambdaPrices, optional
        Overrides the catalog prices (tests, evaluations).

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request, or no Lambda prices in the catalog.
    """
    req, catalog, bundle = resolve_request(
        LambdaMemoryRequest, request, "lambda-memory", catalog, bundle
    )
    _check_timeout(req, catalog)
    if prices is None:
        prices = lambda_unit_prices(catalog, req.arch, req.region)
    notes: list[str] = []
    used = max((m.max_memory_used_mb or 0.0) for m in req.measurements)
    cands = sorted(set(req.candidate_memory_mb or DEFAULT_MEMORY_MB))
    kept = [m for m in cands if m >= used and LAMBDA_MIN_MB <= m <= LAMBDA_MAX_MB]
    if len(kept) < len(cands):
        notes.append(f"sizes below the {used:g} MB the function used are not candidates")
    if not kept:
        raise UserError(f"no candidate memory size is at least the {used:g} MB the function used")
    meas_mb = np.array([m.memory_mb for m in req.measurements], float)
    meas_ms = np.array([m.duration_ms for m in req.measurements], float)
    df = bundle.lambda_.predict(np.array(kept), meas_mb, meas_ms, req.parallel, used or None)
    gb = df["memory_mb"].to_numpy(float) / 1024.0
    inv = req.invocations_per_month
    for col, suffix in (
        ("duration_ms", ""),
        ("duration_ms_low", "_low"),
        ("duration_ms_high", "_high"),
    ):
        billed = np.ceil(df[col].to_numpy(float))  # billed in 1 ms steps
        if not suffix:
            df["billed_duration_ms"] = billed.astype(int)
        df[f"monthly_cost_usd{suffix}"] = prices.monthly(billed / 1000.0 * gb * inv, inv)
    preds = [LambdaPrediction(**r) for r in df.to_dict(orient="records")]
    best = preds[choose(df, req.objective)]
    notes.append(
        "monthly cost excludes the free tier"
        + (f"; prices: {prices.source}" if prices.source else "")
    )
    if not req.parallel:
        notes.append("assumed single-threaded: sizes above 1,769 MB add vCPUs it cannot use")
    return LambdaMemoryResponse(
        predictions=preds,
        best=best,
        objective=req.objective,
        arch=req.arch,
        notes=notes,
        model=ModelInfo(version=bundle.version, trained_at=bundle.trained_at),
    )
