"""Render an export :class:`~.bundle.Bundle` as Terraform (HCL, AWS provider)."""

from __future__ import annotations

import json
import re
from typing import Any

from recommender.surfaces.export.alarms import tf_alarms
from recommender.surfaces.export.bundle import EFS_TRANSITIONS, Bundle, Spec

_AMI_SSM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


class Expr(str):
    """An HCL expression written as is (a reference, a function call)."""


class Block:
    """An HCL block: ``type "label" ... { body }``; ``body`` is a list of (key, value)."""

    def __init__(self, btype: str, *labels: str, body: list[tuple[str, Any]] | None = None):
        self.btype, self.labels, self.body = btype, labels, list(body or [])


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, Expr):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        # HCL strings are JSON strings plus template escapes.
        return json.dumps(v).replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as HCL")


def _render(block: Block, indent: int = 0) -> str:
    pad = "  " * indent
    head = " ".join([block.btype, *(json.dumps(label) for label in block.labels)])
    lines = [f"{pad}{head} {{"]
    for key, v in block.body:
        if v is None:
            continue
        if isinstance(v, Block):
            lines.append(_render(Block(key, body=v.body), indent + 1))
        else:
            lines.append(f"{pad}  {key} = {_value(v)}")
    lines.append(f"{pad}}}")
    return "\n".join(lines)


class _Doc:
    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.variables: dict[str, Block] = {}
        self.blocks: list[Block] = []

    def var(self, name: str, description: str, default: Any = None, *,
            type_: str = "string") -> Expr:
        body: list[tuple[str, Any]] = [("type", Expr(type_)), ("description", description)]
        if default is not None:
            body.append(("default", default))
        self.variables[name] = Block("variable", name, body=body)
        return Expr(f"var.{name}")

    def resource(self, rtype: str, name: str, body: list[tuple[str, Any]]) -> None:
        self.blocks.append(Block("resource", rtype, name, body=body))

    def tags(self) -> dict[str, str]:
        return {"Name": self.bundle.name, "generated-by": "recommender"}


