"""Input helpers shared by the CLI commands: regular files only, bounded in size."""

from __future__ import annotations

import sys

from foundation.files import MAX_INPUT_BYTES, InputFileError, read_regular_text
from recommender.core.errors import UserError


def read_text(path: str, *, max_bytes: int = MAX_INPUT_BYTES, what: str = "file") -> str:
    """The UTF-8 text of ``path`` (``-`` = stdin), at most ``max_bytes``.

    A missing path, a directory, a FIFO or device (``/dev/zero``), a binary file or one over
    the limit is a :class:`UserError` naming it; nothing blocks or reads without end.
    """
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise UserError(f"standard input is over the limit of {max_bytes} bytes")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"standard input is not UTF-8 text (byte {exc.start})") from None
    try:
        return read_regular_text(path, what=what, max_bytes=max_bytes)
    except InputFileError as exc:
        raise UserError(str(exc)) from None
