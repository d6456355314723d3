"""AWS Price List: the filters that select one EC2 price, and pure parsing of price items.

No I/O here.  ``catalog.aws`` sends :func:`get_products_filters` to the Pricing API and
hands every ``PriceList`` element (a JSON *string*) to :func:`parse_price_list_item`;
``catalog.offer_files`` applies :func:`ec2_rejection_reason` while streaming the bulk offer
files, whose products and terms have the same shape.

The On-Demand Linux price of an instance type depends on every filter below: without any one
of them a type has several SKUs (Windows, Dedicated, capacity-reservation rows, SQL Server
AMIs...) and the "price" would depend on which SKU came first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import CatalogError
from catalog.normalize import first_number, parse_memory_gib

#: The Price List service code of EC2 (instances, EBS, data transfer all live under it).
SERVICE_CODE_EC2 = "AmazonEC2"

#: The Pricing API is served only from these endpoint regions (plus cn-northwest-1 for the
#: China partition).  The endpoint region is *not* the region being priced: a client in
#: us-east-1 returns prices of every region, selected by the ``regionCode`` filter.
PRICING_ENDPOINT_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")

#: TERM_MATCH filters for the Linux, shared-tenancy, On-Demand price of an instance type.
ON_DEMAND_LINUX_FILTERS: tuple[tuple[str, str], ...] = (
    # Plain Linux; RHEL, SUSE, Ubuntu Pro and Windows add a licence fee to the hourly rate.
    ("operatingSystem", "Linux"),
    # Shared tenancy: Dedicated instances and Dedicated Hosts are priced separately.
    ("tenancy", "Shared"),
    # "Used" is the ordinary running instance; "UnusedCapacityReservation" and
    # "AllocatedCapacityReservation" SKUs bill capacity reservations, not instances.
    ("capacitystatus", "Used"),
    # No pre-installed software: SQL Server Web/Std/Ent AMIs carry their own SKUs.
    ("preInstalledSw", "NA"),
    # Licence-included pricing; "Bring your own license" SKUs exist for Windows/SQL (the
    # BYOL exclusion of ec2instances.info's sku_filter).
    ("licenseModel", "No License required"),
    # On-Demand market; Capacity Blocks (marketoption "CapacityBlock") are a separate SKU.
    ("marketoption", "OnDemand"),
)

#: Product families that are instance-hours (EBS, data transfer... share the service code).
INSTANCE_PRODUCT_FAMILIES = frozenset({"Compute Instance", "Compute Instance (bare metal)"})

#: Hours in a Reserved Instance term, to spread the upfront fee over the term.
#: AWS bills a 1-year term as 365 days and a 3-year term as 3 x 365 days.
LEASE_HOURS = {"1yr": 365 * 24, "3yr": 3 * 365 * 24}

#: Price dimension units of instance terms: hourly rates and the one-off upfront fee.
UNIT_HOURS = "Hrs"
UNIT_UPFRONT = "Quantity"


class PriceListItemError(CatalogError, ValueError):
    """A Price List item that cannot be read (bad JSON, missing keys, unknown unit...).

    Callers count these and skip the item: one bad item must not sink a whole build.
    """


def get_products_filters(
    region: str | None, base: tuple[tuple[str, str], ...] = ON_DEMAND_LINUX_FILTERS
) -> list[dict[str, str]]:
    """The ``Filters`` argument of ``GetProducts`` for ``region`` (a code such as "us-east-1").

    ``regionCode`` selects the priced region; ``None`` leaves it out (all regions).
    """
    pairs = list(base)
    if region is not None:
        pairs.append(("regionCode", region))
    return [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in pairs]


@dataclass(frozen=True)
class ReservedKey:
    """The three term attributes that identify one Reserved Instance offer."""

    lease: str  # "1yr" | "3yr"
    offering_class: str  # "standard" | "convertible"
    purchase_option: str  # "No Upfront" | "Partial Upfront" | "All Upfront"


@dataclass(frozen=True)
class Tier:
    """One OnDemand price dimension: a rate from ``begin`` to ``end`` (None: open) units."""

    begin: float
    end: float | None
    unit: str
    usd: float
    description: str = ""


def ondemand_tiers(ondemand_terms: Mapping[str, Any]) -> tuple[Tier, ...]:
    """Every OnDemand price dimension of a product, sorted by ``beginRange``.

    Tiered products (S3 storage, data transfer, Lambda duration) have several; the
    ``beginRange``/``endRange`` strings are quantities of the unit ("Inf" is open).
    """
    tiers = []
    for term in ondemand_terms.values():
        for dim in _dimensions(term):
            end = str(dim.get("endRange", "Inf"))
            try:
                begin = float(dim.get("beginRange", "0"))
                end_value = None if end in ("Inf", "") else float(end)
            except ValueError as exc:
                raise PriceListItemError(f"tier range not a number: {dim!r}") from exc
            tiers.append(
                Tier(begin, end_value, str(dim.get("unit", "")), _usd(dim),
                     str(dim.get("description", "")))  # fmt: skip
            )
    return tuple(sorted(tiers, key=lambda t: t.begin))


@dataclass(frozen=True)
class ReservedOffer:
    """One Reserved term of a product: its key, hourly and upfront parts and effective rate."""

    lease: str
    offering_class: str
    purchase_option: str
    hourly_usd: float
    upfront_usd: float
    effective: float  # hourly + upfront spread over the term


@dataclass(frozen=True)
class PriceItem:
    """One parsed product with its prices (from a PriceList item or an offer file)."""

    sku: str
    product_family: str
    attributes: dict[str, str]
    #: first-tier On-Demand USD per ``ondemand_unit`` ("Hrs" for instances, "GB-Mo"...)
    ondemand_usd: float | None
    ondemand_unit: str | None
    #: effective USD/hour including the upfront fee spread over the term
    reserved_usd_per_hour: dict[ReservedKey, float] = field(default_factory=dict)
    #: every Reserved term with its hourly and upfront parts (``ec2_commitments``)
    reserved_offers: tuple[ReservedOffer, ...] = ()
    #: every OnDemand price dimension (tiers), for usage-priced products
    tiers: tuple[Tier, ...] = ()
    publication_date: str | None = None
    version: str | None = None

    @property
    def ondemand_usd_per_hour(self) -> float | None:
        """The On-Demand rate when it is hourly (instance SKUs), else ``None``."""
        return self.ondemand_usd if self.ondemand_unit == UNIT_HOURS else None

    def reserved(
        self, lease: str, purchase_option: str = "No Upfront", offering_class: str = "standard"
    ) -> float | None:
        """The effective hourly rate of one RI offer, ``None`` when the item has none."""
        return self.reserved_usd_per_hour.get(ReservedKey(lease, offering_class, purchase_option))


def _usd(dimension: Mapping[str, Any]) -> float:
    """The USD price of one price dimension (a decimal string such as "0.0960000000")."""
    try:
        value = float(dimension["pricePerUnit"]["USD"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PriceListItemError(f"price dimension without a USD price: {dimension!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise PriceListItemError(f"price dimension with an invalid USD price: {value!r}")
    return value


def _dimensions(term: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    try:
        dims = term["priceDimensions"]
        return list(dims.values())
    except (KeyError, AttributeError, TypeError) as exc:
        raise PriceListItemError("term without priceDimensions") from exc


def ondemand_rate(ondemand_terms: Mapping[str, Any]) -> tuple[float, str] | None:
    """The On-Demand (USD, unit) of a ``terms.OnDemand`` mapping, ``None`` when it is empty.

    An instance SKU has one OnDemand term with one "Hrs" dimension.  Tiered products (data
    transfer, S3) have one dimension per tier: the first tier (``beginRange`` "0") is the
    rate.  Two different rates for the same first tier make the price ambiguous: an error
    rather than a silent pick.
    """
    rates: set[tuple[float, str]] = set()
    for term in ondemand_terms.values():
        for dim in _dimensions(term):
            if str(dim.get("beginRange", "0")) not in ("0", "0.0"):
                continue
            unit = dim.get("unit")
            if not unit:
                raise PriceListItemError("OnDemand price dimension without a unit")
            rates.add((_usd(dim), unit))
    if len(rates) > 1:
        raise PriceListItemError(f"several OnDemand first-tier rates: {sorted(rates)}")
    return rates.pop() if rates else None


def ondemand_usd_per_hour(ondemand_terms: Mapping[str, Any]) -> float | None:
    """The hourly On-Demand rate of an instance SKU (``None``: no rate or not hourly)."""
    rate = ondemand_rate(ondemand_terms)
    return rate[0] if rate is not None and rate[1] == UNIT_HOURS else None


def reserved_effective_hourly(lease: str, hourly_usd: float, upfront_usd: float) -> float:
    """Effective USD/hour of an RI: the hourly rate plus the upfront fee spread over the term.

    >>> round(reserved_effective_hourly("1yr", 0.034, 294.0), 6)  # m5.large convertible PU
    0.067562
    """
    try:
        hours = LEASE_HOURS[lease]
    except KeyError as exc:
        raise PriceListItemError(f"unknown LeaseContractLength {lease!r}") from exc
    return hourly_usd + upfront_usd / hours


def reserved_rates(reserved_terms: Mapping[str, Any]) -> dict[ReservedKey, float]:
    """Effective hourly rate per RI offer from a ``terms.Reserved`` mapping."""
    return {
        ReservedKey(o.lease, o.offering_class, o.purchase_option): o.effective
        for o in reserved_offers(reserved_terms)
    }


def reserved_offers(reserved_terms: Mapping[str, Any]) -> tuple[ReservedOffer, ...]:
    """Every RI offer of a ``terms.Reserved`` mapping with its hourly and upfront parts.

    Each term has an "Hrs" dimension (0 for All Upfront) and, unless No Upfront, an
    "Upfront Fee" dimension in unit "Quantity" (USD once per term).
    """
    out: list[ReservedOffer] = []
    for term in reserved_terms.values():
        attrs = term.get("termAttributes") or {}
        try:
            # RDS, ElastiCache, OpenSearch and Redshift RIs have no OfferingClass: they are
            # all of the standard kind (no convertible RIs outside EC2).
            key = ReservedKey(
                attrs["LeaseContractLength"],
                attrs.get("OfferingClass", "standard"),
                attrs["PurchaseOption"],
            )
        except KeyError as exc:
            raise PriceListItemError(f"Reserved term without {exc.args[0]}") from exc
        hourly = upfront = 0.0
        for dim in _dimensions(term):
            unit = dim.get("unit")
            if unit == UNIT_HOURS:
                hourly += _usd(dim)
            elif unit == UNIT_UPFRONT:
                upfront += _usd(dim)
            else:
                raise PriceListItemError(f"Reserved dimension in unit {unit!r}")
        effective = reserved_effective_hourly(key.lease, hourly, upfront)
        out.append(
            ReservedOffer(key.lease, key.offering_class, key.purchase_option, hourly, upfront,
                          effective)  # fmt: skip
        )
    return tuple(out)


def parse_price_list_item(item: str | bytes | Mapping[str, Any]) -> PriceItem:
    """Parse one ``PriceList`` element of a GetProducts response.

    Parameters
    ----------
    item : str, bytes or mapping
        The element as the API returns it (a JSON string) or already decoded.

    Raises
    ------
    PriceListItemError
        When the JSON is invalid or a key the price depends on is missing.
    """
    if isinstance(item, str | bytes):
        try:
            item = json.loads(item)
        except json.JSONDecodeError as exc:
            raise PriceListItemError(f"PriceList item is not JSON: {exc}") from exc
    if not isinstance(item, Mapping):
        raise PriceListItemError(f"PriceList item is a {type(item).__name__}, not an object")
    try:
        product = item["product"]
        sku = product["sku"]
        attributes = dict(product["attributes"])
        terms = item["terms"]
    except (KeyError, TypeError) as exc:
        raise PriceListItemError(f"PriceList item without {exc}") from exc
    if not isinstance(terms, Mapping):
        raise PriceListItemError("PriceList item whose terms are not an object")
    rate = ondemand_rate(terms.get("OnDemand") or {})
    offers = reserved_offers(terms.get("Reserved") or {})
    return PriceItem(
        sku=sku,
        product_family=product.get("productFamily", ""),
        attributes=attributes,
        ondemand_usd=rate[0] if rate else None,
        ondemand_unit=rate[1] if rate else None,
        reserved_usd_per_hour={
            ReservedKey(o.lease, o.offering_class, o.purchase_option): o.effective for o in offers
        },
        reserved_offers=offers,
        tiers=ondemand_tiers(terms.get("OnDemand") or {}),
        publication_date=item.get("publicationDate"),
        version=item.get("version"),
    )


def ec2_rejection_reason(product_family: str, attributes: Mapping[str, str]) -> str | None:
    """Why an offer-file product is not a Linux shared On-Demand instance (``None``: keep it).

    The Pricing API applies :data:`ON_DEMAND_LINUX_FILTERS` server-side; the bulk offer files
    hold every SKU, so the same filters run here.  An attribute absent from the product is
    not held against it: older files (2018) predate ``marketoption`` and ``regionCode``.
    """
    if product_family not in INSTANCE_PRODUCT_FAMILIES:
        return "productFamily"
    for name, wanted in ON_DEMAND_LINUX_FILTERS:
        value = attributes.get(name)
        if value is not None and value != wanted:
            return name
    # Local Zones, Wavelength and Outposts have SKUs of their own ("us-east-1-nyc-1"); the
    # catalog prices regions.
    location_type = attributes.get("locationType")
    if location_type is not None and location_type != "AWS Region":
        return "locationType"
    if not attributes.get("instanceType"):
        return "instanceType"
    return None


def product_spec_fields(attributes: Mapping[str, str]) -> dict[str, Any]:
    """Spec fields of a product's attributes (as strings in the Price List), normalized.

    Raises
    ------
    PriceListItemError
        When the memory attribute is not a size such as "8 GiB".
    """
    vcpu = first_number(attributes.get("vcpu"))
    try:
        memory = parse_memory_gib(attributes.get("memory"))
    except ValueError as exc:
        raise PriceListItemError(str(exc)) from exc
    return {
        "instance_type": attributes.get("instanceType"),
        "vcpus": int(vcpu) if vcpu is not None else None,
        "memory_gib": memory,
        "clock_ghz": first_number(attributes.get("clockSpeed")),
        "physical_processor": attributes.get("physicalProcessor"),
        "network_performance": attributes.get("networkPerformance"),
        "current_generation": {"Yes": True, "No": False}.get(
            attributes.get("currentGeneration", "")
        ),
        "location": attributes.get("location"),
        "region_code": attributes.get("regionCode"),
    }
