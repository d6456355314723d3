"""The catalog prices behind each option, recorded in the response for a later review.

A saved response carries these rows (``prices``), so a review re-run months later diffs each
price exactly against today's catalog without the old catalog being present
(PERF05-BP06, https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/perf_process_culture_keep_workload_and_services_up_to_date.html).
Every figure is read from the catalog row the engine priced the option from (``ec2_prices``,
``ebs``, ``database``, ``unit_prices``); nothing is computed or typed here.  The same
look-up run on a newer catalog gives the current price of a saved row (:func:`current_price`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.derived_cache import TableColumns
from recommender.core.response import Option, PriceUsed, Recommendations
from recommender.rules.prices import per_catalog

if TYPE_CHECKING:
    import pandas as pd

#: EC2 purchase option -> ``ec2_prices`` columns holding its USD/h, first present wins.
_EC2_COLUMNS: dict[str, tuple[str, ...]] = {
    "on_demand": ("ondemand_usd_per_hour",),
    "spot": ("spot_usd_per_hour", "spot_usd_per_hour_est"),
    "reserved": ("reserved_1y_no_upfront_usd_per_hour",),
}
#: EBS price columns and their units.
_EBS_COLUMNS = (
    ("ebs.storage", "storage_usd_per_gb_month", "GB-month"),
    ("ebs.iops", "iops_usd_per_iops_month", "IOPS-month"),
    ("ebs.throughput", "throughput_usd_per_mibps_month", "MiBps-month"),
)
#: ``unit_prices`` items behind the usage-priced options (``{arch}``, ``{cls}`` filled in).
_UNIT_ITEMS: dict[str, tuple[str, ...]] = {
    "lambda": ("lambda.request{arm}", "lambda.duration.{arch}"),
    "fargate": ("fargate.vcpu_hour.{arch}", "fargate.gb_hour.{arch}"),
    "dynamodb.provisioned": ("dynamodb.provisioned.rcu_hour", "dynamodb.provisioned.wcu_hour",
                             "dynamodb.storage_gb_month"),
    "dynamodb.on_demand": ("dynamodb.on_demand.read_request_unit",
                           "dynamodb.on_demand.write_request_unit", "dynamodb.storage_gb_month"),
    "efs": ("efs.{cls}.storage_gb_month",),
    "s3": ("s3.{cls}.storage_gb_month", "s3.{cls}.put_request", "s3.{cls}.get_request"),
}
_NODE_SERVICES = ("rds", "aurora", "elasticache", "redshift", "opensearch")


def _is_pd_na(v: Any) -> bool:
    """``v is pd.NA``, without importing pandas (a cell can only be NA once it is loaded)."""
    pd = sys.modules.get("pandas")
    return pd is not None and v is pd.NA


def _num(v: Any) -> float | None:
    if v is None or _is_pd_na(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _text(v: Any) -> str | None:
    return None if v is None or _is_pd_na(v) or (isinstance(v, float) and math.isnan(v)) \
        else str(v)


def _rows(catalog: Any, table: str, keys: tuple[str, ...]) -> _RowIndex:
    """``table``'s rows by ``keys`` (indexed once per catalog; the first row wins).

    The table's columns are kept on disk with the catalog's derived indexes
    (:class:`~catalog.derived_cache.TableColumns`): a warm process reads no table for this.
    """
    name = f"{table}.{'.'.join(keys)}"
    return per_catalog(f"price_record.{name}", catalog, lambda c: _RowIndex(per_catalog(
        f"price_record_rows.{name}", c, lambda c2: row_table(getattr(c2, table, None), keys),
        persist=RowTable)))


@dataclass(frozen=True)
class RowTable:
    """A table's rows and its key columns as ``astype(str)`` gives them (storable)."""

    keys: TableColumns
    rows: TableColumns


def row_table(df: pd.DataFrame | None, keys: tuple[str, ...]) -> RowTable:
    """The :class:`RowTable` of frame ``df`` (None or empty: no rows)."""
    if df is None or df.empty:
        empty = TableColumns([], (), [])
        return RowTable(empty, empty)
    key_cols = df[list(keys)].astype(str)
    return RowTable(TableColumns.of_frame(key_cols, list(keys)), TableColumns.of_frame(df))


