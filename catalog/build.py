"""Build the catalog snapshot: run the source readers, merge, validate, diff, write atomically.

``build_catalog`` is the one entry point (the CLI's ``catalog build`` calls it).  Sources:

* ``local``: the readers of ``catalog.sources`` over a data directory (``../shared/data``).
* ``aws``: the live Pricing and EC2 APIs (``catalog.sources.live.read_aws``).
* ``offer-files``: bulk offer files (``catalog.sources.live.read_offer_files``).

For ``aws`` and ``offer-files`` the tables those readers do not provide are carried over from
the previous snapshot, and their EC2 rows are merged into the previous ones (newest price
wins), so a one-region refresh does not drop the other regions.  Nothing is written unless
every reader succeeds and every table validates; the previous snapshot stays untouched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from tqdm import tqdm

from catalog.errors import BuildError, CatalogError
from catalog.schema import SCHEMA_VERSION, TABLES, validate_table
from catalog.sources import SourceResult
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_snapshot, write_snapshot

Source = Literal["local", "aws", "offer-files"]
REPO_ROOT = Path(__file__).resolve().parents[1]
#: Default data dir of ``--source local``; ``RECOMMENDER_SHARED_DATA`` overrides it.
DEFAULT_DATA_DIR = Path(
    os.environ.get("RECOMMENDER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")
)
#: Key columns per table (the schema's unique keys); merges keep one row per key.
KEYS: dict[str, list[str]] = {
    "ec2": ["instance_type"],
    "ec2_prices": ["instance_type", "region"],
    "ebs": ["volume_type", "region"],
    "database": ["service", "engine", "instance_class", "deployment", "region"],
    "unit_prices": ["item", "region", "tier_start", "to_region"],
    "facts": ["topic", "key", "scope"],
    "regions": ["region"],
    "latency": ["from_region", "to_region"],
}
#: Gaps true of every build (no source in any mode covers them).
STANDING_GAPS = [
    "Savings Plans rates: no source; only on-demand, spot estimates and us-east-1 RIs",
    "operating systems other than Linux and tenancies other than shared are not priced",
]
TOP_PRICE_CHANGES = 10

Reader = Callable[[], SourceResult]


@dataclass
class BuildReport:
    """What a build did: the manifest as written and the diff against the previous snapshot."""

    out_dir: Path
    manifest: dict[str, Any]
    diff: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few human-readable lines: rows per table, added/removed, price changes."""
        lines = [f"catalog {self.manifest['catalog_version']} written to {self.out_dir}"]
        for name, d in self.diff.get("tables", {}).items():
            lines.append(f"  {name:<12} {d['rows']:>7} rows  +{d['added']} -{d['removed']}")
        pc = self.diff.get("ec2_price_changes", {})
        lines.append(f"  ec2 on-demand price changes: {pc.get('count', 0)}")
        for c in pc.get("largest", []):
            lines.append(
                f"    {c['instance_type']} {c['region']}: {c['old']:g} -> {c['new']:g} "
                f"({c['change_pct']:+.1f}%)"
            )
        if not self.diff.get("previous"):
            lines.append("  (no previous snapshot: everything counts as added)")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _local_readers(data_dir: Path) -> list[tuple[str, Reader]]:
    def lazy(module: str, func: str) -> Reader:
        def run() -> SourceResult:
            import importlib

            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name == module:
                    raise BuildError(
                        f"the local build needs {module}.{func}, which is not available yet "
                        f"({exc}); nothing was written"
                    ) from exc
                raise
            return getattr(mod, func)(data_dir)

        return run

    return [
        ("ec2", lazy("catalog.sources.ec2", "read_ec2")),
        ("ebs", lazy("catalog.sources.ebs", "read_ebs")),
        ("network", lazy("catalog.sources.network", "read_network")),
        ("databases", lazy("catalog.sources.databases", "read_databases")),
        ("services", lazy("catalog.sources.services", "read_services")),
    ]


def _run_readers(readers: list[tuple[str, Reader]], progress: bool) -> SourceResult:
    combined = SourceResult()
    bar = tqdm(
        readers, desc="catalog sources", unit="source", file=sys.stderr, disable=not progress
    )
    for name, reader in bar:
        bar.set_postfix_str(name)
        try:
            combined.extend(reader())
        except BuildError:
            raise
        except Exception as exc:  # any reader failure aborts the build before writing
            raise BuildError(f"source reader {name!r} failed: {exc}; nothing was written") from exc
    return combined


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


