"""Render an export :class:`~.spec.Bundle` as Terraform (AWS provider): HCL or JSON syntax.

Every decision is in the bundle's specs; this module only names the provider's resources
and arguments (https://registry.terraform.io/providers/hashicorp/aws/latest/docs).
"""

from __future__ import annotations

from typing import Any

from recommender.surfaces.export import hcl, spec
from recommender.surfaces.export.hcl import Block, Expr, nested
from recommender.surfaces.export.terraform_base import _Doc, _sg
from recommender.surfaces.export.terraform_databases import DATABASES

# --------------------------------------------------------------------------- network


def _security_groups(d: _Doc, groups: list[spec.SecurityGroup]) -> None:
    """Each group in the VPC with its rules as resources of their own (the provider's advice);
    the allow-all egress rule written out, since Terraform removes AWS's default one
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group)."""
    for g in groups:
        d.add("aws_security_group", g.key, ("name_prefix", f"{d.name}-{g.key}-"),
              ("description", f"{d.name}: {g.description}"), ("vpc_id", d.var(spec.VPC)),
              ("tags", d.tags()))
        d.add("aws_vpc_security_group_egress_rule", f"{g.key}_all",
              ("security_group_id", _sg(g.key)), ("ip_protocol", "-1"),
              ("cidr_ipv4", "0.0.0.0/0"), ("description", "All outbound traffic"))
        for k, rule in enumerate(g.ingress, start=1):
            d.add("aws_vpc_security_group_ingress_rule", f"{g.key}_{k}",
                  ("security_group_id", _sg(g.key)),
                  ("referenced_security_group_id", _sg(rule.source)),
                  ("ip_protocol", "-1" if rule.port is None else "tcp"),
                  ("from_port", rule.port), ("to_port", rule.port),
                  ("description", rule.description))


def _endpoint(d: _Doc, s: spec.GatewayEndpoint) -> None:
    d.add("aws_vpc_endpoint", "gateway", ("vpc_id", d.var(spec.VPC)),
          ("service_name", Expr(f'"com.amazonaws.${{var.region}}.{s.service}"')),
          ("vpc_endpoint_type", "Gateway"), ("route_table_ids", d.var(s.route_tables)),
          ("tags", d.tags()))


# --------------------------------------------------------------------------- compute


def _ebs(v: spec.Volume) -> list[Block]:
    """One block_device_mappings block per volume (a RAID 0 array has several)."""
    return [nested(("device_name", device), ("ebs", nested(
        ("volume_type", v.volume_type), ("volume_size", v.size_gib), ("iops", v.iops),
        ("throughput", v.throughput_mibps), ("encrypted", True),
        ("delete_on_termination", v.delete_on_termination)))) for device in v.devices()]


def _launch_template(d: _Doc, s: spec.Ec2) -> None:
    groups = [_sg(spec.APP_SG)]
    ena = nested(("ena_srd_enabled", True)) if s.ena_express else None
    nic = nested(("device_index", 0), ("interface_type", "efa" if s.efa else None),
                 ("security_groups", groups), ("ena_srd_specification", ena),
                 ("subnet_id", d.var(s.subnets) if s.group is None else None))
    d.blocks.append(Block("data", "aws_ssm_parameter", "ami", body=[("name", d.var(s.image))]))
    d.add("aws_launch_template", "this",
          ("name_prefix", f"{d.name}-"), ("image_id", Expr("data.aws_ssm_parameter.ami.value")),
          ("instance_type", s.instance_type),
          *(("block_device_mappings", m) for m in (_ebs(s.volume) if s.volume else [])),
          ("placement", nested(("group_name", Expr("aws_placement_group.this.name")))
           if s.placement else None),
          ("network_interfaces", nic if s.efa or s.ena_express else None),
          ("vpc_security_group_ids", None if s.efa or s.ena_express else groups),
          ("instance_market_options", nested(("market_type", "spot")) if s.spot else None),
          ("credit_specification", nested(("cpu_credits", s.credit_mode))
           if s.credit_mode else None),
          ("tag_specifications", nested(("resource_type", "instance"), ("tags", d.tags()))))


