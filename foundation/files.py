"""Reading files a user or a deployment hands us: regular files only, bounded in size.

A path may name a FIFO (``open`` blocks forever), ``/dev/zero`` through a symlink (``read``
never ends) or a directory.  :func:`read_regular` opens without blocking, checks the opened
descriptor (not the name, which could change in between) is a regular file, and refuses
anything over the limit, so no input can hang a command or fill the memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from foundation.errors import UserError

#: Default ceiling for a profile, batch or manifest file.
MAX_INPUT_BYTES = 64 * 1024 * 1024


class InputFileError(UserError):
    """A path that is not a readable regular file of an acceptable size."""


def check_regular(path: Path | str, *, what: str = "file", max_bytes: int | None = None) -> int:
    """Raise :class:`InputFileError` unless ``path`` is a regular file (within ``max_bytes``).

    Returns its size in bytes.  Symlinks are followed, but what they point to must be
    regular too (``/dev/zero``, FIFOs and sockets are refused).
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputFileError(f"{what} {p} not found (no such file)") from None
    except OSError as exc:
        raise InputFileError(f"{what} {p} cannot be read: {exc.strerror or exc}") from None
    _check_stat(st, p, what, max_bytes)
    return int(st.st_size)


def _check_stat(st: os.stat_result, p: Path, what: str, max_bytes: int | None) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{what} {p} is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{what} {p} is not a regular file (a device, FIFO or socket)")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputFileError(
            f"{what} {p} is {st.st_size} bytes, over the limit of {max_bytes} bytes"
        )


def read_regular(
    path: Path | str, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see module docstring)."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputFileError(f"{what} {p} not found (no such file)") from None
    except IsADirectoryError:
        raise InputFileError(f"{what} {p} is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{what} {p} cannot be read: {exc.strerror or exc}") from None
    try:
        _check_stat(os.fstat(fd), p, what, max_bytes)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # the file grew after the fstat
                raise InputFileError(f"{what} {p} is over the limit of {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"{what} {p} cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_regular_text(
    path: Path | str, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES
) -> str:
    """:func:`read_regular` decoded as UTF-8 (a binary file is refused by name)."""
    data = read_regular(path, what=what, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{what} {path} is not UTF-8 text (byte {exc.start} cannot be decoded); "
            "is it a binary file?"
        ) from None
