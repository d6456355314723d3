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

:func:`recommender.models.endpoints.predict_runtime` is the prediction endpoint: an adapter
that validates the request and answers it (:func:`answer_runtime`) through
:func:`recommender.models.interface.estimate_runtime`, the function the rules call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.core.errors import UserError
from recommender.core.predictions import (
    ModelInfo,
    RuntimeCandidate,
    RuntimePrediction,
    RuntimeRequest,
    RuntimeResponse,
)
from recommender.models.features import RUNTIME_COLUMNS, runtime_feature_arrays
from recommender.models.interface import (
    MeasuredRun,
    NodeConfig,
    RuntimeEstimate,
    RuntimeQuery,
    estimate_runtime,
    price_pairs,
)
from recommender.models.runtime_index import (
    DEFAULT_SERIES,  # noqa: F401 - re-exported (callers of the old location)
    DEFAULT_SIZES,  # noqa: F401 - re-exported (callers of the old location)
    RuntimeIndex,
    default_types,
    memory_failures,  # noqa: F401 - re-exported (evaluation, callers of the old location)
    region_prices,
    runtime_index,
)
from recommender.models.runtime_physics import (
    fit_physics,  # noqa: F401 - re-exported for callers of the old location
    fit_with_memory,
    memory_factor,
    own_overhead,
    physics_runtime,
)

if TYPE_CHECKING:  # pandas is imported where a function calls it (a warm
    import pandas as pd  # recommend never does: issue 11)

