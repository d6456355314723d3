"""Domain exceptions of the catalog, with messages a user can act on."""

from __future__ import annotations


class CatalogError(Exception):
    """Base class of catalog errors."""


class CatalogSchemaError(CatalogError):
    """A table does not match its declared schema (names the table, column and check)."""


class CatalogNotFoundError(CatalogError):
    """No snapshot at the given path."""


class SnapshotIntegrityError(CatalogError):
    """A snapshot file's hash differs from the one its manifest records."""


class BuildError(CatalogError):
    """A catalog build failed; the previous snapshot was left untouched."""
