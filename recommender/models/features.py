"""One feature builder shared by training and inference.

Every model reads its inputs through the functions here, so a feature is computed the same
way when the model is fitted and when it answers a request (the usual source of silent
train/serve skew).  Inputs are the catalog's ``ec2`` table (or rows with its columns) and
plain numbers from requests; outputs are float DataFrames with the columns listed in the
``*_COLUMNS`` constants, in that order.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Lambda gives one full vCPU at 1,769 MB and CPU share proportional to memory below it
#: (AWS Lambda docs, "configuration-memory"; ``facts/lambda_facts.csv``).
LAMBDA_MB_PER_VCPU = 1769.0
#: ... and 6 vCPUs at the 10,240 MB maximum (AWS News Blog, Dec 2020).
LAMBDA_MAX_MB = 10240.0
LAMBDA_MIN_MB = 128.0
LAMBDA_MAX_VCPUS = 6.0

_FAMILY_RE = re.compile(r"^(?P<series>[a-z]+?)(?P<gen>\d+)(?P<suffix>.*)$")

#: Perf-model features, in order.  Column 0 is the physics offset (log vCPUs): whole-instance
#: CoreMark scales with the number of vCPUs, the model learns the per-vCPU speed.
PERF_COLUMNS = (
    "log_vcpus",
    "log_physical_cores",
    "threads_per_core",
    "clock_ghz",
    "generation",
    "manu_intel",
    "manu_amd",
    "manu_aws",
    "arm",
    "log_mem_per_vcpu",
    "burstable",
    "bare_metal",
    "suffix_n",
    "suffix_z",
    "accelerated",
)

#: Runtime-correction features, in order (target config relative to the anchor measurement).
RUNTIME_COLUMNS = (
    "log_node_ratio",
    "log_cap_ratio",
    "log_mem_node_ratio",
    "log_mem_per_vcpu",
    "anchor_log_mem_per_vcpu",
    "amd",
    "anchor_amd",
    "log_net_per_cap",
    "log_phys_ratio",
    "serial_fraction",
    "log_total_mem_per_gib",
)


def parse_family(family: str) -> tuple[str, float, str]:
    """Split a family name into series, generation and suffix.

    >>> parse_family("m5a")
    ('m', 5.0, 'a')
    >>> parse_family("c7i-flex")
    ('c', 7.0, 'i-flex')
    >>> parse_family("u7i-12tb")
    ('u', 7.0, 'i-12tb')

    A family without a generation digit yields ``nan``.
    """
    m = _FAMILY_RE.match(str(family))
    if not m:
        return str(family), float("nan"), ""
    return m["series"], float(m["gen"]), m["suffix"]


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def _flag(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.zeros(len(df))
    return df[col].fillna(False).astype(bool).to_numpy(dtype=float)


def perf_features(ec2: pd.DataFrame) -> pd.DataFrame:
    """Spec features of EC2 rows for the perf_index model.

    Parameters
    ----------
    ec2 : DataFrame
        Rows with the catalog ``ec2`` columns (``family``, ``vcpus``, ``physical_cores``,
        ``threads_per_core``, ``clock_ghz``, ``processor_manufacturer``, ``arch``,
        ``memory_gib``, ``burstable``, ``bare_metal``, ``gpus``, ``accelerators``).

    Returns
    -------
    DataFrame
        Float columns :data:`PERF_COLUMNS`, index as ``ec2``; unknown values are NaN
        (the boosted trees route them).
    """
    parsed = [parse_family(f) for f in ec2["family"].astype(str)]
    vcpus = _num(ec2, "vcpus")
    manu_col = ec2.get("processor_manufacturer", pd.Series("", index=ec2.index))
    manu = manu_col.fillna("").astype(str).str.lower().to_numpy()
    suffix = np.array([p[2] for p in parsed], dtype=object)
    accelerated = (np.nan_to_num(_num(ec2, "gpus")) + np.nan_to_num(_num(ec2, "accelerators"))) > 0
    out = {
        "log_vcpus": np.log(vcpus),
        "log_physical_cores": np.log(_num(ec2, "physical_cores")),
        "threads_per_core": _num(ec2, "threads_per_core"),
        "clock_ghz": _num(ec2, "clock_ghz"),
        "generation": np.array([p[1] for p in parsed], dtype=float),
        "manu_intel": np.char.find(manu.astype(str), "intel") >= 0,
        "manu_amd": np.char.find(manu.astype(str), "amd") >= 0,
        "manu_aws": np.char.find(manu.astype(str), "aws") >= 0,
        "arm": (ec2["arch"].astype(str).str.startswith("arm")).to_numpy(),
        "log_mem_per_vcpu": np.log(_num(ec2, "memory_gib") / vcpus),
        "burstable": _flag(ec2, "burstable"),
        "bare_metal": _flag(ec2, "bare_metal"),
        "suffix_n": np.array(["n" in s.split("-")[0] for s in suffix]),
        "suffix_z": np.array(["z" in s.split("-")[0] for s in suffix]),
        "accelerated": accelerated,
    }
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in out.items()}, index=ec2.index)


#: The ec2 columns node_specs reads; the slim per-type table is built once per ec2 table
#: (an identity-checked cache: set_index over the whole table cost ~0.1 s per request).
_SPEC_COLUMNS = (
    "perf_index", "perf_index_low", "perf_index_high", "network_baseline_gbps",
    "network_peak_gbps", "processor_manufacturer", "vcpus", "memory_gib", "perf_index_source",
)
_TEXT_COLUMNS = ("processor_manufacturer", "perf_index_source")
_SPEC_CACHE: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}


def spec_index(ec2: pd.DataFrame) -> pd.DataFrame:
    """The ec2 columns the runtime model reads, indexed by instance type (cached per table)."""
    hit = _SPEC_CACHE.get(id(ec2))
    if hit is not None and hit[0] is ec2:
        return hit[1]
    cols = [c for c in _SPEC_COLUMNS if c in ec2.columns]
    slim = ec2[["instance_type", *cols]].copy()
    for c in cols:  # numpy-backed columns: arrow-backed take is slow on small selections
        text = c in _TEXT_COLUMNS
        col = slim[c]
        slim[c] = (np.asarray(col.astype(object).where(col.notna(), None), dtype=object) if text
                   else col.to_numpy(dtype=float, na_value=np.nan))
    slim = slim.set_index("instance_type")
    if len(_SPEC_CACHE) >= 8:
        _SPEC_CACHE.pop(next(iter(_SPEC_CACHE)))
    _SPEC_CACHE[id(ec2)] = (ec2, slim)
    return slim


def node_specs(ec2: pd.DataFrame, instance_types: list[str] | pd.Series) -> pd.DataFrame:
    """Per-node facts the runtime model needs, one row per requested type (same order).

    Columns: ``cap`` (perf_index, m5.large = 1), ``cap_low``/``cap_high`` (its interval,
    equal to ``cap`` when measured), ``vcpus``, ``memory_gib``, ``net_gbps`` (baseline,
    falling back to peak), ``amd`` (1.0 for AMD processors).

    Raises
    ------
    KeyError
        Naming the types absent from ``ec2``.
    """
    idx = spec_index(ec2)
    types = list(instance_types)
    unknown = sorted({t for t in types if t not in idx.index})
    if unknown:
        raise KeyError(f"instance types not in the catalog: {', '.join(unknown)}")
    rows = idx.loc[types]
    cap = pd.to_numeric(rows["perf_index"], errors="coerce").to_numpy(dtype=float)
    nan = pd.Series(np.nan, index=rows.index)
    low = pd.to_numeric(rows.get("perf_index_low", nan), errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(rows.get("perf_index_high", nan), errors="coerce").to_numpy(dtype=float)
    net = pd.to_numeric(rows["network_baseline_gbps"], errors="coerce")
    net = net.fillna(pd.to_numeric(rows["network_peak_gbps"], errors="coerce"))
    manu = rows["processor_manufacturer"].fillna("").astype(str).str.lower()
    return pd.DataFrame(
        {
            "instance_type": types,
            "cap": cap,
            "cap_low": np.where(np.isnan(low), cap, low),
            "cap_high": np.where(np.isnan(high), cap, high),
            "vcpus": rows["vcpus"].to_numpy(dtype=float),
            "memory_gib": rows["memory_gib"].to_numpy(dtype=float),
            "net_gbps": net.to_numpy(dtype=float),
            "amd": manu.str.contains("amd").to_numpy(dtype=float),
        }
    )


def runtime_features(
    target: pd.DataFrame,
    anchor: pd.Series | pd.DataFrame,
    log_phys_ratio: np.ndarray,
    serial_fraction: float | np.ndarray,
    input_gib: float | np.ndarray | None,
) -> pd.DataFrame:
    """Features of candidate configurations relative to the anchor measurement.

    Parameters
    ----------
    target : DataFrame
        :func:`node_specs` rows of the candidates plus a ``nodes`` column.
    anchor : Series or DataFrame
        The :func:`node_specs` row of the anchor (first) measurement plus ``nodes``; or one
        anchor row per target row (training stacks many anchor choices at once).
    log_phys_ratio : array
        log(physics runtime of each candidate / anchor runtime).
    serial_fraction : float or array
        Fitted serial share of the anchor runtime (0..1).
    input_gib : float, array or None
        Job input size; NaN or None when unknown (the model imputes it).

    Returns
    -------
    DataFrame
        Float columns :data:`RUNTIME_COLUMNS`.
    """

    def col(frame: pd.Series | pd.DataFrame, name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(frame[name], dtype=float), (len(target),))

    n, cap, mem, vcpus = (col(target, c) for c in ("nodes", "cap", "memory_gib", "vcpus"))
    a_n, a_cap, a_mem, a_vcpus = (col(anchor, c) for c in ("nodes", "cap", "memory_gib", "vcpus"))
    gib = np.broadcast_to(np.asarray(np.nan if input_gib is None else input_gib, float), n.shape)
    gib = np.where(gib > 0, gib, np.nan)
    out = {
        "log_node_ratio": np.log(n / a_n),
        "log_cap_ratio": np.log(cap / a_cap),
        "log_mem_node_ratio": np.log(mem / a_mem),
        "log_mem_per_vcpu": np.log(mem / vcpus),
        "anchor_log_mem_per_vcpu": np.log(a_mem / a_vcpus),
        "amd": col(target, "amd"),
        "anchor_amd": col(anchor, "amd"),
        "log_net_per_cap": np.log(col(target, "net_gbps") / cap),
        "log_phys_ratio": np.broadcast_to(np.asarray(log_phys_ratio, float), n.shape),
        "serial_fraction": np.broadcast_to(np.asarray(serial_fraction, float), n.shape),
        "log_total_mem_per_gib": np.log(n * mem / gib),
    }
    return pd.DataFrame(out, index=target.index)


def lambda_cpu_share(memory_mb: np.ndarray | float, parallel: bool = False) -> np.ndarray:
    """vCPU share Lambda gives a function at ``memory_mb``.

    Linear in memory up to 1,769 MB = 1 vCPU.  Above it a single-threaded function gains
    nothing; a parallel one gains vCPUs linearly up to 6 at 10,240 MB.
    """
    m = np.asarray(memory_mb, dtype=float)
    single = np.minimum(m, LAMBDA_MB_PER_VCPU) / LAMBDA_MB_PER_VCPU
    if not parallel:
        return np.asarray(single, dtype=float)
    extra = (np.maximum(m, LAMBDA_MB_PER_VCPU) - LAMBDA_MB_PER_VCPU) / (
        LAMBDA_MAX_MB - LAMBDA_MB_PER_VCPU
    )
    return np.asarray(single + extra * (LAMBDA_MAX_VCPUS - 1.0), dtype=float)
