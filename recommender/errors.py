"""Domain exceptions of the recommender, with messages a user can act on."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user supplied (a file, a field, an option).

    The CLI prints it on stderr without a traceback and exits 1; the API answers 422.
    """


class ProfileError(UserError):
    """A workload profile breaks a rule; the message names the field and the rule."""


class ModelArtifactError(Exception):
    """A model artifact is missing, altered (hash mismatch) or from another library version."""
