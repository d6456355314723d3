"""Input helpers shared by the CLI commands."""

from __future__ import annotations

import sys
from pathlib import Path

from recommender.core.errors import UserError


def read_text(path: str) -> str:
    """The text of ``path`` (``-`` = stdin); a missing or unreadable file is a UserError."""
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{path}: no such file")
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None
