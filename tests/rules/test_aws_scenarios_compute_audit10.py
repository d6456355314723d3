"""AWS-documented compute and serverless scenarios, audit 10 (issue 9).

* Lambda function timeout (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html):
  "Timeout is the maximum amount of time in seconds that a Lambda function can run. The
  default value for this setting is 3 seconds, but you can adjust this in increments of 1
  second up to a maximum value of 900 seconds", and "If the timeout value is close to the
  average duration of a function, there is a higher risk that the function will time out
  unexpectedly."  A function offered for a 60 s duration must not be exported, nor watched,
  with a 30 s timeout: every invocation would time out.
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
