"""``/v1/catalog``: the catalog's summary and the rows of its tables."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder

from catalog import TABLES
from catalog.naming import natural_order
from recommender.core.errors import UserError
from recommender.core.profile import REGION_PATTERN, SCHEMA_VERSION, make_profile_error
from recommender.surfaces.api.deps import CatalogDep
from recommender.surfaces.api.schemas import CatalogPage, CatalogSummary
from recommender.surfaces.cli.tables import join_prices

if TYPE_CHECKING:
    # The table names are only known at run time (catalog.TABLES); FastAPI reads the Literal
    # below to validate and document the path parameter, the type checker sees a str.
    TableKind = str
else:
    TableKind = Literal[tuple(TABLES)]
router = APIRouter(tags=["catalog"])


@router.get("/v1/catalog", response_model=CatalogSummary)
def read_catalog(catalog: CatalogDep) -> CatalogSummary:
    """The catalog's version, date, regions, tables and sources."""
    m = catalog.manifest
    return CatalogSummary(
        version=catalog.version,
        generated_at=catalog.generated_at,
        schema_version=str(m.get("schema_version", SCHEMA_VERSION)),
        regions=catalog.regions,
        row_counts={k: int(len(v)) for k, v in catalog.tables.items()},
        tables=list(catalog.tables),
        sources=jsonable_encoder(m.get("sources")),
    )


#: Range parameters: ``(query name, column, bound)``; each filters only when given.
_RANGES = (
    ("vcpus_min", "vcpus", "min"), ("vcpus_max", "vcpus", "max"),
    ("memory_gib_min", "memory_gib", "min"), ("memory_gib_max", "memory_gib", "max"),
    ("gpus_min", "gpus", "min"), ("gpus_max", "gpus", "max"),
    ("network_gbps_min", "network_baseline_gbps", "min"),
    ("max_price", "ondemand_usd_per_hour", "max"),
)

#: The range query parameters, each with its unit.
VcpusMin = Annotated[float | None, Query(ge=0, le=1e9, description="fewest vCPUs")]
VcpusMax = Annotated[float | None, Query(ge=0, le=1e9, description="most vCPUs")]
MemMin = Annotated[float | None, Query(ge=0, le=1e9, description="least memory, GiB")]
MemMax = Annotated[float | None, Query(ge=0, le=1e9, description="most memory, GiB")]
GpusMin = Annotated[float | None, Query(ge=0, le=1e9, description="fewest GPUs")]
GpusMax = Annotated[float | None, Query(ge=0, le=1e9, description="most GPUs")]


def _refuse(field: str, rule: str) -> UserError:
    return make_profile_error([{"field": field, "rule": rule}])


def _check_region(region: str, catalog: Any) -> None:
    if not REGION_PATTERN.fullmatch(region):
        raise _refuse("region", f"not an AWS region code (e.g. us-east-1): {region[:40]!r}")
    known = set(catalog.regions)
    if known and region not in known:
        raise _refuse("region", f"{region!r} is not a priced region; priced regions: "
                      + ", ".join(sorted(known)))


def _apply_ranges(df: pd.DataFrame, kind: str, bounds: dict[str, float | None]) -> pd.DataFrame:
    for name, column, end in _RANGES:
        value = bounds.get(name)
        if value is None:
            continue
        if column not in df.columns:
            hint = " (ec2: pass region and prices=true)" if column.startswith("ondemand") else ""
            raise _refuse(name, f"table {kind!r} has no column {column!r}{hint}")
        keep = df[column] >= value if end == "min" else df[column] <= value
        df = df[keep.fillna(False)]
    return df


def _sorted(df: pd.DataFrame, sort: str | None, order: str) -> pd.DataFrame:
    if sort is None:
        return natural_order(df) if "instance_type" in df.columns else df
    if sort not in df.columns:
        # A price column is there only once the prices are joined: say how, first.
        hint = (" (a price column: pass region and prices=true)"
                if sort.startswith(("ondemand", "spot", "reserved")) else "")
        raise _refuse("sort", f"not a column of this table{hint}; columns: "
                              f"{', '.join(df.columns)}")
    base = natural_order(df) if "instance_type" in df.columns else df
    return base.sort_values(sort, ascending=order == "asc", kind="stable", na_position="last")


@router.get("/v1/catalog/{kind}", response_model=CatalogPage,
            openapi_extra={"x-example": "/v1/catalog/ec2?region=us-east-1&prices=true&"
                           "vcpus_min=4&memory_gib_max=16&sort=ondemand_usd_per_hour"})
def read_catalog_table(
    kind: Annotated[TableKind, Path(description=(
        "the table, e.g. ec2, ec2_prices, ebs, database (GET /v1/catalog lists them)"))],
    catalog: CatalogDep,
    *,  # each query parameter is one documented filter, passed by name
    region: Annotated[str | None, Query(max_length=40, description=(
        "AWS region code, e.g. us-east-1; a code that is not a priced region is a 422"))] = None,
    q: Annotated[str | None, Query(max_length=100, description="substring of the key")] = None,
    prices: Annotated[bool, Query(description=(
        "ec2 only: join the region's prices (on-demand, spot estimate, reserved) to the "
        "specs; needs region"))] = False,
    vcpus_min: VcpusMin = None, vcpus_max: VcpusMax = None,
    memory_gib_min: MemMin = None, memory_gib_max: MemMax = None,
    gpus_min: GpusMin = None, gpus_max: GpusMax = None,
    network_gbps_min: Annotated[float | None, Query(ge=0, le=1e9, description=(
        "minimum baseline network bandwidth, Gbps"))] = None,
    max_price: Annotated[float | None, Query(ge=0, le=1e9, description=(
        "maximum on-demand price, USD per hour"))] = None,
    sort: Annotated[str | None, Query(max_length=60, description=(
        "column to sort by, e.g. ondemand_usd_per_hour (default: instance types in size "
        "order)"))] = None,
    order: Annotated[Literal["asc", "desc"], Query(description="sort direction")] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000, description="rows per page")] = 100,
    offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
) -> CatalogPage:
    """Rows of one catalog table: region, key substring, range filters, sort and a page.

    Example: ``/v1/catalog/ec2?region=us-east-1&prices=true&vcpus_min=4&memory_gib_max=16&
    sort=ondemand_usd_per_hour`` lists the 4+ vCPU, at most 16 GiB types with their prices
    in us-east-1, cheapest first.
    """
    df = catalog.tables[kind]
    if region is not None:
        _check_region(region, catalog)
    if prices:
        if kind != "ec2" or region is None:
            raise _refuse("prices", "joins EC2 prices: use it with kind ec2 and a region")
        df = join_prices(df, catalog.tables["ec2_prices"], region)
    elif region is not None and "region" in df.columns:
        df = df[df["region"] == region]
    if q:
        key = df.columns[0]
        df = df[df[key].astype(str).str.contains(q, case=False, regex=False)]
    df = _apply_ranges(df, kind, {
        "vcpus_min": vcpus_min, "vcpus_max": vcpus_max, "memory_gib_min": memory_gib_min,
        "memory_gib_max": memory_gib_max, "gpus_min": gpus_min, "gpus_max": gpus_max,
        "network_gbps_min": network_gbps_min, "max_price": max_price})
    df = _sorted(df, sort, order)
    page = df.iloc[offset : offset + limit]
    records = json.loads(page.to_json(orient="records", date_format="iso"))
    return CatalogPage(kind=kind, total=len(df), count=len(records), offset=offset,
                       data=records)
