"""Model artifacts: one skops file per model plus a JSON sidecar, verified before loading.

The artifact check is a trust boundary, not only a checksum:

* the files live in the artifacts directory: a sidecar whose ``file`` names any other path
  (another directory, a symlink leading out, another slot's file) is refused, and so is a
  sidecar whose ``name`` is not its slot;
* the bytes are read once, bounded in size, and their sha256 compared with the sidecar's
  before anything is decoded;
* they are decoded with ``skops.io`` (a zip of JSON and ``.npy`` arrays, no pickle) and only
  the types in :data:`TRUSTED_TYPES` (plus skops' own scikit-learn/numpy defaults) may be
  built.  A file naming any other type is refused, so a swapped file cannot run code even
  with a matching hash.

Serving reads a numpy-only form where the model has one: ``<name>.npz`` (plain arrays,
read with ``allow_pickle=False``, so it cannot build objects or run code), written by the
training save path next to the skops file, with its own sha256 in the sidecar's ``serving``
entry (:mod:`.serving`).  The skops files are still verified (hash, slot, version) when a
bundle is made, but decoded only when a model without a serving form is used, so
``recommender recommend`` imports neither scikit-learn nor scipy nor skops.

Writes are crash-safe (temporary file, fsync, ``os.replace``, fsync of the directory): all
artifacts are written to a temporary sibling directory, verified by loading them, then moved
in, each sidecar after its model file.  :func:`model_state` is what ``/healthz`` and the
engine ask: the bundle, or the reason it is degraded ("perf artifact failed its hash").
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any, Literal

import cachetools
import numpy as np

from foundation.integrity import sha256_file  # noqa: F401 - re-exported (tests, callers)
from recommender.core.errors import ModelArtifactError

DEFAULT_ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"
#: Artifact name -> attribute of :class:`ModelBundle`.
MODEL_NAMES = {"perf": "perf", "runtime": "runtime", "lambda": "lambda_"}
#: 2: skops files (no pickle); 1 was joblib and is refused.
FORMAT_VERSION = 2
SUFFIX = ".skops"
#: The numpy-only serving form next to the skops file (:mod:`.serving`), when the type has one.
SERVING_SUFFIX = ".npz"
#: A model file larger than this is refused before it is read (ours are under 100 kB).
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
#: Types an artifact may contain beyond skops' defaults (scikit-learn estimators, numpy
#: arrays, builtins).  Adding a model class or a non-default library type means adding its
#: fully qualified name here; :func:`.artifact_writer.write_artifact` refuses to save anything
#: else, and :func:`load_artifact` refuses to build anything else.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "recommender.models.perf.LogOffsetRegressor",
    "recommender.models.perf.PerfIndexModel",
    "recommender.models.runtime.RuntimeModel",
    "recommender.models.lambda_mem.LambdaModel",
)


def _minor(version: object) -> tuple[str, ...] | None:
    """``"1.9.1"`` -> ``("1", "9")``: estimator parameters are stable within a minor release,
    and skops stores parameters (not pickled code), so a patch release may load them."""
    return tuple(version.split(".")[:2]) if isinstance(version, str) else None


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries an artifact depends on, for its sidecar."""
    import pandas as pd
    import scipy
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "skops": skops.__version__,
    }


def numeric_platform() -> dict[str, str]:
    """The machine and numpy's BLAS kernel that an artifact's figures were computed on.

    The training is seeded and reproduces its figures to 1e-9 on the same kernel; on another
    CPU, OpenBLAS picks another kernel (Haswell, SkylakeX, ...), sums round differently in the
    last bits, and a tree split that ties to the last bit can go the other way, which moves
    a held-out figure by up to about 1 %.  The sidecar says which kernel its figures hold on
    (``tests/models/test_training.py`` compares exactly there, within that bound elsewhere).
    """
    from threadpoolctl import threadpool_info

    kernels = sorted(
        f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas" and "numpy" in str(i.get("filepath", ""))
    )
    return {"machine": platform.machine(), "numpy_blas": "; ".join(kernels) or "unknown"}


def fail(name: str, reason: str, detail: str) -> ModelArtifactError:
    """A :class:`ModelArtifactError` whose ``reason`` reads well after "<name> artifact"."""
    exc = ModelArtifactError(f"model artifact {name!r} {reason}: {detail}")
    exc.slot, exc.reason = name, reason  # type: ignore[attr-defined]
    return exc


def untrusted_types(data: bytes) -> list[str]:
    """The types in skops ``data`` that neither skops nor :data:`TRUSTED_TYPES` trusts."""
    import skops.io as sio

    return sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))


