"""Two measured sizes: the posterior over the curve's exponent, and shrinkage (evaluation).

:data:`TWO_SIZE_CHOSEN` (the served two-size setting, :func:`.lambda_physics.from_two`) is
the lowest development figure of :func:`dev_table` over :data:`TWO_SIZE_GRID`.  The
shrinkage toward the prior described below was tried first and is kept for the record
(``--all``); it is not on the serving path.

Two sizes fit ``u`` and the CPU work exactly (:func:`.lambda_physics.fit_curve`).  When the
sizes are close, or the durations are a few ms, measurement noise in their ratio becomes a
spurious non-scaling part ``u`` that is then extrapolated.  The alternative evaluated here
is Bayesian shrinkage: a grid over the non-scaling fraction ``phi`` (of the duration at
1,769 MB), a prior over it (the training shapes' fractions, smoothed, mixed with a uniform
part ``eps``), a likelihood of the two measurements
with a noise floor (``sigma_rel`` relative plus ``sigma_abs_ms`` absolute), and the weighted
median of the posterior's curves.  ``sigma -> 0`` is the plain fit.

It is scored by leave-one-group-out over the development groups only, beside the plain fit
(the card, docs/models.md section 1, gives the table); the served model uses whichever
wins there, which so far is the plain fit, so nothing here is on the serving path.
``python -m recommender.models.lambda_shrink ../shared/data`` prints the table; with
``--kind``, the declared-kind choice (:data:`.lambda_tune.TWO_SIZE_KIND_GRID`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recommender.models import lambda_physics as P
from recommender.models.lambda_mem import LambdaModel

#: The settings tried: (eps, sigma_rel, sigma_abs_ms).
SETTINGS: tuple[tuple[float, float, float], ...] = (
    (0.3, 0.01, 0.0), (0.3, 0.03, 0.0), (0.3, 0.06, 0.0), (0.3, 0.01, 2.0), (0.3, 0.03, 5.0),
    (0.7, 0.01, 0.0), (0.7, 0.03, 0.0),
)


# The grid and the served setting live in lambda_tune (imported by lambda_train too, so
# that the trainer does not import this evaluation module: no import cycle).
from recommender.models.lambda_tune import TWO_SIZE_GRID  # noqa: E402


@dataclass
class Shrunk:
    """A Lambda model whose two-size fit is shrunk toward its prior (see the module doc)."""

    base: LambdaModel
    eps: float
    sigma_rel: float
    sigma_abs_ms: float

    def _prior(self, phi: np.ndarray) -> np.ndarray:
        w = np.asarray(self.base.weights, float)
        fk = self.base.shapes[:, 0]
        kde = (w[:, None] * np.exp(-0.5 * ((phi[None, :] - fk[:, None]) / 0.05) ** 2)).sum(0)
        return np.asarray((1 - self.eps) * kde / kde.sum() + self.eps / len(phi), float)

    def predict(self, memory_mb: np.ndarray, meas_mb: np.ndarray, meas_ms: np.ndarray,
                parallel: bool | None = None, cpu_ms: float | None = None, *,
                context: P.Context | None = None) -> dict[str, np.ndarray]:
        """As :meth:`.LambdaModel.predict`, the two-size curve shrunk toward the prior."""
        out = self.base.predict(memory_mb, meas_mb, meas_ms, parallel, cpu_ms, context=context)
        mm, md = np.asarray(meas_mb, float), np.asarray(meas_ms, float)
        ps = self.base.parallel_share
        if len(np.unique(mm)) != 2 or P.fit_curve(mm, md, ps) is None:
            return out
        phi = np.linspace(0.0, 1.0, 101)
        atoms = np.column_stack([phi, (1 - phi) * (1 - ps), (1 - phi) * ps])
        lg, y = np.log(atoms @ P.basis(mm).T), np.log(md)
        iv = 1.0 / (self.sigma_rel**2 + (self.sigma_abs_ms / md) ** 2)
        a = ((y[None, :] - lg) * iv).sum(1) / iv.sum()
        resid = (((y[None, :] - lg - a[:, None]) ** 2) * iv).sum(1)
        lw = np.log(self._prior(phi)) - 0.5 * resid
        post = np.exp(lw - lw.max())
        curves = np.exp(a[:, None]) * (atoms @ P.basis(np.asarray(memory_mb, float)).T)
        d = P.weighted_quantile(curves, post / post.sum(), 0.5)
        keep = out["measured"]
        out["duration_ms"] = np.where(keep, out["duration_ms"], d)
        return out


def dev_table(data_dir: Path) -> dict[str, float]:
    """Dev leave-one-group-out two-size MAPE (%, mean over groups): plain fit, each setting."""
    from recommender.models.lambda_data import load_lambda_curves
    from recommender.models.lambda_train import _score, _summary, fit_lambda
    from recommender.models.lambda_tune import choose_conditional
    from recommender.models.splits import test_groups
    from recommender.models.train import _lambda_prices

    curves = load_lambda_curves(data_dir)
    test = test_groups("lambda", curves["group"].unique())
    dev_curves = curves[~curves["group"].isin(test)]
    dev = sorted(dev_curves["group"].unique())
    cond, _ = choose_conditional(dev_curves, fit_lambda)
    prices = _lambda_prices(data_dir)

    def fold(g: str) -> Any:
        return fit_lambda(dev_curves[dev_curves["group"] != g], conditional=cond)

    def plain(g: str) -> Any:
        model = fold(g)
        model.two_sigma = 0.0
        return model

    out = {"plain fit": _summary(_score(plain, dev_curves, dev, prices)["two_sizes"],
                                 None)["mape_pct_group_mean"]}
    for sig, tau, pi, bmax in TWO_SIZE_GRID:
        def posterior(g: str, s: tuple[float, ...] = (sig, tau, pi, bmax)) -> Any:
            model = fold(g)
            model.two_sigma, model.two_tau, model.two_pi, model.two_beta_max = s
            return model
        out[f"posterior sigma={sig} tau={tau} pi={pi} beta_max={bmax}"] = _summary(
            _score(posterior, dev_curves, dev, prices)["two_sizes"], None)["mape_pct_group_mean"]
    if "--all" not in sys.argv:
        return out
    for eps, rel, ab in SETTINGS:
        rec = _score(lambda g, s=(eps, rel, ab): Shrunk(plain(g), *s), dev_curves, dev, prices)
        out[f"eps={eps} sigma_rel={rel} sigma_abs_ms={ab}"] = _summary(
            rec["two_sizes"], None)["mape_pct_group_mean"]
    return out


def _two_size_pred(model: LambdaModel, m: np.ndarray, sel: np.ndarray, d: np.ndarray, *,
                   ctx: P.Context, pis: dict[str, float]) -> np.ndarray:
    """:meth:`.LambdaModel.predict`'s two-size branch with the kind weights ``pis``."""
    mm, md, ps = m[sel], d[sel], model.parallel_share
    coef = P.fit_curve(mm, md, ps)
    if coef is None:  # the sizes cannot tell a shape: the served one-size path
        return np.asarray(model.predict(m, mm, md, context=ctx)["duration_ms"], float)
    prior = model.two_size_prior()
    if ctx.kind in pis:
        prior = P.TwoSizePrior(prior.sigma, prior.tau, pis[ctx.kind], prior.beta_max)
    two = P.from_two(m, mm, md, ps, prior)
    return two if two is not None else P.curve(coef, m)


