"""Monitoring: the CloudWatch alarms that tell whether a recommendation still holds.

``monitoring_for(profile, recommendations, catalog)`` returns the alarms of the chosen
bundle (the rank-1 compute, storage and database options, and CloudFront when caching at
the edge was advised), each with a threshold derived from the profile and the decision, the
reason, the PERF05 best practice (PERF05-BP02, use monitoring solutions; "Process and
culture", https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/process-and-culture.html)
and the AWS page that documents the metric.  Pure: the engine calls it last; the export
renders the alarms.
"""

from __future__ import annotations

from typing import Any

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Monitor, Recommendations
from recommender.rules.monitoring.compute import compute_monitors
from recommender.rules.monitoring.data import cloudfront, database_monitors
from recommender.rules.monitoring.storage import storage_monitors
from recommender.rules.prices import per_catalog

__all__ = ["monitoring_for"]


def _lookup(catalog: Any, table: str, keys: tuple[str, str],
            column: str) -> dict[tuple[str, str], Any]:
    def build(c: Any) -> dict[tuple[str, str], Any]:
        df = getattr(c, table, None)
        if df is None or df.empty or column not in df.columns:
            return {}
        sub = df[[*keys, column]].dropna().drop_duplicates(list(keys))
        return {(str(a), str(b)): v for a, b, v in sub.itertuples(index=False)}

    return per_catalog(f"monitoring.{table}.{column}", catalog, build)


def _db_memory(catalog: Any, instance_class: Any, region: str) -> float | None:
    if not instance_class:
        return None
    found = _lookup(catalog, "database", ("instance_class", "region"), "memory_gib")
    v = found.get((str(instance_class), region))
    return None if v is None else float(v)


def monitoring_for(p: WorkloadProfile, recs: Recommendations, catalog: Any,
                   region: str) -> list[Monitor]:
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

    Returns
    -------
    list of Monitor
        Empty when nothing the export can create was chosen.
    """
    out: list[Monitor] = []
    if recs.compute:
        out.extend(compute_monitors(p, recs.compute[0]))
    if recs.storage:
        o = recs.storage[0]
        vtype = str(o.config.get("volume_type") or o.option)
        cls = _lookup(catalog, "ebs", ("volume_type", "region"), "latency_class").get(
            (vtype, o.region or region))
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
