"""The untouched test split of every model, fixed before any tuning (issue 10).

A group (a Lambda application, a workload group, a processor) goes to the *test* split when
the sha256 of ``"<model>:<group>"`` is 0 modulo :data:`TEST_MODULUS`.  The rule depends on
nothing but the group's name, so it was fixed before any model choice was made and it does
not move when a model or its features change.  Tuning (feature choices, priors, interval
widths) only ever looks at the *development* groups, through grouped cross-validation;
the test groups are scored once, by ``recommender train``, and reported apart on the card.
If the rule would leave a model with no test group, the group with the smallest hash is
taken, so every model has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: One group in four (in expectation) is kept for the untouched test.
TEST_MODULUS = 4


def _h(model: str, group: str) -> int:
    return int(hashlib.sha256(f"{model}:{group}".encode()).hexdigest(), 16)


def test_groups(model: str, groups: Iterable[str]) -> set[str]:
    """The groups of ``model`` that belong to the untouched test split.

    Parameters
    ----------
    model : str
        ``"lambda"``, ``"runtime"`` or ``"perf"``.
    groups : iterable of str
        Every group name of the model's data.

    Returns
    -------
    set of str
        The test groups (never empty when ``groups`` is not).
    """
    names = sorted({str(g) for g in groups})
    test = {g for g in names if _h(model, g) % TEST_MODULUS == 0}
    if not test and names:
        test = {min(names, key=lambda g: _h(model, g))}
    return test


def is_test(model: str, groups: Iterable[str]) -> list[bool]:
    """For each group name in order, whether it is in the test split."""
    names = [str(g) for g in groups]
    test = test_groups(model, names)
    return [g in test for g in names]
