"""The building blocks every profile section uses: ranges, percentages, the shared config.

A range accepts a number (a minimum) or ``{"min": .., "max": ..}`` and is always stored as
:class:`Range`.  Every model is strict (a string where a number belongs is refused, not
coerced), frozen (a profile is a value) and forbids unknown keys (a typo is refused rather
than silently ignored): :data:`PROFILE_CONFIG`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from recommender.core.predictions import REGION_REGEX

SCHEMA_VERSION: Final = "1"

#: AWS region code (see ``predictions.REGION_REGEX``); match with ``fullmatch``.
REGION_PATTERN = re.compile(REGION_REGEX, re.ASCII)
#: A profile's ``region``: a region code or ``auto``.
REGION_OR_AUTO_REGEX: Final = r"^(auto|" + REGION_REGEX[1:-1] + r")$"

#: Tolerance on ``network.user_regions`` shares summing to 1 (rounded shares are common).
SHARE_TOLERANCE = 0.01
#: Sanity ceilings: far beyond any real workload, low enough that the arithmetic over a month
#: (rates x 2.6 million seconds, sizes x prices) stays finite.  A larger number is refused
#: with the rule named rather than overflowing.
MAX_QUANTITY = 1e12
MAX_RATE = 1e9
#: Longest utilization series accepted (a year of one-minute samples).
MAX_SERIES = 527_040

PROFILE_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Range(BaseModel):
    """A closed interval in the unit of the field that holds it; either end may be absent.

    ``min`` must not exceed ``max`` (checked by the server: JSON Schema cannot compare two
    fields).
    """

    model_config = PROFILE_CONFIG

    min: float | None = Field(default=None, ge=0, le=MAX_QUANTITY, examples=[2], description=(
        "lower bound, inclusive, in the unit of the field (e.g. vCPUs); null: unbounded"))
    max: float | None = Field(default=None, ge=0, le=MAX_QUANTITY, examples=[8], description=(
        "upper bound, inclusive, at least `min`; null: unbounded"))

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range (absent ends do not constrain)."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


def _number_is_minimum(value: Any) -> Any:
    # The contract lets a bare number mean "at least this much".
    if isinstance(value, bool):
        return value  # refused by Range: True is not a quantity
    if isinstance(value, int | float):
        # A bare number is the minimum: refuse it at the field the user wrote, not at ".min".
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        if value < 0:
            raise ValueError("must be at least 0")
        return {"min": value}
    if not isinstance(value, dict | Range):
        # Name both accepted forms instead of pydantic's "a valid dictionary" message.
        raise ValueError(
            f"must be a number (the minimum) or {{'min': .., 'max': ..}}; got {value!r}"
        )
    return value


#: A range field: a number (minimum) or ``{"min", "max"}``.
RangeField = Annotated[
    Range,
    BeforeValidator(
        _number_is_minimum, json_schema_input_type=Annotated[float, Field(ge=0)] | Range
    ),
]

Pct = Annotated[float, Field(ge=0, le=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]


def optional(text: str, *examples: Any) -> Any:
    """A field of default ``None`` (absent: unknown, no constraint) with its description."""
    return Field(default=None, description=text, examples=list(examples) or None)

