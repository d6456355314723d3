"""Fixtures of the review and monitoring tests: catalogs built from the real-format fixtures.

``catalog_without(itype)`` is the fixture sources with every record of one instance type
removed (as before its launch); ``catalog_full`` is the same sources as shipped, which carry
that type's real DescribeInstanceTypes record and price feed entries.  Both go through the
catalog build with its readers, so a review sees what a rebuilt snapshot would give it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from catalog.build import build_catalog
from catalog.schema import TABLES
from catalog.sources import SourceResult
from catalog.sources.ebs import read_ebs
from catalog.sources.ec2 import read_ec2
from catalog.sources.network import read_network
from catalog.store import read_snapshot

#: Tables the three fixture readers produce; the others are built empty.
_READ = ("ec2", "ec2_prices", "ebs", "regions", "latency", "facts")


def _readers(data: Path) -> list:
    rest = [n for n in TABLES if n not in _READ]

    def empty() -> SourceResult:
        return SourceResult(tables={
            n: pd.DataFrame(columns=list(TABLES[n].to_schema().columns)) for n in rest})

    return [("ec2", lambda: read_ec2(data)), ("ebs", lambda: read_ebs(data)),
            ("network", lambda: read_network(data)), ("others", empty)]


def build(data: Path, out: Path) -> Any:
    """Build a snapshot from ``data`` into ``out`` and read it back."""
    build_catalog("local", data, out_dir=out, progress=False, readers=_readers(data))
    return read_snapshot(out)


def _mentions(v: Any, itype: str) -> bool:
    spaced = itype.replace(".", " ") + " "  # the price feeds' keys: "m7g large US East ..."
    if isinstance(v, str):
        return v == itype or v.startswith(spaced)
    if isinstance(v, dict):
        return v.get("InstanceType") == itype or v.get("Instance Type") == itype
    return False


def _drop(obj: Any, itype: str) -> Any:
    """``obj`` without any key, item or record naming ``itype``."""
    if isinstance(obj, dict):
        return {k: _drop(v, itype) for k, v in obj.items()
                if not _mentions(k, itype) and not _mentions(v, itype)}
    if isinstance(obj, list):
        return [_drop(v, itype) for v in obj if not _mentions(v, itype)]
    return obj


def strip_type(src: Path, dst: Path, itype: str) -> None:
    """Copy the fixture sources to ``dst`` without ``itype``'s records (same formats)."""
    shutil.copytree(src, dst)
    for f in dst.rglob("*"):
        if f.name.endswith(".json.gz"):
            data = json.loads(gzip.decompress(f.read_bytes()))
            f.write_bytes(gzip.compress(json.dumps(_drop(data, itype)).encode(), mtime=0))
        elif f.suffix == ".json":
            f.write_text(json.dumps(_drop(json.loads(f.read_text()), itype)))
        elif f.suffix == ".csv" and f.parent.name == "ec2":
            rows = list(csv.DictReader(io.StringIO(f.read_text())))
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(r for r in rows if r.get("instance_type") != itype)
            f.write_text(buf.getvalue())


@pytest.fixture(scope="session")
def catalog_data(fixtures_dir: Path) -> Path:
    return fixtures_dir / "catalog" / "data"


@pytest.fixture(scope="session")
def full_snapshot_dir(tmp_path_factory: pytest.TempPathFactory, catalog_data: Path) -> Path:
    """Today's snapshot folder: the fixture sources as shipped (m7g.large included)."""
    out = tmp_path_factory.mktemp("full") / "snapshot"
    build(catalog_data, out)
    return out


@pytest.fixture(scope="session")
def catalog_full(full_snapshot_dir: Path) -> Any:
    """Today's catalog (read from :func:`full_snapshot_dir`)."""
    return read_snapshot(full_snapshot_dir)


@pytest.fixture(scope="session")
def catalog_before_m7g(tmp_path_factory: pytest.TempPathFactory, catalog_data: Path) -> Any:
    """The catalog a response was saved with: the same sources before m7g.large existed."""
    root = tmp_path_factory.mktemp("before")
    strip_type(catalog_data, root / "data", "m7g.large")
    return build(root / "data", root / "snapshot")
