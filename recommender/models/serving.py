"""The serving form of a model artifact: plain numpy arrays in an ``.npz``, no code on load.

``recommender recommend`` and the API only evaluate the models; they never fit them.  The
Lambda model is numpy arrays and floats already, and the runtime model's correction (a
scikit-learn imputer + boosted trees) evaluates bit-identically in numpy (:mod:`.trees`).
So next to each ``<name>.skops`` the training save path writes ``<name>.npz``: the same
model as named arrays, read with ``numpy.load(allow_pickle=False)`` (an ``.npz`` is a zip of
``.npy`` headers and raw buffers; without pickle no object, hence no code, is built from
it).  Loading it imports neither scikit-learn, scipy nor skops.

:func:`serving_arrays` turns a fitted model into its arrays (None: the type has no serving
form, e.g. the perf model, which serving never needs with a snapshot built by it);
:func:`from_serving` builds the model back.  Both are exact: floats round-trip as float64,
and a model rebuilt from its arrays predicts what the skops object predicts (tested).
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

#: Keys of a Lambda model's arrays (besides the ``log_q`` pairs).
_LAMBDA_ARRAYS = ("shapes", "weights", "log_scale")
_LAMBDA_FLOATS = ("bandwidth", "parallel_share", "footprint_floor")
#: The conditional prior's codes and factors (absent from forms written before them).
_LAMBDA_CODES = ("shape_kind", "shape_arch")
_LAMBDA_FACTORS = ("kind_mismatch", "arch_mismatch", "quantile", "two_sigma", "two_tau",
                   "two_pi", "two_beta_max")
_RUNTIME_FLOATS = ("prior_x_half", "zero_shot_s_per_gib_cap", "zero_shot_serial_s")
_TREE_ARRAYS = ("statistics", "indicator", "feature", "threshold", "left", "right", "scaled")
#: The serving format; another value is refused (the skops file is used instead).
SERVING_FORMAT = 1


def _log_q(log_q: dict[int, tuple[float, float]]) -> dict[str, np.ndarray]:
    keys = sorted(log_q)
    return {"log_q_keys": np.asarray(keys, dtype=np.int64),
            "log_q_values": np.asarray([log_q[k] for k in keys], dtype=float).reshape(-1, 2)}


def _read_log_q(a: Any) -> dict[int, tuple[float, float]]:
    return {int(k): (float(v[0]), float(v[1]))
            for k, v in zip(a["log_q_keys"], a["log_q_values"], strict=True)}


def _lambda_arrays(m: Any) -> dict[str, np.ndarray]:
    out = {k: np.asarray(getattr(m, k), dtype=float) for k in _LAMBDA_ARRAYS}
    for k in _LAMBDA_FLOATS:
        v = getattr(m, k)
        out[k] = np.asarray(math.nan if v is None else float(v))
    for k in _LAMBDA_CODES:
        v = getattr(m, k, None)
        out[k] = np.full(len(out["shapes"]), math.nan) if v is None else np.asarray(v, float)
    out |= {k: np.asarray(float(getattr(m, k))) for k in _LAMBDA_FACTORS}
    return {**out, **_log_q(m.log_q)}


def _runtime_arrays(m: Any) -> dict[str, np.ndarray] | None:
    from recommender.models.trees import NumpyCorrection, compile_correction

    out: dict[str, np.ndarray] = {k: np.asarray(float(getattr(m, k))) for k in _RUNTIME_FLOATS}
    out |= {"features": np.asarray(list(m.features), dtype=str),
            "overhead": np.asarray(m.overhead, dtype=float),
            "noise_q": np.asarray(m.noise_q, dtype=float),
            "use_correction": np.asarray(bool(m.use_correction)), **_log_q(m.log_q)}
    corr = m.correction
    if corr is None:
        return out
    compiled = corr if isinstance(corr, NumpyCorrection) else compile_correction(corr)
    if compiled is None:
        return None  # a correction numpy cannot evaluate exactly: serve from the skops file
    out |= {f"corr_{k}": np.asarray(getattr(compiled, k)) for k in _TREE_ARRAYS}
    out |= {"corr_init": np.asarray(compiled.init), "corr_depth": np.asarray(compiled.depth)}
    return out


def serving_arrays(obj: Any) -> dict[str, np.ndarray] | None:
    """The named arrays of ``obj``'s serving form, or None when its type has none."""
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
    if kind == "recommender.models.lambda_mem.LambdaModel":
        arrays = _lambda_arrays(obj)
    elif kind == "recommender.models.runtime.RuntimeModel":
        got = _runtime_arrays(obj)
        if got is None:
            return None
        arrays = got
    else:
        return None
    return {"serving_format": np.asarray(SERVING_FORMAT), "kind": np.asarray(kind), **arrays}


def dumps(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` bytes of ``arrays`` (uncompressed: a few kB, read in microseconds)."""
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    return buf.getvalue()


def loads(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of ``.npz`` bytes; an object array (which needs pickle) raises ValueError."""
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _lambda_model(a: dict[str, np.ndarray]) -> Any:
    from recommender.models.lambda_mem import LambdaModel

    bandwidth = float(a["bandwidth"])
    extra: dict[str, Any] = {k: np.array(a[k], dtype=float) for k in _LAMBDA_CODES if k in a}
    extra |= {k: float(a[k]) for k in _LAMBDA_FACTORS if k in a}
    return LambdaModel(shapes=np.array(a["shapes"], dtype=float),
                       weights=np.array(a["weights"], dtype=float),
                       log_scale=np.array(a["log_scale"], dtype=float),
                       bandwidth=None if math.isnan(bandwidth) else bandwidth,
                       parallel_share=float(a["parallel_share"]),
                       footprint_floor=float(a["footprint_floor"]), log_q=_read_log_q(a),
                       **extra)


def _runtime_model(a: dict[str, np.ndarray]) -> Any:
    from recommender.models.runtime import RuntimeModel
    from recommender.models.trees import NumpyCorrection

    corr = None
    if "corr_init" in a:
        corr = NumpyCorrection(**{k: a[f"corr_{k}"] for k in _TREE_ARRAYS},
                               init=float(a["corr_init"]), depth=int(a["corr_depth"]))
    over, noise = (float(x) for x in a["overhead"]), (float(x) for x in a["noise_q"])
    return RuntimeModel(correction=corr, prior_x_half=float(a["prior_x_half"]),
                        zero_shot_s_per_gib_cap=float(a["zero_shot_s_per_gib_cap"]),
                        zero_shot_serial_s=float(a["zero_shot_serial_s"]),
                        log_q=_read_log_q(a), features=tuple(str(f) for f in a["features"]),
                        overhead=(next(over), next(over)), noise_q=(next(noise), next(noise)),
                        use_correction=bool(a["use_correction"]))


def from_serving(arrays: dict[str, np.ndarray]) -> Any:
    """The model rebuilt from :func:`serving_arrays`' output.

    Raises
    ------
    ValueError
        Another serving format or a kind this module does not build.
    """
    if int(arrays.get("serving_format", -1)) != SERVING_FORMAT:
        raise ValueError(f"serving format {arrays.get('serving_format')!r} is not "
                         f"{SERVING_FORMAT}")
    kind = str(arrays.get("kind"))
    if kind == "recommender.models.lambda_mem.LambdaModel":
        return _lambda_model(arrays)
    if kind == "recommender.models.runtime.RuntimeModel":
        return _runtime_model(arrays)
    raise ValueError(f"no serving form for {kind!r}")
