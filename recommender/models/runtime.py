"""Job runtime across configurations: Ernest-style physics, memory pressure, a learned correction.

Physics first (:mod:`.runtime_physics`): ``T = s (1 + lam log n + kap n) + w / (n c)`` with
``c`` the per-node capacity (perf_index).  The job's measured runs fix ``s`` and ``w``; two
runs on families with different memory per vCPU reveal memory pressure, and the runs on
memory-poor nodes then carry a slowdown.  A configuration that was measured is predicted
at its measurement, with the interval of run-to-run noise.  A configuration whose cluster
memory is at most that of a run that failed (out of memory), or below ``job.memory_gib``,
is predicted to fail and is never picked.  An optional boosted correction adjusts
``log T``; whether it is used was decided on the development groups.  Intervals are
split-conformal quantiles of held-out residuals (see :mod:`.runtime_train`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

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
from recommender.models.runtime_physics import (
    fit_physics,  # noqa: F401 - re-exported for callers of the old location
    fit_with_memory,
    memory_factor,
    own_overhead,
    physics_runtime,
)

#: Default candidates when a request names none (current-generation general purpose, compute
#: and memory optimized families).
DEFAULT_SERIES = ("m", "c", "r")
DEFAULT_SIZES = ("large", "xlarge", "2xlarge", "4xlarge")
DEFAULT_NODES = (1, 2, 4, 8, 16, 32, 64)


@dataclass
class RuntimeModel:
    """What the runtime artifact holds: priors, the optional correction, residual quantiles.

    ``overhead`` is ``(lam, kap)``; ``noise_q`` the log quantiles of run-to-run noise (the
    interval at a measured configuration); ``log_q`` the conformal log-residual quantiles
    keyed by number of measured runs (0, 1, 2 or more).
    """

    correction: Any  # sklearn Pipeline on ``features`` -> log(T_true / T_physics), or None
    prior_x_half: float
    zero_shot_s_per_gib_cap: float  # parallel work per GiB of input (no measurement)
    zero_shot_serial_s: float
    log_q: dict[int, tuple[float, float]]
    features: tuple[str, ...] = RUNTIME_COLUMNS
    metrics: dict[str, Any] = field(default_factory=dict)
    overhead: tuple[float, float] = (0.0, 0.0)
    noise_q: tuple[float, float] = (-0.05, 0.05)
    use_correction: bool = True

    def predict_frame(
        self,
        specs: pd.DataFrame,
        meas: pd.DataFrame,
        input_gib: float | None,
        use_correction: bool | None = None,
    ) -> pd.DataFrame:
        """Runtime and interval for candidate rows (``specs``: node_specs rows + ``nodes``).

        ``meas`` holds the successful measured runs (node_specs rows + ``nodes`` and
        ``runtime_s``); it may be empty when ``input_gib`` is given.  Candidates equal to a
        measured configuration get the measurement (median of repeats) and the noise band.
        """
        use = self.use_correction if use_correction is None else use_correction
        n = specs["nodes"].to_numpy(float)
        x = n * specs["cap"].to_numpy(float)
        mpv = specs["memory_gib"].to_numpy(float) / specs["vcpus"].to_numpy(float)
        gamma, ref = 0.0, 1.0
        if len(meas):
            mn = meas["nodes"].to_numpy(float)
            xm = mn * meas["cap"].to_numpy(float)
            mm = meas["memory_gib"].to_numpy(float) / meas["vcpus"].to_numpy(float)
            over = own_overhead(xm, meas["runtime_s"].to_numpy(float), mn, self.overhead)
            s, w, gamma, ref = fit_with_memory(xm, meas["runtime_s"].to_numpy(float), mn, mm,
                                               self.prior_x_half, overhead=over)
            anchor = meas.iloc[0]
            t_anchor = float(anchor["runtime_s"])
        else:
            s, w = self.zero_shot_serial_s, self.zero_shot_s_per_gib_cap * float(input_gib or 0)
            anchor = specs.iloc[0]
            over = self.overhead
            t_anchor = float(physics_runtime(s, w, x[:1], n[:1], over)[0])
        phys = physics_runtime(s, w, x, n, over) * memory_factor(mpv, ref, gamma)
        log_t = np.log(phys)
        if use and self.correction is not None:
            a_x = float(anchor["nodes"]) * float(anchor["cap"])
            serial = s / (s + w / a_x)
            feats = runtime_features(specs, anchor, np.log(phys / t_anchor), serial, input_gib)
            log_t = log_t + self.correction.predict(feats[list(self.features)])
        q_lo, q_hi = self.log_q[min(len(meas), 2)]
        # Capacity uncertainty of predicted perf_index widens the interval (work / capacity).
        cap = specs["cap"].to_numpy(float)
        par = (w / x) / np.maximum(phys, 1e-12)
        lo_cap = np.log(specs["cap_low"].to_numpy(float) / cap) * par
        hi_cap = np.log(specs["cap_high"].to_numpy(float) / cap) * par
        out = pd.DataFrame(
            {
                "runtime_s": np.exp(log_t),
                "runtime_s_low": np.exp(log_t + q_lo - hi_cap),
                "runtime_s_high": np.exp(log_t + q_hi - lo_cap),
                "measured": False,
            },
            index=specs.index,
        )
        self._honour_measurements(out, specs, meas)
        return out

    def _honour_measurements(self, out: pd.DataFrame, specs: pd.DataFrame,
                             meas: pd.DataFrame) -> None:
        """Measured configurations: the median measurement, interval of run-to-run noise."""
        if not len(meas):
            return
        got = meas.groupby(["instance_type", "nodes"])["runtime_s"].median().to_dict()
        keys = list(zip(specs["instance_type"], specs["nodes"].astype(int), strict=True))
        for pos, key in enumerate(keys):
            t = got.get(key)
            if t is not None:
                out.iloc[pos, 0:4] = [t, t * np.exp(self.noise_q[0]), t * np.exp(self.noise_q[1]),
                                      True]


def memory_failures(
    specs: pd.DataFrame, failed: pd.DataFrame, memory_gib: float | None
) -> np.ndarray:
    """Candidates predicted to fail: cluster memory at most a failed run's, or below the need.

    A run that failed for lack of memory shows the job needs more than that cluster's memory
    (nodes x memory per node); any cluster with no more memory fails too.
    """
    total = specs["nodes"].to_numpy(float) * specs["memory_gib"].to_numpy(float)
    fails = np.zeros(len(specs), dtype=bool)
    if len(failed):
        worst = float((failed["nodes"] * failed["memory_gib"]).max())
        fails |= total <= worst
    if memory_gib:
        fails |= total < float(memory_gib)
    return fails


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


#: The catalog's ec2 table with perf_index filled, per (table, perf model): filling runs the
#: perf model over every unmeasured row (~0.2 s), the same for every request on one catalog.
#: Entries keep their table and model, so a reused id() cannot match a stale entry.
_FILLED: dict[tuple[int, int], tuple[Any, Any, pd.DataFrame]] = {}
_FILLED_LOCK = threading.Lock()


def _ec2_with_perf(catalog: Any, bundle: Any) -> pd.DataFrame:
    from recommender.models.perf import fill_perf_index

    ec2, perf = catalog.ec2, bundle.perf
    key = (id(ec2), id(perf))
    with _FILLED_LOCK:
        hit = _FILLED.get(key)
    if hit is not None and hit[0] is ec2 and hit[1] is perf:
        return hit[2]
    out = fill_perf_index(ec2, perf) if (ec2["perf_index_source"] == "missing").any() else ec2
    with _FILLED_LOCK:
        if len(_FILLED) >= 4:
            _FILLED.pop(next(iter(_FILLED)))
        _FILLED[key] = (ec2, perf, out)
    return out


def _pick(
    preds: list[RuntimePrediction], objective: str, deadline: float | None
) -> tuple[RuntimePrediction | None, list[str]]:
    """Best candidate for the objective; predicted failures are never picked."""
    notes: list[str] = []
    alive = [p for p in preds if not p.predicted_to_fail]
    if not alive:
        return None, ["every candidate is predicted to fail (not enough cluster memory)"]
    pool = alive
    if deadline is not None:
        pool = [p for p in alive if p.runtime_s <= deadline]
        if not pool:
            notes.append(
                f"no candidate is predicted to finish within {deadline:g} s; best is the fastest"
            )
            return min(alive, key=lambda p: p.runtime_s), notes
    if objective == "cost":
        priced = [p for p in pool if p.cost_usd is not None]
        if not priced:
            notes.append("no candidate has a price; best is the fastest")
            return min(pool, key=lambda p: p.runtime_s), notes
        return min(priced, key=lambda p: (p.cost_usd, p.runtime_s)), notes
    return min(pool, key=lambda p: (p.runtime_s, p.cost_usd or np.inf)), notes


def _price_of(req: RuntimeRequest, prices: dict[str, tuple[float, str]], itype: str
              ) -> tuple[float | None, str | None]:
    if itype in req.prices_usd_per_hour:
        return req.prices_usd_per_hour[itype], "override"
    got = prices.get(itype)
    return (got[0], f"catalog:{got[1]}") if got else (None, None)


_PRICE_CACHE: dict[tuple[int, str], tuple[Any, dict[str, tuple[float, str]]]] = {}


def _region_prices(catalog: Any, region: str) -> dict[str, tuple[float, str]]:
    """``{type: (on-demand USD/h, source)}`` of a region (cached per table, identity-checked)."""
    table = catalog.ec2_prices
    hit = _PRICE_CACHE.get((id(table), region))
    if hit is not None and hit[0] is table:
        return hit[1]
    out = _read_region_prices(table, region)
    if len(_PRICE_CACHE) >= 16:
        _PRICE_CACHE.pop(next(iter(_PRICE_CACHE)))
    _PRICE_CACHE[(id(table), region)] = (table, out)
    return out


def _read_region_prices(p: Any, region: str) -> dict[str, tuple[float, str]]:
    p = p[(p["region"] == region) & p["ondemand_usd_per_hour"].notna()]
    return dict(zip(p["instance_type"], zip(p["ondemand_usd_per_hour"].astype(float),
                                            p["price_source"].astype(str), strict=True),
                    strict=True))


@dataclass
class Frames:
    """Candidate and measurement specs of one request, and the model's output per candidate."""

    cands: list[RuntimeCandidate]
    out: pd.DataFrame
    fails: np.ndarray


