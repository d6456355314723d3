"""Helpers shared by the catalog-services reader tests (fixtures and shared-data runs)."""

from __future__ import annotations

import pandas as pd


def one_row(df: pd.DataFrame, **where: str) -> pd.Series:
    """The single row of ``df`` whose columns equal ``where``; fails unless exactly one."""
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col] == value
    hits = df[mask]
    assert len(hits) == 1, f"{where}: {len(hits)} rows"
    return hits.iloc[0]
