"""Export of an EFS One Zone file system (``config.file_system_type`` = ``one_zone``).

https://docs.aws.amazon.com/efs/latest/ug/mounting-one-zone.html: "EFS One Zone file systems
support only a single mount target which is located in the same Availability Zone as the file
system"; CloudFormation's AWS::EFS::FileSystem ``AvailabilityZoneName`` and Terraform's
aws_efs_file_system ``availability_zone_name`` make a file system One Zone.
"""

from __future__ import annotations

import json
from typing import Any

import hcl2
from cfn_lint_helper import linted_template, unquote

from recommender.surfaces.export import export_response


def _efs(**config: Any) -> dict[str, Any]:
    return {"rank": 1, "option": "efs", "kind": "efs", "count": 1,
            "purchase_option": "on_demand", "score": 1.0, "monthly_cost_usd": 160.0,
            "performance_risk": 0.0, "predicted": {}, "reasons": [], "config": config}


def _response(compute: list[dict[str, Any]], efs: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": "1", "name": "One Zone files", "region": "us-east-1",
        "catalog": {"version": "1+test", "generated_at": "2026-01-01", "regions": ["us-east-1"]},
        "model": {"version": "rules-only", "trained_at": None},
        "recommendations": {"compute": compute, "storage": [efs], "database": [],
                            "network": [], "tradeoffs": []},
        "rejected": {}, "warnings": [],
    }


def _fargate(count: int) -> dict[str, Any]:
    # Three tasks spread over Availability Zones: a Regional file system gets a mount target
    # in each, a One Zone file system only one.
    return {"rank": 1, "option": "fargate", "kind": "fargate", "count": count,
            "purchase_option": "on_demand", "score": 1.0, "monthly_cost_usd": 50.0,
            "performance_risk": 0.0, "predicted": {}, "reasons": [],
            "config": {"vcpu": 1, "memory_gib": 2, "arch": "x86_64"}}


def _cfn(response: dict[str, Any]) -> dict[str, Any]:
    return linted_template(export_response(response, "cloudformation"))


def test_one_zone_file_system_in_cloudformation() -> None:
    tpl = _cfn(_response([_fargate(3)], _efs(storage_class="standard",
                                             file_system_type="one_zone")))
    res = tpl["Resources"]
    fs = res["FileSystem"]["Properties"]
    assert fs["AvailabilityZoneName"] == {"Ref": "EfsAvailabilityZone"}
    assert tpl["Parameters"]["EfsAvailabilityZone"]["Type"] == "AWS::EC2::AvailabilityZone::Name"
    mounts = [k for k, v in res.items() if v["Type"] == "AWS::EFS::MountTarget"]
    assert mounts == ["MountTarget1"]


def test_regional_file_system_is_unchanged_in_cloudformation() -> None:
    tpl = _cfn(_response([_fargate(3)], _efs(storage_class="standard")))
    assert "AvailabilityZoneName" not in tpl["Resources"]["FileSystem"]["Properties"]
    # Regional: a mount target in each of the three tasks' zones.
    assert sum(v["Type"] == "AWS::EFS::MountTarget" for v in tpl["Resources"].values()) == 3
    assert "EfsAvailabilityZone" not in tpl["Parameters"]


def test_one_zone_file_system_in_terraform() -> None:
    response = _response([_fargate(3)], _efs(storage_class="standard",
                                             file_system_type="one_zone"))
    doc = unquote(hcl2.loads(export_response(response, "terraform")))
    resources = {f"{t}.{n}": body for block in doc.get("resource", [])
                 for t, named in block.items() for n, body in named.items()}
    fs = resources["aws_efs_file_system.this"]
    assert fs["availability_zone_name"] == "${var.efs_availability_zone}"
    assert resources["aws_efs_mount_target.this"]["count"] == 1
    variables = {k for block in doc.get("variable", []) for k in block}
    assert "efs_availability_zone" in variables
    regional = hcl2.loads(export_response(_response([_fargate(3)], _efs()), "terraform"))
    assert "availability_zone_name" not in str(regional)


def test_the_engines_one_zone_recommendation_exports_one_zone(catalog: Any) -> None:
    # efs_dev (1,000 GiB hot development files) is recommended on One Zone (audit 4,
    # availability-durability.html); its bundle's export must create that file system.
    from pathlib import Path

    from recommender.core.engine import recommend

    path = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios" / "efs_dev.json"
    r = recommend(json.loads(path.read_text()), catalog=catalog, models=False)
    assert r.recommendations.storage[0].config["file_system_type"] == "one_zone"
    tpl = _cfn(json.loads(r.model_dump_json()))
    assert tpl["Resources"]["FileSystem"]["Properties"]["AvailabilityZoneName"] == {
        "Ref": "EfsAvailabilityZone"}
