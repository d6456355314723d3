"""Bulk offer files of every refreshed service (``catalog build --source offer-files``).

An AmazonEC2 file gives ``ec2_prices`` (Linux shared On-Demand instances), their Reserved
terms as ``ec2_commitments``, and the EBS volume prices (one streamed pass: the filter keeps
instance SKUs and the EBS product families).  Any other service's file (AmazonRDS, AWSLambda,
AmazonS3...; the ``offerCode`` of its header names it) goes through the same row builders as
the GetProducts path (:func:`catalog.sources.live_services.service_rows`), so a file and the
API give the same rows for the same product.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from catalog.commitments import commitments_frame, reserved_rows
from catalog.merge import KEYS
from catalog.offer_files import OfferStats, iter_offer_file, offer_code
from catalog.pricing import INSTANCE_PRODUCT_FAMILIES, SERVICE_CODE_EC2, ec2_rejection_reason
from catalog.sources import SourceResult
from catalog.sources.live_rules import EBS, SERVICES, ServiceSpec
from catalog.sources.live_services import RowStats, frames_by_table, service_rows

#: The EBS product families under AmazonEC2 (volumes, provisioned IOPS, throughput).
EBS_FAMILIES = frozenset({"Storage", "System Operation", "Provisioned Throughput"})


def ec2_or_ebs(family: str, attributes: Mapping[str, str]) -> str | None:
    """Keep Linux shared instance SKUs (as ``ec2_rejection_reason``) and EBS products."""
    if family in EBS_FAMILIES:
        return None if attributes.get("volumeApiName") else "volumeApiName"
    return ec2_rejection_reason(family, attributes)


def _spec_for(code: str) -> ServiceSpec | None:
    return next((s for s in SERVICES.values() if s.code == code and s is not EBS), None)


def other_service_rows(
    path: Path, code: str, region_of: object, stats: OfferStats
) -> tuple[dict[str, pd.DataFrame], RowStats]:
    """Tables of one non-EC2 offer file (every product kept, then the service's rules)."""
    spec = _spec_for(code)
    row_stats = RowStats()
    if spec is None:
        return {}, row_stats
    rows = []
    for item in iter_offer_file(path, keep=lambda f, a: None, stats=stats):
        region = region_of(item)  # type: ignore[operator]
        if region is not None:
            rows += service_rows(spec, item, region, f"aws-offer-file:{path.name}", row_stats)
    return frames_by_table(rows), row_stats


def ec2_file_extras(items_with_regions: list, source: str) -> SourceResult:
    """``ec2_commitments`` and ``ebs`` rows of the items of one AmazonEC2 file."""
    commitments, ebs_rows = [], []
    stats = RowStats()
    for item, region in items_with_regions:
        itype = item.attributes.get("instanceType")
        if item.product_family in INSTANCE_PRODUCT_FAMILIES and itype:
            as_of = (item.publication_date or "unknown")[:10]
            commitments += reserved_rows(item.reserved_offers, instance_type=itype,
                                         region=region, as_of=as_of, source=source)  # fmt: skip
        elif item.product_family in EBS_FAMILIES:
            ebs_rows += service_rows(EBS, item, region, source, stats)
    out = SourceResult()
    if commitments:
        df = commitments_frame(commitments)
        out.tables["ec2_commitments"] = df.drop_duplicates(KEYS["ec2_commitments"])
    out.tables.update(frames_by_table(ebs_rows))
    return out


__all__ = ["SERVICE_CODE_EC2", "ec2_file_extras", "ec2_or_ebs", "offer_code",
           "other_service_rows"]  # fmt: skip
