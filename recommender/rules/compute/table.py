"""The EC2 candidate table of one recommendation, which every compute stage reads and narrows.

It lives apart from :mod:`~recommender.rules.compute.select` (the stages) so the option
builders in :mod:`~recommender.rules.compute.options` can name it without importing the
pipeline that calls them (no import circle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    text, so a stage registers one function for its rows and the sentence is written when
    asked; ``notes[i] = text`` still records a sentence written at once.
    """

    def __init__(self) -> None:
        self._why: dict[int, Callable[[int], str]] = {}

    def add(self, rows: Iterable[int], why: Callable[[int], str]) -> None:
        """Rows dropped for the reason ``why(i)`` says."""
        self._why.update(dict.fromkeys(rows, why))

    def __setitem__(self, i: int, text: str) -> None:
        self._why[i] = lambda _i: text

    def __getitem__(self, i: int) -> str:
        return self._why[i](i)

    def __contains__(self, i: object) -> bool:
        return i in self._why

    def __len__(self) -> int:
        return len(self._why)


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
    family_min: dict[str, float] = field(default_factory=dict)
    #: What the options of this one recommendation share (e.g. the scaling plan's target).
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    #: Each type's constant option facts once read (explain.facts_memo: kept on the catalog).
    type_memo: FactsMemo = field(default_factory=list)
