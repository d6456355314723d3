"""The neutral resource specs that every export format renders.

:mod:`.bundle` turns a response into these specs, with every decision taken once (how many
nodes over how many Availability Zones, whether a data volume goes with its instance, which
values the template must ask for); :mod:`.cloudformation` and :mod:`.terraform` only write
them in their own syntax.  Field names carry their units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: The kinds of :class:`Input`; each renderer maps them to its parameter / variable types.
INPUT_KINDS = ("string", "subnet", "subnets", "vpc", "route_tables", "az", "ami")


def pascal(name: str) -> str:
    """``subnet_ids`` -> ``SubnetIds`` (CloudFormation's logical-name style)."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", name) if w)


@dataclass(frozen=True)
class Input:
    """A value the response cannot know: a CloudFormation parameter, a Terraform variable."""

    name: str  # snake_case, the Terraform variable
    kind: str  # one of INPUT_KINDS
    description: str
    default: Any = None
    cfn_name: str | None = None  # when the parameter's name is not ``pascal(name)``

    @property
    def cfn(self) -> str:
        return self.cfn_name or pascal(self.name)


@dataclass(frozen=True)
class Ref:
    """The id of a resource the template creates; each renderer knows how to write it.

    ``target`` is one of the names in the renderers' reference tables (``instance``,
    ``auto_scaling_group``, ``distribution``...); ``index`` picks one of a counted set.
    """

    target: str
    index: int = 0


#: The security group every compute option (instances, tasks, a function in the VPC) uses; with
#: no compute in the bundle it is the group the database's clients are to be given.
APP_SG = "app"


@dataclass(frozen=True)
class Ingress:
    """An inbound rule: TCP ``port`` (None: all traffic) from the members of group ``source``."""

    source: str  # the key of a SecurityGroup of the bundle
    port: int | None
    description: str


@dataclass(frozen=True)
class SecurityGroup:
    """A security group created in the VPC input; outbound traffic is allowed.

    CloudFormation gives a new group an allow-all egress rule of its own; Terraform removes
    it, so its renderer writes that rule
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html).
    """

    key: str  # app | database | efs
    description: str
    ingress: tuple[Ingress, ...] = ()


SUBNET = Input("subnet_id", "subnet", "Subnet of the resources (one Availability Zone)")
SUBNETS = Input("subnet_ids", "subnets", "Subnets, one per Availability Zone")
VPC = Input("vpc_id", "vpc", "VPC the subnets belong to (the security groups are created in it)",
            cfn_name="VpcId")
ROUTE_TABLES = Input("route_table_ids", "route_tables",
                     "Route tables of the subnets (the gateway endpoint adds its route to them)")
#: A database's subnet group spans at least two Availability Zones (RDS requires it,
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html).
DB_SUBNETS = Input("subnet_ids", "subnets", "Subnets, one per Availability Zone (at least 2)")
DB_USER = Input("db_username", "string", "Database administrator user name", "admin1",
                cfn_name="MasterUsername")
ALARM_TOPIC = Input("alarm_topic_arn", "string", "SNS topic for the alarms (empty: none)", "")


@dataclass(frozen=True)
class Volume:
    """An encrypted EBS volume; in a launch template it is the instances' data volume.

    ``count`` above 1 is a RAID 0 array of that many identical volumes, each of
    ``size_gib``, ``iops`` and ``throughput_mibps`` (its share: the array's figures are the
    sums, https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html), on the devices
    :meth:`devices` names.
    """

    volume_type: str
    size_gib: int
    iops: int | None = None
    throughput_mibps: int | None = None
    #: True in an auto scaling group: a replaced instance must not leave its volume behind.
    delete_on_termination: bool = False
    #: Set for a standalone volume (no EC2 in the bundle to map it into).
    availability_zone: Input | None = None
    device_name: str = "/dev/xvdb"
    count: int = 1

    def devices(self) -> tuple[str, ...]:
        """One device name per volume, from :attr:`device_name` on (``/dev/xvdb``,
        ``/dev/xvdc``, ...; Linux ``/dev/xvd[b-z]``,
        https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html)."""
        stem, last = self.device_name[:-1], self.device_name[-1]
        return tuple(stem + chr(ord(last) + i) for i in range(max(1, self.count)))

    def names(self, first: str, sep: str = "") -> tuple[str, ...]:
        """A resource name per volume: ``first``, then ``first`` + sep + 2, 3, ..."""
        return tuple(first if i == 0 else f"{first}{sep}{i + 1}"
                     for i in range(max(1, self.count)))


@dataclass(frozen=True)
class Group:
    """An auto scaling group spread over one subnet per Availability Zone."""

    min_count: int
    desired_count: int
    max_count: int
    spot: bool
    target_cpu_pct: float | None  # target tracking on average CPU; None: fixed size