def _ec2(d: _Doc, s: spec.Ec2) -> None:
    if s.placement:
        d.add("aws_placement_group", "this", ("name", f"{d.name}-{s.placement}"),
              ("strategy", s.placement))
    _launch_template(d, s)
    lt = nested(("id", Expr("aws_launch_template.this.id")), ("version", "$Latest"))
    if s.group is None:
        in_nic = s.efa or s.ena_express  # the subnet is then the interface's
        d.add("aws_instance", "this", ("launch_template", lt),
              ("subnet_id", None if in_nic else d.var(s.subnets)))
        return
    g = s.group
    lt_spec = nested(("launch_template_id", Expr("aws_launch_template.this.id")),
                  ("version", "$Latest"))
    mixed = nested(("instances_distribution", nested(
        ("on_demand_percentage_above_base_capacity", 0),
        ("spot_allocation_strategy", "price-capacity-optimized"))),
        ("launch_template", nested(("launch_template_specification", lt_spec))))
    d.add("aws_autoscaling_group", "this",
          ("name_prefix", f"{d.name}-"), ("min_size", g.min_count), ("max_size", g.max_count),
          ("desired_capacity", g.desired_count), ("vpc_zone_identifier", d.var(s.subnets)),
          ("placement_group", Expr("aws_placement_group.this.id") if s.placement else None),
          ("mixed_instances_policy", mixed if g.spot else None),
          ("launch_template", None if g.spot else lt))
    if g.target_cpu_pct:
        d.add("aws_autoscaling_policy", "cpu", ("name", f"{d.name}-cpu-target"),
              ("autoscaling_group_name", Expr("aws_autoscaling_group.this.name")),
              ("policy_type", "TargetTrackingScaling"),
              ("target_tracking_configuration", nested(
                  ("predefined_metric_specification", nested(
                      ("predefined_metric_type", "ASGAverageCPUUtilization"))),
                  ("target_value", g.target_cpu_pct))))


def _fargate(d: _Doc, s: spec.Fargate) -> None:
    d.var(s.image)  # used in jsonencode below
    d.add("aws_ecs_cluster", "this", ("name", d.name),
          ("setting", nested(("name", "containerInsights"), ("value", "enabled"))
           if s.container_insights else None))
    containers = f'jsonencode([{{ name = "app", image = var.{s.image.name}, essential = true }}])'
    d.add("aws_ecs_task_definition", "this",
          ("family", d.name), ("requires_compatibilities", ["FARGATE"]),
          ("network_mode", "awsvpc"), ("cpu", str(s.cpu_units)), ("memory", str(s.memory_mib)),
          ("runtime_platform", nested(("cpu_architecture", s.cpu_architecture),
                                      ("operating_system_family", "LINUX"))),
          ("ephemeral_storage", nested(("size_in_gib", s.ephemeral_storage_gib))
           if s.ephemeral_storage_gib else None),
          ("container_definitions", Expr(containers)))
    d.add("aws_ecs_service", "this",
          ("name", d.name), ("cluster", Expr("aws_ecs_cluster.this.id")),
          ("task_definition", Expr("aws_ecs_task_definition.this.arn")),
          ("launch_type", "FARGATE"), ("desired_count", s.desired_count),
          ("network_configuration", nested(("subnets", d.subnet_list(s.subnets)),
                                           ("security_groups", [_sg(spec.APP_SG)]))))


def _lambda(d: _Doc, s: spec.Lambda) -> None:
    d.add("aws_lambda_function", "this",
          ("function_name", d.name), ("role", d.var(s.role)), ("runtime", d.var(s.runtime)),
          ("handler", d.var(s.handler)), ("s3_bucket", d.var(s.code_bucket)),
          ("s3_key", d.var(s.code_key)), ("memory_size", s.memory_mb),
          ("architectures", [s.arch]), ("timeout", s.timeout_s),
          ("ephemeral_storage", nested(("size", s.ephemeral_storage_mb))
           if s.ephemeral_storage_mb else None),
          ("vpc_config", nested(("subnet_ids", d.var(s.subnets)),
                                ("security_group_ids", [_sg(spec.APP_SG)]))
           if s.subnets else None))


# --------------------------------------------------------------------------- storage


