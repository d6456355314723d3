"""Database nodes (table ``database``) and database storage/I/O prices (``unit_prices``).

Sources (all under the shared data dir, see PROVENANCE):

* RDS for MySQL / PostgreSQL On-Demand, 33 regions: the pricing-page feeds saved by ec2.shop
  (2024-09-28).  Instance rows carry vCPU and memory; rows without ``Instance Type`` are
  storage / IOPS prices and go to ``unit_prices`` (``rds.storage.*``).
* RDS RI 1-yr No Upfront, us-east-1 (ec2.shop, 2025-04-04).  Each entry also carries a newer
  On-Demand price of the same class and deployment; the newest price wins, so us-east-1 rows
  take it, with the RI file's date and source id.
* Aurora On-Demand, 34 regions (aws-price-watcher, 2025-05-23); engine and storage mode come
  from the readable key or, for hashed keys, from the feed's ``sets``.  vCPU / memory are
  joined from the RDS rows of the same class (absent stays NaN).
* Aurora and RDS storage / I/O from aws-price-watcher's processed feeds (2025-05-03); where they
  and the 2024 RDS feeds price the same item the newer wins.
* Redshift nodes and Serverless RPU-hours (aws-price-watcher, 2025-05-12).
* ElastiCache and OpenSearch nodes from ec2instances.info (2025-04-24).

The RDS / Aurora parsing lives in ``catalog.sources.rds``, the helpers shared with the service
reader in ``catalog.sources.feeds``; this module reads the files and merges the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import parse_memory_gib, parse_price
from catalog.regions import region_code
from catalog.sources import SourceResult
from catalog.sources.feeds import (
    DATABASE_KEY,
    PW_ORIGIN,
    FeedItem,
    RegionMapper,
    database_frame,
    db_row,
    feed_date,
    feed_item_rows,
    feed_number,
    generation,
    load_json,
    price_row,
    processed_meta,
    region_mapper,
    set_descriptors,
    source_record,
    unit_price_frame,
)
from catalog.sources.rds import (
    AURORA,
    AURORA_STORAGE_ITEMS,
    RDS_OD_DIR,
    RDS_RI_DIR,
    class_specs,
    merge_rds_reserved,
    parse_aurora,
    parse_rds_ondemand,
    parse_rds_reserved,
    rds_storage_item,
)

REDSHIFT = Path("databases/redshift/redshift.json")
ELASTICACHE = Path("databases/ec2instances.info_elasticache-instances_20250424.json")
OPENSEARCH = Path("databases/ec2instances.info_opensearch-instances_20250424.json")

EC2SHOP_2024 = "yeo/ec2.shop@44337592ba034dd0cdd1e71a1670b17f8c3f6002"
EC2SHOP_2025 = "yeo/ec2.shop@74c9fd8ab5acfd9511cd6535f914d47071601ad2"
EC2INSTANCES_ORIGIN = "LeanerCloud/ec2-instances-info@f9eafba8b0c94eb59a852a52c2f3c2da8370dcc5"
EC2INSTANCES_LICENSE = "data MIT (ec2instances.info, Garret Heaton); repository code Unlicense"
EC2INSTANCES_DATE = "2025-04-24"  # commit date (PROVENANCE); the files carry no date

# Offer-term codes in a feed entry's rateCode "<sku>.<term>.<dimension>".  JRTCKXETXF is the
# On-Demand term (every ``OnDemand:RateCode`` of the RDS RI files uses it); 4NA7Y494T4 with the
# hourly dimension 6YS6EN2CT7 is the 1-yr Standard No Upfront term of the RDS RI files
# (LeaseContractLength 1yr, PurchaseOption No Upfront).  tests/catalog_services checks both.
ONDEMAND_TERM = "JRTCKXETXF"
RI_1Y_NO_UPFRONT_TERM = "4NA7Y494T4"
HOURLY_DIMENSION = "6YS6EN2CT7"


# ------------------------------------------------------------ Redshift, ElastiCache, OpenSearch
def rate_code_parts(rate_code: str) -> tuple[str, str, str]:
    """(sku, offer term, price dimension) of a feed ``rateCode``."""
    sku, term, dim = (rate_code.split(".") + ["", ""])[:3]
    return sku, term, dim


def parse_redshift(
    feed: Mapping[str, Any], mapper: RegionMapper, meta: Mapping[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Redshift node rows (On-Demand + RI 1-yr No Upfront) and Serverless RPU-hour prices.

    Node entries are told apart by their rateCode's offer term (see ``ONDEMAND_TERM``); an
    entry without vCPU (concurrency scaling, transfer) is not a node price.
    """
    desc = set_descriptors(feed)
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    reserved: dict[tuple[str, str], float] = {}
    serverless = []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        if region is None:
            continue
        for key, e in entries.items():
            text = desc.get(key, key)
            _, term, dim = rate_code_parts(e.get("rateCode", ""))
            if text.startswith("Redshift Serverless compute charges per RPU-Hr"):
                item, tier = "redshift.serverless.rpu_hour", (0.0, float("nan"))
                rpu_usd = parse_price(e["price"])
                serverless.append(
                    price_row(item, region, "USD per RPU-hour", rpu_usd, tier, meta=meta)
                )
                continue
            cls = e.get("Instance Type")
            vcpus, price = feed_number(e.get("vCPU")), feed_number(e["price"])
            if not cls or vcpus is None or price is None:
                continue
            if term == RI_1Y_NO_UPFRONT_TERM and dim == HOURLY_DIMENSION:
                reserved[(cls, region)] = price
            elif term == ONDEMAND_TERM and dim == HOURLY_DIMENSION:
                nodes.setdefault(
                    (cls, region),
                    db_row(
                        "redshift",
                        "redshift",
                        cls,
                        "provisioned",
                        region=region,
                        meta=meta,
                        vcpus=vcpus,
                        memory_gib=parse_memory_gib(e.get("Memory")),
                        storage_desc=e.get("Storage") or None,
                        ondemand_usd_per_hour=price,
                        current_generation=generation(text),
                    ),
                )
    for k, row in nodes.items():
        row["reserved_1y_no_upfront_usd_per_hour"] = reserved.get(k)
    serverless = list({r["region"]: r for r in serverless}.values())
    return database_frame(list(nodes.values())), serverless


