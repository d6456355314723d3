""""Why not X?" for compute: the first constraint X fails, or its cost and risk against #1.

The answer reads the same table that filtered and ranked the candidates: a rejected type is
answered by the sentence of the hard constraint it failed first (each filter returns that
sentence with its mask), a later stage's drop by that stage's note, and an admitted type by
the objective's reason for its rank (PERF01-BP03, PERF02-BP01).
"""

from __future__ import annotations

import numpy as np

from recommender.core.response import WhyNot
from recommender.rules.compute.select import ComputeResult


def why_not(res: ComputeResult | None, names: list[str]) -> list[WhyNot]:
    """One :class:`WhyNot` per name in ``names`` (EC2 type ids, ``fargate``, ``lambda``)."""
    return [_one(res, name) for name in names]


def _one(res: ComputeResult | None, name: str) -> WhyNot:
    if res is None or res.table is None:
        return WhyNot(option=name, verdict="unknown",
                      text="The profile has no compute section, so no compute was chosen.")
    if name in res.shown:
        opt = next(o for o in res.options if o.option == name)
        text = next((r.text for r in opt.reasons if r.rule == "rank.objective"),
                    f"Shown at rank {opt.rank}.")
        return WhyNot(option=name, verdict="shown", rule="rank.objective", text=text,
                      rank=opt.rank, monthly_cost_usd=opt.monthly_cost_usd)
    t = res.table
    i = t.ix.pos.get(name)
    if i is None:
        return _serverless(res, name)
    check = t.filters.first_failure(i)
    if check is not None:
        return WhyNot(option=name, verdict="rejected", rule=check.key,
                      text=f"Rejected by {check.key}: {check.why(i)}.")
    if i in t.dropped:
        return WhyNot(option=name, verdict="rejected", rule="compute.stage",
                      text=f"Rejected: {t.dropped[i]}.")
    return _ranked(res, name, i)


def _ranked(res: ComputeResult, name: str, i: int) -> WhyNot:
    """An admitted type not shown: its rank reason, and the shown size of its family."""
    t, r, idx = res.table, res.ranking, res.idx
    assert t is not None and r is not None and idx is not None
    k = int(np.searchsorted(idx, i))
    pos = int(np.flatnonzero(r.order == k)[0]) + 1
    fam = str(t.ix.family[i])
    shown = [o.option for o in res.options if o.kind == "ec2"
             and str(t.ix.family[t.ix.pos[o.option]]) == fam]
    text = r.reason(k).text
    if shown:
        text += f" One size per family is shown: {fam} is represented by {shown[0]}."
    else:
        text += f" Only the first {len(res.options)} options are shown (top_n)."
    return WhyNot(option=name, verdict="ranked", rule="rank.objective", text=text, rank=pos,
                  monthly_cost_usd=round(float(t.cost[i]), 2))


def _serverless(res: ComputeResult, name: str) -> WhyNot:
    if name not in ("fargate", "lambda"):
        return WhyNot(option=name, verdict="unknown",
                      text=f"{name!r} is not an EC2 instance type in the catalog, nor "
                           "fargate or lambda.")
    r = res.ranking
    n_ec2 = 0 if res.idx is None else len(res.idx)
    for j, c in enumerate(res.serverless):
        if c.option == name and r is not None:
            k = n_ec2 + j
            pos = int(np.flatnonzero(r.order == k)[0]) + 1
            return WhyNot(option=name, verdict="ranked", rule="rank.objective",
                          text=r.reason(k).text, rank=pos, monthly_cost_usd=c.monthly_cost_usd)
    return WhyNot(option=name, verdict="rejected", rule=f"{name}.*",
                  text=f"{name} does not fit the profile: see the {name}.* counts in "
                       "'rejected' (each names the limit it breaks).")
