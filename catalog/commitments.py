"""Rows of ``ec2_commitments``: Reserved Instance terms and Savings Plans rates, parsed.

No I/O here.  Three shapes feed the same rows:

* Reserved terms of a Price List product (GetProducts item or offer-file product), read by
  :func:`catalog.pricing.reserved_offers`: lease, offering class, purchase option, the hourly
  and the upfront dimension.
* Savings Plans offer-file rows (the ``AWSComputeSavingsPlan`` CSV: ``DiscountedRate``,
  ``PurchaseOption``, ``LeaseContractLength``, ``Product Family``, ``DiscountedUsageType``,
  ``DiscountedOperation``, ``DiscountedRegionCode``, ``DiscountedInstanceType``).
* ``DescribeSavingsPlansOfferingRates`` results (``savingsPlanOffering{paymentOption, planType,
  durationSeconds}``, ``rate``, ``unit``, ``usageType``, ``operation``, ``properties``).

Only Linux, shared-tenancy instance usage is kept, as for ``ec2_prices``: the usage type
``BoxUsage:<type>`` (with or without a region prefix such as ``APE2-``) and the operation
``RunInstances`` (Linux; ``RunInstances:0002`` is Windows, ``:0010`` RHEL...).
See https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-offer-file.html and
https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reserved-instances-offer-file.html.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from catalog.pricing import ReservedOffer
from catalog.schema import TABLES

COMMITMENT_COLUMNS = list(TABLES["ec2_commitments"].to_schema().columns)

#: Price List PurchaseOption / Savings Plans paymentOption -> ``payment`` column.
PAYMENTS = {
    "No Upfront": "no_upfront",
    "Partial Upfront": "partial_upfront",
    "All Upfront": "all_upfront",
}
#: RI OfferingClass -> ``offering``.
RI_OFFERINGS = {"standard": "reserved_standard", "convertible": "reserved_convertible"}
#: Savings Plans type (API ``planType`` / offer-file ``Product Family``) -> ``offering``.
SP_OFFERINGS = {
    "Compute": "savings_plan_compute",
    "ComputeSavingsPlans": "savings_plan_compute",
    "EC2Instance": "savings_plan_ec2_instance",
    "EC2InstanceSavingsPlans": "savings_plan_ec2_instance",
}
#: RI LeaseContractLength -> ``term_years``.
LEASE_YEARS = {"1yr": 1, "3yr": 3}
#: Seconds in a Savings Plans term (the API gives ``durationSeconds``: 31536000 or 94608000).
SECONDS_PER_YEAR = 365 * 24 * 3600

#: ``[<region prefix>-]BoxUsage:<instance type>``: shared-tenancy instance hours.
_BOX_USAGE = re.compile(r"^(?:[A-Z0-9]+-)?BoxUsage:(?P<type>[a-z0-9-]+\.[a-z0-9-]+)$")
#: The Linux/UNIX operation (no licence code suffix).
LINUX_OPERATION = "RunInstances"


def linux_shared_type(usage_type: str | None, operation: str | None) -> str | None:
    """The instance type of a Linux shared-tenancy usage, ``None`` for any other usage.

    >>> linux_shared_type("APE2-BoxUsage:r7g.2xlarge", "RunInstances")
    'r7g.2xlarge'
    >>> linux_shared_type("APE2-DedicatedUsage:r7g.large", "RunInstances") is None
    True
    >>> linux_shared_type("BoxUsage:m5.large", "RunInstances:0002") is None  # Windows
    True
    """
    if operation != LINUX_OPERATION or not usage_type:
        return None
    m = _BOX_USAGE.match(usage_type)
    return m.group("type") if m else None


def _row(**kw: Any) -> dict[str, Any]:
    kw.setdefault("verify", False)
    return {c: kw.get(c, math.nan) for c in COMMITMENT_COLUMNS}


def reserved_rows(
    offers: Iterable[ReservedOffer], *, instance_type: str, region: str, as_of: str, source: str
) -> list[dict[str, Any]]:
    """One row per RI offer of one product; offers with a zero effective rate are dropped."""
    rows = []
    for o in offers:
        offering = RI_OFFERINGS.get(o.offering_class)
        payment = PAYMENTS.get(o.purchase_option)
        years = LEASE_YEARS.get(o.lease)
        if offering is None or payment is None or years is None or not o.effective > 0:
            continue
        rows.append(
            _row(
                instance_type=instance_type,
                region=region,
                offering=offering,
                term_years=years,
                payment=payment,
                effective_usd_per_hour=o.effective,
                upfront_usd=o.upfront_usd,
                recurring_usd_per_hour=o.hourly_usd,
                price_as_of=as_of,
                price_source=source,
            )
        )
    return rows


def savings_plan_csv_row(
    row: Mapping[str, str], *, as_of: str, source: str
) -> dict[str, Any] | None:
    """The commitment row of one Savings Plans offer-file CSV row (``None``: not Linux shared)."""
    itype = linux_shared_type(row.get("DiscountedUsageType"), row.get("DiscountedOperation"))
    offering = SP_OFFERINGS.get(row.get("Product Family", ""))
    payment = PAYMENTS.get(row.get("PurchaseOption", ""))
    unit = row.get("LeaseContractLengthUnit", "year")
    try:
        years = int(row.get("LeaseContractLength", ""))
        rate = float(row.get("DiscountedRate", ""))
    except ValueError:
        return None
    if itype is None or offering is None or payment is None or unit != "year":
        return None
    if years not in (1, 3) or not rate > 0 or row.get("DiscountedServiceCode") != "AmazonEC2":
        return None
    return _row(
        instance_type=itype,
        region=row.get("DiscountedRegionCode", ""),
        offering=offering,
        term_years=years,
        payment=payment,
        effective_usd_per_hour=rate,
        price_as_of=as_of,
        price_source=source,
    )


def savings_plan_api_row(
    result: Mapping[str, Any], *, as_of: str, source: str
) -> dict[str, Any] | None:
    """The commitment row of one ``DescribeSavingsPlansOfferingRates`` search result."""
    offer = result.get("savingsPlanOffering") or {}
    props = {p.get("name"): p.get("value") for p in result.get("properties") or []}
    itype = linux_shared_type(result.get("usageType"), result.get("operation"))
    if itype is not None:  # the property names the type when the usage type is a family's
        itype = props.get("instanceType") or itype
    offering = SP_OFFERINGS.get(offer.get("planType", ""))
    payment = PAYMENTS.get(offer.get("paymentOption", ""))
    years = round(float(offer.get("durationSeconds") or 0) / SECONDS_PER_YEAR)
    try:
        rate = float(result.get("rate", ""))
    except ValueError:
        return None
    if itype is None or offering is None or payment is None or years not in (1, 3):
        return None
    if result.get("unit") != "Hrs" or not rate > 0 or not props.get("region"):
        return None
    return _row(
        instance_type=itype,
        region=props["region"],
        offering=offering,
        term_years=years,
        payment=payment,
        effective_usd_per_hour=rate,
        price_as_of=as_of,
        price_source=source,
    )


def ec2instances_reserved_rows(
    pricing: Mapping[str, Any], *, instance_type: str, as_of: str, source: str
) -> list[dict[str, Any]]:
    """Rows from ec2instances.info ``pricing[region]["linux"]["reserved"]``.

    Keys are ``yrTerm<1|3><Standard|Convertible>.<noUpfront|partialUpfront|allUpfront>`` and
    values the effective hourly rate; the upfront fee is not given (NaN).
    """
    payments = {"noUpfront": "no_upfront", "partialUpfront": "partial_upfront",
                "allUpfront": "all_upfront"}  # fmt: skip
    key = re.compile(r"^yrTerm(?P<y>[13])(?P<cls>Standard|Convertible)\.(?P<pay>\w+)$")
    rows = []
    for region, by_os in pricing.items():
        for k, v in ((by_os.get("linux") or {}).get("reserved") or {}).items():
            m = key.match(k)
            if not m or m.group("pay") not in payments:
                continue
            rate = float(v)
            if not rate > 0:
                continue
            rows.append(
                _row(
                    instance_type=instance_type,
                    region=region,
                    offering=RI_OFFERINGS[m.group("cls").lower()],
                    term_years=int(m.group("y")),
                    payment=payments[m.group("pay")],
                    effective_usd_per_hour=rate,
                    price_as_of=as_of,
                    price_source=source,
                )
            )
    return rows


def commitments_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """An ``ec2_commitments`` frame (columns in schema order) from rows."""
    df = pd.DataFrame(list(rows), columns=COMMITMENT_COLUMNS)
    df["term_years"] = df["term_years"].astype("int64")
    df["verify"] = df["verify"].astype(bool)
    return df


def commitment_gaps(df: pd.DataFrame) -> list[str]:
    """What an ``ec2_commitments`` table does not cover, per offering (named for users)."""
    gaps = []
    for offering in ("reserved_standard", "reserved_convertible", "savings_plan_compute",
                     "savings_plan_ec2_instance"):  # fmt: skip
        regions = sorted(set(df.loc[df["offering"] == offering, "region"]))
        label = offering.replace("savings_plan_", "Savings Plans ").replace(
            "reserved_", "Reserved Instances "
        )
        if not regions:
            gaps.append(f"{label} rates: none in this catalog; those options fall back")
        elif len(regions) < 10:
            gaps.append(f"{label} rates: only in {', '.join(regions)}")
    return gaps
