"""Compute capacity (``perf_index``) predicted from specs where no benchmark exists.

Physics first: whole-instance CoreMark scales with the number of vCPUs, so the model
predicts ``log(perf_index) = log(vcpus) + g(specs)`` where ``g`` is the per-vCPU speed.
``g`` has two parts (issue 10): a strongly regularised ridge on features that transfer to a
processor never seen (log clock, log SMT share, generation trend per manufacturer,
architecture, memory per vCPU), and small, slow boosted trees on what the ridge leaves.
Trees alone stay flat at the nearest generation seen, so they failed on unseen processors
(leave-one-processor-out, see :mod:`.perf_eval` and docs/models.md); the ridge extrapolates
the trend and the trees only correct it.  Intervals come from the 5 % and 95 % quantiles of
held-out residuals (split-conformal style, in log space).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from recommender.models.features import PERF_COLUMNS, PERF_LINEAR_COLUMNS, perf_features

#: Interval coverage of ``perf_index_low``/``perf_index_high``.
INTERVAL = (0.05, 0.95)
SEED = 0
#: Ridge penalty of the linear part (on standardised columns), picked on the development
#: processors only: leave one processor out, mean MAPE over groups, grid 1-1,000 (100 gave
#: 12.0 %, 30 12.5 %, 300 12.2 %, trees alone 13.3 %; docs/models.md).
RIDGE_ALPHA = 100.0
#: Indices into :data:`PERF_COLUMNS` of the linear part's inputs.
LINEAR_COLS = tuple(PERF_COLUMNS.index(c) for c in PERF_LINEAR_COLUMNS)


# sklearn ships no type stubs (ignore_missing_imports), so its base classes are Any to mypy.
class LogOffsetRegressor(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """A physics offset, a ridge, and a learned correction: ``y = X[:, offset_col] + l(X) + f(X)``.

    Parameters
    ----------
    estimator : regressor, optional
        Learns what the offset and the linear part leave; small, slow seeded boosted trees
        by default.
    offset_col : int, default 0
        Column of ``X`` holding the physics term (e.g. ``log(vcpus)``).
    linear_cols : tuple of int or None, default None
        Columns of the ridge ``l`` (imputed, standardised); None: no linear part.
    alpha : float, default RIDGE_ALPHA
        The ridge penalty.

    Attributes
    ----------
    linear_ : Pipeline or None
        The fitted linear part.
    estimator_ : regressor
        The fitted correction model.
    n_features_in_ : int
        Number of features seen in ``fit``.
    """

    def __init__(self, estimator: Any = None, offset_col: int = 0,
                 linear_cols: tuple[int, ...] | None = None, alpha: float = RIDGE_ALPHA) -> None:
        self.estimator = estimator
        self.offset_col = offset_col
        self.linear_cols = linear_cols
        self.alpha = alpha

    def __sklearn_tags__(self) -> Any:  # noqa: D105 - sklearn's Tags object
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _default_estimator(self) -> Any:
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            # Small, shallow and slow: the trees only correct the ridge (picked with it on
            # the development processors); leave-one-family-out refits it ~150 times.
            GradientBoostingRegressor(
                n_estimators=50,
                max_depth=2,
                learning_rate=0.05,
                subsample=0.7,
                random_state=SEED,
            ),
        )

    def _linear(self, X: np.ndarray) -> np.ndarray:
        lin = getattr(self, "linear_", None)  # artifacts from before issue 10 have none
        if lin is None:
            return np.zeros(len(X))
        return np.asarray(lin.predict(X[:, list(self.linear_cols or ())]), dtype=float)

    def fit(self, X: Any, y: Any) -> LogOffsetRegressor:
        """Fit the correction on ``y - X[:, offset_col]``; returns ``self``."""
        X, y = validate_data(
            self, X, y, ensure_all_finite="allow-nan", y_numeric=True, ensure_min_samples=2
        )
        if not 0 <= self.offset_col < X.shape[1]:
            raise ValueError(f"offset_col={self.offset_col} out of range for {X.shape[1]} columns")
        base = self._default_estimator() if self.estimator is None else self.estimator
        offset = np.nan_to_num(X[:, self.offset_col])
        self.linear_ = None
        if self.linear_cols:
            self.linear_ = make_pipeline(
                SimpleImputer(strategy="median", keep_empty_features=True),
                StandardScaler(),
                Ridge(alpha=self.alpha),
            ).fit(X[:, list(self.linear_cols)], y - offset)
        self.estimator_ = clone(base).fit(X, y - offset - self._linear(X))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Offset plus learned correction for each row of ``X``."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        return np.asarray(
            np.nan_to_num(X[:, self.offset_col]) + self._linear(X) + self.estimator_.predict(X),
            dtype=float,
        )


def perf_regressor() -> LogOffsetRegressor:
    """The shipped configuration: log-vCPU offset, ridge on the transferable columns, trees."""
    return LogOffsetRegressor(linear_cols=LINEAR_COLS, alpha=RIDGE_ALPHA)


@dataclass
class PerfIndexModel:
    """Fitted perf_index model plus its log-residual interval (what the artifact holds)."""

    regressor: LogOffsetRegressor
    log_q_low: float
    log_q_high: float
    features: tuple[str, ...] = PERF_COLUMNS
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict(self, ec2: pd.DataFrame) -> pd.DataFrame:
        """Columns ``perf_index``, ``perf_index_low``, ``perf_index_high`` for ``ec2`` rows."""
        X = perf_features(ec2)[list(self.features)]
        log_p = self.regressor.predict(X.to_numpy())
        return pd.DataFrame(
            {
                "perf_index": np.exp(log_p),
                "perf_index_low": np.exp(log_p + self.log_q_low),
                "perf_index_high": np.exp(log_p + self.log_q_high),
            },
            index=ec2.index,
        )


def measured_rows(ec2: pd.DataFrame) -> pd.DataFrame:
    """Rows with a measured perf_index (the training set)."""
    ok = (ec2["perf_index_source"] == "measured") & (ec2["perf_index"] > 0)
    return ec2[ok].reset_index(drop=True)


def leave_one_family_out(ec2: pd.DataFrame, progress: Any = None) -> pd.DataFrame:
    """Out-of-family predictions for every measured row.

    Each family (``m5a``, ``c7g``...) is predicted by a model fitted on all other families,
    as the model will be used on families without a benchmark.
    """
    data = measured_rows(ec2)
    X = perf_features(data)[list(PERF_COLUMNS)].to_numpy()
    y = np.log(data["perf_index"].to_numpy(dtype=float))
    pred = np.full(len(data), np.nan)
    families = data["family"].astype(str).to_numpy()
    from joblib import Parallel, delayed

    def fold(fam: str) -> tuple[np.ndarray, np.ndarray]:
        test = families == fam
        return test, perf_regressor().fit(X[~test], y[~test]).predict(X[test])

    # Every core (joblib's n_jobs=-1): the ~150 folds are independent and seeded.
    for test, p in Parallel(n_jobs=-1)(delayed(fold)(f) for f in np.unique(families)):
        pred[test] = p
        if progress is not None:
            progress.update(1)
    return pd.DataFrame(
        {
            "instance_type": data["instance_type"],
            "family": families,
            "log_true": y,
            "log_pred": pred,
        }
    )


def perf_metrics(oof: pd.DataFrame) -> dict[str, float]:
    """Spearman, MAPE and interval figures of out-of-family predictions."""
    from scipy.stats import spearmanr  # training only: serving needs no scipy

    true, pred = np.exp(oof["log_true"]), np.exp(oof["log_pred"])
    resid = oof["log_true"] - oof["log_pred"]
    q_low, q_high = np.quantile(resid, INTERVAL)
    per_vcpu_rho = np.nan
    if "vcpus" in oof:
        per_vcpu_rho = spearmanr(true / oof["vcpus"], pred / oof["vcpus"]).statistic
    return {
        "n_rows": int(len(oof)),
        "n_families": int(oof["family"].nunique()),
        "spearman": float(spearmanr(true, pred).statistic),
        "spearman_per_vcpu": float(per_vcpu_rho),
        "mape_pct": float(np.mean(np.abs(pred - true) / true) * 100),
        "median_ape_pct": float(np.median(np.abs(pred - true) / true) * 100),
        "log_q_low": float(q_low),
        "log_q_high": float(q_high),
    }


def train_perf(ec2: pd.DataFrame, progress: Any = None) -> PerfIndexModel:
    """Evaluate leave-one-family-out, then fit on every measured row."""
    data = measured_rows(ec2)
    oof = leave_one_family_out(ec2, progress)
    oof["vcpus"] = data["vcpus"].to_numpy(dtype=float)
    metrics = perf_metrics(oof)
    X = perf_features(data)[list(PERF_COLUMNS)].to_numpy()
    reg = perf_regressor().fit(X, np.log(data["perf_index"].to_numpy(dtype=float)))
    return PerfIndexModel(reg, metrics["log_q_low"], metrics["log_q_high"], metrics=metrics)


def fill_perf_index(ec2: pd.DataFrame, model: PerfIndexModel) -> pd.DataFrame:
    """Fill ``perf_index`` and its interval where ``perf_index_source == "missing"``.

    Filled rows get ``perf_index_source = "predicted"``; measured rows are unchanged.

    Parameters
    ----------
    ec2 : DataFrame
        The catalog ``ec2`` table.
    model : PerfIndexModel
        The trained model (``load_models().perf``; the catalog build's default is
        :func:`recommender.models.endpoints.catalog_perf_filler`).
    """
    out = ec2.copy()
    missing = out["perf_index_source"] == "missing"
    if missing.any():
        pred = model.predict(out[missing])
        for col in ("perf_index", "perf_index_low", "perf_index_high"):
            out.loc[missing, col] = pred[col].to_numpy()
        out.loc[missing, "perf_index_source"] = "predicted"
    return out
