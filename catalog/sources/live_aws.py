"""The live refresh (``catalog build --source aws``): every priced table, service by region.

Work is cut into *units*, one per (service, region), each a few API calls:

* ``regions``: EC2 ``DescribeRegions`` (all commercial regions, once);
* ``ec2``: ``DescribeInstanceTypes``, ``DescribeInstanceTypeOfferings`` and ``GetProducts``
  AmazonEC2 (Linux shared On-Demand instances, whose Reserved terms fill ``ec2_commitments``);
* ``spot``: ``DescribeSpotPriceHistory`` from now (the latest price per type and AZ);
* ``savingsplans``: ``DescribeSavingsPlansOfferingRates`` (Compute and EC2 Instance plans);
* every service of :data:`catalog.sources.live_rules.SERVICES` (``GetProducts`` per query).

A unit that fails (:class:`catalog.aws.AwsCallError` after retries) is recorded in
``SourceResult.failures`` and the others go on; the build keeps the previous rows of the
failed tables and regions (as Karpenter keeps its static prices when the API fails).  Only
when every unit fails does :func:`read_aws` raise: then nothing was refreshed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pandas as pd

from catalog import aws
from catalog.commitments import reserved_rows, savings_plan_api_row
from catalog.errors import CatalogError
from catalog.pricing import SERVICE_CODE_EC2, get_products_filters
from catalog.sources import SourceResult
from catalog.sources.live_ec2 import PRICING_SOURCE, SP_SOURCE, SPOT_SOURCE, price_row
from catalog.sources.live_result import assemble
from catalog.sources.live_rules import SERVICES, ServiceSpec
from catalog.sources.live_services import RowStats, service_rows
from catalog.spot import latest_per_az

#: Units besides the Price List services, by ``--services`` name, and the tables they fill.
CORE_UNITS: dict[str, tuple[str, ...]] = {
    "regions": ("regions",),
    "ec2": ("ec2", "ec2_prices", "ec2_commitments"),
    "spot": ("ec2_spot_prices",),
    "savingsplans": ("ec2_commitments",),
}
#: Every ``--services`` name, in the order the build runs them.
ALL_SERVICES = (*CORE_UNITS, *SERVICES)

#: ``progress(message)`` is called once per finished unit (the build ticks a bar).
Progress = Callable[[str], None]


def unit_tables(service: str) -> tuple[str, ...]:
    """The catalog tables one ``--services`` name refreshes."""
    if service in CORE_UNITS:
        return CORE_UNITS[service]
    spec = SERVICES[service]
    return ("database", "unit_prices") if spec.table == "database" else (spec.table,)


def check_services(services: Sequence[str] | None) -> list[str]:
    """The ``--services`` names to run (all by default); unknown names are a clear error."""
    if not services:
        return list(ALL_SERVICES)
    unknown = sorted(set(services) - set(ALL_SERVICES))
    if unknown:
        raise CatalogError(
            f"--services: unknown service(s) {', '.join(unknown)}; known: {', '.join(ALL_SERVICES)}"
        )
    return [s for s in ALL_SERVICES if s in services]


def commercial_regions(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Region codes of the commercial partition (GovCloud, China, ISO left out), sorted."""
    names = [str(r.get("RegionName", "")) for r in records]
    return sorted(n for n in names if n and not n.startswith(("cn-", "us-gov-", "us-iso")))


def plan_units(services: Sequence[str], regions: Sequence[str]) -> int:
    """How many units :func:`read_aws` will run (for the progress bar's total)."""
    per_region = [s for s in services if s != "regions"]
    return len(per_region) * len(regions) + ("regions" in services)


class _Run:
    """State of one refresh: rows per table, sources, gaps and failures so far."""

    def __init__(self, session: Any, progress: Progress | None) -> None:
        self.session = session
        self.progress = progress
        self.today = datetime.now(UTC).date().isoformat()
        self.rows: dict[str, list[dict]] = {}
        self.frames: dict[str, list[pd.DataFrame]] = {}
        self.infos: dict[str, Mapping[str, Any]] = {}
        self.offered: dict[str, set[str]] = {}
        self.stats: dict[str, Any] = {}
        self.result = SourceResult()
        self.attempted = 0
        self._pricing: Any = None

    @property
    def pricing(self) -> Any:
        if self._pricing is None:
            self._pricing = aws.pricing_client(self.session)
        return self._pricing

    def run(self, service: str, region: str, fn: Callable[[], None]) -> None:
        self.attempted += 1
        try:
            fn()
        except (aws.AwsCallError, CatalogError) as exc:
            self.result.failures.append(
                {
                    "service": service,
                    "region": region,
                    "tables": list(unit_tables(service)),
                    "error": str(exc),
                }  # fmt: skip
            )
            message = f"{service} {region}: FAILED ({exc})"
        else:
            message = f"{service} {region}: ok"
        if self.progress is not None:
            self.progress(message)