def runtime_frames(req: RuntimeRequest, ec2: pd.DataFrame, bundle: Any,
                   cands: list[RuntimeCandidate]) -> Frames:
    """Specs, predictions and predicted failures of ``cands`` for a validated request."""
    ok = [m for m in req.measurements if not m.failed]
    bad = [m for m in req.measurements if m.failed]
    try:
        specs = node_specs(ec2, [c.instance_type for c in cands])
        meas = node_specs(ec2, [m.instance_type for m in ok])
        failed = node_specs(ec2, [m.instance_type for m in bad])
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from exc
    no_cap = sorted(
        set(specs.loc[specs["cap"].isna(), "instance_type"])
        | set(meas.loc[meas["cap"].isna(), "instance_type"])
    )
    if no_cap:
        raise UserError(f"no perf_index for {', '.join(no_cap)}; cannot scale runtime to them")
    specs["nodes"] = [c.count for c in cands]
    meas["nodes"] = [m.count for m in ok]
    meas["runtime_s"] = [m.runtime_s for m in ok]
    failed["nodes"] = [m.count for m in bad]
    gib = req.job.get("input_gib")
    out = bundle.runtime.predict_frame(specs, meas, float(gib) if gib else None)
    fails = memory_failures(specs, failed, req.job.get("memory_gib"))
    return Frames(cands, out, fails & ~out["measured"].to_numpy(bool))


