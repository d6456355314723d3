"""Shared pieces of the monitoring rules: PERF05 ids, CloudWatch pages, one builder.

Each alarm's threshold and its reason text come from one function in :mod:`.compute`,
:mod:`.storage` or :mod:`.data`; this module only builds the :class:`Monitor` record.
Metric names and namespaces are exactly those of the AWS pages in :data:`PAGES`.
"""

from __future__ import annotations

from typing import Any, get_args

from recommender.core.response import Monitor
from recommender.rules.base import assembled, reason

# Well-Architected Performance Efficiency, "Process and culture" (PERF05).
PERF05_KPI = "PERF05-BP01"  # establish KPIs to measure workload health and performance
PERF05_MONITOR = "PERF05-BP02"  # use monitoring solutions where performance is most critical
PERF05_PROCESS = "PERF05-BP03"  # define a process to improve workload performance
PERF05_LOAD_TEST = "PERF05-BP04"  # load test your workload
PERF05_AUTOMATE = "PERF05-BP05"  # use automation to proactively remediate performance issues
PERF05_UP_TO_DATE = "PERF05-BP06"  # keep your workload and services up-to-date
PERF05_REVIEW = "PERF05-BP07"  # review metrics at regular intervals

_WA = "https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/"
#: The pillar's pages: BP06 has its own; the others are on the "Process and culture" page.
PROCESS_AND_CULTURE = _WA + "process-and-culture.html"
PERF05_PAGES = {
    PERF05_MONITOR: PROCESS_AND_CULTURE,
    PERF05_LOAD_TEST: PROCESS_AND_CULTURE,
    PERF05_REVIEW: PROCESS_AND_CULTURE,
    PERF05_UP_TO_DATE: _WA + "perf_process_culture_keep_workload_and_services_up_to_date.html",
}

#: The AWS page listing each namespace's metrics (names and dimensions as used here).
PAGES = {
    "AWS/EC2": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html",
    "AWS/EC2/credits": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-monitoring-cpu-credits.html",
    "AWS/ECS": "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html",
    "ECS/ContainerInsights": "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html",
    "AWS/Lambda": "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
    "AWS/EBS": "https://docs.aws.amazon.com/ebs/latest/userguide/using_cloudwatch_ebs.html",
    "AWS/EBS/io": "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html",
    "AWS/DynamoDB": "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html",
    "AWS/RDS": "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html",
    "AWS/RDS/aurora": "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html",
    "AWS/ElastiCache": "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html",
    "AWS/ElastiCache/memcached": "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Memcached.html",
    "AWS/CloudFront": "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/viewing-cloudfront-metrics.html",
    "AWS/ES": "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/cloudwatch-alarms.html",
}
#: CloudWatch's recommended alarms for AWS services: metric, statistic, period, datapoints
#: and threshold AWS recommends for each.
RECOMMENDED_ALARMS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html"

#: Dimension values that name a resource of the exported bundle (the export resolves them);
#: any other value is used as written (e.g. CloudFront's ``Region = Global``).
RESOURCE_ROLES = ("instance", "auto_scaling_group", "ecs_cluster", "ecs_service", "function",
                  "volume", "table", "db_instance", "db_replica", "cache_cluster",
                  "distribution", "search_domain", "account_id")


def monitor(
    mid: str,
    category: str,
    option: str,
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    threshold: float,
    comparison: str,
    text: str,
    page: str,
    period_s: int = 300,
    evaluation_periods: int = 3,
    datapoints_to_alarm: int | None = None,
    **extra: Any,
) -> Monitor:
    """One alarm; ``text`` is the reason (the page is appended so the reason cites it).

    The rules' own values (exact types, within the field bounds) are assembled without
    validating them again (:func:`~recommender.rules.base.assembled`); anything else goes
    to ``Monitor(...)``, which coerces or refuses as before.
    """
    url = PAGES[page]
    value = round(float(threshold), 3)
    datapoints = datapoints_to_alarm or evaluation_periods
    why = reason(f"monitor.{mid}", PERF05_MONITOR, f"{text} ({url})")
    unit, expression = extra.get("unit"), extra.get("expression")
    metrics = extra.get("metrics", [])
    if (type(mid) is str and type(category) is str and type(option) is str
            and type(namespace) is str and type(metric) is str and type(statistic) is str
            and type(comparison) is str and comparison in _COMPARISONS
            and type(period_s) is int and period_s >= 10
            and type(evaluation_periods) is int and evaluation_periods >= 1
            and type(datapoints) is int and datapoints >= 1
            and (unit is None or type(unit) is str)
            and (expression is None or type(expression) is str)
            and type(metrics) is list and type(dimensions) is dict
            and len(extra) <= 3 and _EXTRA.issuperset(extra)
            and all(type(m) is str for m in metrics)
            and all(type(k) is str and type(v) is str for k, v in dimensions.items())):
        return assembled(Monitor, {
            "id": mid, "category": category, "option": option, "namespace": namespace,
            "metric": metric, "dimensions": dict(dimensions), "statistic": statistic,
            "threshold": value, "comparison": comparison, "period_s": period_s,
            "evaluation_periods": evaluation_periods, "datapoints_to_alarm": datapoints,
            "unit": unit, "expression": expression, "metrics": list(metrics),
            "reason": why, "source_url": url}, _GIVEN | extra.keys())
    return Monitor(
        id=mid, category=category, option=option, namespace=namespace, metric=metric,
        dimensions=dimensions, statistic=statistic, threshold=value, comparison=comparison,
        period_s=period_s, evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints, reason=why, source_url=url, **extra,
    )


#: The optional fields :func:`monitor` takes as ``extra``, the ones it always gives, and
#: the comparisons CloudWatch has (the field's Literal).
_EXTRA = frozenset({"unit", "expression", "metrics"})
_GIVEN = frozenset(Monitor.model_fields) - _EXTRA
_COMPARISONS = frozenset(get_args(Monitor.model_fields["comparison"].annotation))


def num(d: dict[str, Any], *keys: str) -> float | None:
    """The first numeric value of ``keys`` in ``d`` (None when none is a number)."""
    for k in keys:
        v = d.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None
