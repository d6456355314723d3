"""Export the chosen bundle of a recommendation to infrastructure as code.

The export reads the response as JSON data (CONTRACT section 2), so it works on any saved
response, and takes the rank-1 option of ``compute``, ``storage`` and ``database`` plus the
network options that change how they are deployed (a placement group, EFA).  It first turns
them into a neutral :class:`Bundle` of resource specs; :mod:`.cloudformation` and
:mod:`.terraform` render that bundle.  What the response cannot know (AMI, subnet, code
location, user names) becomes a template parameter / variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from recommender.core.errors import UserError

#: Export formats and the renderer module of each.
FORMATS: tuple[str, ...] = ("cloudformation", "terraform")

_RDS_ENGINES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "oracle": "oracle-se2",
    "sqlserver": "sqlserver-se",
    "db2": "db2-se",
}
_S3_CLASSES = {
    "standard": "STANDARD",
    "intelligent_tiering": "INTELLIGENT_TIERING",
    "standard_ia": "STANDARD_IA",
    "one_zone_ia": "ONEZONE_IA",
    "glacier_instant": "GLACIER_IR",
    "glacier_flexible": "GLACIER",
    "glacier_deep_archive": "DEEP_ARCHIVE",
}
#: S3 refuses lifecycle transitions to the IA classes before 30 days.
_S3_MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z-]*g[a-z-]*\.")


@dataclass
class Spec:
    """One resource to create: a neutral ``kind`` and its properties (units in names)."""

    kind: str
    props: dict[str, Any]
    option: str


@dataclass
class Bundle:
    """The chosen compute, storage and database, plus deployment details."""

    compute: Spec | None = None
    storage: Spec | None = None
    database: Spec | None = None
    placement_strategy: str | None = None  # cluster | spread
    efa: bool = False
    region: str | None = None
    name: str = "workload"
    #: Rank-1 options the export does not turn into resources (said in the template).
    not_exported: list[str] = field(default_factory=list)
    #: The response's ``monitoring`` alarms (rendered by :mod:`.alarms`).
    monitoring: list[dict[str, Any]] = field(default_factory=list)

    @property
    def specs(self) -> list[Spec]:
        return [s for s in (self.compute, self.storage, self.database) if s is not None]


def _num(cfg: dict[str, Any], *keys: str) -> float | None:
    """The first numeric value among ``keys`` of ``cfg`` (None when none is a number)."""
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def _int(cfg: dict[str, Any], *keys: str, default: int | None = None) -> int | None:
    v = _num(cfg, *keys)
    return default if v is None else int(round(v))


def _arch(option: dict[str, Any]) -> str:
    cfg = option.get("config") or {}
    arch = cfg.get("arch")
    if arch in ("x86_64", "arm64"):
        return str(arch)
    return "arm64" if _ARM_FAMILY.match(str(option.get("option", "")) + ".") else "x86_64"


def _scaling(option: dict[str, Any]) -> tuple[int, int, int]:
    """(min, desired, max) node counts from ``count`` and ``config.scaling``."""
    cfg = option.get("config") or {}
    count = max(1, int(option.get("count") or 1))
    got = cfg.get("scaling")
    scaling: dict[str, Any] = got if isinstance(got, dict) else {}
    lo = _int(scaling, "min_count", default=count) or 1
    hi = _int(scaling, "max_count", default=max(count, lo)) or count
    return max(1, lo), max(lo, min(count, hi)), max(hi, lo, count)


def _target_cpu(cfg: dict[str, Any]) -> float | None:
    """The CPU target of demand-based (target tracking) scaling, when recommended."""
    scaling = cfg.get("scaling")
    if not isinstance(scaling, dict) or scaling.get("approach") != "demand":
        return None
    target = _num(scaling, "target")
    return target if target is not None and 0 < target <= 100 else None


#: EFS lifecycle transitions: response key -> (CloudFormation key, Terraform attribute).
EFS_TRANSITIONS = {
    "transition_to_ia": ("TransitionToIA", "transition_to_ia"),
    "transition_to_archive": ("TransitionToArchive", "transition_to_archive"),
}
_EFS_AGE = re.compile(r"^AFTER_\d+_DAYS?$")


def _efs_lifecycle(cfg: dict[str, Any]) -> dict[str, str]:
    """EFS lifecycle transitions from ``config.lifecycle`` (``{"transition_to_ia": ...}``).

    An IA/Archive storage class without an explicit lifecycle moves data to IA after 30 days,
    EFS's own default for lifecycle management.
    """
    got = cfg.get("lifecycle")
    raw: dict[str, Any] = got if isinstance(got, dict) else {}
    out = {k: str(v) for k, v in raw.items() if k in EFS_TRANSITIONS and _EFS_AGE.match(str(v))}
    if not out and str(cfg.get("storage_class", "standard")) in ("ia", "archive"):
        out["transition_to_ia"] = "AFTER_30_DAYS"
    return out


def _compute_spec(o: dict[str, Any]) -> Spec | None:
    kind, cfg = o.get("kind"), o.get("config") or {}
    if kind == "ec2":
        lo, desired, hi = _scaling(o)
        props = {
            "instance_type": str(o["option"]),
            "arch": _arch(o),
            "spot": o.get("purchase_option") == "spot",
            "min_count": lo,
            "desired_count": desired,
            "max_count": hi,
            "auto_scaling": hi > 1 or isinstance(cfg.get("scaling"), dict),
            # A group whose max equals its min has nothing to scale: Auto Scaling refuses a
            # target-tracking policy on it (cfn-lint E3712), so the group stays fixed-size.
            "target_cpu_pct": _target_cpu(cfg) if hi > lo else None,
        }
        return Spec("ec2", props, o["option"])
    if kind == "fargate":
        vcpu = _num(cfg, "vcpu", "vcpus") or 0.25
        mem = _num(cfg, "memory_gib") or 0.5
        props = {
            "cpu_units": int(round(vcpu * 1024)),
            "memory_mib": int(round(mem * 1024)),
            "arch": _arch(o),
            "desired_count": max(1, _int(cfg, "task_count", default=None)
                                 or int(o.get("count") or 1)),
        }
        return Spec("fargate", props, "fargate")
    if kind == "lambda":
        memory = _int(cfg, "memory_mb", default=128) or 128
        timeout = _num(cfg, "timeout_s")
        props = {
            "memory_mb": min(10240, max(128, memory)),
            "arch": _arch(o),
            "timeout_s": int(min(900, max(3, timeout or 30))),
        }
        return Spec("lambda", props, "lambda")
    return None


def _storage_spec(o: dict[str, Any]) -> Spec | None:
    kind, cfg, name = o.get("kind"), o.get("config") or {}, str(o.get("option"))
    if kind == "ebs" or name in ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"):
        vtype = str(cfg.get("volume_type") or name)
        props: dict[str, Any] = {
            "volume_type": vtype,
            "size_gib": max(1, _int(cfg, "size_gib", default=100) or 100),
            "iops": _int(cfg, "iops") if vtype in ("gp3", "io1", "io2") else None,
            "throughput_mibps": _int(cfg, "throughput_mibps") if vtype == "gp3" else None,
        }
        return Spec("ebs", props, name)
    if name == "efs" or kind == "efs":
        mibps = _num(cfg, "provisioned_throughput_mibps")
        props = {
            "throughput_mode": "provisioned" if mibps else "elastic",
            "provisioned_mibps": mibps,
            "lifecycle": _efs_lifecycle(cfg),
        }
        return Spec("efs", props, name)
    if name == "s3" or kind == "s3":
        cls = _S3_CLASSES.get(str(cfg.get("storage_class", "standard")), "STANDARD")
        props = {"storage_class": cls, "transition_days": _S3_MIN_TRANSITION_DAYS.get(cls, 0)}
        return Spec("s3", props, name)
    return None


def _database_spec(o: dict[str, Any]) -> Spec | None:
    name, cfg = str(o.get("option")), o.get("config") or {}
    service, _, engine = name.partition(":")
    nodes = max(1, _int(cfg, "nodes", "node_count", "instances", default=None) or
                int(o.get("count") or 1))
    cls = cfg.get("instance_class") or cfg.get("node_type")
    if service == "dynamodb":
        rcu = _int(cfg, "rcu", "read_capacity_units")
        wcu = _int(cfg, "wcu", "write_capacity_units")
        provisioned = str(cfg.get("capacity_mode", "on_demand")) == "provisioned"
        notes = []
        if provisioned and (rcu is None or wcu is None):
            # Never invent capacity: without the figures the table starts on demand.
            provisioned = False
            notes.append("dynamodb: provisioned RCU/WCU not in the response; exported on demand")
        props: dict[str, Any] = {
            "billing_mode": "PROVISIONED" if provisioned else "PAY_PER_REQUEST",
            "rcu": max(1, rcu or 1),
            "wcu": max(1, wcu or 1),
            "notes": notes,
        }
        return Spec("dynamodb", props, name)
    if not cls:
        return None
    if service == "rds":
        storage = max(20, _int(cfg, "storage_gib", "size_gib", "allocated_storage_gib",
                               default=100) or 100)
        replicas = _int(cfg, "read_replicas", default=0) or 0
        props = {
            "read_replicas": max(0, replicas),
            "engine": _RDS_ENGINES.get(engine, engine or "postgres"),
            "instance_class": str(cls),
            "storage_gib": storage,
            "storage_type": str(cfg.get("storage_type", "gp3")),
            "iops": _int(cfg, "iops", "provisioned_iops"),
            "multi_az": str(cfg.get("deployment", "")).startswith("multi_az"),
        }
        if props["storage_type"] == "gp3" and storage < 400:
            props["iops"] = None  # RDS gp3 takes an IOPS setting only from 400 GiB
        return Spec("rds", props, name)
    if service == "aurora":
        props = {
            "engine": "aurora-" + ("mysql" if engine == "mysql" else "postgresql"),
            "instance_class": str(cls),
            "io_optimized": str(cfg.get("deployment", cfg.get("storage", ""))) == "io_optimized",
            "instances": nodes,
        }
        return Spec("aurora", props, name)
    if service == "elasticache":
        props = {"engine": engine or "valkey", "node_type": str(cls), "nodes": nodes}
        return Spec("elasticache", props, name)
    if service == "redshift" and cfg.get("deployment") != "serverless":
        return Spec("redshift", {"node_type": str(cls), "nodes": nodes}, name)
    if service == "opensearch":
        props = {
            "instance_type": str(cls),
            "instances": nodes,
            "volume_gib": max(10, _int(cfg, "storage_gib", "size_gib", default=100) or 100),
        }
        return Spec("opensearch", props, name)
    return None


def _rank1(response: dict[str, Any], category: str) -> dict[str, Any] | None:
    """The option the response's ``bundle`` chose for ``category`` (else its rank 1)."""
    opts = (response.get("recommendations") or {}).get(category) or []
    ranked = [o for o in opts if isinstance(o, dict) and o.get("option")]
    if not ranked:
        return None
    ranked.sort(key=lambda o: int(o.get("rank") or 10**6))
    bundle = response.get("bundle")
    if isinstance(bundle, dict):
        chosen = [c.get("option") for c in bundle.get("components") or []
                  if isinstance(c, dict) and c.get("category") == category]
        if not chosen:
            return None  # the bundle left this category out
        return next((o for o in ranked if o["option"] == chosen[0]), ranked[0])
    return ranked[0]


