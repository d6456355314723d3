"""Source readers: each turns one family of source data into partial catalog tables.

Every reader returns a :class:`SourceResult`; ``catalog.build`` merges the results of all
readers, validates the merged tables against ``catalog.schema`` and writes the snapshot.
Readers are pure over their input files (no network, no writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from foundation.integrity import sha256_file


@dataclass(frozen=True)
class SourceRecord:
    """One source as the manifest lists it.

    ``id`` is the short id written in the ``price_source`` / ``spec_source`` columns.
    """

    id: str
    path: str  # relative to the data dir for local sources; API/URL for live ones
    origin: str  # e.g. "yeo/ec2.shop@74c9fd8a" or "AWS Price List API GetProducts"
    data_date: str  # ISO date (or datetime) of the data itself
    license: str = ""
    sha256: str | None = None
    rows: int | None = None
    notes: str = ""


def file_record(
    data_dir: Path, rel: Path, id_: str, origin: str, date: str, **kw: Any
) -> SourceRecord:
    """The manifest :class:`SourceRecord` of the local file ``data_dir / rel``, with its sha256.

    Parameters
    ----------
    data_dir : Path
        The data directory the build reads.
    rel : Path
        The file, relative to ``data_dir``; written to the manifest as a POSIX path.
    id_, origin, date : str
        The record's ``id``, ``origin`` and ``data_date``.
    **kw
        Further :class:`SourceRecord` fields (``license``, ``rows``, ``notes``).
    """
    return SourceRecord(
        id=id_,
        path=Path(rel).as_posix(),
        origin=origin,
        data_date=date,
        sha256=sha256_file(Path(data_dir) / rel),
        **kw,
    )


@dataclass
class SourceResult:
    """Partial tables (columns as in ``catalog.schema``) plus where they came from."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: list[SourceRecord] = field(default_factory=list)
    coverage_gaps: list[str] = field(default_factory=list)
    #: live refreshes: what failed, ``{"service", "region", "tables", "error"}`` each; the
    #: build keeps the previous rows of those tables and regions and the manifest lists them.
    failures: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: SourceResult) -> SourceResult:
        """Append ``other``'s tables (concatenated per table), sources and gaps to this one."""
        for name, df in other.tables.items():
            if name in self.tables:
                self.tables[name] = pd.concat([self.tables[name], df], ignore_index=True)
            else:
                self.tables[name] = df
        self.sources.extend(other.sources)
        self.coverage_gaps.extend(other.coverage_gaps)
        self.failures.extend(other.failures)
        return self
