"""Capacity planning: how the recommendation and its cost change as load grows.

:func:`scale_profile` multiplies the load-driven fields of a profile; :func:`capacity_sweep`
runs ``recommend()`` for each load factor and tabulates the rank-1 option per category.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pandas as pd

from recommender.core.engine import recommend
from recommender.core.profile import parse_profile

DEFAULT_FACTORS: tuple[float, ...] = (1, 2, 5, 10, 20, 50, 100)

#: Fields that grow with load.  Data size, latency targets, architecture and node limits
#: do not: a sweep shows where those constraints start to bind.
LOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "compute": ("vcpus", "memory_gib", "invocations_per_month"),
    "storage": ("iops", "throughput_mibps"),
    "database": ("reads_per_s", "writes_per_s"),
    "network": ("egress_gib_per_month", "bandwidth_gbps", "s3_traffic_gib_per_month"),
}


def _scale(value: Any, factor: float) -> Any:
    if isinstance(value, dict):  # a range {"min", "max"}
        return {k: (v * factor if isinstance(v, int | float) else v) for k, v in value.items()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * factor
    return value


def scale_profile(profile: dict[str, Any], factor: float) -> dict[str, Any]:
    """A copy of ``profile`` whose load-driven fields are multiplied by ``factor``.

    Parameters
    ----------
    profile : dict
        A profile as JSON data (see CONTRACT section 1).
    factor : float
        Load multiplier, > 0.
    """
    if not factor > 0:
        raise ValueError(f"factor must be > 0; got {factor}")
    out = copy.deepcopy(profile)
    for section, fields in LOAD_FIELDS.items():
        block = out.get(section)
        if not isinstance(block, dict):
            continue
        for name in fields:
            if name in block:
                block[name] = _scale(block[name], factor)
    if factor != 1 and out.get("name"):
        out["name"] = f"{out['name']} x{factor:g}"
    return out


def capacity_sweep(
    profile: dict[str, Any],
    factors: Iterable[float] = DEFAULT_FACTORS,
    catalog: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Recommend at each load factor; one row per (factor, category) with its rank-1 option.

    Returns
    -------
    DataFrame
        ``factor, category, option, kind, count, monthly_cost_usd, performance_risk,
        n_warnings, warnings`` (the warnings' text, joined with `` | ``).  A category with
        no option at a factor gets a row with ``option = None`` (nothing fits; the warnings
        say why).
    """
    # The plain text bar: tqdm.auto needs ipywidgets in a notebook and warns without them.
    from tqdm import tqdm

    parse_profile(profile)  # refuse a bad base profile before the loop
    rows: list[dict[str, Any]] = []
    factors = list(factors)
    for factor in tqdm(factors, desc="load factors", disable=not progress):
        resp = recommend(scale_profile(profile, factor), catalog=catalog)
        for category in ("compute", "storage", "database", "network"):
            if category not in profile:
                continue
            best = resp.best(category)
            rows.append({
                "factor": factor,
                "category": category,
                "option": best.option if best else None,
                "kind": best.kind if best else None,
                "count": best.count if best else None,
                "monthly_cost_usd": best.monthly_cost_usd if best else None,
                "performance_risk": best.performance_risk if best else None,
                "n_warnings": len(resp.warnings),
                "warnings": " | ".join(resp.warnings),
            })
    return pd.DataFrame(rows)


def sweep_totals(sweep: pd.DataFrame, exclude: Iterable[str] = ()) -> pd.DataFrame:
    """Monthly cost per category and factor, with a total that never hides a missing cost.

    Parameters
    ----------
    sweep : DataFrame
        :func:`capacity_sweep` output.
    exclude : iterable of str
        Categories left out of the table and the total (e.g. ``network`` add-ons).

    Returns
    -------
    DataFrame
        Indexed by factor: one column per category, ``total`` (NaN when any category has
        no option or no price at that factor, rather than a sum that silently drops it),
        ``missing`` (the categories that made the total unknown) and ``usd_per_unit_load``.
    """
    kept = sweep[~sweep["category"].isin(list(exclude))]
    cost = kept.pivot(index="factor", columns="category", values="monthly_cost_usd")
    cost = cost.astype("float64")
    missing = cost.isna()
    cost["total"] = cost.sum(axis=1).where(~missing.any(axis=1))
    cost["missing"] = missing.apply(lambda row: ", ".join(c for c, m in row.items() if m), axis=1)
    cost["usd_per_unit_load"] = cost["total"] / cost.index.to_series().astype("float64")
    return cost
