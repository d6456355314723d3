"""One feature builder shared by training and inference.

Every model reads its inputs through the functions here, so a feature is computed the same
way when the model is fitted and when it answers a request (the usual source of silent
train/serve skew).  Inputs are the catalog's ``ec2`` table (or rows with its columns) and
plain numbers from requests; outputs are float DataFrames with the columns listed in the
``*_COLUMNS`` constants, in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported where a function calls it (a warm
    import pandas as pd  # recommend never does: issue 11)

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
    # Transferable per-vCPU physics for the linear part (issue 10): CoreMark per vCPU ~
    # clock x IPC(generation, manufacturer) / SMT share, in log space.
    "log_clock_ghz",
    "log_threads_per_core",
    "log_cores_per_vcpu",
    "gen_intel",
    "gen_amd",
)

#: Columns of :data:`PERF_COLUMNS` the regularised linear part of the perf model reads
#: (everything but the offset and the raw duplicates of the log columns).
PERF_LINEAR_COLUMNS = (
    "log_clock_ghz",
    "log_threads_per_core",
    "generation",
    "manu_intel",
    "manu_amd",
    "arm",
    "log_mem_per_vcpu",
    "burstable",
    "bare_metal",
    "suffix_n",
    "suffix_z",
    "accelerated",
    "gen_intel",
    "gen_amd",
    "log_cores_per_vcpu",
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
    import pandas as pd

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
    import pandas as pd

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
    out["log_clock_ghz"] = np.log(out["clock_ghz"])
    out["log_threads_per_core"] = np.log(out["threads_per_core"])
    out["log_cores_per_vcpu"] = out["log_physical_cores"] - out["log_vcpus"]
    # Generation trends per manufacturer: a linear term extrapolates to a generation the
    # training rows lack, where trees stay flat at the nearest one seen.
    gen = np.asarray(out["generation"], dtype=float)
    out["gen_intel"] = gen * np.asarray(out["manu_intel"], dtype=float)
    out["gen_amd"] = gen * np.asarray(out["manu_amd"], dtype=float)
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in out.items()}, index=ec2.index)


@dataclass(frozen=True)
class SpecTable:
    """Per-node facts the runtime model reads, one array entry per instance type.

    Built once per ec2 table (the serve path keeps it on the catalog, see
    :mod:`recommender.models.runtime_index`): a candidate's row is then a dict look-up and
    an array take, not a pandas ``set_index`` over the whole table.  ``cap`` is perf_index
    (m5.large = 1); ``cap_low``/``cap_high`` its interval (equal to ``cap`` when measured);
    ``net_gbps`` the baseline bandwidth, falling back to the peak; ``amd`` 1.0 for AMD.
    """

    pos: dict[str, int]
    cap: np.ndarray
    cap_low: np.ndarray
    cap_high: np.ndarray
    vcpus: np.ndarray
    memory_gib: np.ndarray
    net_gbps: np.ndarray
    amd: np.ndarray
    perf_source: np.ndarray

    @classmethod
    def from_ec2(cls, ec2: pd.DataFrame) -> SpecTable:
        """The table of ``ec2`` rows (a type listed twice keeps its first row)."""
        import pandas as pd

        types = ec2["instance_type"].astype(str).tolist()
        cap = _num(ec2, "perf_index")
        low, high = _num(ec2, "perf_index_low"), _num(ec2, "perf_index_high")
        net = np.where(np.isnan(_num(ec2, "network_baseline_gbps")),
                       _num(ec2, "network_peak_gbps"), _num(ec2, "network_baseline_gbps"))
        manu = ec2["processor_manufacturer"].fillna("").astype(str).str.lower()
        src = ec2["perf_index_source"] if "perf_index_source" in ec2 else pd.Series(
            None, index=ec2.index)
        return cls(
            pos={t: i for i, t in reversed(list(enumerate(types)))},
            cap=cap, cap_low=np.where(np.isnan(low), cap, low),
            cap_high=np.where(np.isnan(high), cap, high),
            vcpus=_num(ec2, "vcpus"), memory_gib=_num(ec2, "memory_gib"), net_gbps=net,
            amd=manu.str.contains("amd").to_numpy(dtype=float),
            perf_source=np.asarray(src.astype(object).where(src.notna(), None), dtype=object),
        )

    def take(self, instance_types: list[str]) -> np.ndarray:
        """Positions of ``instance_types``.

        Raises
        ------
        KeyError
            Naming the types absent from the table.
        """
        got = [self.pos.get(t, -1) for t in instance_types]
        if -1 in got:
            unknown = sorted({t for t, i in zip(instance_types, got, strict=True) if i < 0})
            raise KeyError(f"instance types not in the catalog: {', '.join(unknown)}")
        return np.asarray(got, dtype=np.intp)

    def rows(self, instance_types: list[str]) -> dict[str, np.ndarray]:
        """The :func:`node_specs` columns of ``instance_types`` as arrays (same order)."""
        at = self.take(list(instance_types))
        return {"cap": self.cap[at], "cap_low": self.cap_low[at], "cap_high": self.cap_high[at],
                "vcpus": self.vcpus[at], "memory_gib": self.memory_gib[at],
                "net_gbps": self.net_gbps[at], "amd": self.amd[at]}


def node_specs(ec2: pd.DataFrame, instance_types: list[str] | pd.Series) -> pd.DataFrame:
    """Per-node facts the runtime model needs, one row per requested type (same order).

    Columns: ``instance_type`` and those of :meth:`SpecTable.rows`.  For training and
    evaluation (one call per data set); the serve path keeps its :class:`SpecTable`.

    Raises
    ------
    KeyError
        Naming the types absent from ``ec2``.
    """
    import pandas as pd

    types = list(instance_types)
    return pd.DataFrame({"instance_type": types, **SpecTable.from_ec2(ec2).rows(types)})


def runtime_feature_arrays(
    target: Any, anchor: Any, log_phys_ratio: np.ndarray, serial_fraction: float | np.ndarray,
    input_gib: float | np.ndarray | None, *, n: int,
) -> dict[str, np.ndarray]:
    """:data:`RUNTIME_COLUMNS` of ``n`` candidates relative to the anchor measurement.

    ``target`` and ``anchor`` map ``nodes``, ``cap``, ``memory_gib``, ``vcpus``, ``amd``
    (and ``net_gbps`` for the target) to arrays or scalars: dicts of arrays at serve time,
    DataFrame rows in training.  See :func:`runtime_features` for the parameters.
    """

    def col(frame: Any, name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(frame[name], dtype=float), (n,))

    nodes, cap, mem, vcpus = (col(target, c) for c in ("nodes", "cap", "memory_gib", "vcpus"))
    a_n, a_cap, a_mem, a_vcpus = (col(anchor, c) for c in ("nodes", "cap", "memory_gib", "vcpus"))
    gib = np.broadcast_to(np.asarray(np.nan if input_gib is None else input_gib, float), (n,))
    gib = np.where(gib > 0, gib, np.nan)
    return {
        "log_node_ratio": np.log(nodes / a_n),
        "log_cap_ratio": np.log(cap / a_cap),
        "log_mem_node_ratio": np.log(mem / a_mem),
        "log_mem_per_vcpu": np.log(mem / vcpus),
        "anchor_log_mem_per_vcpu": np.log(a_mem / a_vcpus),
        "amd": col(target, "amd"),
        "anchor_amd": col(anchor, "amd"),
        "log_net_per_cap": np.log(col(target, "net_gbps") / cap),
        "log_phys_ratio": np.broadcast_to(np.asarray(log_phys_ratio, float), (n,)),
        "serial_fraction": np.broadcast_to(np.asarray(serial_fraction, float), (n,)),
        "log_total_mem_per_gib": np.log(nodes * mem / gib),
    }


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
    import pandas as pd

    cols = runtime_feature_arrays(target, anchor, log_phys_ratio, serial_fraction, input_gib,
                                  n=len(target))
    return pd.DataFrame(cols, index=target.index)


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
