"""Crash-safe writes: temporary file, ``fsync``, ``os.replace``, then ``fsync`` of the directory.

A rename is atomic on POSIX, but without the two ``fsync`` calls a power loss can still leave
a renamed file with no data, or a rename that never reached the disk.  Every write of a file a
later run trusts (snapshot tables and manifest, model artifacts, exports) goes through here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

#: Prefix of the temporary files this module creates (stale ones are safe to delete).
TMP_PREFIX = ".tmp-"


def fsync_dir(directory: Path | str) -> None:
    """``fsync`` a directory so the renames and creations inside it are durable."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # some platforms cannot open a directory; nothing more can be done there
        return
    try:
        os.fsync(fd)
    except OSError:  # e.g. a filesystem that does not support fsync on directories
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path | str) -> None:
    """``fsync`` an existing file's data to disk."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _is_special(target: Path) -> bool:
    """Whether ``target`` exists and is not a regular file (a device, FIFO, directory...)."""
    try:
        st = os.stat(target)
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode)


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "wb", *, perms: int = 0o644) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``.

    The data is flushed and ``fsync``-ed before the ``os.replace``, and the directory after
    it.  On any exception the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    if _is_special(target):
        # A device or FIFO (/dev/stdout, /dev/full): write to it; never rename over it.
        with open(target, mode) as f:
            yield f
        return
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, perms)  # mkstemp makes files private; these are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` crash-safely (see :func:`atomic_open`)."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` crash-safely (see :func:`atomic_open`)."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_with(path: Path | str, writer: Callable[[Path], None]) -> None:
    """Let ``writer`` write a temporary sibling file by path, then move it over ``path``.

    For libraries that only write to a path (``DataFrame.to_parquet``, ``skops.io.dump``).
    """
    target = Path(path)
    if _is_special(target):
        raise IsADirectoryError(errno.EINVAL, "not a regular file; refusing to replace it",
                                str(target))
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        fsync_file(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
