"""Crash-safe writes never rename over a device or FIFO (``--out /dev/stdout`` must work,
and a disk-full ``/dev/full`` must be an error, not replaced by a regular file)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from foundation.atomic import atomic_write_text, atomic_write_with


def test_writes_replace_a_regular_file_and_leave_no_temporary(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    p.write_text("old")
    atomic_write_text(p, "new")
    assert p.read_text() == "new" and [q.name for q in tmp_path.iterdir()] == ["out.txt"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    p.write_text("old")

    def boom(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        atomic_write_with(p, boom)
    assert p.read_text() == "old" and [q.name for q in tmp_path.iterdir()] == ["out.txt"]


def test_dev_full_is_written_in_place_and_reports_disk_full() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text("/dev/full", "x" * 10_000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # still the device


def test_a_fifo_is_not_replaced(tmp_path: Path) -> None:
    f = tmp_path / "fifo"
    os.mkfifo(f)
    with pytest.raises(OSError):
        atomic_write_with(f, lambda p: p.write_text("x"))
    assert stat.S_ISFIFO(os.stat(f).st_mode)
