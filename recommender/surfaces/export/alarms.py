"""The response's ``monitoring`` as CloudWatch alarms in the exported templates.

Each alarm of the response (derived by ``recommender.rules.monitoring`` from the profile and
the decision) becomes an ``AWS::CloudWatch::Alarm`` / ``aws_cloudwatch_metric_alarm`` on the
resource it watches (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_metric_alarm).
A dimension naming a resource the template does not create (the EBS volume an instance's
launch template creates, a CloudFront distribution) becomes an optional parameter: the alarm
is created once it is set.  An optional SNS topic receives every alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from recommender.rules.monitoring.base import RESOURCE_ROLES
from recommender.surfaces.export.bundle import Bundle

#: Roles filled from a parameter, when the template does not create the resource.
EXTERNAL = {"volume": ("MonitoredVolumeId", "monitored_volume_id",
                       "Id of the EBS volume to alarm on (created by the launch template)"),
            "distribution": ("CloudFrontDistributionId", "cloudfront_distribution_id",
                             "Id of the CloudFront distribution to alarm on")}
_TOPIC = ("AlarmTopicArn", "alarm_topic_arn", "SNS topic for the alarms (empty: none)")


@dataclass(frozen=True)
class Ref:
    """How a dimension is filled: a template reference, or a parameter when external."""

    cfn: Any
    tf: str | None  # an HCL expression
    external: str | None = None  # the EXTERNAL role when it comes from a parameter


def _kind(bundle: Bundle, category: str) -> str | None:
    spec = getattr(bundle, category)
    return None if spec is None else spec.kind


def resolve(bundle: Bundle, role: str) -> Ref | None:
    """Where the id a dimension needs comes from; None when the bundle has no such resource."""
    c, s, d = _kind(bundle, "compute"), _kind(bundle, "storage"), _kind(bundle, "database")
    dprops = bundle.database.props if bundle.database is not None else {}
    group = bool(bundle.compute and bundle.compute.props.get("auto_scaling"))
    simple: dict[str, tuple[bool, Any, str]] = {
        "instance": (c == "ec2" and not group, {"Ref": "Instance"}, "aws_instance.this.id"),
        "auto_scaling_group": (c == "ec2" and group, {"Ref": "AutoScalingGroup"},
                               "aws_autoscaling_group.this.name"),
        "ecs_cluster": (c == "fargate", {"Ref": "Cluster"}, "aws_ecs_cluster.this.name"),
        "ecs_service": (c == "fargate", {"Fn::GetAtt": ["Service", "Name"]},
                        "aws_ecs_service.this.name"),
        "function": (c == "lambda", {"Ref": "Function"},
                     "aws_lambda_function.this.function_name"),
        "table": (d == "dynamodb", {"Ref": "Table"}, "aws_dynamodb_table.this.name"),
    }
    if role in simple:
        ok, cfn, tf = simple[role]
        return Ref(cfn, tf) if ok else None
    if role == "volume" and s == "ebs":
        if c == "ec2":  # the launch template creates it: its id is known after launch
            return Ref(None, None, external="volume")
        return Ref({"Ref": "Volume"}, "aws_ebs_volume.this.id")
    if role == "distribution":
        return Ref(None, None, external="distribution")
    if role in ("db_instance", "db_replica"):
        return _db_ref(d, dprops, replica=role == "db_replica")
    if role == "cache_cluster" and d == "elasticache":
        if dprops.get("engine") == "memcached":
            return Ref({"Ref": "Cache"}, "aws_elasticache_cluster.this.cluster_id")
        # Metrics are per member cluster: the first is "<group id>-001".
        return Ref({"Fn::Join": ["", [{"Ref": "Cache"}, "-001"]]},
                   '"${aws_elasticache_replication_group.this.id}-001"')
    return None


def _db_ref(kind: str | None, props: dict[str, Any], replica: bool) -> Ref | None:
    if kind == "rds":
        if replica:
            if not props.get("read_replicas"):
                return None
            return Ref({"Ref": "ReadReplica1"}, "aws_db_instance.replica[0].identifier")
        return Ref({"Ref": "Database"}, "aws_db_instance.this.identifier")
    if kind == "aurora":
        k = 1 if replica else 0
        if k >= int(props.get("instances") or 1):
            return None
        return Ref({"Ref": f"DatabaseInstance{k + 1}"},
                   f"aws_rds_cluster_instance.this[{k}].identifier")
    return None


def exportable(bundle: Bundle) -> list[tuple[dict[str, Any], dict[str, Ref | str]]]:
    """The bundle's alarms with each dimension resolved (alarms on absent resources dropped,
    and named in ``bundle.not_exported``)."""
    chosen = {s.option for s in bundle.specs} | {"cloudfront"}
    out = []
    for m in bundle.monitoring:
        if m.get("option") not in chosen:
            continue
        dims: dict[str, Ref | str] = {}
        for name, role in (m.get("dimensions") or {}).items():
            if role in RESOURCE_ROLES:
                ref = resolve(bundle, str(role))
                if ref is None:
                    bundle.not_exported.append(f"alarm {m.get('id')}: no {role} in the bundle")
                    break
                dims[name] = ref
            else:
                dims[name] = str(role)
        else:
            out.append((m, dims))
    return out


def _external(dims: dict[str, Ref | str]) -> str | None:
    return next((d.external for d in dims.values() if isinstance(d, Ref) and d.external), None)


def _description(m: dict[str, Any]) -> str:
    text = str((m.get("reason") or {}).get("text") or m.get("metric"))
    return text[:1000]


def _name(bundle: Bundle, m: dict[str, Any]) -> str:
    return f"{bundle.name}-{m.get('id')}"[:255]


# --------------------------------------------------------------------------- CloudFormation


def _cfn_metric(m: dict[str, Any], dims: list[dict[str, Any]]) -> dict[str, Any]:
    if m.get("expression"):
        queries: list[dict[str, Any]] = [
            {"Id": f"m{k}", "ReturnData": False,
             "MetricStat": {"Metric": {"Namespace": m["namespace"], "MetricName": name,
                                       "Dimensions": dims},
                            "Period": m["period_s"], "Stat": m["statistic"]}}
            for k, name in enumerate(m.get("metrics") or [], start=1)]
        queries.append({"Id": "e1", "Expression": m["expression"], "Label": m["metric"],
                        "ReturnData": True})
        return {"Metrics": queries}
    stat = str(m["statistic"])
    out: dict[str, Any] = {"Namespace": m["namespace"], "MetricName": m["metric"],
                           "Dimensions": dims, "Period": m["period_s"]}
    out["ExtendedStatistic" if re.fullmatch(r"p\d+(\.\d+)?", stat) else "Statistic"] = stat
    return out


def cfn_alarms(t: Any, bundle: Bundle) -> dict[str, Any]:
    """Add the bundle's alarms to a CloudFormation template; returns its ``Conditions``."""
    alarms = exportable(bundle)
    if not alarms:
        return {}
    conditions: dict[str, Any] = {}
    topic = t.param(_TOPIC[0], "String", _TOPIC[2], "")
    conditions["HasAlarmTopic"] = {"Fn::Not": [{"Fn::Equals": [topic, ""]}]}
    actions = {"Fn::If": ["HasAlarmTopic", [topic], {"Ref": "AWS::NoValue"}]}
    for m, dims in alarms:
        values = []
        ext = _external(dims)
        for name, ref in dims.items():
            if isinstance(ref, str):
                values.append({"Name": name, "Value": ref})
            elif ref.external:
                pname, _, desc = EXTERNAL[ref.external]
                values.append({"Name": name, "Value": t.param(pname, "String", desc, "")})
            else:
                values.append({"Name": name, "Value": ref.cfn})
        props = {
            "AlarmName": _name(bundle, m), "AlarmDescription": _description(m),
            **_cfn_metric(m, values),
            "Threshold": m["threshold"], "ComparisonOperator": m["comparison"],
            "EvaluationPeriods": m["evaluation_periods"],
            "DatapointsToAlarm": m["datapoints_to_alarm"],
            "TreatMissingData": "missing", "AlarmActions": actions,
        }
        extra: dict[str, Any] = {}
        if ext is not None:
            cond = "Has" + EXTERNAL[ext][0]
            conditions[cond] = {"Fn::Not": [{"Fn::Equals": [{"Ref": EXTERNAL[ext][0]}, ""]}]}
            extra["Condition"] = cond
        t.add("Alarm" + _pascal(str(m["id"])), "AWS::CloudWatch::Alarm", props, **extra)
    return conditions


