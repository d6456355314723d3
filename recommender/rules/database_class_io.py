"""An RDS instance class carries the load's storage I/O: its EBS-optimized IOPS limit (PERF03).

"Amazon RDS DB instance storage", Baseline and maximum IOPS rates for EBS-optimized instances
(:data:`RDS_INSTANCE_IOPS_URL`): "The maximum IOPS rate is enforced at the DB instance level",
so however many IOPS the storage provisions, a DB instance delivers no more than its class
allows, the figure the page sends to the EC2 instance type's EBS limits
(:data:`EBS_OPTIMIZED_URL`).  A sustained load is held to the type's baseline (its maximum
holds for 30 minutes a day, same EC2 page); the figures are the catalog's EC2 rows
(``ebs_baseline_iops``) of the type a class is named after (``db.r6g.xlarge`` ->
``r6g.xlarge``).  A memory pick whose type the catalog does not know stands; a class chosen
for its I/O instead has a known baseline that carries it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from recommender.rules.base import fmt_num
from recommender.rules.compute.index import ec2_index

RDS_INSTANCE_IOPS_URL = ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
                         "CHAP_Storage.html")
EBS_OPTIMIZED_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html"
#: ``pick(rows, mem_need, allowed)``: a class among ``rows`` (those ``allowed``, a mask).
Pick = Callable[[list[dict[str, Any]], float, "np.ndarray | None"],
                tuple[dict[str, Any] | None, str | None]]


def class_ebs_iops(ix: Any, instance_class: str) -> float | None:
    """The EBS baseline IOPS of the EC2 type an RDS class is named after, or None."""
    if ix is None or not instance_class.startswith("db."):
        return None
    i = ix.pos.get(instance_class[3:])
    if i is None:
        return None
    v = float(ix.ebs_base_iops[i])
    return None if math.isnan(v) else v


def ec2_ebs_index(catalog: Any) -> Any:
    """The catalog's EC2 index (types and EBS limits), or None for a catalog without EC2."""
    try:
        return ec2_index(catalog)
    except (AttributeError, KeyError, TypeError):
        return None


#: id of a class list -> (the list, the EC2 index, each class's EBS baseline IOPS, NaN when
#: unknown), built once per list and index: the pick reads it on every I/O-bound profile.
_IOPS_TABLES: dict[int, tuple[list[dict[str, Any]], Any, np.ndarray]] = {}


def _iops_table(rows: list[dict[str, Any]], ix: Any) -> np.ndarray:
    t = _IOPS_TABLES.get(id(rows))
    if t is None or t[0] is not rows or t[1] is not ix:
        if len(_IOPS_TABLES) >= 1024:
            _IOPS_TABLES.clear()
        got = [class_ebs_iops(ix, str(r["instance_class"])) for r in rows]
        t = _IOPS_TABLES[id(rows)] = (rows, ix, np.array(
            [np.nan if v is None else v for v in got], dtype=float))
    return t[2]


def pick_for_io(pick: Pick, rows: list[dict[str, Any]], mem_need: float, iops: float,
                ix: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``pick(rows, mem_need)``, among the classes whose EBS baseline carries ``iops``.

    The memory pick stands when its class carries the I/O (or its limit is unknown); else the
    same pick among the classes that do (``pick(rows, mem_need, allowed)``), with a note
    saying why; when none does, the memory pick stays and the note says its limit.
    """
    row, note = pick(rows, mem_need, None)
    if row is None or iops <= 0 or ix is None:
        return row, note
    base = class_ebs_iops(ix, str(row["instance_class"]))
    if base is None or base >= iops:
        return row, note
    allowed = _iops_table(rows, ix) >= iops  # NaN (unknown) compares False: not chosen
    why = (f"{row['instance_class']} delivers at most {fmt_num(base)} IOPS sustained (its EBS "
           f"baseline; \"the maximum IOPS rate is enforced at the DB instance level\", "
           f"{RDS_INSTANCE_IOPS_URL}, {EBS_OPTIMIZED_URL})")
    if not allowed.any():
        return row, "; ".join(x for x in (note, f"{why}: no class carries "
                                          f"{fmt_num(round(iops))} IOPS") if x)
    best, best_note = pick(rows, mem_need, allowed)
    if best is None:
        return row, note
    return best, "; ".join(x for x in (best_note, f"{best['instance_class']} for "
                                       f"{fmt_num(round(iops))} IOPS per instance: {why}")
                           if x)