def _volume(d: _Doc, v: spec.Volume) -> None:
    if v.availability_zone is None:
        return  # in the launch template's block device mappings
    for name in v.names("this", "_"):  # this, this_2, ... for a RAID 0 array
        d.add("aws_ebs_volume", name,
              ("availability_zone", d.var(v.availability_zone)), ("type", v.volume_type),
              ("size", v.size_gib), ("iops", v.iops), ("throughput", v.throughput_mibps),
              ("encrypted", True), ("tags", d.tags()))


def _efs(d: _Doc, s: spec.Efs) -> None:
    # One lifecycle_policy block per transition, as the provider requires.
    policies = [("lifecycle_policy", nested((k, age))) for k, age in s.transitions]
    d.add("aws_efs_file_system", "this",
          ("encrypted", True), ("throughput_mode", s.throughput_mode),
          ("provisioned_throughput_in_mibps", s.provisioned_mibps),
          # Set: a One Zone file system in that zone (its one mount target is there too).
          ("availability_zone_name", d.var(s.availability_zone) if s.availability_zone
           else None),
          ("tags", d.tags()), *policies)
    many = s.subnets.kind == "subnets"
    subnet = Expr(f"element(var.{s.subnets.name}, count.index)") if many else None
    d.var(s.subnets)
    d.add("aws_efs_mount_target", "this",
          ("count", s.mount_targets if many else None),
          ("file_system_id", Expr("aws_efs_file_system.this.id")),
          ("subnet_id", subnet or Expr(f"var.{s.subnets.name}")),
          ("security_groups", [_sg("efs")]))


def _bucket(d: _Doc, s: spec.Bucket) -> None:
    d.add("aws_s3_bucket", "this", ("bucket_prefix", f"{d.name}-"), ("tags", d.tags()))
    d.add("aws_s3_bucket_public_access_block", "this",
          ("bucket", Expr("aws_s3_bucket.this.id")), ("block_public_acls", True),
          ("block_public_policy", True), ("ignore_public_acls", True),
          ("restrict_public_buckets", True))
    if s.storage_class != "STANDARD":
        d.add("aws_s3_bucket_lifecycle_configuration", "this",
              ("bucket", Expr("aws_s3_bucket.this.id")),
              ("rule", nested(("id", "to-recommended-class"), ("status", "Enabled"),
                              ("filter", nested()),
                              ("transition", nested(("days", s.transition_days),
                                                    ("storage_class", s.storage_class))))))


def _cdn(d: _Doc, s: spec.Cdn) -> None:
    """CloudFront over the bucket through an origin access control; the bucket policy lets
    only this distribution read
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html)."""
    d.add("aws_cloudfront_origin_access_control", "this",
          ("name", f"{d.name}-s3"), ("description", f"{d.name}: CloudFront reads the bucket"),
          ("origin_access_control_origin_type", "s3"), ("signing_behavior", "always"),
          ("signing_protocol", "sigv4"))
    origin = nested(("domain_name", Expr("aws_s3_bucket.this.bucket_regional_domain_name")),
                    ("origin_id", s.origin_id),
                    ("origin_access_control_id",
                     Expr("aws_cloudfront_origin_access_control.this.id")))
    behavior = nested(("target_origin_id", s.origin_id),
                      ("viewer_protocol_policy", s.viewer_protocol_policy),
                      ("allowed_methods", list(s.methods)), ("cached_methods", list(s.methods)),
                      ("cache_policy_id", s.cache_policy_id), ("compress", s.compress))
    d.add("aws_cloudfront_distribution", "this",
          ("enabled", True), ("comment", d.name),
          ("default_root_object", s.default_root_object), ("origin", origin),
          ("default_cache_behavior", behavior),
          ("restrictions", nested(("geo_restriction", nested(("restriction_type", "none"))))),
          ("viewer_certificate", nested(("cloudfront_default_certificate", True))),
          ("tags", d.tags()))
    if s.additional_metrics:  # CacheHitRate is an additional metric, off by default
        d.add("aws_cloudfront_monitoring_subscription", "this",
              ("distribution_id", Expr("aws_cloudfront_distribution.this.id")),
              ("monitoring_subscription", nested(("realtime_metrics_subscription_config", nested(
                  ("realtime_metrics_subscription_status", "Enabled"))))))
    policy = spec.oac_bucket_policy(Expr('"${aws_s3_bucket.this.arn}/*"'),
                               Expr("aws_cloudfront_distribution.this.arn"))
    d.add("aws_s3_bucket_policy", "this", ("bucket", Expr("aws_s3_bucket.this.id")),
          ("policy", Expr(f"jsonencode({hcl.value(policy)})")))


