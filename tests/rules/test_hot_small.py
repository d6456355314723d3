"""Small hot-path rewrites (issue 11) against what they replace or a hand-written case.

The references are numpy's own functions (``np.nanmin``, ``np.clip``, ``np.mean``/``np.max``)
on the same values, or texts and counts written out by hand; never the new code's output.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from recommender.core.profile import parse_profile
from recommender.core.response import Option, Recommendations, Unpriced
from recommender.rules.bundle import build_bundle
from recommender.rules.compute.elasticity import TARGET_BOUNDS, startup_target
from recommender.rules.compute.select import _nanmin
from recommender.rules.rank import RankTable, rank


@pytest.mark.parametrize("seed", range(4))
def test_nanmin_is_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(500):
        a = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, 2.0, 1e300],
                       int(rng.integers(1, 12)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = float(np.nanmin(a))
            got = _nanmin(a)
        assert (math.isnan(got) and math.isnan(want)) or (got == want and math.copysign(
            1.0, got) == math.copysign(1.0, want))


def test_nanmin_all_nan_still_warns() -> None:
    with pytest.warns(RuntimeWarning):
        assert math.isnan(_nanmin(np.array([np.nan, np.nan])))


@pytest.mark.parametrize("seed", range(3))
def test_startup_target_clips_as_np_clip(seed: int) -> None:
    """The target is 100 / (1 + P95 rise) clipped to TARGET_BOUNDS, as np.clip gives it."""
    rng = np.random.default_rng(seed)
    for _ in range(300):
        demand = rng.gamma(2.0, float(rng.uniform(0.1, 10)), int(rng.integers(2, 300)))
        demand[rng.random(len(demand)) < 0.05] = 0.0  # zero levels: rises over 1e-9
        w = int(rng.integers(1, 4))
        if len(demand) <= w:
            continue
        rise = demand[w:] - demand[:-w]
        r95 = float(np.percentile(np.maximum(rise, 0.0) / np.maximum(demand[:-w], 1e-9), 95))
        want = float(np.clip(100.0 / (1.0 + r95), *TARGET_BOUNDS))
        assert startup_target(demand, 1.0, w * 60.0) == want


def test_startup_target_hand_case() -> None:
    # Demand doubles each minute: rise / level = 1 everywhere, so 100 / (1 + 1) = 50 %.
    assert startup_target(np.array([1.0, 2.0, 4.0, 8.0]), 1.0, 60.0) == 50.0
    # Flat demand: no rise, 100 % clipped to the upper bound (90 %).
    assert startup_target(np.array([3.0, 3.0, 3.0]), 1.0, 60.0) == TARGET_BOUNDS[1]


def _opt(option: str, cost: float | None, unpriced: list[Unpriced], kind: str = "ebs") -> Option:
    return Option(rank=1, option=option, kind=kind, score=1.0, monthly_cost_usd=cost,
                  unpriced=unpriced)


def test_bundle_names_each_unpriced_cost_once() -> None:
    """An instance-store host and its storage are one option seen twice: its unpriced cost
    is listed once; a different reason for the same item is a second entry."""
    a = Unpriced(item="S3 GET requests", reason="usage")
    b = Unpriced(item="S3 GET requests", reason="usage")  # equal, another object
    c = Unpriced(item="S3 GET requests", reason="other")
    recs = Recommendations(storage=[_opt("s3", 1.0, [a, b, c])],
                           network=[_opt("cloudfront", 2.0, [b], kind="cloudfront")])
    bundle = build_bundle(recs, parse_profile({"storage": {"size_gib": 10}}))
    assert bundle is not None
    assert [(u.item, u.reason) for u in bundle.unpriced] == [
        ("S3 GET requests", "usage"), ("S3 GET requests", "other")]
    assert bundle.total_monthly_usd == 3.0


def test_rank_reasons_say_first_the_same_for_every_option() -> None:
    """Hand case: costs 10, 12, 9 (ids a, b, c), objective cost, no risk: c is #1."""
    t = RankTable(ids=np.array(["a", "b", "c"], dtype=object),
                  cost=np.array([10.0, 12.0, 9.0]), risk=np.zeros(3),
                  capacity=np.ones(3))
    r = rank(t, "cost")
    unit = "effective monthly cost, cheapest first"
    assert r.reason(2).text == f"Rank 1 by objective cost ({unit}): #1 at $9.00/month, risk 0."
    assert r.reason(0).text == (f"Rank 2 by objective cost ({unit}): $10.00/month, $1.00/month "
                                "more than #1 (c); risk 0, #1: risk 0.")
    assert r.reason(1).text == (f"Rank 3 by objective cost ({unit}): $12.00/month, $3.00/month "
                                "more than #1 (c); risk 0, #1: risk 0.")
    assert r.reason(0).text == r.reason(0).text  # (asked twice: the same)


def test_profile_echo_is_a_fresh_dump_each_time() -> None:
    """A WorkloadProfile given twice is echoed as its dump both times, and a response's
    echo is its own: changing one (nested list included) does not reach the next."""
    from recommender import recommend

    series = [float(x % 7) * 10.0 for x in range(288)]
    p = parse_profile({"name": "echo", "compute": {"vcpus": 2, "memory_gib": 4,
                                                   "utilization_series_pct": series},
                       "explain": ["m5.large"]})
    want = p.model_dump(mode="json", exclude_none=True)
    first = recommend(p, models=False)
    assert first.profile == want
    first.profile["compute"]["utilization_series_pct"].append(1.0)
    first.profile["explain"].clear()
    first.profile["name"] = "changed"
    second = recommend(p, models=False)
    assert second.profile == want
    assert second.profile["compute"]["utilization_series_pct"] == series
    assert recommend(want, models=False).profile == want  # from a dict: the same echo
