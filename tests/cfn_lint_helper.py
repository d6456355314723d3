"""cfn-lint, imported on first use.

Importing cfn-lint pulls jsonschema's format checkers, and ``rfc3987_syntax`` builds its
grammar at import: 5-11 s on a 2-core machine. At module level in a test file that cost is paid
at collection by every xdist worker, even in a run that selects no export test; here it is paid
once, by the process that lints a template.
"""

from __future__ import annotations

from typing import Any


def cfn_lint(text: str, regions: tuple[str, ...] = ("us-east-1",)) -> list[Any]:
    """Every cfn-lint match (errors, warnings, informational) for the template ``text``."""
    from cfnlint.api import ManualArgs, lint

    return list(lint(text, config=ManualArgs(regions=list(regions))))
