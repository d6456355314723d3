"""Job runtime across configurations (Ernest-style physics plus a learned correction).

Physics first: a data-parallel job on ``n`` nodes of capacity ``c`` (perf_index, m5.large
= 1) takes ``T = s + w / (n c)``: a serial part ``s`` and parallel work ``w`` spread over the
cluster's capacity.  One to three measured runs of the job fix ``s`` and ``w`` (non-negative
least squares on relative error; with one run the serial share comes from the training
prior).  A gradient-boosted correction, learned on the measured Spark runs, then adjusts
``log T`` for what capacity alone misses (memory per node, AMD processors, network, scale-out
overhead).  Intervals are quantiles of leave-one-workload-group-out residuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from recommender.core.errors import UserError
from recommender.core.predictions import (
    ModelInfo,
    RuntimeCandidate,
    RuntimePrediction,
    RuntimeRequest,
    RuntimeResponse,
)
from recommender.models.features import (
    RUNTIME_COLUMNS,
    node_specs,
    parse_family,
    runtime_features,
)
from recommender.models.requests import resolve_request

#: Default candidates when a request names none (current-generation general purpose, compute
#: and memory optimized families).
DEFAULT_SERIES = ("m", "c", "r")
DEFAULT_SIZES = ("large", "xlarge", "2xlarge", "4xlarge")
DEFAULT_NODES = (1, 2, 4, 8, 16, 32, 64)


def fit_physics(x: np.ndarray, t: np.ndarray, prior_x_half: float) -> tuple[float, float]:
    """Serial time ``s`` and parallel work ``w`` of ``T = s + w / x`` from measured runs.

    Parameters
    ----------
    x : array
        Cluster capacity of each run (nodes x perf_index).
    t : array
        Measured runtimes (s).
    prior_x_half : float
        Cluster capacity at which serial and parallel time are equal (``w / s``), assumed
        when the runs cannot separate ``s`` from ``w`` (one run, or runs of equal capacity).
        A capacity, not a share, so the prior holds whatever cluster the run was on.
    """
    x, t = np.asarray(x, float), np.asarray(t, float)
    if len(t) >= 2 and np.ptp(np.log(x)) > 0.01:
        # Relative least squares: each run weighs the same whatever its duration.
        a = np.column_stack([np.ones_like(x), 1.0 / x]) / t[:, None]
        (s, w), _ = nnls(a, np.ones_like(t))
        if s + w > 0:
            return float(s), float(w)
    tm, xm = float(np.exp(np.mean(np.log(t)))), float(np.exp(np.mean(np.log(x))))
    s = tm / (1.0 + prior_x_half / xm)
    return s, s * prior_x_half


@dataclass
class RuntimeModel:
    """What the runtime artifact holds: the correction, priors and residual quantiles."""

    correction: Any  # sklearn Pipeline on RUNTIME_COLUMNS -> log(T_true / T_physics)
    prior_x_half: float
    zero_shot_s_per_gib_cap: float  # parallel work per GiB of input (no measurement)
    zero_shot_serial_s: float
    #: Log-residual (low, high) quantiles keyed by number of measurements (0, 1, 2).
    log_q: dict[int, tuple[float, float]]
    features: tuple[str, ...] = RUNTIME_COLUMNS
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict_frame(
        self,
        specs: pd.DataFrame,
        meas: pd.DataFrame,
        input_gib: float | None,
        use_correction: bool = True,
    ) -> pd.DataFrame:
        """Runtime and interval for candidate rows.

        Parameters
        ----------
        specs : DataFrame
            :func:`node_specs` rows of the candidates plus ``nodes``.
        meas : DataFrame
            :func:`node_specs` rows of the measured runs plus ``nodes`` and ``runtime_s``
            (may be empty when ``input_gib`` is given).
        """
        x = specs["nodes"].to_numpy(float) * specs["cap"].to_numpy(float)
        if len(meas):
            xm = meas["nodes"].to_numpy(float) * meas["cap"].to_numpy(float)
            s, w = fit_physics(xm, meas["runtime_s"].to_numpy(float), self.prior_x_half)
            anchor = meas.iloc[0]
            t_anchor = float(anchor["runtime_s"])
        else:
            s, w = self.zero_shot_serial_s, self.zero_shot_s_per_gib_cap * float(input_gib or 0)
            anchor = specs.iloc[0]
            t_anchor = s + w / float(x[0])
        phys = s + w / x
        serial = s / (s + w / (float(anchor["nodes"]) * float(anchor["cap"])))
        log_t = np.log(phys)
        if use_correction:
            feats = runtime_features(specs, anchor, np.log(phys / t_anchor), serial, input_gib)
            log_t = log_t + self.correction.predict(feats[list(self.features)])
        q_lo, q_hi = self.log_q[min(len(meas), 2)]
        # Capacity uncertainty of predicted perf_index widens the interval (work / capacity).
        cap = specs["cap"].to_numpy(float)
        par = (w / x) / phys
        lo_cap = np.log(specs["cap_low"].to_numpy(float) / cap) * par
        hi_cap = np.log(specs["cap_high"].to_numpy(float) / cap) * par
        return pd.DataFrame(
            {
                "runtime_s": np.exp(log_t),
                "runtime_s_low": np.exp(log_t + q_lo - hi_cap),
                "runtime_s_high": np.exp(log_t + q_hi - lo_cap),
            },
            index=specs.index,
        )


def default_candidates(ec2: pd.DataFrame, priced: set[str]) -> list[RuntimeCandidate]:
    """Current-generation m/c/r families, sizes large..4xlarge, 1..64 nodes, priced types."""
    series = ec2["family"].map(lambda f: parse_family(f)[0])
    ok = (
        ec2["current_generation"].astype(bool)
        & series.isin(DEFAULT_SERIES)
        & ec2["size"].isin(DEFAULT_SIZES)
        & ~ec2["bare_metal"].astype(bool)
        & ec2["instance_type"].isin(priced)
        & ec2["perf_index"].notna()
    )
    return [
        RuntimeCandidate(instance_type=t, count=n)
        for t in sorted(ec2.loc[ok, "instance_type"])
        for n in DEFAULT_NODES
    ]


def _ec2_with_perf(catalog: Any, bundle: Any) -> pd.DataFrame:
    from recommender.models.perf import fill_perf_index

    ec2 = catalog.ec2
    if (ec2["perf_index_source"] == "missing").any():
        ec2 = fill_perf_index(ec2, bundle.perf)
    return ec2


def _pick(
    preds: list[RuntimePrediction], objective: str, deadline: float | None
) -> tuple[RuntimePrediction | None, list[str]]:
    notes: list[str] = []
    pool = preds
    if deadline is not None:
        pool = [p for p in preds if p.runtime_s <= deadline]
        if not pool:
            notes.append(
                f"no candidate is predicted to finish within {deadline:g} s; best is the fastest"
            )
            return min(preds, key=lambda p: p.runtime_s), notes
    if objective == "cost":
        priced = [p for p in pool if p.cost_usd is not None]
        if not priced:
            notes.append("no candidate has a price; best is the fastest")
            return min(pool, key=lambda p: p.runtime_s), notes
        return min(priced, key=lambda p: (p.cost_usd, p.runtime_s)), notes
    return min(pool, key=lambda p: (p.runtime_s, p.cost_usd or np.inf)), notes


def predict_runtime(
    request: RuntimeRequest | dict,
    catalog: Any = None,
    bundle: Any = None,
) -> RuntimeResponse:
    """Predict a job's runtime and cost on candidate configurations (CONTRACT section 4).

    Parameters
    ----------
    request : RuntimeRequest or dict
        ``job``, ``measurements`` (0-3 runs), ``candidates`` (default: see
        :func:`default_candidates`), ``objective`` (cost | time), ``deadline_s``,
        ``prices_usd_per_hour`` (overrides the catalog).
    catalog : Catalog, optional
        Defaults to :func:`catalog.store.load_catalog`.
    bundle : ModelBundle, optional
        Defaults to :func:`recommender.models.load_models`.

    Raises
    ------
    recommender.core.errors.UserError
        Invalid request or an instance type the catalog does not know.
    """
    req, catalog, bundle = resolve_request(RuntimeRequest, request, "runtime", catalog, bundle)
    ec2 = _ec2_with_perf(catalog, bundle)
    prices = catalog.ec2_prices
    prices = prices[prices["region"] == req.region].set_index("instance_type")
    cands = req.candidates or default_candidates(ec2, set(prices.index))
    try:
        specs = node_specs(ec2, [c.instance_type for c in cands])
        meas = node_specs(ec2, [m.instance_type for m in req.measurements])
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from exc
    no_cap = sorted(
        set(specs.loc[specs["cap"].isna(), "instance_type"])
        | set(meas.loc[meas["cap"].isna(), "instance_type"])
    )
    if no_cap:
        raise UserError(f"no perf_index for {', '.join(no_cap)}; cannot scale runtime to them")
    specs["nodes"] = [c.count for c in cands]
    meas["nodes"] = [m.count for m in req.measurements]
    meas["runtime_s"] = [m.runtime_s for m in req.measurements]
    gib = req.job.get("input_gib")
    out = bundle.runtime.predict_frame(specs, meas, float(gib) if gib else None)
    perf_src = ec2.set_index("instance_type")["perf_index_source"]
    preds = []
    for c, row in zip(cands, out.itertuples(index=False), strict=True):
        notes: list[str] = []
        if c.instance_type in req.prices_usd_per_hour:
            price, src = req.prices_usd_per_hour[c.instance_type], "override"
        elif c.instance_type in prices.index and pd.notna(
            prices.at[c.instance_type, "ondemand_usd_per_hour"]
        ):
            price = float(prices.at[c.instance_type, "ondemand_usd_per_hour"])
            src = f"catalog:{prices.at[c.instance_type, 'price_source']}"
        else:
            price, src = None, None
            notes.append(f"no on-demand price for {c.instance_type} in {req.region}; cost unknown")

        def cost(t: float, price: float | None = price, n: int = c.count) -> float | None:
            return None if price is None else t / 3600.0 * n * price

        preds.append(
            RuntimePrediction(
                instance_type=c.instance_type,
                count=c.count,
                runtime_s=row.runtime_s,
                runtime_s_low=row.runtime_s_low,
                runtime_s_high=row.runtime_s_high,
                cost_usd=cost(row.runtime_s),
                cost_usd_low=cost(row.runtime_s_low),
                cost_usd_high=cost(row.runtime_s_high),
                price_usd_per_hour=price,
                price_source=src,
                perf_index_source=str(perf_src.get(c.instance_type)),
                notes=notes,
            )
        )
    best, notes = _pick(preds, req.objective, req.deadline_s)
    if not req.measurements:
        notes.append("no measurement given: runtime placed from job.input_gib alone; wide interval")
    return RuntimeResponse(
        predictions=preds,
        best=best,
        objective=req.objective,
        notes=notes,
        model=ModelInfo(version=bundle.version, trained_at=bundle.trained_at),
    )
