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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import parse_memory_gib, parse_price
from catalog.regions import region_code
from catalog.schema import TABLES
from catalog.sources import SourceResult
from catalog.sources.services import (
    FeedItem,
    RegionMapper,
    feed_date,
    feed_item_rows,
    load_json,
    price_row,
    processed_meta,
    region_mapper,
    set_descriptors,
    source_record,
    unit_price_frame,
)

RDS_OD_DIR = Path("databases/rds/ec2shop_ondemand_20240928")
RDS_RI_DIR = Path("databases/rds/ec2shop_reserved_us-east-1_20250404")
AURORA = Path("databases/aurora/rds-aurora-ondemand.json")
REDSHIFT = Path("databases/redshift/redshift.json")
ELASTICACHE = Path("databases/ec2instances.info_elasticache-instances_20250424.json")
OPENSEARCH = Path("databases/ec2instances.info_opensearch-instances_20250424.json")

EC2SHOP_2024 = "yeo/ec2.shop@44337592ba034dd0cdd1e71a1670b17f8c3f6002"
EC2SHOP_2025 = "yeo/ec2.shop@74c9fd8ab5acfd9511cd6535f914d47071601ad2"
PW_ORIGIN = "iann0036/aws-price-watcher@d65c44f0cbfbfc8bf647809576a504ecf1587e8d"
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

DATABASE_COLUMNS = list(TABLES["database"].to_schema().columns)  # order as in catalog.schema
_KEY = ["service", "engine", "instance_class", "deployment", "region"]

_RDS_STORAGE = re.compile(
    r"^Database Storage (?P<dep>Single AZ|Multi AZ readable standbys|Multi AZ) "
    r"(?P<vol>General Purpose-GP3|General Purpose|Provisioned IOPS-IO2|Provisioned IOPS|Magnetic)$"
)
_RDS_PROVISIONED = re.compile(
    r"^Provisioned (?P<what>GP3 IOPS|IO2 IOPS|IOPS|Throughput) "
    r"(?P<dep>Single AZ|Multi AZ readable standbys|Multi AZ)$"
)
_VOLUME = {"General Purpose-GP3": "gp3", "General Purpose": "gp2", "Provisioned IOPS-IO2": "io2",
           "Provisioned IOPS": "io1", "Magnetic": "magnetic"}  # fmt: skip
_PROVISIONED = {
    "GP3 IOPS": ("gp3_iops_month", "USD per IOPS-month"),
    "IO2 IOPS": ("io2_iops_month", "USD per IOPS-month"),
    "IOPS": ("io1_iops_month", "USD per IOPS-month"),
    "Throughput": ("gp3_throughput_mbps_month", "USD per MBps-month"),
}
_STORAGE_PREFIX = {
    "Single AZ": "rds.storage.",
    "Multi AZ": "rds.storage.multi_az.",
    "Multi AZ readable standbys": "rds.storage.multi_az_readable_standbys.",
}

AURORA_STORAGE_ITEMS = (
    FeedItem("aurora.storage_gb_month", "rds-aurora-storage", "USD per GB-month", "none",
             ("Database Storage DB Engine Aurora PostgreSQL General Purpose Aurora",),
             "Aurora Standard storage; the feed names the key for Aurora PostgreSQL only"),
    FeedItem("aurora.io_request", "rds-aurora-storage", "USD per I/O request", "none",
             ("System Operation Aurora I O Operation",), "Aurora Standard; per I/O request"),
    FeedItem("aurora.io_optimized.storage_gb_month", "rds-aurora-storage", "USD per GB-month",
             "none", ("Any IO Optimized Aurora",), "Aurora I/O-Optimized storage"),
)  # fmt: skip


# --------------------------------------------------------------------------- key parsing
def rds_deployment(text: str) -> str | None:
    """``single_az`` / ``multi_az`` / ``multi_az_readable_standbys`` named in a key, else None."""
    if re.search(r"Multi[- ]?AZ readable standbys", text):
        return "multi_az_readable_standbys"
    if re.search(r"Multi[- ]?AZ", text):
        return "multi_az"
    if re.search(r"Single[- ]?AZ", text):
        return "single_az"
    return None


