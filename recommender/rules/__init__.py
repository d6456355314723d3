"""Rules of the recommender, one module per category.

Each rule is one pure function returning a score in [0, 1] (a number, or an array over the
candidates) and a :class:`~recommender.core.response.Reason` naming the Well-Architected
Performance pillar best practice it serves.  Filters (hard constraints) live in
:mod:`recommender.rules.compute.candidates` and count every rejection by reason.
"""

from __future__ import annotations
