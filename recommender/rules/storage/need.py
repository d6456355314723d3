"""The storage need: the profile's storage section reduced to the figures the rules use."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import HOURS_PER_MONTH

__all__ = ["HOURS_PER_MONTH", "StorageNeed", "storage_need"]


@dataclass(frozen=True)
class StorageNeed:
    """Minimums of the profile's storage ranges, plus the descriptive fields."""

    size_gib: float | None
    iops: float | None
    mibps: float | None
    latency_ms: float | None
    pattern: str | None
    sharing: str | None
    persistence: str | None
    frequency: str | None
    read_fraction: float | None = None
    #: Hours per month the throughput is used (EFS Elastic Throughput bills per GB moved).
    throughput_hours: float | None = None
    #: How long an object lives (S3 minimum storage durations).
    object_lifetime_days: float | None = None
    #: Minutes a day the load peaks (EBS-optimized instances' 30-minute maximum); None:
    #: sustained.
    peak_minutes_per_day: float | None = None
    #: The profile's ``environment`` (EFS One Zone suits non-production file systems).
    environment: str | None = None
    #: The I/O size, KiB (io1/io2 throughput per provisioned IOPS); None: unknown.
    io_size_kib: float | None = None


def storage_need(p: WorkloadProfile) -> StorageNeed | None:
    """The storage section as a :class:`StorageNeed` (minimums of ranges), or None."""
    s = p.storage
    if s is None:
        return None
    return StorageNeed(
        size_gib=s.size_gib.min if s.size_gib else None,
        iops=s.iops.min if s.iops else None,
        mibps=s.throughput_mibps.min if s.throughput_mibps else None,
        latency_ms=s.latency_ms, pattern=s.access_pattern, sharing=s.sharing,
        persistence=s.persistence, frequency=s.access_frequency,
        read_fraction=s.read_fraction,
        throughput_hours=getattr(s, "throughput_hours_per_month", None),
        object_lifetime_days=getattr(s, "object_lifetime_days", None),
        peak_minutes_per_day=s.peak_minutes_per_day,
        environment=getattr(p, "environment", None),
        io_size_kib=s.io_size_kib,
    )