class _RowIndex:
    """Row positions by key, built from the key columns only (a full ``to_dict`` of the
    database table costs seconds; this costs milliseconds), rows read on demand."""

    def __init__(self, table: RowTable) -> None:
        self._rows = table.rows
        self._pos: dict[tuple[str, ...], int] = {}
        self._memo: dict[int, dict[str, Any]] = {}
        cols = [table.keys.column(k) for k in table.keys.names]
        for i, key in enumerate(zip(*cols, strict=True)):
            self._pos.setdefault(key, i)

    def get(self, key: tuple[str, ...]) -> dict[str, Any] | None:
        i = self._pos.get(key)
        if i is None:
            return None
        row = self._memo.get(i)
        if row is None:  # a row dict is built once: the same few options recur
            row = self._memo[i] = self._rows.records([i])[0]
        return row


def _record(category: str, o: Option, *, item: str, key: str, region: str,
            usd: float | None, unit: str, row: dict[str, Any]) -> PriceUsed | None:
    if usd is None:
        return None
    return PriceUsed(category=category, option=o.option, rank=o.rank, item=item, key=key,
                     region=region,
                     usd=usd, unit=unit, price_as_of=_text(row.get("price_as_of")),
                     price_source=_text(row.get("price_source")))


def _ec2(catalog: Any, category: str, o: Option, region: str) -> list[PriceUsed | None]:
    row = _rows(catalog, "ec2_prices", ("instance_type", "region")).get((o.option, region))
    if row is None:
        return []
    out = []
    for po in dict.fromkeys(("on_demand", o.purchase_option or "on_demand")):
        col = next((c for c in _EC2_COLUMNS.get(po, ()) if _num(row.get(c)) is not None), None)
        if col is not None:
            out.append(_record(category, o, item=f"ec2.{po}", key=o.option, region=region,
                               usd=_num(row[col]), unit="hour", row=row))
    return out


def _ebs(catalog: Any, category: str, o: Option, region: str) -> list[PriceUsed | None]:
    vtype = str(o.config.get("volume_type") or o.option)
    row = _rows(catalog, "ebs", ("volume_type", "region")).get((vtype, region))
    if row is None:
        return []
    return [_record(category, o, item=item, key=vtype, region=region,
                    usd=_num(row.get(col)), unit=unit, row=row)
            for item, col, unit in _EBS_COLUMNS]


def _node(catalog: Any, category: str, o: Option, region: str) -> list[PriceUsed | None]:
    service, _, engine = o.option.partition(":")
    cls = o.config.get("instance_class") or o.config.get("node_type")
    if not cls:
        return []
    rows = _rows(catalog, "database", ("service", "engine", "instance_class", "deployment",
                                       "region"))
    engine = engine or service
    deployment = str(o.config.get("deployment") or "")
    out: list[PriceUsed | None] = []
    # Nodes priced reserved (rules/database_reserved.py) record the reserved rate they used.
    po, col = (("reserved", "reserved_1y_no_upfront_usd_per_hour")
               if o.purchase_option == "reserved" else ("on_demand", "ondemand_usd_per_hour"))
    # A production OpenSearch domain's dedicated masters are priced from the same table,
    # under an item of their own (a review's monthly effect reads the nodes' item alone).
    for item, key in ((f"{service}.{po}", cls),
                      (f"{service}.dedicated_master_{po}",
                       o.config.get("dedicated_master_type"))):
        row = rows.get((service, engine, str(key), deployment, region)) if key else None
        if row is not None:
            out.append(_record(category, o, item=item, key=str(key), region=region,
                               usd=_num(row.get(col)), unit="hour", row=row))
    return out


