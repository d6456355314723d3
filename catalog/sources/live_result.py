"""Tables, sources and gaps of one live refresh (the end of :func:`live_aws.read_aws`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from catalog.commitments import commitments_frame
from catalog.merge import KEYS
from catalog.pricing import ON_DEMAND_LINUX_FILTERS, SERVICE_CODE_EC2
from catalog.schema import TABLES
from catalog.sources import SourceRecord, SourceResult
from catalog.sources.live_ec2 import (
    OFFERINGS_SOURCE,
    PRICING_SOURCE,
    REGIONS_SOURCE,
    SP_SOURCE,
    SPEC_SOURCE,
    SPOT_SOURCE,
    ec2_frame,
    prices_frame,
)
from catalog.sources.live_rules import SERVICES
from catalog.sources.live_services import frames_by_table

#: DescribeInstanceTypes' ``InstanceStorageInfo`` gives the disks (count, size, type) and NVMe
#: support, never IOPS (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/
#: API_InstanceStorageInfo.html): a live build fills the instance-store size columns and
#: still lacks the per-type IOPS of AWS's "SSD instance store volumes" table.
LIVE_INSTANCE_STORE_IOPS_GAP = (
    "instance store IOPS per type: DescribeInstanceTypes (InstanceStorageInfo) has disks, "
    "size and NVMe support but no IOPS, and no Price List attribute carries them (AWS's "
    "'SSD instance store volumes' table, https://docs.aws.amazon.com/ec2/latest/"
    "instancetypes/so-instance-store-volumes.html); instance store is matched on size and "
    "NVMe only, its IOPS are unchecked"
)


def _newest(df: pd.DataFrame, fallback: str) -> str:
    if "price_as_of" not in df or df.empty:
        return fallback
    dates = df["price_as_of"].dropna().astype(str)
    return max(dates) if len(dates) else fallback


def _ec2_tables(run: Any, regions: Sequence[str], out: SourceResult) -> None:
    prices, duplicates = prices_frame(run.rows.get("ec2_prices", []))
    unknown = sorted(set(prices["instance_type"]) - set(run.infos))
    prices = prices[prices["instance_type"].isin(list(run.infos))].reset_index(drop=True)
    for t, regs in prices.groupby("instance_type")["region"]:
        run.offered.setdefault(str(t), set()).update(regs)
    if run.infos:
        out.tables["ec2"] = ec2_frame(run.infos, run.offered)
    out.tables["ec2_prices"] = prices
    stats = run.stats.get("ec2")
    filt = ", ".join(f"{k}={v}" for k, v in ON_DEMAND_LINUX_FILTERS)
    where = ",".join(regions)
    out.sources += [
        SourceRecord(
            id=PRICING_SOURCE, origin="AWS Price List Query API GetProducts (endpoint us-east-1)",
            path=f"pricing:GetProducts ServiceCode={SERVICE_CODE_EC2} regionCode in {where}",
            data_date=_newest(prices, run.today), license="AWS Price List", rows=len(prices),
            notes=f"TERM_MATCH {filt}; {stats.pages if stats else 0} pages, "
            f"{stats.items if stats else 0} items, {stats.malformed if stats else 0} malformed "
            f"items skipped, {duplicates} duplicate rows dropped; Reserved terms of the same "
            "items fill ec2_commitments",
        ),
        SourceRecord(id=SPEC_SOURCE, path=f"ec2:DescribeInstanceTypes in {where}",
                     origin="AWS EC2 API DescribeInstanceTypes", data_date=run.today,
                     rows=len(run.infos)),
        SourceRecord(id=OFFERINGS_SOURCE, origin="AWS EC2 API DescribeInstanceTypeOfferings",
                     path=f"ec2:DescribeInstanceTypeOfferings LocationType=region in {where}",
                     data_date=run.today, rows=sum(len(v) for v in run.offered.values())),
    ]  # fmt: skip
    out.coverage_gaps += [
        "burst credits (baseline %, credits/hour) are not in DescribeInstanceTypes: kept "
        "from the previous snapshot where known",
        LIVE_INSTANCE_STORE_IOPS_GAP,
    ]
    if stats and stats.malformed:
        out.coverage_gaps.append(
            f"{stats.malformed} Price List items could not be parsed and were skipped: "
            + "; ".join(stats.errors)
        )
    if unknown:
        out.coverage_gaps.append(
            f"{len(unknown)} priced types have no DescribeInstanceTypes record and are "
            f"left out: {', '.join(unknown)}"
        )


def _regions_table(run: Any, out: SourceResult) -> None:
    listed = run.rows.get("_regions", [])
    if not listed:
        return
    names = {r["region"]: r["display_name"] for r in run.rows.get("_locations", [])}
    df = pd.DataFrame(
        {
            "region": [r["region"] for r in listed],
            "display_name": [names.get(r["region"]) for r in listed],
            "city": None, "country": None, "lat": math.nan, "lon": math.nan,
            "priced_ec2": False, "latency_measured": False,
        }
    )  # fmt: skip
    out.tables["regions"] = df
    out.sources.append(
        SourceRecord(
            id=REGIONS_SOURCE,
            path="ec2:DescribeRegions AllRegions=true",
            origin="AWS EC2 API DescribeRegions",
            data_date=run.today,
            rows=len(df),
            notes="commercial partition; location names from the EC2 price items; "
            "city and coordinates kept from the previous snapshot",
        )  # fmt: skip
    )


def assemble(run: Any, *, names: Sequence[str], regions: Sequence[str]) -> SourceResult:
    """The :class:`SourceResult` of a finished run (tables only for what was refreshed)."""
    out = run.result
    if "ec2" in names:
        _ec2_tables(run, regions, out)
    if "regions" in names:  # (DescribeRegions also runs to list the regions when none given)
        _regions_table(run, out)
    if run.rows.get("ec2_commitments"):
        df = commitments_frame(run.rows["ec2_commitments"])
        df = df.drop_duplicates(KEYS["ec2_commitments"], keep="first").reset_index(drop=True)
        out.tables["ec2_commitments"] = df
        if "savingsplans" in names:
            sp = df[df["price_source"] == SP_SOURCE]
            out.sources.append(SourceRecord(
                id=SP_SOURCE, path="savingsplans:DescribeSavingsPlansOfferingRates "
                "planType in Compute,EC2Instance productDescription=Linux/UNIX tenancy=shared",
                origin="AWS Savings Plans API", data_date=run.today, rows=len(sp)))  # fmt: skip
    spot = [f for f in run.frames.get("ec2_spot_prices", []) if len(f)]
    if spot:
        df = pd.concat(spot, ignore_index=True)
        out.tables["ec2_spot_prices"] = df
        out.sources.append(SourceRecord(
            id=SPOT_SOURCE, path="ec2:DescribeSpotPriceHistory StartTime=now "
            "ProductDescriptions=Linux/UNIX", origin="AWS EC2 API DescribeSpotPriceHistory",
            data_date=_newest(df, run.today)[:10], rows=len(df),
            notes="latest record per (type, AZ)"))  # fmt: skip
    rows = [r for n in SERVICES for r in run.rows.get(f"_svc:{n}", [])]
    for table, df in frames_by_table(rows).items():
        if table in out.tables:
            df = pd.concat([out.tables[table], df], ignore_index=True)
        out.tables[table] = df.drop_duplicates(KEYS[table], keep="first").reset_index(drop=True)
    for n in SERVICES:
        stats = run.stats.get(n)
        if stats is None:
            continue
        spec = SERVICES[n]
        out.sources.append(SourceRecord(
            id=f"{PRICING_SOURCE}:{spec.code}", origin="AWS Price List Query API GetProducts",
            path=f"pricing:GetProducts ServiceCode={spec.code} queries={list(spec.queries)}",
            data_date=run.today, license="AWS Price List", rows=stats.rows,
            notes=f"{stats.products} products read"))  # fmt: skip
        if stats.skipped:
            skipped = ", ".join(f"{k} {v}" for k, v in stats.skipped.most_common(5))
            out.coverage_gaps.append(
                f"{spec.code}: {sum(stats.skipped.values())} products matched no item rule "
                f"({skipped}); items they would price keep their previous rows"
            )
    out.coverage_gaps += [f"live refresh failed for {f['service']} in {f['region']}: previous "
                          f"rows of {', '.join(f['tables'])} kept ({f['error']})"
                          for f in out.failures]  # fmt: skip
    for name in list(out.tables):
        if name not in TABLES:
            del out.tables[name]
    return out
