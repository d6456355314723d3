"""Regions, inter-region latency and network options (tables ``regions``, ``latency``, ``facts``).

* ``regions``: the SpareCores region records (CC BY-SA 4.0) with their coordinates;
  ``priced_ec2`` is filled by the build once the EC2 prices are merged.
* ``latency``: cloudping's measured p50 inter-region RTT over one year.
* ``facts`` rows of topic ``network_option``: what each option is, when it helps and its
  limits, in words, each with its AWS documentation page.  These rows carry no numbers; counts
  such as "EFA-capable instance types" are computed from the ``ec2`` table by the build.
* ``facts`` rows of topic ``burstable``: the T-family surplus-credit price and credit
  behaviour from ``facts/burstable_instances.csv``; its source says the price was not
  re-checked, so those rows carry ``verify=True``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from catalog.normalize import parse_price
from catalog.regions import REGION_RECORDS_DIR, read_region_records
from catalog.sources import SourceRecord, SourceResult, file_record
from foundation.integrity import sha256_file

LATENCY = Path("network/latency/cloudping_inter-region_p50_1y_20250529.json")
BURSTABLE = Path("facts/burstable_instances.csv")
REGIONS_ID = "sparecores:regions"
LATENCY_ID = "cloudping:p50_1y"
BURSTABLE_ID = "facts:burstable_instances"
_EC2_DOC = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
_PLACEMENT_DOC = _EC2_DOC + "placement-strategies.html"

#: option id -> (documentation URL, what it is, when it helps, limits).  Paraphrased from the
#: linked pages; numbers are deliberately left out (they belong to data, not prose).
NETWORK_OPTIONS: dict[str, tuple[str, str, str, str]] = {
    "placement_group:cluster": (
        _PLACEMENT_DOC,
        "Packs instances close together inside one Availability Zone.",
        "Tightly coupled, node-to-node traffic that needs low latency and high throughput "
        "(HPC, distributed training).",
        "One Availability Zone, so no AZ fault isolation; capacity errors are likelier for large "
        "groups; not every instance type supports it (see ec2.placement_group_strategies).",
    ),
    "placement_group:spread": (
        _PLACEMENT_DOC,
        "Places each instance on distinct hardware (separate racks).",
        "A small number of critical instances that must not fail together.",
        "Only a small fixed number of running instances per Availability Zone per group (see "
        "the linked page).",
    ),
    "placement_group:partition": (
        _PLACEMENT_DOC,
        "Splits instances into partitions that do not share racks with each other.",
        "Large distributed and replicated systems (HDFS, HBase, Cassandra, Kafka) that want "
        "rack-aware placement.",
        "A limited number of partitions per Availability Zone (see the linked page).",
    ),
    "efa": (
        _EC2_DOC + "efa.html",
        "Elastic Fabric Adapter: a network device with OS-bypass for MPI and NCCL traffic.",
        "Tightly coupled HPC and multi-node ML training at scale.",
        "Only on EFA-capable instance types (ec2.efa_supported); OS-bypass traffic stays within "
        "one subnet; best inside a cluster placement group.",
    ),
    "ena_express": (
        _EC2_DOC + "ena-express.html",
        "ENA Express uses the AWS Scalable Reliable Datagram protocol to raise single-flow "
        "bandwidth and lower tail latency between instances.",
        "High-throughput single flows between instances in the same Availability Zone.",
        "Both instances must support it (ec2.ena_express_supported) and be in the same AZ.",
    ),
    "enhanced_networking": (
        _EC2_DOC + "enhanced-networking.html",
        "SR-IOV networking (ENA) with higher bandwidth, higher packet rates and lower latency.",
        "Any network-heavy workload; it is on by default on current instance types.",
        "Needs an instance type and AMI with ENA support (ec2.ena_support).",
    ),
    "cloudfront": (
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Introduction.html",
        "Content delivery network that caches content at edge locations near users.",
        "Static or cacheable content served to users far from the origin region; offloads the "
        "origin and lowers latency.",
        "Dynamic, uncacheable requests still travel to the origin; priced per GB and per "
        "request (see unit_prices cloudfront.*).",
    ),
    "direct_connect": (
        "https://docs.aws.amazon.com/directconnect/latest/UserGuide/Welcome.html",
        "A dedicated private network connection from premises to AWS.",
        "Steady, large transfers to or from on-premises systems needing consistent latency.",
        "Needs a physical connection at a Direct Connect location and lead time to provision.",
    ),
    "vpc_endpoint": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/concepts.html",
        "Private connectivity from a VPC to AWS services without an internet or NAT gateway.",
        "Traffic to S3 or DynamoDB (gateway endpoints) or other services (interface endpoints) "
        "that should avoid NAT processing charges and stay on the AWS network.",
        "Interface endpoints are billed per hour and per GB; gateway endpoints only exist for "
        "S3 and DynamoDB.",
    ),
    "route53_latency_routing": (
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-latency.html",
        "DNS routing that answers with the region giving the user the lowest latency.",
        "Applications deployed in several regions serving users worldwide.",
        "Needs the application in more than one region; latency data is AWS's, measured "
        "between networks and regions, and changes over time.",
    ),
    "s3_transfer_acceleration": (
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/transfer-acceleration.html",
        "Uploads and downloads to S3 through CloudFront edge locations.",
        "Clients far from the bucket's region moving large objects.",
        "Extra per-GB charge; only charged when it is faster; bucket names must be "
        "DNS-compliant without dots.",
    ),
}


def region_frame(records: list[dict]) -> pd.DataFrame:
    """The ``regions`` table from SpareCores region records (``priced_ec2`` False for now)."""
    rows = [
        {
            "region": r["region_id"],
            "display_name": r.get("display_name"),
            "city": r.get("city"),
            "country": r.get("country_id"),
            "lat": r["lat"],
            "lon": r["lon"],
            "priced_ec2": False,
            "latency_measured": False,  # set by the build from the latency table
        }
        for r in records
    ]
    return pd.DataFrame(rows).sort_values("region", ignore_index=True)


def latency_frame(matrix: dict) -> pd.DataFrame:
    """The ``latency`` table from cloudping's ``{"data": {from: {to: ms}}}``."""
    rows = [
        {"from_region": src, "to_region": dst, "rtt_ms_p50": float(ms)}
        for src, dests in matrix["data"].items()
        for dst, ms in dests.items()
    ]
    return pd.DataFrame(rows).sort_values(["from_region", "to_region"], ignore_index=True)


