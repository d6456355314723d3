"""The memoised texts of the EC2 options shown (issue 11's hot path), against their definitions.

Money and number texts are kept by value, the size reason per type and need, a type's price
texts per pricing, and the rank score has a fast path: each is checked against the plain
definition written out here (the format strings of ``fmt_usd``/``fmt_num``, the score's
clipped quotient) or against hand-written texts, on values chosen to break a careless memo
(-0.0 against 0.0, NaN, halves, huge numbers), and for its scope (another pricing or type
never answers with the first one's text).
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from catalog.store import load_catalog
from recommender.rules import base
from recommender.rules.base import fmt_g, fmt_num, fmt_usd
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.explain import price_texts, size_reasons, type_facts
from recommender.rules.compute.purchase import Pricing
from recommender.rules.rank import Ranking, RankTable


def _usd(x: Any) -> str:
    # fmt_usd's definition: two decimals with separators, four significant digits below a cent
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"${x:,.2f}" if x >= 0.01 else f"${x:.4g}"


def _num(x: Any, digits: int = 3) -> str:
    # fmt_num's definition: integers with separators, else `digits` significant digits
    if x == int(x) and abs(x) < 1e12:
        return f"{int(x):,}"
    return f"{x:,.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def _values(n: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    special = [0.0, -0.0, 0.0, math.nan, math.inf, -math.inf, 0.005, 0.015, 0.0049999,
               0.01, 0.00999, 2.5, 0.125, 1234.5, 999.5, 999.4999, 1000.0, 1e12, 1e12 - 1,
               -1e12, 1e15 + 0.5, 1e300, -2.675, 2.675, 5e-324, 12.5, -0.0, 0.0]
    out: list[Any] = [*special, *special]
    for _ in range(n):
        kind = rng.randrange(6)
        if kind == 0:
            out.append(round(rng.uniform(-5000, 5000), rng.randrange(0, 5)))
        elif kind == 1:
            out.append(rng.randrange(-10**6, 10**6) / 2 ** rng.randrange(0, 12))
        elif kind == 2:
            out.append(math.ldexp(rng.random(), rng.randrange(-40, 60)) * rng.choice([1, -1]))
        elif kind == 3:
            out.append(float(rng.randrange(0, 5000)))
        elif kind == 4:
            out.append(rng.choice(out))  # repeats: a kept text is read back
        else:
            out.append(rng.uniform(0, 0.02))
    return out


def test_money_and_number_texts_equal_their_definitions_kept_or_not() -> None:
    # Each value twice (written, then read back from the memo), interleaved with its equal
    # keys: -0.0 after 0.0 must still print "$-0", a NaN never reads another NaN's text.
    values = _values(6000, seed=1)
    for x in values + values[::-1]:
        assert fmt_usd(x) == _usd(x), x
        if isinstance(x, float) and not math.isfinite(x):
            with pytest.raises((ValueError, OverflowError)):
                fmt_num(x)
            continue
        assert fmt_num(x) == _num(x), x
        assert fmt_num(x, 2) == _num(x, 2), x
    assert (fmt_usd(0.0), fmt_usd(-0.0), fmt_usd(0.0)) == ("$0", "$-0", "$0")
    # Other types format as before and are not kept: ints, numpy floats, None.
    for x in (0, 7, 1234567, np.float64(1234.5), np.float64(-0.0), np.float32(0.1), None):
        assert fmt_usd(x) == _usd(x)
        if x is not None:
            assert fmt_num(x) == _num(x)


def test_memo_of_texts_is_emptied_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_TEXTS_MAX", 8)
    monkeypatch.setattr(base, "_USD_TEXTS", {})
    for j in range(40):
        x = 1.5 + j
        assert fmt_usd(x) == _usd(x)
        assert len(base._USD_TEXTS) <= 8
    assert fmt_usd(1.5) == "$1.50"


def test_risk_text_is_the_g_format_of_the_value() -> None:
    for x in [0.0, -0.0, 0.0, 1.0, 2.5, 4.0, math.nan, math.inf, 1e-7, 123456789.0,
              np.float64(2.0), np.float64(-0.0), np.float32(0.1), 3, np.int64(2)]:
        assert fmt_g(x) == f"{x:g}", x
    assert (fmt_g(0.0), fmt_g(-0.0)) == ("0", "-0")


def _score_definition(key: np.ndarray, first: int | None) -> np.ndarray:
    # key of #1 / key of each option, capped to [0, 1]: a non-finite key ranks as inf, a key
    # at or below zero scores 1; with #1 not finite, NaN quotients score 0, infinite ones 1.
    k = np.where(np.isfinite(key), key, np.inf)
    best = float(k[first]) if first is not None else math.inf
    if math.isfinite(best):
        s = np.ones(len(k))
        s[k > 0] = best / k[k > 0]
        return np.minimum(np.maximum(s, 0.0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(k > 0, best / k, 1.0)
    out: np.ndarray = np.clip(np.nan_to_num(s, nan=0.0, posinf=1.0), 0.0, 1.0)
    return out


def test_rank_score_equals_its_definition_on_random_keys() -> None:
    rng = np.random.default_rng(3)
    for trial in range(3000):
        n = int(rng.integers(1, 40))
        key = rng.choice([1.0, 10.0, 1000.0]) * rng.random(n)
        if trial % 2:
            key = np.round(key, int(rng.integers(0, 3)))  # ties
        if trial % 3 == 0:
            key[rng.integers(0, n, size=int(rng.integers(1, 3)))] = rng.choice(
                [np.inf, np.nan, 0.0, -0.0, -1.0, -np.inf])
        if trial % 5 == 0:  # #1 a little above another key (ranked on the rounded key)
            key[0] = key.min() * (1 + 1e-9)
        t = RankTable(ids=np.array([f"o{j}" for j in range(n)], dtype=object), cost=key,
                      risk=np.zeros(n), capacity=np.ones(n))
        first = int(rng.integers(0, n))
        r = Ranking("cost", np.array([first, *[j for j in range(n) if j != first]]), key,
                    "u", t)
        got = r.score
        want = _score_definition(key, first)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))


def _facts(ix: Any, itype: str) -> Any:
    return type_facts([None] * ix.n, ix, ix.pos[itype])  # a memo of its own


def _row(f: Any, *, n: int = 1, eff: float = 2.0, vcpus: float | None = 2.0,
         demand: float | None = None, memory: float | None = 4.0, burst: bool = False) -> Any:
    need = SimpleNamespace(vcpus=vcpus, demand_vcpus=demand, memory_gib=memory,
                           reasons=[], horizontal=False)
    return SimpleNamespace(facts=f, need=need, count=n, eff_vcpus=eff,
                           burst=object() if burst else None, family_min=None)


def test_size_reason_follows_the_need_it_is_kept_for() -> None:
    # https://aws.amazon.com/ec2/instance-types/m5/: m5.large 2 vCPUs, 8 GiB. Margins by
    # hand: 2 / 2 - 1 = 0%, 8 / 4 - 1 = 100%, 2 / 1.5 - 1 = 33%, 6 / 5 - 1 = 20%,
    # 24 / 20 - 1 = 20%, 1.6 / 1.5 - 1 = 7%.
    ix = ec2_index(load_catalog())
    f = _facts(ix, "m5.large")
    cases = [
        (_row(f), "m5.large gives 2 vCPUs for 2: 0% margin; 8 GiB for 4: 100% margin."),
        (_row(f, vcpus=1.5), "m5.large gives 2 vCPUs for 1.5: 33% margin; 8 GiB for 4: "
                             "100% margin."),
        (_row(f, n=3, vcpus=5.0, memory=20.0), "3 x m5.large gives 6 vCPUs for 5: 20% "
                                               "margin; 24 GiB for 20: 20% margin."),
        (_row(f, eff=1.6, vcpus=1.5, memory=None),
         "m5.large gives 2 vCPUs (1.6 in the need's vCPUs) for 1.5: 7% margin."),
        (_row(f, vcpus=1.0, demand=1.5, burst=True, memory=None),
         "m5.large gives 2 vCPUs for 1.5 (peak, burstable at 100%): 33% margin."),
        (_row(f, vcpus=1.0, demand=1.5, memory=None),
         "m5.large gives 2 vCPUs for 1: 100% margin."),
        (_row(f, vcpus=None, memory=None), "m5.large: no size given, the smallest fit."),
    ]
    for _ in range(2):  # written, then read back: each need its own text
        for row, text in cases:
            (reason,) = size_reasons(row)
            assert (reason.rule, reason.text) == ("compute.size", text)
    # The need's own reasons come first, each time.
    row = _row(f)
    row.need.reasons = ["need reason"]
    assert size_reasons(row)[0] == "need reason"
    # Another type's facts never answer with m5.large's text.
    (other,) = size_reasons(_row(_facts(ix, "c5.large")))
    assert other.text == "c5.large gives 2 vCPUs for 2: 0% margin; 4 GiB for 4: 0% margin."
    # More needs than a type keeps: still each need's own text.
    for j in range(1, 80):
        (reason,) = size_reasons(_row(f, vcpus=None, memory=float(j)))
        assert reason.text == f"m5.large gives 8 GiB for {j}: {(8 / j - 1) * 100:.0f}% margin."


def _pricing(source: str) -> Pricing:
    # Two types: a spot estimate and a 1-year reserved price with a $120 upfront fee.
    return Pricing(
        price=np.array([0.05, 0.08]), po=np.array(["spot", "reserved"], dtype=object),
        as_of=np.array(["2025-01-01", "2025-02-01"], dtype=object),
        source=np.array([source, source], dtype=object), upfront=np.array([np.nan, 120.0]),
        term_years=1, payment="no_upfront", spot=None, verify=np.array([False, True]))


def test_price_texts_are_kept_per_pricing_and_type() -> None:
    ix = SimpleNamespace(spot_band=[["<5%", "5-10%"]])
    pr = _pricing("test-a")
    spot = price_texts(pr, ix, 0, 0, "us-east-1")  # type: ignore[arg-type]
    assert spot.po == "spot" and not spot.unverified and spot.trail == ()
    assert [x.text for x in spot.lead] == [
        "Spot (estimated price; interruption band <5%): the workload tolerates interruption. "
        "EC2 reclaims a Spot Instance with a two-minute interruption notice (https://docs.aws."
        "amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html): drain or "
        "checkpoint the node's work within it."]
    assert spot.tail == " in us-east-1 (spot; price as of 2025-01-01, test-a)."
    assert spot.config == {"price_as_of": "2025-01-01", "price_source": "test-a",
                           "spot_interruption_band": "<5%"}
    res = price_texts(pr, ix, 1, 0, "us-east-1")  # type: ignore[arg-type]
    assert res.po == "reserved" and res.unverified
    assert [x.text for x in res.lead] == [
        "reserved 1y no upfront (reserved_standard): a 1-year commitment, $120.00 upfront "
        "per node spread over the term."]
    assert [(x.rule, x.severity) for x in res.trail] == [("catalog.verify", "verify")]
    assert res.tail == " in us-east-1 (reserved 1y no upfront; price as of 2025-02-01, test-a)."
    assert res.config == {"price_as_of": "2025-02-01", "price_source": "test-a",
                          "term_years": 1, "payment": "no_upfront",
                          "offering": "reserved_standard", "upfront_usd_per_node": 120.0}
    assert price_texts(pr, ix, 0, 0, "us-east-1") is spot  # type: ignore[arg-type]
    # Another pricing (another catalog or profile) answers from its own arrays.
    other = price_texts(_pricing("test-b"), ix, 0, 0, "us-east-1")  # type: ignore[arg-type]
    assert other.tail == " in us-east-1 (spot; price as of 2025-01-01, test-b)."
    assert pr.config(0) == {"price_as_of": "2025-01-01", "price_source": "test-a"}


def test_costs_key_is_the_cost_with_nan_ranked_as_inf() -> None:
    from recommender.rules.rank import _costs

    rng = np.random.default_rng(9)
    for _ in range(200):
        cost = rng.choice([0.0, -0.0, 1.5, np.nan, np.inf, -np.inf, 12.25], size=30)
        cost = np.where(rng.random(30) < 0.5, cost, rng.uniform(0, 500, 30))
        t = RankTable(ids=np.array(["a"] * 30, dtype=object), cost=cost, risk=np.zeros(30),
                      capacity=np.ones(30))
        want = np.where(np.isnan(cost), np.inf, cost)  # unpriced (NaN) ranks last
        got = _costs(t)
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("compute", [
    {"vcpus": 2, "memory_gib": 4},
    {"vcpus": 2, "memory_gib": 4, "memory_mb_used": 3000},
    {"vcpus": 2, "memory_gib": 1, "utilization_series_pct": [30.0] * 200 + [90.0] * 88},
    {"vcpus": 8, "memory_gib": 16, "scale_out": "horizontal", "max_nodes": 6},
    {"vcpus": 2, "memory_gib": 4, "parallelism": 64},  # capacity counts every vCPU
])
def test_rank_inputs_of_one_node_per_type_equal_the_general_steps(compute: dict) -> None:
    # A single-node table skips the node counts (x * 1.0 is x); the same table with its
    # counts as a fresh array of ones takes every step: the arrays must be the same floats.
    import dataclasses

    from recommender.core.profile import parse_profile
    from recommender.rules.base import Rejections
    from recommender.rules.compute.rank_inputs import ec2_rank_inputs
    from recommender.rules.compute.select import NARROWING_STAGES, build_table
    from recommender.rules.compute.sizing import derive_need
    from recommender.rules.prices import price_book

    cat = load_catalog()
    p = parse_profile({"region": "us-east-1", "compute": compute})
    t = build_table(p, derive_need(p), ec2_index(cat), "us-east-1", catalog=cat, warnings=[])
    for stage in NARROWING_STAGES:
        stage(t, price_book(cat), Rejections())
    idx = t.alive.nonzero()[0]
    got = ec2_rank_inputs(t, idx)
    want = ec2_rank_inputs(dataclasses.replace(t, count=np.array(t.count, dtype=float)), idx)
    assert got.keys() == want.keys()
    for name in got:
        a, b = np.asarray(got[name]), np.asarray(want[name])
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), name
        assert np.array_equal(np.signbit(a), np.signbit(b)), name


def test_price_texts_memo_is_bounded_and_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    import recommender.rules.compute.explain as explain

    monkeypatch.setattr(explain, "_PRICE_TEXTS_MAX", 2)
    ix = SimpleNamespace(spot_band=[["<5%", "5-10%"]])
    pr = _pricing("test-c")
    for region in ("us-east-1", "eu-west-1", "ap-south-1", "us-east-1"):
        got = price_texts(pr, ix, 0, 0, region)  # type: ignore[arg-type]
        assert got.tail == f" in {region} (spot; price as of 2025-01-01, test-c)."
        assert len(pr.memo) <= 2
