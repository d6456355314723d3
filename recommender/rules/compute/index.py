"""The EC2 index: the catalog's specs and per-region prices as aligned numpy arrays.

The catalog's ``ec2`` specs, ``ec2_prices`` and ``ec2_spot_prices`` are joined once per catalog
object (:func:`ec2_index`, kept by :meth:`catalog.store.Catalog.derive`) into arrays: specs
one entry per instance type, prices regions x types.  A recommendation then costs a few
vectorised masks (:mod:`~recommender.rules.compute.candidates`) rather than pandas merges.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.rules.prices import per_catalog

if TYPE_CHECKING:  # pandas only builds the index (a cold cache); a warm one is numpy
    import pandas as pd

_CATEGORY_BY_PREFIX = {
    "c": "compute", "m": "general", "a": "general", "t": "burstable",
    "r": "memory", "x": "memory", "z": "memory", "u": "memory",
    "i": "storage", "im": "storage", "is": "storage", "d": "storage", "h": "storage",
    "p": "accelerated", "g": "accelerated", "gr": "accelerated", "f": "accelerated",
    "vt": "accelerated", "inf": "accelerated", "trn": "accelerated", "dl": "accelerated",
    "hpc": "hpc", "mac": "mac",
}


def family_category(family: str) -> str:
    """EC2 family -> category: compute, general, memory, storage, accelerated, hpc, burstable."""
    m = re.match(r"[a-z]+", family)
    return _CATEGORY_BY_PREFIX.get(m.group(0) if m else "", "other")


def _empty(shape: tuple[int, ...], fill: Any = np.nan, dtype: Any = float) -> np.ndarray:
    return np.full(shape, fill, dtype=dtype)


@dataclass(frozen=True)
class SpotMeasured:
    """Measured spot prices per (region, type): the cheapest AZ's latest price, and its range.

    From ``ec2_spot_prices`` (the latest DescribeSpotPriceHistory record of each type and AZ).
    The *lowest* AZ price is the one used: a spot price is set per capacity pool (type x AZ)
    and the price history exists so a user can pick the AZ where it is lowest ("Spot Instance
    pricing history", https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
    using-spot-instances-history.html); it is also what the catalog's ``ec2_prices
    .spot_usd_per_hour`` column holds, so the engine and the catalog agree.  The highest AZ
    price is kept beside it so the reason can show the spread a fleet across AZs would meet.
    """

    price: np.ndarray  # (R, N) USD/h, NaN = not measured
    high: np.ndarray  # (R, N) USD/h, the dearest AZ's latest price
    zones: np.ndarray  # (R, N) int, AZs measured
    az: np.ndarray  # (R, N) object, the cheapest AZ
    as_of: np.ndarray  # (R, N) object, its record's timestamp
    source: np.ndarray  # (R, N) object
    verify: np.ndarray  # (R, N) bool, the record's source marks it unverified

    @classmethod
    def none(cls, shape: tuple[int, int]) -> SpotMeasured:
        """No measurement anywhere (a catalog without ``ec2_spot_prices``)."""
        return cls(_empty(shape), _empty(shape), np.zeros(shape, dtype=int),
                   _empty(shape, None, object), _empty(shape, None, object),
                   _empty(shape, None, object), np.zeros(shape, dtype=bool))


def measured_spot(spot: pd.DataFrame | None, pos: dict[str, int], rpos: dict[str, int]
                  ) -> SpotMeasured:
    """:class:`SpotMeasured` arrays from ``ec2_spot_prices`` rows (None/empty: none)."""
    out = SpotMeasured.none((len(rpos), len(pos)))
    if spot is None or spot.empty:
        return out
    s = spot[spot["instance_type"].isin(pos) & spot["region"].isin(rpos)]
    if s.empty:
        return out
    s = s.sort_values(["spot_usd_per_hour", "availability_zone"], kind="stable")
    key = ["region", "instance_type"]
    low = s.drop_duplicates(key, keep="first")
    stats = s.groupby(key, sort=False)["spot_usd_per_hour"].agg(["max", "size"])
    stats = stats.loc[list(zip(low["region"], low["instance_type"], strict=True))]
    ri = low["region"].map(rpos).to_numpy(dtype=int)
    ci = low["instance_type"].map(pos).to_numpy(dtype=int)
    out.price[ri, ci] = low["spot_usd_per_hour"].to_numpy(dtype=float)
    out.high[ri, ci] = stats["max"].to_numpy(dtype=float)
    out.zones[ri, ci] = stats["size"].to_numpy(dtype=int)
    out.az[ri, ci] = low["availability_zone"].astype(str).to_numpy()
    out.as_of[ri, ci] = low["price_as_of"].astype(str).to_numpy()
    out.source[ri, ci] = low["price_source"].astype(str).to_numpy()
    out.verify[ri, ci] = verify_flags(low)
    return out


@dataclass(frozen=True)
class Ec2Index:
    """The EC2 specs and per-region prices as aligned arrays (read-only)."""

    types: np.ndarray
    family: np.ndarray
    category: np.ndarray
    vcpus: np.ndarray
    memory_gib: np.ndarray
    arch: np.ndarray
    gpus: np.ndarray
    gpu_model: np.ndarray
    burstable: np.ndarray
    baseline_pct: np.ndarray
    credits_per_hour: np.ndarray
    max_credits: np.ndarray
    net_baseline_gbps: np.ndarray
    net_peak_gbps: np.ndarray
    #: Peak bandwidth, else the baseline, else 0: what the bandwidth filter compares (built once).
    net_best_gbps: np.ndarray
    efa: np.ndarray
    ena_express: np.ndarray
    ebs_base_iops: np.ndarray
    ebs_max_iops: np.ndarray
    ebs_base_mbps: np.ndarray  # megabytes/s
    ebs_max_mbps: np.ndarray
    store_gib: np.ndarray
    store_ssd: np.ndarray
    store_nvme: np.ndarray
    cluster_pg: np.ndarray
    current: np.ndarray
    bare_metal: np.ndarray
    perf: np.ndarray  # perf_index with missing rows filled by the vCPU estimate
    perf_low: np.ndarray
    perf_high: np.ndarray
    perf_source: np.ndarray  # measured | predicted | estimated
    perf_per_vcpu_median: float
    regions: list[str]
    region_pos: dict[str, int]
    offered: np.ndarray  # (R, N) bool from ec2.regions
    ondemand: np.ndarray  # (R, N) USD/h, NaN = no price
    spot: np.ndarray  # (R, N) the estimate: on-demand x (1 - the advisor's savings %)
    spot_band: np.ndarray  # (R, N) object
    reserved_1y: np.ndarray
    reserved_3y: np.ndarray
    verify: np.ndarray  # (R, N) bool
    price_as_of: np.ndarray
    pos: dict[str, int] = field(default_factory=dict)
    is_x86: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    is_arm: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    ena_support: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    price_source: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=object))
    #: perf_index per vCPU (capacity of one vCPU; m5.large = 1 for the whole instance).
    speed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Measured spot prices (DescribeSpotPriceHistory), used before the estimate ``spot``.
    spot_measured: SpotMeasured = field(default_factory=lambda: SpotMeasured.none((0, 0)))
    #: Derived once from the fields above (see :func:`_derived_fields`) so that a warm call
    #: does not recompute them: family codes (sorted names), burstable by flag or family,
    #: NaN-as-0 credit figures, the Linux platform mask, offered-or-priced
    #: per region, predicted perf_index rows.
    family_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    family_names: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    is_burst: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    credits_per_hour0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_credits0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    linux: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    in_region: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    perf_predicted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: Every row True: the mask of a filter whose constraint the profile does not set (the
    #: filters return this very array so that apply_filters can skip it).
    all_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: ``types`` strictly ascending (built sorted by instance_type): the ranking's id
    #: tie-break may then use row positions instead of comparing the strings.
    types_sorted: bool = False

    @property
    def n(self) -> int:
        return len(self.types)


def _f(s: pd.Series) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _b(s: pd.Series) -> np.ndarray:
    return s.astype("boolean").fillna(False).astype(bool).to_numpy()


def verify_flags(df: pd.DataFrame) -> np.ndarray:
    """A table's ``verify`` column as bools: NA, and a table without the column, count as
    verified (False)."""
    return _b(df["verify"]) if "verify" in df else np.zeros(len(df), dtype=bool)


def _o(s: pd.Series) -> np.ndarray:
    import pandas as pd

    return np.array([None if pd.isna(v) else str(v) for v in s.tolist()], dtype=object)


def _best_gbps(peak: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Peak bandwidth where known, else the baseline, else 0."""
    return np.nan_to_num(np.where(np.isnan(peak), baseline, peak), nan=0.0)


