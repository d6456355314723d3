"""Monitoring: the CloudWatch alarms that tell whether a recommendation still holds.

``monitoring_for(profile, recommendations, catalog)`` returns the alarms of the chosen
bundle (the rank-1 compute, storage and database options, and CloudFront when caching at
the edge was advised; storage the bundle moved onto the compute's own ephemeral storage
has no volume to alarm on, see :func:`_moved_storage`), each with a threshold derived from
the profile and the decision, the reason, the PERF05 best practice (PERF05-BP02, use
monitoring solutions; "Process and culture", https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/process-and-culture.html)
and the AWS page that documents the metric.  Pure: the engine calls it last; the export
renders the alarms.
"""

from __future__ import annotations

from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Bundle, Monitor, Option, Recommendations
from recommender.rules.bundle import bundle_host
from recommender.rules.monitoring.compute import compute_monitors
from recommender.rules.monitoring.data import cloudfront, database_monitors
from recommender.rules.monitoring.storage import fargate_ephemeral, storage_monitors
from recommender.rules.prices import per_catalog

__all__ = ["monitoring_for"]


def _lookup(catalog: Any, table: str, key: str, column: str, region: str) -> dict[str, Any]:
    """``key`` value -> ``column`` of ``table``'s rows in ``region`` (the first row with a
    value wins), built once per catalog and region.

    Per region, not for the whole table: a dict over the 30,731 database rows cost ~40 ms
    of the first answer of a process, for one look-up.
    """
    def build(c: Any) -> dict[str, Any]:
        df = getattr(c, table, None)
        if df is None or df.empty or column not in df.columns:
            return {}
        here = (df["region"] == region).to_numpy(dtype=bool, na_value=False)
        sub = df.loc[here, [key, "region", column]].dropna().drop_duplicates([key, "region"])
        return dict(zip((str(k) for k in sub[key].tolist()), sub[column].tolist(),
                        strict=True))

    return per_catalog(f"monitoring.{table}.{column}.{region}", catalog, build,
                       persist=dict)  # on disk too: a warm process parses no table for it


def _db_memory(catalog: Any, instance_class: Any, region: str) -> float | None:
    if not instance_class:
        return None
    v = _lookup(catalog, "database", "instance_class", "memory_gib", region).get(
        str(instance_class))
    return None if v is None else float(v)


def _moved_storage(bundle: Bundle | None) -> str | None:
    """The kind of the bundle's storage when it is the compute's own (category compute).

    ``fargate_ephemeral_storage`` (a task's ephemeral storage) or
    ``lambda_ephemeral_storage`` (a function's ``/tmp``) replace the ranked EBS volume
    (:mod:`recommender.rules.bundle`): there is no volume, so its EBS alarms would watch
    nothing.
    """
    if bundle is None:
        return None
    return next((c.kind for c in bundle.components
                 if c.role == "storage" and c.category == "compute"), None)


def monitoring_for(p: WorkloadProfile, recs: Recommendations, catalog: Any,
                   region: str, *, bundle: Bundle | None = None,
                   host: Option | None = None) -> list[Monitor]:
    """The alarms of the chosen bundle of a recommendation.

    Parameters
    ----------
    p : WorkloadProfile
        The parsed profile the recommendation was made for.
    recs : Recommendations
        Its ranked options.
    catalog : catalog.store.Catalog
        The catalog the options were priced from (latency classes, database memory).
    region : str
        The region of the options.
    bundle : Bundle, optional
        The response's bundle: storage it moved onto the compute's ephemeral storage gets
        no EBS alarms (Fargate's gets Container Insights' instead).
    host : Option, optional
        With ``bundle``, the bundle's compute (:func:`~recommender.rules.bundle.bundle_host`
        of ``recs``, as the bundle was built with); found again when not given.

    Returns
    -------
    list of Monitor
        Empty when nothing the export can create was chosen.
    """
    out: list[Monitor] = []
    # The bundle's compute, which the export creates: rank 1 of compute, unless the storage
    # needs an EC2 host (an instance-store type, an EC2 option for an EBS array).
    if bundle is None:
        host = recs.compute[0] if recs.compute else None
    elif host is None:
        host = bundle_host(recs)[0]
    if host is not None:
        out.extend(compute_monitors(p, host))
    moved = _moved_storage(bundle)
    if moved == "fargate_ephemeral_storage" and host is not None:
        out.append(fargate_ephemeral(host))
    if recs.storage and moved is None:
        o = recs.storage[0]
        vtype = str(o.config.get("volume_type") or o.option)
        cls = _lookup(catalog, "ebs", "volume_type", "latency_class", o.region or region).get(
            vtype)
        out.extend(storage_monitors(p, o, None if cls is None else str(cls)))
    if recs.database:
        o = recs.database[0]
        memory = _db_memory(catalog, o.config.get("instance_class"), o.region or region)
        out.extend(database_monitors(p, o, memory))
    edge = any(o.option == "cloudfront" for o in recs.network) or any(
        o.option == "caching" and "CloudFront" in str(o.config.get("service", ""))
        for o in recs.tradeoffs)
    if edge:
        m = cloudfront(p)
        if m is not None:
            out.append(m)
    return out
