"""Saving models: ``<name>.skops`` + ``<name>.json`` (+ ``<name>.npz``), each write crash-safe.

The reading side (verification, the bundle, the state) is :mod:`.artifacts`; training saves
through :func:`write_artifacts_atomically`, which verifies every file by loading it back
before anything replaces the shipped artifacts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from foundation.atomic import atomic_write_bytes, atomic_write_text, fsync_dir
from recommender.core.errors import ModelArtifactError
from recommender.models.artifacts import (
    FORMAT_VERSION,
    MODEL_NAMES,
    SERVING_SUFFIX,
    SUFFIX,
    fail,
    library_versions,
    load_artifact,
    load_models,
    load_serving,
    numeric_platform,
    untrusted_types,
)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def write_artifact(obj: Any, name: str, directory: Path, sidecar: dict[str, Any]) -> dict[str, Any]:
    """Write ``<name>.skops`` and ``<name>.json`` into ``directory`` (each file crash-safe).

    Raises
    ------
    recommender.core.errors.ModelArtifactError
        ``obj`` contains a type outside :data:`TRUSTED_TYPES` (it could not be loaded back).
    """
    import skops.io as sio

    if name not in MODEL_NAMES:
        raise ModelArtifactError(f"unknown artifact slot {name!r}; expected {sorted(MODEL_NAMES)}")
    directory = Path(directory)
    data = sio.dumps(obj, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    extra = untrusted_types(data)
    if extra:
        raise fail(name, "contains untrusted types", f"{extra}; add them to TRUSTED_TYPES in "
                    "recommender/models/artifacts.py if they are safe to build")
    path = directory / f"{name}{SUFFIX}"
    atomic_write_bytes(path, data)
    serving = write_serving(obj, name, directory)
    meta = {
        "name": name,
        "format_version": FORMAT_VERSION,
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "libraries": library_versions(),
        "platform": numeric_platform(),
        "trained_at": sidecar.get("trained_at")
        or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        **{k: v for k, v in sidecar.items() if k not in ("trained_at", "name", "file",
                                                         "serving")},
        **({"serving": serving} if serving else {}),
    }
    text = json.dumps(meta, indent=2, sort_keys=True, default=_json_default) + "\n"
    atomic_write_text(directory / f"{name}.json", text)
    return meta


def write_serving(obj: Any, name: str, directory: Path) -> dict[str, Any] | None:
    """Write ``<name>.npz``, the numpy-only serving form of ``obj`` (:mod:`.serving`).

    The training save path calls this through :func:`write_artifact`; it returns the
    sidecar's ``serving`` entry (file, sha256, bytes, format), or None when ``obj``'s type
    has no serving form (it is then served from its skops file).
    """
    from recommender.models import serving as S

    arrays = S.serving_arrays(obj)
    if arrays is None:
        return None
    data = S.dumps(arrays)
    atomic_write_bytes(Path(directory) / f"{name}{SERVING_SUFFIX}", data)
    return {"file": f"{name}{SERVING_SUFFIX}", "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data), "format": S.SERVING_FORMAT}


def write_artifacts_atomically(
    items: dict[str, tuple[Any, dict[str, Any]]], out_dir: Path
) -> dict[str, dict[str, Any]]:
    """Write several artifacts to a temp dir, verify each by loading it, then move them in.

    Call this to save models: ``items`` maps a slot of :data:`MODEL_NAMES` to ``(model,
    sidecar fields)``.  A failure at any point leaves ``out_dir`` exactly as it was.  Each
    file is moved with ``os.replace``; the sidecar goes last so a reader never pairs a new
    sidecar with an old model file that would pass its check.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".artifacts.tmp-", dir=out_dir.parent))
    try:
        metas = {name: write_artifact(obj, name, tmp, side) for name, (obj, side) in items.items()}
        for name in items:
            _, meta = load_artifact(name, tmp)  # verify what was written before it replaces
            load_serving(name, tmp, meta)       # anything, the serving form too
        for name in items:
            serving = tmp / f"{name}{SERVING_SUFFIX}"
            if serving.exists():
                os.replace(serving, out_dir / serving.name)
            else:  # a stale serving file must not outlive the model it was made from
                (out_dir / serving.name).unlink(missing_ok=True)
            os.replace(tmp / f"{name}{SUFFIX}", out_dir / f"{name}{SUFFIX}")
            fsync_dir(out_dir)
            os.replace(tmp / f"{name}.json", out_dir / f"{name}.json")
            fsync_dir(out_dir)
            (out_dir / f"{name}.joblib").unlink(missing_ok=True)  # the old, pickled format
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_models.cache_clear()  # type: ignore[attr-defined]
    return metas
