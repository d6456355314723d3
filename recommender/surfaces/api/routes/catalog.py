"""``/v1/catalog``: the catalog's summary and the rows of its tables."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder

from catalog import TABLES
from recommender.core.profile import SCHEMA_VERSION
from recommender.surfaces.api.deps import CatalogDep
from recommender.surfaces.api.schemas import CatalogPage, CatalogSummary

TableKind = Literal[tuple(TABLES)]  # type: ignore[valid-type]
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


@router.get("/v1/catalog/{kind}", response_model=CatalogPage)
def read_catalog_table(
    kind: TableKind,
    catalog: CatalogDep,
    region: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="substring of the key")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CatalogPage:
    """Rows of one catalog table, filtered by region and key substring."""
    df = catalog.tables[kind]
    if region is not None and "region" in df.columns:
        df = df[df["region"] == region]
    if q:
        key = df.columns[0]
        df = df[df[key].astype(str).str.contains(q, case=False, regex=False)]
    page = df.iloc[offset : offset + limit]
    records = json.loads(page.to_json(orient="records", date_format="iso"))
    return CatalogPage(kind=kind, total=len(df), count=len(records), offset=offset,
                       data=records)
