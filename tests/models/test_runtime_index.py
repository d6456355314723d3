"""The runtime model's per-catalog arrays (:mod:`recommender.models.runtime_index`) on disk.

A warm process reads the spec arrays, the default candidates' types and a region's on-demand
prices from the derived cache instead of the ec2 and ec2_prices tables (issue 11).  What it
reads must be what a cold process builds from the tables; the expected values below are read
from the snapshot's own tables with pandas here, independently of the index code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import catalog.derived_cache as dc
from catalog.store import EMBEDDED_SNAPSHOT_DIR, Catalog, load_catalog
from recommender.models.interface import MeasuredRun, NodeConfig, RuntimeQuery, estimate_runtime
from recommender.models.runtime import default_candidates
from recommender.models.runtime_index import region_prices, runtime_index

RUNS = (MeasuredRun("m5.xlarge", 8, 574.43), MeasuredRun("m5.xlarge", 24, 233.0))


@pytest.fixture(scope="module")
def snapshot() -> Catalog:
    return load_catalog(EMBEDDED_SNAPSHOT_DIR)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "derived"


def _fresh(snapshot: Catalog) -> Catalog:
    """A new catalog object over the same verified tables, as a new process has."""
    return Catalog(tables=snapshot.tables, manifest=snapshot.manifest, verified=True)


def test_index_from_disk_equals_the_built_one(snapshot: Catalog, cache: Path, bundle) -> None:
    built = runtime_index(_fresh(snapshot), bundle)  # builds and stores
    names = sorted(p.name.rsplit("-", 1)[0] for p in cache.glob(f"*{dc.SUFFIX}"))
    assert "models.runtime_tables" in names or any(
        n.startswith("models.runtime_tables.") for n in names)
    assert "models.perf_index_missing" in names
    loaded = runtime_index(_fresh(snapshot), bundle)  # from disk
    assert loaded is not built
    assert dc.same(loaded.specs, built.specs)
    assert dc.same(loaded.default_types, built.default_types)
    assert loaded.specs.pos == built.specs.pos


def test_region_prices_from_disk_are_the_tables_rows(snapshot: Catalog, cache: Path) -> None:
    p = snapshot.ec2_prices
    rows = p[(p["region"] == "us-east-1") & p["ondemand_usd_per_hour"].notna()]
    want = {t: (float(u), str(s)) for t, u, s in zip(
        rows["instance_type"], rows["ondemand_usd_per_hour"], rows["price_source"], strict=True)}
    built = region_prices(_fresh(snapshot), "us-east-1")
    assert any(n.name.startswith("models.region_price_rows.us-east-1-")
               for n in cache.glob(f"*{dc.SUFFIX}"))
    loaded = region_prices(_fresh(snapshot), "us-east-1")
    assert loaded is not built
    assert list(loaded.items()) == list(built.items()) == list(want.items())
    assert all(type(v[0]) is float and type(v[1]) is str for v in loaded.values())


def test_default_candidates_from_the_index_are_the_tables(snapshot: Catalog, bundle) -> None:
    # The rule as docs state it, applied to the snapshot's rows here: current generation,
    # m/c/r series, sizes large..4xlarge, not metal, with a perf_index, priced in the region.
    ec2, priced = snapshot.ec2, set(region_prices(snapshot, "us-east-1"))
    series = ec2["family"].astype(str).str.extract(r"^([a-z]+)", expand=False)
    ok = (ec2["current_generation"].astype(bool) & series.isin(["m", "c", "r"])
          & ec2["size"].isin(["large", "xlarge", "2xlarge", "4xlarge"])
          & ~ec2["bare_metal"].astype(bool) & ec2["perf_index"].notna()
          & ec2["instance_type"].isin(priced))
    types = sorted(ec2.loc[ok, "instance_type"])
    # (m5.xlarge is current generation: AWS's price feeds list M5 there; the catalog took
    # moto's record, which flagged it previous, until 2026-12-08.)
    assert "m7i.xlarge" in types and "m7i.metal-24xl" not in types and "m5.xlarge" in types
    got = default_candidates(runtime_index(_fresh(snapshot), bundle), priced)
    assert [(c.instance_type, c.count) for c in got] == [
        (t, n) for t in types for n in (1, 2, 4, 8, 16, 32, 64)]
    assert got == default_candidates(ec2, priced)  # the frame form gives the same list
    # Built without validation: each one is what validating its fields gives.
    from recommender.core.predictions import RuntimeCandidate

    checked = [RuntimeCandidate.model_validate(c.model_dump()) for c in got]
    assert got == checked and all(c.model_fields_set == v.model_fields_set
                                  for c, v in zip(got, checked, strict=True))


def test_estimates_from_a_loaded_index_equal_the_built_ones(snapshot: Catalog, cache: Path,
                                                            bundle) -> None:
    q = RuntimeQuery(configs=(NodeConfig("m5.xlarge", 8), NodeConfig("c7i.2xlarge", 4),
                              NodeConfig("r6g.large", 16)), runs=RUNS)
    cold = estimate_runtime(q, catalog=_fresh(snapshot), bundle=bundle)
    warm = estimate_runtime(q, catalog=_fresh(snapshot), bundle=bundle)
    assert warm is not cold and warm == cold
    assert warm[0].measured and warm[0].runtime_s == 574.43  # the measurement itself
    assert np.isfinite([e.runtime_s for e in warm]).all()