@dataclass(frozen=True)
class Ec2:
    """EC2 instances from one launch template: a single instance, or a group."""

    instance_type: str
    arch: str
    image: Input
    subnets: Input
    volume: Volume | None = None
    placement: str | None = None  # cluster | spread (a placement group)
    efa: bool = False
    #: ENA Express (SRD) on the primary interface, when the response advised it
    #: (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ena-express.html).
    ena_express: bool = False
    spot: bool = False  # a single instance bought as spot
    group: Group | None = None
    #: A burstable type's credit option as the rules judged it (``standard`` | ``unlimited``),
    #: set in the launch template; None for other types.  "Default: standard (T2 instances) or
    #: unlimited (T3/T3a/T4g instances)" (RunInstances ``CreditSpecification``,
    #: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html), so the
    #: judged mode is deployed only when it is named.
    credit_mode: str | None = None


@dataclass(frozen=True)
class Fargate:
    cpu_units: int
    memory_mib: int
    cpu_architecture: str  # ECS's names: X86_64 | ARM64
    desired_count: int
    image: Input
    subnets: Input
    #: GiB of task ephemeral storage when the bundle put scratch data on it above the default
    #: 20 GiB (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html).
    ephemeral_storage_gib: int | None = None
    #: Container Insights on the cluster: an alarm watches its ``ECS/ContainerInsights``
    #: metrics, which exist only once it is turned on (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-ECS-cluster.html).
    container_insights: bool = False


@dataclass(frozen=True)
class Lambda:
    memory_mb: int
    arch: str
    timeout_s: int
    role: Input
    runtime: Input
    handler: Input
    code_bucket: Input
    code_key: Input
    #: Set when the function reaches a database in the VPC: its subnets (it then uses the
    #: app security group, https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html).
    subnets: Input | None = None
    #: /tmp MB when the response sized it above the default 512 MB for scratch data
    #: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html).
    ephemeral_storage_mb: int | None = None


