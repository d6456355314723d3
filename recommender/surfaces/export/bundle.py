"""Export the chosen bundle of a recommendation to infrastructure as code.

The export reads the response as JSON data (CONTRACT section 2), so it works on any saved
response.  It takes the option the response's ``bundle`` chose for ``compute``, ``storage``
and ``database`` (else their rank 1) and the network add-ons that change how they are
deployed (a placement group, EFA, ENA Express, CloudFront in front of an S3 bucket), and turns
them into one neutral :class:`~.spec.Bundle` of resource specs (:mod:`.components`);
:mod:`.cloudformation` and :mod:`.terraform` render that bundle.  What the response cannot
know (AMI, subnets, code location, user names) becomes a template parameter / variable.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from recommender.core.errors import UserError
from recommender.surfaces.export import components as c
from recommender.surfaces.export import network as net
from recommender.surfaces.export.alarms import bundle_alarms
from recommender.surfaces.export.spec import Bucket, Bundle, Cdn, Component, Ec2, Fargate, Volume

#: Export formats.
FORMATS: tuple[str, ...] = ("cloudformation", "terraform", "terraform-json")

#: CloudFront's managed cache policy "CachingOptimized": no query strings or cookies in the
#: cache key, compressed objects cached (the policy for static S3 content),
#: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
#: Network options that need nothing in a template, and why.
_BUILT_IN = {
    "enhanced_networking": "on by default: the AL2023 AMI ships the ENA driver that "
                           "current-generation types use "
                           "(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/enhanced-networking-ena.html)",
}
_EC2_ADD_ONS = ("placement_group:", "efa", "ena_express")
#: Network options a template cannot create, and why (said in the output).
_OUTSIDE = {
    "direct_connect": "a dedicated connection is ordered and cabled outside a template "
                      "(https://docs.aws.amazon.com/directconnect/latest/UserGuide/dedicated_connection.html)",
    "route53_latency_routing": "latency records need a hosted zone and the application "
                               "deployed in a second region",
    "data_transfer_out": "a cost of the traffic, not a resource",
}
_NOT_EXPORTABLE = ("EC2, Fargate, Lambda, EBS, EFS, S3, RDS, Aurora, DynamoDB, "
                   "ElastiCache, Redshift, OpenSearch")


def _ranked(response: dict[str, Any], category: str) -> list[dict[str, Any]]:
    opts = (response.get("recommendations") or {}).get(category) or []
    ranked = [o for o in opts if isinstance(o, dict) and o.get("option")]
    return sorted(ranked, key=lambda o: int(o.get("rank") or 10**6))


def _chosen_names(response: dict[str, Any], category: str) -> list[str] | None:
    """The options ``response.bundle`` chose for ``category`` (None: no bundle)."""
    bundle = response.get("bundle")
    if not isinstance(bundle, dict):
        return None
    return [str(x.get("option")) for x in bundle.get("components") or []
            if isinstance(x, dict) and x.get("category") == category]


def _rank1(response: dict[str, Any], category: str) -> dict[str, Any] | None:
    """The option the response's ``bundle`` chose for ``category`` (else its rank 1)."""
    ranked = _ranked(response, category)
    chosen = _chosen_names(response, category)
    if not ranked or chosen == []:
        return None  # nothing ranked, or the bundle left this category out
    if chosen is None:
        return ranked[0]
    return next((o for o in ranked if o["option"] == chosen[0]), ranked[0])


def _compute_of(response: dict[str, Any]) -> dict[str, Any] | None:
    """The bundle's compute: its chosen option, or the instance-store host it chose.

    A scratch need met by local NVMe makes the bundle's compute the instance type of the
    storage's ``instance_store`` option (:func:`recommender.rules.bundle.bundle_host`), which
    need not be among the ranked compute options; exporting their rank 1 instead would launch
    an instance without the disk the data is on
    (https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html).
    """
    chosen = _chosen_names(response, "compute")
    ranked = _ranked(response, "compute")
    if chosen and not any(o["option"] == chosen[0] for o in ranked):
        store = _rank1(response, "storage")
        cfg = (store or {}).get("config") or {}
        if store is not None and store.get("kind") == "instance_store" and \
                isinstance(cfg, dict) and cfg.get("instance_type") == chosen[0]:
            return {**store, "option": chosen[0], "kind": "ec2"}
    return _rank1(response, "compute")


