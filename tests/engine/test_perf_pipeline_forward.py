"""Issue 11 hot path: later stages take what earlier ones computed, and the models the
engine assembles without validating them again (options, bundle components, alarms) equal
the validated ones.

The figures the stages hand on are the engine's own (nothing here is a price): these tests
count calls and compare models, so they fail when a stage prices or chooses again (the
CloudFront data out priced three times a call, the bundle's host chosen twice) or when an
assembled model differs in any field, or in the fields it says were given, from what
``Model(**fields)`` makes of the same values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import recommender.core.engine as engine
import recommender.rules.bundle as bundle_rules
import recommender.rules.monitoring as monitoring
from recommender import recommend
from recommender.core.response import Monitor, Option, RecommendationResponse, Recommendations
from recommender.rules.monitoring.base import monitor
from recommender.rules.prices import PriceBook

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

#: Static content above network.STATIC_SHARE_FOR_CDN with egress above the compression
#: heuristic: CloudFront is offered and the compression stake is priced through it.
CDN_PROFILE: dict[str, Any] = {
    "region": "us-east-1",
    "compute": {"vcpus": 4, "memory_gib": 8},
    "storage": {"size_gib": 200},
    "network": {"egress_gib_per_month": 5000, "static_content_fraction": 0.6,
                "user_regions": {"us-east-1": 0.5, "eu-west-1": 0.5}},
}


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls = [0]
    real = getattr(module, name)

    def counted(*a: Any, **k: Any) -> Any:
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_cloudfront_data_out_is_priced_once_per_volume(cat, monkeypatch) -> None:
    """The network stage prices CloudFront's data out; the compression stake reuses it and
    prices only the 90 % volume: each users' geography (United States, EU) is looked up
    twice per call.

    Before: three times (the network option, then the stake's full egress and 90 % of it,
    each through network.cloudfront_cost on a model_copy of the profile).
    """
    geos: list[str] = []
    real = PriceBook.cost

    def cost(self: PriceBook, item: str, region: str, *a: Any, **k: Any) -> Any:
        if item == "cloudfront.data_out":
            geos.append(region)
        return real(self, item, region, *a, **k)

    monkeypatch.setattr(PriceBook, "cost", cost)
    r = recommend(CDN_PROFILE, catalog=cat)
    stake = next(x for o in r.recommendations.tradeoffs if o.option == "compression"
                 for x in o.reasons if x.rule == "tradeoff.compression.stake")
    assert "from CloudFront's edge tiers" in stake.text
    assert sorted(geos) == ["edge:EU", "edge:EU", "edge:United States", "edge:United States"]


def test_bundle_host_is_chosen_once_per_call(cat, monkeypatch) -> None:
    """The bundle and its alarms share one choice of host (before: each chose it)."""
    calls = _count(monkeypatch, engine, "bundle_host")
    again = _count(monkeypatch, bundle_rules, "bundle_host")
    alarms = _count(monkeypatch, monitoring, "bundle_host")
    r = recommend(CDN_PROFILE, catalog=cat)
    assert r.monitoring and r.bundle is not None
    assert (calls[0], again[0], alarms[0]) == (1, 0, 0)


def _revalidated(m: BaseModel) -> BaseModel:
    """``type(m)(**given)`` of the fields ``m`` says were given, nested models revalidated."""
    def value(v: Any) -> Any:
        if isinstance(v, BaseModel):
            return _revalidated(v)
        if isinstance(v, list):
            return [value(x) for x in v]
        return v

    return type(m)(**{k: value(getattr(m, k)) for k in m.model_fields_set})


def _assert_same(a: BaseModel, b: BaseModel, path: str) -> None:
    assert type(a) is type(b), path
    assert a.model_fields_set == b.model_fields_set, path
    for k in type(a).model_fields:
        x, y = getattr(a, k), getattr(b, k)
        if isinstance(x, BaseModel):
            _assert_same(x, y, f"{path}.{k}")
        elif isinstance(x, list) and x and isinstance(x[0], BaseModel):
            assert len(x) == len(y), f"{path}.{k}"
            for i, (u, w) in enumerate(zip(x, y, strict=True)):
                _assert_same(u, w, f"{path}.{k}[{i}]")
        else:
            assert type(x) is type(y) and x == y, f"{path}.{k}"


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.profile.json"))
                         + ["cdn"])
def test_assembled_response_equals_the_validated_one(cat, name: str) -> None:
    """Every model of a response (options, bundle components, alarms...) equals what
    validation makes of its given fields, with the same fields set."""
    prof = CDN_PROFILE if name == "cdn" else json.loads((GOLDEN / name).read_text())
    r = recommend(prof, catalog=cat)
    _assert_same(r, _revalidated(r), "response")
    assert r.model_dump_json() == RecommendationResponse.model_validate_json(
        r.model_dump_json()).model_dump_json()


def test_a_monitor_out_of_its_field_rules_is_refused_as_before() -> None:
    """Values the fast path does not take go to Monitor's validation, which refuses an
    unknown comparison or a period under 10 s as it always did; a valid alarm lists the
    fields it was given (``metrics`` not given, ``unit`` given)."""
    kw: dict[str, Any] = dict(namespace="AWS/EC2", metric="CPUUtilization",
                              dimensions={"InstanceId": "instance"}, statistic="Average",
                              threshold=80, comparison="GreaterThanThreshold", text="t",
                              page="AWS/EC2")
    m = monitor("x", "compute", "m7g.large", unit="Percent", **kw)
    assert m == Monitor(**{k: getattr(m, k) for k in m.model_fields_set})
    assert "metrics" not in m.model_fields_set and "unit" in m.model_fields_set
    with pytest.raises(ValueError, match="comparison"):
        monitor("x", "compute", "m7g.large", **{**kw, "comparison": "Above"})
    with pytest.raises(ValueError, match="period_s"):
        monitor("x", "compute", "m7g.large", period_s=5, **kw)


def test_ec2_prices_are_remembered_by_type_not_config(cat) -> None:
    """An EC2 option's recorded prices depend on its type, purchase option and rank only
    (price_record._ec2 reads no config), so they are remembered whatever its config holds:
    before, a config value that cannot be a key (a list) meant a look-up every call."""
    from recommender.rules.price_record import _memo_key, option_prices, prices_used
    from recommender.rules.prices import per_catalog

    o = Option(rank=1, option="m7g.large", kind="ec2", score=1.0, monthly_cost_usd=59.57,
               region="us-east-1", config={"arch": ["arm64"], "instance_type": "m7g.large"})
    assert _memo_key("compute", o, "us-east-1") is not None
    memo: dict[Any, Any] = per_catalog("price_record.prices_used", cat, lambda c: {})
    recs = Recommendations(compute=[o])
    rows = prices_used(recs, cat, "us-east-1")
    assert rows == option_prices(cat, "compute", o, "us-east-1") and rows
    assert memo[_memo_key("compute", o, "us-east-1")] == rows
