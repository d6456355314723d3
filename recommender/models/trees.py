"""The runtime correction evaluated with numpy alone, with scikit-learn's exact arithmetic.

The committed correction is a scikit-learn ``Pipeline(SimpleImputer, GradientBoostingRegressor)``
of 60 one-split trees on five features.  Asking scikit-learn to predict a handful of rows
costs far more than the trees (input validation, feature-name checks, one Cython call per
stage), so at serve time the fitted arrays are read out once and evaluated here:

* the imputer replaces NaN by its fitted ``statistics_`` and appends its missing indicators;
* the trees compare the features cast to float32 with their float64 thresholds, as
  scikit-learn's ``Tree.apply`` does (it validates ``X`` as float32);
* the raw prediction starts at the ``DummyRegressor`` constant and adds
  ``learning_rate x leaf value`` stage after stage, in order (``np.cumsum`` is a sequential
  accumulate), as ``predict_stages`` does, so the sums are bit-identical.

:func:`compile_correction` returns None for anything else (another estimator, loss or
imputer strategy); the caller then uses the scikit-learn object itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NumpyCorrection:
    """Fitted arrays of an imputer + gradient-boosted trees pipeline (single output).

    ``feature``, ``threshold``, ``left``, ``right``: ``(stages, max nodes)`` node arrays,
    padded with leaves; ``scaled``: ``learning_rate x value`` per node; ``depth``: the
    deepest tree's depth (the number of steps from the root to any leaf).
    """

    statistics: np.ndarray
    indicator: np.ndarray
    init: float
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    scaled: np.ndarray
    depth: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Raw prediction for rows ``x`` (float64, columns as the pipeline was fitted)."""
        x = np.asarray(x, dtype=float)
        filled = np.where(np.isnan(x), self.statistics, x)
        if len(self.indicator):
            filled = np.hstack([filled, np.isnan(x[:, self.indicator]).astype(float)])
        x32 = filled.astype(np.float32)
        stages = self.feature.shape[0]
        rows = np.arange(len(x32))
        node = np.zeros((stages, len(x32)), dtype=np.intp)
        st = np.arange(stages)[:, None]
        for _ in range(self.depth):
            f = self.feature[st, node]
            leaf = f < 0
            go_left = x32[rows[None, :], np.maximum(f, 0)] <= self.threshold[st, node]
            node = np.where(leaf, node, np.where(go_left, self.left[st, node],
                                                 self.right[st, node]))
        steps = np.vstack([np.full((1, len(x32)), self.init), self.scaled[st, node]])
        return np.asarray(np.cumsum(steps, axis=0)[-1], dtype=float)


def _tree_arrays(trees: list[Any], lr: float) -> dict[str, Any]:
    width = max(t.node_count for t in trees)
    shape = (len(trees), width)
    out: dict[str, Any] = {"feature": np.full(shape, -2, dtype=np.intp),
           "threshold": np.zeros(shape), "left": np.zeros(shape, dtype=np.intp),
           "right": np.zeros(shape, dtype=np.intp), "scaled": np.zeros(shape)}
    depth = 0
    for s, t in enumerate(trees):
        n = t.node_count
        leaf = t.children_left[:n] == -1
        out["feature"][s, :n] = np.where(leaf, -2, t.feature[:n])
        out["threshold"][s, :n] = t.threshold[:n]
        out["left"][s, :n] = np.where(leaf, np.arange(n), t.children_left[:n])
        out["right"][s, :n] = np.where(leaf, np.arange(n), t.children_right[:n])
        out["scaled"][s, :n] = lr * t.value[:n, 0, 0]
        depth = max(depth, int(t.max_depth))
    out["depth"] = depth
    return out


def compile_correction(pipeline: Any) -> NumpyCorrection | None:
    """The numpy form of ``pipeline``, or None when it is not the supported shape."""
    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2:
        return None
    imp, gbr = steps[0][1], steps[1][1]
    if (type(imp).__name__ != "SimpleImputer" or type(gbr).__name__ !=
            "GradientBoostingRegressor" or getattr(gbr, "loss", None) != "squared_error"):
        return None
    init = getattr(gbr, "init_", None)
    constant = getattr(init, "constant_", None)
    if type(init).__name__ != "DummyRegressor" or constant is None or np.size(constant) != 1:
        return None
    stats = np.asarray(imp.statistics_, dtype=float)
    if not np.isfinite(stats).all() or not np.isnan(imp.missing_values):
        return None
    ind = getattr(imp, "indicator_", None)
    indicator = (np.asarray(ind.features_, dtype=np.intp) if ind is not None
                 else np.zeros(0, dtype=np.intp))
    if gbr.estimators_.shape[1] != 1:
        return None
    trees = [e.tree_ for e in gbr.estimators_[:, 0]]
    return NumpyCorrection(statistics=stats, indicator=indicator,
                           init=float(np.ravel(constant)[0]),
                           **_tree_arrays(trees, float(gbr.learning_rate)))
