"""The runtime model's inputs indexed once per catalog, and the typed runtime estimate.

Everything a runtime estimate reads from the catalog is built once and kept on the catalog
object (:meth:`catalog.store.Catalog.derive`, the one per-catalog cache), as numpy arrays
that the derived cache also keeps on disk (:mod:`catalog.derived_cache`), so a warm process
reads them without parsing the ``ec2`` or ``ec2_prices`` tables (nor importing pandas, about
0.4 s of a CLI run; issue 11): the :class:`~recommender.models.features.SpecTable` of the
``ec2`` table with perf_index filled by the perf model where the snapshot has none, the
types the default candidates are drawn from, and the on-demand prices of each region.  A
candidate is then an array take; the correction runs in numpy (:mod:`.trees`).  Estimates
are memoised per catalog in a thread-safe LRU (``cachetools``), keyed by the model bundle's
version and the frozen query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cachetools
import numpy as np

from catalog.store import per_catalog
from recommender.core.errors import UserError
from recommender.models.features import SpecTable, parse_family
from recommender.models.queries import RuntimeEstimate, RuntimeQuery

if TYPE_CHECKING:  # pandas is imported where a function calls it (a warm
    import pandas as pd  # recommend never does: issue 11)

#: Estimates memoised per catalog: recommend() is pure and the same profile is asked again
#: (the app re-runs on every widget change, a batch repeats services at several loads).
MEMO_SIZE = 256
#: Default candidates' types when a request names none: current-generation general purpose,
#: compute and memory optimized families (:func:`default_types`).
DEFAULT_SERIES = ("m", "c", "r")
DEFAULT_SIZES = ("large", "xlarge", "2xlarge", "4xlarge")


@dataclass(frozen=True)
class RuntimeTables:
    """What the runtime path reads from the (perf-filled) ``ec2`` table, as arrays.

    ``specs`` holds every type's node facts; ``default_types`` the types the default
    candidates are drawn from (:func:`default_types`: sorted, a
    type listed twice kept twice, before the region's price filter).  Kept on disk by the
    derived cache.
    """

    specs: SpecTable
    default_types: np.ndarray  # object array of str


@dataclass(frozen=True)
class RegionPrices:
    """A region's on-demand rows (ec2_prices order): type, USD per hour and price source."""

    instance_type: np.ndarray  # object array of str
    usd_per_hour: np.ndarray  # float64
    source: np.ndarray  # object array of str

    def as_dict(self) -> dict[str, tuple[float, str]]:
        """``{type: (USD/h, source)}``; a type listed twice keeps its last row (as ``dict``)."""
        return dict(zip(self.instance_type.tolist(),
                        zip(self.usd_per_hour.tolist(), self.source.tolist(), strict=True),
                        strict=True))


@dataclass(frozen=True)
class RuntimeIndex:
    """The runtime model's arrays of one catalog (and perf model), with the estimate memo."""

    specs: SpecTable
    default_types: np.ndarray
    memo: cachetools.LRUCache[Any, tuple[RuntimeEstimate, ...]] = field(
        default_factory=lambda: cachetools.LRUCache(maxsize=MEMO_SIZE))
    lock: threading.Lock = field(default_factory=threading.Lock)


def default_types(ec2: pd.DataFrame) -> list[str]:
    """The types default candidates are drawn from, sorted: current-generation m/c/r
    families, sizes large..4xlarge, not bare metal, with a perf_index (before the price
    filter of :func:`.runtime.default_candidates`; kept per catalog in :class:`RuntimeTables`)."""
    series = ec2["family"].map(lambda f: parse_family(f)[0])
    ok = (
        ec2["current_generation"].astype(bool)
        & series.isin(DEFAULT_SERIES)
        & ec2["size"].isin(DEFAULT_SIZES)
        & ~ec2["bare_metal"].astype(bool)
        & ec2["perf_index"].notna()
    )
    return sorted(ec2.loc[ok, "instance_type"])


def _build_tables(catalog: Any, perf: Any) -> RuntimeTables:
    """The arrays of ``catalog.ec2`` (perf_index filled by ``perf`` when given)."""
    ec2 = catalog.ec2
    if perf is not None:
        from recommender.models.perf import fill_perf_index

        ec2 = fill_perf_index(ec2, perf)
    return RuntimeTables(SpecTable.from_ec2(ec2), np.asarray(default_types(ec2), dtype=object))


def _index(tables: RuntimeTables) -> RuntimeIndex:
    return RuntimeIndex(tables.specs, tables.default_types)


def _perf_index_missing(catalog: Any) -> bool:
    """Whether some ec2 row has no perf_index (a snapshot built without the perf model);
    kept on disk (a 1-tuple: the derived cache stores tuples, not a bare bool)."""
    (missing,) = per_catalog("models.perf_index_missing", catalog, lambda c: (bool(
        (c.ec2["perf_index_source"] == "missing").any()),), persist=tuple)
    return bool(missing)


def runtime_index(catalog: Any, bundle: Any) -> RuntimeIndex:
    """The catalog's :class:`RuntimeIndex` for ``bundle``'s perf model.

    A snapshot built with the perf model has no ``missing`` perf_index and one index serves
    every bundle; otherwise the filled table is kept per perf artifact (its sha256, part of
    the index's name, hence of its disk key), and a bundle without sidecars (a test's
    stand-in) gets a fresh build, never stored.
    """
    if not _perf_index_missing(catalog):
        return per_catalog("models.runtime_index", catalog, lambda c: _index(per_catalog(
            "models.runtime_tables", c, lambda c2: _build_tables(c2, None),
            persist=RuntimeTables)))
    perf = getattr(bundle, "perf", None)
    digest = (getattr(bundle, "sidecars", None) or {}).get("perf", {}).get("sha256")
    if digest is None:
        return _index(_build_tables(catalog, perf))
    return per_catalog(f"models.runtime_index.{digest}", catalog, lambda c: _index(per_catalog(
        f"models.runtime_tables.{digest}", c, lambda c2: _build_tables(c2, perf),
        persist=RuntimeTables)))


def _read_region_prices(catalog: Any, region: str) -> RegionPrices:
    p = catalog.ec2_prices
    p = p[(p["region"] == region) & p["ondemand_usd_per_hour"].notna()]
    return RegionPrices(np.asarray(p["instance_type"].tolist(), dtype=object),
                        p["ondemand_usd_per_hour"].to_numpy(dtype=float),
                        np.asarray(p["price_source"].astype(str).tolist(), dtype=object))


def region_prices(catalog: Any, region: str) -> dict[str, tuple[float, str]]:
    """``{type: (on-demand USD/h, source)}`` of ``region`` (kept on the catalog; its rows
    also on disk, so a warm process reads no ec2_prices table)."""
    return per_catalog(f"models.region_prices.{region}", catalog, lambda c: per_catalog(
        f"models.region_price_rows.{region}", c, lambda c2: _read_region_prices(c2, region),
        persist=RegionPrices).as_dict())


def memory_failures(specs: Any, failed: Any, memory_gib: float | None) -> np.ndarray:
    """Candidates predicted to fail: cluster memory at most a failed run's, or below the need.

    ``specs`` and ``failed`` map ``nodes`` and ``memory_gib`` to arrays (dicts or frames).
    A run that failed for lack of memory shows the job needs more than that cluster's memory
    (nodes x memory per node); any cluster with no more memory fails too.
    """
    total = np.asarray(specs["nodes"], float) * np.asarray(specs["memory_gib"], float)
    fails = np.zeros(len(total), dtype=bool)
    f_nodes = np.asarray(failed["nodes"], float)
    if len(f_nodes):
        worst = float((f_nodes * np.asarray(failed["memory_gib"], float)).max())
        fails |= total <= worst
    if memory_gib:
        fails |= total < float(memory_gib)
    return fails


def _arrays(ix: RuntimeIndex, types: list[str], counts: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = ix.specs.rows(types)
    out["nodes"] = np.asarray(counts, dtype=float)
    out["instance_type"] = types
    return out


def _correct(bundle: Any) -> Any:
    """The bundle's numpy correction when it has one (None: the model's own estimator)."""
    return getattr(bundle, "runtime_correction", None)


def _run(query: RuntimeQuery, ix: RuntimeIndex, bundle: Any
         ) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray]:
    """Candidate arrays, the model's output and the predicted failures of ``query``."""
    ok = [r for r in query.runs if not r.failed]
    bad = [r for r in query.runs if r.failed]
    types = [c.instance_type for c in query.configs]
    try:
        specs = _arrays(ix, types, [c.count for c in query.configs])
        meas = _arrays(ix, [r.instance_type for r in ok], [r.count for r in ok])
        failed = _arrays(ix, [r.instance_type for r in bad], [r.count for r in bad])
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from exc
    no_cap = sorted({t for t, c in zip(types, specs["cap"], strict=True) if np.isnan(c)}
                    | {r.instance_type for r, c in zip(ok, meas["cap"], strict=True)
                       if np.isnan(c)})
    if no_cap:
        raise UserError(f"no perf_index for {', '.join(no_cap)}; cannot scale runtime to them")
    meas["runtime_s"] = np.asarray([r.runtime_s for r in ok], dtype=float)
    gib = query.input_gib
    out = bundle.runtime.predict_arrays(specs, meas, float(gib) if gib else None,
                                        correct=_correct(bundle))
    fails = memory_failures(specs, failed, query.memory_gib)
    return specs, out, fails & ~out["measured"]


def _cost(runtime_s: float, count: int, price: float | None) -> float | None:
    """Cost of one run: runtime x nodes x the hourly price (None without a price)."""
    return None if price is None else runtime_s / 3600.0 * count * price


def _estimates(query: RuntimeQuery, ix: RuntimeIndex, prices: dict[str, tuple[float, str]],
               bundle: Any) -> tuple[RuntimeEstimate, ...]:
    _, out, fails = _run(query, ix, bundle)
    override = dict(query.prices_usd_per_hour)
    at = ix.specs.take([c.instance_type for c in query.configs])
    res = []
    for j, c in enumerate(query.configs):
        price: float | None
        src: str | None
        if c.instance_type in override:
            price, src = override[c.instance_type], "override"
        else:
            got = prices.get(c.instance_type)
            price, src = (got[0], f"catalog:{got[1]}") if got else (None, None)
        t, lo, hi = (float(out[k][j]) for k in ("runtime_s", "runtime_s_low", "runtime_s_high"))
        res.append(RuntimeEstimate(
            instance_type=c.instance_type, count=c.count, runtime_s=t, runtime_s_low=lo,
            runtime_s_high=hi, cost_usd=_cost(t, c.count, price),
            cost_usd_low=_cost(lo, c.count, price), cost_usd_high=_cost(hi, c.count, price),
            price_usd_per_hour=price, price_source=src,
            perf_index_source=str(ix.specs.perf_source[at[j]]),
            measured=bool(out["measured"][j]), predicted_to_fail=bool(fails[j])))
    return tuple(res)


def _memo_key(bundle: Any, query: RuntimeQuery) -> tuple[Any, ...] | None:
    """A loaded bundle is named by its artifacts' digest; a stand-in is never memoised."""
    if not getattr(bundle, "sidecars", None):
        return None
    return (bundle.version, bundle.trained_at, query)


def estimate(query: RuntimeQuery, *, catalog: Any, bundle: Any) -> tuple[RuntimeEstimate, ...]:
    """See :func:`recommender.models.interface.estimate_runtime`."""
    ix = runtime_index(catalog, bundle)
    key = _memo_key(bundle, query)
    if key is not None:
        with ix.lock:  # the API serves requests on several threads
            hit = ix.memo.get(key)
        if hit is not None:
            return hit
    out = _estimates(query, ix, region_prices(catalog, query.region), bundle)
    if key is not None:
        with ix.lock:
            ix.memo[key] = out
    return out
