"""The network a bundle's resources need: security groups in the VPC, one list of subnets.

The template creates the security groups (the response knows which resources talk to which
and on what port); only the VPC, its subnets and route tables are inputs.  Instances, tasks
and a function in the VPC share the ``app`` group; a database, cache, warehouse, search
domain or file system gets a group of its own that lets in only its port, only from ``app``
(AWS's pattern of one group per tier referencing the other,
https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-referencing).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from recommender.surfaces.export import spec

#: Each engine's default port, the one its security group opens: RDS and Aurora
#: (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, ``Port``),
#: ElastiCache (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/accessing-elasticache.html),
#: Redshift (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html,
#: ``Port``), OpenSearch's HTTPS endpoint in a VPC
#: (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html) and EFS's NFS
#: (https://docs.aws.amazon.com/efs/latest/ug/network-access.html).
PORTS = {
    "postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306,
    "aurora-mysql": 3306, "oracle-se2": 1521, "sqlserver-se": 1433, "db2-se": 50000,
    "valkey": 6379, "redis": 6379, "memcached": 11211, "redshift": 5439, "opensearch": 443,
    "nfs": 2049,
}
#: EFA needs its security group to allow all traffic to and from itself
#: (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html#efa-start-security).
EFA_RULE = spec.Ingress(spec.APP_SG, None, "EFA: all traffic between the group's members")
_AT_LEAST = re.compile(r"at least (\d+)")


def port_of(db: Any) -> int:
    """The port clients reach ``db`` (an in-VPC database spec) on."""
    if isinstance(db, spec.Rds | spec.Aurora | spec.Cache):
        return PORTS.get(db.engine, PORTS["postgres"])
    return PORTS["redshift"] if isinstance(db, spec.Warehouse) else PORTS["opensearch"]


def _db_name(db: Any) -> str:
    return getattr(db, "engine", None) or (
        "Redshift" if isinstance(db, spec.Warehouse) else "OpenSearch (HTTPS)")


def _app_description(compute: Any) -> str:
    if isinstance(compute, spec.Ec2):
        return f"{compute.instance_type} instances"
    if isinstance(compute, spec.Fargate):
        return "Fargate tasks"
    if isinstance(compute, spec.Lambda):
        return "Lambda function (in the VPC)"
    return "Clients of the data stores: give this group to what connects to them"


def in_vpc(compute: Any) -> bool:
    """Whether ``compute`` runs in the VPC (instances, tasks, a function with subnets)."""
    return isinstance(compute, spec.Ec2 | spec.Fargate) or (
        isinstance(compute, spec.Lambda) and compute.subnets is not None)


def security_groups(b: spec.Bundle) -> list[spec.SecurityGroup]:
    """The groups ``b`` needs (none when nothing in it runs in a VPC)."""
    compute, storage, db = b.of("compute"), b.of("storage"), b.of("database")
    out = []
    if isinstance(storage, spec.Efs):
        out.append(spec.SecurityGroup("efs", "EFS mount targets: NFS from the app group", (
            spec.Ingress(spec.APP_SG, PORTS["nfs"], "NFS from the app group"),)))
    if isinstance(db, spec.IN_VPC):
        name = _db_name(db)
        out.append(spec.SecurityGroup("database", f"{name}: its port from the app group", (
            spec.Ingress(spec.APP_SG, port_of(db), f"{name} from the app group"),)))
    if not out and not in_vpc(compute):
        return []
    efa = isinstance(compute, spec.Ec2) and compute.efa
    app = spec.SecurityGroup(spec.APP_SG, _app_description(compute), (EFA_RULE,) if efa else ())
    return [app, *out]


def put_lambda_in_vpc(b: spec.Bundle) -> None:
    """A function that reaches an in-VPC database gets the database's subnets (and the app
    group); its role then needs the VPC permissions
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html)."""
    for k, c in enumerate(b.components):
        if isinstance(c.spec, spec.Lambda) and isinstance(b.of("database"), spec.IN_VPC):
            role = dataclasses.replace(c.spec.role, description=(
                "ARN of the function's execution role (with the VPC permissions of "
                "AWSLambdaVPCAccessExecutionRole: the function runs in the VPC)"))
            fn = dataclasses.replace(c.spec, subnets=spec.DB_SUBNETS, role=role)
            b.components[k] = dataclasses.replace(c, spec=fn)


def _subnets(c: spec.Component) -> spec.Input | None:
    got = getattr(c.spec, "subnets", None)
    return got if isinstance(got, spec.Input) and got.kind == "subnets" else None


def one_subnet_list(b: spec.Bundle) -> None:
    """Every resource spread over Availability Zones takes the same ``subnet_ids`` list;
    its description asks for the most zones any of them uses."""
    lists = [i for c in b.components if (i := _subnets(c)) is not None]
    if len(lists) < 2:
        return
    zones = max(int(m.group(1)) if (m := _AT_LEAST.search(i.description)) else 1
                for i in lists)
    one = spec.Input(spec.SUBNETS.name, "subnets",
                     f"Subnets, one per Availability Zone (at least {zones})")
    for k, c in enumerate(b.components):
        if _subnets(c) is not None:
            s: Any = c.spec
            b.components[k] = dataclasses.replace(c, spec=dataclasses.replace(s, subnets=one))


def gateway_endpoint(b: spec.Bundle, option: dict[str, Any]) -> spec.GatewayEndpoint | None:
    """The gateway endpoint the network option ``vpc_endpoint`` asks for (None: nothing in
    the bundle runs in a VPC, or the service has no gateway endpoint)."""
    cfg = option.get("config") if isinstance(option.get("config"), dict) else {}
    service = str((cfg or {}).get("service", "s3"))
    if not in_vpc(b.of("compute")) or service not in ("s3", "dynamodb"):
        return None
    return spec.GatewayEndpoint(service)
