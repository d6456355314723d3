"""Domain exceptions of the recommender, with messages a user can act on."""

from __future__ import annotations

from foundation.errors import UserError

__all__ = ["ModelArtifactError", "ProfileError", "UserError"]


class ProfileError(UserError):
    """A workload profile breaks a rule; the message names the field and the rule."""


class ModelArtifactError(Exception):
    """A model artifact is missing, altered (hash mismatch) or from another library version."""