def rds_engine(text: str) -> str | None:
    """``postgresql`` / ``mysql`` named in a key or engine field (Aurora or RDS), else None."""
    if "PostgreSQL" in text:
        return "postgresql"
    if "MySQL" in text:
        return "mysql"
    return None


def aurora_deployment(text: str) -> str:
    """``io_optimized`` when the key names Aurora's I/O optimization mode, else ``standard``."""
    return "io_optimized" if "IO Optimization Mode" in text else "standard"


def generation(text: str) -> bool | None:
    """True / False for "Current" / "Previous Generation" in a key, None when not stated."""
    if "Current Generation" in text:
        return True
    if "Previous Generation" in text:
        return False
    return None


def rds_storage_item(name: str) -> tuple[str, str] | None:
    """(item id, unit) of an RDS storage / IOPS / throughput key, None for anything else.

    >>> rds_storage_item("Database Storage Multi AZ General Purpose-GP3")
    ('rds.storage.multi_az.gp3_gb_month', 'USD per GB-month')
    >>> rds_storage_item("Provisioned IOPS Single AZ")
    ('rds.storage.io1_iops_month', 'USD per IOPS-month')
    """
    m = _RDS_STORAGE.match(name)
    if m:
        return f"{_STORAGE_PREFIX[m['dep']]}{_VOLUME[m['vol']]}_gb_month", "USD per GB-month"
    m = _RDS_PROVISIONED.match(name)
    if m:
        suffix, unit = _PROVISIONED[m["what"]]
        return f"{_STORAGE_PREFIX[m['dep']]}{suffix}", unit
    return None


def rate_code_parts(rate_code: str) -> tuple[str, str, str]:
    """(sku, offer term, price dimension) of a feed ``rateCode``."""
    sku, term, dim = (rate_code.split(".") + ["", ""])[:3]
    return sku, term, dim


def _number(value: Any) -> float | None:
    """A positive number from a feed field; blanks, zero and non-numbers are unknown."""
    try:
        x = parse_price(value)
    except (TypeError, ValueError):
        return None
    return x if x > 0 else None


def database_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a ``database`` frame with the schema's columns and dtypes."""
    df = pd.DataFrame(rows, columns=DATABASE_COLUMNS)
    for col in ("vcpus", "memory_gib", "ondemand_usd_per_hour",
                "reserved_1y_no_upfront_usd_per_hour"):  # fmt: skip
        df[col] = df[col].astype(float)
    df["current_generation"] = df["current_generation"].astype("boolean")
    df["verify"] = df["verify"].astype(bool)
    return df


def _db_row(service: str, engine: str, cls: str, deployment: str, region: str,
            meta: Mapping[str, str], **fields: Any) -> dict[str, Any]:  # fmt: skip
    row = dict.fromkeys(DATABASE_COLUMNS)
    row.update(service=service, engine=engine, instance_class=cls, deployment=deployment,
               region=region, verify=False, **meta, **fields)  # fmt: skip
    return row


