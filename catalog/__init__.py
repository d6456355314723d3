"""The catalog of AWS options and prices: typed, validated tables from an offline snapshot.

>>> from catalog import load_catalog
>>> cat = load_catalog()
>>> cat.ec2.loc[cat.ec2.instance_type == "m5.large", "vcpus"].item()
2
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.declared import SCHEMA_VERSION
from catalog.errors import (
    BuildError,
    CatalogError,
    CatalogNotFoundError,
    CatalogSchemaError,
    SnapshotIntegrityError,
)
from catalog.store import DEFAULT_SNAPSHOT_DIR, Catalog, load_catalog, read_manifest

if TYPE_CHECKING:
    from catalog.schema import TABLES, validate_table


def __getattr__(name: str) -> Any:
    """``TABLES`` and ``validate_table`` on first use (PEP 562): they import pandera, which
    costs a CLI process about 0.3 s, and reading a snapshot checked before needs neither."""
    if name in ("TABLES", "validate_table"):
        from catalog import schema

        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