def dev_kind_table(data_dir: Path) -> dict[str, float]:
    """Dev two-size MAPE (%, mean over groups) with each group's kind declared, per
    :data:`.lambda_tune.TWO_SIZE_KIND_GRID` choice; the same pairs as the trainer's
    ``two_sizes`` case (:func:`.lambda_train._cases`: seed, order and six pairs a curve)."""
    from recommender.models.lambda_data import load_lambda_curves
    from recommender.models.lambda_train import N_PAIRS, SEED, _functions, fit_lambda
    from recommender.models.lambda_tune import TWO_SIZE_KIND_GRID, choose_conditional
    from recommender.models.splits import test_groups

    curves = load_lambda_curves(data_dir)
    dev_curves = curves[~curves["group"].isin(test_groups("lambda", curves["group"].unique()))]
    cond, _ = choose_conditional(dev_curves, fit_lambda)
    rng = np.random.default_rng(SEED)
    errs: dict[tuple[float, float], dict[str, list[np.ndarray]]] = {}
    for g in sorted(dev_curves["group"].unique()):
        model = fit_lambda(dev_curves[dev_curves["group"] != g], conditional=cond)
        for _, _, f in _functions(dev_curves[dev_curves["group"] == g]):
            m, d = f["memory_mb"].to_numpy(float), f["duration_ms"].to_numpy(float)
            ctx = P.Context(kind=str(f["kind"].iloc[0]), arch=str(f["arch"].iloc[0]))
            pairs = [(i, j) for i in range(len(m)) for j in range(i + 1, len(m))]
            for k in rng.permutation(len(pairs))[:N_PAIRS]:
                sel = np.isin(np.arange(len(m)), pairs[k])
                for pc, pio in TWO_SIZE_KIND_GRID:
                    p = _two_size_pred(model, m, sel, d, ctx=ctx,
                                       pis={"cpu_bound": pc, "io_bound": pio})
                    errs.setdefault((pc, pio), {}).setdefault(g, []).append(
                        np.abs(p[~sel] - d[~sel]) / d[~sel])
    return {f"kind declared: pi cpu_bound={pc} io_bound={pio}": float(np.mean(
        [np.mean(np.concatenate(v)) for v in by_g.values()]) * 100)
        for (pc, pio), by_g in errs.items()}


if __name__ == "__main__":  # pragma: no cover - a command-line report
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    table = dev_kind_table if "--kind" in sys.argv else dev_table
    for name, v in table(Path(args[0] if args else "../shared/data")).items():
        sys.stdout.write(f"{v:6.2f} %  {name}\n")