def _network(response: dict[str, Any]) -> set[str]:
    """The network options chosen: the bundle's, else every network recommendation."""
    chosen = _chosen_names(response, "network")
    if chosen is not None:
        return set(chosen)
    return {str(o["option"]) for o in _ranked(response, "network")}


def _compute(o: dict[str, Any], storage: dict[str, Any] | None, network: set[str]) -> Any:
    kind = o.get("kind")
    if kind == "ec2":
        # The data volume is in the launch template, so every instance gets its own.
        vol = (c.volume(storage, in_launch_template=True, in_group=c.group_of(o) is not None)
               if storage is not None and c.is_ebs(storage) else None)
        add_ons = {n for n in network if n.startswith(_EC2_ADD_ONS)}
        return c.ec2(o, volume=vol, add_ons=add_ons)
    if kind == "fargate":
        return c.fargate(o)
    if kind == "lambda":
        return c.lambda_(o)
    return None


def _storage(o: dict[str, Any], compute: dict[str, Any] | None) -> Any:
    kind, name = o.get("kind"), str(o.get("option"))
    if c.is_ebs(o):
        return c.volume(o, in_launch_template=False, in_group=False)
    if "efs" in (kind, name):
        placement = c.compute_placement(compute) if compute else c.Placement()
        return c.efs(o, placement)
    if "s3" in (kind, name):
        return c.bucket(o)
    return None


def _add(b: Bundle, category: str, option: dict[str, Any] | None, spec: Any) -> None:
    if option is None:
        return
    if spec is None and option.get("kind") == "instance_store":
        cfg = option.get("config")
        itype = cfg.get("instance_type") if isinstance(cfg, dict) else None
        b.not_exported.append(
            f"{category}: instance_store: the NVMe instance store of "
            f"{itype or 'the instance type'} comes with the instance (nothing to create); "
            "format and mount it at boot, its data is lost when "
            "the instance stops (https://docs.aws.amazon.com/ec2/latest/instancetypes/"
            "so-instance-store-volumes.html)")
    elif spec is None:
        b.not_exported.append(f"{category}: {option['option']}")
    else:
        b.components.append(Component(category, str(option["option"]), spec))
    b.region = b.region or option.get("region")


def _network_specs(b: Bundle, network: set[str], options: dict[str, dict[str, Any]]) -> None:
    """CloudFront over the bundle's bucket, the gateway endpoint; the rest said not exported."""
    ec2 = isinstance(b.of("compute"), Ec2)
    for name in sorted(network):
        if name == "cloudfront":
            if isinstance(b.of("storage"), Bucket):
                cdn = Cdn(origin="s3", cache_policy_id=CACHING_OPTIMIZED,
                          default_root_object="index.html")
                b.components.append(Component("network", name, cdn))
            else:
                b.not_exported.append("cloudfront: its origin (the application's load "
                                      "balancer) is not in the bundle")
        elif name == "vpc_endpoint":
            endpoint = net.gateway_endpoint(b, options.get(name, {}))
            if endpoint is None:
                b.not_exported.append("vpc_endpoint: nothing in the bundle runs in a VPC")
            else:
                b.components.append(Component("network", name, endpoint))
        elif name in _BUILT_IN and ec2:
            b.not_exported.append(f"{name}: {_BUILT_IN[name]}")
        elif name.startswith("region:"):
            b.region = b.region or name.split(":", 1)[1]
        elif name.startswith(_EC2_ADD_ONS) and not ec2:
            b.not_exported.append(f"{name}: no EC2 instances in the bundle to attach it to")
        elif name in _OUTSIDE:
            b.not_exported.append(f"{name}: {_OUTSIDE[name]}")


