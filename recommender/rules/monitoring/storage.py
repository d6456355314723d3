"""Alarms for the chosen EBS volume (PERF05-BP02).

* ``VolumeQueueLength``: by Little's law the queue a volume holds is IOPS x latency, so a
  queue above ``provisioned IOPS x the profile's latency target`` means requests wait longer
  than the target (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html).
* IOPS and throughput against what is provisioned, as metric math over ``VolumeReadOps`` +
  ``VolumeWriteOps`` and ``VolumeReadBytes`` + ``VolumeWriteBytes`` per second;
  ``BurstBalance`` for gp2, st1 and sc1, whose baseline is below their burst
  (https://docs.aws.amazon.com/ebs/latest/userguide/using_cloudwatch_ebs.html).
* A RAID 0 array (``config.raid``, ``config.volumes`` = k) is k identical volumes, each
  carrying 1/k of the array's IOPS and throughput ("the resulting size of a RAID 0 array is
  the sum of the sizes of the volumes within it, and the bandwidth is the sum of the
  available bandwidth of the volumes within it",
  https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html), and the AWS/EBS
  metrics are per volume (dimension ``VolumeId``): the alarms watch one volume against its
  own share (``config.iops_per_volume``, ``throughput_mibps_per_volume``), never against the
  array's sum, which one volume cannot reach (io2 Block Express: 256,000 IOPS a volume).
* Scratch data the bundle moved onto a Fargate task's ephemeral storage has no EBS volume,
  so no EBS alarm: Container Insights' ``EphemeralStorageUtilized`` against
  ``EphemeralStorageReserved`` (GiB, per service; Fargate Linux platform 1.4.0 or later,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html)
  watches it instead.  A Lambda function's ``/tmp`` has none either, and no alarm here.
"""

from __future__ import annotations

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Monitor, Option
from recommender.rules.monitoring.base import monitor, num

#: Alarm share of a provisioned limit: above it the volume is about to cap the workload.
LIMIT_SHARE = 0.9
#: Burst balance (percent) under which a burst volume is close to its baseline.
BURST_BALANCE_LOW_PCT = 20.0
#: Upper bound of each EBS latency class of the catalog (``ebs.latency_class``), in ms.
LATENCY_CLASS_MS = {"sub-ms": 1.0, "single-digit-ms": 10.0, "tens-of-ms": 100.0}
_BURST_TYPES = ("gp2", "st1", "sc1")
_VOLUME = {"VolumeId": "volume"}


#: The EBS RAID guide: an array's IOPS and throughput are the sums of its volumes'.
RAID_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html"


def _iops(o: Option) -> float | None:
    """One volume's IOPS: its share in a RAID 0 array (the metrics are per ``VolumeId``)."""
    return num(o.config, "iops_per_volume", "iops", "baseline_iops")


def _throughput(o: Option) -> float | None:
    """One volume's MiB/s (its share in a RAID 0 array)."""
    return num(o.config, "throughput_mibps_per_volume", "baseline_throughput_mibps_per_volume",
               "throughput_mibps", "baseline_throughput_mibps")


def _which(o: Option) -> str:
    """What the alarm watches: the option, or one volume of its RAID 0 array."""
    k = num(o.config, "volumes")
    if o.config.get("raid") == "raid0" and k is not None and k > 1:
        return (f"each of the {k:g} {o.option} volumes of the RAID 0 array (the metrics are "
                f"per volume; the array's {_sum(o)} is the sum of its volumes', {RAID_URL})")
    return o.option


def _sum(o: Option) -> str:
    parts = []
    if num(o.config, "iops") is not None:
        parts.append(f"{num(o.config, 'iops'):g} IOPS")
    if num(o.config, "throughput_mibps", "baseline_throughput_mibps") is not None:
        parts.append(f"{num(o.config, 'throughput_mibps', 'baseline_throughput_mibps'):g} MiB/s")
    return " and ".join(parts) or "performance"


def queue_length(p: WorkloadProfile, o: Option, latency_class: str | None) -> Monitor | None:
    """Queue length above provisioned IOPS x latency target (Little's law)."""
    iops = _iops(o)
    target = p.storage.latency_ms if p.storage and p.storage.latency_ms else None
    basis = "the profile's latency target"
    if target is None and latency_class in LATENCY_CLASS_MS:
        target, basis = LATENCY_CLASS_MS[latency_class], f"the {latency_class} latency class"
    if iops is None or target is None:
        return None
    threshold = max(1.0, round(iops * target / 1000.0, 1))
    text = (f"A queue of IOPS x latency = {iops:g} x {target:g} ms = {threshold:g} requests is "
            f"what {_which(o)} holds at {basis}; a longer average queue means I/O waits longer "
            "than that: provision more IOPS or a faster volume type")
    return monitor("ebs_queue_length", "storage", o.option, namespace="AWS/EBS",
                   metric="VolumeQueueLength", dimensions=_VOLUME, statistic="Average",
                   threshold=threshold, comparison="GreaterThanThreshold", text=text,
                   page="AWS/EBS/io", unit="Count")


