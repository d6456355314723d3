"""Read the output of AWS Lambda Power Tuning as measured memory sizes.

The state machine's output (alexcasalboni/aws-lambda-power-tuning, README-INPUT-OUTPUT.md,
"State Machine Output") is ``{"results": {"power", "cost", "duration", "stateMachine":
{"visualization": "https://lambda-power-tuning.show/#<sizes>;<durations>;<costs>"},
"stats": [{"value", "averageDuration", "averagePrice"}, ...]}}``.  ``stats`` is present
only with ``includeOutputResults``; the visualization hash always carries the same averages,
base64-encoded: sizes as little-endian uint16, durations and costs as little-endian float32.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

from recommender.core.errors import UserError


def _decode(part: str, fmt: str, size: int) -> list[float]:
    raw = base64.b64decode(part + "=" * (-len(part) % 4))
    if len(raw) % size:
        raise ValueError("length is not a multiple of the item size")
    return [v[0] for v in struct.iter_unpack(fmt, raw)]


def _from_visualization(url: str) -> list[tuple[int, float]]:
    try:
        sizes_b64, durations_b64, *_ = url.split("#", 1)[1].split(";")
        sizes = [int(v) for v in _decode(sizes_b64, "<H", 2)]
        durations = _decode(durations_b64, "<f", 4)
    except (IndexError, ValueError, struct.error) as exc:
        raise UserError(
            f"power_tuning.results.stateMachine.visualization: not a Power Tuning URL ({exc})"
        ) from exc
    if len(sizes) != len(durations):
        raise UserError("power_tuning visualization: sizes and durations differ in number")
    return list(zip(sizes, durations, strict=True))


def power_tuning_measurements(output: dict[str, Any]) -> list[dict[str, float]]:
    """One ``{"memory_mb", "duration_ms"}`` per size tested by Power Tuning.

    Accepts the whole output (``{"results": ...}``) or its ``results`` object.

    Raises
    ------
    recommender.core.errors.UserError
        Neither ``stats`` nor a decodable visualization URL is present.
    """
    res = output.get("results", output)
    if not isinstance(res, dict):
        raise UserError("power_tuning.results must be an object")
    pairs: list[tuple[int, float]] = []
    stats = res.get("stats")
    if isinstance(stats, list) and stats:
        for i, s in enumerate(stats):
            try:
                pairs.append((int(s["value"]), float(s["averageDuration"])))
            except (KeyError, TypeError, ValueError) as exc:
                raise UserError(
                    f"power_tuning.results.stats.{i}: needs numeric value and averageDuration"
                ) from exc
    else:
        url = (res.get("stateMachine") or {}).get("visualization")
        if not isinstance(url, str):
            raise UserError(
                "power_tuning: no results.stats and no results.stateMachine.visualization; "
                "run Power Tuning with includeOutputResults or pass its output unchanged"
            )
        pairs = _from_visualization(url)
    out = [{"memory_mb": m, "duration_ms": d} for m, d in pairs if d > 0]
    if not out:
        raise UserError("power_tuning: no tested size has a positive duration")
    return out
