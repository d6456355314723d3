"""A table's cells as storable arrays (:class:`TableColumns`), read back without pandas.

Kept in :mod:`catalog.derived_cache` files: a rule that reads catalog rows as dicts (the
database node rows, the prices a response records) loads these in a warm process instead of
parsing the table with pyarrow's ``to_pandas`` (and importing pandas to do it).  Part of
every derived index's code fingerprint (:func:`catalog.derived_cache.code_files`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class TableColumns:
    """A table's columns as storable arrays, read back as the Python values pandas gives.

    ``records(rows)`` equals ``df.iloc[rows].to_dict("records")`` (Python floats, ints, bools
    and strs; a missing number NaN), built from the arrays without pandas: a warm process
    loads these from the cache instead of parsing the table (pyarrow's ``to_pandas``) and
    importing pandas (about 0.4 s of a 2-core machine's CLI run).  A column whose cells are
    of no single storable kind is kept as an object array of the cells themselves: still
    exact, only not cacheable (:func:`encode` refuses it, so the owner is rebuilt).
    """

    names: list[str]
    values: tuple[np.ndarray, ...]
    #: Per column, ``"nan"`` when its missing cells are NaN in the frame (pandas' ``str``
    #: dtype) and are stored as None; else ``""``.
    missing: list[str]

    @classmethod
    def of_frame(cls, df: Any, columns: list[str] | None = None) -> TableColumns:
        """The columns of DataFrame ``df`` (all, or ``columns`` in that order)."""
        names = [str(c) for c in (df.columns if columns is None else columns)]
        pairs = [_column(df[c].tolist()) for c in names]
        return cls(names, tuple(a for a, _ in pairs), [m for _, m in pairs])

    def __len__(self) -> int:
        return len(self.values[0]) if self.values else 0

    def column(self, name: str, rows: Any = None) -> list[Any]:
        """Column ``name``'s cells (of ``rows``, an index array, when given)."""
        j = self.names.index(name)
        return self._cells(j, rows)

    def _cells(self, j: int, rows: Any) -> list[Any]:
        a = self.values[j] if rows is None else self.values[j][rows]
        cells = a.tolist()
        if self.missing[j] == "nan":
            cells = [math.nan if v is None else v for v in cells]
        return cells

    def records(self, rows: Any = None) -> list[dict[str, Any]]:
        """The rows (all, or those of index array ``rows``) as dicts, column order kept."""
        cols = [self._cells(j, rows) for j in range(len(self.names))]
        return [dict(zip(self.names, cells, strict=True)) for cells in zip(*cols, strict=True)]


def _column(cells: list[Any]) -> tuple[np.ndarray, str]:
    """A column's cells as (array, missing marker) for :class:`TableColumns`."""
    kinds = {type(v) for v in cells}
    if kinds <= {float}:
        return np.array(cells, dtype=float), ""
    if kinds == {bool}:
        return np.array(cells, dtype=bool), ""
    if kinds == {int} and all(-(2 ** 63) <= v < 2 ** 63 for v in cells):
        return np.array(cells, dtype=np.int64), ""
    out = np.empty(len(cells), dtype=object)
    if kinds <= {str, float} and all(type(v) is str or math.isnan(v) for v in cells):
        out[:] = [v if type(v) is str else None for v in cells]
        return out, "nan"
    out[:] = cells  # str/None (storable), or anything else (exact, not storable)
    return out, ""