def parse_ec2instances(
    records: list[Mapping[str, Any]], service: str, meta: Mapping[str, str]
) -> pd.DataFrame:
    """ElastiCache or OpenSearch node rows from ec2instances.info records.

    ElastiCache prices sit under ``pricing[region][engine]``, OpenSearch's directly under
    ``pricing[region]`` (engine ``opensearch``).  Keys that are not region codes are skipped.
    """
    rows = []
    for rec in records:
        memory = rec.get("memoryGib") if service == "opensearch" else rec.get("memory")
        common = {
            "vcpus": feed_number(rec.get("vcpu")),
            "memory_gib": parse_memory_gib(memory),
            "storage_desc": rec.get("storage") or None,
            "current_generation": {"Yes": True, "No": False}.get(str(rec.get("currentGeneration"))),
        }
        for region, prices in (rec.get("pricing") or {}).items():
            if region_code(region, {}) is None:
                continue
            by_engine = {"opensearch": prices} if service == "opensearch" else prices
            for engine, p in by_engine.items():
                od = feed_number(p.get("ondemand")) if isinstance(p, Mapping) else None
                if od is None:
                    continue
                ri = feed_number((p.get("reserved") or {}).get("yrTerm1Standard.noUpfront"))
                rows.append(
                    db_row(
                        service,
                        engine.lower(),
                        rec["instance_type"],
                        "node",
                        region=region,
                        meta=meta,
                        ondemand_usd_per_hour=od,
                        reserved_1y_no_upfront_usd_per_hour=ri,
                        **common,
                    )
                )
    return database_frame(rows).drop_duplicates(DATABASE_KEY)


