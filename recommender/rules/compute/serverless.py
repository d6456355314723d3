"""Fargate and Lambda options, priced on the same monthly scale as EC2 (PERF02-BP01).

Fargate lives in ``compute.fargate`` (re-exported here).  Lambda: event-driven work within
the limits in ``facts`` (topic ``lambda``); memory covers the CPU need (``memory_per_vcpu
_equivalent`` MB = one vCPU, https://docs.aws.amazon.com/lambda/latest/dg/
configuration-memory.html) and the memory used, the Lambda model may raise it; billed
duration and requests priced after the free tier.  A need above the Region's default
concurrency quota (``elasticity.concurrency_quota_check``) is shown at risk 1 with a caution.
Scratch data goes in the function's ``/tmp``, priced above the included 512 MB, and above
its 10,240 MB maximum leaves Lambda out (``lambda_storage``,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Option, built_option
from recommender.models.interface import (
    LambdaEstimate,
    LambdaQuery,
    LambdaRun,
    choose_lambda_memory,
)
from recommender.rules.base import (
    PERF02_CONFIG,
    PERF02_SELECT,
    Candidate,
    Rejections,
    fmt_num,
    reason,
)
from recommender.rules.compute.bandwidth import (
    needs_published_bandwidth,
    unpublished_bandwidth_note,
)
from recommender.rules.compute.elasticity import LAMBDA_QUOTAS_URL, concurrency_quota_check
from recommender.rules.compute.fargate import fargate_option, fargate_task_sizes
from recommender.rules.compute.lambda_measured import (
    declared_memory_mb,
    keeps_measured,
    kept_text,
    known_text,
    measured_at,
    measured_mb,
    model_text,
    ran_at,
    unknown_use_floor,
    used_memory_mb,
)
from recommender.rules.compute.lambda_price import lambda_price, lambda_timeout
from recommender.rules.compute.lambda_storage import tmp_above_max, with_tmp
from recommender.rules.compute.sizing import (
    DEFAULT_MEMORY_HEADROOM_PCT,
    ComputeNeed,
    memory_headroom_pct,
)
from recommender.rules.prices import PriceBook

__all__ = ["fargate_option", "fargate_task_sizes", "lambda_limits", "lambda_option",
           "serverless_candidates", "serverless_option"]


def lambda_limits(book: PriceBook) -> dict[str, tuple[float | None, bool]]:
    """Lambda limits from ``facts`` (value, verify); None where the catalog lacks one."""
    out = {}
    for key in ("timeout_max", "memory_max_standard_function", "memory_min",
                "memory_per_vcpu_equivalent", "max_vcpus_at_10240MB"):
        f = book.fact("lambda", key)
        val = None
        if f is not None and f.value is not None:
            try:
                val = float(f.value.replace(",", ""))
            except ValueError:
                val = None
        out[key] = (val, bool(f.verify) if f else False)
    return out


#: "Functions with up to 10 GB of memory and 6 vCPUs" (AWS News Blog, the source of the
#: catalog's fact ``max_vcpus_at_10240MB``; the memory page gives only the 1,769 MB rule).
LAMBDA_6_VCPU_URL = ("https://aws.amazon.com/blogs/aws/"
                     "new-for-aws-lambda-functions-with-up-to-10-gb-of-memory-and-6-vcpus/")


#: The engine's objective -> the Lambda model's (its "speed" is the engine's "performance").
_LAMBDA_OBJECTIVE: dict[str, Literal["cost", "speed", "balanced"]] = {
    "cost": "cost", "performance": "speed", "balanced": "balanced"}


def _model_memory(
    models: Any, catalog: Any, p: WorkloadProfile, *, arch: str, region: str,
    measured_mb: float, floor_mb: float, objective: str, parallel: bool,
) -> tuple[LambdaEstimate | None, str | None]:
    """The Lambda model's best memory size for the profile; (None, why) without the model.

    The profile's ``duration_ms`` was measured at ``measured_mb``: ``compute.measured_memory_mb``
    when given, else the rules' floor (an assumption the reason states).  Candidates are the
    floor ``floor_mb``, the default sizes above it and the measured size, where the function
    really ran (never refused).
    """
    if models is None or getattr(models, "lambda_", None) is None or catalog is None:
        return None, None
    c = p.compute
    if c is None or c.duration_ms is None:
        return None, "the Lambda model needs compute.duration_ms"
    try:
        from recommender.models.lambda_mem import DEFAULT_MEMORY_MB

        # The rules' memory is a floor (CPU share, memory used): the model chooses above it.
        floor = int(math.ceil(floor_mb))
        query = LambdaQuery(
            runs=(LambdaRun(int(round(measured_mb)), float(c.duration_ms),
                            c.memory_mb_used or None),),
            candidate_memory_mb=tuple(sorted({floor, *(m for m in DEFAULT_MEMORY_MB
                                                       if m >= floor)})),
            arch="arm64" if arch == "arm64" else "x86_64",
            invocations_per_month=float(c.invocations_per_month or 0.0),
            objective=_LAMBDA_OBJECTIVE.get(objective, "balanced"), parallel=parallel,
            region=region)
        return choose_lambda_memory(query, catalog=catalog, bundle=models).best, None
    except Exception as exc:  # noqa: BLE001 - a model failure falls back to the rules
        return None, f"Lambda model not used ({type(exc).__name__}: {exc})"


@dataclass(frozen=True)
class _MemoryContext:
    """What the Lambda memory choice needs besides the profile: platform and limits."""

    arch: str
    region: str
    objective: str
    per_vcpu: float
    mem_min: float
    mem_max: float
    #: vCPUs Lambda gives at ``mem_max`` (facts ``max_vcpus_at_10240MB``), None if unknown.
    max_vcpus: float | None = None


@dataclass(frozen=True)
class _Floor:
    """The rules' memory floor and its parts (MB): CPU share, memory used, declared."""

    vcpu_inv: float | None
    cpu_mb: float
    used_mb: float
    rule_mb: float
    #: The memory used as given (MB) and the headroom added to it (percent).
    used_in_mb: float = 0.0
    #: Memory used unknown: the measured setting, the smallest known to hold it (else 0).
    known_mb: float = 0.0
    headroom_pct: float = DEFAULT_MEMORY_HEADROOM_PCT
    #: The memory declared (compute.memory_gib x 1,024 MB), 0 when not given.
    declared_mb: float = 0.0


