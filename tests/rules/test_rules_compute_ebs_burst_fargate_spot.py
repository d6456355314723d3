"""EBS-optimized burst and Fargate Spot (issue 9): sizing by AWS's own rules, costs named.

EBS-optimized instances (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html):
"Some instance types can support maximum performance for 30 minutes at least once every 24
hours ... After the maximum performance duration, they revert to baseline performance."  So a
sustained storage load must fit the *baseline* limits; only a load whose peaks last under 30
minutes a day may use the maximum.  Unless the profile says its peaks are that short
(``storage.peak_minutes_per_day`` <= 30, tests/rules/test_storage_peak.py), the engine takes a
storage load as sustained (docs/CONTRACT.md).

The hand example, read from catalog/snapshot/ec2.parquet (columns ebs_baseline_iops,
ebs_max_iops, ebs_baseline_throughput_mbps, ebs_max_throughput_mbps):

    m5.large    baseline 3,600 IOPS / 81.25 MB/s    maximum 18,750 IOPS / 593.75 MB/s
    m5.4xlarge  baseline 18,750 IOPS / 593.75 MB/s  maximum 18,750 IOPS / 593.75 MB/s

A need of 6,000 IOPS lies between m5.large's baseline (3,600) and maximum (18,750): sustained,
it rejects m5.large (and fits m5.4xlarge's 18,750 baseline); bursty, m5.large passes at risk 2
(the "only within burst" step of risk.limit_risk).  100 MiB/s = 100 x 1.048576 = 104.86 MB/s,
above m5.large's 81.25 MB/s baseline and within its 593.75 MB/s maximum: the same two verdicts.

Fargate Spot (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
fargate-capacity-providers.html) runs interruption-tolerant tasks at a discount, x86_64 Linux
only.  The catalog has no Fargate Spot price (facts/fargate_facts.csv and the price feed list
on-demand rows only), so an interruption-tolerant Fargate option names it as unpriced and keeps
the on-demand cost: 0.25 vCPU x $0.03238 + 0.5 GB x $0.00356 (arm64, us-east-1,
https://aws.amazon.com/fargate/pricing/) = $0.009875/h x 730 h = $7.21/month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommender import recommend
from recommender.rules.compute.candidates import (
    EBS_OPTIMIZED_URL,
    FilterContext,
    ec2_index,
    filter_ebs,
)
from recommender.rules.compute.fargate import FARGATE_SPOT_ITEMS, FARGATE_SPOT_URL
from recommender.rules.compute.risk import ebs_burst_reason, ec2_risk

#: Read by hand from catalog/snapshot/ec2.parquet (see the module docstring).
M5_LARGE = {"base_iops": 3600.0, "max_iops": 18750.0, "base_mbps": 81.25, "max_mbps": 593.75}
M5_4XLARGE_BASE_IOPS = 18750.0


@pytest.fixture(scope="module")
def ix(cat: Any) -> Any:
    return ec2_index(cat)


def _ctx(ix: Any, *, iops: float | None = None, mibps: float | None = None,
         sustained: bool = True) -> FilterContext:
    return FilterContext(
        region="us-east-1", vcpus_need=None, vcpus_max=None, memory_need=None, memory_max=None,
        gpus_min=None, gpus_max=None, arch=("x86_64", "arm64"), count=np.ones(ix.n),
        max_nodes=None, parallelism=None, horizontal=False, tightly_coupled=False,
        bandwidth_gbps=None, ebs_iops=iops, ebs_mibps=mibps, price=np.ones(ix.n),
        ebs_sustained=sustained)


def test_the_hand_example_matches_the_catalog_columns(ix: Any) -> None:
    i = ix.pos["m5.large"]
    assert (ix.ebs_base_iops[i], ix.ebs_max_iops[i]) == (M5_LARGE["base_iops"],
                                                         M5_LARGE["max_iops"])
    assert (ix.ebs_base_mbps[i], ix.ebs_max_mbps[i]) == (M5_LARGE["base_mbps"],
                                                         M5_LARGE["max_mbps"])
    assert ix.ebs_base_iops[ix.pos["m5.4xlarge"]] == M5_4XLARGE_BASE_IOPS


def test_a_sustained_need_above_the_baseline_rejects_the_type(ix: Any) -> None:
    check = filter_ebs(ix, _ctx(ix, iops=6000))
    i = ix.pos["m5.large"]
    assert not check.mask[i]  # 6,000 > 3,600 baseline, though <= 18,750 maximum
    assert check.mask[ix.pos["m5.4xlarge"]]  # 18,750 baseline carries it
    assert check.key == "ec2.ebs_limits_below_storage_need"
    why = check.why(i)
    assert "sustains 3600 EBS IOPS" in why and "18750 IOPS" in why
    assert "30 minutes" in why and EBS_OPTIMIZED_URL in why and "sustained" in why


def test_a_bursty_need_may_use_the_maximum_but_not_beyond(ix: Any) -> None:
    i = ix.pos["m5.large"]
    assert filter_ebs(ix, _ctx(ix, iops=6000, sustained=False)).mask[i]
    over = filter_ebs(ix, _ctx(ix, iops=20000, sustained=False))  # > 18,750 maximum
    assert not over.mask[i]
    assert "at most 18750 EBS IOPS" in over.why(i) and EBS_OPTIMIZED_URL in over.why(i)


def test_throughput_follows_the_same_rule(ix: Any) -> None:
    i = ix.pos["m5.large"]
    # 100 MiB/s = 104.86 MB/s: above 81.25 MB/s baseline, within 593.75 MB/s maximum.
    assert not filter_ebs(ix, _ctx(ix, mibps=100)).mask[i]
    assert filter_ebs(ix, _ctx(ix, mibps=100, sustained=False)).mask[i]
    # 75 MiB/s = 78.64 MB/s fits the 81.25 MB/s baseline.
    assert filter_ebs(ix, _ctx(ix, mibps=75)).mask[i]


def _m5_large_risk(iops: float, sustained: bool) -> float:
    m = M5_LARGE
    risk, worst = ec2_risk(
        demand_vcpus=None, vcpus_total=np.array([2.0]), memory_used_gib=None,
        memory_total=np.array([8.0]), ebs_iops=iops, ebs_mbps=None,
        base_iops=np.array([m["base_iops"]]), max_iops=np.array([m["max_iops"]]),
        base_mbps=np.array([m["base_mbps"]]), max_mbps=np.array([m["max_mbps"]]),
        bandwidth_gbps=None, net_base=np.array([0.75]), net_peak=np.array([10.0]),
        ebs_sustained=sustained)
    assert worst[0] == 2 or risk[0] == 0  # the EBS dimension drives it
    return float(risk[0])


def test_risk_sustained_above_baseline_is_very_high_bursty_is_medium() -> None:
    assert _m5_large_risk(6000, sustained=True) == 4.0  # exceeds what it sustains
    assert _m5_large_risk(6000, sustained=False) == 2.0  # only within the 30-minute burst
    assert _m5_large_risk(3000, sustained=True) == 0.0  # within the 3,600 baseline
    assert _m5_large_risk(3000, sustained=False) == 0.0


def test_the_burst_reason_names_the_30_minute_guarantee() -> None:
    r = ebs_burst_reason("m5.large", M5_LARGE["base_iops"], M5_LARGE["base_mbps"])
    assert r.rule == "risk.ebs_burst" and r.severity == "caution"
    assert "3600 IOPS, 81.25 MB/s" in r.text
    assert "30 minutes at least once every 24 hours" in r.text and EBS_OPTIMIZED_URL in r.text


def test_the_engine_takes_the_storage_load_as_sustained(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 8},
                   "storage": {"size_gib": 200, "iops": 6000}},
                  catalog=cat, models=False, explain=["m5.large"])
    assert "m5.large" not in [o.option for o in r.recommendations.compute]
    w = r.why_not[0]
    assert w.verdict == "rejected" and w.rule == "ec2.ebs_limits_below_storage_need"
    assert "30 minutes" in w.text and "3600" in w.text


# --------------------------------------------------------------------------- Fargate Spot


def _fargate(cat: Any, **compute: Any) -> Any:
    r = recommend({"region": "us-east-1",
                   "compute": {"vcpus": 0.25, "memory_gib": 0.5, **compute}},
                  catalog=cat, models=False)
    return next(o for o in r.recommendations.compute if o.option == "fargate")


def test_the_catalog_has_no_fargate_spot_price(cat: Any) -> None:
    # The premise of naming it unpriced: when a source adds these rows, price Fargate Spot.
    items = set(cat.unit_prices["item"]) if hasattr(cat, "unit_prices") else set(
        cat.tables["unit_prices"]["item"])
    assert not items & set(FARGATE_SPOT_ITEMS)
    assert not any("spot" in str(i) for i in items if str(i).startswith("fargate"))


def test_interruption_tolerant_fargate_names_fargate_spot_unpriced(cat: Any) -> None:
    o = _fargate(cat, interruption_tolerant=True)
    assert o.monthly_cost_usd == pytest.approx(7.21, abs=0.01)  # on-demand, hand calc above
    (u,) = [u for u in o.unpriced if u.item == "Fargate Spot (x86_64)"]
    assert "no Fargate Spot price for us-east-1" in u.reason and FARGATE_SPOT_URL in u.reason
    assert "x86_64" in u.reason and u.estimate_monthly_usd is None
    assert any(x.rule == "fargate.spot" and "not priced" in x.text for x in o.reasons)


@pytest.mark.parametrize("compute", [
    {"interruption_tolerant": False},  # spot is not acceptable
    {"interruption_tolerant": True, "arch": "arm64"},  # Fargate Spot runs x86_64 only
])
def test_fargate_spot_is_not_named_where_it_cannot_apply(cat: Any, compute: dict) -> None:
    o = _fargate(cat, **compute)
    assert not [u for u in o.unpriced if "Fargate Spot" in u.item]


def test_spot_left_out_of_the_purchase_options_is_not_named(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "purchase_options": ["on_demand"],
                   "compute": {"vcpus": 0.25, "memory_gib": 0.5, "interruption_tolerant": True}},
                  catalog=cat, models=False)
    o = next(o for o in r.recommendations.compute if o.option == "fargate")
    assert not [u for u in o.unpriced if "Fargate Spot" in u.item]
