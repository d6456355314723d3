"""Partial specs for priced instance types that have no DescribeInstanceTypes record.

A few dozen types (p2, p3, g3, f1, u-*tb1, i3.metal...) are priced in the pricing-page feeds
but absent from moto's copy of DescribeInstanceTypes.  The feeds give ``vCPU``, ``Memory``,
``Storage`` and ``Network Performance``, and their file name tells the generation; those
types enter the ``ec2`` table with those specs and ``spec_source`` =
:data:`PARTIAL_SPEC_SOURCE`, everything else unknown.

The feeds carry no architecture, and the table needs one.  It is taken only from data about
that very type, never from its name:

1. a DescribeInstanceTypes record among the API samples (``SupportedArchitectures``);
2. the ec2instances.info benchmark's CPU vendor string, or
3. an offer file's ``physicalProcessor``, each mapped to the architecture that every moto
   type with the same vendor / processor has (a label shared by two architectures maps to
   none).

A type none of these covers stays out of the catalog and in the coverage gaps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catalog.normalize import (
    gb_to_gib,
    is_metal,
    parse_memory_gib,
    parse_network_gbps,
    split_instance_type,
)
from catalog.sources import SourceRecord, file_record

PARTIAL_SPEC_SOURCE = "price-feed (partial specs)"
DESCRIBE_SAMPLES = Path("pricing_api/ec2_api")  # DescribeInstanceTypes_*.json
OFFER_SAMPLE = Path(
    "pricing_api/bulk_offer_files/spinnaker_AmazonEC2_us-west-2_offer_trimmed_20180504.json"
)
ARCHES = ("x86_64", "arm64")

# "EBS only" | "2 x 120 SSD" | "4 x 1000 GB NVMe SSD" | "2400 GB NVMe SSD" | "1 x 3750GB":
# sizes are decimal GB, as DescribeInstanceTypes' TotalSizeInGB.
_STORAGE = re.compile(
    r"^\s*(?:(\d+)\s*x\s*)?([\d,.]+)\s*(?:GB\s*)?(NVMe\s*)?(SSD|HDD)?\s*$", re.IGNORECASE
)


def pick_arch(supported: Iterable[str]) -> str | None:
    """The catalog ``arch`` from DescribeInstanceTypes ``SupportedArchitectures``.

    i386 types also run x86_64, so x86_64/arm64 win; mac types list only their ``*_mac``
    arch, which is kept as is.
    """
    supported = list(supported)
    return next((a for a in supported if a in ARCHES), supported[0] if supported else None)


def parse_storage(text: str | None) -> dict[str, Any]:
    """Instance-store columns from a feed ``Storage`` string (all unknown when unparseable).

    ``"2 x 120 SSD"`` gives 240 GB on 2 disks; without an ``N x`` prefix the disk count is
    unknown (``"2400 GB NVMe SSD"`` is two disks on g4ad.16xlarge).  NVMe is only known
    when the string says it; "EBS only" means no instance store, which the DescribeInstanceTypes
    rows also leave empty.  The feeds state marketed sizes ("1 x 475 NVMe SSD" where
    DescribeInstanceTypes has 474 GB; d2's "2000" disks are 2048 GB there).
    """
    out: dict[str, Any] = {
        "instance_storage_gib": None,
        "instance_storage_disks": None,
        "instance_storage_type": None,
        "instance_storage_nvme": None,
    }
    m = _STORAGE.match(text or "")
    if not m:
        return out
    disks = int(m.group(1)) if m.group(1) else None
    per_disk = float(m.group(2).replace(",", ""))
    out["instance_storage_gib"] = gb_to_gib(per_disk * (disks or 1))
    out["instance_storage_disks"] = disks
    # The previous-generation rows call HDD stores "SSD" (m1, m2, c1 against
    # DescribeInstanceTypes), while "NVMe SSD" and "HDD" always agree with it: a bare "SSD"
    # leaves the media unknown.
    kind = (m.group(4) or "").lower()
    out["instance_storage_type"] = kind if kind == "hdd" or (kind and m.group(3)) else None
    out["instance_storage_nvme"] = True if m.group(3) else None
    return out


def feed_specs(feeds: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per type listed in the on-demand feeds: the few specs they carry.

    ``feeds`` maps a feed's file stem (``us-east-1-ondemand``,
    ``us-east-1-previousgen-ondemand``...) to its JSON.  ``current_generation`` is True when
    any current-generation feed lists the type; the specs come from its first listing.
    """
    rows = []
    for stem, feed in feeds.items():
        current = "previousgen" not in stem
        for entries in feed["regions"].values():
            for e in entries.values():
                rows.append(
                    {
                        "instance_type": e["Instance Type"],
                        "vcpus": int(e["vCPU"]),
                        "memory_gib": parse_memory_gib(e.get("Memory")),
                        "storage": e.get("Storage"),
                        "network_performance": e.get("Network Performance"),
                        "current_generation": current,
                    }
                )
    cols = ["instance_type", "vcpus", "memory_gib", "storage", "network_performance"]
    df = pd.DataFrame(rows, columns=[*cols, "current_generation"])
    any_current = df.groupby("instance_type")["current_generation"].any()
    df = df.drop_duplicates("instance_type", keep="first").set_index("instance_type")
    df["current_generation"] = any_current
    return df.reset_index()


def _text(value: object) -> str | None:
    """A feed's text field as read into the frame: the string, or None when absent (NaN)."""
    return value if isinstance(value, str) else None


def consensus(labels: Mapping[str, str | None], known: Mapping[str, Any]) -> dict[str, Any]:
    """``label -> value`` where every type of ``known`` carrying ``label`` has the same value.

    E.g. labels = benchmark CPU vendor per type, known = arch per moto type: GenuineIntel
    maps to x86_64 only if no moto type with that vendor has another arch.
    """
    seen: dict[str, set[Any]] = {}
    for t, label in labels.items():
        value = known.get(t)
        if label and value is not None and not pd.isna(value):
            seen.setdefault(label, set()).add(value)
    return {label: next(iter(v)) for label, v in seen.items() if len(v) == 1}


def _described_arches(data_dir: Path) -> tuple[dict[str, str], list[Path]]:
    arches: dict[str, str] = {}
    files = sorted((data_dir / DESCRIBE_SAMPLES).glob("DescribeInstanceTypes_*.json"))
    for path in files:
        for info in json.loads(path.read_text())["InstanceTypes"]:
            arch = pick_arch((info.get("ProcessorInfo") or {}).get("SupportedArchitectures", []))
            if arch:
                arches.setdefault(info["InstanceType"], arch)
    return arches, files


def _offer_processors(data_dir: Path) -> dict[str, str]:
    offer = json.loads((data_dir / OFFER_SAMPLE).read_text())
    out: dict[str, str] = {}
    for product in offer["products"].values():
        attrs = product.get("attributes", {})
        if attrs.get("instanceType") and attrs.get("physicalProcessor"):
            out.setdefault(attrs["instanceType"], attrs["physicalProcessor"])
    return out


def processor_evidence(
    data_dir: Path,
    types: Iterable[str],
    bench: Mapping[str, Any],
    known: pd.DataFrame,
) -> tuple[pd.DataFrame, list[SourceRecord]]:
    """Arch (and manufacturer where as certain) of ``types`` from per-type processor data.

    Parameters
    ----------
    types : iterable of str
        The types without a DescribeInstanceTypes record.
    bench : mapping
        The ec2instances.info benchmarks (type -> record with ``cpu.vendor``).
    known : DataFrame
        ``instance_type, arch, processor_manufacturer`` of the moto types: the reference
        that maps a vendor or processor name to an architecture.

    Returns
    -------
    DataFrame
        ``instance_type, arch, processor_manufacturer, arch_evidence`` for the types some
        source decides; the others are absent.
    list of SourceRecord
        The sample files read here (the benchmarks are listed by the caller).
    """
    data_dir = Path(data_dir)
    described, files = _described_arches(data_dir)
    vendor = {t: (b.get("cpu") or {}).get("vendor") for t, b in bench.items()}
    processor = _offer_processors(data_dir)
    arch_of = dict(zip(known["instance_type"], known["arch"], strict=True))
    manu_of = dict(zip(known["instance_type"], known["processor_manufacturer"], strict=True))
    routes = [
        (how, labels, consensus(labels, arch_of), consensus(labels, manu_of))
        for how, labels in (
            ("ec2instances.info benchmark CPU vendor", vendor),
            ("offer-file physicalProcessor", processor),
        )
    ]
    rows = []
    for t in sorted(set(types)):
        if t in described:
            rows.append((t, described[t], None, "DescribeInstanceTypes API sample"))
            continue
        for how, labels, arches, manus in routes:
            label = labels.get(t)
            if label in arches:
                rows.append((t, arches[label], manus.get(label), f"{how} {label!r}"))
                break
    evidence = pd.DataFrame(
        rows, columns=["instance_type", "arch", "processor_manufacturer", "arch_evidence"]
    )
    sources = [
        file_record(
            data_dir,
            path.relative_to(data_dir),
            f"ec2-api-sample:{path.stem}",
            "aws/amazon-ec2-instance-selector test/static (DescribeInstanceTypes)",
            "2020-03-29",
            license="Apache-2.0",
            notes="architecture of priced types without a moto record",
        )
        for path in files
    ]
    sources.append(
        file_record(
            data_dir,
            OFFER_SAMPLE,
            "offer-sample:spinnaker_us-west-2_20180504",
            "spinnaker/clouddriver@a37c1e5e (AmazonEC2 offer file, trimmed)",
            "2018-05-04",
            license="Apache-2.0",
            notes="physicalProcessor of priced types without a moto record",
        )
    )
    return evidence, sources


def partial_rows(
    specs: pd.DataFrame, evidence: pd.DataFrame, burstable: pd.DataFrame
) -> pd.DataFrame:
    """``ec2`` spec rows (as ``catalog.sources.ec2`` builds them) for types with evidence.

    Only what the feeds, the name's ``metal`` size and the burstable facts table say is
    set.  Columns the schema requires non-null get their "absent" value (``False``, ``0``,
    ``""``) and ``spec_source`` marks the row as partial, so users can tell.
    """
    df = specs.merge(evidence, on="instance_type", how="inner")
    burst = set(burstable["instance_type"])
    rows = []
    for r in df.itertuples(index=False):
        family, size = split_instance_type(str(r.instance_type))
        rows.append(
            {
                "instance_type": r.instance_type,
                "family": family,
                "size": size,
                "vcpus": r.vcpus,
                "memory_gib": r.memory_gib,
                "arch": r.arch,
                "processor_manufacturer": r.processor_manufacturer,
                # The feeds do not state accelerators: unknown, not zero.
                "gpus": np.nan,
                "accelerators": np.nan,
                "burstable": r.instance_type in burst,
                "network_performance": r.network_performance,
                "network_peak_gbps": parse_network_gbps(_text(r.network_performance)),
                "efa_supported": False,
                "ena_express_supported": False,
                **parse_storage(_text(r.storage)),
                "placement_group_strategies": "",
                "current_generation": bool(r.current_generation),
                "bare_metal": is_metal(str(r.instance_type)),
                "spec_source": PARTIAL_SPEC_SOURCE,
            }
        )
    return pd.DataFrame(rows)


def partial_gaps(partial: pd.DataFrame, evidence: pd.DataFrame, left_out: list[str]) -> list[str]:
    """Coverage-gap lines: which types have partial specs (and whence their arch), which none."""
    gaps = []
    if len(partial):
        ev = evidence[evidence["instance_type"].isin(partial["instance_type"])]
        how = "; ".join(
            f"{t}: {e}" for t, e in zip(ev["instance_type"], ev["arch_evidence"], strict=True)
        )
        gaps.append(
            f"{len(partial)} priced instance types have no DescribeInstanceTypes record in moto "
            f"5.2.5 and carry partial specs from the price feeds (spec_source "
            f"'{PARTIAL_SPEC_SOURCE}'): vcpus, memory, instance storage, network performance "
            "and generation are known as the feeds state them (rounded marketing figures; "
            "generation from the feed file, as of 2025-04-04); physical cores, clock, GPUs and "
            "accelerators (NaN: unknown), EBS limits, ENA/EFA/ENA Express (False "
            "means unknown), placement groups (empty means unknown) and hypervisor are not. "
            "Architecture from "
            f"{how}"
        )
    if left_out:
        gaps.append(
            f"{len(left_out)} priced instance types have no DescribeInstanceTypes specs in "
            "moto 5.2.5 and no source gives their architecture, so they are left out: "
            + ", ".join(left_out)
        )
    return gaps
