""""Why not X?" for compute: the first constraint X fails, or its cost and risk against #1.

The answer reads the same table that filtered and ranked the candidates: a rejected type is
answered by the sentence of the hard constraint it failed first (each filter returns that
sentence with its mask), a later stage's drop by that stage's note, and an admitted type by
the objective's reason for its rank (PERF01-BP03, PERF02-BP01).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recommender.core.response import WhyNot
from recommender.rules.base import Rejections
from recommender.rules.compute.select import ComputeResult

#: The categories besides compute whose options a "why not" can name (storage volume
#: types and stores, database services, network items, trade-offs).
OTHER_CATEGORIES = ("storage", "database", "network", "tradeoffs")


def why_not(res: ComputeResult | None, names: list[str], *, recs: Any = None,
            rejected: Rejections | None = None) -> list[WhyNot]:
    """One :class:`WhyNot` per name in ``names``: EC2 type ids, ``fargate``, ``lambda``, and
    (with ``recs`` and ``rejected``) the options of the other categories (``st1``, ``io2``,
    ``efs``, ``rds:postgresql``...): shown with their rank reason, or rejected by the rule
    whose count names them."""
    out = []
    for name in names:
        other = _other_category(name, recs, rejected) if recs is not None else None
        out.append(other if other is not None else _noted(_one(res, name), rejected))
    return out


def _noted(w: WhyNot, rejected: Rejections | None) -> WhyNot:
    """A Fargate/Lambda rejection with the rule's own sentence, when the rule left one
    (``Rejections.notes``, e.g. the Fargate EBS baseline with its AWS page)."""
    if rejected is None or w.rule != f"{w.option}.*":
        return w
    key = next((k for k in rejected.notes if k.startswith(f"{w.option}.")), None)
    if key is None:
        return w
    return w.model_copy(update={"rule": key,
                                "text": f"Rejected by {key}: {rejected.notes[key]}"})


def _other_category(name: str, recs: Any, rejected: Rejections | None) -> WhyNot | None:
    """The answer for an option of a non-compute category, or None when none names it."""
    for cat in OTHER_CATEGORIES:
        opts = [o for o in getattr(recs, cat, None) or [] if o.option == name]
        if opts:
            o = opts[0]
            text = next((r.text for r in o.reasons if r.rule == "rank.objective"),
                        f"Shown at rank {o.rank}.")
            return WhyNot(option=name, category=cat, verdict="shown", rule="rank.objective",
                          text=text, rank=o.rank, monthly_cost_usd=o.monthly_cost_usd)
    if rejected is None:
        return None
    keys = [k for k, ex in rejected.examples.items()
            if name in ex and not k.startswith(("ec2.", "fargate.", "lambda."))]
    if not keys:
        return None
    key = keys[0]
    cat = {"ebs": "storage", "s3": "storage", "efs": "storage", "fsx": "storage"}.get(
        key.split(".")[0], key.split(".")[0])
    # A rule that left its own sentence (with its AWS page) answers in it.
    note = rejected.notes.get(key)
    return WhyNot(option=name, category=cat, verdict="rejected", rule=key,
                  text=f"Rejected by {key}: " + (note.rstrip(".") if note else
                                                 f"{name} cannot meet the need "
                                                 f"({key.split('.', 1)[-1].replace('_', ' ')})")
                       + (f"; also {', '.join(keys[1:])}" if len(keys) > 1 else "") + ".")


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
    pos = r.place(k) + 1
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
            pos = r.place(k) + 1
            return WhyNot(option=name, verdict="ranked", rule="rank.objective",
                          text=r.reason(k).text, rank=pos, monthly_cost_usd=c.monthly_cost_usd)
    return WhyNot(option=name, verdict="rejected", rule=f"{name}.*",
                  text=f"{name} does not fit the profile: see the {name}.* counts in "
                       "'rejected' (each names the limit it breaks).")
