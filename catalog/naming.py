"""EC2 instance type names: the family and size parts, and their natural order.

``m5.2xlarge`` sorts before ``m5.12xlarge`` (and ``large`` before ``xlarge``) when sizes are
ordered by capacity rather than as text.  The size words follow the EC2 naming convention
(https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html): ``nano`` <
``micro`` < ``small`` < ``medium`` < ``large`` < ``xlarge`` < ``Nxlarge``; ``metal`` (and
``metal-Nxl``) after every virtualized size.
"""

from __future__ import annotations

import re

import pandas as pd

_WORDS = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 8}
_NX = re.compile(r"^(\d+)xlarge$")
_METAL = re.compile(r"^metal(?:-(\d+)xl)?$")


def size_rank(size: str) -> float:
    """A number that orders size words by capacity (``2xlarge`` = 16 < ``12xlarge`` = 96).

    ``xlarge`` counts 8 and ``Nxlarge`` counts 8 N, so the rank grows with the size; unknown
    words rank last (infinity) rather than failing.
    """
    s = size.strip().lower()
    if s in _WORDS:
        return float(_WORDS[s])
    if m := _NX.match(s):
        return 8.0 * int(m[1])
    if m := _METAL.match(s):
        return 1e6 + (int(m[1]) if m[1] else 0)
    return float("inf")


def type_sort_key(instance_type: str) -> tuple[str, float, str]:
    """Sort key of an instance type: family as text, then the size by capacity."""
    family, _, size = str(instance_type).partition(".")
    return family, size_rank(size), str(instance_type)


def natural_order(df: pd.DataFrame, column: str = "instance_type") -> pd.DataFrame:
    """``df`` sorted by ``column`` in natural instance-type order (stable for ties)."""
    if df.empty or column not in df.columns:
        return df
    keys = df[column].map(type_sort_key)
    return df.iloc[sorted(range(len(df)), key=lambda i: keys.iloc[i])]