def _pascal(s: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", s) if w)


# --------------------------------------------------------------------------- Terraform


def _tf_dims(d: Any, dims: dict[str, Ref | str], expr: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, ref in dims.items():
        if isinstance(ref, str):
            out[name] = ref
        elif ref.external:
            _, var, desc = EXTERNAL[ref.external]
            out[name] = d.var(var, desc, "")
        else:
            out[name] = expr(str(ref.tf))
    return out


def tf_alarms(d: Any, bundle: Bundle, *, block: Any, expr: Any) -> None:
    """Add the bundle's alarms to a Terraform document.

    ``block`` and ``expr`` are the renderer's ``Block`` and ``Expr`` classes (passed in, so
    this module does not import the renderer that imports it).
    """
    Block, Expr = block, expr  # noqa: N806 - the renderer's classes, named as there
    alarms = exportable(bundle)
    if not alarms:
        return
    topic = d.var(_TOPIC[1], _TOPIC[2], "")
    for m, dims in alarms:
        values = _tf_dims(d, dims, Expr)
        body: list[tuple[str, Any]] = []
        ext = _external(dims)
        if ext is not None:
            body.append(("count", Expr(f'var.{EXTERNAL[ext][1]} == "" ? 0 : 1')))
        body += [("alarm_name", _name(bundle, m)), ("alarm_description", _description(m)),
                 ("comparison_operator", m["comparison"]),
                 ("evaluation_periods", m["evaluation_periods"]),
                 ("datapoints_to_alarm", m["datapoints_to_alarm"]),
                 ("threshold", m["threshold"]), ("treat_missing_data", "missing"),
                 ("alarm_actions", Expr(f'{topic} == "" ? [] : [{topic}]'))]
        if m.get("expression"):
            for k, name in enumerate(m.get("metrics") or [], start=1):
                body.append(("metric_query", Block("", body=[
                    ("id", f"m{k}"), ("return_data", False),
                    ("metric", Block("", body=[
                        ("namespace", m["namespace"]), ("metric_name", name),
                        ("period", m["period_s"]), ("stat", m["statistic"]),
                        ("dimensions", values)]))])))
            body.append(("metric_query", Block("", body=[
                ("id", "e1"), ("expression", m["expression"]), ("label", m["metric"]),
                ("return_data", True)])))
        else:
            stat = str(m["statistic"])
            key = "extended_statistic" if re.fullmatch(r"p\d+(\.\d+)?", stat) else "statistic"
            body += [("namespace", m["namespace"]), ("metric_name", m["metric"]),
                     ("period", m["period_s"]), (key, stat), ("dimensions", values)]
        d.resource("aws_cloudwatch_metric_alarm", str(m["id"]), body)
