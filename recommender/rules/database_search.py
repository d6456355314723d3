"""OpenSearch data-node storage: each node's share of the index within what its type holds.

"EBS volume size quotas" (:data:`OPENSEARCH_EBS_LIMITS_URL`) gives, per instance type, the
minimum EBS volume (10 GiB; 20 GiB for the OpenSearch Optimized OR1, OR2 and OM2 types) and
the maximum gp3 volume a data node can have, the type the export deploys; instance types with
local NVMe storage (I3, I4i, I4g, Im4gn, R6gd, R7gd...) show "N/A": "EBS volumes are not an
option when you select these instance types" (:data:`OPENSEARCH_PETABYTE_URL`), so their
index lives on the instance storage, which the instance price includes (the catalog's
``storage_desc``, "1 x 1,875 Nitro SSD", in decimal GB).  A node holds its share of the index
storage (the sizing guide's step 2, storage / nodes) only within that maximum.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from recommender.rules.base import PERF03_CONFIG, reason

OPENSEARCH_EBS_LIMITS_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/"
                             "developerguide/limits.html#ebsresource")
OPENSEARCH_PETABYTE_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/"
                           "developerguide/petabyte-scale.html")
_TIB = 1024.0
#: Maximum gp3 EBS volume per data node, GiB, by family and size
#: (:data:`OPENSEARCH_EBS_LIMITS_URL`; the page's "1.5 TiB" is 1,536 GiB, its "1532 GiB" kept
#: as written).  Current-generation EBS types only: the previous generation (M3, M4, C4, R3,
#: R4, I2, T2) is never a data node.
OPENSEARCH_GP3_MAX_GIB: dict[str, dict[str, float]] = {
    "t3": {"small": 100.0, "medium": 200.0},
    "m5": {"large": _TIB, "xlarge": 2 * _TIB, "2xlarge": 3 * _TIB, "4xlarge": 6 * _TIB,
           "12xlarge": 18 * _TIB},
    "m6g": {"large": _TIB, "xlarge": 2 * _TIB, "2xlarge": 3 * _TIB, "4xlarge": 6 * _TIB,
            "8xlarge": 12 * _TIB, "12xlarge": 18 * _TIB},
    "c5": {"large": 256.0, "xlarge": 512.0, "2xlarge": _TIB, "4xlarge": 1.5 * _TIB,
           "9xlarge": 3.5 * _TIB, "18xlarge": 7 * _TIB},
    "c6g": {"large": 256.0, "xlarge": 512.0, "2xlarge": _TIB, "4xlarge": 1.5 * _TIB,
            "8xlarge": 3 * _TIB, "12xlarge": 4.5 * _TIB},
    "r5": {"large": 2 * _TIB, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB, "4xlarge": 12 * _TIB,
           "12xlarge": 24 * _TIB},
    "r6g": {"large": 2 * _TIB, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB, "4xlarge": 12 * _TIB,
            "8xlarge": 16 * _TIB, "12xlarge": 24 * _TIB},
    "or1": {"medium": 768.0, "large": 1532.0, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB,
            "4xlarge": 12 * _TIB, "8xlarge": 16 * _TIB, "12xlarge": 24 * _TIB,
            "16xlarge": 36 * _TIB},
    "or2": {"medium": 768.0, "large": 1532.0, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB,
            "4xlarge": 12 * _TIB, "8xlarge": 16 * _TIB, "12xlarge": 24 * _TIB,
            "16xlarge": 36 * _TIB},
    "om2": {"large": 768.0, "xlarge": 2 * _TIB, "2xlarge": 3 * _TIB, "4xlarge": 6 * _TIB,
            "8xlarge": 12 * _TIB, "12xlarge": 18 * _TIB, "16xlarge": 24 * _TIB},
    "c7g": {"large": 256.0, "xlarge": 512.0, "2xlarge": _TIB, "4xlarge": 1.5 * _TIB,
            "8xlarge": 3 * _TIB, "12xlarge": 4.5 * _TIB, "16xlarge": 6 * _TIB},
    "m7g": {"medium": 512.0, "large": 768.0, "xlarge": 2 * _TIB, "2xlarge": 3 * _TIB,
            "4xlarge": 6 * _TIB, "8xlarge": 12 * _TIB, "12xlarge": 18 * _TIB,
            "16xlarge": 24 * _TIB},
    "r7g": {"medium": 768.0, "large": 1.5 * _TIB, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB,
            "4xlarge": 12 * _TIB, "8xlarge": 16 * _TIB, "12xlarge": 24 * _TIB,
            "16xlarge": 36 * _TIB},
    "c7i": {"large": 256.0, "xlarge": 512.0, "2xlarge": _TIB, "4xlarge": 1.5 * _TIB,
            "8xlarge": 3 * _TIB, "12xlarge": 4.5 * _TIB, "16xlarge": 6 * _TIB},
    "m7i": {"large": 768.0, "xlarge": 2 * _TIB, "2xlarge": 3 * _TIB, "4xlarge": 6 * _TIB,
            "8xlarge": 12 * _TIB, "12xlarge": 18 * _TIB, "16xlarge": 24 * _TIB},
    # The page lists r7i.12xlarge twice (24 and 36 TiB): r7i.16xlarge has no row of its own,
    # so it has no known maximum and is not chosen.
    "r7i": {"large": 1.5 * _TIB, "xlarge": 3 * _TIB, "2xlarge": 6 * _TIB, "4xlarge": 12 * _TIB,
            "8xlarge": 16 * _TIB, "12xlarge": 24 * _TIB},
}
#: The least EBS volume of a data node, GiB: 10, and 20 for the OR1, OR2 and OM2 families.
OPENSEARCH_EBS_MIN_GIB = 10.0
OPENSEARCH_EBS_MIN_GIB_OPTIMIZED = 20.0
_OPTIMIZED_FAMILIES = ("or1", "or2", "om2")
#: Decimal GB (instance storage) in GiB.
_GB_IN_GIB = 1e9 / 2**30
_LOCAL = re.compile(r"(\d+)\s*x\s*([\d,]+(?:\.\d+)?)")


@dataclass(frozen=True)
class NodeStorage:
    """What one data node of a type holds: ``gib``, on EBS (``local`` False) or its instance
    storage (``local`` True, included in the instance price)."""

    gib: float
    local: bool


def node_storage(row: dict[str, Any]) -> NodeStorage | None:
    """The storage one data node of ``row``'s type holds, or None when the table has no row
    for it (see the module docstring)."""
    return _node_storage(str(row["instance_class"]), str(row.get("storage_desc") or ""))


@functools.lru_cache(maxsize=4096)  # a few hundred types, read per row on every sizing
def _node_storage(instance_class: str, desc: str) -> NodeStorage | None:
    if desc and "ebs" not in desc.lower():
        m = _LOCAL.search(desc)
        if m is None:
            return None
        return NodeStorage(int(m.group(1)) * float(m.group(2).replace(",", "")) * _GB_IN_GIB,
                           True)
    family, _, rest = instance_class.lower().partition(".")
    size = rest.split(".", 1)[0]
    gib = OPENSEARCH_GP3_MAX_GIB.get(family, {}).get(size)
    return None if gib is None else NodeStorage(gib, False)


def ebs_min_gib(instance_class: str) -> float:
    """The least EBS volume of a data node of ``instance_class`` (10 or 20 GiB, see above)."""
    return (OPENSEARCH_EBS_MIN_GIB_OPTIMIZED if instance_class.lower().startswith(
        _OPTIMIZED_FAMILIES) else OPENSEARCH_EBS_MIN_GIB)


def holds(row: dict[str, Any], share_gib: float) -> bool:
    """Whether one data node of ``row``'s type holds ``share_gib`` of the index."""
    st = node_storage(row)
    return st is not None and st.gib >= share_gib