def _rule_floor(p: WorkloadProfile, need: ComputeNeed, ctx: _MemoryContext) -> _Floor:
    """The memory the rules require of one invocation (MB), before the model.

    Per-invocation CPU need: for event-driven work compute.vcpus is what one invocation uses
    (as given; the utilization-derived EC2 need is not a per-invocation figure).  Lambda
    allocates CPU in proportion to memory, one vCPU at 1,769 MB
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so memory must
    be at least vCPUs x ``memory_per_vcpu_equivalent``.  AWS gives 6 vCPUs at the 10,240 MB
    maximum (``max_vcpus_at_10240MB``; not on that page but on the AWS News Blog that
    announced it, :data:`LAMBDA_6_VCPU_URL`), a little above the linear rule, so a need of
    up to 6 vCPUs is met at 10,240 MB; the memory used plus headroom is capped at the maximum
    when the memory used itself fits (a 9,000 MB function runs at 10,240 MB).
    """
    c = p.compute
    assert c is not None  # lambda_option checks the section first
    # (need.vcpus inferred from Lambda's own CPU share, compute.invocation_cpu, is the
    # always-on capacity's need, derived from this floor: not a floor of its own.)
    vcpu_inv = (c.vcpus.min if c.vcpus and c.vcpus.min else None) or (
        None if need.cpu_from_lambda_share else need.vcpus)
    cpu_mb = vcpu_inv * ctx.per_vcpu if vcpu_inv else 0.0
    if vcpu_inv and ctx.max_vcpus and vcpu_inv <= ctx.max_vcpus:
        cpu_mb = min(cpu_mb, ctx.mem_max)
    # The memory used (memory_mb_used, else memory_used_gib x 1,024) plus the profile's
    # headroom; the declared memory (compute.memory_gib) separately, since the need's
    # memory_gib already holds the used memory with headroom (uncapped).
    used = used_memory_mb(c)
    used_mb = used * (1 + memory_headroom_pct(c) / 100)
    if used <= ctx.mem_max:
        used_mb = min(used_mb, ctx.mem_max)
    declared_mb = declared_memory_mb(c)
    known_mb = unknown_use_floor(c, used)
    rule_mb = float(math.ceil(max(ctx.mem_min, cpu_mb, used_mb, declared_mb, known_mb)))
    return _Floor(vcpu_inv, cpu_mb, used_mb, rule_mb, used_in_mb=used, known_mb=known_mb,
                  headroom_pct=memory_headroom_pct(c), declared_mb=declared_mb)