def _fargate_scratch_gib(response: dict[str, Any]) -> int | None:
    """GiB of task ephemeral storage the bundle's ``fargate:ephemeral_storage`` configures.

    The bundle holds the scratch data's size GiB, at least the 20 GiB every task has
    (fargate-task-storage.html; ``recommender.rules.bundle.fargate_scratch``); its size is
    the saved profile's ``storage.size_gib`` (a number or its ``min``).
    """
    parts = (response.get("bundle") or {}).get("components") or []
    if not any(isinstance(x, dict) and x.get("option") == "fargate:ephemeral_storage"
               for x in parts):
        return None
    size = ((response.get("profile") or {}).get("storage") or {}).get("size_gib")
    size = size.get("min") if isinstance(size, dict) else size
    if not isinstance(size, int | float) or math.ceil(size) <= 20:
        return None
    return min(200, math.ceil(size))


def chosen_bundle(response: dict[str, Any]) -> Bundle:
    """Turn a response (JSON data) into the bundle of resource specs to export.

    Raises
    ------
    UserError
        When ``response`` is not a recommendation or holds nothing exportable.
    """
    if not isinstance(response, dict) or not isinstance(response.get("recommendations"), dict):
        raise UserError("not a recommendation response: the field 'recommendations' is missing")
    b = Bundle(name=_safe_name(response.get("name") or "workload"))
    compute, storage = _compute_of(response), _rank1(response, "storage")
    database, network = _rank1(response, "database"), _network(response)
    if compute is not None:
        spec, gib = _compute(compute, storage, network), _fargate_scratch_gib(response)
        _add(b, "compute", compute, replace(spec, ephemeral_storage_gib=gib)
             if isinstance(spec, Fargate) and gib else spec)
    if storage is not None:
        ec2 = b.of("compute")
        in_template = isinstance(ec2, Ec2) and ec2.volume is not None
        _add(b, "storage", storage, ec2.volume if in_template else _storage(storage, compute))
        vol = b.of("storage")
        note = c.raid_note(vol) if isinstance(vol, Volume) else None
        if note:
            b.not_exported.append(note)
    if database is not None:
        _add(b, "database", database, c.database(database, b.not_exported))
    if not b.components:
        raise UserError("the response has no rank-1 compute, storage or database option that "
                        f"can be exported ({_NOT_EXPORTABLE})")
    net.put_lambda_in_vpc(b)
    net.one_subnet_list(b)
    _network_specs(b, network, {str(o["option"]): o for o in _ranked(response, "network")})
    b.security_groups = net.security_groups(b)
    b.region = b.region or response.get("region")
    monitoring = [m for m in response.get("monitoring") or [] if isinstance(m, dict)]
    b.alarms = bundle_alarms(b, monitoring)
    _container_insights(b)
    return b


#: The namespace of the metrics Container Insights publishes for ECS.
CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights"


def _container_insights(b: Bundle) -> None:
    """Turn Container Insights on for the Fargate cluster when an alarm watches its metrics.

    ``ECS/ContainerInsights`` metrics (the ephemeral storage a task uses and reserves) are
    published only for a cluster with Container Insights on, and billed as custom metrics
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html);
    without it the alarm would wait on no data.
    """
    if not any(a.namespace == CONTAINER_INSIGHTS_NAMESPACE for a in b.alarms):
        return
    for i, comp in enumerate(b.components):
        if isinstance(comp.spec, Fargate):
            b.components[i] = replace(comp, spec=replace(comp.spec, container_insights=True))


def _safe_name(name: str) -> str:
    """A lowercase name usable in resource identifiers (letters, digits, hyphens)."""
    s = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    return (s or "workload")[:40]
