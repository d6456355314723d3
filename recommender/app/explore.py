"""Catalog exploration helpers for the app's explorer page and the notebooks.

Pure functions over the catalog's DataFrames: join EC2 specs with prices to rank
price-performance, summarize it by family, and filter any table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

HOURS_PER_MONTH = 730.0

_PP_COLUMNS = ["instance_type", "family", "size", "vcpus", "memory_gib", "arch",
               "current_generation", "burstable", "perf_index", "perf_index_source",
               "ondemand_usd_per_hour", "monthly_usd", "perf_per_usd_hour", "verify"]


def price_performance(catalog: Any, region: str, current_only: bool = False) -> pd.DataFrame:
    """EC2 instance types priced in ``region`` with their compute capacity per dollar.

    Parameters
    ----------
    catalog : Catalog
        Needs the ``ec2`` and ``ec2_prices`` tables.
    region : str
        Region code whose on-demand Linux prices are used.
    current_only : bool
        Keep current-generation types only.

    Returns
    -------
    DataFrame
        One row per priced type: specs, ``perf_index`` (m5.large = 1), ``monthly_usd``
        (730 h on demand) and ``perf_per_usd_hour``; sorted best value first.  Types without
        a price in the region are left out; types without a ``perf_index`` keep NaN.
    """
    prices = catalog.ec2_prices
    prices = prices.loc[(prices["region"] == region) & prices["ondemand_usd_per_hour"].notna(),
                        ["instance_type", "ondemand_usd_per_hour", "verify"]]
    df = catalog.ec2.merge(prices, on="instance_type", how="inner")
    if current_only:
        df = df[df["current_generation"]]
    df = df.assign(
        monthly_usd=df["ondemand_usd_per_hour"] * HOURS_PER_MONTH,
        perf_per_usd_hour=df["perf_index"] / df["ondemand_usd_per_hour"],
    )
    df = df.sort_values(["perf_per_usd_hour", "instance_type"], ascending=[False, True],
                        na_position="last")
    return df[_PP_COLUMNS].reset_index(drop=True)


def family_summary(pp: pd.DataFrame) -> pd.DataFrame:
    """Price-performance by family: median perf per USD-hour, sizes, vCPU range, arch.

    Parameters
    ----------
    pp : DataFrame
        Output of :func:`price_performance`.
    """
    rated = pp.dropna(subset=["perf_per_usd_hour"])
    if rated.empty:
        return pd.DataFrame(columns=["family", "arch", "sizes", "vcpus_min", "vcpus_max",
                                     "median_perf_per_usd_hour", "best_type"])
    best = rated.loc[rated.groupby("family")["perf_per_usd_hour"].idxmax(),
                     ["family", "instance_type"]].set_index("family")["instance_type"]
    out = rated.groupby("family").agg(
        arch=("arch", "first"),
        sizes=("instance_type", "count"),
        vcpus_min=("vcpus", "min"),
        vcpus_max=("vcpus", "max"),
        median_perf_per_usd_hour=("perf_per_usd_hour", "median"),
    )
    out["best_type"] = best
    return (out.reset_index()
               .sort_values(["median_perf_per_usd_hour", "family"], ascending=[False, True])
               .reset_index(drop=True))


def filter_rows(
    df: pd.DataFrame,
    region: str | None = None,
    query: str | None = None,
    ranges: dict[str, tuple[float | None, float | None]] | None = None,
    values: dict[str, Iterable[Any]] | None = None,
) -> pd.DataFrame:
    """Filter a catalog table.

    Parameters
    ----------
    region : str, optional
        Keep rows of this region (tables with a ``region`` column only).
    query : str, optional
        Case-insensitive substring of the first (key) column.
    ranges : dict, optional
        ``column -> (low, high)``; either end may be None.  Rows with NaN are dropped.
    values : dict, optional
        ``column -> allowed values``; an empty collection does not filter.
    """
    mask = pd.Series(True, index=df.index)
    if region and "region" in df.columns:
        mask &= df["region"] == region
    if query:
        mask &= df[df.columns[0]].astype(str).str.contains(query, case=False, regex=False)
    for col, (lo, hi) in (ranges or {}).items():
        if lo is not None:
            mask &= df[col] >= lo
        if hi is not None:
            mask &= df[col] <= hi
    for col, allowed in (values or {}).items():
        allowed = list(allowed)
        if allowed:
            mask &= df[col].isin(allowed)
    return df[mask]


#: Purchase options of the explorer and the price column each reads (USD per hour).
PRICE_COLUMNS: dict[str, str] = {
    "on-demand": "ondemand_usd_per_hour",
    "spot": "spot_usd_per_hour",
    "reserved 1y": "reserved_1y_no_upfront_usd_per_hour",
    "reserved 3y": "reserved_3y_no_upfront_usd_per_hour",
}

#: The explorer's EC2 columns with readable titles (units included), in display order: the
#: chosen price next to the size, where a 1,400 px window shows it without scrolling.
EC2_BROWSER_COLUMNS: dict[str, str] = {
    "instance_type": "Instance type", "vcpus": "vCPUs", "memory_gib": "Memory (GiB)",
    "price_usd_per_hour": "Price (USD/hour)", "monthly_usd": "Price (USD/month, 730 h)",
    "arch": "Architecture", "gpus": "GPUs", "network_baseline_gbps": "Network baseline (Gbps)",
    "burstable": "Burstable", "sustained_vcpus": "Sustained vCPUs",
    "perf_index_sustained": "Capacity, sustained (m5.large = 1)",
    "ondemand_usd_per_hour": "On-demand (USD/hour)", "spot_usd_per_hour": "Spot (USD/hour)",
    "reserved_1y_no_upfront_usd_per_hour": "Reserved 1y (USD/hour)",
    "reserved_3y_no_upfront_usd_per_hour": "Reserved 3y (USD/hour)",
    "price_as_of": "Price as of", "verify": "Verify",
}


def price_table(catalog: Any, region: str, purchase: str = "on-demand") -> pd.DataFrame:
    """EC2 specs joined to one region's prices, burstables at their sustained baseline.

    Parameters
    ----------
    catalog : Catalog
    region : str
        A priced region code.
    purchase : str
        A key of :data:`PRICE_COLUMNS`; its price becomes ``price_usd_per_hour`` and
        ``monthly_usd`` (730 hours).

    Returns
    -------
    DataFrame
        One row per type priced in the region, in natural size order.  A burstable type
        sustains ``baseline_pct_per_vcpu`` of each vCPU without spending credits (the AWS
        burstable baseline), so ``sustained_vcpus`` and ``perf_index_sustained`` scale by that
        share; other types keep their vCPUs and ``perf_index``.
    """
    from catalog.naming import natural_order

    prices = catalog.ec2_prices
    here = prices[prices["region"] == region].drop(columns=["region"])
    df = catalog.ec2.merge(here, on="instance_type", how="inner")
    share = pd.Series(1.0, index=df.index)
    if "baseline_pct_per_vcpu" in df:
        burst = df["burstable"].fillna(False).astype(bool) & df["baseline_pct_per_vcpu"].notna()
        share = share.where(~burst, df["baseline_pct_per_vcpu"] / 100.0)
    column = PRICE_COLUMNS[purchase]
    price = df[column] if column in df else pd.Series(float("nan"), index=df.index)
    df = df.assign(sustained_vcpus=df["vcpus"] * share,
                   perf_index_sustained=df["perf_index"] * share,
                   price_usd_per_hour=price, monthly_usd=price * HOURS_PER_MONTH)
    return natural_order(df).reset_index(drop=True)