def _ec2_unit(run: _Run, region: str) -> None:
    ec2 = aws.ec2_client(run.session, region)
    infos = {i["InstanceType"]: i for i in aws.describe_instance_types(ec2)}
    offers = aws.describe_instance_type_offerings(ec2, location_type="region")
    stats = run.stats.setdefault("ec2", aws.FetchStats())
    prices, commitments = [], []
    for item in aws.iter_products(run.pricing, SERVICE_CODE_EC2, get_products_filters(region),
                                  stats=stats):  # fmt: skip
        row = price_row(item, region, PRICING_SOURCE)
        if row is None:
            continue
        prices.append(row)
        commitments += reserved_rows(item.reserved_offers, instance_type=row["instance_type"],
                                     region=region, as_of=row["price_as_of"],
                                     source=PRICING_SOURCE)  # fmt: skip
        run.rows.setdefault("_locations", []).append(
            {"region": region, "display_name": item.attributes.get("location")}
        )
    # Only after every call of the unit succeeded do its rows count.
    for t, info in infos.items():
        run.infos.setdefault(t, info)
    for o in offers:
        run.offered.setdefault(o["InstanceType"], set()).add(o["Location"])
    run.rows.setdefault("ec2_prices", []).extend(prices)
    run.rows.setdefault("ec2_commitments", []).extend(commitments)


def _spot_unit(run: _Run, region: str) -> None:
    ec2 = aws.ec2_client(run.session, region)
    records = aws.describe_spot_price_history(ec2, start_time=datetime.now(UTC))
    run.frames.setdefault("ec2_spot_prices", []).append(latest_per_az(records, SPOT_SOURCE))


def _savings_plans_unit(run: _Run, region: str) -> None:
    client = run.stats.get("_sp_client") or aws.savingsplans_client(run.session)
    run.stats["_sp_client"] = client
    rates = aws.describe_savings_plans_offering_rates(client, region)
    rows = [savings_plan_api_row(r, as_of=run.today, source=SP_SOURCE) for r in rates]
    run.rows.setdefault("ec2_commitments", []).extend(r for r in rows if r is not None)


def _service_unit(run: _Run, name: str, spec: ServiceSpec, region: str) -> None:
    stats = run.stats.setdefault(name, RowStats())
    fetch = run.stats.setdefault(f"{name}:fetch", aws.FetchStats())
    rows: list[dict] = []
    for query in spec.queries:
        filters = get_products_filters(region, base=query)
        for item in aws.iter_products(run.pricing, spec.code, filters, stats=fetch):
            rows += service_rows(spec, item, region, f"{PRICING_SOURCE}:{spec.code}", stats)
    run.rows.setdefault(f"_svc:{name}", []).extend(rows)


def _regions_unit(run: _Run, region: str) -> None:
    records = aws.describe_regions(aws.ec2_client(run.session, region))
    run.rows["_regions"] = [{"region": r} for r in commercial_regions(records)]


def _unit(run: _Run, name: str, region: str) -> None:
    """Run one (service, region) unit."""
    if name == "ec2":
        _ec2_unit(run, region)
    elif name == "spot":
        _spot_unit(run, region)
    elif name == "savingsplans":
        _savings_plans_unit(run, region)
    else:
        _service_unit(run, name, SERVICES[name], region)


def read_aws(
    regions: Sequence[str] | None = None,
    session: Any = None,
    progress: Progress | None = None,
    services: Sequence[str] | None = None,
) -> SourceResult:
    """Refresh the priced tables of ``services`` in ``regions`` from the live APIs.

    Parameters
    ----------
    regions : list of str, optional
        Region codes; by default every commercial region ``DescribeRegions`` returns.
    session : boto3.Session, optional
        Injected for tests (anything with ``client(service, region_name=..., config=...)``).
    progress : callable, optional
        Called with one message per finished (service, region) unit.
    services : list of str, optional
        A subset of :data:`ALL_SERVICES` (``--services``); all by default.

    Raises
    ------
    catalog.aws.AwsCallError
        When every unit failed (nothing was refreshed).
    """
    names = check_services(services)
    run = _Run(aws.make_session(session), progress)
    listed: list[str] = []
    if regions is None or "regions" in names:
        run.run("regions", "us-east-1", partial(_regions_unit, run, "us-east-1"))
        listed = [r["region"] for r in run.rows.get("_regions", [])]
    regions = list(regions or listed)
    for name in names:
        if name == "regions":
            continue
        for region in regions:
            run.run(name, region, partial(_unit, run, name, region))
    if run.attempted and len(run.result.failures) == run.attempted:
        raise aws.AwsCallError(
            "every live refresh call failed; first: " + run.result.failures[0]["error"]
        )
    return assemble(run, names=names, regions=regions)