def _ec2(d: _Doc, spec: Spec) -> None:
    p, b = spec.props, d.bundle
    ssm = d.var("ami_ssm_parameter", "SSM parameter holding the AMI id",
                _AMI_SSM.format(arch=p["arch"]))
    d.blocks.append(Block("data", "aws_ssm_parameter", "ami", body=[("name", ssm)]))
    group = bool(p["auto_scaling"])
    if group:  # nodes spread over the subnets given, one per Availability Zone
        subnet = d.var("subnet_ids", "Subnets for the group, one per Availability Zone",
                       type_="list(string)")
    else:
        subnet = d.var("subnet_id", "Subnet for the instance")
    groups = d.var("security_group_ids", "Security groups of the instances",
                   type_="list(string)")
    body: list[tuple[str, Any]] = [
        ("name_prefix", f"{b.name}-"),
        ("image_id", Expr("data.aws_ssm_parameter.ami.value")),
        ("instance_type", p["instance_type"]),
    ]
    if b.storage is not None and b.storage.kind == "ebs":
        s = b.storage.props
        ebs = [("volume_type", s["volume_type"]), ("volume_size", s["size_gib"]),
               ("iops", s.get("iops")), ("throughput", s.get("throughput_mibps")),
               # In a group the volume goes with its instance: no orphaned volumes.
               ("encrypted", True), ("delete_on_termination", group)]
        body.append(("block_device_mappings", Block("", body=[
            ("device_name", "/dev/xvdb"), ("ebs", Block("", body=ebs))])))
    if b.placement_strategy:
        d.resource("aws_placement_group", "this",
                   [("name", f"{b.name}-{b.placement_strategy}"),
                    ("strategy", b.placement_strategy)])
        body.append(("placement", Block("", body=[
            ("group_name", Expr("aws_placement_group.this.name"))])))
    if b.efa:
        nic: list[tuple[str, Any]] = [("device_index", 0), ("interface_type", "efa"),
                                      ("security_groups", groups)]
        if not group:
            nic.append(("subnet_id", subnet))
        body.append(("network_interfaces", Block("", body=nic)))
    else:
        body.append(("vpc_security_group_ids", groups))
    if p["spot"] and not p["auto_scaling"]:
        body.append(("instance_market_options", Block("", body=[("market_type", "spot")])))
    body.append(("tag_specifications", Block("", body=[
        ("resource_type", "instance"), ("tags", d.tags())])))
    d.resource("aws_launch_template", "this", body)
    lt = Block("", body=[("id", Expr("aws_launch_template.this.id")), ("version", "$Latest")])
    if not p["auto_scaling"]:
        inst: list[tuple[str, Any]] = [("launch_template", lt)]
        if not b.efa:
            inst.append(("subnet_id", subnet))
        d.resource("aws_instance", "this", inst)
        return
    asg: list[tuple[str, Any]] = [
        ("name_prefix", f"{b.name}-"),
        ("min_size", p["min_count"]),
        ("max_size", p["max_count"]),
        ("desired_capacity", p["desired_count"]),
        ("vpc_zone_identifier", subnet),
    ]
    if b.placement_strategy:
        asg.append(("placement_group", Expr("aws_placement_group.this.id")))
    if p["spot"]:
        spec_block = Block("", body=[("launch_template_id", Expr("aws_launch_template.this.id")),
                                     ("version", "$Latest")])
        asg.append(("mixed_instances_policy", Block("", body=[
            ("instances_distribution", Block("", body=[
                ("on_demand_percentage_above_base_capacity", 0),
                ("spot_allocation_strategy", "price-capacity-optimized")])),
            ("launch_template", Block("", body=[("launch_template_specification", spec_block)])),
        ])))
    else:
        asg.append(("launch_template", lt))
    d.resource("aws_autoscaling_group", "this", asg)
    if p["target_cpu_pct"]:
        d.resource("aws_autoscaling_policy", "cpu", [
            ("name", f"{b.name}-cpu-target"),
            ("autoscaling_group_name", Expr("aws_autoscaling_group.this.name")),
            ("policy_type", "TargetTrackingScaling"),
            ("target_tracking_configuration", Block("", body=[
                ("predefined_metric_specification", Block("", body=[
                    ("predefined_metric_type", "ASGAverageCPUUtilization")])),
                ("target_value", p["target_cpu_pct"]),
            ])),
        ])


def _fargate(d: _Doc, spec: Spec) -> None:
    p = spec.props
    d.var("container_image", "Container image URI of the task")  # used in jsonencode below
    subnet = d.var("subnet_id", "Subnet for the tasks")
    d.resource("aws_ecs_cluster", "this", [("name", d.bundle.name)])
    containers = Expr(
        "jsonencode([{ name = \"app\", image = var.container_image, essential = true }])"
    )
    d.resource("aws_ecs_task_definition", "this", [
        ("family", d.bundle.name),
        ("requires_compatibilities", ["FARGATE"]),
        ("network_mode", "awsvpc"),
        ("cpu", str(p["cpu_units"])),
        ("memory", str(p["memory_mib"])),
        ("runtime_platform", Block("", body=[
            ("cpu_architecture", "ARM64" if p["arch"] == "arm64" else "X86_64"),
            ("operating_system_family", "LINUX")])),
        ("container_definitions", containers),
    ])
    d.resource("aws_ecs_service", "this", [
        ("name", d.bundle.name),
        ("cluster", Expr("aws_ecs_cluster.this.id")),
        ("task_definition", Expr("aws_ecs_task_definition.this.arn")),
        ("launch_type", "FARGATE"),
        ("desired_count", p["desired_count"]),
        ("network_configuration", Block("", body=[("subnets", [subnet])])),
    ])


