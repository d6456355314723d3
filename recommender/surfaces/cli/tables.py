"""Filter, sort, join and print catalog tables for ``recommender catalog show``.

Filters read like amazon-ec2-instance-selector's: ``vcpus>=4``, ``memory_gib<=16``,
``arch=arm64``, ``instance_type~m7`` (contains), ``gpus!=0``; several filters all hold.
Instance types sort in natural size order (``2xlarge`` before ``12xlarge``).  Tables print
through rich at the terminal's width (or 200 columns into a pipe).
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from typing import Any

import pandas as pd

from catalog.naming import natural_order
from recommender.core.errors import UserError

#: Comparison operators of ``--filter``, longest first so ``>=`` is not read as ``>``.
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|!=|==|=|>|<|~)\s*(.*?)\s*$")

#: Columns ``--format table`` shows for EC2 when ``--columns`` is not given (the full row has
#: 46 columns; ``--format json`` or ``--columns`` give the rest).
EC2_TABLE_COLUMNS = ("instance_type", "vcpus", "memory_gib", "arch", "gpus",
                     "network_baseline_gbps", "burstable", "baseline_pct_per_vcpu", "perf_index",
                     "sustained_perf_index",
                     "ondemand_usd_per_hour", "spot_usd_per_hour_est",
                     "reserved_1y_no_upfront_usd_per_hour", "price_as_of")


def _parse(expr: str) -> tuple[str, str, str]:
    m = _FILTER.match(expr)
    if not m:
        raise UserError(f"--filter {expr!r}: expected COL=VALUE, or COL OP VALUE with OP one of "
                        "= != > >= < <= ~ (contains), e.g. 'vcpus>=4'")
    return m[1], m[2], m[3]


def _compare(series: pd.Series, op: str, value: str, expr: str) -> pd.Series:
    if op == "~":
        return series.astype(str).str.contains(value, case=False, regex=False)
    if pd.api.types.is_bool_dtype(series):
        if op not in ("=", "==", "!="):
            raise UserError(f"--filter {expr!r}: a yes/no column takes = or != only")
        same = series.astype(str).str.lower() == value.lower()
        return ~same if op == "!=" else same
    if pd.api.types.is_numeric_dtype(series):
        try:
            number = float(value)
        except ValueError:
            raise UserError(f"--filter {expr!r}: column is numeric; {value!r} is not a "
                            "number") from None
        ops = {"=": series.eq, "==": series.eq, "!=": series.ne, ">": series.gt,
               ">=": series.ge, "<": series.lt, "<=": series.le}
        return ops[op](number)
    if op in ("=", "==", "!="):
        same = series.astype(str) == value
        return ~same if op == "!=" else same
    raise UserError(f"--filter {expr!r}: column is text; use = != or ~ (contains)")


def apply_filters(df: pd.DataFrame, filters: list[str]) -> pd.DataFrame:
    """Keep the rows for which every filter holds.

    Raises
    ------
    UserError
        A filter that cannot be read, names an unknown column or compares text with ``>``.
    """
    for expr in filters:
        col, op, value = _parse(expr)
        if col not in df.columns:
            raise UserError(f"--filter: unknown column {col!r}; columns: {', '.join(df.columns)}")
        keep = _compare(df[col], op, value, expr)
        df = df[keep.fillna(False).astype(bool)]
    return df


def sort_rows(df: pd.DataFrame, sort: str | None, *, descending: bool = False) -> pd.DataFrame:
    """Sort by the comma-separated columns of ``sort``; instance types in natural order.

    Without ``sort`` an ``instance_type`` column sets the order (natural size order).
    """
    if not sort:
        return natural_order(df) if "instance_type" in df.columns else df
    cols = [c.strip() for c in sort.split(",") if c.strip()]
    unknown = [c for c in cols if c not in df.columns]
    if unknown:
        raise UserError(f"--sort: unknown column(s) {', '.join(unknown)}; "
                        f"columns: {', '.join(df.columns)}")
    ordered = natural_order(df) if "instance_type" in df.columns else df
    # A stable sort over the natural order keeps ties in size order.
    return ordered.sort_values(cols, ascending=not descending, kind="stable", na_position="last")


def join_prices(specs: pd.DataFrame, prices: pd.DataFrame, region: str) -> pd.DataFrame:
    """EC2 specs with the region's prices (on-demand, spot estimate, reserved) side by side.

    Raises
    ------
    UserError
        When the region has no EC2 price at all (not a priced region).
    """
    here = prices[prices["region"] == region]
    if here.empty:
        known = ", ".join(sorted(prices["region"].dropna().unique()))
        raise UserError(f"--region {region!r}: no EC2 prices for it; priced regions: {known}")
    return specs.merge(here, on="instance_type", how="inner")


def render_table(df: pd.DataFrame, title: str | None = None) -> str:
    """The rows as a rich table, as text at the terminal's width (natural width in a pipe)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    if df.empty:
        return "(no rows)"
    # A terminal gets its own width; a pipe or file gets the table's natural width (up to
    # 400 columns), so nothing is folded for the program that reads it.
    width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 400
    table = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold")
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(
            df[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    # The console records the table; its text is exported below, nothing is written out.
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)
