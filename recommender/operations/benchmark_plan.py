"""The load-test and benchmark plan for the top choices (PERF05-BP04, load test your workload).

For the two best compute options and the chosen storage and database, what to measure (the
profile's own numbers as targets), with which tool (fio for EBS volumes, an AWS Lambda Power
Tuning input for functions, ``recommender next-run`` for batch jobs), and how the result goes
back into the profile so the next ``recommend`` uses measurements instead of estimates
("Process and culture",
https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/process-and-culture.html).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from recommender.core.response import Option, RecommendationResponse
from recommender.rules.monitoring.base import PERF05_LOAD_TEST, PERF05_PAGES

_CITE = f" ({PERF05_LOAD_TEST}: {PERF05_PAGES[PERF05_LOAD_TEST]})"
#: Memory sizes Power Tuning tries around the chosen one (x0.5 .. x4, within Lambda's range).
_POWER_FACTORS = (0.5, 1.0, 1.5, 2.0, 4.0)
_FIO_DOC = "https://docs.aws.amazon.com/ebs/latest/userguide/benchmark_procedures.html"


class PlanStep(BaseModel):
    """One benchmark to run: what, the targets, the tool, and how to feed the result back."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="the category of the option to test")
    option: str = Field(description="the option id")
    rank: int = Field(description="its rank")
    measure: list[str] = Field(description="what to measure, e.g. runtime_s, p99 latency")
    targets: dict[str, float | str] = Field(default_factory=dict, description=(
        "the predicted figures the measurement is compared with"))
    tool: str = Field(description="the tool to run, e.g. AWS Lambda Power Tuning")
    run: str | dict[str, Any] = Field(description="a command line, or the tool's input JSON")
    feed_back: str = Field(description="how to feed the result back (the command or route)")
    best_practice: str = Field(default=PERF05_LOAD_TEST, description=(
        "Well-Architected best practice"))
    text: str = Field(description="the step in words")


def _p(response: RecommendationResponse, *path: str) -> Any:
    d: Any = response.profile or {}
    for k in path:
        d = d.get(k) if isinstance(d, dict) else None
    return d


def _next_run_request(r: RecommendationResponse, job: dict[str, Any]) -> dict[str, Any]:
    """The ``next-run`` request (the ``predict-runtime`` shape, CONTRACT section 4) over the
    top EC2 options, with the runs measured so far."""
    req: dict[str, Any] = {
        "job": {k: job[k] for k in ("framework", "application", "input_gib") if k in job},
        "measurements": list(job.get("measurements") or []),
        "candidates": [{"instance_type": o.option, "count": o.count}
                       for o in r.recommendations.compute if o.kind == "ec2"][:3],
        "objective": "time" if _p(r, "objective") == "performance" else "cost",
    }
    if job.get("deadline_s"):
        req["deadline_s"] = job["deadline_s"]
    return req


def _ec2_step(r: RecommendationResponse, o: Option) -> PlanStep:
    job = _p(r, "compute", "job")
    if isinstance(job, dict):
        targets: dict[str, float | str] = {
            k: o.predicted[k] for k in ("runtime_s", "runtime_s_high") if k in o.predicted}
        if job.get("deadline_s"):
            targets["deadline_s"] = job["deadline_s"]
        return PlanStep(
            category="compute", option=o.option, rank=o.rank,
            measure=["job runtime (s) on this type and node count"], targets=targets,
            tool="recommender next-run (this request as job.json)",
            run=_next_run_request(r, job),
            feed_back=f'compute.job.measurements += {{"instance_type": "{o.option}", '
                      f'"count": {o.count}, "runtime_s": <measured>}}',
            text=f"Run the job once on {o.count} x {o.option}; `next-run` suggests the "
                 "configuration that narrows the runtime interval most; each run added to "
                 "compute.job.measurements replaces the estimate" + _CITE + ".")
    projected = o.predicted.get("cpu_utilization_p995_pct")
    targets = {"cpu_p995_pct_max": projected} if projected is not None else {}
    return PlanStep(
        category="compute", option=o.option, rank=o.rank,
        measure=["CPUUtilization (AWS/EC2) at the profile's peak load", "latency of the "
                 "workload's own requests"], targets=targets,
        tool="a load generator at the profile's peak + CloudWatch",
        run="aws cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name "
            "CPUUtilization --dimensions Name=InstanceId,Value=<instance id> --statistics "
            "Maximum --period 300 --start-time <test start> --end-time <test end>",
        feed_back="compute.utilization_series_pct (the CloudWatch series, one value per 5 "
                  "minutes) and compute.vcpus = the instance's vCPUs",
        text=f"Load {o.count} x {o.option} at the profile's peak and export the CPU series; "
             "the measured series replaces the summary the sizing assumed" + _CITE + ".")


