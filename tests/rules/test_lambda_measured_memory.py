"""``compute.measured_memory_mb``: the Lambda memory setting a duration was measured at.

Before, a profile could not say it: ``duration_ms`` was always "taken as measured at" the
rules' floor (memory used + 20 %), so a function timed at 512 MB was priced and predicted
as if timed at 480 MB.  Lambda's settings run "between 128 MB and 10,240 MB in 1-MB
increments" and CPU is allocated in proportion to memory
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).

Prices (us-east-1, the catalog's Lambda rows, https://aws.amazon.com/lambda/pricing/): Arm
$0.0000133334 per GB-second, $0.20 per 1M requests, free tier 1,000,000 requests and
400,000 GB-seconds a month.
"""

from __future__ import annotations

from typing import Any

import pytest

from recommender.core.engine import recommend
from recommender.core.errors import ProfileError

ARM_GBS = 0.0000133334
REQ = 0.20 / 1e6


def _lambda(compute: dict[str, Any], models: Any = False) -> Any:
    r = recommend({"top_n": 50, "compute": {"event_driven": True,
                                            "invocations_per_month": 3_000_000, **compute}},
                  models=models)
    return next(o for o in r.options("compute") if o.kind == "lambda")


def _cost(mb: float, ms: float) -> float:
    gbs = 3_000_000 * ms / 1000 * mb / 1024
    return round((3_000_000 - 1_000_000) * REQ + (gbs - 400_000) * ARM_GBS, 2)


def test_rules_keep_the_measured_setting() -> None:
    # 1,000 ms measured at 512 MB, 400 MB used: the rules' floor is 480 MB, but the only size
    # whose duration is known is 512 MB. 3M x 1 s x 0.5 GB = 1,500,000 GB-s - 400,000 free
    # = 1,100,000 x $0.0000133334 = $14.67; requests 2M x $0.20/M = $0.40; $15.07.
    o = _lambda({"duration_ms": 1000, "memory_mb_used": 400, "measured_memory_mb": 512})
    assert o.config["memory_mb"] == 512
    assert o.monthly_cost_usd == pytest.approx(15.07, abs=0.005) == _cost(512, 1000)
    assert "compute.measured_memory_mb" in o.reasons[0].text


def test_a_size_the_function_ran_at_is_never_refused() -> None:
    # Measured at 400 MB with 400 MB used: below the floor's 20 % headroom (480 MB), but it
    # ran there. 3M x 1 s x 0.390625 GB = 1,171,875 - 400,000 = 771,875 GB-s x
    # $0.0000133334 = $10.29 + $0.40 = $10.69 (at 480 MB it would be $13.82).
    o = _lambda({"duration_ms": 1000, "memory_mb_used": 400, "measured_memory_mb": 400})
    assert o.config["memory_mb"] == 400
    assert o.monthly_cost_usd == pytest.approx(10.69, abs=0.005)


@pytest.mark.parametrize("models", [None, False])
def test_the_measured_run_is_reproduced_where_it_ran(models: Any) -> None:
    # 6 vCPUs per invocation need the largest setting, 10,240 MB (AWS: 6 vCPUs there), the
    # size it was measured at: 100 ms there, as measured; 3M x 0.1 s x 10 GB = 3,000,000
    # GB-s - 400,000 = 2,600,000 x $0.0000133334 = $34.67 + $0.40 = $35.07.
    o = _lambda({"vcpus": 6, "duration_ms": 100, "memory_mb_used": 400,
                 "measured_memory_mb": 10240}, models=models)
    assert o.config["memory_mb"] == 10240
    assert o.predicted["billed_duration_ms"] == 100
    assert o.monthly_cost_usd == pytest.approx(35.07, abs=0.005)


def test_the_model_reads_the_measured_setting() -> None:
    # The model's query carries the run at the measured setting, not at the floor.
    o = _lambda({"duration_ms": 1000, "memory_mb_used": 400, "measured_memory_mb": 512},
                models=None)
    assert "measured at 512 MB, compute.measured_memory_mb" in o.reasons[0].text
    plain = _lambda({"duration_ms": 1000, "memory_mb_used": 400}, models=None)
    assert "taken as measured at 480 MB" in plain.reasons[0].text


@pytest.mark.parametrize(("compute", "words"), [
    ({"measured_memory_mb": 1024}, "measured_memory_mb needs duration_ms"),
    ({"duration_ms": 50, "memory_mb_used": 2000, "measured_memory_mb": 1024},
     "memory_mb_used (2000 MB) is above measured_memory_mb (1024 MB)"),
    ({"duration_ms": 50, "measured_memory_mb": 64}, "compute.measured_memory_mb"),
    ({"duration_ms": 50, "measured_memory_mb": 20000}, "compute.measured_memory_mb"),
])
def test_bad_settings_name_the_field(compute: dict[str, Any], words: str) -> None:
    with pytest.raises(ProfileError) as err:
        recommend({"compute": compute}, models=False)
    assert words in str(err.value)


@pytest.mark.parametrize("models", [None, False])
def test_without_memory_used_the_measured_setting_is_the_floor(models: Any) -> None:
    # The Lambda pricing page's example (https://aws.amazon.com/lambda/pricing/): 512 MB,
    # 3M invocations of 1 s a month, x86: 3M x 1 s x 0.5 GB = 1,500,000 GB-s - 400,000 free
    # = 1,100,000 x $0.0000166667 = $18.33 + (3M - 1M) x $0.20/M = $0.40 -> $18.73.  With no
    # memory used given, nothing below 512 MB is known to hold the function; before, the
    # cost objective went to 128 MB (4,000 ms predicted), where it may run out of memory.
    r = recommend({"objective": "cost", "top_n": 50, "compute": {
        "arch": "x86_64", "event_driven": True, "invocations_per_month": 3_000_000,
        "duration_ms": 1000, "measured_memory_mb": 512}}, models=models)
    o = next(o for o in r.options("compute") if o.kind == "lambda")
    assert o.config["memory_mb"] == 512
    assert o.monthly_cost_usd == pytest.approx(18.73, abs=0.005)
