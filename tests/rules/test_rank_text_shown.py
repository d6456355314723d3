"""A shown option's rank reason leads with the rank it is shown at.

Compute shows one size per family, so the shown list skips ranked rows: before, the reason
said the row's place among every size ranked ("Rank 7 by objective performance" on the
option shown at rank 6; 202 options over 638 golden, preset and generated profiles).
"""

from __future__ import annotations

import re

from recommender.core.engine import recommend
from recommender.presets import get_preset


def test_hpc_preset_rank_texts_match_the_ranks_shown() -> None:
    p = get_preset("hpc")
    p["top_n"] = 8
    opts = recommend(p, models=False).options("compute")
    seen = []
    for o in opts:
        text = next(x.text for x in o.reasons if x.rule == "rank.objective")
        m = re.match(r"Rank (\d+)( \(position (\d+) among all sizes ranked)?", text)
        assert m is not None, text
        assert int(m.group(1)) == o.rank, text
        seen.append(None if m.group(3) is None else int(m.group(3)))
    # The eight shown hold nine ranked rows (another size of a shown family ranks 6th), so
    # the last three name their place among all sizes, one below their shown rank.
    assert seen[:5] == [None] * 5
    assert seen[5:] == [7, 8, 9]
