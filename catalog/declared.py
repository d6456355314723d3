"""The schema's declarations that a reader needs without importing pandera.

:mod:`catalog.schema` declares every table with pandera, whose import costs a CLI process
about 0.3 s; reading a snapshot whose tables were already checked (:mod:`catalog.validated`)
and pricing from it need only these names and constants, so they live here and the schema
re-exports them.  ``tests/catalog/test_declared.py`` checks that they agree with the schema.
"""

from __future__ import annotations

#: Bumped when a column is renamed or removed (adding one is compatible).
SCHEMA_VERSION = "1"

#: The snapshot's tables, in the order of :data:`catalog.schema.TABLES`.
TABLE_NAMES: tuple[str, ...] = (
    "ec2",
    "ec2_prices",
    "ebs",
    "database",
    "unit_prices",
    "facts",
    "regions",
    "latency",
    "ec2_commitments",
    "ec2_spot_prices",
)

#: The declared units of ``unit_prices.unit``: unit -> (the quantity it is billed on, how many
#: of that quantity one price covers).  "USD per 1M requests" is (request, 1e6): a cost is
#: ``quantity / per * price``, computed in one place (``recommender.rules.prices``), so a
#: per-million row can never be charged per request.  A reader that meets another unit must
#: convert to one of these (or add it here with its scale); the schema refuses any other.
UNIT_SCALE: dict[str, tuple[str, float]] = {
    "USD per GB": ("GB", 1.0),
    "USD per GB-month": ("GB-month", 1.0),
    "USD per GB-second": ("GB-second", 1.0),
    "USD per GB-hour": ("GB-hour", 1.0),
    "USD per request": ("request", 1.0),
    "USD per object-month": ("object-month", 1.0),
    "USD per 10K requests": ("request", 1e4),
    "USD per 1M requests": ("request", 1e6),
    "USD per I/O request": ("I/O request", 1.0),
    "USD per read request unit": ("read request unit", 1.0),
    "USD per write request unit": ("write request unit", 1.0),
    "USD per RCU-hour": ("RCU-hour", 1.0),
    "USD per WCU-hour": ("WCU-hour", 1.0),
    "USD per IOPS-month": ("IOPS-month", 1.0),
    "USD per MBps-month": ("MBps-month", 1.0),
    "USD per vCPU-hour": ("vCPU-hour", 1.0),
    "USD per shard-hour": ("shard-hour", 1.0),
    "USD per PUT payload unit (25 KB)": ("PUT payload unit", 1.0),
    "USD per RPU-hour": ("RPU-hour", 1.0),
    "USD per hour": ("hour", 1.0),
}