def nodes_for_storage(row: dict[str, Any], storage_gib: float) -> int:
    """The fewest data nodes of ``row``'s type that hold ``storage_gib`` between them (1 when
    the type's maximum is not known)."""
    st = node_storage(row)
    return 1 if st is None or st.gib <= 0 else math.ceil(storage_gib / st.gib - 1e-9)


def volume_config(row: dict[str, Any], storage_gib: float, count: int) -> dict[str, Any]:
    """The option's storage config: ``volume_gib_per_node`` (each node's EBS volume, its share
    of the index and at least the type's minimum), or ``storage_type`` ``instance_store``."""
    st = node_storage(row)
    if st is not None and st.local:
        return {"storage_type": "instance_store"}
    share = math.ceil(storage_gib / max(count, 1))
    return {"volume_gib_per_node": int(max(share, ebs_min_gib(str(row["instance_class"]))))}


def storage_text(row: dict[str, Any], storage_gib: float, count: int) -> str:
    """The sizing sentence's part on each node's storage and its limit."""
    st = node_storage(row)
    cls = str(row["instance_class"])
    share = storage_gib / max(count, 1)
    if st is None:
        return (f"; each node's {share:,.0f} GiB share of the index: {cls} has no row in the "
                f"EBS volume size quotas ({OPENSEARCH_EBS_LIMITS_URL})")
    if st.local:
        return (f"; each node keeps its {share:,.0f} GiB share of the index on its "
                f"{st.gib:,.0f} GiB of instance storage ({row.get('storage_desc')}, GB), "
                f"included in the instance price: EBS volumes are not an option for {cls} "
                f"({OPENSEARCH_EBS_LIMITS_URL}; {OPENSEARCH_PETABYTE_URL})")
    vol = volume_config(row, storage_gib, count)["volume_gib_per_node"]
    return (f"; each node's EBS volume {vol:,} GiB (its share of the index, at least "
            f"{ebs_min_gib(cls):g} GiB), within {cls}'s {st.gib:,.0f} GiB gp3 maximum "
            f"({OPENSEARCH_EBS_LIMITS_URL})")


OPENSEARCH_QUOTAS_URL = ("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
                         "limits.html#clusterresource")
#: "Instances per domain", default 80, adjustable ("You can request an increase up to 200
#: instances"): Amazon OpenSearch Service quotas, domain and instance quotas.
OPENSEARCH_INSTANCES_PER_DOMAIN = 80


def instance_quota_reason(count: int) -> Any:
    """A caution when a domain's ``count`` data nodes are above the default instances-per-domain
    quota (:data:`OPENSEARCH_INSTANCES_PER_DOMAIN`), else None: the quota is adjustable, so
    the option stands, but an increase must be requested before the domain is created."""
    if count <= OPENSEARCH_INSTANCES_PER_DOMAIN:
        return None
    return reason("database.opensearch_instance_quota", PERF03_CONFIG, (
        f"{count} data nodes are above the default quota of "
        f"{OPENSEARCH_INSTANCES_PER_DOMAIN} instances per domain ({OPENSEARCH_QUOTAS_URL}); "
        "it is adjustable: request an increase (Service Quotas) before creating the domain."),
        "caution")