def iops_and_throughput(o: Option) -> list[Monitor]:
    """IOPS and MiB/s against the provisioned (or baseline) figures."""
    out = []
    iops = _iops(o)
    if iops is not None:
        limit = float(round(iops * LIMIT_SHARE))
        out.append(monitor(
            "ebs_iops", "storage", o.option, namespace="AWS/EBS",
            metric="VolumeReadOps+VolumeWriteOps", dimensions=_VOLUME, statistic="Sum",
            threshold=limit, comparison="GreaterThanThreshold", page="AWS/EBS",
            expression="(m1+m2)/PERIOD(m1)", metrics=["VolumeReadOps", "VolumeWriteOps"],
            text=f"Read+write operations per second above {LIMIT_SHARE:.0%} of the {iops:g} "
                 f"IOPS {_which(o)} gives ({limit:g}) mean the volume is about to cap the "
                 "workload"))
    mibps = _throughput(o)
    if mibps is not None:
        limit = round(mibps * LIMIT_SHARE, 1)
        out.append(monitor(
            "ebs_throughput", "storage", o.option, namespace="AWS/EBS",
            metric="VolumeReadBytes+VolumeWriteBytes", dimensions=_VOLUME, statistic="Sum",
            threshold=limit, comparison="GreaterThanThreshold", page="AWS/EBS",
            expression="(m1+m2)/PERIOD(m1)/1048576",
            metrics=["VolumeReadBytes", "VolumeWriteBytes"],
            text=f"Throughput above {LIMIT_SHARE:.0%} of the {mibps:g} MiB/s {_which(o)} gives "
                 f"({limit:g} MiB/s) means the volume is about to cap the workload"))
    return out


def burst_balance(o: Option) -> Monitor | None:
    """gp2/st1/sc1: the burst bucket running low."""
    vtype = str(o.config.get("volume_type") or o.option)
    if vtype not in _BURST_TYPES:
        return None
    text = (f"{vtype} bursts above its baseline on credits; a burst balance under "
            f"{BURST_BALANCE_LOW_PCT:g}% means the workload lives on burst and will drop to "
            "the baseline: a larger volume or gp3 holds it")
    return monitor("ebs_burst_balance", "storage", o.option, namespace="AWS/EBS",
                   metric="BurstBalance", dimensions=_VOLUME, statistic="Minimum",
                   threshold=BURST_BALANCE_LOW_PCT, comparison="LessThanThreshold", text=text,
                   page="AWS/EBS", unit="Percent")


def storage_monitors(p: WorkloadProfile, o: Option, latency_class: str | None) -> list[Monitor]:
    """The alarms of the rank-1 storage option (EBS only: EFS and S3 have none here)."""
    if o.kind != "ebs":
        return []
    rates = iops_and_throughput(o)
    if _sized_for_a_peak(p, o):
        # An st1/sc1 sized for a daily peak (storage.peak_minutes_per_day) runs above its
        # baseline throughput by design for those minutes: an alarm on the baseline would fire
        # every day.  Its burst balance is what says the peak outgrew the bucket.
        rates = [m for m in rates if m.id != "ebs_throughput"]
    found = [queue_length(p, o, latency_class), *rates, burst_balance(o)]
    return [m for m in found if m is not None]


def fargate_ephemeral(o: Option) -> Monitor:
    """The ephemeral storage used against what the tasks reserve (Container Insights).

    The metrics are in ``ECS/ContainerInsights`` only once Container Insights is turned on
    for the cluster, and are charged as custom metrics (the page says so); the reason
    repeats it for a cluster made elsewhere (the export turns it on for the cluster it
    creates, :func:`recommender.surfaces.export.bundle.chosen_bundle`).
    """
    limit = round(100.0 * LIMIT_SHARE, 1)
    text = (f"Ephemeral storage used above {limit:g}% of what the service's tasks reserve "
            "means the scratch data (and the container image sharing the storage) is about "
            "to fill it: configure more ephemeralStorage in the task definition (up to "
            "200 GiB). Needs Container Insights on the cluster; its metrics are billed as "
            "custom metrics")
    return monitor("fargate_ephemeral_storage", "compute", o.option,
                   namespace="ECS/ContainerInsights",
                   metric="EphemeralStorageUtilized/EphemeralStorageReserved",
                   dimensions={"ClusterName": "ecs_cluster", "ServiceName": "ecs_service"},
                   statistic="Average", threshold=limit, comparison="GreaterThanThreshold",
                   text=text, page="ECS/ContainerInsights", expression="100*m1/m2",
                   metrics=["EphemeralStorageUtilized", "EphemeralStorageReserved"])


def _sized_for_a_peak(p: WorkloadProfile, o: Option) -> bool:
    """An HDD volume whose peak throughput rides on its burst bucket (hdd-vols.html)."""
    vtype = str(o.config.get("volume_type") or o.option)
    return (vtype in ("st1", "sc1") and p.storage is not None
            and p.storage.peak_minutes_per_day is not None
            and (p.storage.throughput_mibps is not None and p.storage.throughput_mibps.min or 0)
            > (num(o.config, "baseline_throughput_mibps") or 0.0))
