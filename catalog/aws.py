"""The only module that talks to AWS (boto3): Pricing ``GetProducts`` and EC2 describes.

Clients retry throttling inside botocore (adaptive mode).  Pagination goes through the
botocore paginators; when a page still fails with a throttling error after botocore's own
retries, :func:`iter_products` resumes from the last page token a few times, so a crawl of
thousands of pages does not restart from page one.  Any other failure raises
:class:`AwsCallError` at once: the build never sees partial data as complete, and the
previous snapshot stays in place.

Sessions and clients are injected (tests pass a stubbed client).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.paginate import TokenEncoder

from catalog.errors import CatalogError
from catalog.pricing import (
    PRICING_ENDPOINT_REGIONS,
    PriceItem,
    PriceListItemError,
    parse_price_list_item,
)

#: Adaptive retries: botocore backs off *and* rate-limits the client after throttling,
#: which the Pricing API does readily on long crawls.
RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10})

#: Error codes that mean "slow down", not "this request is wrong".
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)

#: Page-level resumptions after botocore has given up on a throttled page.
RESUME_ATTEMPTS = 3


class AwsCallError(CatalogError):
    """An AWS call failed (after retries); the operation and page say where."""


@dataclass
class FetchStats:
    """What one GetProducts crawl saw; ``malformed`` items were counted and skipped."""

    pages: int = 0
    items: int = 0
    malformed: int = 0
    resumed: int = 0
    errors: list[str] = field(default_factory=list)  # first few malformed-item messages

    def note_malformed(self, exc: Exception) -> None:
        self.malformed += 1
        if len(self.errors) < 5:
            self.errors.append(str(exc))


def make_session(session: Any = None) -> Any:
    """``session`` or a new ``boto3.Session`` (credentials from the usual chain)."""
    if session is not None:
        return session
    import boto3  # imported here so the offline paths never need it

    return boto3.Session()


def pricing_client(session: Any = None, endpoint_region: str = PRICING_ENDPOINT_REGIONS[0]) -> Any:
    """A Pricing client in one of :data:`PRICING_ENDPOINT_REGIONS` (not the priced region)."""
    if endpoint_region not in PRICING_ENDPOINT_REGIONS:
        raise ValueError(
            f"the Pricing API has no endpoint in {endpoint_region!r}; "
            f"use one of {PRICING_ENDPOINT_REGIONS}"
        )
    return make_session(session).client("pricing", region_name=endpoint_region, config=RETRY_CONFIG)


def ec2_client(session: Any = None, region: str = "us-east-1") -> Any:
    """An EC2 client for ``region`` (instance types and offerings are per region)."""
    return make_session(session).client("ec2", region_name=region, config=RETRY_CONFIG)


def _is_throttling(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in THROTTLING_CODES


def iter_products(
    client: Any,
    service_code: str,
    filters: Sequence[dict[str, str]],
    *,
    stats: FetchStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
    page_size: int = 100,
) -> Iterator[PriceItem]:
    """Yield the parsed PriceList items of ``GetProducts``, page by page.

    Parameters
    ----------
    client : botocore client
        A ``pricing`` client.
    service_code, filters
        As for ``GetProducts`` (see :func:`catalog.pricing.get_products_filters`).
    stats : FetchStats, optional
        Filled in as pages arrive: pages, items, malformed items (counted and skipped).
    sleep
        Injected for tests; the wait before resuming a throttled crawl.

    Raises
    ------
    AwsCallError
        On any failure other than a malformed item, including throttling that outlasts
        botocore's retries and :data:`RESUME_ATTEMPTS` resumptions.
    """
    stats = stats if stats is not None else FetchStats()
    paginator = client.get_paginator("get_products")
    params = {
        "ServiceCode": service_code,
        "Filters": list(filters),
        "FormatVersion": "aws_v1",
        "PaginationConfig": {"PageSize": page_size},
    }
    token: str | None = None
    failures = 0
    while True:
        if token:
            # StartingToken takes the paginator's encoding of the API's NextToken.
            start = TokenEncoder().encode({"NextToken": token})
            params["PaginationConfig"] = {"PageSize": page_size, "StartingToken": start}
        try:
            for page in paginator.paginate(**params):
                failures = 0
                stats.pages += 1
                for raw in page.get("PriceList", []):
                    try:
                        item = parse_price_list_item(raw)
                    except PriceListItemError as exc:
                        stats.note_malformed(exc)
                        continue
                    stats.items += 1
                    yield item
                token = page.get("NextToken")
            return
        except ClientError as exc:
            if _is_throttling(exc) and failures < RESUME_ATTEMPTS:
                failures += 1
                stats.resumed += 1
                sleep(2.0**failures)
                continue
            raise AwsCallError(
                f"GetProducts({service_code}) failed after {stats.pages} pages: {exc}"
            ) from exc
        except BotoCoreError as exc:
            raise AwsCallError(
                f"GetProducts({service_code}) failed after {stats.pages} pages: {exc}"
            ) from exc


def _paginate_all(client: Any, operation: str, result_key: str, **kwargs: Any) -> list[dict]:
    """Every element of ``result_key`` over all pages of ``operation``, or AwsCallError."""
    out: list[dict] = []
    try:
        for page in client.get_paginator(operation).paginate(**kwargs):
            out.extend(page.get(result_key, []))
    except (ClientError, BotoCoreError) as exc:
        raise AwsCallError(f"{operation} failed after {len(out)} {result_key}: {exc}") from exc
    return out


def describe_instance_types(client: Any, instance_types: Sequence[str] | None = None) -> list[dict]:
    """All ``InstanceTypeInfo`` records offered in the client's region (DescribeInstanceTypes)."""
    kwargs: dict[str, Any] = {"InstanceTypes": list(instance_types)} if instance_types else {}
    return _paginate_all(client, "describe_instance_types", "InstanceTypes", **kwargs)