def _update_from_previous(name: str, new: pd.DataFrame, prev: pd.DataFrame) -> pd.DataFrame:
    """Merge refreshed rows into the previous table: new values win, gaps filled from old."""
    keys = KEYS[name]
    if name == "ec2":
        merged = new.set_index(keys).combine_first(prev.set_index(keys)).reset_index()
        return merged[[c for c in prev.columns if c in merged.columns]]
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


def _fill_perf(ec2: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Measured perf_index stays; the perf model (when present and verified) predicts the rest."""
    from recommender.errors import ModelArtifactError

    try:
        from recommender.models.perf import fill_perf_index
    except ModuleNotFoundError as exc:
        if exc.name in {"recommender.models", "recommender.models.perf"}:
            return ec2, "perf model module absent: unmeasured types keep perf_index missing"
        raise
    try:
        filled = fill_perf_index(ec2)
    except ModelArtifactError as exc:
        return ec2, f"perf model artifact unavailable ({exc}): unmeasured perf_index missing"
    except ModuleNotFoundError as exc:
        # Part of the models package not there yet: the catalog must build without it.
        if not (exc.name or "").startswith("recommender.models"):
            raise
        return ec2, f"perf model incomplete ({exc}): unmeasured perf_index missing"
    measured = ec2["perf_index_source"].eq("measured").to_numpy()
    cols = ["perf_index", "perf_index_low", "perf_index_high", "perf_index_source"]
    out = ec2.copy()
    for col in cols:
        out[col] = filled[col].where(~measured, ec2[col]).to_numpy()
    n = int(out["perf_index_source"].eq("predicted").sum())
    return out, f"perf model predicted perf_index for {n} types"


def _computed_facts(ec2: pd.DataFrame) -> pd.DataFrame:
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
            "notes": "computed at build time from the ec2 table (DescribeInstanceTypes)",
        }
    )


def _finish(tables: dict[str, pd.DataFrame], gaps: list[str]) -> list[str]:
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

    ec2, perf_note = _fill_perf(measured_perf(ec2))
    priced_regions = set(prices.loc[prices["ondemand_usd_per_hour"].notna(), "region"])
    regions = tables["regions"].copy()
    regions["priced_ec2"] = regions["region"].isin(priced_regions)
    unpriced = sorted(set(regions["region"]) - priced_regions)
    if unpriced:
        gaps.append(f"no EC2 prices for regions: {', '.join(unpriced)}")
    facts = merge_table("facts", [tables["facts"], _computed_facts(ec2)])
    tables.update(ec2=ec2, ec2_prices=prices, regions=regions, facts=facts)
    return [perf_note]


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
                "instance_type": r.instance_type,
                "region": r.region,
                "old": float(r.ondemand_usd_per_hour_old),
                "new": float(r.ondemand_usd_per_hour_new),
                "change_pct": round(float(r.change_pct), 3),
            }
            for r in j.head(top).itertuples()
        ]
        out["ec2_price_changes"] = {"count": int(len(j)), "largest": changes}
    else:
        out["ec2_price_changes"] = {"count": 0, "largest": []}
    return out


def _display_path(path: Path) -> str:
    """``path`` relative to the repository when it is near it (keeps manifests portable)."""
    try:
        rel = os.path.relpath(path.resolve(), REPO_ROOT)
    except ValueError:  # another drive
        return str(path)
    return rel if rel.count("..") <= 1 else str(path)


def _previous(previous_dir: Path | None, out_dir: Path) -> tuple[Any, str | None]:
    d = previous_dir or out_dir
    if not (d / "manifest.json").exists():
        return None, None
    try:
        return read_snapshot(d), None
    except CatalogError as exc:
        return None, f"previous snapshot at {d} unreadable ({exc}); diff is against nothing"


def build_catalog(
    source: Source,
    inputs: Sequence[Path | str] | Path | str | None = None,
    out_dir: Path | str = DEFAULT_SNAPSHOT_DIR,
    previous_dir: Path | str | None = None,
    progress: bool = True,
    regions: list[str] | None = None,
    session: Any = None,
    readers: list[tuple[str, Reader]] | None = None,
) -> BuildReport:
    """Build the catalog from ``source`` and write it atomically to ``out_dir``.

    Parameters
    ----------
    source : {"local", "aws", "offer-files"}
    inputs : path or paths
        ``local``: the data directory (default ``../shared/data``); ``offer-files``: the
        offer files; ``aws``: unused.
    out_dir : path
        Snapshot directory to (re)write; the package snapshot by default.
    previous_dir : path, optional
        Snapshot to diff against and carry tables over from; ``out_dir`` by default.
    regions : list of str, optional
        ``aws`` only: regions to query (all by default).
    session : boto3.Session, optional
        ``aws`` only.
    readers : list of (name, callable), optional
        Replace the ``local`` source's readers (tests; partial builds).

    Raises
    ------
    BuildError
        A reader failed or a needed previous snapshot is missing; nothing was written.
    catalog.errors.CatalogSchemaError
        A merged table fails its schema; nothing was written.
    """
    out_dir = Path(out_dir)
    paths = [Path(p) for p in ([inputs] if isinstance(inputs, str | Path) else inputs or [])]
    prev, prev_warning = _previous(Path(previous_dir) if previous_dir else None, out_dir)
    warnings = [prev_warning] if prev_warning else []
    if source == "local":
        if len(paths) > 1:
            raise BuildError("--source local takes one data directory")
        data_dir = paths[0] if paths else DEFAULT_DATA_DIR
        if not data_dir.is_dir():
            raise BuildError(f"data directory {data_dir} does not exist")
        readers = readers or _local_readers(data_dir)
        build_inputs = [_display_path(data_dir)]
    elif source in ("aws", "offer-files"):
        if prev is None:
            raise BuildError(
                f"--source {source} refreshes EC2 tables only and carries the "
                "others over, so it needs a readable previous snapshot "
                f"(looked in {previous_dir or out_dir})"
            )
        from catalog.sources import live

        def tell(message: str) -> None:
            if progress:
                tqdm.write(f"  {message}", file=sys.stderr)

        if source == "aws":
            readers = [("aws", lambda: live.read_aws(regions, session=session, progress=tell))]
            build_inputs = regions or ["all regions"]
        else:
            if not paths:
                raise BuildError("--source offer-files needs at least one offer file")
            readers = [("offer-files", lambda: live.read_offer_files(paths, progress=tell))]
            build_inputs = [str(p) for p in paths]
    else:
        raise BuildError(f"unknown source {source!r}; expected local, aws or offer-files")

    result = _run_readers(readers, progress)
    tables: dict[str, pd.DataFrame] = {}
    carried: dict[str, str] = {}
    for name in TABLES:
        if name in result.tables:
            new = merge_table(name, [result.tables[name]])
            if source != "local" and prev is not None:
                new = _update_from_previous(name, new, prev.tables[name])
            tables[name] = new
        elif source != "local" and prev is not None:
            tables[name] = prev.tables[name]
            carried[name] = prev.version
        else:
            raise BuildError(f"no source produced table {name!r}; nothing was written")
    gaps = list(dict.fromkeys([*STANDING_GAPS, *result.coverage_gaps]))
    warnings += _finish(tables, gaps)
    tables = {name: validate_table(name, tables[name]) for name in TABLES}
    diff = diff_tables(tables, prev.tables if prev else None)

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Two readers may cite one file (burstable facts feed both ec2 and facts): list it once.
    sources = list({(s.id, s.path): asdict(s) for s in result.sources}.values())
    if carried and prev is not None:
        sources += [s for s in prev.manifest.get("sources", []) if s not in sources]
        gaps += [g for g in prev.manifest.get("coverage_gaps", []) if g not in gaps]
    manifest = {
        "catalog_version": f"{SCHEMA_VERSION}+{now}",
        "generated_at": now,
        "build": {"source": source, "inputs": build_inputs},
        "carried_over": carried,
        "sources": sources,
        "regions": sorted(set(tables["ec2_prices"]["region"])),
        "coverage_gaps": gaps,
        "diff": diff,
        "notes": warnings,
        "price_attribution": "AWS Price List / aws.amazon.com pricing pages",
    }
    written = write_snapshot(tables, manifest, out_dir)
    return BuildReport(out_dir=out_dir, manifest=written, diff=diff, warnings=warnings)