def newest_wins(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per key: the one with the latest ``price_as_of`` (ties keep the first)."""
    order = df.sort_values("price_as_of", ascending=False, kind="stable")
    return order.drop_duplicates(key).sort_index().reset_index(drop=True)


# --------------------------------------------------------------------------- reader
@dataclass
class _Reading:
    """What every step of :func:`read_databases` shares: the data dir, regions and result."""

    data_dir: Path
    mapper: RegionMapper
    result: SourceResult = field(default_factory=SourceResult)

    def record(self, rel: Path, sid: str, origin: str, date: str, rows: int, **kw: Any) -> None:
        """Record the file ``rel`` in the manifest sources, with its unmapped regions."""
        self.result.sources.append(
            source_record(self.data_dir, rel, sid, origin, date, rows=rows, **kw)
        )
        self.result.coverage_gaps.extend(self.mapper.gap(rel.as_posix()))


def _read_rds(rd: _Reading, units: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RDS MySQL/PostgreSQL rows (On-Demand, then the newer RI files); storage into ``units``.

    Also returns the class specs (vCPU / memory) of the On-Demand rows, which Aurora joins.
    """
    data_dir = rd.data_dir
    rds = []
    for engine in ("mysql", "postgresql"):
        rel = RDS_OD_DIR / f"rds-{engine}-ondemand.json"
        feed = load_json(data_dir / rel)
        date = feed_date(feed)
        meta = {"price_as_of": date, "price_source": f"ec2shop-rds-{engine}-od-{date}"}
        df, storage = parse_rds_ondemand(feed, rd.mapper, meta)
        rds.append(df)
        units += storage
        rd.record(rel, meta["price_source"], EC2SHOP_2024, date, len(df) + len(storage))
    rds_df = pd.concat(rds, ignore_index=True)
    specs = class_specs(rds_df)
    for rel in sorted((data_dir / RDS_RI_DIR).glob("*.json")):
        rel = rel.relative_to(data_dir)
        feed = load_json(data_dir / rel)
        date = feed_date(feed)
        sid = f"ec2shop-{rel.stem.removeprefix('us-east-1-')}-{date}"
        ri = parse_rds_reserved(feed, rd.mapper)
        rds_df = merge_rds_reserved(rds_df, ri, {"price_as_of": date, "price_source": sid}, specs)
        note = "RI 1-yr No Upfront; its On-Demand price supersedes the 2024 feed"
        rd.record(rel, sid, EC2SHOP_2025, date, len(ri), notes=note)
    return rds_df, specs


def _read_aurora(rd: _Reading, specs: pd.DataFrame) -> pd.DataFrame:
    """Aurora rows, vCPU/memory joined from the RDS ``specs``; unknown classes become a gap."""
    feed = load_json(rd.data_dir / AURORA)
    date = feed_date(feed)
    meta = {"price_as_of": date, "price_source": f"pw-aurora-od-{date}"}
    aurora = parse_aurora(feed, specs, rd.mapper, meta)
    rd.record(AURORA, meta["price_source"], PW_ORIGIN, date, len(aurora))
    missing = sorted(aurora.loc[aurora["vcpus"].isna(), "instance_class"].unique())
    if missing:
        rd.result.coverage_gaps.append(
            f"aurora: no vCPU/memory source for {len(missing)} classes ({', '.join(missing[:8])}"
            f"{' ...' if len(missing) > 8 else ''}); left unknown"
        )
    return aurora


def _read_redshift(rd: _Reading, units: list[dict[str, Any]]) -> pd.DataFrame:
    """Redshift node rows; the Serverless RPU-hour prices go into ``units``."""
    feed = load_json(rd.data_dir / REDSHIFT)
    date = feed_date(feed)
    meta = {"price_as_of": date, "price_source": f"pw-redshift-{date}"}
    redshift, serverless = parse_redshift(feed, rd.mapper, meta)
    units += serverless
    rd.record(REDSHIFT, meta["price_source"], PW_ORIGIN, date, len(redshift) + len(serverless))
    return redshift


def _read_storage(rd: _Reading, units: list[dict[str, Any]]) -> None:
    """RDS and Aurora storage / I/O prices from the processed feeds, into ``units``."""
    for name in ("rds-storage", "rds-aurora-storage"):
        rel, sid, date = processed_meta(rd.data_dir, name)
        metrics = load_json(rd.data_dir / rel)
        meta = {"price_as_of": date, "price_source": sid}
        before = len(units)
        for metric in metrics:
            found = rds_storage_item(metric) if name == "rds-storage" else None
            if found:
                spec = FeedItem(found[0], name, found[1], "none", (metric,))
                units += feed_item_rows(spec, metrics, rd.mapper, meta)
        if name == "rds-aurora-storage":
            for spec in AURORA_STORAGE_ITEMS:
                units += feed_item_rows(spec, metrics, rd.mapper, meta)
        rd.record(Path(rel), sid, PW_ORIGIN, date, len(units) - before)



#: Redshift Managed Storage: the stored feed holds 0.024 rows per RA3 node type under hashed
#: keys that name no usage type (facts/aws_service_prices_us-east-1_2025.csv marks it
#: unverified, no value), so no RMS price is read; the database rules name it as unpriced.
REDSHIFT_RMS_GAP = (
    "redshift.managed_storage_gb_month (Redshift Managed Storage, RA3/Serverless, "
    "https://aws.amazon.com/redshift/pricing/): not in the stored sources (the feed's rows "
    "cannot be tied to RMS); RA3 options name it as unpriced; a live build (--source aws, "
    "AmazonRedshift RMS:* usage types) brings it"
)
#: OpenSearch EBS storage per GB-month: the stored OpenSearch file has instances only.
OPENSEARCH_STORAGE_GAP = (
    "OpenSearch EBS storage per GB-month (https://aws.amazon.com/opensearch-service/pricing/): "
    "not in the stored sources (instance prices only); OpenSearch options name it as unpriced"
)

def read_databases(data_dir: Path) -> SourceResult:
    """Read every database source under ``data_dir``.

    Returns
    -------
    SourceResult
        Tables ``database`` and ``unit_prices`` (RDS / Aurora storage and I/O, Redshift
        Serverless), one record per file and the coverage gaps.
    """
    data_dir = Path(data_dir)
    rd = _Reading(data_dir, region_mapper(data_dir))
    result = rd.result
    units: list[dict[str, Any]] = []
    rds_df, specs = _read_rds(rd, units)
    frames = [rds_df, _read_aurora(rd, specs), _read_redshift(rd, units)]
    for rel, service in ((ELASTICACHE, "elasticache"), (OPENSEARCH, "opensearch")):
        sid = f"ec2instances-{service}-{EC2INSTANCES_DATE}"
        meta = {"price_as_of": EC2INSTANCES_DATE, "price_source": sid}
        df = parse_ec2instances(load_json(data_dir / rel), service, meta)
        frames.append(df)
        rd.record(
            rel, sid, EC2INSTANCES_ORIGIN, EC2INSTANCES_DATE, len(df), license=EC2INSTANCES_LICENSE
        )
    _read_storage(rd, units)

    db = pd.concat(frames, ignore_index=True)
    result.tables["database"] = db.reset_index(drop=True)
    up = unit_price_frame(units)
    result.tables["unit_prices"] = newest_wins(up, ["item", "region", "tier_start", "to_region"])
    result.coverage_gaps += [
        "rds/aurora: reserved prices only for RDS MySQL/PostgreSQL in us-east-1 (RI 1-yr No "
        "Upfront); other regions, Aurora RI and 3-yr terms are not in the stored sources",
        "rds: engines other than MySQL/PostgreSQL (MariaDB, Oracle, SQL Server, Db2) not covered",
        REDSHIFT_RMS_GAP,
        OPENSEARCH_STORAGE_GAP,
    ]
    return result
