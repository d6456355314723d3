"""The Terraform renderer's document accumulator and the references it writes."""


from __future__ import annotations

from typing import Any

from recommender.surfaces.export import spec
from recommender.surfaces.export.hcl import Block, Expr

_TYPES = {"subnets": "list(string)", "route_tables": "list(string)"}  # else string
#: The expression of each created resource an alarm dimension can name (spec.Ref targets).
REFS = {
    "instance": "aws_instance.this.id",
    "auto_scaling_group": "aws_autoscaling_group.this.name",
    "ecs_cluster": "aws_ecs_cluster.this.name",
    "ecs_service": "aws_ecs_service.this.name",
    "function": "aws_lambda_function.this.function_name",
    "table": "aws_dynamodb_table.this.name",
    "volume": "aws_ebs_volume.this.id",
    "distribution": "aws_cloudfront_distribution.this.id",
    "db_instance": "aws_db_instance.this.identifier",
    "db_replica": "aws_db_instance.replica[0].identifier",
    "aurora_instance": "aws_rds_cluster_instance.this[%d].identifier",
    "cache": "aws_elasticache_cluster.this.cluster_id",
    "cache_member": '"${aws_elasticache_replication_group.this.id}-001"',
    "cache_shard_member": '"${aws_elasticache_replication_group.this.id}-0001-001"',
    "search_domain": "aws_opensearch_domain.this.domain_name",
    "account_id": "data.aws_caller_identity.current.account_id",
}


def _sg(key: str) -> Expr:
    """The id of the bundle's security group ``key``."""
    return Expr(f"aws_security_group.{key}.id")


class _Doc:
    """Accumulates variables and blocks."""

    def __init__(self, bundle: spec.Bundle) -> None:
        self.bundle, self.name = bundle, bundle.name
        self.variables: dict[str, Block] = {}
        self.blocks: list[Block] = []

    def var(self, i: spec.Input) -> Expr:
        self.variables[i.name] = Block("variable", i.name, body=[
            ("type", Expr(_TYPES.get(i.kind, "string"))), ("description", i.description),
            ("default", i.default)])
        return Expr(f"var.{i.name}")

    def subnet_list(self, i: spec.Input) -> Any:
        return self.var(i) if i.kind == "subnets" else [self.var(i)]

    def add(self, rtype: str, name: str, *body: tuple[str, Any]) -> None:
        self.blocks.append(Block("resource", rtype, name, body=list(body)))

    def dim(self, v: spec.Dimension) -> Any:
        if isinstance(v, spec.Ref):
            ref = REFS[v.target]
            return Expr(ref % v.index if "%d" in ref else ref)
        return self.var(v) if isinstance(v, spec.Input) else v

    def tags(self) -> dict[str, str]:
        return {"Name": self.name, "generated-by": "recommender"}
