"""Base exceptions shared by the catalog and the recommender."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user supplied (a file, a field, an option).

    The CLI prints it on stderr without a traceback and exits 1; the API answers 422.
    """