# --------------------------------------------------------------------------- RDS / Aurora
def parse_rds_ondemand(
    feed: Mapping[str, Any], mapper: RegionMapper, meta: Mapping[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """RDS instance rows (``database``) and storage rows (``unit_prices`` dicts) of one feed."""
    desc = set_descriptors(feed)
    rows, storage = [], []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        if region is None:
            continue
        for key, e in entries.items():
            text = desc.get(key, key)
            if not e.get("Instance Type"):
                found = rds_storage_item(text)
                if found:
                    tier = (0.0, float("nan"))
                    storage.append(price_row(found[0], region, found[1],
                                             parse_price(e["price"]), tier, meta))  # fmt: skip
                continue
            engine, deployment = rds_engine(text), rds_deployment(text)
            price = _number(e["price"])
            if engine is None or deployment is None or price is None:
                continue
            rows.append(_db_row(
                "rds", engine, e["Instance Type"], deployment, region, meta,
                vcpus=_number(e.get("vCPU")), memory_gib=parse_memory_gib(e.get("Memory")),
                ondemand_usd_per_hour=price, current_generation=generation(text),
            ))  # fmt: skip
    return database_frame(rows).drop_duplicates(_KEY), storage


def parse_rds_reserved(feed: Mapping[str, Any], mapper: RegionMapper) -> pd.DataFrame:
    """RI entries as (engine, instance_class, deployment, region, reserved, ondemand) rows."""
    rows = []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        for e in entries.values():
            engine = rds_engine(e.get("Database Engine", ""))
            deployment = rds_deployment(e.get("Deployment Option", ""))
            if region is None or engine is None or deployment is None:
                continue
            rows.append({"engine": engine, "instance_class": e["Instance Type"],
                         "deployment": deployment, "region": region,
                         "reserved": _number(e["price"]),
                         "ondemand": _number(e.get("OnDemand:PricePerUnit"))})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["engine", "instance_class", "deployment", "region", "reserved", "ondemand"]
    )


def merge_rds_reserved(
    od: pd.DataFrame, ri: pd.DataFrame, meta: Mapping[str, str], specs: pd.DataFrame
) -> pd.DataFrame:
    """Fill RI prices into the RDS rows; the RI file's newer On-Demand price wins.

    Classes the RI file prices but the On-Demand feed lacks get a row of their own, with vCPU
    and memory from ``specs`` (``instance_class``, ``vcpus``, ``memory_gib``) where known.
    """
    key = ["engine", "instance_class", "deployment", "region"]
    out = od.copy().reset_index(drop=True)
    lookup = ri.drop_duplicates(key).set_index(key)
    idx = pd.MultiIndex.from_frame(out[key])
    matched = lookup.reindex(idx)
    has_ri = matched["reserved"].notna().to_numpy()
    out.loc[has_ri, "reserved_1y_no_upfront_usd_per_hour"] = matched["reserved"].to_numpy()[has_ri]
    # Newest wins: the RI file's On-Demand price replaces an older feed's, with its date.
    newer = (
        has_ri
        & matched["ondemand"].notna().to_numpy()
        & (out["price_as_of"] < meta["price_as_of"]).to_numpy()
    )
    out.loc[newer, "ondemand_usd_per_hour"] = matched["ondemand"].to_numpy()[newer]
    out.loc[newer, "price_as_of"] = meta["price_as_of"]
    out.loc[newer, "price_source"] = meta["price_source"]
    lookup = lookup.dropna(subset=["ondemand"])
    extra = lookup[~lookup.index.isin(idx)].reset_index()
    extra = extra.merge(specs, on="instance_class", how="left")
    new_rows = [
        _db_row("rds", r.engine, r.instance_class, r.deployment, r.region, meta,
                vcpus=r.vcpus, memory_gib=r.memory_gib, ondemand_usd_per_hour=r.ondemand,
                reserved_1y_no_upfront_usd_per_hour=r.reserved)
        for r in extra.itertuples(index=False)
    ]  # fmt: skip
    return pd.concat([out, database_frame(new_rows)], ignore_index=True)


def parse_aurora(
    feed: Mapping[str, Any], specs: pd.DataFrame, mapper: RegionMapper, meta: Mapping[str, str]
) -> pd.DataFrame:
    """Aurora instance rows; readable keys and hashed keys (described by ``sets``) alike."""
    desc = set_descriptors(feed)
    rows = []
    for name, entries in feed["regions"].items():
        region = mapper.code(name)
        if region is None:
            continue
        for key, e in entries.items():
            text = desc.get(key, key)
            engine, price = rds_engine(text), _number(e.get("price"))
            if not e.get("Instance Type") or engine is None or price is None:
                continue
            rows.append(_db_row("aurora", engine, e["Instance Type"], aurora_deployment(text),
                                region, meta, ondemand_usd_per_hour=price,
                                current_generation=generation(text)))  # fmt: skip
    df = database_frame(rows).drop_duplicates(_KEY).drop(columns=["vcpus", "memory_gib"])
    df = df.merge(specs, on="instance_class", how="left")
    return database_frame(df[DATABASE_COLUMNS].to_dict("records"))


def class_specs(rds: pd.DataFrame) -> pd.DataFrame:
    """vCPU and memory per DB instance class, as the RDS feed states them."""
    known = rds.dropna(subset=["vcpus", "memory_gib"])
    return known.drop_duplicates("instance_class")[["instance_class", "vcpus", "memory_gib"]]


# --------------------------------------------------------------------------- other engines
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
                tier = (0.0, float("nan"))
                serverless.append(price_row("redshift.serverless.rpu_hour", region,
                                            "USD per RPU-hour", parse_price(e["price"]),
                                            tier, meta))  # fmt: skip
                continue
            cls, vcpus, price = e.get("Instance Type"), _number(e.get("vCPU")), _number(e["price"])
            if not cls or vcpus is None or price is None:
                continue
            if term == RI_1Y_NO_UPFRONT_TERM and dim == HOURLY_DIMENSION:
                reserved[(cls, region)] = price
            elif term == ONDEMAND_TERM and dim == HOURLY_DIMENSION:
                nodes.setdefault((cls, region), _db_row(
                    "redshift", "redshift", cls, "provisioned", region, meta, vcpus=vcpus,
                    memory_gib=parse_memory_gib(e.get("Memory")),
                    storage_desc=e.get("Storage") or None, ondemand_usd_per_hour=price,
                    current_generation=generation(text),
                ))  # fmt: skip
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
            "vcpus": _number(rec.get("vcpu")),
            "memory_gib": parse_memory_gib(memory),
            "storage_desc": rec.get("storage") or None,
            "current_generation": {"Yes": True, "No": False}.get(rec.get("currentGeneration")),
        }
        for region, prices in (rec.get("pricing") or {}).items():
            if region_code(region, {}) is None:
                continue
            by_engine = {"opensearch": prices} if service == "opensearch" else prices
            for engine, p in by_engine.items():
                od = _number(p.get("ondemand")) if isinstance(p, Mapping) else None
                if od is None:
                    continue
                ri = _number((p.get("reserved") or {}).get("yrTerm1Standard.noUpfront"))
                rows.append(_db_row(service, engine.lower(), rec["instance_type"], "node", region,
                                    meta, ondemand_usd_per_hour=od,
                                    reserved_1y_no_upfront_usd_per_hour=ri, **common))  # fmt: skip
    return database_frame(rows).drop_duplicates(_KEY)


