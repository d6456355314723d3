"""Each chosen option of a response as its neutral resource spec (:mod:`.spec`).

The options are JSON data (CONTRACT section 2).  Every figure comes from the option's
``count`` and ``config``; what the response cannot know becomes an :class:`~.spec.Input`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from recommender.surfaces.export.spec import (
    SUBNET,
    SUBNETS,
    Aurora,
    Bucket,
    Cache,
    Ec2,
    Efs,
    Fargate,
    Group,
    Input,
    Lambda,
    Rds,
    Search,
    Table,
    Volume,
    Warehouse,
)

_AMI_SSM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
_RDS_ENGINES = {
    "postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mariadb",
    "oracle": "oracle-se2", "sqlserver": "sqlserver-se", "db2": "db2-se",
}
_S3_CLASSES = {
    "standard": "STANDARD", "intelligent_tiering": "INTELLIGENT_TIERING",
    "standard_ia": "STANDARD_IA", "one_zone_ia": "ONEZONE_IA", "glacier_instant": "GLACIER_IR",
    "glacier_flexible": "GLACIER", "glacier_deep_archive": "DEEP_ARCHIVE",
}
#: S3 refuses lifecycle transitions to the IA classes before 30 days.
_S3_MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z-]*g[a-z-]*\.")
_EBS_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")
_EFS_AGE = re.compile(r"^AFTER_\d+_DAYS?$")
_EFS_TRANSITIONS = ("transition_to_ia", "transition_to_archive")
#: Availability Zones a spread fleet uses at most (every region has at least three).
_MAX_ZONES = 3


@dataclass(frozen=True)
class Placement:
    """Where the compute runs: the subnet input and how many Availability Zones it spans."""

    subnets: Input = SUBNET
    zones: int = 1


def num(cfg: dict[str, Any], *keys: str) -> float | None:
    """The first numeric value among ``keys`` of ``cfg`` (None when none is a number)."""
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def integer(cfg: dict[str, Any], *keys: str, default: int | None = None) -> int | None:
    v = num(cfg, *keys)
    return default if v is None else int(round(v))


def _config(o: dict[str, Any]) -> dict[str, Any]:
    cfg = o.get("config")
    return cfg if isinstance(cfg, dict) else {}


def _arch(o: dict[str, Any]) -> str:
    arch = _config(o).get("arch")
    if arch in ("x86_64", "arm64"):
        return str(arch)
    return "arm64" if _ARM_FAMILY.match(str(o.get("option", "")) + ".") else "x86_64"


def _spread(zones: int) -> Placement:
    zones = max(1, min(_MAX_ZONES, zones))
    if zones == 1:
        return Placement()
    return Placement(Input(SUBNETS.name, SUBNETS.kind,
                           f"Subnets, one per Availability Zone (at least {zones})"), zones)


# --------------------------------------------------------------------------- compute


def group_of(o: dict[str, Any]) -> Group | None:
    """The auto scaling group of ``count`` and ``config.scaling`` (None: one instance)."""
    cfg = _config(o)
    count = max(1, int(o.get("count") or 1))
    got = cfg.get("scaling")
    scaling: dict[str, Any] = got if isinstance(got, dict) else {}
    lo = max(1, integer(scaling, "min_count", default=count) or 1)
    hi = max(integer(scaling, "max_count", default=max(count, lo)) or count, lo, count)
    if hi == 1 and not scaling:
        return None
    target = num(scaling, "target") if scaling.get("approach") == "demand" else None
    if target is not None and not 0 < target <= 100:
        target = None
    # A group whose max equals its min has nothing to scale: Auto Scaling refuses a
    # target-tracking policy on it (cfn-lint E3712), so the group stays fixed-size.
    return Group(min_count=lo, desired_count=max(lo, min(count, hi)), max_count=hi,
                 spot=o.get("purchase_option") == "spot",
                 target_cpu_pct=target if hi > lo else None)


def compute_placement(o: dict[str, Any]) -> Placement:
    """The Availability Zones a compute option spreads over: one per node up to three."""
    kind = o.get("kind")
    if kind == "ec2":
        group = group_of(o)
        return _spread(group.min_count if group else 1)
    if kind == "fargate":
        return _spread(fargate_tasks(o))
    return Placement()


def ec2(o: dict[str, Any], *, volume: Volume | None, add_ons: set[str]) -> Ec2:
    """EC2 from its option, its data volume and the network add-ons chosen for it."""
    arch, group = _arch(o), group_of(o)
    image = Input("ami_ssm_parameter", "ami", f"SSM parameter naming the AMI of the {arch} "
                  "instances", _AMI_SSM.format(arch=arch), cfn_name="ImageId")
    placement = next((a.split(":", 1)[1] for a in sorted(add_ons)
                      if a.startswith("placement_group:")), None)
    return Ec2(instance_type=str(o["option"]), arch=arch, image=image,
               subnets=compute_placement(o).subnets,
               volume=volume, placement=placement, efa="efa" in add_ons,
               ena_express="ena_express" in add_ons,
               spot=group is None and o.get("purchase_option") == "spot", group=group,
               credit_mode=_credit_mode(o))


def _credit_mode(o: dict[str, Any]) -> str | None:
    """The burstable credit option the option was priced with, when it names one."""
    mode = _config(o).get("credit_mode")
    return str(mode) if mode in ("standard", "unlimited") else None


def fargate_tasks(o: dict[str, Any]) -> int:
    return max(1, integer(_config(o), "task_count", default=None) or int(o.get("count") or 1))


def fargate(o: dict[str, Any]) -> Fargate:
    cfg = _config(o)
    vcpu, mem = num(cfg, "vcpu", "vcpus") or 0.25, num(cfg, "memory_gib") or 0.5
    return Fargate(cpu_units=int(round(vcpu * 1024)), memory_mib=int(round(mem * 1024)),
                   cpu_architecture="ARM64" if _arch(o) == "arm64" else "X86_64",
                   desired_count=fargate_tasks(o),
                   image=Input("container_image", "string", "Container image URI of the task"),
                   subnets=compute_placement(o).subnets)


def lambda_(o: dict[str, Any]) -> Lambda:
    cfg = _config(o)
    memory = integer(cfg, "memory_mb", default=128) or 128
    tmp = integer(cfg, "ephemeral_storage_mb")  # /tmp: 512 MB by default, at most 10,240 MB
    return Lambda(
        memory_mb=min(10240, max(128, memory)), arch=_arch(o),
        ephemeral_storage_mb=min(10240, tmp) if tmp and tmp > 512 else None,
        timeout_s=int(min(900, max(3, num(cfg, "timeout_s") or 30))),
        role=Input("function_role_arn", "string", "ARN of the function's execution role"),
        runtime=Input("runtime", "string", "Lambda runtime", "python3.12"),
        handler=Input("handler", "string", "Function handler", "app.handler"),
        code_bucket=Input("code_s3_bucket", "string", "S3 bucket of the deployment package"),
        code_key=Input("code_s3_key", "string", "S3 key of the deployment package"))


# --------------------------------------------------------------------------- storage


def is_ebs(o: dict[str, Any]) -> bool:
    return o.get("kind") == "ebs" or str(o.get("option")) in _EBS_TYPES


def volume(o: dict[str, Any], *, in_launch_template: bool, in_group: bool) -> Volume:
    """The EBS volume; in an auto scaling group it goes with its instance (a replaced
    instance must not leave an orphaned, still-billed volume behind)."""
    cfg = _config(o)
    vtype = str(cfg.get("volume_type") or o.get("option"))
    az = None if in_launch_template else Input(
        "availability_zone", "az", "Availability Zone of the volume")
    k = _stripes(cfg)
    # A RAID 0 array: k volumes, each with its share (config.*_per_volume); the sums would
    # ask one volume for more than its type's maximum (io2 256,000 IOPS, gp3 80,000 IOPS and
    # 2,000 MiB/s, https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html,
    # https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).
    each = (lambda key: f"{key}_per_volume") if k > 1 else (lambda key: key)
    return Volume(volume_type=vtype,
                  size_gib=max(1, integer(cfg, each("size_gib"), default=100) or 100),
                  iops=integer(cfg, each("iops")) if vtype in ("gp3", "io1", "io2") else None,
                  throughput_mibps=integer(cfg, each("throughput_mibps"))
                  if vtype == "gp3" else None,
                  delete_on_termination=in_group, availability_zone=az, count=k)


def _stripes(cfg: dict[str, Any]) -> int:
    """Volumes of the option's RAID 0 array (1: one volume); the per-volume figures must
    be there, else the option is exported as one volume, as before."""
    k = integer(cfg, "volumes", default=1) or 1
    if cfg.get("raid") != "raid0" or k <= 1 or num(cfg, "size_gib_per_volume") is None:
        return 1
    return min(k, 25)  # /dev/xvdb .. /dev/xvdz


def raid_note(v: Volume) -> str | None:
    """What the template leaves to the instance: assembling the array (said in the output)."""
    if v.count <= 1:
        return None
    return (f"storage: the {v.count} {v.volume_type} volumes ({', '.join(v.devices())}) are "
            "one RAID 0 array: assemble it at boot (mdadm --create --level=0 "
            f"--raid-devices={v.count}) and mount the array "
            "(https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html)")


def efs(o: dict[str, Any], placement: Placement) -> Efs:
    """EFS with one mount target in each Availability Zone the compute uses.

    An IA/Archive storage class without an explicit lifecycle moves data to IA after 30
    days, EFS's own default for lifecycle management.
    """
    cfg = _config(o)
    got = cfg.get("lifecycle")
    raw: dict[str, Any] = got if isinstance(got, dict) else {}
    transitions = tuple((k, str(raw[k])) for k in _EFS_TRANSITIONS
                        if k in raw and _EFS_AGE.match(str(raw[k])))
    if not transitions and str(cfg.get("storage_class", "standard")) in ("ia", "archive"):
        transitions = (("transition_to_ia", "AFTER_30_DAYS"),)
    mibps = num(cfg, "provisioned_throughput_mibps")
    # One Zone: "EFS One Zone file systems support only a single mount target which is
    # located in the same Availability Zone as the file system"
    # (https://docs.aws.amazon.com/efs/latest/ug/mounting-one-zone.html); the zone is an
    # input (CreateFileSystem's AvailabilityZoneName), the mount target the first subnet.
    one_zone = cfg.get("file_system_type") == "one_zone"
    az = Input("efs_availability_zone", "az", "Availability Zone of the One Zone EFS file "
               "system (its mount target's subnet, the first subnet, must be in it)") \
        if one_zone else None
    return Efs(throughput_mode="provisioned" if mibps else "elastic", provisioned_mibps=mibps,
               transitions=transitions, mount_targets=1 if one_zone else placement.zones,
               subnets=placement.subnets, availability_zone=az)


def bucket(o: dict[str, Any]) -> Bucket:
    cls = _S3_CLASSES.get(str(_config(o).get("storage_class", "standard")), "STANDARD")
    return Bucket(storage_class=cls, transition_days=_S3_MIN_TRANSITION_DAYS.get(cls, 0))


# --------------------------------------------------------------------------- database


def dynamodb(o: dict[str, Any], notes: list[str]) -> Table:
    cfg = _config(o)
    rcu = integer(cfg, "rcu", "read_capacity_units")
    wcu = integer(cfg, "wcu", "write_capacity_units")
    provisioned = str(cfg.get("capacity_mode", "on_demand")) == "provisioned"
    if provisioned and (rcu is None or wcu is None):
        # Never invent capacity: without the figures the table starts on demand.
        provisioned = False
        notes.append("dynamodb: provisioned RCU/WCU not in the response; exported on demand")
    pk = Input("partition_key", "string", "Partition key attribute name", "pk",
               cfn_name="PartitionKeyName")
    if not provisioned:
        return Table("PAY_PER_REQUEST", None, None, pk)
    return Table("PROVISIONED", max(1, rcu or 1), max(1, wcu or 1), pk)


def _nodes(o: dict[str, Any]) -> int:
    return max(1, integer(_config(o), "nodes", "node_count", "instances", default=None)
               or int(o.get("count") or 1))


def _rds(o: dict[str, Any], engine: str, cls: str) -> Rds:
    cfg = _config(o)
    storage = max(20, integer(cfg, "storage_gib", "size_gib", "allocated_storage_gib",
                              default=100) or 100)
    stype = str(cfg.get("storage_type", "gp3"))
    iops = integer(cfg, "iops", "provisioned_iops")
    if stype == "gp3" and storage < 400:
        iops = None  # RDS gp3 takes an IOPS setting only from 400 GiB
    return Rds(engine=_RDS_ENGINES.get(engine, engine or "postgres"), instance_class=cls,
               storage_gib=storage, storage_type=stype, iops=iops,
               multi_az=str(cfg.get("deployment", "")).startswith("multi_az"),
               read_replicas=max(0, integer(cfg, "read_replicas", default=0) or 0))


def _cache(o: dict[str, Any], engine: str, cls: str) -> Cache:
    """The cache of ``o``: ``config.shards`` (with ``replicas_per_shard``) above one is a
    Valkey/Redis OSS cluster mode enabled replication group (docs/CONTRACT.md)."""
    cfg = _config(o)
    shards = integer(cfg, "shards", default=1) or 1
    if engine == "memcached" or shards <= 1:
        return Cache(engine=engine, node_type=cls, nodes=_nodes(o))
    replicas = max(0, integer(cfg, "replicas_per_shard", default=0) or 0)
    return Cache(engine=engine, node_type=cls, nodes=shards * (1 + replicas), shards=shards,
                 replicas_per_shard=replicas)


def search_zones(nodes: int) -> int:
    """Availability Zones an OpenSearch domain of ``nodes`` data nodes spreads over: three
    for a multiple of three, two for an even count, else one; zone awareness wants the
    nodes split evenly over the zones
    (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-multiaz.html)."""
    if nodes >= 3 and nodes % 3 == 0:
        return 3
    return 2 if nodes >= 2 and nodes % 2 == 0 else 1


def database(o: dict[str, Any], notes: list[str]) -> Any:
    """The database spec of ``o`` (None when the option is not exported)."""
    name, cfg = str(o.get("option")), _config(o)
    service, _, engine = name.partition(":")
    cls = str(cfg.get("instance_class") or cfg.get("node_type") or "")
    if service == "dynamodb":
        return dynamodb(o, notes)
    if not cls:
        return None
    if service == "rds":
        return _rds(o, engine, cls)
    if service == "aurora":
        io_opt = str(cfg.get("deployment", cfg.get("storage", ""))) == "io_optimized"
        return Aurora(engine="aurora-" + ("mysql" if engine == "mysql" else "postgresql"),
                      instance_class=cls, io_optimized=io_opt, instances=_nodes(o))
    if service == "elasticache":
        return _cache(o, engine or "valkey", cls)
    if service == "redshift" and cfg.get("deployment") != "serverless":
        return Warehouse(node_type=cls, nodes=_nodes(o))
    if service == "opensearch":
        # Per node: its share of the index storage when the option gives it, else the data
        # size; none on a type that holds the index on its own instance storage, where EBS
        # is turned off ("do not support EBS storage volumes", https://docs.aws.amazon.com/
        # opensearch-service/latest/developerguide/supported-instance-types.html).
        gib = None if cfg.get("storage_type") == "instance_store" else max(
            10, integer(cfg, "volume_gib_per_node", "storage_gib", "size_gib",
                        default=100) or 100)
        master = cfg.get("dedicated_master_type")
        return Search(instance_type=cls, instances=_nodes(o), volume_gib=gib,
                      zones=search_zones(_nodes(o)),
                      master_type=str(master) if master else None,
                      masters=(integer(cfg, "dedicated_master_count", default=0) or 0)
                      if master else 0)
    return None