def _perf_fields(ec2: pd.DataFrame) -> dict[str, Any]:
    """perf_index filled where missing, its source, and the per-vCPU speed."""
    vcpus, perf = _f(ec2["vcpus"]), _f(ec2["perf_index"])
    # Neutral estimate where no perf figure exists: vCPUs x the median per-vCPU capacity of
    # the rows that have one (flagged "estimated" so users know it is not measured).
    have = ~np.isnan(perf)
    per_vcpu = float(np.median(perf[have] / vcpus[have])) if have.any() else 0.5
    filled = np.where(~have, vcpus * per_vcpu, perf)
    src = np.where(~have, "estimated", _o(ec2["perf_index_source"])).astype(object)
    return dict(perf=filled, perf_low=_f(ec2["perf_index_low"]),
                perf_high=_f(ec2["perf_index_high"]), perf_source=src,
                perf_per_vcpu_median=per_vcpu, speed=filled / np.maximum(vcpus, 1e-9))


def _spec_fields(ec2: pd.DataFrame) -> dict[str, Any]:
    """Per-type spec arrays (everything but perf and prices)."""
    fam, arch = _o(ec2["family"]), _o(ec2["arch"])
    peak, base = _f(ec2["network_peak_gbps"]), _f(ec2["network_baseline_gbps"])
    return dict(
        family=fam, category=np.array([family_category(f) for f in fam], dtype=object),
        vcpus=_f(ec2["vcpus"]), memory_gib=_f(ec2["memory_gib"]), arch=arch,
        gpus=_f(ec2["gpus"]), gpu_model=_o(ec2["gpu_model"]), burstable=_b(ec2["burstable"]),
        baseline_pct=_f(ec2["baseline_pct_per_vcpu"]),
        credits_per_hour=_f(ec2["cpu_credits_per_hour"]), max_credits=_f(ec2["max_cpu_credits"]),
        net_baseline_gbps=base, net_peak_gbps=peak, net_best_gbps=_best_gbps(peak, base),
        efa=_b(ec2["efa_supported"]), ena_express=_b(ec2["ena_express_supported"]),
        ebs_base_iops=_f(ec2["ebs_baseline_iops"]), ebs_max_iops=_f(ec2["ebs_max_iops"]),
        ebs_base_mbps=_f(ec2["ebs_baseline_throughput_mbps"]),
        ebs_max_mbps=_f(ec2["ebs_max_throughput_mbps"]),
        store_gib=np.nan_to_num(_f(ec2["instance_storage_gib"]), nan=0.0),
        store_ssd=np.array([t == "ssd" for t in _o(ec2["instance_storage_type"])], dtype=bool),
        store_nvme=_b(ec2["instance_storage_nvme"]),
        cluster_pg=np.array(["cluster" in str(s).split(",")
                             for s in ec2["placement_group_strategies"].tolist()], dtype=bool),
        current=_b(ec2["current_generation"]), bare_metal=_b(ec2["bare_metal"]),
        is_x86=arch == "x86_64", is_arm=arch == "arm64", ena_support=_o(ec2["ena_support"]),
    )


