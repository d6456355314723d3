"""Reading the snapshot without pandera: the declared names agree with the schema, the Parquet
reader returns what ``pd.read_parquet`` returns, and ``recommender recommend`` in a fresh
process imports neither pandera nor the training stack (issue 11)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from catalog import declared, schema
from catalog.store import EMBEDDED_SNAPSHOT_DIR, parquet_frame, read_snapshot

ROOT = Path(__file__).resolve().parents[2]
#: Packages a plain ``recommend`` never needs: the schema checker (skipped when a marker says
#: the bytes passed before), the training stack, and the extras.
NOT_NEEDED = ("pandera", "sklearn", "scipy", "skops", "typeguard", "streamlit", "fastapi",
              "boto3", "dask")


def test_declared_names_are_the_schema_tables() -> None:
    assert tuple(schema.TABLES) == declared.TABLE_NAMES
    assert schema.SCHEMA_VERSION == declared.SCHEMA_VERSION
    assert schema.UNIT_SCALE is declared.UNIT_SCALE


def test_catalog_package_still_offers_the_schema_names_lazily() -> None:
    import catalog

    assert catalog.TABLES is schema.TABLES
    assert catalog.validate_table is schema.validate_table
    with pytest.raises(AttributeError):
        catalog.no_such_name  # noqa: B018 - the attribute access is the test


@pytest.mark.parametrize("name", declared.TABLE_NAMES)
def test_parquet_frame_equals_pandas_read_parquet(name: str) -> None:
    data = (EMBEDDED_SNAPSHOT_DIR / f"{name}.parquet").read_bytes()
    expected = pd.read_parquet(io.BytesIO(data))
    got = parquet_frame(data)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.dtypes) == list(expected.dtypes)
    assert type(got.index) is type(expected.index)


def test_parquet_frame_refuses_bytes_that_are_not_parquet() -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - pyarrow's own error; the store wraps it
        parquet_frame(b"PAR1 not really")


@pytest.mark.slow
def test_recommend_imports_no_checker_no_training(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One fresh process (about 2 s: the import time is what is tested)."""
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    read_snapshot(EMBEDDED_SNAPSHOT_DIR)  # the schema markers any earlier run leaves
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "t", "region": "us-east-1",
                                   "compute": {"vcpus": 2, "memory_gib": 4}}))
    code = ("import contextlib, io, sys\n"
            "from recommender.surfaces.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = main(['recommend', {str(profile)!r}])\n"
            "assert rc == 0, rc\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    loaded = set(run.stdout.split())
    assert "pandas" in loaded  # the probe sees what the run imported
    assert not loaded & set(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))


def test_marker_fingerprint_follows_the_installed_pandera(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandera

    from catalog import validated

    assert pandera.__version__.encode() in validated._pandera_version()
    validated.schema_fingerprint.cache_clear()
    before = validated.schema_fingerprint()
    monkeypatch.setattr(validated, "_pandera_version", lambda: b"another pandera")
    validated.schema_fingerprint.cache_clear()
    try:
        assert validated.schema_fingerprint() != before
    finally:
        monkeypatch.undo()
        validated.schema_fingerprint.cache_clear()
    assert validated.schema_fingerprint() == before
