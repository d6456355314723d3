"""Tables parsed on first use (catalog.lazy_tables): same frames, same checks at read time."""

from __future__ import annotations

import copy
import json
import pickle
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from catalog.errors import SnapshotIntegrityError
from catalog.lazy_tables import LazyTables, Pending
from catalog.store import EMBEDDED_SNAPSHOT_DIR, read_snapshot


@pytest.fixture(scope="module")
def _warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validation cache in which every embedded table passed the schema check (one
    pandera pass for the module)."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RECOMMENDER_CACHE_DIR", str(cache))
        read_snapshot(EMBEDDED_SNAPSHOT_DIR)
    return cache


@pytest.fixture
def snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _warm_cache: Path) -> Path:
    """A copy of the embedded snapshot whose tables all passed the schema check before."""
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(_warm_cache))
    d = tmp_path / "snapshot"
    shutil.copytree(EMBEDDED_SNAPSHOT_DIR, d)
    return d


def _pending(tables: dict) -> list[str]:
    return [k for k in tables if isinstance(dict.__getitem__(tables, k), Pending)]


def test_checked_tables_are_parsed_on_use_into_the_files_frames(snapshot: Path) -> None:
    cat = read_snapshot(snapshot)  # every table passed before: none parsed yet
    assert _pending(cat.tables) == list(cat.tables) and len(cat.tables) == 10
    # The reference is pandas' own reader of the file (test_store_read: the same frames).
    pd.testing.assert_frame_equal(cat.ebs, pd.read_parquet(snapshot / "ebs.parquet"))
    assert "ebs" not in _pending(cat.tables) and len(_pending(cat.tables)) == 9
    for name in cat.tables:
        pd.testing.assert_frame_equal(cat.tables[name],
                                      pd.read_parquet(snapshot / f"{name}.parquet"))


def test_a_table_never_checked_is_parsed_and_checked_at_read_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", "none")  # no marker: nothing is deferred
    d = tmp_path / "snapshot"
    d.mkdir()
    for f in ("manifest.json", "facts.parquet"):
        shutil.copy(EMBEDDED_SNAPSHOT_DIR / f, d / f)
    monkeypatch.setattr("catalog.store.TABLES", ("facts",))
    assert _pending(read_snapshot(d).tables) == []


@pytest.mark.parametrize("view", [
    dict, lambda t: {**t}, lambda t: dict(t.items()), lambda t: t.copy(), copy.deepcopy,
    lambda t: pickle.loads(pickle.dumps(t)), lambda t: dict(zip(t, t.values(), strict=True)),
])
def test_every_way_of_reading_gives_frames_never_parsers(snapshot: Path, view) -> None:
    tables = read_snapshot(snapshot).tables
    out = view(tables)
    assert list(out) == list(tables)
    assert all(isinstance(v, pd.DataFrame) for v in out.values())
    assert isinstance(tables.get("facts"), pd.DataFrame) and tables.get("nope") is None


def test_row_count_still_checked_at_read_time_for_a_deferred_table(snapshot: Path) -> None:
    manifest = json.loads((snapshot / "manifest.json").read_text())
    manifest["row_counts"]["ebs"] += 1  # the file's footer says one row fewer
    (snapshot / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotIntegrityError, match="ebs.parquet"):
        read_snapshot(snapshot)


def test_changed_bytes_still_refused_at_read_time(snapshot: Path) -> None:
    path = snapshot / "database.parquet"
    path.write_bytes(path.read_bytes()[:-10])  # cut: no longer its manifest's sha256
    with pytest.raises(SnapshotIntegrityError, match="database.parquet"):
        read_snapshot(snapshot)


def test_two_threads_parse_a_table_once() -> None:
    calls: list[int] = []
    started = threading.Event()

    def parse() -> pd.DataFrame:
        calls.append(1)
        started.wait(1)  # the other thread asks while this parse runs
        return pd.DataFrame({"a": [1]})

    tables = LazyTables({"t": Pending(parse)})
    got: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: got.append(tables["t"])) for _ in range(2)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert len(calls) == 1 and got[0] is got[1]