def _lambda_memory(
    p: WorkloadProfile, need: ComputeNeed, *, models: Any, catalog: Any, ctx: _MemoryContext,
) -> tuple[float, float | None, dict[str, Any], str] | None:
    """(memory MB, duration ms, model predictions, reason text), or None above the maximum.

    The rules give a floor (CPU share, memory used, memory declared); the model's choice
    may raise it, never lower it.
    """
    c = p.compute
    assert c is not None  # lambda_option checks the section first
    fl = _rule_floor(p, need, ctx)
    rule_mb = fl.rule_mb
    if rule_mb > ctx.mem_max:
        # Above the largest setting (10,240 MB, about 6 vCPUs) Lambda cannot meet the need.
        return None
    at_mb = measured_at(c, rule_mb, ctx.mem_max)
    best, model_note = _model_memory(models, catalog, p, arch=ctx.arch, region=ctx.region,
                                     measured_mb=at_mb, floor_mb=min(rule_mb, ctx.mem_max),
                                     objective=ctx.objective,
                                     parallel=bool(fl.vcpu_inv and fl.vcpu_inv > 1))
    if best is not None and float(best.memory_mb) < rule_mb and not ran_at(c, best.memory_mb):
        model_note = (f"the Lambda model's {fmt_num(float(best.memory_mb))} MB is below the "
                      f"rules' floor of {fmt_num(rule_mb)} MB, so the floor stands")
        best = None
    if best is None:
        mem, duration, model_pred = rule_mb, c.duration_ms, {}
        how = _rules_how(fl, ctx, model_note=model_note)
        if measured_mb(c) != rule_mb and keeps_measured(
                c, cpu_mb=fl.cpu_mb, declared_mb=fl.declared_mb, used_mb=fl.used_in_mb):
            mem = measured_mb(c) or rule_mb
            how = kept_text(mem, c.duration_ms, how)
    else:
        mem, duration = float(best.memory_mb), float(best.duration_ms)
        model_pred = {"duration_ms": round(best.duration_ms, 1),
                      "duration_ms_low": round(best.duration_ms_low, 1),
                      "duration_ms_high": round(best.duration_ms_high, 1)}
        how = model_text(mem, best, c, at_mb)
    mem = float(math.ceil(mem))
    if mem > ctx.mem_max:
        return None
    return mem, duration, model_pred, how


def _rules_how(fl: _Floor, ctx: _MemoryContext, *, model_note: str | None) -> str:
    """The reason text of a memory set by the rules' floor (each part with its source)."""
    parts = []
    at_max = (f" (the maximum setting: AWS gives {fmt_num(ctx.max_vcpus or 0)} vCPUs at "
              f"{fmt_num(ctx.mem_max)} MB, {LAMBDA_6_VCPU_URL})") \
        if fl.cpu_mb == ctx.mem_max else ""
    if fl.cpu_mb:
        parts.append(f"CPU-share rule {fmt_num(ctx.per_vcpu)} MB = 1 vCPU, so "
                     f"{fmt_num(fl.vcpu_inv or 0)} vCPU -> {fmt_num(fl.cpu_mb)} MB{at_max} "
                     "(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)")
    if fl.used_mb:
        parts.append(f"{fmt_num(fl.used_in_mb)} MB used + {fl.headroom_pct:g}% -> "
                     f"{fmt_num(fl.used_mb)} MB"
                     + (" (headroom capped at the maximum setting)"
                        if fl.used_mb == ctx.mem_max else ""))
    if fl.known_mb:
        parts.append(known_text(fl.known_mb))
    if fl.declared_mb:
        parts.append(f"compute.memory_gib declared -> {fmt_num(fl.declared_mb)} MB")
    return (f"memory {fmt_num(math.ceil(fl.rule_mb))} MB from the rules ("
            + ("; ".join(parts) if parts else "the minimum setting") + ")"
            + ("; " + model_note if model_note else "; the Lambda model is not loaded"))


@dataclass(frozen=True)
class _Limits:
    """Lambda's limits from the catalog's facts (timeout s, memory MB) and their verify flag."""

    timeout_s: float
    timeout_verify: bool
    mem_max: float
    mem_min: float
    per_vcpu: float
    max_vcpus: float | None = None


def _lambda_admits(p: WorkloadProfile, book: PriceBook, rej: Rejections) -> _Limits | None:
    """Lambda's limits when the work is event-driven and fits them, else None (counted)."""
    c = p.compute
    if c is None or not (c.event_driven or c.invocations_per_month is not None):
        return None
    if c.gpus and (c.gpus.min or 0) > 0:
        rej.add("lambda.gpus_not_supported")
        return None
    if needs_published_bandwidth(p):
        rej.add("lambda.network_bandwidth_not_published",
                note=unpublished_bandwidth_note("a Lambda function", LAMBDA_QUOTAS_URL))
        return None
    if tmp_above_max(p, book, rej):
        return None
    lim = lambda_limits(book)
    timeout_s, timeout_verify = lim["timeout_max"]
    mem_max, _ = lim["memory_max_standard_function"]
    mem_min, _ = lim["memory_min"]
    per_vcpu, _ = lim["memory_per_vcpu_equivalent"]
    if timeout_s is None or mem_max is None or mem_min is None or per_vcpu is None:
        rej.add("lambda.limits_missing_from_catalog")
        return None
    if c.duration_ms is not None and c.duration_ms > timeout_s * 1000:
        rej.add("lambda.duration_above_timeout")
        return None
    return _Limits(timeout_s, timeout_verify, mem_max, mem_min, per_vcpu,
                   lim["max_vcpus_at_10240MB"][0])


