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

if TYPE_CHECKING:
    from catalog.schema import TABLES, validate_table
    from catalog.store import DEFAULT_SNAPSHOT_DIR, Catalog, load_catalog, read_manifest

#: Names imported on first use (PEP 562): the schema imports pandera (about 0.3 s, and a
#: snapshot checked before never needs it), the store imports pandas; ``catalog.errors``
#: alone (what the CLI's dispatcher needs) should cost neither.
_LAZY = {"TABLES": "catalog.schema", "validate_table": "catalog.schema",
         "DEFAULT_SNAPSHOT_DIR": "catalog.store", "Catalog": "catalog.store",
         "load_catalog": "catalog.store", "read_manifest": "catalog.store"}


def __getattr__(name: str) -> Any:
    """A name of :data:`_LAZY`, imported from its module when first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


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
