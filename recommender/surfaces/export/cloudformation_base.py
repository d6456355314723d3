"""The CloudFormation renderer's template accumulator and the references it writes."""


from __future__ import annotations

from typing import Any

from recommender.surfaces.export import spec

_KEEP = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
_RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
_TYPES = {
    "string": "String", "subnet": "AWS::EC2::Subnet::Id",
    "subnets": "List<AWS::EC2::Subnet::Id>",
    "vpc": "AWS::EC2::VPC::Id", "route_tables": "CommaDelimitedList",
    "az": "AWS::EC2::AvailabilityZone::Name",
    "ami": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
}
_EFS_KEYS = {"transition_to_ia": "TransitionToIA", "transition_to_archive": "TransitionToArchive"}
#: The value of each created resource an alarm dimension can name (spec.Ref targets).
REFS: dict[str, Any] = {
    "instance": {"Ref": "Instance"},
    "auto_scaling_group": {"Ref": "AutoScalingGroup"},
    "ecs_cluster": {"Ref": "Cluster"},
    "ecs_service": {"Fn::GetAtt": ["Service", "Name"]},
    "function": {"Ref": "Function"},
    "table": {"Ref": "Table"},
    "volume": {"Ref": "Volume"},
    "distribution": {"Ref": "Distribution"},
    "db_instance": {"Ref": "Database"},
    "db_replica": {"Ref": "ReadReplica1"},
    "cache": {"Ref": "Cache"},
    "cache_member": {"Fn::Join": ["", [{"Ref": "Cache"}, "-001"]]},
    "cache_shard_member": {"Fn::Join": ["", [{"Ref": "Cache"}, "-0001-001"]]},
    "search_domain": {"Ref": "SearchDomain"},  # Ref: the domain name
    "account_id": {"Ref": "AWS::AccountId"},
}


def _clean(v: Any) -> Any:
    """``v`` without the None values of its objects, at every depth (unset properties)."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items() if x is not None}
    return [_clean(x) for x in v] if isinstance(v, list) else v


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _att(name: str, attr: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attr]}


def _sg(key: str) -> dict[str, list[str]]:
    """The id of the bundle's security group ``key``."""
    return _att(spec.pascal(key) + "SecurityGroup", "GroupId")


class _Template:
    """Accumulates parameters, conditions, resources and outputs."""

    def __init__(self, bundle: spec.Bundle) -> None:
        self.bundle, self.name = bundle, bundle.name
        self.params: dict[str, Any] = {}
        self.conditions: dict[str, Any] = {}
        self.resources: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}

    def param(self, i: spec.Input) -> dict[str, str]:
        p: dict[str, Any] = {"Type": _TYPES[i.kind], "Description": i.description}
        if i.default is not None:
            p["Default"] = i.default
        self.params[i.cfn] = p
        return _ref(i.cfn)

    def subnet_list(self, i: spec.Input) -> Any:
        return self.param(i) if i.kind == "subnets" else [self.param(i)]

    def add(self, name: str, rtype: str, props: dict[str, Any], **extra: Any) -> None:
        self.resources[name] = {"Type": rtype, **extra, "Properties": _clean(props)}

    def output(self, name: str, value: Any, description: str) -> None:
        self.outputs[name] = {"Description": description, "Value": value}

    def dim(self, v: spec.Dimension) -> Any:
        if isinstance(v, spec.Ref):
            if v.target == "aurora_instance":
                return _ref(f"DatabaseInstance{v.index + 1}")
            return REFS[v.target]
        return self.param(v) if isinstance(v, spec.Input) else v

    def tags(self) -> list[dict[str, str]]:
        return [{"Key": "Name", "Value": self.name},
                {"Key": "generated-by", "Value": "recommender"}]
