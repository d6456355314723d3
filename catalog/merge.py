"""Merge stage of the catalog build: one row per key, refreshes over the previous snapshot,
cross-table fills (orphan prices, offered and priced regions, perf_index and its sustained
figure, computed facts).

Functions over DataFrames.  The perf model that predicts the unmeasured ``perf_index`` rows
belongs to the recommender, so the build takes it as a parameter (a :data:`PerfFiller`): the
catalog never imports the recommender.  :mod:`catalog.build` runs the readers before and
validates and writes after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from catalog.schema import TABLES

#: Key columns per table (the schema's unique keys); merges keep one row per key.
KEYS: dict[str, list[str]] = {
    "ec2": ["instance_type"],
    "ec2_prices": ["instance_type", "region"],
    "ec2_commitments": ["instance_type", "region", "offering", "term_years", "payment"],
    "ec2_spot_prices": ["instance_type", "availability_zone"],
    "ebs": ["volume_type", "region"],
    "database": ["service", "engine", "instance_class", "deployment", "region"],
    "unit_prices": ["item", "region", "tier_start", "to_region"],
    "facts": ["topic", "key", "scope"],
    "regions": ["region"],
    "latency": ["from_region", "to_region"],
}


def merge_table(name: str, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate partial tables and keep one row per key.

    Where rows share a key, the one with the newest ``price_as_of`` wins (unparseable dates
    such as "unknown" rank oldest); tables without that column keep the last row given.
    """
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return pd.DataFrame(columns=list(TABLES[name].to_schema().columns))
    df = pd.concat(frames, ignore_index=True)
    if "price_as_of" in df.columns:
        order = pd.to_datetime(df["price_as_of"], errors="coerce", format="ISO8601")
        df = (
            df.assign(_order=order)
            .sort_values("_order", kind="stable", na_position="first")
            .drop(columns="_order")
        )
    keys = KEYS[name]
    # NaN keys (e.g. tier_start of untiered prices) must compare equal for dedupe.
    df = df.drop_duplicates(keys, keep="last")
    return df.sort_values(keys, na_position="first", ignore_index=True)


def update_from_previous(name: str, new: pd.DataFrame, prev: pd.DataFrame) -> pd.DataFrame:
    """Merge refreshed rows into the previous table: new values win, gaps filled from old."""
    keys = KEYS[name]
    if name in ("ec2", "ebs", "regions"):
        # Live rows carry only what the API gives (no EBS limits, no region coordinates):
        # the previous row fills the rest, column by column.
        merged = new.set_index(keys).combine_first(prev.set_index(keys)).reset_index()
        merged = merged[[c for c in prev.columns if c in merged.columns]]
        if name == "ebs":  # a region new to the table takes the limits of its volume type
            limits = prev.drop_duplicates("volume_type").set_index("volume_type")
            for col in prev.columns:
                price = "usd" in col or col in ("price_as_of", "price_source", "verify")
                if col not in keys and not price:
                    fill = merged["volume_type"].map(limits[col])
                    merged[col] = merged[col].where(merged[col].notna(), fill)
        return merged
    merged = merge_table(name, [prev, new])
    if name == "ec2_prices":
        # Offer files and the Pricing API carry no spot or RI figures: keep the previous ones.
        carry = [
            "spot_savings_pct",
            "spot_interruption_band",
            "reserved_1y_no_upfront_usd_per_hour",
            "reserved_3y_no_upfront_usd_per_hour",
        ]
        old = prev.set_index(keys)[carry]
        merged = merged.set_index(keys)
        for col in carry:
            merged[col] = merged[col].where(merged[col].notna(), old[col].reindex(merged.index))
        merged = merged.reset_index()
        merged["spot_usd_per_hour_est"] = merged["ondemand_usd_per_hour"] * (
            1 - merged["spot_savings_pct"] / 100
        )
    return merged


#: Predicts ``perf_index`` (and its interval and source) for an ec2 table.  Returns the filled
#: table, or ``None`` with a note saying why it could not (e.g. an artifact that failed its check).
PerfFiller = Callable[[pd.DataFrame], tuple[pd.DataFrame | None, str]]


def fill_perf(ec2: pd.DataFrame, filler: PerfFiller | None) -> tuple[pd.DataFrame, str]:
    """Measured perf_index stays; the perf model (when given and usable) predicts the rest."""
    if filler is None:
        return ec2, "no perf model given: unmeasured types keep perf_index missing"
    filled, note = filler(ec2)
    if filled is None:
        return ec2, note
    measured = ec2["perf_index_source"].eq("measured").to_numpy()
    cols = ["perf_index", "perf_index_low", "perf_index_high", "perf_index_source"]
    out = ec2.copy()
    for col in cols:
        out[col] = filled[col].where(~measured, ec2[col]).to_numpy()
    n = int(out["perf_index_source"].eq("predicted").sum())
    return out, f"perf model predicted perf_index for {n} types"


