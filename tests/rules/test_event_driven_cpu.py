"""Event-driven work on always-on capacity counts the CPU Lambda would give it.

Before, a profile without ``compute.vcpus`` put no CPU on the invocations in flight: 30 M x
1 s a month (11.42 in flight) went to one r6g.medium vCPU ($36.79), while the Lambda side
treated the same duration as CPU-bound.  One invocation used at most Lambda's CPU share at
the setting it ran at (one vCPU per 1,769 MB,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); the concurrency
rule (requests/s x duration, https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html)
multiplies it.  Prices: the catalog's us-east-1 rows (c6g.xlarge $0.136/h; Lambda Arm
$0.0000133334/GB-s, $0.20/1M requests, 1M requests and 400,000 GB-s free).
"""

from __future__ import annotations

from typing import Any

import pytest

from recommender.core.engine import recommend


def _compute(inv: float, **extra: Any) -> list[Any]:
    r = recommend({"top_n": 50, "compute": {"event_driven": True, "invocations_per_month": inv,
                                           "duration_ms": 1000, "memory_mb_used": 400,
                                           **extra}}, models=False)
    return r.options("compute")


def test_always_on_capacity_holds_the_cpu_share_in_flight() -> None:
    # 400 MB used + 20 % = 480 MB: 480 / 1,769 = 0.2713 vCPU an invocation; 30M / (730 x
    # 3,600 s) x 1 s = 11.42 in flight: 0.2713 x 11.42 x 1.2 = 3.72 vCPUs and 0.469 GiB x
    # 11.42 = 5.35 GiB -> c6g.xlarge (4 vCPUs, 8 GiB) 0.136 x 730 = $99.28.
    top = _compute(30_000_000)[0]
    assert (top.option, top.monthly_cost_usd) == ("c6g.xlarge", pytest.approx(99.28, abs=0.005))
    cpu = next(x for x in top.reasons if x.rule == "compute.invocation_cpu")
    assert "480 / 1,769 MB = 0.271 vCPU" in cpu.text and cpu.severity == "caution"
    conc = next(x for x in top.reasons if x.rule == "compute.event_concurrency")
    assert "= 3.72 vCPUs" in conc.text


def test_fargate_says_the_need_it_was_sized_for() -> None:
    # The same need on Fargate: 4 vCPU / 8 GB is the smallest task size with 3.72 vCPUs
    # and 5.35 GiB (ECS task sizes); its reason states 5.35 GiB, not one invocation's 0.47.
    far = next(o for o in _compute(30_000_000) if o.kind == "fargate")
    assert (far.config["vcpu"], far.config["memory_gib"]) == (4.0, 8.0)
    size = next(x.text for x in far.reasons if x.rule == "fargate.task_size")
    assert "memory >= 5.35 GiB" in size and "in flight" in size
    assert {"compute.invocation_cpu", "compute.event_concurrency"} <= {
        x.rule for x in far.reasons}


def test_a_given_cpu_need_is_kept() -> None:
    # compute.vcpus 0.05 an invocation (an I/O-bound function): 0.05 x 11.42 x 1.2 = 0.685
    # vCPUs; memory 5.35 GiB decides: no invocation_cpu reason.
    top = _compute(30_000_000, vcpus=0.05)[0]
    assert not any(x.rule == "compute.invocation_cpu" for x in top.reasons)
    assert top.config["vcpus"] == 1


def test_lambda_floor_is_not_raised_by_the_always_on_need() -> None:
    # Lambda's own floor stays 480 MB: 3M x 1 s x 0.46875 GB = 1,406,250 - 400,000 =
    # 1,006,250 GB-s x $0.0000133334 = $13.42 + 2M x $0.20/M = $0.40 -> $13.82.
    lam = next(o for o in _compute(3_000_000) if o.kind == "lambda")
    assert lam.config["memory_mb"] == 480
    assert lam.monthly_cost_usd == pytest.approx(13.82, abs=0.005)
