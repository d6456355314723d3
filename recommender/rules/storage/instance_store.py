"""Instance store as a storage choice of its own: local SSD for scratch data (PERF03).

The EC2 instance store docs (https://docs.aws.amazon.com/ec2/latest/instancetypes/
so-instance-store-volumes.html, "SSD instance store volumes") describe instance store as
block storage on disks physically attached to the host, lost when the instance stops or
terminates: right for scratch data (buffers, caches, temporary files), never for the only
copy.  The search runs over the catalog's ``ec2`` table: SSD instance storage at least as
large as the need (NVMe first), within the compute need when the profile has one, priced
as the instance (storage included) at its on-demand rate.  The per-type instance-store
IOPS of AWS's table are in no stored source, so IOPS are not checked (the option says so
and the catalog manifest lists the gap).
"""

from __future__ import annotations

import math
from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import (
    HOURS_PER_MONTH,
    PERF03_CONFIG,
    PERF03_PURPOSE,
    Candidate,
    Rejections,
    cost_reason,
    fmt_num,
    fmt_usd,
    reason,
    verify_reason,
)
from recommender.rules.prices import per_catalog, per_unit_cost
from recommender.rules.storage.need import StorageNeed

INSTANCE_STORE_URL = ("https://docs.aws.amazon.com/ec2/latest/instancetypes/"
                      "so-instance-store-volumes.html")
EC2_PRICING_URL = "https://aws.amazon.com/ec2/pricing/on-demand/"


def local_ssd_rows(catalog: Any, region: str) -> list[dict[str, Any]]:
    """Current-generation types with SSD instance storage priced in ``region``, cheapest first."""
    def build(c: Any) -> dict[str, list[dict[str, Any]]]:
        e = c.ec2
        e = e[(e["instance_storage_type"] == "ssd") & (e["instance_storage_gib"] > 0)
              & e["current_generation"]]
        cols = ["instance_type", "vcpus", "memory_gib", "instance_storage_gib",
                "instance_storage_disks", "instance_storage_nvme"]
        pr = c.ec2_prices[["instance_type", "region", "ondemand_usd_per_hour", "price_as_of",
                           "price_source", "verify"]]
        m = e[cols].merge(pr, on="instance_type").dropna(subset=["ondemand_usd_per_hour"])
        out: dict[str, list[dict[str, Any]]] = {}
        for r in m.sort_values(["ondemand_usd_per_hour", "instance_type"]).to_dict("records"):
            out.setdefault(str(r["region"]), []).append(r)
        return out
    # Kept on disk with the derived indexes (rows of plain values): a warm process joins no
    # tables (nor imports pandas) for an instance-store option.
    rows: dict[str, list[dict[str, Any]]] = per_catalog("local_ssd_rows", catalog, build,
                                                        persist=dict)
    return rows.get(region, [])


def _compute_floor(p: WorkloadProfile) -> tuple[float, float]:
    c = p.compute
    if c is None:
        return 0.0, 0.0
    v = (c.vcpus.min or 0.0) if c.vcpus else 0.0
    m = (c.memory_gib.min or 0.0) if c.memory_gib else 0.0
    return v, m


