"""The load-test plan: the profile's numbers as targets, the right tool, the way back."""

from __future__ import annotations

from typing import Any

from recommender.core.response import Option, RecommendationResponse, Recommendations
from recommender.operations import benchmark_plan


def _opt(option: str, kind: str, rank: int = 1, count: int = 1, predicted: dict | None = None,
         **config: Any) -> Option:
    return Option(rank=rank, option=option, kind=kind, count=count, score=0.5,
                  predicted=predicted or {}, config=config)


def _response(profile: dict, **recs: list[Option]) -> RecommendationResponse:
    return RecommendationResponse(profile=profile, recommendations=Recommendations(**recs))


def test_batch_job_gets_a_next_run_request_over_the_top_options() -> None:
    job = {"framework": "spark", "application": "sort", "input_gib": 100, "deadline_s": 3600,
           "measurements": [{"instance_type": "m5.xlarge", "count": 4, "runtime_s": 900}]}
    r = _response({"objective": "cost", "compute": {"job": job}}, compute=[
        _opt("c7g.2xlarge", "ec2", count=4, predicted={"runtime_s": 700, "runtime_s_high": 850}),
        _opt("m7g.2xlarge", "ec2", rank=2, count=3)])
    first = benchmark_plan(r)[0]
    assert first.tool.startswith("recommender next-run")
    assert first.run == {"job": {"framework": "spark", "application": "sort", "input_gib": 100},
                         "measurements": job["measurements"],
                         "candidates": [{"instance_type": "c7g.2xlarge", "count": 4},
                                        {"instance_type": "m7g.2xlarge", "count": 3}],
                         "objective": "cost", "deadline_s": 3600}
    assert first.targets == {"runtime_s": 700, "runtime_s_high": 850, "deadline_s": 3600}
    assert "compute.job.measurements" in first.feed_back


def test_lambda_gets_a_power_tuning_input_around_the_chosen_memory() -> None:
    r = _response({"objective": "performance"}, compute=[
        _opt("lambda", "lambda", memory_mb=512, predicted={"duration_ms": 120})])
    step, = benchmark_plan(r)
    # 512 MB x (0.5, 1, 1.5, 2, 4) = 256, 512, 768, 1024, 2048; "performance" -> "speed".
    assert step.run["powerValues"] == [256, 512, 768, 1024, 2048]
    assert step.run["strategy"] == "speed" and step.run["num"] == 50
    assert step.targets == {"duration_ms": 120}


def test_ebs_gets_a_fio_run_at_the_profile_numbers() -> None:
    profile = {"storage": {"iops": {"min": 16000}, "latency_ms": 1, "read_fraction": 0.7,
                           "io_size_kib": 8, "access_pattern": "random"}}
    r = _response(profile, storage=[_opt("io2", "ebs", volume_type="io2", iops=16000)])
    step, = benchmark_plan(r)
    # Queue depth = IOPS x latency = 16,000 x 1 ms = 16; 8 KiB random, 70 % reads.
    for part in ("--iodepth=16", "--bs=8k", "--rw=randrw", "--rwmixread=70", "--direct=1"):
        assert part in step.run
    assert step.targets == {"iops_min": 16000.0, "latency_ms_max": 1.0}
    assert step.tool == "fio"


def test_database_targets_are_the_profile_rates() -> None:
    r = _response({"database": {"reads_per_s": 400, "writes_per_s": 80, "latency_ms": 10}},
                  database=[_opt("rds:postgresql", "rds", instance_class="db.r7g.large")])
    step, = benchmark_plan(r)
    assert step.tool == "pgbench"
    assert step.targets == {"reads_per_s": 400.0, "writes_per_s": 80.0, "latency_ms": 10.0}
