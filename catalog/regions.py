"""Region names and codes.

AWS price feeds name regions as the pricing pages do ("US East (N. Virginia)",
"EU (Ireland)"), the Price List API as ``location`` ("Europe (Ireland)" in newer files),
and everything else by code ("eu-west-1").  The mapping is derived from the SpareCores
region records (``network/regions/sparecores_aws/*.json``), whose ``name`` is the console
name; the pricing pages' older "EU (...)" spelling is folded onto it here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

REGION_RECORDS_DIR = Path("network/regions/sparecores_aws")
_CODE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def fold_region_name(name: str) -> str:
    """A spelling-insensitive key for a region's long name.

    The pricing pages write "EU (Ireland)" where the console writes "Europe (Ireland)",
    and some feeds drop punctuation ("US East N Virginia"); both fold to one key.

    >>> fold_region_name("EU (Ireland)") == fold_region_name("Europe (Ireland)")
    True
    >>> fold_region_name("US East N Virginia") == fold_region_name("US East (N. Virginia)")
    True
    """
    key = re.sub(r"^Europe\b", "EU", name.strip())
    return re.sub(r"[^a-z0-9]", "", key.lower())


def read_region_records(data_dir: Path) -> list[dict]:
    """The SpareCores region records under ``data_dir`` (skipping the schema file)."""
    folder = Path(data_dir) / REGION_RECORDS_DIR
    return [
        json.loads(p.read_text())
        for p in sorted(folder.glob("*.json"))
        if not p.name.startswith("_")
    ]


def name_to_code_map(records: Iterable[Mapping]) -> dict[str, str]:
    """Folded long name -> region code, from region records with ``name`` and ``region_id``."""
    return {fold_region_name(r["name"]): r["region_id"] for r in records if r.get("name")}


def region_code(name: str, mapping: Mapping[str, str]) -> str | None:
    """The region code of a long region name (or of a code), ``None`` when unknown."""
    if _CODE.match(name):
        return name
    return mapping.get(fold_region_name(name))