def describe_instance_type_offerings(client: Any, location_type: str = "region") -> list[dict]:
    """``{InstanceType, LocationType, Location}`` records of the client's region.

    ``location_type`` is "region", "availability-zone" or "availability-zone-id".
    """
    return _paginate_all(
        client,
        "describe_instance_type_offerings",
        "InstanceTypeOfferings",
        LocationType=location_type,
    )


def describe_spot_price_history(
    client: Any,
    instance_types: Sequence[str] | None = None,
    product_descriptions: Sequence[str] = ("Linux/UNIX",),
    start_time: Any = None,
) -> list[dict]:
    """Spot price records (``SpotPrice`` is a USD/hour string per availability zone)."""
    kwargs: dict[str, Any] = {"ProductDescriptions": list(product_descriptions)}
    if instance_types:
        kwargs["InstanceTypes"] = list(instance_types)
    if start_time is not None:
        kwargs["StartTime"] = start_time
    return _paginate_all(client, "describe_spot_price_history", "SpotPriceHistory", **kwargs)


def savingsplans_client(session: Any = None) -> Any:
    """A Savings Plans client (a global service, served from us-east-1)."""
    return make_session(session).client("savingsplans", region_name="us-east-1",
                                        config=RETRY_CONFIG)  # fmt: skip


def describe_regions(client: Any) -> list[dict]:
    """Every region of the partition, enabled or not (``AllRegions``): ``RegionName``...

    DescribeRegions is not paginated.
    """
    try:
        return list(client.describe_regions(AllRegions=True).get("Regions", []))
    except (ClientError, BotoCoreError) as exc:
        raise AwsCallError(f"DescribeRegions failed: {exc}") from exc


#: The filters that select Linux, shared-tenancy EC2 Savings Plans rates of one region.
def savings_plan_rate_filters(region: str) -> list[dict[str, Any]]:
    """``filters`` of DescribeSavingsPlansOfferingRates for Linux shared EC2 usage in a region."""
    return [
        {"name": "region", "values": [region]},
        {"name": "tenancy", "values": ["shared"]},
        {"name": "productDescription", "values": ["Linux/UNIX"]},
    ]


def describe_savings_plans_offering_rates(
    client: Any, region: str, *, page_size: int = 1000
) -> list[dict]:
    """Compute and EC2 Instance Savings Plans rates of EC2 usage in ``region``, every page.

    The operation has no botocore paginator: ``nextToken`` is followed by hand.
    """
    out: list[dict] = []
    kwargs: dict[str, Any] = {
        "savingsPlanTypes": ["Compute", "EC2Instance"],
        "products": ["EC2"],
        "serviceCodes": ["AmazonEC2"],
        "filters": savings_plan_rate_filters(region),
        "maxResults": page_size,
    }
    try:
        while True:
            page = client.describe_savings_plans_offering_rates(**kwargs)
            out.extend(page.get("searchResults", []))
            token = page.get("nextToken")
            if not token:
                return out
            kwargs["nextToken"] = token
    except (ClientError, BotoCoreError) as exc:
        raise AwsCallError(
            f"DescribeSavingsPlansOfferingRates({region}) failed after {len(out)} rates: {exc}"
        ) from exc
