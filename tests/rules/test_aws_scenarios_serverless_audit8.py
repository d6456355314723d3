"""AWS-documented serverless storage scenarios, audit 8 (issue 9: every cost counted or named).

* Lambda ephemeral storage
  (https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html): a
  function's ``/tmp`` is 512 MB by default and may be configured up to 10,240 MB.  AWS Lambda
  pricing (https://aws.amazon.com/lambda/pricing/): the 512 MB are included, the storage
  configured above is billed per GB-second of duration.  A function cannot mount an EBS
  volume, so scratch data above 10,240 MB leaves Lambda out.
* Amazon ECS and EBS (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
  ebs-volumes.html): at most one EBS volume attaches to each task, a new volume for each, so
  a service of N tasks runs N volumes.
* Container Insights for Amazon ECS (https://docs.aws.amazon.com/AmazonCloudWatch/latest/
  monitoring/Container-Insights-metrics-ECS.html): ``EphemeralStorageUtilized`` and
  ``EphemeralStorageReserved`` (GiB, ``ECS/ContainerInsights``, by ClusterName and
  ServiceName) for Fargate Linux platform 1.4.0 or later.
Prices: catalog us-east-1 (Lambda $0.20 per 1M requests, ephemeral storage $0.0000000309 per
GB-second; free tier 1M requests and 400,000 GB-s a month; Fargate arm64 $0.03238 per
vCPU-hour, $0.00356 per GB-hour; gp3 $0.08 per GB-month).
"""

from __future__ import annotations

import json

import pytest

from recommender.core.engine import recommend
from recommender.surfaces.export import chosen_bundle, render_cloudformation, render_terraform

TMP_PRICE = 0.0000000309  # USD per GB-second above the included 512 MB, us-east-1
# 3,000,000 invocations x 250 ms at 360 MB (300 MB used + 20% headroom):
# requests (3,000,000 - 1,000,000 free) x $0.0000002 = $0.40;
# 3,000,000 x 0.25 s x 360 / 1,024 GB = 263,672 GB-s, within the 400,000 free: $0.
LAMBDA_BASE = 0.40


def _lambda(cat, storage: dict | None):
    profile = {"region": "us-east-1", "compute": {
        "event_driven": True, "invocations_per_month": 3_000_000, "duration_ms": 250,
        "memory_mb_used": 300}}
    if storage is not None:
        profile["storage"] = storage
    return recommend(profile, catalog=cat, models=False)


def _lambda_option(r):
    return next(o for o in r.recommendations.compute if o.kind == "lambda")


def test_catalog_prices_lambda_ephemeral_storage(cat):
    row = cat.unit_prices.query(
        "item == 'lambda.ephemeral_storage_gb_second' and region == 'us-east-1'")
    assert float(row["price_usd"].iloc[0]) == pytest.approx(TMP_PRICE)
    assert row["unit"].iloc[0] == "USD per GB-second"


def test_lambda_without_storage_is_the_base_price(cat):
    o = _lambda_option(_lambda(cat, None))
    assert o.monthly_cost_usd == pytest.approx(LAMBDA_BASE, abs=0.005)
    assert "ephemeral_storage_mb" not in o.config


def test_ten_gib_of_scratch_is_priced_above_the_included_512_mb(cat):
    # /tmp 10 x 1,024 = 10,240 MB (the maximum): (10,240 - 512) / 1,024 = 9.5 GB billed;
    # 9.5 GB x 3,000,000 x 0.25 s = 7,125,000 GB-s x $0.0000000309 = $0.2202 -> $0.22.
    # Lambda 0.40 + 0.22 = $0.62.
    r = _lambda(cat, {"size_gib": 10, "persistence": "scratch"})
    o = _lambda_option(r)
    assert o.config["ephemeral_storage_mb"] == 10240
    assert o.predicted["ephemeral_storage_gb_seconds_month"] == pytest.approx(7_125_000)
    assert o.predicted["ephemeral_storage_usd_month"] == pytest.approx(0.22, abs=0.005)
    assert o.monthly_cost_usd == pytest.approx(LAMBDA_BASE + 0.2202, abs=0.005)
    why = next(x.text for x in o.reasons if x.rule == "lambda.ephemeral_storage")
    assert "configuration-ephemeral-storage.html" in why and "lambda/pricing" in why