# --------------------------------------------------------------------------- alarms


def _alarm(d: _Doc, a: spec.Alarm, topic: Expr) -> None:
    dims = {name: d.dim(v) for name, v in a.dimensions}
    body: list[tuple[str, Any]] = [
        ("count", Expr(f'var.{a.needs.name} == "" ? 0 : 1') if a.needs else None),
        ("alarm_name", a.name), ("alarm_description", a.description),
        ("comparison_operator", a.comparison), ("evaluation_periods", a.evaluation_periods),
        ("datapoints_to_alarm", a.datapoints_to_alarm), ("threshold", a.threshold),
        ("treat_missing_data", "missing"),
        ("alarm_actions", Expr(f'{topic} == "" ? [] : [{topic}]'))]
    if a.expression:
        for k, metric in enumerate(a.math_metrics, start=1):
            body.append(("metric_query", nested(("id", f"m{k}"), ("return_data", False), (
                "metric", nested(("namespace", a.namespace), ("metric_name", metric),
                                 ("period", a.period_s), ("stat", a.statistic),
                                 ("dimensions", dims))))))
        body.append(("metric_query", nested(("id", "e1"), ("expression", a.expression),
                                            ("label", a.metric), ("return_data", True))))
    else:
        body += [("namespace", a.namespace), ("metric_name", a.metric), ("period", a.period_s),
                 ("extended_statistic" if a.extended else "statistic", a.statistic),
                 ("dimensions", dims)]
    d.add("aws_cloudwatch_metric_alarm", a.key, *body)


_RENDERERS: dict[type, Any] = {
    spec.Ec2: _ec2, spec.Fargate: _fargate, spec.Lambda: _lambda, spec.Volume: _volume,
    spec.Efs: _efs, spec.Bucket: _bucket, spec.Cdn: _cdn,
    spec.GatewayEndpoint: _endpoint, **DATABASES,
}


def _blocks(bundle: spec.Bundle) -> tuple[list[Block], list[str]]:
    """The document's blocks and its header lines."""
    d = _Doc(bundle)
    region = d.var(spec.Input("region", "string", "AWS region the options were priced in",
                         bundle.region or "us-east-1"))
    _security_groups(d, bundle.security_groups)
    for c in bundle.components:
        _RENDERERS[type(c.spec)](d, c.spec)
    if bundle.alarms:
        topic = d.var(spec.ALARM_TOPIC)
        if any(isinstance(v, spec.Ref) and v.target == "account_id"
               for a in bundle.alarms for _, v in a.dimensions):
            d.blocks.append(Block("data", "aws_caller_identity", "current"))
        for a in bundle.alarms:
            _alarm(d, a, topic)
    header = [f"{bundle.name}: chosen options of the recommendation "
              f"({', '.join(c.option for c in bundle.components)})"]
    if bundle.not_exported:
        header.append(f"not exported: {'; '.join(bundle.not_exported)}")
    tf = Block("terraform", body=[("required_providers", nested(
        ("aws", {"source": "hashicorp/aws", "version": ">= 5.0"})))])
    provider = Block("provider", "aws", body=[("region", region)])
    return [tf, provider, *d.variables.values(), *d.blocks], header


def render_terraform(bundle: spec.Bundle) -> str:
    """Return the bundle as Terraform configuration in HCL, laid out as ``terraform fmt``."""
    blocks, header = _blocks(bundle)
    return hcl.document(blocks, header)


def render_terraform_json(bundle: spec.Bundle) -> str:
    """Return the bundle as Terraform configuration in JSON syntax (``*.tf.json``)."""
    blocks, header = _blocks(bundle)
    return hcl.to_json(blocks, " ".join(header))
