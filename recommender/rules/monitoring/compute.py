"""Alarms for the chosen compute option: EC2, Fargate and Lambda (PERF05-BP02).

Thresholds come from the profile and the decision, so an alarm fires when the assumption
the choice rests on no longer holds:

* CPU above ``100 / (1 + headroom)`` % means the headroom the size was chosen with is used up
  (AWS/EC2 ``CPUUtilization``, AWS/ECS ``CPUUtilization``/``MemoryUtilization``;
  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html,
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html).
* Burstable types: ``CPUCreditBalance`` below half the simulated steady-state minimum
  (standard mode) or ``CPUSurplusCreditsCharged`` over a day above a day's priced surplus
  (unlimited)
  means the load spends credits faster than the profile said
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-monitoring-cpu-credits.html).
* ``StatusCheckFailed`` (system and instance status checks): Maximum >= 1 over 300 s, 2 of
  2 datapoints, as CloudWatch's recommended alarm for EC2 has it ("When a status check fails,
  the value of this metric is 1. The threshold is set so that whenever the status check
  fails, the alarm is in ALARM state",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html).
* Lambda ``Duration`` near the timeout or above the predicted upper bound, any ``Throttles``,
  ``ConcurrentExecutions`` above twice the predicted average
  (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
"""

from __future__ import annotations

from recommender.core.profile import WorkloadProfile
from recommender.core.response import Monitor, Option
from recommender.rules.compute.sizing import DEFAULT_CPU_HEADROOM_PCT, DEFAULT_MEMORY_HEADROOM_PCT
from recommender.rules.monitoring.base import RECOMMENDED_ALARMS, monitor, num

#: The timeout the export gives a function without one (bundle.py: 30 s, within 3..900 s).
EXPORT_LAMBDA_TIMEOUT_S = 30.0
#: An alarm at this share of the timeout leaves time to act before invocations time out.
TIMEOUT_ALARM_SHARE = 0.8


def headroom_limit_pct(headroom_pct: float) -> float:
    """Utilization at which a resource sized with ``headroom_pct`` has none left."""
    return round(100.0 / (1.0 + headroom_pct / 100.0), 1)


def _headrooms(p: WorkloadProfile) -> tuple[float, float]:
    c = p.compute
    cpu = c.cpu_headroom_pct if c and c.cpu_headroom_pct is not None \
        else DEFAULT_CPU_HEADROOM_PCT
    mem = c.memory_headroom_pct if c and c.memory_headroom_pct is not None \
        else DEFAULT_MEMORY_HEADROOM_PCT
    return cpu, mem


def ec2_group_role(o: Option) -> tuple[str, str]:
    """(dimension, resource role) of an EC2 option: one instance or an Auto Scaling group.

    Mirrors the export: more than one node or a scaling plan makes a group.
    """
    if o.count > 1 or isinstance(o.config.get("scaling"), dict):
        return "AutoScalingGroupName", "auto_scaling_group"
    return "InstanceId", "instance"


def ec2_cpu(p: WorkloadProfile, o: Option) -> Monitor:
    """CPU above the sizing headroom for 15 minutes (Compute Optimizer semantics)."""
    h, _ = _headrooms(p)
    limit = headroom_limit_pct(h)
    dim, role = ec2_group_role(o)
    projected = num(o.predicted, "cpu_utilization_p995_pct")
    basis = (f"the profile projects a P99.5 of {projected:g}%" if projected is not None
             else "no utilization was measured, so this is the default headroom's limit")
    text = (f"{o.option} keeps {h:g}% CPU headroom: average CPU above {limit:g}% for 15 minutes "
            f"means the headroom is used up; re-size or scale out ({basis})")
    return monitor("ec2_cpu_headroom", "compute", o.option, namespace="AWS/EC2",
                   metric="CPUUtilization", dimensions={dim: role}, statistic="Average",
                   threshold=limit, comparison="GreaterThanThreshold", text=text, page="AWS/EC2",
                   unit="Percent")


def ec2_status_check(o: Option) -> Monitor:
    """CloudWatch's recommended StatusCheckFailed alarm on the instance (or its group)."""
    dim, role = ec2_group_role(o)
    return monitor("ec2_status_check", "compute", o.option, namespace="AWS/EC2",
                   metric="StatusCheckFailed", dimensions={dim: role}, statistic="Maximum",
                   threshold=1, comparison="GreaterThanOrEqualToThreshold", page="AWS/EC2",
                   period_s=300, evaluation_periods=2, unit="Count",
                   text=f"A failed system or instance status check on {o.option} (the metric "
                        "is 1): the instance cannot serve until it is recovered or replaced. "
                        "CloudWatch's recommended alarm: Maximum >= 1 over 300 s, 2 of 2 "
                        f"datapoints ({RECOMMENDED_ALARMS})")


