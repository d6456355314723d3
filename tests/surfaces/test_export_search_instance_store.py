"""Export: an OpenSearch type with its own instance storage runs with EBS turned off.

AWS: instance-storage types such as I3 "do not support EBS storage volumes"
(https://docs.aws.amazon.com/opensearch-service/latest/developerguide/supported-instance-types.html).
The engine sizes 10,000 GiB of production search on 3 x i4i.24xlarge.search, which holds
the index on its NVMe (``config.storage_type`` ``instance_store``); before, the templates
still asked for a gp3 volume of 10,000 GiB on every node, which the domain would refuse.
"""

from __future__ import annotations

import json

import hcl2
from cfn_lint_helper import linted_template, unquote

from recommender.core.engine import recommend
from recommender.surfaces.export import export_response

PROFILE = {"name": "search", "region": "us-east-1", "environment": "production",
           "database": {"data_model": "search", "size_gib": 10000}}


def _response() -> dict:
    resp = recommend(PROFILE, models=False)
    best = resp.best("database")
    assert best is not None and best.config["storage_type"] == "instance_store"
    return json.loads(resp.model_dump_json())


def test_cloudformation_turns_ebs_off() -> None:
    tpl = linted_template(export_response(_response(), "cloudformation"))  # cfn-lint clean
    dom = tpl["Resources"]["SearchDomain"]["Properties"]
    assert dom["ClusterConfig"]["InstanceType"] == "i4i.24xlarge.search"
    assert dom["EBSOptions"] == {"EBSEnabled": False}


def test_terraform_turns_ebs_off() -> None:
    doc = unquote(hcl2.loads(export_response(_response(), "terraform")))
    dom = next(r["aws_opensearch_domain"]["this"] for r in doc["resource"]
               if "aws_opensearch_domain" in r)
    ebs = dom["ebs_options"][0]
    assert ebs["ebs_enabled"] is False and "volume_size" not in ebs
