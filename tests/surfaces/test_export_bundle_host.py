"""The export and the alarms follow the bundle's compute when it is not compute's rank 1.

Scratch data on local NVMe makes the bundle's compute the instance type that has the disk
(https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html: an
instance store is the instance's own storage); an EBS array (RAID 0, striped by the OS,
https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html) needs an EC2 instance, not a
Fargate task.  Before, the export launched compute's rank 1 (r6g.2xlarge, no local disk) and
the alarm watched it, while the bundle priced i4g.2xlarge.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfn_lint_helper import linted_template

from catalog.store import load_catalog
from recommender import recommend
from recommender.surfaces.export import chosen_bundle, export_response
from recommender.surfaces.export.spec import Ec2


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog(None)


def _response(profile: dict[str, Any], cat: Any) -> dict[str, Any]:
    return json.loads(recommend(profile, catalog=cat).model_dump_json())


SCRATCH = {"region": "us-east-1", "compute": {"vcpus": 8, "memory_gib": 64},
           "storage": {"size_gib": 1500, "iops": 200000, "persistence": "scratch",
                       "access_pattern": "random"}}


def test_instance_store_host_is_exported_and_watched(cat: Any) -> None:
    r = _response(SCRATCH, cat)
    host = next(c for c in r["bundle"]["components"] if c["role"] == "compute")
    # 8 vCPU / 64 GiB with 1,500 GiB of scratch at 200,000 IOPS: the bundle's compute is an
    # instance-store type (i4g.2xlarge: 8 vCPU, 64 GiB, 1,746 GiB NVMe; tests/rules/
    # test_aws_scenarios_bundle.py).  Since scratch data on EBS is held to the instance's EBS
    # limits, the types without such a store (r6g.2xlarge: 12,000 baseline EBS IOPS) are
    # left out, so it is compute's rank 1 as well.
    assert host["kind"] == "ec2"
    store = r["recommendations"]["storage"][0]
    assert store["kind"] == "instance_store" and store["config"]["instance_type"] == host["option"]
    spec = chosen_bundle(r).of("compute")
    assert isinstance(spec, Ec2) and spec.instance_type == host["option"]
    assert {m["option"] for m in r["monitoring"] if m["category"] == "compute"} == \
        {host["option"]}
    tf = export_response(r, "terraform")
    assert f'instance_type          = "{host["option"]}"' in tf
    assert "instance_store: the NVMe instance store of" in tf


def test_ebs_volume_beside_a_function_gets_ec2_alarms_not_lambda_ones(cat: Any) -> None:
    # A function (3M x 200 ms) ranks Lambda first, but its 500 GiB persistent volume needs an
    # instance to attach to: a Lambda function mounts no EBS volume
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html;
    # a volume attaches to an instance, https://docs.aws.amazon.com/ebs/latest/userguide/
    # ebs-attaching-volume.html), so the bundle's compute is the best EC2 option and its
    # alarms watch that instance in AWS/EC2, not the function's AWS/Lambda metrics.
    r = _response({"region": "us-east-1",
                   "compute": {"invocations_per_month": 3_000_000, "duration_ms": 200,
                               "memory_mb_used": 400, "event_driven": True},
                   "storage": {"size_gib": 500, "iops": 6000, "persistence": "persistent",
                               "sharing": "single_instance"}}, cat)
    assert r["recommendations"]["compute"][0]["kind"] == "lambda"
    host = next(c for c in r["bundle"]["components"] if c["role"] == "compute")
    assert host["kind"] == "ec2"
    compute_alarms = [m for m in r["monitoring"] if m["category"] == "compute"]
    assert compute_alarms and {m["option"] for m in compute_alarms} == {host["option"]}
    assert {m["namespace"] for m in compute_alarms} == {"AWS/EC2"}


def _fargate_scratch(cat: Any, size_gib: float) -> tuple[dict[str, Any], str]:
    r = _response({"region": "us-east-1",
                   "compute": {"vcpus": 0.5, "memory_gib": 1, "hours_per_month": 730},
                   "storage": {"size_gib": size_gib, "persistence": "scratch"}}, cat)
    cfn = linted_template(export_response(r, "cloudformation"))  # cfn-lint finds nothing
    return cfn, export_response(r, "terraform")


def test_container_insights_is_on_when_an_alarm_reads_its_metrics(cat: Any) -> None:
    # 100 GiB of scratch on the task's ephemeral storage is watched through
    # ECS/ContainerInsights (EphemeralStorageUtilized / Reserved), metrics published only for
    # a cluster with Container Insights on (Container-Insights-metrics-ECS.html): the
    # cluster turns it on (AWS::ECS::Cluster ClusterSettings containerInsights, Terraform's
    # aws_ecs_cluster setting block).
    cfn, tf = _fargate_scratch(cat, 100)
    # A metric-math alarm (100 x used / reserved): the namespace is in its Metrics.
    assert any("ECS/ContainerInsights" in json.dumps(a["Properties"])
               for a in cfn["Resources"].values() if a["Type"] == "AWS::CloudWatch::Alarm")
    assert cfn["Resources"]["Cluster"]["Properties"]["ClusterSettings"] == [
        {"Name": "containerInsights", "Value": "enabled"}]
    assert 'name  = "containerInsights"' in tf and 'value = "enabled"' in tf


def test_container_insights_stays_off_without_such_an_alarm(cat: Any) -> None:
    # A Fargate service without scratch data has no ECS/ContainerInsights alarm, so the
    # cluster keeps the account's default (Container Insights metrics are billed as custom
    # metrics, Container-Insights-metrics-ECS.html).
    r = _response({"region": "us-east-1",
                   "compute": {"vcpus": 0.5, "memory_gib": 1, "hours_per_month": 730}}, cat)
    assert r["recommendations"]["compute"][0]["kind"] == "fargate"
    assert not any(m["namespace"] == "ECS/ContainerInsights" for m in r["monitoring"])
    cfn = json.loads(export_response(r, "cloudformation"))
    assert "ClusterSettings" not in cfn["Resources"]["Cluster"].get("Properties", {})
    assert "containerInsights" not in export_response(r, "terraform")