def _unit_items(o: Option) -> tuple[str, ...]:
    arch = str(o.config.get("arch") or "x86_64")
    cls = str(o.config.get("storage_class") or "standard")
    if o.option == "dynamodb":
        group = f"dynamodb.{o.config.get('capacity_mode') or o.purchase_option or 'on_demand'}"
    else:
        group = o.option
    return tuple(t.format(arch=arch, cls=cls, arm=".arm64" if arch == "arm64" else "")
                 for t in _UNIT_ITEMS.get(group, ()))


def _unit(catalog: Any, category: str, o: Option, region: str) -> list[PriceUsed | None]:
    rows = _rows(catalog, "unit_prices", ("item", "region", "tier_start"))
    out = []
    for item in _unit_items(o):
        # The first tier's price: the marginal price of the first unit.
        row = rows.get((item, region, "0.0"))
        if row is not None:
            out.append(_record(category, o, item=item, key=item, region=region,
                               usd=_num(row.get("price_usd")), unit=str(row.get("unit") or ""),
                               row=row))
    return out


def option_prices(catalog: Any, category: str, o: Option, region: str) -> list[PriceUsed]:
    """The catalog prices of one option in ``region`` (empty when it has none there).

    Parameters
    ----------
    catalog : catalog.store.Catalog
        The catalog to read (the current one for a review).
    category : str
        The response category of the option.
    o : Option
        The option as in a response.
    region : str
        The region it is priced in.
    """
    if o.kind == "ec2":
        found = _ec2(catalog, category, o, region)
    elif o.kind == "ebs":
        found = _ebs(catalog, category, o, region)
    elif o.option.partition(":")[0] in _NODE_SERVICES:
        found = _node(catalog, category, o, region)
    else:
        found = _unit(catalog, category, o, region)
    return [p for p in found if p is not None]


#: The option fields :func:`option_prices` reads (with its category and region), and the
#: config keys among them: what a memoised answer is keyed by.
_CONFIG_KEYS = ("volume_type", "instance_class", "node_type", "deployment", "arch",
                "storage_class", "capacity_mode", "dedicated_master_type")
_MEMO_MAX = 8192


def _memo_key(category: str, o: Option, region: str) -> tuple[Any, ...] | None:
    """What :func:`option_prices` reads of ``o`` (None when a value cannot be a key).

    An EC2 option's prices are read by its type, purchase option and rank alone (``_ec2``
    reads no config) and an EBS option's by its volume type too (``_ebs``), so their keys
    leave the other config values out (shorter tuples: never equal to another kind's).
    """
    if o.kind == "ec2":
        return (category, "ec2", o.option, o.purchase_option, o.rank, region)
    if o.kind == "ebs":
        key: tuple[Any, ...] = (category, "ebs", o.option, o.purchase_option, o.rank, region,
                                o.config.get("volume_type"))
    else:
        key = (category, o.kind, o.option, o.purchase_option, o.rank, region,
               *(o.config.get(k) for k in _CONFIG_KEYS))
    try:
        hash(key)
    except TypeError:  # an unhashable config value: look it up every time
        return None
    return key


def prices_used(recs: Recommendations, catalog: Any, region: str) -> list[PriceUsed]:
    """The prices behind every compute, storage and database option of a response.

    The rows found for an option are remembered per catalog (the same options recur) and
    shared between responses, like reasons: a :class:`PriceUsed` is never changed once made.
    """
    memo: dict[tuple[Any, ...], list[PriceUsed]] = per_catalog(
        "price_record.prices_used", catalog, lambda c: {})
    out: list[PriceUsed] = []
    for category in ("compute", "storage", "database"):
        for o in getattr(recs, category):
            r = o.region or region
            key = _memo_key(category, o, r)
            rows = memo.get(key) if key is not None else None
            if rows is None:
                rows = option_prices(catalog, category, o, r)
                if key is not None and len(memo) < _MEMO_MAX:
                    memo[key] = rows
            out.extend(rows)
    return out


def current_price(catalog: Any, saved: PriceUsed, option: Option) -> float | None:
    """Today's price of a saved row (None when the catalog no longer has it)."""
    for p in option_prices(catalog, saved.category, option, saved.region):
        if p.item == saved.item and p.key == saved.key:
            return p.usd
    return None