def network_option_facts() -> pd.DataFrame:
    """``facts`` rows of topic ``network_option``: ``<option>.what|when_helps|limits``."""
    rows = []
    for option, (url, what, helps, limits) in NETWORK_OPTIONS.items():
        for aspect, text in (("what", what), ("when_helps", helps), ("limits", limits)):
            rows.append(
                {
                    "topic": "network_option",
                    "key": f"{option}.{aspect}",
                    "value": text,
                    "unit": None,
                    "scope": None,
                    "source_url": url,
                    # Paraphrased here, not re-checked against the live page.
                    "verify": True,
                    "notes": "summary of the linked AWS documentation page",
                }
            )
    return pd.DataFrame(rows)


def burstable_facts(burst: pd.DataFrame) -> pd.DataFrame:
    """``facts`` rows of topic ``burstable``, one per family and fact.

    Raises
    ------
    ValueError
        When sizes of one family disagree on a per-family fact (the source would be wrong).
    """
    facts = {
        "unlimited_surplus_credit_usd_per_vcpu_hour": (
            "unlimited_surplus_credit_usd_per_vcpu_hour_linux",
            "USD per vCPU-hour",
            True,
        ),
        "default_credit_mode": ("default_credit_mode", None, False),
        "accrued_credit_lifespan_after_stop": ("accrued_credit_lifespan_after_stop", None, False),
    }
    rows = []
    for family, group in burst.groupby("family", sort=True):
        for key, (col, unit, is_price) in facts.items():
            values = group[col].dropna().astype(str).unique()
            if len(values) != 1:
                raise ValueError(
                    f"{BURSTABLE}: column {col!r} differs between sizes of {family}: {values}"
                )
            value = str(parse_price(values[0])) if is_price else values[0]
            notes = group["surplus_price_source"].iloc[0] if is_price else None
            rows.append(
                {
                    "topic": "burstable",
                    "key": key,
                    "value": value,
                    "unit": unit,
                    "scope": f"{family} linux" if is_price else str(family),
                    "source_url": group["source_url"].iloc[0],
                    # The source: surplus-credit price "not fetched here - verify".
                    "verify": bool(is_price),
                    "notes": notes,
                }
            )
    return pd.DataFrame(rows)


def read_network(data_dir: Path) -> SourceResult:
    """Read ``regions``, ``latency`` and network/burstable ``facts`` under ``data_dir``."""
    data_dir = Path(data_dir)
    records = read_region_records(data_dir)
    matrix = json.loads((data_dir / LATENCY).read_text())
    burst = pd.read_csv(data_dir / BURSTABLE, dtype=str)
    facts = pd.concat([network_option_facts(), burstable_facts(burst)], ignore_index=True)
    region_files = sorted(p for p in (data_dir / REGION_RECORDS_DIR).glob("*.json"))
    digest = {p.name: sha256_file(p) for p in region_files}
    sources = [
        SourceRecord(
            REGIONS_ID,
            str(REGION_RECORDS_DIR),
            "SpareCores/sc-data-dumps@e8749bef",
            "2026-01-25",
            license="CC BY-SA 4.0",
            rows=len(records),
            sha256=sha256_file_list(digest),
            notes="directory of one JSON record per region; sha256 over the sorted "
            "'name sha256' lines of its files",
        ),
        file_record(
            data_dir,
            LATENCY,
            LATENCY_ID,
            "oaustegard/oaustegard.github.io@a6d652c8 (cloudping.co)",
            "2025-05-29",
            license="Apache-2.0 (data: cloudping.co, MIT)",
            rows=sum(len(v) for v in matrix["data"].values()),
        ),
        file_record(
            data_dir,
            BURSTABLE,
            BURSTABLE_ID,
            "AWS EC2 User Guide + EC2 On-Demand pricing page (facts)",
            "2023-01-19",
            license="CC BY-SA 4.0",
            rows=len(burst),
            notes="surplus-credit price not re-checked (verify)",
        ),
    ]
    missing = sorted({r["region_id"] for r in records} - set(matrix["data"]))
    gaps = [
        "latency from user locations (cities, countries) to regions: no measured matrix; only "
        "region-to-region p50 RTT",
        "GovCloud regions: no region records, prices or latency",
    ]
    if missing:
        gaps.append(f"no measured latency for regions {', '.join(missing)}")
    return SourceResult(
        tables={"regions": region_frame(records), "latency": latency_frame(matrix), "facts": facts},
        sources=sources,
        coverage_gaps=gaps,
    )


def sha256_file_list(digests: dict[str, str]) -> str:
    """One sha256 for a set of files: over their sorted ``"name sha256"`` lines."""
    text = "".join(f"{name} {h}\n" for name, h in sorted(digests.items()))
    return hashlib.sha256(text.encode()).hexdigest()