def lambda_option(
    p: WorkloadProfile, need: ComputeNeed, book: PriceBook, region: str, rej: Rejections, *,
    models: Any = None, catalog: Any = None, objective: str = "balanced",
) -> Candidate | None:
    """Lambda for event-driven work within its limits, or None (counted in ``rej``)."""
    lim = _lambda_admits(p, book, rej)
    if lim is None:
        return None
    c = p.compute
    assert c is not None  # _lambda_admits checks the section
    arch = "arm64" if "arm64" in need.arch else "x86_64"
    chosen = _lambda_memory(p, need, models=models, catalog=catalog, ctx=_MemoryContext(
        arch=arch, region=region, objective=objective, per_vcpu=lim.per_vcpu,
        mem_min=lim.mem_min, mem_max=lim.mem_max, max_vcpus=lim.max_vcpus))
    if chosen is None:
        rej.add("lambda.memory_above_max")
        return None
    mem, duration, model_pred, how = chosen
    rs: list[Any] = [reason("lambda.memory", PERF02_CONFIG, how[0].upper() + how[1:] + ".")]
    price = with_tmp(lambda_price(c.invocations_per_month, duration, mem, book=book,
                                   region=region, arch=arch, hours=need.hours),
                     p, book=book, region=region, inv=c.invocations_per_month, dur=duration)
    rs += price.reasons
    risk, quota = concurrency_quota_check(c.invocations_per_month, duration, need.hours)
    rs += quota
    # The timeout covers the duration's upper bound (the model's, else the one priced).
    high = model_pred.get("duration_ms_high")
    upper = max(duration, high) if duration is not None and isinstance(high, float) \
        else duration
    timeout_s, timeout_rs = lambda_timeout(upper, lim.timeout_s)
    rs += timeout_rs
    rs.append(reason("lambda.fit", PERF02_SELECT,
                     f"Event-driven work within Lambda's limits ({lim.timeout_s:g} s, "
                     f"{fmt_num(lim.mem_max)} MB); pay per request, no idle capacity."))
    if lim.timeout_verify:
        rs.append(reason("catalog.verify", PERF02_SELECT,
                         "The catalog marks the Lambda timeout limit as to be verified.",
                         "verify"))
    return Candidate(
        "lambda", "lambda", price.cost, rs,
        config={"memory_mb": int(mem), "arch": arch, "timeout_s": timeout_s, **price.config,
                **price.provenance},
        predicted={**model_pred, **price.predicted}, unpriced=price.unpriced,
        verify=lim.timeout_verify or price.verify, risk=risk,
        components={"perf_capacity_vcpus": mem / lim.per_vcpu, "vcpus_total": mem / lim.per_vcpu,
                    "memory_total": mem / 1024.0},
    )


def serverless_candidates(
    p: WorkloadProfile, need: ComputeNeed, book: PriceBook, region: str, rej: Rejections, *,
    models: Any = None, catalog: Any = None, objective: str = "balanced",
) -> list[Candidate]:
    """Fargate and Lambda candidates that fit (each rejection counted in ``rej``)."""
    out = []
    f = fargate_option(p, need, book, region, rej)
    if f is not None:
        out.append(f)
    lam = lambda_option(p, need, book, region, rej, models=models, catalog=catalog,
                        objective=objective)
    if lam is not None:
        out.append(lam)
    return out


def serverless_option(c: Candidate, rank: int, score: float, region: str) -> Option:
    """The response option of a ranked serverless candidate."""
    return built_option(rank=rank, option=c.option, kind=c.kind, count=c.count,
                        purchase_option=c.purchase_option, score=round(score, 4),
                        monthly_cost_usd=None if c.monthly_cost_usd is None else round(
                            c.monthly_cost_usd, 2), performance_risk=c.risk,
                        predicted=c.predicted, reasons=c.reasons, config=c.config,
                        unpriced=c.unpriced,
                        verify=c.verify or any(r.severity == "verify" for r in c.reasons),
                        region=region)
