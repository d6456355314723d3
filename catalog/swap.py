"""Crash-safe replacement of a snapshot directory, and recovery from an interrupted one.

A directory cannot be replaced by one ``rename`` when the target exists, so the swap is two:
``target -> .target.old-<pid>-<rand>`` then ``.target.tmp-<pid>-<rand> -> target``.  A kill
between them leaves no ``target`` but a complete ``.old`` directory beside it; readers fall
back to that (:func:`fallback_dir`), and the next build, under a lock, moves it back before
doing anything else (:func:`recover`).  Left-over ``.tmp``/``.old`` directories of dead
builds are removed then too.  Every step ``fsync``s what it wrote and the parent directory.

Tests kill a build at each step through :data:`STEP_HOOK` (and at each ``rename`` system
call with strace fault injection).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from foundation.atomic import fsync_dir

#: Called with the name of each step of a swap; tests set it to kill the process there.
STEP_HOOK: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if STEP_HOOK is not None:
        STEP_HOOK(name)


def _siblings(target: Path, kind: str) -> list[Path]:
    """``.target.<kind>-*`` directories beside ``target``, newest first."""
    found = [p for p in target.parent.glob(f".{target.name}.{kind}-*") if p.is_dir()]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def fallback_dir(target: Path, is_complete: Callable[[Path], bool]) -> Path | None:
    """A complete snapshot left by a swap interrupted between its renames, if any.

    Read-only: the next build moves it back into place.
    """
    if (target / "manifest.json").exists():
        return None
    for old in _siblings(target, "old"):
        if is_complete(old):
            return old
    return None


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """An exclusive lock on ``target``'s parent for the length of a build's write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def recover(target: Path, is_complete: Callable[[Path], bool]) -> list[str]:
    """Finish or undo an interrupted swap and remove stale temporaries (hold the lock).

    Returns one line per thing done, for the build's notes.
    """
    done: list[str] = []
    if not (target / "manifest.json").exists():
        old = fallback_dir(target, is_complete)
        if old is not None:
            if target.exists():  # an empty or partial target directory: nothing to keep
                shutil.rmtree(target)
            os.replace(old, target)
            fsync_dir(target.parent)
            done.append(f"restored the snapshot of an interrupted build from {old.name}")
    for stale in [*_siblings(target, "tmp"), *_siblings(target, "old")]:
        shutil.rmtree(stale, ignore_errors=True)
        done.append(f"removed stale {stale.name}")
    if done:
        fsync_dir(target.parent)
    return done


def new_tmp_dir(target: Path) -> Path:
    """A fresh ``.target.tmp-<pid>-*`` directory beside ``target`` (world-readable)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the snapshot is meant to be shared
    return tmp


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace ``target`` by the complete, fsync-ed ``new_dir`` (see the module docstring)."""
    fsync_dir(new_dir)
    _step("before-swap")
    if not target.exists():
        os.replace(new_dir, target)
        fsync_dir(target.parent)
        _step("moved-new")
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    old.rmdir()  # only the unique name is wanted; rename needs it absent (or empty)
    os.replace(target, old)
    fsync_dir(target.parent)
    _step("moved-old")
    try:
        os.replace(new_dir, target)
    except BaseException:
        os.replace(old, target)
        fsync_dir(target.parent)
        raise
    fsync_dir(target.parent)
    _step("moved-new")
    shutil.rmtree(old, ignore_errors=True)
    fsync_dir(target.parent)
    _step("removed-old")