def sustained_perf(ec2: pd.DataFrame) -> pd.DataFrame:
    """Add ``sustained_perf_index``: the perf_index a type delivers without spending credits.

    A burstable type sustains ``baseline_pct_per_vcpu`` of each vCPU (AWS EC2 User Guide,
    "Key concepts for burstable performance instances": baseline utilization per vCPU), so
    its sustained figure is perf_index x baseline / 100; ``perf_index`` keeps the burst
    figure.  Other types (and a burstable type whose baseline is unknown) sustain their
    perf_index.  Run after the perf fill, so predicted perf_index rows get it too.
    """
    pct = pd.to_numeric(ec2.get("baseline_pct_per_vcpu", pd.Series(float("nan"), index=ec2.index)),
                        errors="coerce")
    burst = ec2["burstable"].fillna(False).astype(bool) & pct.notna()
    share = (pct / 100.0).where(burst, 1.0)
    return ec2.assign(sustained_perf_index=pd.to_numeric(ec2["perf_index"], errors="coerce")
                      * share)


def computed_facts(ec2: pd.DataFrame) -> pd.DataFrame:
    """Counts of capable instance types per network option, from the ec2 table."""
    counts = {
        "efa.capable_instance_types": ec2["efa_supported"].astype(bool).sum(),
        "ena_express.capable_instance_types": ec2["ena_express_supported"].astype(bool).sum(),
        "placement_group:cluster.capable_instance_types": ec2["placement_group_strategies"]
        .str.contains("cluster")
        .sum(),
        "enhanced_networking.capable_instance_types": ec2["ena_support"]
        .isin(["required", "supported"])
        .sum(),
    }
    return pd.DataFrame(
        {
            "topic": "network_option",
            "key": list(counts),
            "value": [str(int(v)) for v in counts.values()],
            "unit": "instance types",
            "scope": None,
            "source_url": None,
            "verify": False,
            # Partial-spec rows (spec_source "price-feed (partial specs)") have these flags
            # False for "unknown", so they are not counted as capable.
            "notes": "computed at build time from the ec2 table (DescribeInstanceTypes; "
            "types with partial specs are not counted)",
        }
    )


def finish_tables(
    tables: dict[str, pd.DataFrame], gaps: list[str], perf_filler: PerfFiller | None = None
) -> list[str]:
    """Cross-table fills: orphan prices, offered regions, priced regions, computed facts."""
    ec2, prices = tables["ec2"], tables["ec2_prices"]
    orphans = sorted(set(prices["instance_type"]) - set(ec2["instance_type"]))
    if orphans:
        gaps.append(
            f"{len(orphans)} priced instance types without specs left out: " + ", ".join(orphans)
        )
        prices = prices[~prices["instance_type"].isin(orphans)].reset_index(drop=True)
    priced = prices.groupby("instance_type")["region"].agg(set)
    ec2 = ec2.copy()
    ec2["regions"] = [
        ",".join(sorted({r for r in str(old or "").split(",") if r} | priced.get(t, set())))
        for t, old in zip(ec2["instance_type"], ec2["regions"], strict=True)
    ]
    from catalog.sources.ec2 import measured_perf

    ec2, perf_note = fill_perf(measured_perf(ec2), perf_filler)
    ec2 = sustained_perf(ec2)
    from catalog.spot import attach_measured_spot

    prices = attach_measured_spot(prices, tables.get("ec2_spot_prices"))
    priced_regions = set(prices.loc[prices["ondemand_usd_per_hour"].notna(), "region"])
    regions = tables["regions"].copy()
    regions["priced_ec2"] = regions["region"].isin(priced_regions)
    lat = tables.get("latency")
    measured = set(lat["from_region"]) | set(lat["to_region"]) if lat is not None else set()
    regions["latency_measured"] = regions["region"].isin(measured)
    unpriced = sorted(set(regions["region"]) - priced_regions)
    if unpriced:
        gaps.append(f"no EC2 prices for regions: {', '.join(unpriced)}")
    facts = merge_table("facts", [tables["facts"], computed_facts(ec2)])
    tables.update(ec2=ec2, ec2_prices=prices, regions=regions, facts=facts)
    return [perf_note]
