"""Lambda duration across memory sizes (physics: :mod:`.lambda_physics`), priced when billed.

``d(m) = u + c / s1(m) + p / sp(m)``: a part that does not scale with CPU (I/O, waits), a
single-threaded CPU part (one vCPU at 1,769 MB) and a multi-threaded one (up to 6 vCPUs at
10,240 MB).  Two or more measured sizes fit the three terms directly; one size takes the
shape from the prior learned on real memory sweeps; an AWS Lambda Power Tuning result is
read as its measured sizes.  Sizes that were measured are predicted at their measurement.
Intervals are split-conformal: quantiles of residuals on application groups other than the
one predicted (see :mod:`.lambda_train`).

:func:`choose_memory` is the typed function the rules call (through
:func:`recommender.models.interface.choose_lambda_memory`);
:func:`recommender.models.endpoints.predict_lambda_memory`, the prediction endpoint, is an
adapter over it (:func:`answer_lambda_memory`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.core.errors import UserError
from recommender.core.predictions import (
    LambdaMemoryRequest,
    LambdaMemoryResponse,
    LambdaPrediction,
    ModelInfo,
)
from recommender.models import lambda_physics as P
from recommender.models.features import LAMBDA_MAX_MB, LAMBDA_MIN_MB
from recommender.models.lambda_prices import MIN_DURATION_MS as MIN_DURATION_MS  # re-exported
from recommender.models.lambda_prices import LambdaPrices as LambdaPrices  # re-exported
from recommender.models.lambda_prices import check_timeout
from recommender.models.lambda_prices import lambda_unit_prices as lambda_unit_prices
from recommender.models.queries import LambdaChoice, LambdaEstimate, LambdaQuery, LambdaRun

#: Default candidate sizes: 128 MB steps to 2 GB, then coarser to the 10,240 MB maximum.
DEFAULT_MEMORY_MB = tuple(range(128, 2049, 128)) + (1769, 2560, 3008, 4096, 5120, 6144, 8192, 10240)

@dataclass
class LambdaModel:
    """What the Lambda artifact holds (numpy arrays and floats only).

    ``shapes`` are the training functions' fitted ``(u, c, p)`` scaled to 1 at 1,769 MB,
    ``weights`` their prior weights (each application group weighs the same), ``log_scale``
    their log duration at 1,769 MB, used by the kernel of ``bandwidth``; ``parallel_share`` is
    the median multi-threaded share of CPU work (used when the request does not say);
    ``footprint_floor`` the lowest ratio seen in training between the memory a function used at
    its smallest size and at its largest (a function measured at a large size may run in less);
    ``log_q`` the conformal log-residual quantiles per number of measured sizes (1, 2), 3 for
    one size and 4 for two sizes with a declared kind.  The conditional prior: ``shape_kind``
    and ``shape_arch`` are each shape's kind and architecture codes
    (:data:`.lambda_physics.KIND_CODES`, ``ARCH_CODES``; None: unknown), and a shape that
    differs from the request's declared kind or architecture weighs ``kind_mismatch`` or
    ``arch_mismatch`` times its prior weight; ``quantile`` is the prior quantile predicted from
    one size.  All three were chosen on the development groups (:mod:`.lambda_tune`).
    ``two_sigma``, ``two_tau``, ``two_pi`` and ``two_beta_max`` are the two-size posterior's
    settings (:class:`.lambda_physics.TwoSizePrior`; chosen on the development groups by
    :mod:`.lambda_shrink`; ``two_sigma`` 0 is the plain exact fit of older artifacts).
    """

    shapes: np.ndarray
    weights: np.ndarray
    log_scale: np.ndarray
    bandwidth: float | None
    parallel_share: float
    footprint_floor: float
    log_q: dict[int, tuple[float, float]]
    metrics: dict[str, Any] = field(default_factory=dict)
    shape_kind: np.ndarray | None = None
    shape_arch: np.ndarray | None = None
    kind_mismatch: float = 1.0
    arch_mismatch: float = 1.0
    quantile: float = 0.5
    two_sigma: float = 0.0
    two_tau: float = 0.05
    two_pi: float = 0.8
    two_beta_max: float = 1.5

    def two_size_prior(self, kind: str | None = None) -> P.TwoSizePrior:
        """The two-size posterior's settings (``two_sigma`` 0: the plain exact fit).

        A declared ``kind`` keeps only its component of the prior
        (:meth:`.lambda_physics.TwoSizePrior.for_kind`).
        """
        return P.TwoSizePrior(sigma=float(self.two_sigma), tau=float(self.two_tau),
                              pi=float(self.two_pi),
                              beta_max=float(self.two_beta_max)).for_kind(kind)

    def __getstate__(self) -> dict[str, Any]:
        # the serve-time cache is rebuilt on use, never pickled
        return {k: v for k, v in self.__dict__.items() if k != "_hot_cache"}

    def _hot(self) -> P.OneSizeCache:
        """This model's :class:`.lambda_physics.OneSizeCache`, rebuilt when a field it reads
        was reassigned (the tuning code sets fields on fitted models)."""
        # the arrays themselves (held by the cache, so compared by identity) and the settings
        refs = (self.shapes, self.weights, self.log_scale, self.shape_kind, self.shape_arch)
        key = (self.bandwidth, self.kind_mismatch, self.arch_mismatch)
        hot: P.OneSizeCache | None = self.__dict__.get("_hot_cache")
        if (hot is None or hot.key[1] != key
                or any(x is not y for x, y in zip(hot.key[0], refs, strict=True))):
            hot = P.OneSizeCache((refs, key),
                                 {par: self._shapes(par) for par in (None, True, False)},
                                 self._prior, fixed_prior=not self.bandwidth)
            self.__dict__["_hot_cache"] = hot
        return hot

    def _shapes(self, parallel: bool | None) -> np.ndarray:
        sh = np.array(self.shapes, float)
        if parallel is True:
            sh[:, 2] += sh[:, 1]
            sh[:, 1] = 0.0
        elif parallel is False:
            sh[:, 1] += sh[:, 2]
            sh[:, 2] = 0.0
        return sh

    def _match(self, context: P.Context | None) -> dict[str, tuple[Any, Any, float]]:
        """The conditional prior's ``match`` argument for ``context``."""
        if context is None:
            return {}
        return {
            "kind": (self.shape_kind, P.KIND_CODES.get(context.kind or ""), self.kind_mismatch),
            "arch": (self.shape_arch, P.ARCH_CODES.get(context.arch or ""), self.arch_mismatch),
        }

    def _prior(self, ref: float, gm: float, context: P.Context | None) -> np.ndarray:
        """The prior's weights for a function that took ``gm`` ms at ``ref`` MB (the one
        place both the one-size path and its grid cache compute them)."""
        return P.prior_weights(self.shapes, self.weights, self.log_scale, ref, gm,
                               bandwidth=self.bandwidth, match=self._match(context))

    def _one_size(self, mm: np.ndarray, md: np.ndarray, context: P.Context | None
                  ) -> tuple[float, float, np.ndarray]:
        """(reference size, duration there, prior weights) of the one-size path."""
        gm = float(np.exp(np.mean(np.log(md))))
        ref = float(np.exp(np.mean(np.log(mm)))) if len(mm) > 1 else float(mm[0])
        return ref, gm, self._prior(ref, gm, context)

    def shape_durations(
        self, memory_mb: np.ndarray, meas_mb: np.ndarray, meas_ms: np.ndarray,
        parallel: bool | None = None, *, context: P.Context | None = None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Each prior shape's durations (shapes x sizes) and its weight, from one size.

        What one measurement leaves uncertain, for a decision that weighs it
        (:func:`choose_memory` picks the lowest *expected* cost).  None when the measured
        sizes fix the curve themselves (two or more sizes).
        """
        mm, md = np.asarray(meas_mb, float), np.asarray(meas_ms, float)
        if len(mm) == 1:  # the serve path: from the cache
            hot, ref, gm = self._hot(), float(mm[0]), P.one_run_scale(md)
            g = hot.grid(parallel, ref, np.asarray(memory_mb, float))
            dur = gm * g.a / g.b_floor
            dur[:, g.measured] = float(md[0])  # (the median of one duration)
            return dur, hot.prior(ref, gm, context)
        if len(np.unique(mm)) != 1:
            return None
        ref, gm, w = self._one_size(mm, md, context)
        sh = self._shapes(parallel)
        m = np.asarray(memory_mb, float)
        dur = gm * (sh @ P.basis(m).T) / np.maximum(sh @ P.basis(ref)[0], 1e-12)[:, None]
        dur[:, np.isin(m, mm)] = float(np.median(md))
        return np.asarray(dur, float), w

    def predict(
        self,
        memory_mb: np.ndarray,
        meas_mb: np.ndarray,
        meas_ms: np.ndarray,
        parallel: bool | None = None,
        cpu_ms: float | None = None,
        *,
        context: P.Context | None = None,
    ) -> dict[str, np.ndarray]:
        """Duration and interval (ms) at each candidate size; measured sizes keep their value.

        ``context`` (declared kind, architecture) conditions the one-size prior.
        """
        m = np.asarray(memory_mb, float)
        mm, md = np.asarray(meas_mb, float), np.asarray(meas_ms, float)
        share = {True: 1.0, False: 0.0}.get(parallel, self.parallel_share)  # type: ignore[arg-type]
        coef = P.fit_curve(mm, md, share) if len(mm) >= 2 else None
        kind = context.kind if context is not None else None
        g: P.OneSizeGrid | None = None
        two = (P.from_two(m, mm, md, share, self.two_size_prior(kind)) if coef is not None
               else None)
        if two is not None:
            # a declared kind has its own two-size calibration (dev residuals with it)
            d, k = two, (4 if kind in P.KIND_CODES and 4 in self.log_q else 2)
        elif coef is not None:
            d, k = P.curve(coef, m), 2
        elif len(mm) == 1 and not (cpu_ms is not None and cpu_ms > 0):
            # the serve path: from_one's quantile over the cached sorted ratios
            hot, ref, gm = self._hot(), float(mm[0]), P.one_run_scale(md)
            g = hot.grid(parallel, ref, m)
            d, k = gm * P.quantile_of_sorted(g.ratios, g.order, hot.prior(ref, gm, context),
                                             self.quantile), 1
        else:
            ref, gm, w = self._one_size(mm, md, context)
            d, k = P.from_one(m, ref, gm, self._shapes(parallel), w, cpu_ms=cpu_ms,
                              quantile=self.quantile), 1
        if k == 1 and context is not None and context.kind in P.KIND_CODES and 3 in self.log_q:
            k = 3  # a declared kind has its own calibration (dev residuals with it)
        lo, hi = self.log_q[k]
        low, high = d * math.exp(lo), d * math.exp(hi)
        if g is not None:  # one run: the grid marks its size (the median of one run is it)
            measured = g.measured.copy()
            d[measured] = low[measured] = high[measured] = float(md[0])
        else:
            measured = np.isin(m, mm)
            for size in np.unique(mm[np.isin(mm, m)]):
                at = m == size
                d[at] = low[at] = high[at] = float(np.median(md[mm == size]))
        return {"duration_ms": d, "duration_ms_low": low, "duration_ms_high": high,
                "measured": measured}


def choose(cost: np.ndarray, dur: np.ndarray, objective: str) -> int:
    """Position of the best candidate for ``objective`` (cost | speed | balanced)."""
    cost, dur = np.asarray(cost, float), np.asarray(dur, float)
    if objective == "cost":
        key = np.lexsort((dur, cost))
    elif objective == "speed":
        # Durations within 1 % of the fastest count as equal; the cheaper one wins.
        key = np.lexsort((cost, dur > dur.min() * 1.01))
    else:  # balanced: geometric mean of cost and duration, each relative to its best
        key = np.argsort((cost / max(cost.min(), 1e-12)) * (dur / dur.min()), kind="stable")
    return int(key[0])


def _measurements(req: LambdaMemoryRequest) -> list[Any]:
    """The request's measurements plus those read from its Power Tuning output."""
    from recommender.core.predictions import LambdaMeasurement

    meas = list(req.measurements)
    if req.power_tuning:
        from recommender.models.power_tuning import power_tuning_measurements

        meas += [LambdaMeasurement(**m) for m in power_tuning_measurements(req.power_tuning)]
    return meas


def _candidates(
    query: LambdaQuery, floor_ratio: float, notes: list[str]
) -> tuple[list[int], float]:
    """Candidate sizes: requested or default, plus the measured ones, minus those too small.

    A size is refused only when it is below ``floor_ratio`` x the smallest memory the
    function used (Lambda's max memory used grows a little with the memory given) and no
    measurement ran there.  Sizes between the floor and the footprint are kept with a note.
    """
    meas = query.runs
    measured = sorted({m.memory_mb for m in meas})
    used = [m.max_memory_used_mb for m in meas if m.max_memory_used_mb]
    need = min(used) * floor_ratio if used else 0.0
    cands = sorted(set(query.candidate_memory_mb or DEFAULT_MEMORY_MB) | set(measured))
    kept = [m for m in cands
            if (m >= need or m in measured) and LAMBDA_MIN_MB <= m <= LAMBDA_MAX_MB]
    if len(kept) < len(cands):
        notes.append(
            f"sizes below {need:.0f} MB ({floor_ratio:.2f} x the {min(used):g} MB the "
            "function used) are not candidates; measured sizes always are"
        )
    if not kept:
        raise UserError(f"no candidate memory size is at least {need:.0f} MB")
    return kept, (min(used) if used else 0.0)


def _rows(kept: list[int], pred: dict[str, np.ndarray], cost: dict[str, np.ndarray],
          used: float) -> tuple[LambdaEstimate, ...]:
    """One :class:`LambdaEstimate` per candidate size (``tolist``: the floats ``float()``
    gives, in one call per array)."""
    note = (f"below the {used:g} MB the function used at another size: "
            "may run out of memory, measure it",)
    cols = zip(kept, pred["measured"].tolist(), pred["duration_ms"].tolist(),
               pred["duration_ms_low"].tolist(), pred["duration_ms_high"].tolist(),
               cost[""].tolist(), cost["_low"].tolist(), cost["_high"].tolist(), strict=True)
    return tuple(
        LambdaEstimate(memory_mb=int(m), measured=bool(meas), duration_ms=d,
                       duration_ms_low=lo, duration_ms_high=hi,
                       billed_duration_ms=math.ceil(d), monthly_cost_usd=c,
                       monthly_cost_usd_low=c_lo, monthly_cost_usd_high=c_hi,
                       notes=note if m < used else ())
        for m, meas, d, lo, hi, c, c_lo, c_hi in cols
    )


def _expected_cost_pick(model: Any, kept: list[int], query: LambdaQuery, *,
                        prices: LambdaPrices, notes: list[str], pick: int) -> int:
    """From one measured size, the candidate of lowest cost *expected* over the prior's shapes.

    One duration fixes the scale, not the shape: the cost at each other size is uncertain.
    The decision that minimises the expected cost weighs every shape by its prior weight
    (a Bayes decision; a cost-optimal pick on more development cases than the pick from a
    single predicted curve: docs/models.md section 1).  Two or more sizes fix the curve, so
    ``pick`` (the predicted curve's cheapest size) stands.
    """
    got = getattr(model, "shape_durations", None)
    sd = got(np.array(kept, float), np.array([m.memory_mb for m in query.runs], float),
             np.array([m.duration_ms for m in query.runs], float), query.parallel,
             context=P.Context(kind=query.kind, arch=query.arch)) if got else None
    if sd is None:
        return pick
    dur, w = sd
    gb = np.array(kept, float) / 1024.0
    inv = query.invocations_per_month
    # One price call over the (shape x size) grid: monthly() is elementwise, so this equals
    # pricing each shape's curve in turn (a per-shape loop cost ~4 ms on the serve path).
    expected = w @ prices.monthly(np.ceil(np.asarray(dur, float)) / 1000.0 * gb * inv, inv)
    best = int(np.argmin(np.round(expected, 12)))
    if best != pick:
        notes.append(f"{kept[best]} MB has the lowest monthly cost expected over the shapes one "
                     f"measurement leaves open; the central prediction is cheapest at "
                     f"{kept[pick]} MB")
    return best


def choose_memory(query: LambdaQuery, *, catalog: Any, bundle: Any,
                  prices: LambdaPrices | None = None) -> LambdaChoice:
    """See :func:`recommender.models.interface.choose_lambda_memory`."""
    check_timeout(query.runs, catalog)
    if prices is None:
        prices = lambda_unit_prices(catalog, query.arch, query.region)
    notes: list[str] = []
    model = bundle.lambda_
    kept, used = _candidates(query, float(getattr(model, "footprint_floor", 1.0)), notes)
    cpu = [m.cpu_time_ms for m in query.runs if m.cpu_time_ms is not None]
    pred = model.predict(
        np.array(kept), np.array([m.memory_mb for m in query.runs], float),
        np.array([m.duration_ms for m in query.runs], float), query.parallel,
        cpu[0] if len(query.runs) == 1 and cpu else None,
        context=P.Context(kind=query.kind, arch=query.arch),
    )
    gb = np.array(kept, float) / 1024.0
    inv = query.invocations_per_month
    # billed in 1 ms steps; one price call for the three curves (monthly() is elementwise)
    billed = np.ceil(np.stack([pred["duration_ms"], pred["duration_ms_low"],
                               pred["duration_ms_high"]]))
    cost = dict(zip(("", "_low", "_high"), prices.monthly(billed / 1000.0 * gb * inv, inv),
                    strict=True))
    rows = _rows(kept, pred, cost, used)
    pick = choose(cost[""], pred["duration_ms"], query.objective)
    if query.objective == "cost" and not (len(query.runs) == 1 and cpu):  # cpu: shape fixed
        pick = _expected_cost_pick(model, kept, query, prices=prices, notes=notes,
                                   pick=pick)
    best = rows[pick]
    notes.append(
        "monthly cost excludes the free tier"
        + (f"; prices: {prices.source}" if prices.source else "")
    )
    notes.append({
        None: "parallel not given: the share of multi-threaded CPU work is the training prior",
        False: "single-threaded: sizes above 1,769 MB add vCPUs it cannot use",
        True: "multi-threaded: vCPUs above 1,769 MB (up to 6 at 10,240 MB) are used",
    }[query.parallel])
    note = _kind_note(query)
    if note:
        notes.append(note)
    return LambdaChoice(estimates=rows, best=best, notes=tuple(notes))


def _kind_note(query: LambdaQuery) -> str | None:
    """What a declared kind changed: the one-size prior, or the two-size exponent prior."""
    if not query.kind:
        return None
    if query.kind == "mixed":
        return "kind mixed: the prior weighs every kind alike"
    if len({r.memory_mb for r in query.runs}) == 1:
        return f"kind {query.kind}: the one-size prior weighs training functions of that kind first"
    if len({r.memory_mb for r in query.runs}) == 2:
        return (f"kind {query.kind}: the two-size fit keeps only the "
                + ("CPU-share exponent (no non-scaling part beyond noise)"
                   if query.kind == "cpu_bound" else "non-scaling (waiting) part") + " prior")
    return None


def lambda_query(req: LambdaMemoryRequest, meas: list[Any]) -> LambdaQuery:
    """The typed query of a validated request and its measurements."""
    return LambdaQuery(
        runs=tuple(LambdaRun(m.memory_mb, m.duration, m.max_memory_used_mb, m.cpu_time_ms)
                   for m in meas),
        candidate_memory_mb=(tuple(req.candidate_memory_mb) if req.candidate_memory_mb
                             else None),
        arch=req.arch, invocations_per_month=float(req.invocations_per_month),
        objective=req.objective, parallel=req.parallel, region=req.region, kind=req.kind)


def _prediction(e: LambdaEstimate) -> LambdaPrediction:
    fields = {k: getattr(e, k) for k in LambdaEstimate.__dataclass_fields__}
    return LambdaPrediction(**{**fields, "notes": list(e.notes)})


def answer_lambda_memory(
    req: LambdaMemoryRequest, *, catalog: Any, bundle: Any, prices: LambdaPrices | None = None,
) -> LambdaMemoryResponse:
    """Duration and monthly cost at candidate memory sizes for a validated request.

    :func:`recommender.models.endpoints.predict_lambda_memory` is the endpoint (CONTRACT
    section 4): it validates the request and defaults the catalog and the bundle.

    Parameters
    ----------
    req : LambdaMemoryRequest
    catalog : Catalog
        Source of Lambda prices (``unit_prices``).
    bundle : ModelBundle
    prices : LambdaPrices, optional
        Overrides the catalog prices (tests, evaluations).

    Raises
    ------
    recommender.core.errors.UserError
        No Lambda prices in the catalog, or a measurement over the timeout.
    """
    meas = _measurements(req)
    got = choose_memory(lambda_query(req, meas), catalog=catalog, bundle=bundle, prices=prices)
    notes = list(got.notes)
    if any(m.init_duration_ms for m in meas):
        notes.append("init_duration_ms is reported but not predicted (cold starts only)")
    preds = [_prediction(e) for e in got.estimates]
    return LambdaMemoryResponse(
        predictions=preds,
        best=preds[got.estimates.index(got.best)],
        objective=req.objective,
        arch=req.arch,
        notes=notes,
        model=ModelInfo(version=bundle.version, trained_at=bundle.trained_at),
    )
