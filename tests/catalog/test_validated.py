"""The schema check runs once per table content (catalog.validated), never for changed bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import catalog.validated as validated
from catalog.declared import TABLE_NAMES
from catalog.errors import CatalogSchemaError
from catalog.store import EMBEDDED_SNAPSHOT_DIR, read_snapshot


@pytest.fixture
def snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the embedded snapshot and an empty validation cache of its own."""
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    d = tmp_path / "snapshot"
    shutil.copytree(EMBEDDED_SNAPSHOT_DIR, d)
    return d


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = validated.validate_table

    def counting(name: str, df: pd.DataFrame) -> pd.DataFrame:
        calls.append(name)
        return real(name, df)

    monkeypatch.setattr(validated, "validate_table", counting)
    return calls


def _rewrite(d: Path, name: str, df: pd.DataFrame) -> None:
    """Replace a table and record its new hash and row count, as a rebuild would."""
    path = d / f"{name}.parquet"
    df.to_parquet(path, index=False)
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["files"][path.name]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["row_counts"][name] = len(df)
    (d / "manifest.json").write_text(json.dumps(manifest))


def test_second_read_skips_the_check_and_returns_the_same_tables(
        snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_checks(monkeypatch)
    first = read_snapshot(snapshot)
    n_tables = len(first.tables)
    assert len(calls) == n_tables  # every table checked on the first read
    second = read_snapshot(snapshot)
    assert len(calls) == n_tables  # none on the second
    for name, df in first.tables.items():
        pd.testing.assert_frame_equal(second.tables[name], df)


def test_changed_bytes_are_checked_again_and_refused(
        snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read_snapshot(snapshot)  # fills the cache
    prices = pd.read_parquet(snapshot / "ec2_prices.parquet")
    column = next(c for c in prices.columns if c.endswith("usd_per_hour"))
    prices.loc[prices.index[0], column] = -1.0  # a negative price breaks the schema
    _rewrite(snapshot, "ec2_prices", prices)
    calls = _count_checks(monkeypatch)
    with pytest.raises(CatalogSchemaError, match="ec2_prices"):
        read_snapshot(snapshot)
    assert calls[-1] == "ec2_prices"


def test_disabled_or_unwritable_cache_still_validates(
        snapshot: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", "none")
    calls = _count_checks(monkeypatch)
    read_snapshot(snapshot)
    read_snapshot(snapshot)
    assert len(calls) == 2 * len(TABLE_NAMES)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(blocker))
    assert read_snapshot(snapshot).tables  # the cache cannot be written: no error


def test_a_damaged_marker_means_a_fresh_check(
        snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read_snapshot(snapshot)
    cache = validated.cache_dir()
    assert cache is not None
    for marker in cache.glob("*.json"):
        marker.write_text('{"dtypes": "not a mapping"')
    calls = _count_checks(monkeypatch)
    read_snapshot(snapshot)
    assert len(calls) == len(TABLE_NAMES)