def _lambda(d: _Doc, spec: Spec) -> None:
    p = spec.props
    d.resource("aws_lambda_function", "this", [
        ("function_name", d.bundle.name),
        ("role", d.var("function_role_arn", "ARN of the function's execution role")),
        ("runtime", d.var("runtime", "Lambda runtime", "python3.12")),
        ("handler", d.var("handler", "Function handler", "app.handler")),
        ("s3_bucket", d.var("code_s3_bucket", "S3 bucket of the deployment package")),
        ("s3_key", d.var("code_s3_key", "S3 key of the deployment package")),
        ("memory_size", p["memory_mb"]),
        ("architectures", [p["arch"]]),
        ("timeout", p["timeout_s"]),
    ])


def _storage(d: _Doc, spec: Spec) -> None:
    p, b = spec.props, d.bundle
    if spec.kind == "ebs":
        if b.compute is not None and b.compute.kind == "ec2":
            return  # in the launch template's block device mappings
        d.resource("aws_ebs_volume", "this", [
            ("availability_zone", d.var("availability_zone", "AZ of the volume")),
            ("type", p["volume_type"]), ("size", p["size_gib"]), ("iops", p.get("iops")),
            ("throughput", p.get("throughput_mibps")), ("encrypted", True), ("tags", d.tags()),
        ])
    elif spec.kind == "efs":
        body: list[tuple[str, Any]] = [
            ("encrypted", True), ("throughput_mode", p["throughput_mode"]),
            ("provisioned_throughput_in_mibps", p.get("provisioned_mibps")),
            ("tags", d.tags()),
        ]
        for key, age in (p.get("lifecycle") or {}).items():
            # One block per transition, as the provider requires.
            body.append(("lifecycle_policy", Block("", body=[(EFS_TRANSITIONS[key][1], age)])))
        d.resource("aws_efs_file_system", "this", body)
        d.resource("aws_efs_mount_target", "this", [
            ("file_system_id", Expr("aws_efs_file_system.this.id")),
            ("subnet_id", d.var("subnet_id", "Subnet for the mount target")),
            ("security_groups", [d.var("mount_target_security_group_id",
                                       "Security group allowing NFS (2049) from the clients")]),
        ])
    elif spec.kind == "s3":
        d.resource("aws_s3_bucket", "this", [("bucket_prefix", f"{b.name}-"),
                                             ("tags", d.tags())])
        if p["storage_class"] != "STANDARD":
            d.resource("aws_s3_bucket_lifecycle_configuration", "this", [
                ("bucket", Expr("aws_s3_bucket.this.id")),
                ("rule", Block("", body=[
                    ("id", "to-recommended-class"), ("status", "Enabled"),
                    ("filter", Block("", body=[])),
                    ("transition", Block("", body=[
                        ("days", p["transition_days"]),
                        ("storage_class", p["storage_class"])])),
                ])),
            ])


