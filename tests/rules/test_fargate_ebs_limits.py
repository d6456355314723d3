"""Fargate and storage IOPS/throughput (issue 9): a task's vCPUs set its EBS baseline.

"Performance of Amazon EBS volumes for Fargate on-demand tasks"
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-fargate-performance-limits.html):
for more than 1 vCPU the baseline per task is 2 vCPU 3,000 IOPS (16 KiB I/O) / 75 MiB/s
(128 KiB I/O); 4 vCPU 5,000 / 120; 8 vCPU 10,000 / 250; 16 vCPU 15,000 / 500; "You may
temporarily get higher EBS performance ... we recommend that you plan your workload based on
these limits"; the limit is shared between the task's ephemeral storage and its volume.

Hand-worked, with the catalog's us-east-1 x86 Fargate prices (facts/fargate_facts.csv:
$0.04048 per vCPU-hour, $0.004445 per GB-hour) and 730 h:

* ``far_ebs8k``: 4 vCPU / 8 GiB x86 + 8,000 IOPS sustained.  4 vCPU sustains 5,000 < 8,000;
  8 vCPU sustains 10,000 >= 8,000, so the task is 8 vCPU, whose smallest memory is 16 GB:
  (8 x 0.04048 + 16 x 0.004445) x 730 = (0.32384 + 0.07112) x 730 = 0.39496 x 730 = $288.32.
  Before: the 4 vCPU / 8 GB task, (0.16192 + 0.03556) x 730 = $144.16, ranked #1 and the
  bundle's compute.
* ``far_ebs90k``: 90,000 IOPS > 15,000 (16 vCPU): Fargate is rejected, the page cited, and
  the bundle's compute is EC2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recommender.core.engine import recommend
from recommender.rules.compute.fargate_limits import (
    FARGATE_EBS_REJECT,
    FARGATE_EBS_URL,
    fargate_ebs_floor,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"


def _run(cat: Any, name: str, **extra: Any) -> Any:
    # top_n 50: the sized-up task ranks below the EC2 types and must still be shown.
    p = json.loads((EXAMPLES / f"{name}.json").read_text()) | {"top_n": 50} | extra
    return recommend(p, catalog=cat, models=False, explain=["fargate"])


def _fargate(r: Any) -> Any:
    return next((o for o in r.recommendations.compute if o.option == "fargate"), None)


@pytest.mark.parametrize(("iops", "mibps", "vcpus"), [
    (8000, None, 8.0),     # 5,000 (4 vCPU) < 8,000 <= 10,000 (8 vCPU)
    (5000, None, 4.0),     # exactly the 4 vCPU baseline
    (None, 200, 8.0),      # 120 MiB/s (4 vCPU) < 200 <= 250 (8 vCPU)
    (4000, 300, 16.0),     # IOPS alone would take 4 vCPU; 300 MiB/s needs 500 (16 vCPU)
    (15000, 500, 16.0),    # the largest task's baseline, exactly
    (3000, 75, 0.0),       # within 2 vCPU's: any task size, with a caution
    (15001, None, None),   # above 16 vCPU's 15,000: no task
    (None, 501, None),     # above 16 vCPU's 500 MiB/s
])
def test_the_floor_is_the_smallest_task_whose_baseline_sustains_the_need(iops, mibps, vcpus):
    f = fargate_ebs_floor(iops, mibps)
    assert f is not None and f.vcpus == vcpus
    assert FARGATE_EBS_URL in f.text


def test_no_storage_need_sets_no_floor():
    assert fargate_ebs_floor(None, None) is None


def test_a_small_need_cautions_that_small_tasks_have_no_figure():
    f = fargate_ebs_floor(2000, None)
    assert f is not None and f.vcpus == 0.0
    assert "no figure for 0.25-1 vCPU" in f.text and "gp2/gp3 or st1/sc1" in f.text


def test_8000_iops_sizes_a_4_vcpu_task_up_to_8_vcpu(cat):
    r = _run(cat, "far_ebs8k")
    f = _fargate(r)
    assert f is not None
    assert (f.config["vcpu"], f.config["memory_gib"], f.config["arch"]) == (8.0, 16.0, "x86_64")
    # (8 x 0.04048 + 16 x 0.004445) x 730 = $288.32 (module docstring).
    assert f.monthly_cost_usd == pytest.approx(288.32, abs=0.01)
    why = next(x for x in f.reasons if x.rule == "fargate.ebs_baseline")
    assert "At least 8 vCPU" in why.text and "8,000 IOPS" in why.text
    assert FARGATE_EBS_URL in why.text
    # At $288.32 the 8 vCPU task is no longer the cheapest: the bundle's compute is EC2.
    assert r.recommendations.compute[0].kind == "ec2"
    assert r.bundle.components[0].option != "fargate"


def test_the_same_compute_without_storage_keeps_the_4_vcpu_task(cat):
    r = _run(cat, "far_ebs8k", storage={"size_gib": 500, "sharing": "single_instance"})
    f = _fargate(r)
    # (4 x 0.04048 + 8 x 0.004445) x 730 = 0.19748 x 730 = $144.16.
    assert (f.config["vcpu"], f.config["memory_gib"]) == (4.0, 8.0)
    assert f.monthly_cost_usd == pytest.approx(144.16, abs=0.01)


def test_shared_storage_is_not_the_tasks_ebs(cat):
    # EFS (multi_instance) is not an EBS volume of the task: no floor.
    r = _run(cat, "far_ebs8k", storage={"size_gib": 500, "iops": 8000,
                                        "sharing": "multi_instance"})
    assert _fargate(r).config["vcpu"] == 4.0


def test_scratch_data_counts_too_ephemeral_storage_shares_the_limit(cat):
    r = _run(cat, "far_ebs8k", storage={"size_gib": 100, "iops": 8000,
                                        "sharing": "single_instance",
                                        "persistence": "scratch"})
    # Ranked below the 50 shown (EC2 has no EBS floor for scratch data): its cost is the
    # 8 vCPU / 16 GB task's, $288.32, not the 4 vCPU task's $144.16.
    w = next(x for x in r.why_not if x.option == "fargate")
    assert w.monthly_cost_usd == pytest.approx(288.32, abs=0.01)


def test_90000_iops_rejects_fargate_with_the_page_cited(cat):
    r = _run(cat, "far_ebs90k")
    assert _fargate(r) is None
    assert r.rejected[FARGATE_EBS_REJECT] == 1
    w = next(x for x in r.why_not if x.option == "fargate")
    assert w.verdict == "rejected" and w.rule == FARGATE_EBS_REJECT
    assert "90,000 IOPS" in w.text and "16 vCPU" in w.text and "15,000" in w.text
    assert FARGATE_EBS_URL in w.text
    assert r.recommendations.compute[0].kind == "ec2"
    assert r.bundle.components[0].category == "compute"
    assert r.bundle.components[0].option == r.recommendations.compute[0].option != "fargate"