def test_five_gib_of_scratch(cat):
    # 5,120 MB: 4.5 GB x 750,000 s = 3,375,000 GB-s x $0.0000000309 = $0.1043; 0.40 + 0.10.
    o = _lambda_option(_lambda(cat, {"size_gib": 5, "persistence": "scratch"}))
    assert o.config["ephemeral_storage_mb"] == 5120
    assert o.monthly_cost_usd == pytest.approx(LAMBDA_BASE + 0.1043, abs=0.005)


def test_scratch_within_the_included_512_mb_costs_nothing(cat):
    # 0.4 GiB = 409.6 MB -> 410 MB, within the 512 MB every function has: $0 more.
    o = _lambda_option(_lambda(cat, {"size_gib": 0.4, "persistence": "scratch"}))
    assert o.config["ephemeral_storage_mb"] == 512
    assert o.monthly_cost_usd == pytest.approx(LAMBDA_BASE, abs=0.005)


def test_bundle_keeps_the_function_and_its_tmp(cat):
    # Before: a gp3 volume Lambda cannot mount sent the bundle to an EC2 host (c6g.medium
    # $24.82 + gp3 10 x $0.08 = $0.80); now the function holds the data in /tmp: $0.62 total.
    r = _lambda(cat, {"size_gib": 10, "persistence": "scratch"})
    parts = {c.role: c for c in r.bundle.components}
    assert (parts["compute"].kind, parts["compute"].monthly_cost_usd) == ("lambda", 0.62)
    st = parts["storage"]
    assert (st.option, st.category, st.monthly_cost_usd) == (
        "lambda:ephemeral_storage", "compute", 0.0)
    assert r.bundle.total_monthly_usd == pytest.approx(LAMBDA_BASE + 0.22, abs=0.01)
    assert not any(m.namespace == "AWS/EBS" for m in r.monitoring)


def test_scratch_above_10240_mb_rejects_lambda(cat):
    # 10.5 GiB = 10,752 MB > 10,240 MB: no /tmp holds it and a function mounts no volume.
    r = _lambda(cat, {"size_gib": 10.5, "persistence": "scratch"})
    assert r.rejected.get("lambda.ephemeral_storage_above_max") == 1
    assert all(o.kind != "lambda" for o in r.recommendations.compute)


def test_scratch_with_an_iops_need_keeps_the_volume(cat):
    # AWS publishes no IOPS for /tmp: the function keeps its base price and the bundle takes
    # an EC2 host for the volume, as before.
    r = _lambda(cat, {"size_gib": 5, "persistence": "scratch", "iops": 3000})
    o = _lambda_option(r)
    assert "ephemeral_storage_mb" not in o.config
    assert o.monthly_cost_usd == pytest.approx(LAMBDA_BASE, abs=0.005)
    assert {c.role: c for c in r.bundle.components}["compute"].kind == "ec2"


def test_persistent_data_is_not_put_in_tmp(cat):
    o = _lambda_option(_lambda(cat, {"size_gib": 5, "persistence": "persistent"}))
    assert "ephemeral_storage_mb" not in o.config


def test_export_sets_the_function_ephemeral_storage(cat):
    r = _lambda(cat, {"size_gib": 10, "persistence": "scratch"})
    b = chosen_bundle(r.model_dump(mode="json"))
    assert [c.category for c in b.components] == ["compute"]  # no EBS volume
    fn = json.loads(render_cloudformation(b))["Resources"]["Function"]["Properties"]
    assert fn["EphemeralStorage"] == {"Size": 10240}
    tf = render_terraform(b)
    assert "ephemeral_storage {\n    size = 10240\n  }" in tf


def test_export_leaves_the_default_tmp_alone(cat):
    r = _lambda(cat, None)
    fn = json.loads(render_cloudformation(chosen_bundle(r.model_dump(mode="json"))))
    assert "EphemeralStorage" not in fn["Resources"]["Function"]["Properties"]