def ec2_credits(o: Option) -> Monitor | None:
    """The credit balance against the burst simulation of the chosen type."""
    mode = o.config.get("credit_mode")
    if mode not in ("standard", "unlimited"):
        return None
    dim, role = ec2_group_role(o)
    if mode == "standard":
        low = num(o.predicted, "credit_balance_min")
        if low is None or low <= 0:
            return None
        threshold = round(low / 2.0, 1)
        text = (f"The credit simulation's steady-state minimum balance is {low:g} credits; a "
                f"balance under half of it ({threshold:g}) means the load spends credits "
                "faster than the profile said and standard mode will throttle to the baseline")
        return monitor("ec2_cpu_credit_balance", "compute", o.option, namespace="AWS/EC2",
                       metric="CPUCreditBalance", dimensions={dim: role}, statistic="Minimum",
                       threshold=threshold, comparison="LessThanThreshold", text=text,
                       page="AWS/EC2/credits", period_s=3600, evaluation_periods=1,
                       unit="Count")
    # CPUSurplusCreditBalance sits at its cap (a day's earned credits) whenever surplus is
    # spent as priced, so an alarm on it would always fire; CPUSurplusCreditsCharged counts
    # "the spent surplus credits that are not paid down by earned CPU credits, and which thus
    # incur an additional charge" (AWS/EC2/credits): its daily sum is what the price counted.
    surplus = num(o.predicted, "surplus_credits_month") or 0.0
    threshold = max(1.0, round(surplus / 30.0, 1))
    text = (f"Unlimited mode was priced with {surplus:g} charged surplus credits a month; more "
            f"than {threshold:g} charged in a day (a day's share, at least 1) means surplus "
            "credits cost more than estimated: a larger or non-burstable type may be cheaper")
    return monitor("ec2_cpu_surplus_credits", "compute", o.option, namespace="AWS/EC2",
                   metric="CPUSurplusCreditsCharged", dimensions={dim: role},
                   statistic="Sum", threshold=threshold, comparison="GreaterThanThreshold",
                   text=text, page="AWS/EC2/credits", period_s=86400, evaluation_periods=1,
                   unit="Count")


def fargate_usage(p: WorkloadProfile, o: Option) -> list[Monitor]:
    """Service CPU and memory against the sizing headrooms."""
    h_cpu, h_mem = _headrooms(p)
    dims = {"ClusterName": "ecs_cluster", "ServiceName": "ecs_service"}
    out = []
    for metric, h, what in (("CPUUtilization", h_cpu, "CPU"),
                            ("MemoryUtilization", h_mem, "memory")):
        limit = headroom_limit_pct(h)
        text = (f"The task size keeps {h:g}% {what} headroom: service {what} above {limit:g}% "
                "for 15 minutes means it is used up; raise the task size or the task count")
        out.append(monitor(f"fargate_{what.lower()}_headroom", "compute", o.option,
                           namespace="AWS/ECS", metric=metric, dimensions=dims,
                           statistic="Average", threshold=limit,
                           comparison="GreaterThanThreshold", text=text, page="AWS/ECS",
                           unit="Percent"))
    return out


def lambda_duration(o: Option) -> list[Monitor]:
    """Duration against the timeout and against the predicted upper bound."""
    timeout_s = num(o.config, "timeout_s") or EXPORT_LAMBDA_TIMEOUT_S
    limit_ms = round(timeout_s * 1000 * TIMEOUT_ALARM_SHARE)
    dims = {"FunctionName": "function"}
    out = [monitor("lambda_duration_timeout", "compute", o.option, namespace="AWS/Lambda",
                   metric="Duration", dimensions=dims, statistic="p99", threshold=limit_ms,
                   comparison="GreaterThanThreshold", page="AWS/Lambda", unit="Milliseconds",
                   text=f"p99 duration above {TIMEOUT_ALARM_SHARE:.0%} of the {timeout_s:g} s "
                        f"timeout ({limit_ms:g} ms): invocations are about to time out")]
    # The predicted upper bound when the model gave one, else the duration it was priced at.
    high = num(o.predicted, "duration_ms_high", "billed_duration_ms", "duration_ms")
    memory = num(o.config, "memory_mb")
    if high is not None and memory is not None:
        out.append(monitor(
            "lambda_duration_estimate", "compute", o.option, namespace="AWS/Lambda",
            metric="Duration", dimensions=dims, statistic="Average", threshold=high,
            comparison="GreaterThanThreshold", page="AWS/Lambda", unit="Milliseconds",
            text=f"{memory:g} MB was chosen for a duration of at most {high:g} ms; a "
                 "longer average means the function is slower than estimated and costs more: "
                 "re-run the memory choice with new measurements"))
    return out


def lambda_capacity(o: Option) -> list[Monitor]:
    """Throttles (any) and concurrency against the predicted average."""
    dims = {"FunctionName": "function"}
    out = [monitor("lambda_throttles", "compute", o.option, namespace="AWS/Lambda",
                   metric="Throttles", dimensions=dims, statistic="Sum", threshold=0,
                   comparison="GreaterThanThreshold", page="AWS/Lambda", unit="Count",
                   evaluation_periods=1,
                   text="Throttled invocations mean the concurrency available is below the "
                        "demand: reserve concurrency or raise the account quota")]
    avg = num(o.predicted, "average_concurrency")
    if avg is not None and avg > 0:
        threshold = round(2 * avg, 3)
        out.append(monitor(
            "lambda_concurrency", "compute", o.option, namespace="AWS/Lambda",
            metric="ConcurrentExecutions", dimensions=dims, statistic="Average",
            threshold=threshold, comparison="GreaterThanThreshold", page="AWS/Lambda",
            period_s=3600, evaluation_periods=1, unit="Count",
            text=f"The cost estimate assumes {avg:g} concurrent executions on average; an hourly "
                 f"average above twice that ({threshold:g}) means invocations or duration "
                 "outgrew the profile"))
    return out


def compute_monitors(p: WorkloadProfile, o: Option) -> list[Monitor]:
    """The alarms of the rank-1 compute option."""
    if o.kind == "ec2":
        credits = ec2_credits(o)
        return [ec2_cpu(p, o), ec2_status_check(o)] + ([credits] if credits is not None else [])
    if o.kind == "fargate":
        return fargate_usage(p, o)
    if o.kind == "lambda":
        return lambda_duration(o) + lambda_capacity(o)
    return []
