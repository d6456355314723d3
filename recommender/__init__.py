"""AWS resource-selection recommender."""

from __future__ import annotations

__all__: list[str] = []
