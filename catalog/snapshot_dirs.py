"""Where the catalog snapshot lives: the embedded one, the user's build, and which one is read.

A build writes to the user's data directory by default (:func:`user_snapshot_dir`,
platformdirs; ``RECOMMENDER_SNAPSHOT_DIR`` overrides it), never into the installed package;
readers use that one when it exists and is not older than the snapshot embedded in the
package, and the embedded one otherwise (:func:`active_snapshot_dir`).  :mod:`catalog.store`
reads and writes what is there.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from catalog import swap
from catalog.validated import APP_NAME
from foundation.files import InputFileError, read_regular

#: The snapshot shipped with the package (the fallback when the user has built none).
EMBEDDED_SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot"
#: Kept for callers that mean the embedded snapshot.
DEFAULT_SNAPSHOT_DIR = EMBEDDED_SNAPSHOT_DIR
MANIFEST_NAME = "manifest.json"
#: ``generated_at`` as the build writes it (``catalog.manifest``): comparable as a string.
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def user_snapshot_dir() -> Path | None:
    """Where ``catalog build`` writes by default: ``<user data dir>/snapshot``.

    ``RECOMMENDER_SNAPSHOT_DIR`` overrides it; set to ``none`` (or empty) it disables the
    user snapshot, so only the embedded one is read (the test suite does this).
    """
    env = os.environ.get("RECOMMENDER_SNAPSHOT_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "none") else Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "snapshot"


def default_build_dir() -> Path:
    """The directory ``catalog build`` writes when no ``--out`` is given."""
    return user_snapshot_dir() or EMBEDDED_SNAPSHOT_DIR


def active_snapshot_dir() -> Path:
    """The snapshot readers use by default: the user's built one, unless the embedded is newer.

    A user snapshot (a live refresh, or a local build without ``--out``) wins while it is
    the newer one.  An upgrade whose embedded snapshot was generated later wins over an
    older user build: otherwise a stale build would silently price every answer with the
    older prices (seen on a development machine).  A manifest without a readable
    ``generated_at`` (hand-made or damaged) keeps the user snapshot, as before, and its
    integrity is checked by the reader.
    """
    user = user_snapshot_dir()
    if user is not None and ((user / MANIFEST_NAME).exists() or _fallback(user) is not None):
        mine = _generated_at(user / MANIFEST_NAME)
        embedded = _generated_at(EMBEDDED_SNAPSHOT_DIR / MANIFEST_NAME)
        if mine and embedded and embedded > mine:
            return EMBEDDED_SNAPSHOT_DIR
        return user
    return EMBEDDED_SNAPSHOT_DIR


def _generated_at(manifest: Path) -> str:
    """The manifest's ``generated_at`` (ISO 8601 UTC, so strings compare as times), or ''.

    Remembered per (path, mtime, size): the active directory is re-checked every second,
    and a stat is ~100x cheaper than reading a 40 kB manifest; a rebuilt manifest has a new
    stat.
    """
    try:
        st = manifest.stat()
    except OSError:
        return ""
    key = (str(manifest), st.st_mtime_ns, st.st_size)
    if key not in _GENERATED_AT:
        try:
            value = json.loads(read_regular(manifest, what="manifest")).get("generated_at")
        except (InputFileError, ValueError, AttributeError):
            value = None
        ok = isinstance(value, str) and _ISO_UTC.fullmatch(value) is not None
        _GENERATED_AT[key] = value if ok else ""
    return _GENERATED_AT[key]


_GENERATED_AT: dict[tuple[str, int, int], str] = {}


def _fallback(d: Path) -> Path | None:
    return swap.fallback_dir(d, lambda p: (p / MANIFEST_NAME).is_file())


#: How long the default snapshot directory, once resolved, is taken as still current.
ACTIVE_RECHECK_S = 1.0
#: (RECOMMENDER_SNAPSHOT_DIR as read, monotonic time, resolved active directory).
_ACTIVE: list[tuple[str | None, float, str]] = []


def active_resolved() -> str:
    """:func:`active_snapshot_dir`, resolved, re-checked at most once a second.

    Every ``recommend()`` asks for the default catalog, and finding the active directory
    (the user data dir, its manifest, the interrupted-swap siblings, both manifests' dates,
    ``resolve``) cost ~110-175 us a call, 5-8 % of a warm answer.  A build written by another
    process is seen within :data:`ACTIVE_RECHECK_S`; one written by this process at once
    (``write_snapshot`` calls :func:`forget_active`); a changed ``RECOMMENDER_SNAPSHOT_DIR``
    at once.
    """
    env, now = os.environ.get("RECOMMENDER_SNAPSHOT_DIR"), time.monotonic()
    if _ACTIVE:
        seen_env, when, resolved = _ACTIVE[0]
        if seen_env == env and now - when < ACTIVE_RECHECK_S:
            return resolved
    resolved = str(active_snapshot_dir().resolve())
    _ACTIVE[:] = [(env, now, resolved)]
    return resolved


def forget_active() -> None:
    """Drop the resolved active directory (a build in this process has just swapped one in)."""
    _ACTIVE.clear()


__all__ = ["DEFAULT_SNAPSHOT_DIR", "EMBEDDED_SNAPSHOT_DIR", "MANIFEST_NAME", "active_resolved",
           "active_snapshot_dir", "default_build_dir", "forget_active", "user_snapshot_dir"]
