"""Lambda memory covers the CPU need; Fargate memory covers the memory used (issue 9).

Lambda: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html (128 to
10,240 MB; 1,769 MB = one vCPU; about 6 vCPUs at 10,240 MB); us-east-1 prices from
https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests, $0.0000166667 per GB-second
x86, monthly free tier 1M requests and 400,000 GB-seconds).  Fargate: task sizes from
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html,
prices from https://aws.amazon.com/fargate/pricing/ ($0.04048 per vCPU-hour, $0.004445 per
GB-hour, Linux x86).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import recommender.rules.compute.serverless as serverless
from recommender.rules.base import Rejections
from recommender.rules.compute.serverless import fargate_option, lambda_option
from recommender.rules.compute.sizing import derive_need

EVENT = {"event_driven": True, "invocations_per_month": 3_000_000, "duration_ms": 100,
         "arch": "x86_64"}


def _lambda(profile, book, models=None, cat=None, **compute):
    p = profile(compute={**EVENT, **compute})
    rej = Rejections()
    return lambda_option(p, derive_need(p), book, "us-east-1", rej, models=models,
                         catalog=cat), rej


def test_one_vcpu_needs_1769_mb_and_is_priced_after_free_tier(profile, book):
    c, _ = _lambda(profile, book, vcpus=1)
    assert c.config["memory_mb"] == 1769
    # GB-s: 3,000,000 x 0.1 s x 1,769 / 1,024 = 518,261.72; less 400,000 free = 118,261.72
    # x 0.0000166667 = 1.9710; requests (3M - 1M) x 0.20 / 1M = 0.40 -> $2.3710.
    assert c.monthly_cost_usd == pytest.approx(2.3710, abs=0.001)
    assert c.config["price_as_of"] and c.config["price_source"]


def test_more_than_10240_mb_rejects_lambda(profile, book):
    # 7 vCPUs x 1,769 = 12,383 MB > 10,240 MB: Lambda cannot give it.
    c, rej = _lambda(profile, book, vcpus=7)
    assert c is None and rej.counts["lambda.memory_above_max"] == 1


@pytest.mark.parametrize(("model_mb", "expected"), [(384, 1769), (3008, 3008)])
def test_model_raises_the_floor_never_lowers_it(profile, book, cat, monkeypatch, model_mb,
                                                expected):
    best = SimpleNamespace(memory_mb=model_mb, duration_ms=100.0, duration_ms_low=90.0,
                           duration_ms_high=110.0)
    seen = {}

    def fake(query, catalog=None, bundle=None):
        seen["candidate_memory_mb"] = query.candidate_memory_mb
        return SimpleNamespace(best=best)

    monkeypatch.setattr(serverless, "choose_lambda_memory", fake)
    c, _ = _lambda(profile, book, models=SimpleNamespace(lambda_=object()), cat=cat, vcpus=1)
    assert c.config["memory_mb"] == expected
    assert min(seen["candidate_memory_mb"]) == 1769  # the model is asked above the floor


def test_fargate_memory_covers_memory_used(profile, book):
    p = profile(compute={"memory_mb_used": 900, "hours_per_month": 730, "arch": "x86_64"})
    rej = Rejections()
    f = fargate_option(p, derive_need(p), book, "us-east-1", rej)
    # 900 MB + 20% headroom = 1,080 MB = 1.055 GiB: 0.5 and 1 GB are too small; the
    # 0.25 vCPU task offers 0.5/1/2 GB -> 2 GB.  0.25 x 0.04048 + 2 x 0.004445 = 0.01901/h
    # x 730 = $13.88.
    assert f.config["memory_gib"] == 2 and f.config["memory_gib"] * 1024 >= 900
    assert f.monthly_cost_usd == pytest.approx(13.877, abs=0.01)


def test_six_vcpus_fit_at_the_maximum_setting(profile, book):
    # AWS gives 6 vCPUs at 10,240 MB (configuration-memory.html), a little above the linear
    # 6 x 1,769 = 10,614 MB: Lambda is offered at 10,240 MB.  1M x 1 s x 10 GB = 10,000,000
    # GB-s - 400,000 free = 9,600,000 x 0.0000166667 = $160.00; requests: 1M free -> $0.
    c, _ = _lambda(profile, book, vcpus=6, invocations_per_month=1_000_000, duration_ms=1000)
    assert c.config["memory_mb"] == 10240
    assert c.monthly_cost_usd == pytest.approx(160.0, abs=0.01)


def test_memory_used_below_the_maximum_fits_with_capped_headroom(profile, book):
    # 9,000 MB used + 20% = 10,800 MB is above the 10,240 MB maximum, but the function
    # itself fits: 10,240 MB.  11,000 MB used does not fit anywhere: rejected.
    c, _ = _lambda(profile, book, memory_mb_used=9000)
    assert c.config["memory_mb"] == 10240
    c, rej = _lambda(profile, book, memory_mb_used=11000)
    assert c is None and rej.counts["lambda.memory_above_max"] == 1


def test_ec2_memory_need_honours_memory_mb_used(profile):
    # Compute Optimizer sizes memory from the memory used plus headroom
    # (ec2-metrics-analyzed.html): 20,480 MB / 1,024 = 20 GiB used x 1.2 = 24 GiB.
    p = profile(compute={"vcpus": 2, "memory_mb_used": 20480})
    need = derive_need(p)
    assert need.memory_gib == pytest.approx(24.0)
    assert need.memory_used_gib == pytest.approx(20.0)
    # memory_used_gib wins when both are given: 10 GiB x 1.3 = 13 GiB.
    p = profile(compute={"vcpus": 2, "memory_mb_used": 20480, "memory_used_gib": 10,
                         "memory_headroom_pct": 30})
    assert derive_need(p).memory_gib == pytest.approx(13.0)


def test_ec2_option_holds_memory_mb_used(profile, cat):
    from recommender.core.engine import recommend

    # 2 vCPUs and 24 GiB (20,480 MB used + 20%): c6g.large (4 GiB) no longer fits; the
    # cheapest type with >= 2 vCPUs and >= 24 GiB in us-east-1 is x2gd.large (2 vCPUs, 32 GiB,
    # $0.167/h x 730 = $121.91); r6g.xlarge (4 vCPUs, 32 GiB) is $0.2016 x 730 = $147.17.
    p = profile(region="us-east-1", compute={"vcpus": 2, "memory_mb_used": 20480})
    top = recommend(p, catalog=cat, models=False).recommendations.compute[0]
    assert top.config["memory_gib"] >= 24
    assert top.option == "x2gd.large"
    assert top.monthly_cost_usd == pytest.approx(121.91, abs=0.01)


def test_lambda_memory_covers_one_invocation_given_both_memory_fields(profile, book):
    # Found by the engine's property test: 1 vCPU (1,769 MB by the CPU-share rule) with
    # memory_mb_used 1,770 and memory_used_gib 1 gave 1,769 MB, below what one invocation uses.
    # Lambda's memory setting must hold an invocation: 1,770 MB x 1.2 (default headroom)
    # = 2,124 MB.
    c, _ = _lambda(profile, book, vcpus=1, memory_mb_used=1770, memory_used_gib=1)
    assert c.config["memory_mb"] == 2124


def test_lambda_honours_memory_used_gib_and_the_headroom(profile, book):
    # 2 GiB used = 2,048 MB x (1 + 10%) = 2,252.8 -> 2,253 MB (the rule rounds up to 1 MB).
    c, _ = _lambda(profile, book, memory_used_gib=2, memory_headroom_pct=10)
    assert c.config["memory_mb"] == 2253


def test_fargate_tasks_of_scaled_out_work_each_hold_the_memory_used(profile, book):
    p = profile(compute={"vcpus": 1, "memory_mb_used": 900, "scale_out": "horizontal",
                         "arch": "x86_64", "hours_per_month": 730})
    f = fargate_option(p, derive_need(p), book, "us-east-1", Rejections())
    # 2 tasks (one per AZ) of 0.5 vCPU; each holds 900 MB + 20% = 1.055 GiB, so 1 GB is too
    # small -> 2 GB.  (0.5 x 0.04048 + 2 x 0.004445) x 2 x 730 = $42.53 (1 GB tasks would
    # have been $36.04).
    assert (f.config["task_count"], f.config["vcpu"], f.config["memory_gib"]) == (2, 0.5, 2.0)
    assert f.monthly_cost_usd == pytest.approx(42.53, abs=0.01)


def test_fargate_price_in_another_unit_is_refused(profile, cat, monkeypatch):
    import recommender.rules.compute.fargate as fargate
    from recommender.rules.prices import PriceBook, Tier, UnitMismatchError, book_rows

    # A fresh book: the session's book keeps the Fargate rates it has already read (a real
    # book's rows never change), so a row patched into it later would not be read again.
    book = PriceBook.from_rows(book_rows(cat.unit_prices, cat.facts))
    # A per-vCPU-second row read as per vCPU-hour would cost 3,600 times too little.
    bad = Tier(0.0, float("inf"), 0.04048 / 3600, False, "USD per GB-second")
    real = book.unit
    monkeypatch.setattr(book, "unit", lambda item, region, to=None:
                        bad if item.startswith("fargate.vcpu_hour") else real(item, region, to))
    p = profile(compute={"vcpus": 1, "arch": "x86_64"})
    with pytest.raises(UnitMismatchError):
        fargate.fargate_option(p, derive_need(p), book, "us-east-1", Rejections())


def test_a_sustained_bandwidth_need_leaves_out_fargate_and_lambda(profile, cat):
    # network.bandwidth_gbps is held to an EC2 type's published baseline
    # (ec2-instance-network-bandwidth.html); AWS publishes no bandwidth for a Fargate task or
    # a Lambda function, so neither is offered for 10 Gbps, and the rejections say why.
    from recommender.core.engine import recommend

    base = {"region": "us-east-1", "top_n": 10, "compute": {"vcpus": 4, "memory_gib": 8,
                                               "invocations_per_month": 1e6,
                                               "duration_ms": 200}}
    r = recommend(profile(**base, network={"bandwidth_gbps": 10}), catalog=cat, models=False)
    kinds = {o.kind for o in r.recommendations.compute}
    assert "fargate" not in kinds and "lambda" not in kinds and kinds == {"ec2"}
    assert r.rejected["fargate.network_bandwidth_not_published"] == 1
    assert r.rejected["lambda.network_bandwidth_not_published"] == 1
    # Without the need both are offered again.
    free = recommend(profile(**base), catalog=cat, models=False)
    assert {"fargate", "lambda"} <= {o.kind for o in free.recommendations.compute}
    assert not any(k.endswith("network_bandwidth_not_published") for k in free.rejected)
