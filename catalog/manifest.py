"""Diff and manifest stage of the catalog build: what changed against the previous snapshot
and the ``manifest.json`` that describes a snapshot (sources, gaps, diff, notes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from catalog.merge import KEYS
from catalog.schema import SCHEMA_VERSION
from catalog.sources import SourceRecord

TOP_PRICE_CHANGES = 10


def diff_tables(
    new: dict[str, pd.DataFrame], old: dict[str, pd.DataFrame] | None, top: int = TOP_PRICE_CHANGES
) -> dict[str, Any]:
    """Rows added/removed per table and on-demand EC2 price changes (count and the largest)."""
    out: dict[str, Any] = {"previous": old is not None, "tables": {}}
    for name, df in new.items():
        keys = KEYS[name]
        new_keys = set(map(tuple, df[keys].astype(str).to_numpy()))
        old_df = old.get(name) if old else None
        old_keys = (
            set(map(tuple, old_df[keys].astype(str).to_numpy())) if old_df is not None else set()
        )
        out["tables"][name] = {
            "rows": len(df),
            "added": len(new_keys - old_keys),
            "removed": len(old_keys - new_keys),
        }
    changes: list[dict[str, Any]] = []
    if old and "ec2_prices" in old:
        keys = KEYS["ec2_prices"]
        j = new["ec2_prices"][[*keys, "ondemand_usd_per_hour"]].merge(
            old["ec2_prices"][[*keys, "ondemand_usd_per_hour"]], on=keys, suffixes=("_new", "_old")
        )
        j = j[(j["ondemand_usd_per_hour_new"] - j["ondemand_usd_per_hour_old"]).abs() > 1e-12]
        j = j.assign(
            change_pct=(j["ondemand_usd_per_hour_new"] / j["ondemand_usd_per_hour_old"] - 1) * 100
        )
        j = j.reindex(j["change_pct"].abs().sort_values(ascending=False).index)
        changes = [
            {
                "instance_type": r["instance_type"],
                "region": r["region"],
                "old": float(r["ondemand_usd_per_hour_old"]),
                "new": float(r["ondemand_usd_per_hour_new"]),
                "change_pct": round(float(r["change_pct"]), 3),
            }
            for r in j.head(top).to_dict("records")
        ]
        out["ec2_price_changes"] = {"count": int(len(j)), "largest": changes}
    else:
        out["ec2_price_changes"] = {"count": 0, "largest": []}
    return out


def assemble_manifest(
    tables: dict[str, pd.DataFrame],
    *,
    now: str,
    source: str,
    inputs: Sequence[str],
    sources: Sequence[SourceRecord],
    gaps: list[str],
    diff: dict[str, Any],
    notes: list[str],
    carried: dict[str, str],
    previous_manifest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of a snapshot about to be written.

    Parameters
    ----------
    now : str
        ISO UTC timestamp of the build; also the catalog version's suffix.
    sources : list of SourceRecord
        Every reader's sources; a file two readers cite is listed once.
    carried : dict
        Tables carried over from the previous snapshot (name -> its version); their
        sources and gaps are carried over from ``previous_manifest`` too.
    """
    # Two readers may cite one file (burstable facts feed both ec2 and facts): list it once.
    listed = list({(s.id, s.path): asdict(s) for s in sources}.values())
    gaps = list(gaps)
    if carried and previous_manifest is not None:
        listed += [s for s in previous_manifest.get("sources", []) if s not in listed]
        gaps += [g for g in previous_manifest.get("coverage_gaps", []) if g not in gaps]
    return {
        "catalog_version": f"{SCHEMA_VERSION}+{now}",
        "generated_at": now,
        "build": {"source": source, "inputs": list(inputs)},
        "carried_over": carried,
        "sources": listed,
        "regions": sorted(set(tables["ec2_prices"]["region"])),
        "coverage_gaps": gaps,
        "diff": diff,
        "notes": notes,
        "price_attribution": "AWS Price List / aws.amazon.com pricing pages",
    }
