"""Export: a burstable type is launched in the credit mode it was judged and priced in.

RunInstances: "Default: standard (T2 instances) or unlimited (T3/T3a/T4g instances)"
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html).  The web-app
preset's rank-1 compute is 2 x t4g.large judged in standard mode (its CPU-credit balance
never runs out), priced with no surplus credits; before, the launch template named no
credit option, so the instances launched unlimited and could bill surplus credits the
response did not count.
"""

from __future__ import annotations

import json

import hcl2
from cfn_lint_helper import linted_template, unquote

from recommender.core.engine import recommend
from recommender.presets import get_preset
from recommender.surfaces.export import export_response


def _response(profile: dict) -> dict:
    return json.loads(recommend(profile, models=False).model_dump_json())


def test_standard_mode_is_named_in_the_launch_template() -> None:
    resp = _response(get_preset("web_app"))
    best = resp["recommendations"]["compute"][0]
    assert (best["option"], best["config"]["credit_mode"]) == ("t4g.large", "standard")
    tpl = linted_template(export_response(resp, "cloudformation"))  # cfn-lint clean
    data = tpl["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["CreditSpecification"] == {"CpuCredits": "standard"}
    doc = unquote(hcl2.loads(export_response(resp, "terraform")))
    lt = next(r["aws_launch_template"]["this"] for r in doc["resource"]
              if "aws_launch_template" in r)
    assert lt["credit_specification"][0]["cpu_credits"] == "standard"


def test_other_types_name_no_credit_option() -> None:
    resp = _response({"name": "api", "region": "us-east-1", "compute": {
        "vcpus": 8, "memory_gib": 32, "arch": "any"}})
    assert "credit_mode" not in resp["recommendations"]["compute"][0]["config"]
    assert "CreditSpecification" not in export_response(resp, "cloudformation")
    assert "credit_specification" not in export_response(resp, "terraform")
