"""AWS resource-selection recommender: ranked, priced choices with reasons."""

from __future__ import annotations

from recommender.engine import recommend
from recommender.errors import ProfileError
from recommender.profile import WorkloadProfile, parse_profile, profile_errors
from recommender.response import Option, Reason, RecommendationResponse

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
