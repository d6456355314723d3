"""AWS resource-selection recommender: ranked, priced choices with reasons.

The public names are imported on first use (PEP 562): ``python -m recommender COMMAND`` runs
this file before the CLI reads its arguments, and a command that does not recommend
(``catalog info``, ``train``, ``--help``) should not pay for the engine and its rules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recommender.core.engine import recommend
    from recommender.core.errors import ProfileError
    from recommender.core.profile import WorkloadProfile, parse_profile, profile_errors
    from recommender.core.response import Option, Reason, RecommendationResponse

#: Public name -> the module that defines it.
_EXPORTS = {
    "recommend": "recommender.core.engine",
    "ProfileError": "recommender.core.errors",
    "WorkloadProfile": "recommender.core.profile",
    "parse_profile": "recommender.core.profile",
    "profile_errors": "recommender.core.profile",
    "Option": "recommender.core.response",
    "Reason": "recommender.core.response",
    "RecommendationResponse": "recommender.core.response",
}

__all__ = [
    "Option",
    "ProfileError",
    "Reason",
    "RecommendationResponse",
    "WorkloadProfile",
    "parse_profile",
    "profile_errors",
    "recommend",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
