"""``built_option``: the engine's options built without re-validation are the models
pydantic would build, and anything it would coerce or refuse still goes through it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from recommender.core.response import Option, Reason, Unpriced, built_option


def _fields(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(
        rank=1, option="m7g.large", kind="ec2", count=2, purchase_option="on_demand",
        score=0.5, monthly_cost_usd=119.14, performance_risk=1.0,
        predicted={"capacity": 2.1}, reasons=[Reason(rule="r", best_practice="b", text="t")],
        config={"instance_type": "m7g.large"}, verify=False, region="us-east-1")
    base.update(over)
    return base


@pytest.mark.parametrize("extra", [{}, {"unpriced": []},
                                   {"unpriced": [Unpriced(item="i", reason="r")]}])
def test_same_model_as_validation(extra: dict[str, Any]) -> None:
    kw = _fields(**extra)
    got, want = built_option(**kw), Option(**kw)
    assert got == want
    assert got.model_fields_set == want.model_fields_set  # unpriced only when given
    assert got.model_dump_json() == want.model_dump_json()
    assert list(got.__dict__) == list(want.__dict__)


def test_containers_are_copied() -> None:
    kw = _fields()
    got = built_option(**kw)
    assert got.predicted is not kw["predicted"] and got.config is not kw["config"]
    assert got.reasons is not kw["reasons"]
    kw["config"]["instance_type"] = "changed"
    assert got.config["instance_type"] == "m7g.large"


def test_an_int_cost_is_coerced_as_pydantic_does() -> None:
    # An int cost becomes the float 119.0 (JSON "119.0", not "119").
    got = built_option(**_fields(monthly_cost_usd=119))
    assert type(got.monthly_cost_usd) is float
    assert '"monthly_cost_usd":119.0' in got.model_dump_json()


def test_a_numpy_count_is_coerced_as_pydantic_does() -> None:
    got = built_option(**_fields(count=np.int64(3)))
    assert type(got.count) is int and got.count == 3


@pytest.mark.parametrize("bad", [{"score": 1.5}, {"rank": 0}, {"performance_risk": 4.5},
                                 {"count": 0}, {"reasons": ["not a reason"]}])
def test_out_of_bounds_still_raises(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        built_option(**_fields(**bad))
