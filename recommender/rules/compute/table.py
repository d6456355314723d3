"""The EC2 candidate table of one recommendation, which every compute stage reads and narrows.

It lives apart from :mod:`~recommender.rules.compute.select` (the stages) so the option
builders in :mod:`~recommender.rules.compute.options` can name it without importing the
pipeline that calls them (no import circle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.rules.compute import sizing as cr
from recommender.rules.compute.burst import BurstVerdict
from recommender.rules.compute.candidates import Ec2Index, FilterContext, FilterResult
from recommender.rules.compute.explain import FactsMemo
from recommender.rules.compute.purchase import Pricing


class DropNotes:
    """Why each type passing the filters was dropped by a later stage (fleet, burst).

    A stage drops hundreds of rows at a time, and only a "why not X" question reads the
    text, so a stage registers one function for its rows (kept as the array it gave, not
    one entry per row) and the sentence is written when asked; ``notes[i] = text`` still
    records a sentence written at once.  A row noted twice says the latest note.
    """

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, Callable[[int], str]]] = []

    def add(self, rows: Iterable[int] | np.ndarray, why: Callable[[int], str]) -> None:
        """Rows dropped for the reason ``why(i)`` says."""
        rows = np.asarray(rows if isinstance(rows, np.ndarray) else list(rows), dtype=np.intp)
        if len(rows):
            self._parts.append((rows, why))

    def __setitem__(self, i: int, text: str) -> None:
        self._parts.append((np.array([i], dtype=np.intp), lambda _i: text))

    def _why(self, i: object) -> Callable[[int], str] | None:
        if not isinstance(i, int | np.integer):
            return None
        for rows, why in reversed(self._parts):  # the latest note of a row wins
            if (rows == i).any():
                found: Callable[[int], str] = why
                return found
        return None

    def __getitem__(self, i: int) -> str:
        why = self._why(i)
        if why is None:
            raise KeyError(i)
        return why(i)

    def __contains__(self, i: object) -> bool:
        return self._why(i) is not None

    def __len__(self) -> int:
        return len(np.unique(np.concatenate([r for r, _ in self._parts]))) if self._parts else 0


@dataclass
class Ec2Table:
    """The EC2 candidates of one recommendation: per-type arrays aligned with the index."""

    ix: Ec2Index
    r: int
    need: cr.ComputeNeed
    pricing: Pricing
    count: np.ndarray
    eff: np.ndarray  # vCPUs per node in the need's units
    cost: np.ndarray  # monthly USD (burst surplus added by the burst stage)
    alive: np.ndarray
    ctx: FilterContext
    filters: FilterResult
    #: Why a type passing the filters was dropped by a later stage (fleet, burst).
    dropped: DropNotes = field(default_factory=DropNotes)
    burst: dict[int, BurstVerdict] = field(default_factory=dict)
    family_min: Mapping[str, float] = field(default_factory=dict)
    #: What the options of this one recommendation share (e.g. the scaling plan's target).
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    #: Each type's constant option facts once read (explain.facts_memo: kept on the catalog).
    type_memo: FactsMemo = field(default_factory=list)
    #: perf_index per vCPU of ``compute.measured_on`` (None without it): the utilization was
    #: measured in that type's vCPUs, so a burstable type's credits convert it to its own.
    ref_speed: float | None = None
