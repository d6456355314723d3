"""How old the catalog's figures are: pure functions the engine, the app and the CLI call.

Every price row carries ``price_as_of`` (ISO date or datetime of its source).  These
functions turn that into an age in days, a staleness flag and a sentence to show; and
:func:`table_ages` summarises a whole catalog per table, region and source for
``catalog info``.  The staleness threshold defaults to :data:`DEFAULT_MAX_AGE_DAYS` and is set
with the ``RECOMMENDER_PRICE_MAX_AGE_DAYS`` environment variable (read by
:func:`max_age_days_setting`; the functions themselves take it as an argument).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime

import pandas as pd

#: Prices older than this many days get a warning (AWS changes list prices a few times a
#: year; half a year is the age at which a figure should be re-checked before buying).
DEFAULT_MAX_AGE_DAYS = 180
MAX_AGE_ENV = "RECOMMENDER_PRICE_MAX_AGE_DAYS"


def max_age_days_setting(env: Mapping[str, str] | None = None) -> int:
    """The configured staleness threshold in days (``RECOMMENDER_PRICE_MAX_AGE_DAYS``).

    Raises
    ------
    ValueError
        When the variable is set but is not a positive whole number (the message names it).
    """
    raw = (os.environ if env is None else env).get(MAX_AGE_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_AGE_DAYS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{MAX_AGE_ENV}={raw!r}: expected a positive whole number of days")
    return value


def parse_as_of(price_as_of: str | None) -> date | None:
    """The date of a ``price_as_of`` value ("2025-04-04", "2021-02-09T01:40:10Z"); None if unknown.

    >>> parse_as_of("2021-02-09T01:40:10Z")
    datetime.date(2021, 2, 9)
    >>> parse_as_of("unknown") is None
    True
    """
    if not price_as_of or not isinstance(price_as_of, str):
        return None
    try:
        return date.fromisoformat(price_as_of[:10])
    except ValueError:
        return None


def _today(today: date | None) -> date:
    return today if today is not None else datetime.now(UTC).date()


def age_days(price_as_of: str | None, today: date | None = None) -> int | None:
    """Whole days from ``price_as_of`` to ``today`` (UTC); None when the date is unknown.

    >>> age_days("2026-06-04", today=date(2026, 12, 1))
    180
    """
    d = parse_as_of(price_as_of)
    return None if d is None else (_today(today) - d).days


def is_stale(
    price_as_of: str | None, max_age_days: int = DEFAULT_MAX_AGE_DAYS, today: date | None = None
) -> bool:
    """True when the figure is older than ``max_age_days`` or its date is unknown."""
    age = age_days(price_as_of, today)
    return age is None or age > max_age_days


def staleness_warning(
    what: str,
    price_as_of: str | None,
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    today: date | None = None,
) -> str | None:
    """A sentence warning that ``what``'s price is old (``None`` when it is fresh).

    >>> staleness_warning("m5.large", "2025-04-04", today=date(2026, 12, 1))[:52]
    'm5.large: price as of 2025-04-04 is 606 days old (ov'
    """
    age = age_days(price_as_of, today)
    if age is None:
        return f"{what}: the price has no known date; check the AWS pricing page"
    if age <= max_age_days:
        return None
    return (
        f"{what}: price as of {str(price_as_of)[:10]} is {age} days old (over {max_age_days}); "
        "check the AWS pricing page before relying on it"
    )


#: Tables with per-row price dates, and the column naming their region.
PRICED_TABLES = {
    "ec2_prices": "region",
    "ec2_commitments": "region",
    "ec2_spot_prices": "region",
    "ebs": "region",
    "database": "region",
    "unit_prices": "region",
}


def table_ages(
    tables: Mapping[str, pd.DataFrame],
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    today: date | None = None,
) -> pd.DataFrame:
    """Age per (table, region, price_source): oldest and newest ``price_as_of``, rows, stale.

    ``age_days`` is the age of the *oldest* row of the group (what a user may be shown).
    """
    frames = []
    for name, region_col in PRICED_TABLES.items():
        df = tables.get(name)
        if df is None or df.empty:
            continue
        g = (
            df.assign(_d=df["price_as_of"].astype(str).str[:10])
            .groupby([region_col, "price_source"], dropna=False)["_d"]
            .agg(oldest="min", newest="max", rows="size")
            .reset_index()
            .rename(columns={region_col: "region"})
        )
        g.insert(0, "table", name)
        frames.append(g)
    cols = ["table", "region", "price_source", "oldest", "newest", "rows", "age_days", "stale"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["age_days"] = [age_days(d, today) for d in out["oldest"]]
    out["stale"] = [is_stale(d, max_age_days, today) for d in out["oldest"]]
    return out[cols].sort_values(["table", "region", "price_source"], ignore_index=True)


def refresh_summary(
    tables: Mapping[str, pd.DataFrame],
    refreshed_sources: set[str],
    *,
    carried: Mapping[str, str],
    failures: list[dict] | None = None,
) -> dict:
    """The manifest's ``refresh`` section: per table and region, source, date, rows, carried.

    A row group counts as *carried over* when its ``price_source`` is not one this build
    read (its previous rows were kept: the service or region failed, was not asked for, or
    no product priced that item).  Tables without price dates are listed whole.
    """
    by_region = table_ages(tables).drop(columns=["stale", "age_days"])
    by_region["carried_over"] = ~by_region["price_source"].isin(sorted(refreshed_sources))
    undated = {
        name: {"rows": int(len(df)), "carried_over": name in carried}
        for name, df in tables.items()
        if name not in PRICED_TABLES
    }
    return {
        "by_table_region": by_region.to_dict("records"),
        "undated_tables": undated,
        "failures": list(failures or []),
    }