def read_sidecar(name: str, directory: Path) -> dict[str, Any]:
    """The JSON sidecar ``<name>.json`` of an artifact in ``directory``, checked for its slot.

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        The sidecar is missing, not a JSON object, or names another slot.
    """
    side = Path(directory) / f"{name}.json"
    if not side.is_file():
        raise fail(name, "is missing", f"{side} not found; run `recommender train`")
    try:
        if side.stat().st_size > 1024 * 1024:
            raise ValueError("sidecar larger than 1 MiB")
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise fail(name, "has a malformed sidecar", f"{side} is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise fail(name, "has a malformed sidecar", f"{side} is not a JSON object")
    if meta.get("name") != name:
        raise fail(name, "names another slot", f"{side} says name={meta.get('name')!r}")
    return meta


def _artifact_path(name: str, directory: Path, meta: dict[str, Any]) -> Path:
    """The model file the sidecar names, refused unless it is ``<directory>/<name>.skops``."""
    expected = f"{name}{SUFFIX}"
    if meta.get("format_version") != FORMAT_VERSION:
        raise fail(name, "has an old format", f"format_version {meta.get('format_version')!r} "
                    f"is not {FORMAT_VERSION} (skops); retrain with `recommender train`")
    return _slot_file(name, directory, expected, meta.get("file"))


def _slot_file(name: str, directory: Path, expected: str, given: Any) -> Path:
    """``<directory>/<expected>``, refused unless the sidecar named exactly that file and it
    is a regular file inside the directory (no symlink out)."""
    if given != expected:
        raise fail(name, "names a file outside its slot",
                    f"sidecar file {given!r} is not {expected!r}")
    root = directory.resolve()
    path = (directory / expected).resolve()
    if path.parent != root:
        raise fail(name, "is outside the artifacts directory", f"{directory / expected} "
                    f"leads to {path}, not inside {root}")
    if not path.is_file():
        raise fail(name, "is missing", f"{path} not found; run `recommender train`")
    return path


def _read_verified(name: str, path: Path, meta: dict[str, Any]) -> bytes:
    size = path.stat().st_size
    if size > MAX_ARTIFACT_BYTES:
        raise fail(name, "is too large", f"{path} is {size} bytes (limit {MAX_ARTIFACT_BYTES})")
    data = path.read_bytes()  # read once: the hash checked is the hash of what is decoded
    digest = hashlib.sha256(data).hexdigest()
    if digest != meta.get("sha256"):
        raise fail(name, "failed its hash", f"{path} does not match the sha256 in its sidecar "
                    f"({digest[:12]} != {str(meta.get('sha256'))[:12]}); refusing to load it")
    return data


@functools.cache
def _sklearn_version() -> str | None:
    """The installed scikit-learn's version, read from its metadata (no import of it)."""
    try:
        return _dist_version("scikit-learn")
    except PackageNotFoundError:
        return None


def _check_sklearn(name: str, meta: dict[str, Any]) -> None:
    libraries = meta.get("libraries")
    wrote = libraries.get("scikit-learn") if isinstance(libraries, dict) else None
    have = _sklearn_version()
    if _minor(wrote) != _minor(have):
        raise fail(name, "was written by another scikit-learn", f"scikit-learn {wrote}, this is "
                    f"{have}; retrain with `recommender train`")


def _decode(name: str, path: Path, data: bytes) -> Any:
    """The skops object of verified ``data`` (types outside :data:`TRUSTED_TYPES` refused)."""
    import skops.io as sio

    extra = untrusted_types_safe(name, data)
    if extra:
        raise fail(name, "contains untrusted types", f"{path} names {extra}; refusing to load it")
    try:
        return sio.loads(data, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # noqa: BLE001 - any decoding failure is a refused artifact
        raise fail(name, "cannot be decoded", f"{path}: {type(exc).__name__}: {exc}") from None


def load_serving(name: str, directory: Path, meta: dict[str, Any]) -> Any:
    """The model of the sidecar's ``serving`` entry (:mod:`.serving`), verified like the
    skops file (its slot's file, bounded size, sha256), or None without one.

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        A misplaced, altered or undecodable serving file.
    """
    entry = meta.get("serving")
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise fail(name, "has a malformed sidecar", "its 'serving' entry is not an object")
    from recommender.models import serving as S

    path = _slot_file(name, Path(directory), f"{name}{SERVING_SUFFIX}", entry.get("file"))
    data = _read_verified(name, path, entry)
    try:
        return S.from_serving(S.loads(data))
    except Exception as exc:  # noqa: BLE001 - junk, a pickle, missing keys
        raise fail(name, "cannot be decoded", f"{path}: {type(exc).__name__}: {exc}") from None


def load_artifact(name: str, directory: Path) -> tuple[Any, dict[str, Any]]:
    """Verify and load one artifact; returns ``(object, sidecar)``.

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        Missing or misplaced files, another slot's sidecar, sha256 mismatch, another
        scikit-learn version, or a file with untrusted types.
    """
    directory = Path(directory)
    meta = read_sidecar(name, directory)
    path = _artifact_path(name, directory, meta)
    _check_sklearn(name, meta)
    data = _read_verified(name, path, meta)
    return _decode(name, path, data), meta


def untrusted_types_safe(name: str, data: bytes) -> list[str]:
    """:func:`untrusted_types`, with a file that is not a skops zip reported as refused."""
    try:
        return untrusted_types(data)
    except Exception as exc:  # noqa: BLE001 - junk, a pickle, a truncated zip
        raise fail(name, "cannot be decoded", f"not a skops file ({type(exc).__name__}: "
                    f"{exc})") from None


class ModelBundle:
    """The three verified models and the response's ``model`` block.

    Every file was checked when the bundle was made (sidecar, slot, size, sha256, the
    scikit-learn version); the serving forms (:mod:`.serving`, numpy only) were decoded
    then.  A model without one (the perf model: a snapshot built with it never needs it at
    serve time) is decoded from its verified skops bytes on first use, so a process that
    only recommends never imports scikit-learn.
    """

    def __init__(self, *, version: str, trained_at: str, sidecars: dict[str, dict[str, Any]],
                 models: dict[str, Any], pending: dict[str, Callable[[], Any]] | None = None
                 ) -> None:
        self.version, self.trained_at, self.sidecars = version, trained_at, sidecars
        self._models = dict(models)
        self._pending = dict(pending or {})
        self._lock = threading.Lock()

    def model(self, name: str) -> Any:
        """The model of slot ``name`` (decoded now if it was left for first use).

        Raises
        ------
        recommender.core.errors.ModelArtifactError
            Its skops file cannot be decoded or names an untrusted type.
        """
        got = self._models.get(name, _UNSET)
        if got is not _UNSET:
            return got
        with self._lock:
            if name not in self._models:
                self._models[name] = self._pending.pop(name)()
            return self._models[name]

    @property
    def perf(self) -> Any:
        return self.model("perf")

    @property
    def runtime(self) -> Any:
        return self.model("runtime")

    @property
    def lambda_(self) -> Any:
        return self.model("lambda")

    @cached_property
    def runtime_correction(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """The runtime correction evaluated in numpy (:mod:`.trees`), computed once per
        bundle; None when the correction is absent or not of the supported shape (the
        model then asks its scikit-learn estimator)."""
        from recommender.models.trees import NumpyCorrection, compile_correction

        corr = getattr(self.runtime, "correction", None)
        if isinstance(corr, NumpyCorrection):  # the serving form holds it compiled
            return corr.predict
        compiled = compile_correction(corr) if corr is not None else None
        return None if compiled is None else compiled.predict


_UNSET = object()


def _verify_slot(name: str, directory: Path) -> tuple[dict[str, Any], Any, Callable[[], Any]]:
    """``(sidecar, serving model or _UNSET, skops decoder)`` of one slot, every file verified."""
    meta = read_sidecar(name, directory)
    path = _artifact_path(name, directory, meta)
    _check_sklearn(name, meta)
    data = _read_verified(name, path, meta)
    served = load_serving(name, directory, meta)
    return meta, _UNSET if served is None else served, lambda: _decode(name, path, data)


def _load(directory: str) -> ModelBundle:
    slots = {name: _verify_slot(name, Path(directory)) for name in MODEL_NAMES}
    digest = hashlib.sha256("".join(m["sha256"] for m, _, _ in slots.values()).encode()
                            ).hexdigest()
    return ModelBundle(
        version=f"models-{digest[:12]}",
        trained_at=max(str(m.get("trained_at", "")) for m, _, _ in slots.values()),
        sidecars={name: m for name, (m, _, _) in slots.items()},
        models={name: obj for name, (_, obj, _) in slots.items() if obj is not _UNSET},
        pending={name: dec for name, (_, obj, dec) in slots.items() if obj is _UNSET},
    )


def load_models(artifacts_dir: Path | str | None = None) -> ModelBundle:
    """Load and verify every model artifact (cached per directory while its files stay put).

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        When an artifact is absent, altered, misplaced, untrusted or from another
        scikit-learn version.
    """
    bundle, error = _cached(artifacts_dir)
    if error is not None:
        copy = ModelArtifactError(str(error))
        for attr in ("slot", "reason"):
            setattr(copy, attr, getattr(error, attr, None))
        raise copy
    assert bundle is not None
    return bundle


@dataclass(frozen=True)
class ModelState:
    """What the service can say about its models: the bundle, or why it has none."""

    status: Literal["ok", "degraded"]
    bundle: ModelBundle | None
    detail: str | None = None

    @property
    def version(self) -> str:
        return self.bundle.version if self.bundle is not None else "rules-only"


#: Per artifacts directory: the files' signature and the bundle or the load error.  An LRU
#: (cachetools, under a lock): a process sees one or two directories, tests a few more.
_STATE: cachetools.LRUCache[str, tuple[tuple[Any, ...], tuple[ModelBundle | None,
                                                              Exception | None], float]]
_STATE = cachetools.LRUCache(maxsize=8)
#: A loaded bundle's files are re-stat'ed at most this often (seconds, monotonic clock): the
#: nine stats cost more than the rest of a warm ``recommend()``'s model lookup, and a retrain
#: in another process is still picked up within a second.  A failed load is re-checked on
#: every call (repairs are noticed at once); a retrain in this process clears the cache.
RESTAT_S = 1.0
_STATE_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)


def _signature(d: str) -> tuple[Any, ...]:
    """Cheap fingerprint of the artifact files (stat only): a retrain or a repair changes it.

    Called by ``recommend()`` (at most once per :data:`RESTAT_S` for a loaded bundle), so
    plain ``os.stat`` on joined strings (pathlib objects cost more than the system calls).
    """
    sig: list[Any] = []
    for name in MODEL_NAMES:
        for f in (f"{name}.json", f"{name}{SUFFIX}", f"{name}{SERVING_SUFFIX}"):
            try:
                st = os.stat(os.path.join(d, f))
                sig.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                sig.append(None)
    return tuple(sig)


def _try_load(d: str) -> tuple[ModelBundle | None, Exception | None]:
    try:
        return _load(d), None
    except ModelArtifactError as exc:
        error: Exception = exc
    except Exception as exc:  # noqa: BLE001 - whatever the files hold, say so, never crash
        error = fail("set", "failed to load", f"{type(exc).__name__}: {exc}")
    # Remembered only while the files stay as they are, and never silently: logged here,
    # reported by model_state (and /healthz) until a retrain or a repair changes the files.
    _LOG.warning("model artifacts in %s not loaded (rules only): %s", d, error)
    return None, error


def _cached(artifacts_dir: Path | str | None) -> tuple[ModelBundle | None, Exception | None]:
    """The bundle or the load error of a directory, reloaded when its files change."""
    # The default directory is already absolute (built from this file's resolved path), and
    # read at call time so a caller may point it elsewhere; resolving it per call cost more
    # than the stats.
    d = str(Path(artifacts_dir).resolve()) if artifacts_dir else str(DEFAULT_ARTIFACTS_DIR)
    now = time.monotonic()
    with _STATE_LOCK:
        hit = _STATE.get(d)
    if hit is not None and hit[1][1] is None and now - hit[2] < RESTAT_S:
        return hit[1]
    sig = _signature(d)
    with _STATE_LOCK:
        hit = _STATE.get(d)
        if hit is not None and hit[0] == sig:
            _STATE[d] = (sig, hit[1], now)
            return hit[1]
        result = _try_load(d)
        _STATE[d] = (sig, result, now)
        return result


def model_state(artifacts_dir: Path | str | None = None) -> ModelState:
    """The models' state: ``ok`` with the bundle, or ``degraded`` with the reason.

    Unlike :func:`load_models` it never raises.  Both notice when the files change (a
    retrain or a repaired artifact is picked up without a restart; a failed load is not
    remembered forever).  The detail reads e.g. ``"degraded: perf artifact failed its hash"``.
    """
    bundle, error = _cached(artifacts_dir)
    if error is None:
        return ModelState("ok", bundle)
    slot, reason = getattr(error, "slot", None), getattr(error, "reason", None)
    short = f"{slot} artifact {reason}" if slot and reason else str(error)
    return ModelState("degraded", None, f"degraded: {short} ({error})")


def _clear_all() -> None:
    with _STATE_LOCK:
        _STATE.clear()


load_models.cache_clear = _clear_all  # type: ignore[attr-defined]
