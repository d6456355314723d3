"""Model artifacts: one joblib per model plus a JSON sidecar, verified before loading.

``joblib.load`` runs code from the file, so nothing is unpickled before its sidecar has
been read, the sha256 of the joblib checked against it, and the scikit-learn version that
wrote it compared with the one installed.  Writes are atomic: artifacts are written to a
temporary sibling directory, verified, then moved into place with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn

from foundation.integrity import sha256_file
from recommender.core.errors import ModelArtifactError

DEFAULT_ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"
#: Artifact name -> attribute of :class:`ModelBundle`.
MODEL_NAMES = {"perf": "perf", "runtime": "runtime", "lambda": "lambda_"}
FORMAT_VERSION = 1


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries an artifact depends on, for its sidecar."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "joblib": joblib.__version__,
    }


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def write_artifact(obj: Any, name: str, directory: Path, sidecar: dict[str, Any]) -> dict[str, Any]:
    """Write ``<name>.joblib`` and ``<name>.json`` into ``directory`` (not atomic by itself)."""
    directory = Path(directory)
    path = directory / f"{name}.joblib"
    joblib.dump(obj, path, compress=3)
    meta = {
        "name": name,
        "format_version": FORMAT_VERSION,
        "file": path.name,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "libraries": library_versions(),
        "trained_at": sidecar.get("trained_at")
        or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        **{k: v for k, v in sidecar.items() if k != "trained_at"},
    }
    text = json.dumps(meta, indent=2, sort_keys=True, default=_json_default) + "\n"
    (directory / f"{name}.json").write_text(text)
    return meta


def read_sidecar(name: str, directory: Path) -> dict[str, Any]:
    """The JSON sidecar ``<name>.json`` of an artifact in ``directory``.

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        The sidecar is missing or not valid JSON.
    """
    side = Path(directory) / f"{name}.json"
    if not side.exists():
        raise ModelArtifactError(
            f"model artifact {name!r} missing ({side}); run `recommender train`"
        )
    try:
        return json.loads(side.read_text())
    except json.JSONDecodeError as exc:
        raise ModelArtifactError(f"sidecar {side} is not valid JSON: {exc}") from exc


def load_artifact(name: str, directory: Path) -> tuple[Any, dict[str, Any]]:
    """Verify and load one artifact; returns ``(object, sidecar)``.

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        Missing files, sha256 mismatch, or another scikit-learn version.
    """
    directory = Path(directory)
    meta = read_sidecar(name, directory)
    path = directory / str(meta.get("file", f"{name}.joblib"))
    if path.name != f"{name}.joblib" or not path.exists():
        raise ModelArtifactError(
            f"model artifact {name!r}: {path} missing; run `recommender train`"
        )
    wrote = meta.get("libraries", {}).get("scikit-learn")
    if wrote != sklearn.__version__:
        raise ModelArtifactError(
            f"model artifact {name!r} was written by scikit-learn {wrote}, this is "
            f"{sklearn.__version__}; retrain with `recommender train`"
        )
    digest = sha256_file(path)
    if digest != meta.get("sha256"):
        raise ModelArtifactError(
            f"model artifact {path} does not match the sha256 in its sidecar "
            f"({digest[:12]} != {str(meta.get('sha256'))[:12]}); refusing to load it"
        )
    return joblib.load(path), meta


def write_artifacts_atomically(
    items: dict[str, tuple[Any, dict[str, Any]]], out_dir: Path
) -> dict[str, dict[str, Any]]:
    """Write several artifacts to a temp dir, verify each by loading it, then move them in.

    A failure at any point leaves ``out_dir`` exactly as it was.  Each file is moved with
    ``os.replace`` (atomic per file); the sidecar goes last so a reader never pairs a new
    sidecar with an old joblib that would pass its check.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".artifacts.tmp-", dir=out_dir.parent))
    try:
        metas = {name: write_artifact(obj, name, tmp, side) for name, (obj, side) in items.items()}
        for name in items:
            load_artifact(name, tmp)  # verify what was written before it replaces anything
        for name in items:
            os.replace(tmp / f"{name}.joblib", out_dir / f"{name}.joblib")
            os.replace(tmp / f"{name}.json", out_dir / f"{name}.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_models.cache_clear()
    return metas


@dataclass(frozen=True)
class ModelBundle:
    """The three verified models and the response's ``model`` block."""

    perf: Any
    runtime: Any
    lambda_: Any
    version: str
    trained_at: str
    sidecars: dict[str, dict[str, Any]]


@lru_cache(maxsize=4)
def _load(directory: str) -> ModelBundle:
    loaded = {name: load_artifact(name, Path(directory)) for name in MODEL_NAMES}
    digest = hashlib.sha256("".join(m["sha256"] for _, m in loaded.values()).encode()).hexdigest()
    trained = max(str(m.get("trained_at", "")) for _, m in loaded.values())
    return ModelBundle(
        **{attr: loaded[name][0] for name, attr in MODEL_NAMES.items()},
        version=f"models-{digest[:12]}",
        trained_at=trained,
        sidecars={name: m for name, (_, m) in loaded.items()},
    )


def load_models(artifacts_dir: Path | str | None = None) -> ModelBundle:
    """Load and verify every model artifact (cached per directory).

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        When an artifact is absent, altered or from another scikit-learn version.
    """
    d = Path(artifacts_dir) if artifacts_dir else DEFAULT_ARTIFACTS_DIR
    return _load(str(d.resolve()))


load_models.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
