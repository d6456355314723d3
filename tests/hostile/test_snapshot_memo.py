"""The default snapshot directory is resolved at most once a second (``active_resolved``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalog import snapshot_dirs, store
from tests.hostile.conftest import fake_tables


@dataclass
class Probe:
    """How often the active directory was looked up, and the clock the memo reads."""

    lookups: int = 0
    now: float = 1000.0
    seen: list[Path] = field(default_factory=list)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Probe:
    p = Probe()

    def active() -> Path:
        p.lookups += 1
        return store.EMBEDDED_SNAPSHOT_DIR

    monkeypatch.setattr(snapshot_dirs, "active_snapshot_dir", active)
    monkeypatch.setattr(snapshot_dirs.time, "monotonic", lambda: p.now)
    monkeypatch.setattr(snapshot_dirs, "_ACTIVE", [])
    return p


def test_resolved_once_within_a_second_then_again(probe: Probe) -> None:
    first = store.load_catalog()
    assert store.load_catalog() is first
    assert probe.lookups == 1  # the second call used the memo
    probe.now += 0.99
    store.load_catalog()
    assert probe.lookups == 1
    probe.now += 0.02  # 1.01 s after the first lookup
    assert store.load_catalog() is first  # the same directory, so the same cached catalog
    assert probe.lookups == 2


def test_changed_environment_is_seen_at_once(probe: Probe, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store.load_catalog()
    monkeypatch.setenv("RECOMMENDER_SNAPSHOT_DIR", str(tmp_path / "a"))
    store.load_catalog()
    monkeypatch.setenv("RECOMMENDER_SNAPSHOT_DIR", str(tmp_path / "b"))
    store.load_catalog()
    store.load_catalog()
    assert probe.lookups == 3


def test_explicit_directory_bypasses_the_memo(probe: Probe) -> None:
    store.load_catalog(store.EMBEDDED_SNAPSHOT_DIR)
    assert probe.lookups == 0


def test_a_write_in_this_process_clears_the_memo(fake_store, probe: Probe,
                                                 tmp_path: Path) -> None:
    """A build this process writes is read by its next call, not a second later."""
    snapshot_dirs.active_resolved()
    fake_store.write_snapshot(fake_tables(), {}, tmp_path / "snap")
    # Not load_catalog(): with fake_store's two tables it would cache a two-table catalog
    # under the embedded snapshot's path for every later test in this process.
    snapshot_dirs.active_resolved()
    assert probe.lookups == 2
