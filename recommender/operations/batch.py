"""Review many saved responses at once: a folder of ``*.json`` or a JSON Lines file.

The saved profiles are re-run through the batch path (:func:`recommender.batch.recommend_many`,
in order, on every core), then each is compared with its saved response; the summary table
lists the saving per workload, largest first (PERF05-BP07, review metrics at regular
intervals; https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/process-and-culture.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from foundation.files import MAX_INPUT_BYTES, InputFileError, read_regular_text
from recommender.core.errors import UserError
from recommender.core.response import RecommendationResponse
from recommender.operations.findings import Review
from recommender.operations.review import compare, parse_saved

SUMMARY_COLUMNS = ["workload", "saving_usd_per_month", "saving_usd_per_year", "findings",
                   "top_change", "source"]


@dataclass(frozen=True)
class Saved:
    """One saved response and where it came from (a file, or a file and line)."""

    source: str
    response: RecommendationResponse


def read_saved(path: str | Path) -> list[Saved]:
    """Every saved response of a ``.json`` file, a ``.jsonl`` file or a folder of ``.json``.

    Raises
    ------
    UserError
        A missing path, an empty folder, or any bad file or line (all listed together).
    """
    p = Path(path)
    if not p.exists() and not p.is_symlink():  # a file or a folder may have been meant
        raise UserError(f"{p}: no such file or folder")
    if p.is_dir():
        items = [(str(f), _text(f)) for f in sorted(p.glob("*.json"))]
        if not items:
            raise UserError(f"{p}: no *.json saved responses in the folder")
    elif p.suffix == ".jsonl":
        items = [(f"{p} line {n}", line) for n, line in enumerate(_text(p).splitlines(), 1)
                 if line.strip()]
    else:
        items = [(str(p), _text(p))]
    return parse_many(items)


def _text(path: Path) -> str:
    """A saved response file's UTF-8 text: a regular file within the input limit.

    A binary file, a FIFO or device, a symlink loop or a missing path is a
    :class:`UserError` naming it (never an unexpected error, never a read without end).
    """
    try:
        return read_regular_text(path, what="saved response file", max_bytes=MAX_INPUT_BYTES)
    except InputFileError as exc:
        raise UserError(str(exc)) from None


def parse_many(items: Iterable[tuple[str, Any]]) -> list[Saved]:
    """Parse (source, JSON text or data) pairs; all bad ones are reported together."""
    out, problems = [], []
    for source, data in items:
        try:
            out.append(Saved(source, parse_saved(data, source)))
        except UserError as exc:
            problems.append(str(exc))
    if problems:
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise UserError("invalid saved responses:\n  " + "\n  ".join(problems[:10]) + more)
    if not out:
        raise UserError("no saved responses to review")
    return out


def review_many(saved: list[Saved], *, catalog: Any = None, models: Any = None,
                workers: int | None = 1) -> list[tuple[Saved, Review]]:
    """Review every saved response; the profiles are re-run through the batch path.

    Parameters
    ----------
    saved : list of Saved
        From :func:`read_saved` or :func:`parse_many`.
    catalog : catalog.store.Catalog, optional
        Today's catalog (the embedded snapshot by default).
    models : optional
        As for ``recommend()``.
    workers : int, optional
        Worker processes of the batch path (1: in this process; None: every core).
    """
    if catalog is None:
        from catalog.store import load_catalog

        catalog = load_catalog()
    from recommender.batch import recommend_many

    profiles = [s.response.profile for s in saved]
    answers = recommend_many(profiles, workers=workers, catalog=catalog, models=models)
    out = []
    for s, current in zip(saved, answers, strict=True):
        if not isinstance(current, RecommendationResponse):
            rules = "; ".join(f"{e.get('field')}: {e.get('rule')}"
                              for e in getattr(current, "errors", []))
            raise UserError(f"{s.source}: its saved profile no longer validates ({rules})")
        out.append((s, compare(s.response, current, catalog)))
    return out


def summary_frame(reviewed: list[tuple[Saved, Review]]) -> pd.DataFrame:
    """One row per workload: saving per month and year, findings, the top change; sorted."""
    rows = [{**r.summary_row(), "source": s.source} for s, r in reviewed]
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return df.sort_values(["saving_usd_per_month", "workload"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)


def to_jsonl(reviewed: list[tuple[Saved, Review]]) -> str:
    """One review per line (JSON), each with its ``source``."""
    return "".join(json.dumps({"source": s.source, **r.model_dump(mode="json")}) + "\n"
                   for s, r in reviewed)