@dataclass(frozen=True)
class Efs:
    """An encrypted EFS file system and one mount target per Availability Zone used."""

    throughput_mode: str  # elastic | provisioned
    provisioned_mibps: float | None
    #: (transition, age): ("transition_to_ia", "AFTER_30_DAYS"); one policy each.
    transitions: tuple[tuple[str, str], ...]
    mount_targets: int
    subnets: Input
    #: Set for a One Zone file system (``config.file_system_type`` = ``one_zone``): its
    #: Availability Zone; it then has one mount target, in that zone.
    availability_zone: Input | None = None


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket with all public access blocked; a lifecycle rule to the chosen class."""

    storage_class: str
    transition_days: int


@dataclass(frozen=True)
class Cdn:
    """A CloudFront distribution.

    With ``origin == "s3"`` it serves the bundle's bucket through an origin access control
    and the bucket policy lets only this distribution read (AWS's recommended setup,
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html);
    with ``"custom"`` it fronts the HTTPS endpoint named by ``origin_domain``.
    """

    origin: str  # s3 | custom
    cache_policy_id: str
    origin_domain: Input | None = None
    default_root_object: str | None = None
    compress: bool = True
    origin_id: str = "origin"
    viewer_protocol_policy: str = "redirect-to-https"
    methods: tuple[str, ...] = ("GET", "HEAD")  # allowed and cached: a read-only site
    #: The additional CloudFront metrics (CacheHitRate among them) turned on for this
    #: distribution: a monitoring subscription, at an additional cost
    #: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/monitoring-using-cloudwatch.html).
    additional_metrics: bool = False


def oac_bucket_policy(objects_arn: Any, distribution_arn: Any) -> dict[str, Any]:
    """The bucket policy that lets only one distribution read the bucket through its origin
    access control: the CloudFront service principal, conditioned on ``AWS:SourceArn``
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).

    ``objects_arn`` (the bucket ARN + ``/*``) and ``distribution_arn`` are written in the
    renderer's syntax.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowCloudFrontServicePrincipalReadOnly",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": objects_arn,
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }],
    }


@dataclass(frozen=True)
class Table:
    billing_mode: str  # PAY_PER_REQUEST | PROVISIONED
    rcu: int | None
    wcu: int | None
    partition_key: Input


@dataclass(frozen=True)
class Rds:
    engine: str
    instance_class: str
    storage_gib: int
    storage_type: str
    iops: int | None
    multi_az: bool
    read_replicas: int
    user: Input = DB_USER
    subnets: Input = DB_SUBNETS


@dataclass(frozen=True)
class Aurora:
    engine: str
    instance_class: str
    io_optimized: bool
    instances: int
    user: Input = DB_USER
    subnets: Input = DB_SUBNETS


#: Valkey/Redis OSS cluster mode enabled: (engine version, default cluster-on parameter group).
#: A cluster mode enabled replication group takes a parameter group with ``cluster-enabled``
#: yes; the default ones are ``default.redis7.cluster.on`` for the redis7 family
#: (https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/ParameterGroups.Redis.html)
#: and ``default.valkey8.cluster.on`` for valkey8 (Valkey 8.0 parameter changes, "Parameter
#: group family: valkey8",
#: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html).
#: The engine version is pinned so that the group's family matches it: left unset, the
#: newest version would be created, whose family may be newer than the group's.
CLUSTER_ON: dict[str, tuple[str, str]] = {
    "valkey": ("8.0", "default.valkey8.cluster.on"),
    "redis": ("7.1", "default.redis7.cluster.on"),
}


@dataclass(frozen=True)
class Cache:
    engine: str
    node_type: str
    nodes: int
    subnets: Input = DB_SUBNETS
    #: Valkey/Redis OSS shards (node groups); more than one is cluster mode enabled
    #: (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/
    #: Replication.CreatingReplGroup.NoExistingCluster.Cluster.html).
    shards: int = 1
    replicas_per_shard: int = 0

    @property
    def replicated(self) -> bool:
        """Valkey/Redis run as a replication group; Memcached as a plain cluster."""
        return self.engine != "memcached"

    @property
    def sharded(self) -> bool:
        """A Valkey/Redis OSS replication group with cluster mode enabled (several shards)."""
        return self.replicated and self.shards > 1

    @property
    def multi_az(self) -> bool:
        """Multi-AZ: a replica in every shard and automatic failover (the unsharded group's
        second node, or ``replicas_per_shard`` >= 1), so ``MultiAZEnabled`` /
        ``multi_az_enabled`` is set: CreateReplicationGroup leaves it false by default, and
        "Multi-AZ is only supported on Valkey and Redis OSS clusters that have more than one
        node in each shard" (:data:`recommender.rules.database_cache.CACHE_MULTI_AZ_URL`)."""
        if not self.replicated:
            return False
        return self.replicas_per_shard >= 1 if self.sharded else self.nodes > 1

    @property
    def cluster_on(self) -> tuple[str, str]:
        """(engine version, default cluster-on parameter group) of a sharded cache."""
        return CLUSTER_ON.get(self.engine, CLUSTER_ON["redis"])


@dataclass(frozen=True)
class Warehouse:
    node_type: str
    nodes: int
    user: Input = DB_USER
    subnets: Input = DB_SUBNETS


@dataclass(frozen=True)
class Search:
    instance_type: str
    instances: int
    #: EBS volume per data node, GiB; None for a type with its own instance storage (i3,
    #: i4i, im4gn, r6gd...), whose domain runs with EBS disabled.
    volume_gib: int | None
    #: Availability Zones the nodes are spread over (1: no zone awareness), one subnet each.
    zones: int = 1
    subnets: Input = DB_SUBNETS
    #: Dedicated master nodes (production: three of the recommended minimum class,
    #: https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-dedicatedmasternodes.html).
    master_type: str | None = None
    masters: int = 0


@dataclass(frozen=True)
class GatewayEndpoint:
    """A gateway VPC endpoint (S3, DynamoDB): the service's traffic stays on the AWS network,
    through a route in the subnets' route tables
    (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html)."""

    service: str  # s3 | dynamodb
    route_tables: Input = ROUTE_TABLES


Compute = Ec2 | Fargate | Lambda
Storage = Volume | Efs | Bucket
Database = Table | Rds | Aurora | Cache | Warehouse | Search
#: The databases that run in the VPC: a subnet group and a security group of their own.
IN_VPC = (Rds, Aurora, Cache, Warehouse, Search)
Dimension = str | Ref | Input


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch alarm of the response's ``monitoring``, its dimensions resolved."""

    key: str
    name: str
    description: str
    namespace: str
    metric: str  # the metric, or the label of a metric-math expression
    statistic: str
    extended: bool  # a percentile (``p99``): ExtendedStatistic
    period_s: int
    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    dimensions: tuple[tuple[str, Dimension], ...]
    expression: str | None = None
    math_metrics: tuple[str, ...] = ()
    #: Created only once this input is set (an id the template does not create).
    needs: Input | None = None


@dataclass(frozen=True)
class Component:
    """One chosen option and the resource spec it becomes."""

    category: str  # compute | storage | database | network
    option: str  # the response's option name
    spec: Compute | Storage | Database | Cdn | GatewayEndpoint


@dataclass
class Bundle:
    """Everything one export writes: the components, their alarms and what was left out."""

    name: str = "workload"
    region: str | None = None
    components: list[Component] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    #: Created in the VPC input (empty: nothing in the bundle runs in a VPC).
    security_groups: list[SecurityGroup] = field(default_factory=list)
    #: Rank-1 options (and add-ons) not turned into resources, with why (said in the output).
    not_exported: list[str] = field(default_factory=list)

    def of(self, category: str) -> Any:
        """The spec of ``category``'s component (None when the bundle has none)."""
        return next((c.spec for c in self.components if c.category == category), None)