#: Default candidates' node counts when a request names none (their types:
#: :func:`.runtime_index.default_types`).
DEFAULT_NODES = (1, 2, 4, 8, 16, 32, 64)
#: Columns a candidate or a measured run needs (the node_specs columns plus ``nodes``).
_SPEC_KEYS = ("instance_type", "nodes", "cap", "cap_low", "cap_high", "vcpus", "memory_gib",
              "net_gbps", "amd")


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
        """:meth:`predict_arrays` on frames (training and evaluation): node_specs rows plus
        ``nodes`` (and ``runtime_s`` for ``meas``); returns a frame indexed as ``specs``."""
        import pandas as pd

        keys = [*_SPEC_KEYS, "runtime_s"]
        out = self.predict_arrays({k: specs[k].to_numpy() for k in _SPEC_KEYS},
                                  {k: meas[k].to_numpy() for k in keys if k in meas},
                                  input_gib, use_correction)
        return pd.DataFrame(out, index=specs.index)

    def predict_arrays(
        self,
        specs: dict[str, Any],
        meas: dict[str, Any],
        input_gib: float | None,
        use_correction: bool | None = None,
        *,
        correct: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Runtime and interval of candidate configurations (arrays keyed as node_specs).

        ``specs`` maps ``instance_type``, ``nodes``, ``cap``, ``cap_low``, ``cap_high``,
        ``vcpus``, ``memory_gib``, ``net_gbps``, ``amd`` to one entry per candidate;
        ``meas`` the same (plus ``runtime_s``) for the successful measured runs; it may be
        empty when ``input_gib`` is given.  Candidates equal to a measured configuration get
        the measurement (median of repeats) and the noise band.  ``correct`` evaluates the
        correction on the feature matrix (columns :attr:`features`); by default the fitted
        estimator itself.
        """
        use = self.use_correction if use_correction is None else use_correction
        n = np.asarray(specs["nodes"], float)
        cap = np.asarray(specs["cap"], float)
        x = n * cap
        mpv = np.asarray(specs["memory_gib"], float) / np.asarray(specs["vcpus"], float)
        s, w, over, phys, anchor, t_anchor = self._physics(specs, meas, input_gib, x=x, n=n,
                                                           mpv=mpv)
        log_t = np.log(phys)
        if use and self.correction is not None:
            a_x = float(anchor["nodes"]) * float(anchor["cap"])
            feats = runtime_feature_arrays(specs, anchor, np.log(phys / t_anchor),
                                           s / (s + w / a_x), input_gib, n=len(n))
            mat = np.column_stack([feats[f] for f in self.features])
            if correct is not None:
                log_t = log_t + correct(mat)
            else:  # the fitted estimator (training, a correction numpy cannot evaluate)
                import pandas as pd

                log_t = log_t + self.correction.predict(
                    pd.DataFrame(mat, columns=list(self.features)))
        q_lo, q_hi = self.log_q[min(len(np.asarray(meas.get("nodes", ()))), 2)]
        # Capacity uncertainty of predicted perf_index widens the interval (work / capacity).
        par = (w / x) / np.maximum(phys, 1e-12)
        lo_cap = np.log(np.asarray(specs["cap_low"], float) / cap) * par
        hi_cap = np.log(np.asarray(specs["cap_high"], float) / cap) * par
        out = {"runtime_s": np.exp(log_t), "runtime_s_low": np.exp(log_t + q_lo - hi_cap),
               "runtime_s_high": np.exp(log_t + q_hi - lo_cap),
               "measured": np.zeros(len(n), dtype=bool)}
        self._honour_measurements(out, specs, meas)
        return out

    def _physics(self, specs: dict[str, Any], meas: dict[str, Any], input_gib: float | None, *,
                 x: np.ndarray, n: np.ndarray, mpv: np.ndarray) -> tuple[Any, ...]:
        """``(s, w, overhead, physics runtime, anchor row, anchor runtime)``."""
        gamma, ref = 0.0, 1.0
        mn = np.asarray(meas.get("nodes", ()), float)
        if len(mn):
            xm = mn * np.asarray(meas["cap"], float)
            mm = np.asarray(meas["memory_gib"], float) / np.asarray(meas["vcpus"], float)
            rt = np.asarray(meas["runtime_s"], float)
            over = own_overhead(xm, rt, mn, self.overhead)
            s, w, gamma, ref = fit_with_memory(xm, rt, mn, mm, self.prior_x_half, overhead=over)
            anchor = {k: np.asarray(v)[0] for k, v in meas.items()}
            t_anchor = float(anchor["runtime_s"])
        else:
            s, w = self.zero_shot_serial_s, self.zero_shot_s_per_gib_cap * float(input_gib or 0)
            anchor = {k: np.asarray(v)[0] for k, v in specs.items()}
            over = self.overhead
            t_anchor = float(physics_runtime(s, w, x[:1], n[:1], over)[0])
        phys = physics_runtime(s, w, x, n, over) * memory_factor(mpv, ref, gamma)
        return s, w, over, phys, anchor, t_anchor

    def _honour_measurements(self, out: dict[str, np.ndarray], specs: dict[str, Any],
                             meas: dict[str, Any]) -> None:
        """Measured configurations: the median measurement, interval of run-to-run noise."""
        mn = np.asarray(meas.get("nodes", ()))
        if not len(mn):
            return
        runs: dict[tuple[str, int], list[float]] = {}
        for t, k, r in zip(meas["instance_type"], mn, np.asarray(meas["runtime_s"], float),
                           strict=True):
            runs.setdefault((str(t), int(k)), []).append(float(r))
        got = {key: float(np.median(v)) for key, v in runs.items()}
        for pos, key in enumerate(zip(specs["instance_type"],
                                      np.asarray(specs["nodes"]).astype(int), strict=True)):
            t = got.get((str(key[0]), int(key[1])))
            if t is not None:
                out["runtime_s"][pos] = t
                out["runtime_s_low"][pos] = t * np.exp(self.noise_q[0])
                out["runtime_s_high"][pos] = t * np.exp(self.noise_q[1])
                out["measured"][pos] = True


def default_candidates(ec2: pd.DataFrame | RuntimeIndex, priced: set[str]
                       ) -> list[RuntimeCandidate]:
    """Current-generation m/c/r families, sizes large..4xlarge, 1..64 nodes, priced types.

    ``ec2`` is the (perf-filled) table, or the catalog's :class:`RuntimeIndex`, which holds
    :func:`default_types` already (a warm process then reads no table).
    """
    types = (ec2.default_types.tolist() if isinstance(ec2, RuntimeIndex)
             else default_types(ec2))
    # Built without validation (model_construct): the types are the catalog's, the counts
    # DEFAULT_NODES, all within RuntimeCandidate's bounds; validating ~2,500 of them cost
    # ~15 ms of every default-candidates request.
    return [
        RuntimeCandidate.model_construct(instance_type=t, count=n)
        for t in types if t in priced
        for n in DEFAULT_NODES
    ]


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


def _check_region(req: RuntimeRequest, catalog: Any, prices: dict[str, Any]) -> None:
    if not req.candidates and not prices:
        # No candidates to default to (issue 12: this was an IndexError / sklearn "0 samples").
        rule = (f"{req.region!r} has no EC2 on-demand prices in the catalog; use one of "
                f"{', '.join(sorted(set(catalog.ec2_prices['region'])))} or list candidates")
        err = UserError(f"region: {rule}")
        err.errors = [{"field": "region", "rule": rule}]  # type: ignore[attr-defined]
        raise err


def runtime_query(req: RuntimeRequest, cands: list[RuntimeCandidate]) -> RuntimeQuery:
    """The typed query of a validated request for the configurations ``cands``."""
    gib, mem = req.job.get("input_gib"), req.job.get("memory_gib")
    return RuntimeQuery(
        configs=tuple(NodeConfig(c.instance_type, c.count) for c in cands),
        runs=tuple(MeasuredRun(m.instance_type, m.count, m.runtime_s, m.failed)
                   for m in req.measurements),
        input_gib=float(gib) if gib else None, memory_gib=float(mem) if mem else None,
        prices_usd_per_hour=price_pairs(req.prices_usd_per_hour), region=req.region)


def resolve_candidates(req: RuntimeRequest, catalog: Any, bundle: Any
                       ) -> tuple[list[RuntimeCandidate], dict[str, tuple[float, str]]]:
    """The request's candidates (or the defaults) and the region's on-demand prices."""
    prices = region_prices(catalog, req.region)
    _check_region(req, catalog, prices)
    cands = req.candidates or default_candidates(runtime_index(catalog, bundle), set(prices))
    return list(cands), prices


def _prediction(e: RuntimeEstimate, region: str) -> RuntimePrediction:
    notes = [] if e.price_usd_per_hour is not None else [
        f"no on-demand price for {e.instance_type} in {region}; cost unknown"]
    if e.predicted_to_fail:
        notes.append("predicted to fail: cluster memory at most that of a failed run "
                     "or below job.memory_gib; never picked")
    return RuntimePrediction(**{k: getattr(e, k) for k in RuntimeEstimate.__dataclass_fields__},
                             notes=notes)


def answer_runtime(req: RuntimeRequest, *, catalog: Any, bundle: Any) -> RuntimeResponse:
    """A job's runtime and cost on candidate configurations, for a validated request.

    :func:`recommender.models.endpoints.predict_runtime` is the endpoint (CONTRACT section
    4): it validates the request and defaults the catalog and the bundle.

    Parameters
    ----------
    req : RuntimeRequest
        ``job``, ``measurements`` (0-20 runs, ``failed: true`` for runs that did not
        complete), ``candidates`` (default: see :func:`default_candidates`), ``objective``
        (cost | time), ``deadline_s``, ``prices_usd_per_hour`` (overrides the catalog).
    catalog : Catalog
    bundle : ModelBundle

    Raises
    ------
    recommender.core.errors.UserError
        An instance type the catalog does not know, or a region without prices.
    """
    cands, _ = resolve_candidates(req, catalog, bundle)
    est = estimate_runtime(runtime_query(req, cands), catalog=catalog, bundle=bundle)
    preds = [_prediction(e, req.region) for e in est]
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
