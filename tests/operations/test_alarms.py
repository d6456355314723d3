"""Exports carry the response's alarms: cfn-lint with no match at all, python-hcl2 parses."""

from __future__ import annotations

import functools
import json
from typing import Any

import hcl2
import pytest
from cfn_lint_helper import cfn_lint

from recommender import recommend
from recommender.app.presets import get_preset, preset_names
from recommender.core.profile import parse_profile
from recommender.core.response import Option
from recommender.rules.monitoring.compute import compute_monitors
from recommender.rules.monitoring.data import database_monitors
from recommender.rules.monitoring.storage import storage_monitors
from recommender.surfaces.export import export_response


@functools.cache
def _preset(name: str) -> dict[str, Any]:
    return recommend(get_preset(name)).model_dump(mode="json")


def _lint(text: str) -> list[str]:
    return [f"{m.rule.id} {m.message}" for m in cfn_lint(text)]


def _alarms(tpl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == "AWS::CloudWatch::Alarm"}


def _metrics(alarm: dict[str, Any]) -> set[str]:
    p = alarm["Properties"]
    if "Metrics" in p:
        return {q["MetricStat"]["Metric"]["MetricName"] for q in p["Metrics"] if "MetricStat" in q}
    return {p["MetricName"]}


def _expected(response: dict[str, Any]) -> set[str]:
    """The metrics the issue asks for, given what the response chose (by hand, per kind)."""
    recs = response["recommendations"]
    want: set[str] = set()
    c = recs["compute"][0] if recs["compute"] else None
    if c and c["kind"] == "ec2":
        want.add("CPUUtilization")
        mode = c["config"].get("credit_mode")
        if mode == "standard":
            want.add("CPUCreditBalance")
        elif mode == "unlimited":
            want.add("CPUSurplusCreditsCharged")
    if c and c["kind"] == "lambda":
        want |= {"Duration", "Throttles"}
    s = recs["storage"][0] if recs["storage"] else None
    if s and s["kind"] == "ebs":
        want.add("VolumeQueueLength" if s["config"].get("iops") or s["config"].get(
            "baseline_iops") else "VolumeReadBytes")
        if s["option"] in ("gp2", "st1", "sc1"):
            want.add("BurstBalance")
    d = recs["database"][0] if recs["database"] else None
    if d and d["option"].startswith(("rds:", "aurora:")):
        want.add("CPUUtilization")
    if d and d["option"] == "dynamodb":
        want |= {"ReadThrottleEvents", "WriteThrottleEvents"}
    if d and d["option"].startswith("elasticache:"):
        want.add("Evictions")
    if any(o["option"] == "cloudfront" for o in recs["network"]) and (
            response["profile"].get("network") or {}).get("static_content_fraction"):
        want.add("CacheHitRate")
    return want


def _tf_alarms(doc: dict[str, Any]) -> list[Any]:
    """Alarm blocks of a parsed document (python-hcl2 keeps the labels' quotes)."""
    return [named for block in doc.get("resource", []) for rtype, named in block.items()
            if rtype.strip('"') == "aws_cloudwatch_metric_alarm"]


@pytest.mark.parametrize("name", preset_names())
def test_preset_exports_carry_their_alarms_and_lint_clean(name: str) -> None:
    response = _preset(name)
    text = export_response(response, "cloudformation")
    assert _lint(text) == []  # no error, no warning, no informational match
    tpl = json.loads(text)
    alarms = _alarms(tpl)
    assert len(alarms) == len(response["monitoring"]), tpl["Metadata"]
    found = set().union(*(_metrics(a) for a in alarms.values())) if alarms else set()
    assert _expected(response) <= found
    tf = export_response(response, "terraform")
    doc = hcl2.loads(tf)
    assert len(_tf_alarms(doc)) == len(response["monitoring"])


def test_web_app_alarm_values_match_the_response() -> None:
    response = _preset("web_app")
    tpl = json.loads(export_response(response, "cloudformation"))
    alarms = {a["Properties"]["AlarmName"].split("-", 2)[-1]: a["Properties"]
              for a in _alarms(tpl).values()}
    for m in response["monitoring"]:
        props = next(p for n, p in alarms.items() if n.endswith(m["id"]))
        assert props["Threshold"] == m["threshold"]
        assert props["ComparisonOperator"] == m["comparison"]


def _opt(option: str, kind: str, count: int = 1, **config: Any) -> Option:
    return Option(rank=1, option=option, kind=kind, count=count, score=0.5, config=config,
                  region="us-east-1")


def _response(compute: Option | None, storage: Option | None, database: Option | None,
              monitors: list) -> dict[str, Any]:
    return {"schema_version": "1", "name": "alarm case", "region": "us-east-1",
            "recommendations": {
                "compute": [compute.model_dump(mode="json")] if compute else [],
                "storage": [storage.model_dump(mode="json")] if storage else [],
                "database": [database.model_dump(mode="json")] if database else [],
                "network": [], "tradeoffs": []},
            "monitoring": [m.model_dump(mode="json") for m in monitors]}


P = parse_profile({"compute": {"vcpus": 1}, "storage": {"size_gib": 2000, "latency_ms": 20},
                   "database": {"data_model": "relational", "size_gib": 50}})
CASES = {
    # Standalone st1 (a Volume resource) + ElastiCache replication group.
    "st1-valkey": (None, _opt("st1", "ebs", volume_type="st1", baseline_throughput_mibps=80),
                   _opt("elasticache:valkey", "elasticache", instance_class="cache.r7g.large",
                        count=2)),
    # Fargate + gp2 in no launch template + Aurora with a replica.
    "fargate-gp2-aurora": (_opt("fargate", "fargate", vcpu=1, memory_gib=2),
                           _opt("gp2", "ebs", volume_type="gp2", baseline_iops=600),
                           _opt("aurora:postgresql", "aurora", count=2, read_replicas=1,
                                instance_class="db.r7g.large")),
    # EC2 with its volume in the launch template: the volume alarms wait for its id.
    "ec2-gp3-memcached": (_opt("m7g.large", "ec2"),
                          _opt("gp3", "ebs", volume_type="gp3", iops=3000,
                               throughput_mibps=125),
                          _opt("elasticache:memcached", "elasticache",
                               instance_class="cache.m7g.large")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_other_alarm_paths_lint_clean_and_parse(case: str) -> None:
    c, s, d = CASES[case]
    monitors = ((compute_monitors(P, c) if c else []) + storage_monitors(P, s, "tens-of-ms")
                + database_monitors(P, d, 16.0))
    response = _response(c, s, d, monitors)
    text = export_response(response, "cloudformation")
    assert _lint(text) == []
    tpl = json.loads(text)
    assert len(_alarms(tpl)) == len(monitors)
    assert len(_tf_alarms(hcl2.loads(export_response(response, "terraform")))) == len(monitors)
    if case == "ec2-gp3-memcached":
        queue = tpl["Resources"]["AlarmEbsQueueLength"]
        assert queue["Condition"] == "HasMonitoredVolumeId"
        assert tpl["Parameters"]["MonitoredVolumeId"]["Default"] == ""
    if case == "st1-valkey":
        dims = tpl["Resources"]["AlarmCacheEvictions"]["Properties"]["Dimensions"]
        assert dims == [{"Name": "CacheClusterId",
                         "Value": {"Fn::Join": ["", [{"Ref": "Cache"}, "-001"]]}}]