def _regions(ec2: pd.DataFrame, prices: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Every region named by a price or a spec row, and the (R, N) offered mask."""
    cells = ec2["regions"].astype(str).tolist()
    regions = sorted(set(prices["region"].astype(str))
                     | {r for cell in cells for r in cell.split(",") if r})
    rpos = {r: i for i, r in enumerate(regions)}
    offered = np.zeros((len(regions), len(cells)), dtype=bool)
    for j, cell in enumerate(cells):
        for r in cell.split(","):
            if r:
                offered[rpos[r], j] = True
    return regions, offered


#: ``ec2_prices`` column -> (Ec2Index field, reader, fill) of the (R, N) price grids.
_PRICE_GRIDS = (
    ("ondemand_usd_per_hour", "ondemand", _f, np.nan),
    ("spot_usd_per_hour_est", "spot", _f, np.nan),
    ("reserved_1y_no_upfront_usd_per_hour", "reserved_1y", _f, np.nan),
    ("reserved_3y_no_upfront_usd_per_hour", "reserved_3y", _f, np.nan),
    ("spot_interruption_band", "spot_band", _o, None),
    ("verify", "verify", _b, False),
    ("price_as_of", "price_as_of", _o, None),
    ("price_source", "price_source", _o, None),
)


def _price_fields(prices: pd.DataFrame, pos: dict[str, int], rpos: dict[str, int]
                  ) -> dict[str, Any]:
    """The (R, N) grids of :data:`_PRICE_GRIDS` (a column the frame lacks stays at its fill)."""
    shape = (len(rpos), len(pos))
    out = {name: np.full(shape, fill, dtype=object if fill is None else type(fill))
           for _, name, _, fill in _PRICE_GRIDS}
    p = prices[prices["instance_type"].isin(pos)]
    if not len(p):
        return out
    ri = np.array([rpos[r] for r in p["region"].astype(str)], dtype=int)
    ci = np.array([pos[t] for t in p["instance_type"].astype(str)], dtype=int)
    for col, name, read, _ in _PRICE_GRIDS:
        if col in p:
            out[name][ri, ci] = read(p[col])
    return out


def _derived_fields(f: dict[str, Any]) -> dict[str, Any]:
    """The arrays every warm call would otherwise recompute from the index's fields ``f``."""
    import pandas as pd

    code, names = pd.factorize(f["family"], sort=True)
    out = dict(
        family_code=code, family_names=np.asarray(names, dtype=object),
        is_burst=np.asarray(f["burstable"] | (f["category"] == "burstable"), dtype=bool),
        credits_per_hour0=np.nan_to_num(f["credits_per_hour"]),
        max_credits0=np.nan_to_num(f["max_credits"]), linux=f["is_x86"] | f["is_arm"],
        in_region=f["offered"] | ~np.isnan(f["ondemand"]),
        perf_predicted=np.asarray(f["perf_source"] == "predicted", dtype=bool),
        all_rows=np.ones(len(f["types"]), dtype=bool))
    for a in out.values():  # shared by every call (some are returned as filter masks)
        a.setflags(write=False)
    types = f["types"].tolist()
    out["types_sorted"] = all(a < b for a, b in zip(types, types[1:], strict=False))
    return out


def build_ec2_index(ec2: pd.DataFrame, prices: pd.DataFrame, *,
                    spot: pd.DataFrame | None = None) -> Ec2Index:
    """Join specs, prices and measured spot prices into aligned arrays (once per catalog)."""
    ec2 = ec2.sort_values("instance_type", kind="stable").reset_index(drop=True)
    types = _o(ec2["instance_type"])
    pos = {t: i for i, t in enumerate(types)}
    regions, offered = _regions(ec2, prices)
    rpos = {r: i for i, r in enumerate(regions)}
    f = dict(types=types, **_spec_fields(ec2), **_perf_fields(ec2), regions=regions,
             region_pos=rpos, offered=offered, **_price_fields(prices, pos, rpos), pos=pos,
             spot_measured=measured_spot(spot, pos, rpos))
    return Ec2Index(**f, **_derived_fields(f))


def index_memo(ix: Ec2Index, key: Any, build: Callable[[], Any]) -> Any:
    """``build()`` once per index and ``key``: arrays a warm call would otherwise recompute
    from the index alone (kept in the instance's ``__dict__``, beside the dataclass fields
    the derived cache persists, so they live and die with the index).  An array kept here is
    shared by every call, so it is made read-only: a stage that wrote into it would fail
    instead of changing the next answer.  Two threads may build it twice, the same."""
    memo = ix.__dict__.get("_memo")
    if memo is None:
        memo = ix.__dict__.setdefault("_memo", {})
    hit = memo.get(key)
    if hit is None:
        hit = build()
        if isinstance(hit, np.ndarray):
            hit.setflags(write=False)
        memo[key] = hit
    return hit


def one_node(ix: Ec2Index) -> np.ndarray:
    """One node of every type: the index's shared, read-only count of work that does not
    scale out.  A stage that finds this very array as its count knows every count is 1, and
    skips the multiplications and comparisons by it (x * 1.0 is x, 1 <= n for n >= 1)."""
    ones: np.ndarray = index_memo(ix, "one_node", lambda: np.ones(ix.n))
    return ones


def ec2_index(catalog: Any) -> Ec2Index:
    """The catalog's :class:`Ec2Index`, built once per catalog object."""
    def build(c: Any) -> Ec2Index:
        tables = getattr(c, "tables", None)
        spot = tables.get("ec2_spot_prices") if isinstance(tables, dict) else None
        return build_ec2_index(c.ec2, c.ec2_prices, spot=spot)

    return per_catalog("ec2_index", catalog, build, persist=Ec2Index)  # kept on disk too
