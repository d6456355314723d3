"""AWS resource-selection recommender: ranked, priced choices with reasons."""

from __future__ import annotations

from recommender.core.engine import recommend
from recommender.core.errors import ProfileError
from recommender.core.profile import WorkloadProfile, parse_profile, profile_errors
from recommender.core.response import Option, Reason, RecommendationResponse

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
