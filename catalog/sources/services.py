"""Usage-priced services (table ``unit_prices``) and Lambda/Fargate facts (table ``facts``).

Prices come from the aws.amazon.com pricing-page feeds as saved by iann0036/aws-price-watcher
(``services/aws-price-watcher_20250524``): the repository's ``processed/*.json`` flattening
(``{metric: {region name [+ " (StartingRange: a, EndingRange: b)" | " (To Location: X)"]:
price}}``) for every region, and ``raw/cloudfront.json`` for CloudFront's per-geography
egress tiers.  The hand-written ``facts/*.csv`` give the Lambda/Fargate limits, the Lambda
duration tier boundaries (the feed has the tier prices but not their bounds) and, from
``aws_service_prices_us-east-1_2025.csv``, the items no source prices (coverage gaps).

The feed helpers shared with the database readers (region keys, tiers, dates, row builders,
processed-feed items) live in ``catalog.sources.feeds``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import parse_price
from catalog.schema import TABLES
from catalog.sources import SourceResult
from catalog.sources.feeds import (
    PW_DIR,
    PW_ORIGIN,
    FeedItem,
    RegionMapper,
    feed_date,
    feed_item_rows,
    load_json,
    parse_region_key,
    price_row,
    processed_meta,
    region_mapper,
    source_record,
    unit_price_frame,
)

SERVICE_PRICES_CSV = Path("facts/aws_service_prices_us-east-1_2025.csv")
LAMBDA_FACTS = Path("facts/lambda_facts.csv")
FARGATE_FACTS = Path("facts/fargate_facts.csv")

# Column order exactly as declared in catalog.schema.
FACT_COLUMNS = list(TABLES["facts"].to_schema().columns)

_VERIFY_WORDS = re.compile(
    r"\bverify\b|unverified|not re-?verified|not re-?checked|not from an official", re.I
)


# --------------------------------------------------------------------------- item map
# item | processed file | unit | tiers | metric[; metric per further tier] | notes
_ITEM_TABLE = """
lambda.request | lambda | USD per request | none | Lambda Requests | x86_64 metric
lambda.request.arm64 | lambda | USD per request | none | Lambda Requests-ARM |
lambda.duration.x86_64 | lambda | USD per GB-second | lambda | Lambda Duration; Lambda Duration Tier2; Lambda Duration Tier3 |
lambda.duration.arm64 | lambda | USD per GB-second | lambda | Lambda Duration-ARM; Lambda Duration-ARM Tier2; Lambda Duration-ARM Tier3 |
lambda.ephemeral_storage_gb_second | lambda | USD per GB-second | none | Lambda Storage-Duration | storage above the included 512 MB
fargate.vcpu_hour.x86_64 | ecs | USD per vCPU-hour | none | perCPU per hour | Linux
fargate.vcpu_hour.arm64 | ecs | USD per vCPU-hour | none | ARM perCPU per hour | Linux
fargate.gb_hour.x86_64 | ecs | USD per GB-hour | none | perGB per hour | Linux
fargate.gb_hour.arm64 | ecs | USD per GB-hour | none | ARM perGB per hour | Linux
fargate.ephemeral_storage_gb_hour | ecs | USD per GB-hour | none | Storage per GB-Hours | storage above the included 20 GB
dynamodb.on_demand.read_request_unit | dynamodb | USD per read request unit | none | PayPerRequest Read Request Units | Standard table class
dynamodb.on_demand.write_request_unit | dynamodb | USD per write request unit | none | PayPerRequest Write Request Units | Standard table class
dynamodb.provisioned.rcu_hour | dynamodb | USD per RCU-hour | none | Provisioned Read Units | unit inferred: the key says only "Units"
dynamodb.provisioned.wcu_hour | dynamodb | USD per WCU-hour | none | Provisioned Write Units | unit inferred: the key says only "Units"
dynamodb.storage_gb_month | dynamodb | USD per GB-month | none | Data Storage Indexed GB-Mo | Standard table class; free tier not included
s3.standard.storage_gb_month | s3 | USD per GB-month | metric | Standard Storage First 50 TB per GB Mo; Standard Storage Next 450 TB per GB Mo; Standard Storage Over 500 TB per GB Mo |
s3.standard.put_request | s3 | USD per request | none | PUT COPY/POST or LIST requests per Requests |
s3.standard.get_request | s3 | USD per request | none | GET and all other requests per Requests |
s3.intelligent_tiering.storage_gb_month | s3 | USD per GB-month | metric | Intelligent Tiering Frequent Access First 50 TB per GB Mo; Intelligent Tiering Frequent Access Next 450 TB per GB Mo; Intelligent Tiering Frequent Access Over 500 TB per GB Mo | Frequent Access tier; monitoring fee not included
s3.intelligent_tiering.monitoring_object_month | s3 | USD per object-month | none | Per object per month monitoring and automation fee for objects in Intelligent Tiering | monitoring and automation, objects of 128 KB or more (https://aws.amazon.com/s3/pricing/)
s3.intelligent_tiering.put_request | s3 | USD per request | none | PUT COPY/POST or LIST requests to Intelligent Tiering per Requests |
s3.intelligent_tiering.get_request | s3 | USD per request | none | GET and all other requests to Intelligent Tiering per Requests |
s3.standard_ia.storage_gb_month | s3 | USD per GB-month | none | Standard Infrequent Access Storage per GB-Mo | retrieval fee not included
s3.standard_ia.put_request | s3 | USD per request | none | PUT COPY/POST or LIST requests to Standard Infrequent Access per Requests |
s3.standard_ia.get_request | s3 | USD per request | none | GET and all other requests to Standard Infrequent Access per Requests |
s3.one_zone_ia.storage_gb_month | s3 | USD per GB-month | none | One Zone Infrequent Access Storage Inf per GB-Mo | retrieval fee not included
s3.one_zone_ia.put_request | s3 | USD per request | none | PUT COPY/POST or LIST requests to One Zone Infrequent Access per Requests |
s3.one_zone_ia.get_request | s3 | USD per request | none | GET and all other requests to One Zone Infrequent Access per Requests |
s3.glacier_instant.storage_gb_month | s3 | USD per GB-month | none | Glacier Instant Retrieval Storage | unit inferred (GB-month)
s3.glacier_instant.put_request | s3 | USD per request | none | PUT COPY/POST or LIST requests to Glacier Instant Retrieval per Requests |
s3.glacier_instant.get_request | s3 | USD per request | none | GET and all other requests to Glacier Instant Retrieval per Requests |
s3.glacier_flexible.storage_gb_month | s3 | USD per GB-month | none | Glacier Storage per GB Mo |
s3.glacier_flexible.put_request | s3 | USD per request | none | PUT requests to Glacier per Requests |
s3.glacier_flexible.get_request | s3 | USD per request | none | GET and all other requests to GLACIER per Requests |
s3.glacier_deep_archive.storage_gb_month | s3glacierdeeparchive | USD per GB-month | none | Glacier Deep Archive GB Mo |
s3.glacier_deep_archive.put_request | s3glacierdeeparchive | USD per request | none | PUT to Glacier Deep Archive Requests |
s3.glacier_deep_archive.get_request | s3 | USD per request | none | GET and all other requests to GDA per Requests |
s3.glacier_flexible.restore_request | s3 | USD per request | none | Restore Object per Requests | Standard retrieval restore requests (https://aws.amazon.com/s3/pricing/)
s3.glacier_deep_archive.restore_request | s3glacierdeeparchive | USD per request | none | GDA Standard Restore Requests | Standard retrieval restore requests (https://aws.amazon.com/s3/pricing/)
s3.express_one_zone.storage_gb_month | s3 | USD per GB-month | none | Express One Zone Storage Inf per GB Mo | directory buckets in one Availability Zone; requests and per-GB upload/retrieval charges not included
s3.standard_ia.retrieval_gb | s3 | USD per GB | none | Object Retrieval in Standard Infrequent Access per GB | data retrieval per GB (https://aws.amazon.com/s3/pricing/)
s3.one_zone_ia.retrieval_gb | s3 | USD per GB | none | Object Retrieval in One Zone Infrequent Access per GB | data retrieval per GB (https://aws.amazon.com/s3/pricing/)
s3.glacier_instant.retrieval_gb | s3 | USD per GB | none | Object Retrieval in Glacier Instant Retrieval per GB | data retrieval per GB (https://aws.amazon.com/s3/pricing/)
s3.glacier_flexible.retrieval_gb | s3 | USD per GB | none | Glacier S3 Standard Retrieval RestoreObject | Standard retrieval (RestoreObject) per GB; Bulk and Expedited are priced otherwise (https://aws.amazon.com/s3/pricing/)
s3.glacier_deep_archive.retrieval_gb | s3glacierdeeparchive | USD per GB | none | S3 Standard-Retrieval GB | Standard retrieval (RestoreObject) per GB; Bulk is priced otherwise (https://aws.amazon.com/s3/pricing/)
efs.standard.storage_gb_month | efs | USD per GB-month | none | General Purpose Storage GB Mo | Regional
efs.ia.storage_gb_month | efs | USD per GB-month | none | Infrequent Access ET Storage GB Mo | Regional; with Elastic Throughput (ET, the default mode): https://aws.amazon.com/efs/pricing/
efs.ia.storage_gb_month_bursting_provisioned | efs | USD per GB-month | none | Infrequent Access Storage GB Mo | Regional; the legacy IA rate, with Bursting or Provisioned Throughput
efs.ia.read_gb | efs | USD per GB | none | Infrequent Access Requests Read per GB | IA data access (reads)
efs.ia.tiering_gb | efs | USD per GB | none | Infrequent Access Requests Write per GB | IA tiering (writes into IA)
efs.archive.read_gb | efs | USD per GB | none | Archive Storage Read Read GB | Archive data access (reads)
efs.archive.tiering_gb | efs | USD per GB | none | Archive Storage Write Write GB | Archive tiering (writes into Archive)
efs.elastic.read_gb | efs | USD per GB | none | EFS Storage Requests Read per GB | Elastic Throughput reads; mapping of the key to Elastic Throughput from the AWS pricing page layout
efs.elastic.write_gb | efs | USD per GB | none | EFS Storage Requests Write per GB | Elastic Throughput writes; mapping of the key to Elastic Throughput from the AWS pricing page layout
efs.provisioned.throughput_mbps_month | efs | USD per MBps-month | none | Throughput Provisioned | Provisioned Throughput above the included (bursting) baseline
efs.archive.storage_gb_month | efs | USD per GB-month | none | Archive Storage GB Mo |
efs.one_zone.storage_gb_month | efs | USD per GB-month | none | One Zone General Purpose Storage GB Mo |
efs.one_zone_ia.storage_gb_month | efs | USD per GB-month | none | One Zone Infrequent Access Storage GB Mo | One Zone file systems, Infrequent Access class (https://aws.amazon.com/efs/pricing/)
datatransfer.internet_out | datatransfer | USD per GB | key | DataTransfer External Outbound Next 10 TB; DataTransfer External Outbound Next 40 TB; DataTransfer External Outbound Next 100 TB; DataTransfer External Outbound Greater than 150 TB |
cloudfront.https_request | cloudfront | USD per request | edge | Request HTTPS Methods |
cloudfront.http_request | cloudfront | USD per request | edge | Request HTTP Methods |
sqs.standard.request | queueservice | USD per request | none | Standard per Requests | first paid tier only: the feed has no tier bounds; free tier not included
sqs.fifo.request | queueservice | USD per request | none | FIFO first-in first-out per Requests | first paid tier only: the feed has no tier bounds
kinesis.shard_hour | kinesis | USD per shard-hour | none | Provisioned shard hour per ShardHour | provisioned mode
kinesis.put_payload_unit | kinesis | USD per PUT payload unit (25 KB) | none | Payload Units per PutRequest | provisioned mode
"""  # noqa: E501


def parse_item_table(text: str) -> tuple[FeedItem, ...]:
    """The :class:`FeedItem` rows of a ``|``-separated table (see ``_ITEM_TABLE``)."""
    items = []
    for line in text.strip().splitlines():
        item, file, unit, tiers, metrics, notes = (c.strip() for c in line.split("|"))
        ms = tuple(m.strip() for m in metrics.split(";"))
        items.append(FeedItem(item, file, unit, tiers, ms, notes or None))
    return tuple(items)


FEED_ITEMS = parse_item_table(_ITEM_TABLE)


# --------------------------------------------------------------------------- readers
def lambda_tier_labels(facts: pd.DataFrame, arch: str) -> list[str]:
    """The duration tier notes ("First 6 billion GB-seconds / month"...) for one architecture."""
    rows = facts[
        facts["fact"].str.startswith("duration_price_tier") & (facts["architecture"] == arch)
    ]
    return rows.sort_values("fact")["notes"].tolist()


def inter_region_rows(
    metrics: Mapping[str, Mapping[str, str]], mapper: RegionMapper, meta: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``datatransfer.inter_region_out`` rows: one per (source region, destination region)."""
    rows = []
    for metric, prices in metrics.items():
        if not metric.startswith("DataTransfer InterRegion Outbound to "):
            continue
        for key, price in prices.items():
            name, attrs = parse_region_key(key)
            src, dst = mapper.code(name), mapper.code(attrs.get("To Location", ""))
            if src is None or dst is None:
                continue
            item, tier = "datatransfer.inter_region_out", (0.0, math.nan)
            price_usd = parse_price(price)
            rows.append(
                price_row(item, src, "USD per GB", price_usd, tier, meta=meta, to_region=dst)
            )
    return rows


#: The ``unit_prices`` item of CloudFront's always-free data out (tier end = the allowance).
CLOUDFRONT_FREE_ITEM = "cloudfront.data_out.free_tier"
_CF_EGRESS = re.compile(r"^Regional DT from (?P<geo>.+?) to Internet (?P<tier>.+)$")


def cloudfront_egress_rows(
    feed: Mapping[str, Any], meta: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``cloudfront.data_out`` rows from the raw CloudFront feed, tiered per edge geography.

    Readable entries "Regional DT from <geo> to Internet <tier>" carry the tier's upper bound
    in GB as ``Per Month``; a tier starts where the geography's previous one ends.  The
    account-wide free allowance ("from Any ... 0 upto 1024" at $0) is not a geography: it is
    one row of its own, ``cloudfront.data_out.free_tier`` in region ``global`` (its tier end
    is the allowance in GB; https://aws.amazon.com/cloudfront/pricing/ "always free").
    """
    by_geo: dict[str, list[tuple[float, float]]] = {}
    free: set[float] = set()
    for entries in feed["regions"].values():
        for key, entry in entries.items():
            m = _CF_EGRESS.match(key)
            if not m:
                continue
            per_month = str(entry.get("Per Month", "Inf"))
            end = math.inf if per_month.lower() == "inf" else float(per_month)
            if m.group("geo") == "Any":
                if parse_price(entry["price"]) == 0.0 and not math.isinf(end):
                    free.add(end)
                continue
            by_geo.setdefault(m.group("geo"), []).append((end, parse_price(entry["price"])))
    # The account-wide always-free allowance ("from Any ... 0 upto 1024" at $0), one row.
    rows = [price_row(CLOUDFRONT_FREE_ITEM, "global", "USD per GB", 0.0, (0.0, end), meta=meta,
                      notes="always-free data out per account and month, all edge locations")
            for end in sorted(free)[:1]]
    for geo, tiers in sorted(by_geo.items()):
        start = 0.0
        for end, price in sorted(set(tiers)):
            tier = (start, math.nan if math.isinf(end) else end)
            rows.append(
                price_row(
                    "cloudfront.data_out",
                    f"edge:{geo}",
                    "USD per GB",
                    price,
                    tier,
                    meta=meta,
                    notes="edge geography, not an AWS region",
                )
            )
            start = end
    return rows


def _cell(value: object) -> str | None:
    """A cell of a CSV read with ``dtype=str``: its text, or None when empty (read as NaN)."""
    return value if isinstance(value, str) else None


def _marks_verify(*texts: Any) -> bool:
    return any(isinstance(t, str) and _VERIFY_WORDS.search(t) for t in texts)


def expand_memory_options(text: str) -> list[float]:
    """Fargate memory choices as numbers: ``"0.5,1,2"`` or ``"16-60 (4 GB steps)"``.

    Raises
    ------
    ValueError
        When the text is neither a list nor a stepped range.
    """
    m = re.fullmatch(r"\s*([\d.]+)\s*-\s*([\d.]+)\s*\(\s*([\d.]+)\s*GB steps?\s*\)\s*", text)
    if m:
        lo, hi, step = (float(g) for g in m.groups())
        count = int(round((hi - lo) / step))
        return [lo + i * step for i in range(count + 1)]
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(
            f"memory options {text!r}: expected 'a,b,c' or 'lo-hi (N GB steps)'"
        ) from None


def facts_rows(lambda_csv: pd.DataFrame, fargate_csv: pd.DataFrame) -> pd.DataFrame:
    """``facts`` rows (topics ``lambda`` and ``fargate``) from the two hand-written CSVs.

    Scope is ``<architecture|platform>/<region>``.  Fargate task sizes become one row per vCPU
    size with the memory choices spelled out (``value`` "2,3,4,...", ``unit`` GB).
    """
    rows = []
    for topic, df, scope_col in (
        ("lambda", lambda_csv, "architecture"),
        ("fargate", fargate_csv, "platform"),
    ):
        for r in df.itertuples(index=False):
            value, notes = str(r.value), _cell(r.notes)
            m = re.fullmatch(r"task_size_([\d.]+)vcpu_memory_gb", str(r.fact))
            if m:
                opts = expand_memory_options(value)
                notes = "; ".join(x for x in (f"as written: {value}", notes) if x)
                value = ",".join(f"{v:g}" for v in opts)
            rows.append(
                {
                    "topic": topic,
                    "key": r.fact,
                    "value": value,
                    "unit": _cell(r.unit),
                    "scope": f"{getattr(r, scope_col)}/{r.region}",
                    "source_url": _cell(r.source_url),
                    "verify": _marks_verify(r.notes, r.source_url),
                    "notes": notes,
                }
            )
    out = pd.DataFrame(rows, columns=FACT_COLUMNS)
    out["verify"] = out["verify"].astype(bool)
    return out


#: Free tiers whose quantity no stored source gives: the feeds' "Free Tier" rows (SQS
#: requests, DynamoDB units and storage, Lambda) are $0 with no range, and the data-transfer
#: feed's first tier starts at 0 GB at the paid rate.  Lambda's quantities come from
#: facts/lambda_facts.csv and CloudFront's from its feed's 0-to-N range, so those two apply.
FREE_TIER_GAP = (
    "free tiers without a quantity in the stored sources (the feeds' 'Free Tier' rows are $0 "
    "with no range): data transfer out to the internet "
    "(https://aws.amazon.com/ec2/pricing/on-demand/), SQS requests, DynamoDB on-demand and "
    "storage, CloudFront requests; they are not deducted and the options say so (Lambda's "
    "and CloudFront data out's free tiers have quantities and are applied)"
)


def csv_coverage_gaps(prices_csv: pd.DataFrame) -> list[str]:
    """Items of the us-east-1 price CSV that no source prices (empty ``usd``), with why."""
    empty = prices_csv[prices_csv["usd"].isna()]
    return [
        f"{r.service}: {r.item} ({r.region}) has no price: {r.status}"
        for r in empty.itertuples(index=False)
    ]


def _read_cloudfront(data_dir: Path, result: SourceResult) -> list[dict[str, Any]]:
    """CloudFront's ``unit_prices`` rows from its raw feed; records the file in ``result``."""
    cf_rel = PW_DIR / "raw" / "cloudfront.json"
    cf = load_json(data_dir / cf_rel)
    date = feed_date(cf)
    cf_sid = f"pw-cloudfront-raw-{date}"
    cf_rows = cloudfront_egress_rows(cf, {"price_as_of": date, "price_source": cf_sid})
    result.sources.append(
        source_record(data_dir, cf_rel, cf_sid, PW_ORIGIN, date, rows=len(cf_rows))
    )
    return cf_rows


def read_services(data_dir: Path) -> SourceResult:
    """Read the usage-priced services and the Lambda/Fargate facts under ``data_dir``.

    Returns
    -------
    SourceResult
        Tables ``unit_prices`` and ``facts``, one :class:`SourceRecord` per file read, and the
        coverage gaps (items no source prices, metrics absent from a feed, unmapped locations).
    """
    data_dir = Path(data_dir)
    mapper = region_mapper(data_dir)
    lambda_csv = pd.read_csv(data_dir / LAMBDA_FACTS, dtype=str)
    fargate_csv = pd.read_csv(data_dir / FARGATE_FACTS, dtype=str)
    result = SourceResult()
    rows: list[dict[str, Any]] = []
    by_file: dict[str, list[FeedItem]] = {}
    for spec in FEED_ITEMS:
        by_file.setdefault(spec.file, []).append(spec)
    for name, specs in by_file.items():
        rel, sid, date = processed_meta(data_dir, name)
        metrics = load_json(data_dir / rel)
        meta = {"price_as_of": date, "price_source": sid}
        before = len(rows)
        for spec in specs:
            missing = [m for m in spec.metrics if m not in metrics]
            if missing:
                result.coverage_gaps.append(f"{spec.item}: metric(s) {missing} not in {rel}")
                continue
            arch = "arm64" if spec.item.endswith("arm64") else "x86_64"
            rows += feed_item_rows(
                spec, metrics, mapper, meta, lambda_tier_labels(lambda_csv, arch)
            )
        if name == "datatransfer":
            rows += inter_region_rows(metrics, mapper, meta)
        result.coverage_gaps += mapper.gap(rel)
        result.sources.append(
            source_record(data_dir, Path(rel), sid, PW_ORIGIN, date, rows=len(rows) - before)
        )
    rows += _read_cloudfront(data_dir, result)
    result.tables["unit_prices"] = unit_price_frame(rows)

    result.tables["facts"] = facts_rows(lambda_csv, fargate_csv)
    for facts_rel, csv in ((LAMBDA_FACTS, lambda_csv), (FARGATE_FACTS, fargate_csv)):
        result.sources.append(
            source_record(
                data_dir,
                facts_rel,
                f"facts:{facts_rel.stem}",
                "written by hand from cited AWS documents",
                "2026-11-26",
                rows=len(csv),
                license="facts with source URLs (AWS docs)",
            )
        )
    prices_csv = pd.read_csv(data_dir / SERVICE_PRICES_CSV, dtype=str)
    result.coverage_gaps += csv_coverage_gaps(prices_csv)
    result.coverage_gaps += [
        "sqs.*.request: tier boundaries are not in the stored feeds; "
        "only the first paid tier is priced",
        "fsx.lustre.*: no Amazon FSx price feed in the stored sources, so FSx for Lustre is "
        "not offered from a local build; a live build (--source aws, AmazonFSx) brings its "
        "prices",
        FREE_TIER_GAP,
    ]
    return result
