"""The databases of an export bundle as Terraform resources, each in its subnet group and
security group.
"""

from __future__ import annotations

from typing import Any

from recommender.surfaces.export import spec
from recommender.surfaces.export.hcl import Expr, nested
from recommender.surfaces.export.terraform_base import _Doc, _sg


def _subnet_group(d: _Doc, rtype: str, subnets: spec.Input) -> Expr:
    """A subnet group over the subnets list (RDS, ElastiCache and Redshift each have one)."""
    name = ("name_prefix", f"{d.name}-") if rtype == "aws_db_subnet_group" else (
        "name", d.name)
    d.add(rtype, "this", name, ("description", f"{d.name}: the database's subnets"),
          ("subnet_ids", d.var(subnets)))
    return Expr(f"{rtype}.this.name")


# --------------------------------------------------------------------------- database


def _table(d: _Doc, s: spec.Table) -> None:
    pk = d.var(s.partition_key)
    d.add("aws_dynamodb_table", "this",
          ("name", d.name), ("billing_mode", s.billing_mode), ("read_capacity", s.rcu),
          ("write_capacity", s.wcu), ("hash_key", pk),
          ("attribute", nested(("name", pk), ("type", "S"))))


def _rds(d: _Doc, s: spec.Rds) -> None:
    d.add("aws_db_instance", "this",
          ("identifier_prefix", f"{d.name}-"), ("engine", s.engine),
          ("instance_class", s.instance_class), ("allocated_storage", s.storage_gib),
          ("storage_type", s.storage_type), ("iops", s.iops), ("multi_az", s.multi_az),
          ("username", d.var(s.user)), ("manage_master_user_password", True),
          ("storage_encrypted", True), ("final_snapshot_identifier", f"{d.name}-final"),
          ("db_subnet_group_name", _subnet_group(d, "aws_db_subnet_group", s.subnets)),
          ("vpc_security_group_ids", [_sg("database")]))
    if s.read_replicas:
        # A same-region replica lives in its source's subnet group.
        d.add("aws_db_instance", "replica",
              ("count", s.read_replicas), ("identifier_prefix", f"{d.name}-replica-"),
              ("replicate_source_db", Expr("aws_db_instance.this.identifier")),
              ("instance_class", s.instance_class), ("skip_final_snapshot", True),
              ("vpc_security_group_ids", [_sg("database")]))


def _aurora(d: _Doc, s: spec.Aurora) -> None:
    d.add("aws_rds_cluster", "this",
          ("cluster_identifier_prefix", f"{d.name}-"), ("engine", s.engine),
          ("storage_type", "aurora-iopt1" if s.io_optimized else None),
          ("master_username", d.var(s.user)), ("manage_master_user_password", True),
          ("storage_encrypted", True), ("final_snapshot_identifier", f"{d.name}-final"),
          ("db_subnet_group_name", _subnet_group(d, "aws_db_subnet_group", s.subnets)),
          ("vpc_security_group_ids", [_sg("database")]))
    d.add("aws_rds_cluster_instance", "this",
          ("count", s.instances), ("cluster_identifier", Expr("aws_rds_cluster.this.id")),
          ("engine", Expr("aws_rds_cluster.this.engine")), ("instance_class", s.instance_class))


def _cache(d: _Doc, s: spec.Cache) -> None:
    subnets = _subnet_group(d, "aws_elasticache_subnet_group", s.subnets)
    if not s.replicated:
        d.add("aws_elasticache_cluster", "this",
              ("cluster_id", d.name), ("engine", s.engine), ("node_type", s.node_type),
              ("num_cache_nodes", s.nodes), ("subnet_group_name", subnets),
              ("security_group_ids", [_sg("database")]))
        return
    if s.sharded:
        _sharded_cache(d, s, subnets)
        return
    d.add("aws_elasticache_replication_group", "this",
          ("replication_group_id", d.name), ("description", f"{d.name} cache"),
          ("engine", s.engine), ("node_type", s.node_type), ("num_cache_clusters", s.nodes),
          ("automatic_failover_enabled", s.nodes > 1),
          ("multi_az_enabled", s.multi_az or None), ("at_rest_encryption_enabled", True),
          ("transit_encryption_enabled", True), ("subnet_group_name", subnets),
          ("security_group_ids", [_sg("database")]))


def _sharded_cache(d: _Doc, s: spec.Cache, subnets: Any) -> None:
    """Cluster mode enabled: ``num_node_groups`` shards of a primary and
    ``replicas_per_node_group`` replicas, a cluster-on parameter group
    (:data:`spec.CLUSTER_ON`), automatic failover (required with cluster mode enabled)."""
    version, group = s.cluster_on
    d.add("aws_elasticache_replication_group", "this",
          ("replication_group_id", d.name), ("description", f"{d.name} cache"),
          ("engine", s.engine), ("engine_version", version), ("parameter_group_name", group),
          ("cluster_mode", "enabled"), ("node_type", s.node_type),
          ("num_node_groups", s.shards), ("replicas_per_node_group", s.replicas_per_shard),
          ("automatic_failover_enabled", True), ("multi_az_enabled", s.multi_az or None),
          ("at_rest_encryption_enabled", True),
          ("transit_encryption_enabled", True), ("subnet_group_name", subnets),
          ("security_group_ids", [_sg("database")]))


def _warehouse(d: _Doc, s: spec.Warehouse) -> None:
    d.add("aws_redshift_cluster", "this",
          ("cluster_identifier", d.name), ("node_type", s.node_type),
          ("cluster_type", "multi-node" if s.nodes > 1 else "single-node"),
          ("number_of_nodes", s.nodes), ("database_name", "dev"),
          ("master_username", d.var(s.user)), ("manage_master_password", True),
          ("encrypted", True),
          ("cluster_subnet_group_name", _subnet_group(d, "aws_redshift_subnet_group",
                                                      s.subnets)),
          ("vpc_security_group_ids", [_sg("database")]))


def _search(d: _Doc, s: spec.Search) -> None:
    aware = s.zones > 1
    zones = nested(("availability_zone_count", s.zones)) if aware else None
    subnets = Expr(f"slice(var.{s.subnets.name}, 0, {s.zones})")
    d.var(s.subnets)
    d.add("aws_opensearch_domain", "this",
          ("domain_name", d.name[:28]),
          ("cluster_config", nested(("instance_type", s.instance_type),
                                    ("instance_count", s.instances),
                                    ("zone_awareness_enabled", aware),
                                    ("zone_awareness_config", zones),
                                    *((("dedicated_master_enabled", True),
                                       ("dedicated_master_type", s.master_type),
                                       ("dedicated_master_count", s.masters))
                                      if s.master_type else ()))),
          ("ebs_options", nested(("ebs_enabled", False)) if s.volume_gib is None else nested(
              ("ebs_enabled", True), ("volume_type", "gp3"), ("volume_size", s.volume_gib))),
          ("vpc_options", nested(("subnet_ids", subnets),
                                 ("security_group_ids", [_sg("database")]))))


#: The renderer of each database spec.
DATABASES: dict[type, Any] = {
    spec.Table: _table,
    spec.Rds: _rds,
    spec.Aurora: _aurora,
    spec.Cache: _cache,
    spec.Warehouse: _warehouse,
    spec.Search: _search,
}
