"""AWS-documented compute and serverless scenarios, audit 10 (issue 9).

* Lambda function timeout (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html):
  "Timeout is the maximum amount of time in seconds that a Lambda function can run. The
  default value for this setting is 3 seconds, but you can adjust this in increments of 1
  second up to a maximum value of 900 seconds", and "If the timeout value is close to the
  average duration of a function, there is a higher risk that the function will time out
  unexpectedly."  A function offered for a 60 s duration must not be exported, nor watched,
  with a 30 s timeout: every invocation would time out.
* Reserved Instances and Savings Plans
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-reserved-instances.html#ri-payment-options,
  https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html): a
  commitment the profile asks for (``purchase_options``, term, payment) that the catalog has no
  rate for is priced on-demand instead; the option names the commitment in ``unpriced``, not
  only a response-wide warning, so its figure is never read as the committed one.
* Unlimited mode for burstable instances (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
  burstable-performance-instances-unlimited-mode-concepts.html): "If the average CPU usage over
  a 24-hour period exceeds the baseline, the instance is billed for the additional usage at a
  flat additional rate per vCPU-hour"; one CPU credit is one vCPU-minute
  (burstable-credits-baseline-concepts.html).  The reason gives the rate and the page.
"""

from __future__ import annotations

import json
from typing import Any

from recommender.core.engine import recommend
from recommender.rules.monitoring.compute import lambda_duration
from recommender.surfaces.export import chosen_bundle, render_cloudformation


def _lambda(cat: Any, duration_ms: float) -> Any:
    r = recommend({"region": "us-east-1", "top_n": 50, "compute": {
        "event_driven": True, "invocations_per_month": 2_000, "duration_ms": duration_ms,
        "memory_mb_used": 300}}, catalog=cat, models=False)
    return r, next(o for o in r.recommendations.compute if o.kind == "lambda")


def test_a_60_s_function_gets_a_timeout_above_its_duration(cat: Any) -> None:
    # 60,000 ms = 60 s; twice the duration (the margin) = 120 s, within the 900 s maximum.
    r, o = _lambda(cat, 60_000)
    assert o.config["timeout_s"] == 120
    assert any(x.rule == "lambda.timeout" and "configuration-timeout" in x.text
               for x in o.reasons)
    fn = json.loads(render_cloudformation(chosen_bundle(r.model_dump(mode="json"))))
    assert fn["Resources"]["Function"]["Properties"]["Timeout"] == 120
    # The alarm at 80% of the timeout: 0.8 x 120,000 ms = 96,000 ms, above the 60,000 ms run.
    assert lambda_duration(o)[0].threshold == 96_000


def test_an_800_s_function_gets_the_900_s_maximum_with_a_caution(cat: Any) -> None:
    # 2 x 800 s = 1,600 s exceeds the 900 s maximum: the timeout is 900 s, and 800 / 900 =
    # 89% of it, close to the duration, which AWS says risks timing out.
    _, o = _lambda(cat, 800_000)
    assert o.config["timeout_s"] == 900
    t = next(x for x in o.reasons if x.rule == "lambda.timeout")
    assert t.severity == "caution" and "89%" in t.text


def test_a_short_function_keeps_the_30_s_default(cat: Any) -> None:
    # 250 ms x 2 = 0.5 s, below the export's 30 s: 30 s, with nothing to say.
    _, o = _lambda(cat, 250)
    assert o.config["timeout_s"] == 30
    assert not any(x.rule == "lambda.timeout" for x in o.reasons)


def _committed(cat: Any, payment: str) -> Any:
    return recommend({"region": "us-east-1", "top_n": 3,
                      "purchase_options": ["reserved", "savings_plan"],
                      "purchase_term_years": 3, "purchase_payment": payment,
                      "compute": {"vcpus": 4, "memory_gib": 16, "arch": "x86_64"}},
                     catalog=cat, models=False)


def test_an_unpriced_commitment_is_named_on_the_option(cat: Any) -> None:
    # The catalog's ec2_commitments rows for m6a.xlarge in us-east-1 are reserved_standard
    # 1y and 3y no upfront only: no 3y partial upfront RI, no Savings Plan.
    rows = cat.ec2_commitments.query(
        "instance_type == 'm6a.xlarge' and region == 'us-east-1'")
    assert set(zip(rows["offering"], rows["term_years"], rows["payment"], strict=True)) == {
        ("reserved_standard", 1, "no_upfront"), ("reserved_standard", 3, "no_upfront")}
    r = _committed(cat, "partial_upfront")
    o = r.recommendations.compute[0]
    assert (o.option, o.purchase_option) == ("m6a.xlarge", "on_demand")
    # On-demand $0.1728/h x 730 h = $126.144.
    assert o.monthly_cost_usd == 126.14
    items = [u.item for u in o.unpriced]
    assert items == ["Reserved Instances 3y partial upfront (m6a.xlarge)",
                     "Savings Plans 3y partial upfront (m6a.xlarge)"]
    assert all("the cost shown is on-demand" in u.reason and "https://" in u.reason
               for u in o.unpriced)
    assert items[0] in [u.item for u in r.bundle.unpriced]


def test_a_priced_commitment_names_only_the_one_missing(cat: Any) -> None:
    # 3y no upfront RI: $0.07838/h x 730 h = $57.2174; the Savings Plan has no rate.
    o = _committed(cat, "no_upfront").recommendations.compute[0]
    assert (o.option, o.purchase_option, o.monthly_cost_usd) == ("m6a.xlarge", "reserved",
                                                                 57.22)
    assert [u.item for u in o.unpriced] == ["Savings Plans 3y no upfront (m6a.xlarge)"]
    assert "the cost shown is reserved 3y no upfront" in o.unpriced[0].reason


def test_on_demand_alone_names_nothing(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "top_n": 3, "compute": {
        "vcpus": 4, "memory_gib": 16, "arch": "x86_64"}}, catalog=cat, models=False)
    assert all(o.unpriced == [] for o in r.recommendations.compute)


def test_unlimited_mode_names_its_rate_and_the_page(cat: Any) -> None:
    # 2 vCPUs at 35% average on t3a.medium (2 vCPUs, 20% baseline per vCPU, 24 credits/h):
    # (0.35 - 0.20) x 2 vCPU x 60 min x 730 h = 13,140 surplus credits = 219.0 vCPU-hours;
    # at the catalog's t3a rate of $0.05 per vCPU-hour: $10.95 a month.
    rate = cat.facts.query("topic == 'burstable' and "
                           "key == 'unlimited_surplus_credit_usd_per_vcpu_hour' and "
                           "scope.str.startswith('t3a')")
    assert float(rate["value"].iloc[0]) == 0.05
    r = recommend({"region": "us-east-1", "top_n": 3, "compute": {
        "vcpus": 2, "memory_gib": 4, "arch": "x86_64",
        "cpu_utilization": {"average_pct": 35, "p95_pct": 50, "peak_pct": 60}}},
        catalog=cat, models=False)
    o = next(x for x in r.recommendations.compute if x.option == "t3a.medium")
    assert o.config["credit_mode"] == "unlimited"
    text = next(x.text for x in o.reasons if x.rule == "burst.credits")
    assert "13,140 surplus credits a month per node" in text
    assert "219.0 vCPU-hours at $0.05 per vCPU-hour" in text and "$10.95" in text
    assert "burstable-performance-instances-unlimited-mode-concepts.html" in text