def _database(d: _Doc, spec: Spec) -> None:
    p, name = spec.props, d.bundle.name
    if spec.kind == "dynamodb":
        pk = d.var("partition_key", "Partition key attribute name", "pk")
        provisioned = p["billing_mode"] == "PROVISIONED"
        d.resource("aws_dynamodb_table", "this", [
            ("name", name), ("billing_mode", p["billing_mode"]),
            ("read_capacity", p["rcu"] if provisioned else None),
            ("write_capacity", p["wcu"] if provisioned else None),
            ("hash_key", pk),
            ("attribute", Block("", body=[("name", pk), ("type", "S")])),
        ])
        return
    user = None
    if spec.kind in ("rds", "aurora", "redshift"):
        user = d.var("db_username", "Database administrator user name", "admin1")
    if spec.kind == "rds":
        d.resource("aws_db_instance", "this", [
            ("identifier_prefix", f"{name}-"), ("engine", p["engine"]),
            ("instance_class", p["instance_class"]), ("allocated_storage", p["storage_gib"]),
            ("storage_type", p["storage_type"]), ("iops", p.get("iops")),
            ("multi_az", p["multi_az"]), ("username", user),
            ("manage_master_user_password", True), ("storage_encrypted", True),
            ("final_snapshot_identifier", f"{name}-final"),
        ])
        if p["read_replicas"]:
            d.resource("aws_db_instance", "replica", [
                ("count", p["read_replicas"]), ("identifier_prefix", f"{name}-replica-"),
                ("replicate_source_db", Expr("aws_db_instance.this.identifier")),
                ("instance_class", p["instance_class"]), ("skip_final_snapshot", True),
            ])
    elif spec.kind == "aurora":
        d.resource("aws_rds_cluster", "this", [
            ("cluster_identifier_prefix", f"{name}-"), ("engine", p["engine"]),
            ("storage_type", "aurora-iopt1" if p["io_optimized"] else None),
            ("master_username", user), ("manage_master_user_password", True),
            ("storage_encrypted", True), ("final_snapshot_identifier", f"{name}-final"),
        ])
        d.resource("aws_rds_cluster_instance", "this", [
            ("count", p["instances"]), ("cluster_identifier", Expr("aws_rds_cluster.this.id")),
            ("engine", Expr("aws_rds_cluster.this.engine")),
            ("instance_class", p["instance_class"]),
        ])
    elif spec.kind == "elasticache" and p["engine"] == "memcached":
        d.resource("aws_elasticache_cluster", "this", [
            ("cluster_id", name), ("engine", "memcached"), ("node_type", p["node_type"]),
            ("num_cache_nodes", p["nodes"]),
        ])
    elif spec.kind == "elasticache":
        d.resource("aws_elasticache_replication_group", "this", [
            ("replication_group_id", name), ("description", f"{name} cache"),
            ("engine", p["engine"]), ("node_type", p["node_type"]),
            ("num_cache_clusters", p["nodes"]),
            ("automatic_failover_enabled", p["nodes"] > 1),
            ("at_rest_encryption_enabled", True), ("transit_encryption_enabled", True),
        ])
    elif spec.kind == "redshift":
        d.resource("aws_redshift_cluster", "this", [
            ("cluster_identifier", name), ("node_type", p["node_type"]),
            ("cluster_type", "multi-node" if p["nodes"] > 1 else "single-node"),
            ("number_of_nodes", p["nodes"]), ("database_name", "dev"),
            ("master_username", user), ("manage_master_password", True), ("encrypted", True),
        ])
    elif spec.kind == "opensearch":
        d.resource("aws_opensearch_domain", "this", [
            ("domain_name", name[:28]),
            ("cluster_config", Block("", body=[("instance_type", p["instance_type"]),
                                               ("instance_count", p["instances"])])),
            ("ebs_options", Block("", body=[("ebs_enabled", True), ("volume_type", "gp3"),
                                            ("volume_size", p["volume_gib"])])),
        ])


def render_terraform(bundle: Bundle) -> str:
    """Return the bundle as Terraform configuration (HCL text)."""
    d = _Doc(bundle)
    region = d.var("region", "AWS region the options were priced in", bundle.region or "us-east-1")
    renderers = {"ec2": _ec2, "fargate": _fargate, "lambda": _lambda}
    if bundle.compute is not None:
        renderers[bundle.compute.kind](d, bundle.compute)
    if bundle.storage is not None:
        _storage(d, bundle.storage)
    if bundle.database is not None:
        _database(d, bundle.database)
    tf_alarms(d, bundle, block=Block, expr=Expr)  # the response's monitoring as alarms
    header = [
        f"# {bundle.name}: rank-1 options of the recommendation "
        f"({', '.join(s.option for s in bundle.specs)})",
    ]
    if bundle.not_exported:
        header.append(f"# not exported: {'; '.join(bundle.not_exported)}")
    tf = Block("terraform", body=[("required_providers", Block("", body=[
        ("aws", {"source": "hashicorp/aws", "version": ">= 5.0"})]))])
    provider = Block("provider", "aws", body=[("region", region)])
    parts = [tf, provider, *d.variables.values(), *d.blocks]
    return "\n".join(header) + "\n\n" + "\n\n".join(_render(b) for b in parts) + "\n"