def predict_runtime(
    request: RuntimeRequest | dict[str, Any],
    catalog: Any = None,
    bundle: Any = None,
) -> RuntimeResponse:
    """Predict a job's runtime and cost on candidate configurations (CONTRACT section 4).

    Parameters
    ----------
    request : RuntimeRequest or dict
        ``job``, ``measurements`` (0-20 runs, ``failed: true`` for runs that did not
        complete), ``candidates`` (default: see :func:`default_candidates`), ``objective``
        (cost | time), ``deadline_s``, ``prices_usd_per_hour`` (overrides the catalog).
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
    prices = _region_prices(catalog, req.region)
    if not req.candidates and not prices:
        # No candidates to default to (issue 12: this was an IndexError / sklearn "0 samples").
        rule = (f"{req.region!r} has no EC2 on-demand prices in the catalog; use one of "
                f"{', '.join(sorted(set(catalog.ec2_prices['region'])))} or list candidates")
        err = UserError(f"region: {rule}")
        err.errors = [{"field": "region", "rule": rule}]  # type: ignore[attr-defined]
        raise err
    cands = req.candidates or default_candidates(ec2, set(prices))
    fr = runtime_frames(req, ec2, bundle, cands)
    from recommender.models.features import spec_index

    perf_src = spec_index(ec2)["perf_index_source"]
    preds = []
    for j, (c, row) in enumerate(zip(cands, fr.out.itertuples(index=False), strict=True)):
        price, src = _price_of(req, prices, c.instance_type)
        notes = [] if price is not None else [
            f"no on-demand price for {c.instance_type} in {req.region}; cost unknown"]
        if fr.fails[j]:
            notes.append("predicted to fail: cluster memory at most that of a failed run "
                         "or below job.memory_gib; never picked")

        def cost(t: float, price: float | None = price, n: int = c.count) -> float | None:
            return None if price is None else t / 3600.0 * n * price

        preds.append(RuntimePrediction(
            instance_type=c.instance_type, count=c.count, runtime_s=row.runtime_s,
            runtime_s_low=row.runtime_s_low, runtime_s_high=row.runtime_s_high,
            # The frame's runtime columns are float64 (pandas types a row's cells as any scalar).
            cost_usd=cost(cast(float, row.runtime_s)),
            cost_usd_low=cost(cast(float, row.runtime_s_low)),
            cost_usd_high=cost(cast(float, row.runtime_s_high)), price_usd_per_hour=price,
            price_source=src, perf_index_source=str(perf_src.get(c.instance_type)),
            measured=bool(row.measured), predicted_to_fail=bool(fr.fails[j]), notes=notes,
        ))
    best, notes = _pick(preds, req.objective, req.deadline_s)
    if not [m for m in req.measurements if not m.failed]:
        notes.append("no measurement given: runtime placed from job.input_gib alone; wide interval")
    return RuntimeResponse(
        predictions=preds,
        best=best,
        objective=req.objective,
        notes=notes,
        model=ModelInfo(version=bundle.version, trained_at=bundle.trained_at),
    )