def chosen_bundle(response: dict[str, Any]) -> Bundle:
    """Turn a response (JSON data) into the bundle of resources to export.

    Raises
    ------
    UserError
        When ``response`` is not a recommendation or holds nothing exportable.
    """
    if not isinstance(response, dict) or not isinstance(response.get("recommendations"), dict):
        raise UserError("not a recommendation response: the field 'recommendations' is missing")
    bundle = Bundle(name=_safe_name(response.get("name") or "workload"))
    builders = {"compute": _compute_spec, "storage": _storage_spec, "database": _database_spec}
    for category, build in builders.items():
        option = _rank1(response, category)
        if option is None:
            continue
        spec = build(option)
        if spec is None:
            bundle.not_exported.append(f"{category}: {option['option']}")
        else:
            bundle.not_exported.extend(spec.props.pop("notes", []))
        setattr(bundle, category, spec)
        bundle.region = bundle.region or option.get("region")
    for o in (response.get("recommendations") or {}).get("network") or []:
        name = str(o.get("option", ""))
        if name.startswith("placement_group:") and bundle.placement_strategy is None:
            bundle.placement_strategy = name.split(":", 1)[1]
        elif name == "efa":
            bundle.efa = True
        elif name.startswith("region:"):
            bundle.region = bundle.region or name.split(":", 1)[1]
    bundle.region = bundle.region or response.get("region")
    bundle.monitoring = [m for m in response.get("monitoring") or [] if isinstance(m, dict)]
    if bundle.compute is None or bundle.compute.kind != "ec2":
        bundle.placement_strategy, bundle.efa = None, False
    if not bundle.specs:
        raise UserError(
            "the response has no rank-1 compute, storage or database option that can be "
            "exported (EC2, Fargate, Lambda, EBS, EFS, S3, RDS, Aurora, DynamoDB, "
            "ElastiCache, Redshift, OpenSearch)"
        )
    return bundle


def _safe_name(name: str) -> str:
    """A lowercase name usable in resource identifiers (letters, digits, hyphens)."""
    s = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    return (s or "workload")[:40]