def newest_wins(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per key: the one with the latest ``price_as_of`` (ties keep the first)."""
    order = df.sort_values("price_as_of", ascending=False, kind="stable")
    return order.drop_duplicates(key).sort_index().reset_index(drop=True)


# --------------------------------------------------------------------------- reader
def read_databases(data_dir: Path) -> SourceResult:
    """Read every database source under ``data_dir``.

    Returns
    -------
    SourceResult
        Tables ``database`` and ``unit_prices`` (RDS / Aurora storage and I/O, Redshift
        Serverless), one record per file and the coverage gaps.
    """
    data_dir = Path(data_dir)
    mapper = region_mapper(data_dir)
    result = SourceResult()
    frames: list[pd.DataFrame] = []
    units: list[dict[str, Any]] = []

    def record(rel: Path, sid: str, origin: str, date: str, rows: int, **kw: Any) -> None:
        result.sources.append(source_record(data_dir, rel, sid, origin, date, rows, **kw))
        result.coverage_gaps.extend(mapper.gap(rel.as_posix()))

    rds = []
    for engine in ("mysql", "postgresql"):
        rel = RDS_OD_DIR / f"rds-{engine}-ondemand.json"
        feed = load_json(data_dir / rel)
        date = feed_date(feed)
        meta = {"price_as_of": date, "price_source": f"ec2shop-rds-{engine}-od-{date}"}
        df, storage = parse_rds_ondemand(feed, mapper, meta)
        rds.append(df)
        units += storage
        record(rel, meta["price_source"], EC2SHOP_2024, date, len(df) + len(storage))
    rds_df = pd.concat(rds, ignore_index=True)
    specs = class_specs(rds_df)
    for rel in sorted((data_dir / RDS_RI_DIR).glob("*.json")):
        rel = rel.relative_to(data_dir)
        feed = load_json(data_dir / rel)
        date = feed_date(feed)
        sid = f"ec2shop-{rel.stem.removeprefix('us-east-1-')}-{date}"
        ri = parse_rds_reserved(feed, mapper)
        rds_df = merge_rds_reserved(rds_df, ri, {"price_as_of": date, "price_source": sid}, specs)
        note = "RI 1-yr No Upfront; its On-Demand price supersedes the 2024 feed"
        record(rel, sid, EC2SHOP_2025, date, len(ri), notes=note)
    frames.append(rds_df)

    feed = load_json(data_dir / AURORA)
    meta = {"price_as_of": feed_date(feed), "price_source": f"pw-aurora-od-{feed_date(feed)}"}
    aurora = parse_aurora(feed, specs, mapper, meta)
    frames.append(aurora)
    record(AURORA, meta["price_source"], PW_ORIGIN, meta["price_as_of"], len(aurora))
    missing = sorted(aurora.loc[aurora["vcpus"].isna(), "instance_class"].unique())
    if missing:
        result.coverage_gaps.append(
            f"aurora: no vCPU/memory source for {len(missing)} classes ({', '.join(missing[:8])}"
            f"{' ...' if len(missing) > 8 else ''}); left unknown"
        )

    feed = load_json(data_dir / REDSHIFT)
    meta = {"price_as_of": feed_date(feed), "price_source": f"pw-redshift-{feed_date(feed)}"}
    redshift, serverless = parse_redshift(feed, mapper, meta)
    frames.append(redshift)
    units += serverless
    record(REDSHIFT, meta["price_source"], PW_ORIGIN, meta["price_as_of"],
           len(redshift) + len(serverless))  # fmt: skip

    for rel, service in ((ELASTICACHE, "elasticache"), (OPENSEARCH, "opensearch")):
        sid = f"ec2instances-{service}-{EC2INSTANCES_DATE}"
        meta = {"price_as_of": EC2INSTANCES_DATE, "price_source": sid}
        df = parse_ec2instances(load_json(data_dir / rel), service, meta)
        frames.append(df)
        record(rel, sid, EC2INSTANCES_ORIGIN, EC2INSTANCES_DATE, len(df),
               license=EC2INSTANCES_LICENSE)  # fmt: skip

    for name in ("rds-storage", "rds-aurora-storage"):
        rel, sid, date = processed_meta(data_dir, name)
        metrics = load_json(data_dir / rel)
        meta = {"price_as_of": date, "price_source": sid}
        before = len(units)
        for metric in metrics:
            found = rds_storage_item(metric) if name == "rds-storage" else None
            if found:
                spec = FeedItem(found[0], name, found[1], "none", (metric,))
                units += feed_item_rows(spec, metrics, mapper, meta)
        if name == "rds-aurora-storage":
            for spec in AURORA_STORAGE_ITEMS:
                units += feed_item_rows(spec, metrics, mapper, meta)
        record(Path(rel), sid, PW_ORIGIN, date, len(units) - before)

    db = pd.concat(frames, ignore_index=True)
    result.tables["database"] = db.reset_index(drop=True)
    up = unit_price_frame(units)
    result.tables["unit_prices"] = newest_wins(up, ["item", "region", "tier_start", "to_region"])
    result.coverage_gaps += [
        "rds/aurora: reserved prices only for RDS MySQL/PostgreSQL in us-east-1 (RI 1-yr No "
        "Upfront); other regions, Aurora RI and 3-yr terms are not in the stored sources",
        "rds: engines other than MySQL/PostgreSQL (MariaDB, Oracle, SQL Server, Db2) not covered",
    ]
    return result