def _fargate_tasks(cat, persistence: str, size_gib: float = 100):
    r = recommend({"region": "us-east-1",
                   "compute": {"vcpus": 1, "memory_gib": 2, "scale_out": "horizontal",
                               "max_nodes": 8},
                   "storage": {"size_gib": size_gib, "persistence": persistence}},
                  catalog=cat, models=False)
    parts = {c.role: c for c in r.bundle.components}
    assert (parts["compute"].kind, parts["compute"].count) == ("fargate", 2)
    return r, parts


def test_each_fargate_task_pays_for_its_own_ebs_volume(cat):
    # 2 tasks of 0.5 vCPU / 1 GB: 2 x (0.5 x 0.03238 + 1 x 0.00356) x 730 = 2 x 14.4175
    # = $28.84; one 100 GiB gp3 per task (100 x $0.08 = $8.00): 2 x 8.00 = $16.00.
    # Total $44.84 (before: one volume, $36.84).
    r, parts = _fargate_tasks(cat, "persistent")
    assert r.recommendations.compute[0].config["vcpu"] == 0.5
    assert parts["compute"].monthly_cost_usd == pytest.approx(28.84, abs=0.01)
    assert (parts["storage"].option, parts["storage"].count) == ("gp3", 2)
    assert parts["storage"].monthly_cost_usd == pytest.approx(16.00, abs=0.01)
    assert r.bundle.total_monthly_usd == pytest.approx(44.84, abs=0.01)
    assert "ebs-volumes.html" in parts["storage"].why
    # The ranked storage option itself stays one volume at $8.00.
    assert r.recommendations.storage[0].monthly_cost_usd == pytest.approx(8.00, abs=0.01)


def test_fargate_tasks_scratch_stays_on_their_ephemeral_storage(cat):
    # Scratch data: each task's own ephemeral storage, (100 - 20) x $0.000111 x 730 h x 2
    # tasks = $12.96 (no EBS volume, so no N volumes either).
    _, parts = _fargate_tasks(cat, "scratch")
    assert parts["storage"].option == "fargate:ephemeral_storage"
    assert parts["storage"].monthly_cost_usd == pytest.approx(12.96, abs=0.01)


def test_moved_scratch_has_no_ebs_alarms_but_container_insights(cat):
    r, _ = _fargate_tasks(cat, "scratch")
    assert not any(m.namespace == "AWS/EBS" for m in r.monitoring)
    m = next(m for m in r.monitoring if m.id == "fargate_ephemeral_storage")
    assert (m.namespace, m.metrics) == (
        "ECS/ContainerInsights", ["EphemeralStorageUtilized", "EphemeralStorageReserved"])
    assert m.dimensions == {"ClusterName": "ecs_cluster", "ServiceName": "ecs_service"}
    assert m.threshold == 90.0 and m.expression == "100*m1/m2"
    assert "Container-Insights-metrics-ECS.html" in m.reason.text


def test_a_kept_volume_keeps_its_ebs_alarms(cat):
    r, _ = _fargate_tasks(cat, "persistent")
    assert any(m.namespace == "AWS/EBS" for m in r.monitoring)
    assert not any(m.id == "fargate_ephemeral_storage" for m in r.monitoring)


def _fargate_scratch_export(cat, size_gib: float):
    r = recommend({"region": "us-east-1",
                   "compute": {"vcpus": 0.5, "memory_gib": 1, "hours_per_month": 730},
                   "storage": {"size_gib": size_gib, "persistence": "scratch"}},
                  catalog=cat, models=False)
    b = chosen_bundle(r.model_dump(mode="json"))
    task = json.loads(render_cloudformation(b))["Resources"]["TaskDefinition"]["Properties"]
    return task, render_terraform(b)


def test_export_sizes_the_fargate_task_ephemeral_storage(cat):
    # 100 GiB of scratch on the task's ephemeral storage: the task definition configures
    # 100 GiB (ephemeralStorage.sizeInGiB, fargate-task-storage.html), not the default 20.
    task, tf = _fargate_scratch_export(cat, 100)
    assert task["EphemeralStorage"] == {"SizeInGiB": 100}
    assert "ephemeral_storage {\n    size_in_gib = 100\n  }" in tf


def test_export_leaves_the_included_20_gib_alone(cat):
    task, _ = _fargate_scratch_export(cat, 5)
    assert "EphemeralStorage" not in task