def _lambda_step(r: RecommendationResponse, o: Option) -> PlanStep:
    memory = int(o.config.get("memory_mb") or 1024)
    values = sorted({min(10240, max(128, int(math.ceil(memory * f)))) for f in _POWER_FACTORS})
    strategy = {"cost": "cost", "performance": "speed"}.get(str(_p(r, "objective")), "balanced")
    run = {"lambdaARN": "<function ARN>", "powerValues": values, "num": 50,
           "payload": "<a representative event>", "parallelInvocation": True,
           "strategy": strategy}
    targets = {k: o.predicted[k] for k in ("duration_ms", "duration_ms_high")
               if k in o.predicted}
    return PlanStep(
        category="compute", option="lambda", rank=o.rank,
        measure=["average duration (ms) per memory size", "cost per invocation"],
        targets=targets, tool="AWS Lambda Power Tuning (state machine input)", run=run,
        feed_back="the Power Tuning output as lambda-memory measurements "
                  "(recommender lambda-memory; {memory_mb, duration_ms} per size), or "
                  "compute.duration_ms / memory_mb_used measured at the chosen size",
        text=f"Run Power Tuning over {values} MB around the chosen {memory} MB; the measured "
             "durations replace the model's estimate" + _CITE + ".")


def _ebs_step(r: RecommendationResponse, o: Option) -> PlanStep:
    iops = o.config.get("iops") or o.config.get("baseline_iops") or _p(r, "storage", "iops")
    iops = iops.get("min") if isinstance(iops, dict) else iops
    latency = _p(r, "storage", "latency_ms")
    seq = _p(r, "storage", "access_pattern") == "sequential"
    read = _p(r, "storage", "read_fraction")
    bs = "1m" if seq else f"{int(_p(r, 'storage', 'io_size_kib') or 16)}k"
    depth = max(1, math.ceil((iops or 1000) * (latency or 1) / 1000)) if iops else 32
    rw = ("rw=read" if read == 1 else "rw=write" if read == 0 else
          f"rw={'rw' if seq else 'randrw'} --rwmixread={int(round((read or 0.7) * 100))}")
    run = (f"sudo fio --name={o.option} --filename=/dev/xvdb --direct=1 --ioengine=libaio "
           f"--{rw} --bs={bs} --iodepth={depth} --numjobs=1 --time_based --runtime=300 "
           "--group_reporting")
    targets: dict[str, float | str] = {}
    if iops:
        targets["iops_min"] = float(iops)
    if latency:
        targets["latency_ms_max"] = float(latency)
    mibps = o.config.get("throughput_mibps")
    if mibps:
        targets["throughput_mibps_min"] = float(mibps)
    return PlanStep(
        category="storage", option=o.option, rank=o.rank,
        measure=["IOPS", "throughput (MiB/s)", "completion latency (ms)"], targets=targets,
        tool="fio", run=run,
        feed_back="storage.iops, storage.throughput_mibps and storage.latency_ms as measured",
        text=f"Benchmark the {o.option} volume with fio at queue depth {depth} (IOPS x latency) "
             f"as in {_FIO_DOC}; a volume below the targets needs more IOPS or another type"
             + _CITE + ".")


def _database_step(r: RecommendationResponse, o: Option) -> PlanStep:
    engine = o.option.partition(":")[2]
    tool = {"postgresql": "pgbench", "mysql": "sysbench"}.get(engine, "a load generator")
    targets = {k: float(v) for k in ("reads_per_s", "writes_per_s", "latency_ms")
               if isinstance(v := _p(r, "database", k), int | float)}
    return PlanStep(
        category="database", option=o.option, rank=o.rank,
        measure=["reads/s and writes/s sustained", "p99 query latency (ms)"], targets=targets,
        tool=tool, run=f"{tool} against {o.config.get('instance_class') or o.option} at the "
                       "profile's read/write rates",
        feed_back="database.reads_per_s, writes_per_s and latency_ms as measured; "
                  "database.working_set_fraction from the buffer-cache hit ratio",
        text=f"Drive {o.option} at the profile's rates with {tool}; measured rates and the "
             "working set replace the assumptions of the sizing" + _CITE + ".")


def benchmark_plan(response: RecommendationResponse) -> list[PlanStep]:
    """The plan for the two best compute options and the chosen storage and database."""
    steps: list[PlanStep] = []
    for o in response.recommendations.compute[:2]:
        if o.kind == "ec2":
            steps.append(_ec2_step(response, o))
        elif o.kind == "lambda":
            steps.append(_lambda_step(response, o))
    store = response.best("storage")
    if store is not None and store.kind == "ebs":
        steps.append(_ebs_step(response, store))
    db = response.best("database")
    if db is not None:
        steps.append(_database_step(response, db))
    return steps
