"""The response's ``monitoring`` as neutral CloudWatch alarm specs (:class:`~.spec.Alarm`).

Each alarm of the response (derived by ``recommender.rules.monitoring`` from the profile and
the decision) becomes an ``AWS::CloudWatch::Alarm`` / ``aws_cloudwatch_metric_alarm`` on the
resource it watches (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_metric_alarm).
A dimension naming a resource the template does not create (the EBS volume an instance's
launch template creates, a CloudFront distribution made elsewhere) becomes an optional input:
the alarm is created once it is set.  An optional SNS topic receives every alarm.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from recommender.rules.monitoring.base import RESOURCE_ROLES
from recommender.surfaces.export.spec import (
    Alarm,
    Aurora,
    Bundle,
    Cache,
    Cdn,
    Dimension,
    Ec2,
    Fargate,
    Input,
    Lambda,
    Rds,
    Ref,
    Search,
    Table,
    Volume,
)

#: Roles filled from an input, when the template does not create the resource.
MONITORED_VOLUME = Input("monitored_volume_id", "string",
                         "Id of the EBS volume to alarm on (created by the launch template)", "")
MONITORED_DISTRIBUTION = Input("cloudfront_distribution_id", "string",
                               "Id of the CloudFront distribution to alarm on", "",
                               cfn_name="CloudFrontDistributionId")
_PERCENTILE = re.compile(r"p\d+(\.\d+)?")


def _compute_role(spec: Any, role: str) -> Ref | None:
    group = isinstance(spec, Ec2) and spec.group is not None
    found = {
        "instance": isinstance(spec, Ec2) and not group,
        "auto_scaling_group": group,
        "ecs_cluster": isinstance(spec, Fargate),
        "ecs_service": isinstance(spec, Fargate),
        "function": isinstance(spec, Lambda),
    }
    return Ref(role) if found.get(role) else None


def _database_role(spec: Any, role: str) -> Ref | None:
    if role in ("search_domain", "account_id") and isinstance(spec, Search):
        # AWS/ES metrics are per domain and account (ClientId): the stack's own account.
        return Ref(role)
    if role == "table" and isinstance(spec, Table):
        return Ref("table")
    if role == "db_instance" and isinstance(spec, Rds):
        return Ref("db_instance")
    if role == "db_replica" and isinstance(spec, Rds) and spec.read_replicas:
        return Ref("db_replica")
    if role in ("db_instance", "db_replica") and isinstance(spec, Aurora):
        k = 1 if role == "db_replica" else 0
        return Ref("aurora_instance", k) if k < spec.instances else None
    if role == "cache_cluster" and isinstance(spec, Cache):
        # Metrics are per member cluster of a replication group: the first is "<id>-001";
        # with cluster mode enabled, the first node of shard (node group) 0001,
        # "<id>-0001-001" (node groups are numbered from 0001, API_NodeGroup.html).
        if spec.sharded:
            return Ref("cache_shard_member")
        return Ref("cache_member" if spec.replicated else "cache")
    return None


def resolve(bundle: Bundle, role: str) -> Ref | Input | None:
    """What fills a dimension of ``role``; None when the bundle has no such resource."""
    if role == "volume":
        vol = bundle.of("storage")
        if not isinstance(vol, Volume):
            return None
        return Ref("volume") if vol.availability_zone is not None else MONITORED_VOLUME
    if role == "distribution":
        return Ref("distribution") if isinstance(bundle.of("network"), Cdn) \
            else MONITORED_DISTRIBUTION
    return _compute_role(bundle.of("compute"), role) or _database_role(
        bundle.of("database"), role)


def _dimensions(bundle: Bundle, m: dict[str, Any]) -> tuple[tuple[str, Dimension], ...] | None:
    dims: list[tuple[str, Dimension]] = []
    for name, role in (m.get("dimensions") or {}).items():
        if role not in RESOURCE_ROLES:
            dims.append((str(name), str(role)))
            continue
        value = resolve(bundle, str(role))
        if value is None:
            bundle.not_exported.append(f"alarm {m.get('id')}: no {role} in the bundle")
            return None
        dims.append((str(name), value))
    return tuple(dims)


#: CloudFront publishes its metrics in us-east-1 only, and CacheHitRate among its additional
#: metrics, turned on per distribution at a cost.
CLOUDFRONT_METRICS_URL = ("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
                          "programming-cloudwatch-metrics.html")
CLOUDFRONT_ADDITIONAL_URL = ("https://docs.aws.amazon.com/AmazonCloudFront/latest/"
                             "DeveloperGuide/monitoring-using-cloudwatch.html")


def _cloudfront_alarm(bundle: Bundle, m: dict[str, Any]) -> bool:
    """Whether a CloudFront alarm can be created with the template, saying why not.

    "To get the CloudFront metrics from the CloudWatch API, you must use the US East (N.
    Virginia) Region" (:data:`CLOUDFRONT_METRICS_URL`): an alarm in a stack of another region
    would never see data.  CacheHitRate is an additional metric, "must be turned on for each
    distribution separately" at an additional cost (:data:`CLOUDFRONT_ADDITIONAL_URL`): the
    template turns it on for the distribution it creates, and says so for one made elsewhere.
    """
    if m.get("namespace") != "AWS/CloudFront":
        return True
    region = bundle.region or "us-east-1"
    if region != "us-east-1":
        bundle.not_exported.append(
            f"alarm {m.get('id')}: CloudFront publishes its metrics in us-east-1 only, and "
            f"this template is for {region}: create the alarm in us-east-1 "
            f"({CLOUDFRONT_METRICS_URL})")
        return False
    if m.get("metric") in ("CacheHitRate", "OriginLatency"):
        cdn = bundle.of("network")
        if isinstance(cdn, Cdn):
            i = next(k for k, c in enumerate(bundle.components) if c.spec is cdn)
            bundle.components[i] = replace(bundle.components[i],
                                           spec=replace(cdn, additional_metrics=True))
        else:
            bundle.not_exported.append(
                f"alarm {m.get('id')}: turn on the distribution's additional metrics "
                f"(billed apart) for {m.get('metric')} to be published "
                f"({CLOUDFRONT_ADDITIONAL_URL})")
    return True


def bundle_alarms(bundle: Bundle, monitoring: list[dict[str, Any]]) -> list[Alarm]:
    """The alarms of ``monitoring`` on the bundle's options (the others are dropped, and
    named in ``bundle.not_exported`` when their resource is missing or, for CloudFront's,
    when the template is not for us-east-1)."""
    chosen = {c.option for c in bundle.components} | {"cloudfront"}
    out = []
    for m in monitoring:
        if m.get("option") not in chosen or not _cloudfront_alarm(bundle, m):
            continue
        dims = _dimensions(bundle, m)
        if dims is None:
            continue
        stat = str(m["statistic"])
        out.append(Alarm(
            key=str(m["id"]), name=f"{bundle.name}-{m.get('id')}"[:255],
            description=str((m.get("reason") or {}).get("text") or m.get("metric"))[:1000],
            namespace=str(m["namespace"]), metric=str(m["metric"]), statistic=stat,
            extended=bool(_PERCENTILE.fullmatch(stat)), period_s=int(m["period_s"]),
            threshold=m["threshold"], comparison=str(m["comparison"]),
            evaluation_periods=int(m["evaluation_periods"]),
            datapoints_to_alarm=int(m["datapoints_to_alarm"]), dimensions=dims,
            expression=m.get("expression") or None,
            math_metrics=tuple(str(x) for x in m.get("metrics") or []),
            needs=next((v for _, v in dims if isinstance(v, Input)), None)))
    return out
