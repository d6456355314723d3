"""The CPU-utilization CSV a user uploads (e.g. a CloudWatch export), read strictly.

Nothing is dropped or reinterpreted silently: a row with the wrong number of cells is refused
by its line number, ``true``/``false`` is not a percentage, a non-numeric value is dropped and
the note says which lines and why, and numeric timestamps are read by their magnitude
(CloudWatch and most tools write epoch *seconds*; pandas would read them as nanoseconds).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from recommender.core.errors import UserError

_VALUE_NAMES = ("value", "values", "average", "avg", "maximum", "max", "cpuutilization", "cpu")
_TIME_NAMES = ("timestamp", "timestamps", "time", "date", "datetime")
#: Largest upload read (a year of one-minute samples is ~20 MB).
MAX_CSV_BYTES = 64 * 1024 * 1024
#: Epoch magnitudes: a number above this many seconds since 1970 is in a finer unit.
_EpochUnit = Literal["ns", "us", "ms", "s"]
_EPOCH_UNITS: tuple[tuple[float, _EpochUnit], ...] = (
    (1e17, "ns"), (1e14, "us"), (1e11, "ms"), (0.0, "s"))


@dataclass(frozen=True)
class UtilizationCsv:
    """Percent samples in time order, their spacing, and what was left out and why."""

    values: list[float]
    interval_minutes: float | None
    notes: list[str] = field(default_factory=list)


def _lines(numbers: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_CSV_BYTES:
        raise UserError(f"utilization CSV: larger than {MAX_CSV_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"utilization CSV: not UTF-8 text (byte {exc.start}); is it a "
                        "spreadsheet file rather than CSV?") from None


def _check_ragged(text: str) -> None:
    """Refuse rows whose cell count differs from the header's, naming their lines."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header:
        raise UserError("utilization CSV: not a readable CSV (it is empty)")
    bad = [rows.line_num for row in rows if row and len(row) != len(header)]
    if bad:
        raise UserError(f"utilization CSV: line(s) {_lines(bad)} have a different number of "
                        f"cells than the header ({len(header)})")


def _timestamps(col: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(col, errors="coerce")
    if numeric.notna().all():
        top = float(numeric.abs().max())
        unit = next(u for limit, u in _EPOCH_UNITS if top > limit)
        return pd.to_datetime(numeric, unit=unit, errors="coerce", utc=True)
    return pd.to_datetime(pd.Series(col), errors="coerce", utc=True, format="mixed")


def _value_column(df: pd.DataFrame, time_col: str | None) -> str:
    cols = {str(c).strip().lower().replace(" ", ""): c for c in df.columns}
    found = next((cols[n] for n in _VALUE_NAMES if n in cols), None)
    if found is not None:
        return str(found)
    numeric = [c for c in df.columns if c != time_col and pd.api.types.is_numeric_dtype(df[c])
               and df[c].notna().any()]
    if not numeric:
        raise UserError("utilization CSV: needs a numeric value column (e.g. 'value')")
    return str(numeric[-1])


def read_utilization_csv(data: bytes | str) -> UtilizationCsv:
    """Read a utilization CSV; :class:`UserError` names the rule a file breaks."""
    text = _text(data)
    _check_ragged(text)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"utilization CSV: not a readable CSV ({exc})") from None
    df.columns = [str(c) for c in df.columns]
    cols = {c.strip().lower().replace(" ", ""): c for c in df.columns}
    time_col = next((cols[n] for n in _TIME_NAMES if n in cols), None)
    typed = pd.DataFrame({c: (pd.to_numeric(df[c], errors="coerce") if c != time_col else df[c])
                          for c in df.columns})
    value_col = _value_column(typed, time_col)
    raw = df[value_col].str.strip()
    if raw.str.lower().isin(["true", "false"]).any():
        raise UserError(f"utilization CSV: column {value_col!r} holds true/false, not percent")
    values = pd.to_numeric(raw, errors="coerce")
    values = values.where(values.map(lambda v: math.isfinite(v) if v == v else False))
    notes: list[str] = []
    dropped = [int(i) + 2 for i in values.index[values.isna()]]  # +2: header, 1-based
    if dropped:
        notes.append(f"dropped {len(dropped)} row(s) whose {value_col!r} is not a finite "
                     f"number (line(s) {_lines(dropped)})")
    interval = None
    if time_col is not None:
        ts = _timestamps(df[time_col])
        if ts.isna().any():
            bad = [int(i) + 2 for i in ts.index[ts.isna()]]
            notes.append(f"{len(bad)} row(s) have an unreadable {time_col!r} (line(s) "
                         f"{_lines(bad)}); they are kept in file order")
        order = ts.sort_values(kind="stable", na_position="last").index
        values, ts = values.loc[order], ts.loc[order]
        gaps = ts.diff().dropna().dt.total_seconds() / 60.0
        if len(gaps) and gaps.median() > 0:
            interval = float(gaps.median())
    values = values.dropna()
    if values.empty:
        raise UserError(f"utilization CSV: column {value_col!r} holds no numbers")
    if values.min() < 0 or values.max() > 100:
        raise UserError(
            f"utilization CSV: column {value_col!r} must be percent between 0 and 100 "
            f"(found {values.min():g} to {values.max():g})"
        )
    return UtilizationCsv([float(v) for v in values], interval, notes)