def instance_store_option(
    p: WorkloadProfile, n: StorageNeed, catalog: Any, region: str, rej: Rejections,
) -> Candidate | None:
    """The cheapest instance with enough local SSD for scratch data, or None (counted).

    Parameters
    ----------
    p : WorkloadProfile
        Its compute need (vCPUs, memory), when present, constrains the instance.
    n : StorageNeed
        ``size_gib`` must fit in the instance's local SSD.
    """
    size = n.size_gib or 0.0
    v_need, m_need = _compute_floor(p)
    rows = [r for r in local_ssd_rows(catalog, region)
            if float(r["instance_storage_gib"]) >= size and float(r["vcpus"]) >= v_need
            and float(r["memory_gib"]) >= m_need]
    if not rows:
        rej.add("storage.instance_store_too_small")
        return None
    nvme = [r for r in rows if r.get("instance_storage_nvme") is True]
    r = (nvme or rows)[0]
    hours = (p.compute.hours_per_month if p.compute and p.compute.hours_per_month
             else HOURS_PER_MONTH)
    rs = [*_local_ssd_reasons(r, hours, (v_need, m_need)), *_unchecked_reasons(n, r)]
    verify = bool(r.get("verify"))
    if verify:
        rs.append(verify_reason(f"The {r['instance_type']} price is marked unverified."))
    c = Candidate(
        "instance_store", "instance_store",
        per_unit_cost(float(r["ondemand_usd_per_hour"]), hours), rs,
        config={"instance_type": str(r["instance_type"]),
                "size_gib": float(r["instance_storage_gib"]),
                "price_as_of": str(r["price_as_of"]), "price_source": str(r["price_source"])},
        purchase_option="on_demand", verify=verify, components={"fit": 1.0},
        risk=1.0 if n.iops else 0.0)
    name_unknown_iops(c, n, str(r["instance_type"]))
    return c


def name_unknown_iops(c: Candidate, n: StorageNeed, itype: str) -> None:
    """Name the unchecked instance-store IOPS in the option's ``unpriced`` list (so the
    bundle's lists it too): AWS's SSD instance store volumes table is in no stored source."""
    if n.iops:
        c.name_unpriced(f"instance-store IOPS of {itype} (unknown: {fmt_num(n.iops)} IOPS "
                        "needed, not checked)",
                        "the catalog has no per-type instance-store IOPS (AWS's SSD instance "
                        "store volumes table is not in its sources; a coverage gap): look it "
                        f"up before relying on it ({INSTANCE_STORE_URL})")


def _local_ssd_reasons(r: dict[str, Any], hours: float,
                       need: tuple[float, float]) -> list[Any]:
    """What the chosen instance's local SSD is, and its cost (the instance's)."""
    v_need, m_need = need
    cost = per_unit_cost(float(r["ondemand_usd_per_hour"]), hours)
    disks = r.get("instance_storage_disks")
    disks_txt = "" if disks is None or (isinstance(disks, float) and math.isnan(disks)) \
        else f" on {int(disks)} disk(s)"
    return [reason("storage.instance_store", PERF03_PURPOSE,
                   f"Scratch data: {r['instance_type']} has "
                   f"{fmt_num(r['instance_storage_gib'])} GiB of local "
                   f"{'NVMe ' if r.get('instance_storage_nvme') else ''}SSD{disks_txt}, on the "
                   f"host (no network hop), lost when the instance stops "
                   f"({INSTANCE_STORE_URL})."),
            cost_reason("storage", f"{fmt_usd(cost)}/month: the instance at "
                        f"{fmt_usd(r['ondemand_usd_per_hour'])}/h x {fmt_num(hours)} h, "
                        "storage included"
                        + (f"; chosen within the compute need ({fmt_num(v_need)} vCPU, "
                           f"{fmt_num(m_need)} GiB)" if v_need or m_need else "")
                        + f" ({EC2_PRICING_URL}).")]


def _unchecked_reasons(n: StorageNeed, r: dict[str, Any]) -> list[Any]:
    """Cautions for the needs the catalog has no figure to check (IOPS, latency)."""
    rs = []
    if n.iops:
        rs.append(reason("storage.instance_store_iops", PERF03_CONFIG,
                         f"The catalog has no instance-store IOPS per type (AWS's SSD instance "
                         f"store volumes table is not in its sources), so the "
                         f"{fmt_num(n.iops)} IOPS need is not checked: look it up for "
                         f"{r['instance_type']} ({INSTANCE_STORE_URL}).", "caution"))
    if n.latency_ms is not None:
        rs.append(reason("storage.latency", PERF03_CONFIG,
                         "Local NVMe has no network hop to storage; the catalog has no latency "
                         f"figure for it, so the {fmt_num(n.latency_ms)} ms need is not "
                         f"checked against a number ({INSTANCE_STORE_URL}).", "caution"))
    return rs
