"""The catalog of AWS options and prices: typed, validated tables from an offline snapshot.

>>> from catalog import load_catalog
>>> cat = load_catalog()
>>> cat.ec2.loc[cat.ec2.instance_type == "m5.large", "vcpus"].item()
2
"""

from __future__ import annotations

from catalog.errors import (
    BuildError,
    CatalogError,
    CatalogNotFoundError,
    CatalogSchemaError,
    SnapshotIntegrityError,
)
from catalog.schema import SCHEMA_VERSION, TABLES, validate_table
from catalog.store import DEFAULT_SNAPSHOT_DIR, Catalog, load_catalog, read_manifest

__all__ = [
    "BuildError",
    "Catalog",
    "CatalogError",
    "CatalogNotFoundError",
    "CatalogSchemaError",
    "DEFAULT_SNAPSHOT_DIR",
    "SCHEMA_VERSION",
    "SnapshotIntegrityError",
    "TABLES",
    "load_catalog",
    "read_manifest",
    "validate_table",
]
