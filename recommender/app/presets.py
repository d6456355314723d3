"""The workload presets, as the app and the notebooks name them.

The data lives in :mod:`recommender.presets` (a module the CLI and the API may import too);
this module re-exports it.
"""

from __future__ import annotations

from recommender.presets import (
    EXAMPLE_LAMBDA_REQUEST,
    EXAMPLE_RUNTIME_REQUEST,
    PRESET_LABELS,
    get_preset,
    preset_names,
)

__all__ = ["EXAMPLE_LAMBDA_REQUEST", "EXAMPLE_RUNTIME_REQUEST", "PRESET_LABELS", "get_preset",
           "preset_names"]
