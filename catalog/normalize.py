"""Pure per-value normalizers for the catalog sources.

Each function turns one source string into a typed value and nothing else: no I/O, no
lookups.  A value the function cannot read is either ``None`` (for fields where the source
legitimately holds words, such as "Moderate" network performance) or a ``ValueError`` naming
the value and the rule (for fields that must be numbers, such as prices).  Range checks
(no zero or negative prices...) belong to ``catalog.schema``, not here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+"
_MEMORY = re.compile(rf"^\s*({_NUMBER})\s*(TiB|GiB|MiB|TB|GB|MB)?\s*$", re.IGNORECASE)
_NETWORK = re.compile(
    rf"^\s*(up\s+to\s+)?(?:(\d+)\s*x\s+)?({_NUMBER})\s*(gigabit|gbps|megabit|mbps)\s*$",
    re.IGNORECASE,
)
_FIRST_NUMBER = re.compile(_NUMBER)

# Binary memory units (what AWS means by GiB/MiB); decimal GB/TB are converted exactly.
_TO_GIB = {
    "tib": 1024.0,
    "gib": 1.0,
    "mib": 1.0 / 1024,
    "tb": 1e12 / 2**30,
    "gb": 1e9 / 2**30,
    "mb": 1e6 / 2**30,
}


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def parse_memory_gib(value: str | float | int | None) -> float | None:
    """Read a memory size such as ``"8 GiB"``, ``"0.5 GiB"`` or ``"1,952 GiB"`` as GiB.

    A bare number is taken as GiB (the pricing feeds' unit).  ``None``, ``""`` and ``"NA"``
    give ``None``.

    Raises
    ------
    ValueError
        When the text is neither empty nor a number with a known unit.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    if text.upper() in {"", "NA", "N/A"}:
        return None
    m = _MEMORY.match(text)
    if not m:
        raise ValueError(f"memory {value!r}: expected a number with GiB/MiB/TiB/GB, e.g. '8 GiB'")
    unit = (m.group(2) or "GiB").lower()
    return _to_float(m.group(1)) * _TO_GIB[unit]


def mib_to_gib(mib: float | int | None) -> float | None:
    """MiB to GiB (``None`` stays ``None``)."""
    return None if mib is None else float(mib) / 1024.0


def gb_to_gib(gb: float | int | None) -> float | None:
    """Decimal gigabytes (as DescribeInstanceTypes ``SizeInGB``) to GiB."""
    return None if gb is None else float(gb) * 1e9 / 2**30


def parse_network_gbps(value: str | None) -> float | None:
    """Read a network performance string as Gbit/s.

    ``"25 Gigabit"`` -> 25.0, ``"Up to 12.5 Gigabit"`` -> 12.5 (the burst ceiling),
    ``"4x 100 Gigabit"`` -> 400.0, ``"100 Megabit"`` -> 0.1.  Qualitative ratings
    (``"Moderate"``, ``"High"``, ``"Low to Moderate"``) have no number, so ``None``.
    """
    if value is None:
        return None
    m = _NETWORK.match(value)
    if not m:
        return None
    count = int(m.group(2)) if m.group(2) else 1
    gbps = _to_float(m.group(3)) * count
    return gbps / 1000.0 if m.group(4).lower() in {"megabit", "mbps"} else gbps


def network_is_burst(value: str | None) -> bool:
    """True when the string describes a burst ceiling ("Up to ...") rather than a sustained rate."""
    return value is not None and value.strip().lower().startswith("up to")


def split_instance_type(instance_type: str) -> tuple[str, str]:
    """Split an instance type into (family, size) at its first dot.

    >>> split_instance_type("u7i-12tb.224xlarge")
    ('u7i-12tb', '224xlarge')

    Raises
    ------
    ValueError
        When the type has no dot or an empty part (``"m5"``, ``".large"``).
    """
    family, sep, size = instance_type.strip().partition(".")
    if not sep or not family or not size:
        raise ValueError(f"instance type {instance_type!r}: expected '<family>.<size>'")
    return family, size


def is_metal(instance_type: str) -> bool:
    """True for bare-metal sizes (``metal``, ``metal-24xl``...)."""
    return split_instance_type(instance_type)[1].startswith("metal")


def to_iso_date(value: str | date | datetime) -> str:
    """An ISO date ``YYYY-MM-DD`` from an ISO datetime, ``YYYYMMDD`` or ISO date.

    >>> to_iso_date("2025-04-04T22:41:22Z")
    '2025-04-04'

    Raises
    ------
    ValueError
        When the value is not a recognizable date.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", text)
    if not m:
        raise ValueError(f"date {value!r}: expected ISO 'YYYY-MM-DD[THH:MM:SSZ]' or 'YYYYMMDD'")
    try:
        return date.fromisoformat(m.group(1)).isoformat()
    except ValueError as exc:
        raise ValueError(f"date {value!r}: not a calendar date ({exc})") from exc


def parse_price(value: str | float | int) -> float:
    """A price string from a feed (``"0.0960000000"``) as a float.

    Zero and negative values are returned as they are: rejecting them is the schema's job,
    so that the build can report them by table and column.

    Raises
    ------
    ValueError
        When the value is not a plain decimal number.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if not re.fullmatch(_NUMBER, text):
        raise ValueError(f"price {value!r}: expected a decimal number such as '0.0960000000'")
    return _to_float(text)


def first_number(value: str | float | None) -> float | None:
    """The first number in a free-text cell (``"0.005 (above 3000)"`` -> 0.005), else ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = _FIRST_NUMBER.search(value)
    return _to_float(m.group(0)) if m else None


def range_max(value: str | float | None) -> float | None:
    """The upper end of a range cell (``"40-200"`` -> 200), or its single number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = re.match(rf"^\s*({_NUMBER})\s*-\s*({_NUMBER})", value)
    if m:
        return _to_float(m.group(2))
    return first_number(value)


def minimum_in_text(value: str | float | None) -> float | None:
    """A minimum stated in a cell: ``"provisioned (100 min)"`` / ``"... (min 100)"`` -> 100.

    A plain number is its own minimum; text with no stated minimum gives ``None``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = re.search(rf"\(\s*(?:min\s+({_NUMBER})|({_NUMBER})\s+min)\s*\)", value, re.IGNORECASE)
    if m:
        return _to_float(m.group(1) or m.group(2))
    if re.fullmatch(rf"\s*({_NUMBER})\s*", value):
        return _to_float(value)
    return None


def per_tib_rate(value: str | None) -> float | None:
    """The MiB/s-per-TiB rate in a cell (``"burst 250 MiB/s per TiB"`` -> 250), else ``None``."""
    if not isinstance(value, str):
        return None
    m = re.search(rf"({_NUMBER})\s*MiB/s\s+per\s+TiB", value, re.IGNORECASE)
    return _to_float(m.group(1)) if m else None


def parse_tiers(value: str | None) -> list[tuple[float, float | None]]:
    """Tiered prices in a cell as ``[(price, upper_bound or None), ...]`` in order.

    ``"tiered: 0.065 (<=32000); 0.0455 (32001-64000); 0.032 (>64000)"`` ->
    ``[(0.065, 32000.0), (0.0455, 64000.0), (0.032, None)]``.  A cell without tiers gives
    ``[]``.

    Raises
    ------
    ValueError
        When a tier's bounds cannot be read.
    """
    if not isinstance(value, str) or "tier" not in value.lower():
        return []
    tiers: list[tuple[float, float | None]] = []
    for part in value.split(":", 1)[-1].split(";"):
        m = re.match(rf"^\s*({_NUMBER})\s*\(([^)]*)\)\s*$", part)
        if not m:
            raise ValueError(f"tier {part!r} in {value!r}: expected 'PRICE (BOUNDS)'")
        bounds = m.group(2).replace(" ", "")
        upper: float | None
        if bounds.startswith(">"):
            upper = None
        elif bounds.startswith("<="):
            upper = _to_float(bounds[2:])
        elif "-" in bounds:
            upper = _to_float(bounds.split("-", 1)[1])
        else:
            raise ValueError(f"tier bounds {bounds!r} in {value!r}: expected <=N, A-B or >N")
        tiers.append((_to_float(m.group(1)), upper))
    return tiers
