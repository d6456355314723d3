"""Decisions an architect can sign off (issue 8): hand-worked scenarios over the snapshot.

Expected values are worked by hand from AWS's published figures, not read from the engine:
on-demand Linux prices in us-east-1 from https://aws.amazon.com/ec2/pricing/on-demand/
(t4g.small $0.0168/h, t4g.medium $0.0336/h, c6g.xlarge $0.136/h, c6g.2xlarge $0.272/h,
x2gd.16xlarge $5.344/h), CPU credits from https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
burstable-credits-baseline-concepts.html (t4g.medium: 2 vCPUs, 24 credits/h = 20 % baseline
per vCPU) and 730 hours a month.
"""

from __future__ import annotations

import re

import pytest

from recommender import recommend
from recommender.rules.rank import RISK_PREMIUM_PCT

HOURS = 730
IDLE = {"average_pct": 8, "p95_pct": 35, "peak_pct": 90}


def _compute(profile: dict, cat, **kw):
    return recommend(profile, catalog=cat, models=False, **kw)


def test_idle_web_server_gets_a_burstable_type(cat) -> None:
    # Peak 90 % of 2 vCPUs = 1.8 vCPUs fits t4g.medium's 2 vCPUs at 100 %; the load averages
    # 8 % per vCPU, under its 20 % baseline, so standard mode holds.  $0.0336 x 730 = $24.53,
    # less than any 4-vCPU fixed-performance type (the 2.16-vCPU need with 20 % headroom).
    r = _compute({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 4,
                                                     "cpu_utilization": IDLE}}, cat)
    top = r.best("compute")
    assert (top.option, top.config["credit_mode"]) == ("t4g.medium", "standard")
    assert top.monthly_cost_usd == pytest.approx(0.0336 * HOURS, abs=0.01)


def test_steady_cpu_bound_gets_compute_optimized(cat) -> None:
    # Need 4 vCPUs x 90 % peak x 1.2 headroom = 4.32 vCPUs: no 4-vCPU type; t4g.xlarge's
    # 40 % baseline cannot carry a 75 % average (credits run out, and unlimited mode would
    # need the 4.32 vCPUs).  8 vCPUs / 16 GiB cheapest: c6g.2xlarge $0.272 x 730 = $198.56.
    r = _compute({"region": "us-east-1", "compute": {
        "vcpus": 4, "memory_gib": 8,
        "cpu_utilization": {"average_pct": 75, "p95_pct": 85, "peak_pct": 90}}}, cat)
    top = r.best("compute")
    assert top.option == "c6g.2xlarge"
    assert top.monthly_cost_usd == pytest.approx(0.272 * HOURS, abs=0.01)
    assert all(o.config.get("credit_mode") is None for o in r.recommendations.compute)


def test_one_tib_in_memory_gets_memory_optimized_on_one_node(cat) -> None:
    # 1,024 GiB on one node (memory is never split unless the work scales out): the R
    # families stop below it at this price; x2gd.16xlarge has 1,024 GiB for 64 vCPUs
    # (16 GiB per vCPU) at $5.344 x 730 = $3,901.12.
    r = _compute({"region": "us-east-1", "compute": {"memory_gib": 1024}}, cat)
    top = r.best("compute")
    assert (top.option, top.count) == ("x2gd.16xlarge", 1)
    assert top.monthly_cost_usd == pytest.approx(5.344 * HOURS, abs=0.01)
    assert all(o.count == 1 and o.config["memory_gib"] >= 1024 for o in r.recommendations.compute)


def test_cost_objective_ranks_the_cheapest_admissible_first(cat) -> None:
    # 4 vCPUs / 8 GiB: c6g.xlarge $0.136 x 730 = $99.28 (the 4th becomes 1st).
    r = _compute({"region": "us-east-1", "objective": "cost", "top_n": 10,
                  "compute": {"vcpus": 4, "memory_gib": 8}}, cat)
    costs = [o.monthly_cost_usd for o in r.recommendations.compute]
    assert r.best("compute").option == "c6g.xlarge"
    assert costs[0] == pytest.approx(0.136 * HOURS, abs=0.01)
    assert costs == sorted(costs)


def test_twice_the_load_costs_about_twice(cat) -> None:
    # Scaled out, 2 nodes at least: 2 vCPUs at peak 90 % is 1.8 vCPUs -> 2 x t4g.small
    # ($0.0168 x 2 x 730 = $24.53); twice the load (3.6 vCPUs peak, 8 GiB) -> 2 x t4g.medium
    # ($0.0336 x 2 x 730 = $49.06): twice the cost, not ten times.
    base = {"region": "us-east-1", "objective": "cost"}
    one = _compute({**base, "compute": {"vcpus": 2, "memory_gib": 4, "scale_out": "horizontal",
                                        "cpu_utilization": IDLE}}, cat).best("compute")
    two = _compute({**base, "compute": {"vcpus": 4, "memory_gib": 8, "scale_out": "horizontal",
                                        "cpu_utilization": IDLE}}, cat).best("compute")
    assert (one.option, one.count) == ("t4g.small", 2)
    assert one.monthly_cost_usd == pytest.approx(0.0168 * 2 * HOURS, abs=0.01)
    assert two.monthly_cost_usd == pytest.approx(0.0336 * 2 * HOURS, abs=0.01)
    assert 1.5 <= two.monthly_cost_usd / one.monthly_cost_usd <= 2.5


def test_every_rank_says_what_it_costs_more_than_first(cat) -> None:
    r = _compute({"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 8}}, cat)
    first = r.best("compute")
    for o in r.recommendations.compute[1:]:
        text = next(x.text for x in o.reasons if x.rule == "rank.objective")
        more = o.monthly_cost_usd - first.monthly_cost_usd
        assert f"${more:,.2f}/month more than #1" in text and f"{RISK_PREMIUM_PCT:g}%" in text


def test_why_not_names_the_first_failed_constraint_with_numbers(cat) -> None:
    # m5.large has 2 vCPUs; the need is 4 x 90 % x 1.2 = 4.32.
    r = _compute({"region": "us-east-1", "compute": {
        "vcpus": 4, "memory_gib": 8,
        "cpu_utilization": {"average_pct": 75, "p95_pct": 85, "peak_pct": 90}}},
        cat, explain=["m5.large", "c7g.2xlarge", "nope.large"])
    by = {w.option: w for w in r.why_not}
    assert by["m5.large"].verdict == "rejected" and by["m5.large"].rule == "ec2.vcpus"
    assert "4.32" in by["m5.large"].text
    assert by["c7g.2xlarge"].verdict in ("shown", "ranked") and "#1" in by["c7g.2xlarge"].text
    assert by["nope.large"].verdict == "unknown"


def test_nothing_fits_says_the_largest_and_how_to_scale_out(cat) -> None:
    r = _compute({"region": "us-east-1", "compute": {"vcpus": 500, "memory_gib": {"max": 1}}},
                 cat)
    assert r.recommendations.compute == []
    msg = r.warnings[0]
    assert "no single instance has 500 vCPUs" in msg and "largest" in msg
    # With at most 1 GiB the largest node is a 2-vCPU t3.micro/t4g.micro (1 GiB,
    # https://aws.amazon.com/ec2/instance-types/t3/): 500 / 2 = 250 nodes; lifting the memory
    # ceiling is the other way out, and the message says what it admits.
    assert "has 2 vCPUs; scale out to 250 nodes" in msg
    assert "raise the memory limit (without it the largest has" in msg
    assert "no options" not in msg.lower()


def test_bundle_totals_its_components(cat) -> None:
    r = _compute({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 8},
                  "storage": {"size_gib": 100}}, cat)
    b = r.bundle
    assert b is not None
    roles = {c.role: c for c in b.components}
    assert roles["compute"].option == r.best("compute").option
    assert roles["storage"].option == r.best("storage").option
    assert b.total_monthly_usd == pytest.approx(sum(b.breakdown.values()), abs=0.01)
    assert b.breakdown["compute"] == pytest.approx(r.best("compute").monthly_cost_usd)


def test_reserved_names_term_and_payment_and_its_price_source(cat) -> None:
    r = _compute({"region": "us-east-1", "purchase_options": ["reserved"],
                  "purchase_term_years": 3, "compute": {"vcpus": 4, "memory_gib": 16}}, cat)
    # The snapshot's ec2_commitments has 3y no-upfront rows for the leading families but not
    # for every type: the rest are priced on-demand, and the warning names term and payment.
    assert r.best("compute").purchase_option == "reserved"
    assert any(w.startswith("Reserved Instances 3y no upfront: no price in us-east-1")
               and "priced on-demand instead" in w for w in r.warnings), r.warnings
    for o in r.recommendations.compute:
        assert o.config["price_as_of"] and o.config["price_source"]
        if o.purchase_option == "reserved":
            assert (o.config["term_years"], o.config["payment"]) == (3, "no_upfront")
            assert any("reserved 3y no upfront" in x.text for x in o.reasons)


def test_compute_add_ons_attach_to_the_compute_and_latency_routing_needs_two_regions(cat) -> None:
    hpc = _compute({"region": "us-east-1", "compute": {
        "vcpus": 256, "memory_gib": 512, "scale_out": "tightly_coupled"}}, cat)
    pg = next(o for o in hpc.recommendations.network if o.option == "placement_group:cluster")
    assert pg.config["attached_to"] == hpc.best("compute").option
    comp = next(c for c in hpc.bundle.components if c.role == "compute")
    assert "placement_group:cluster" in comp.add_ons
    users = {"us-east-1": 0.5, "eu-west-1": 0.3, "ap-northeast-1": 0.2}
    pinned = _compute({"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 8},
                       "network": {"user_regions": users}}, cat)
    assert "route53_latency_routing" not in {o.option for o in pinned.recommendations.network}
    assert any("route53" in a.option for a in pinned.bundle.alternatives)


def test_managed_database_and_self_managed_are_either_or(cat) -> None:
    r = _compute({"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
                  "storage": {"size_gib": 500, "iops": 10000},
                  "database": {"data_model": "relational", "size_gib": 500,
                               "reads_per_s": 2000, "writes_per_s": 500}}, cat)
    db = r.best("database")
    assert db.option.startswith(("rds:", "aurora:"))
    alt = next(a for a in r.bundle.alternatives if a.category == "database")
    assert alt.replaces == db.option and "self-managed" in alt.option
    assert alt.delta_monthly_usd == pytest.approx(-db.monthly_cost_usd)


#: Spot: a small interruption-tolerant need whose cheapest fit is m7g.large on spot.
SPOT_NEED = {"region": "us-east-1", "objective": "cost",
             "compute": {"vcpus": 2, "memory_gib": 8, "interruption_tolerant": True}}


def _spot_catalog(cat, records: list[dict] | None):
    """The snapshot with ``ec2_spot_prices`` from DescribeSpotPriceHistory-shaped records
    (through catalog.spot.latest_per_az, as the live build does), or with none."""
    from catalog.spot import latest_per_az
    from catalog.store import Catalog

    tables = {k: v for k, v in cat.tables.items() if k != "ec2_spot_prices"}
    if records is not None:
        tables["ec2_spot_prices"] = latest_per_az(records, "test:describe-spot-price-history")
    return Catalog(tables=tables, manifest=cat.manifest)


def _spot_record(az: str, price: str, ts: str) -> dict:
    return {"AvailabilityZone": az, "InstanceType": "m7g.large",
            "ProductDescription": "Linux/UNIX", "SpotPrice": price, "Timestamp": ts}


def test_spot_option_is_priced_from_the_measured_spot_price(cat) -> None:
    # Test records (the response's shape): the latest per AZ is 1a $0.0301, 1b $0.0274 (its
    # older $0.0262 is superseded), 1d $0.0290, so the lowest AZ is us-east-1b at $0.0274/h:
    # $0.0274 x 730 h x 1 node = $20.002 -> $20.00/month, under the estimate's $21.44.
    records = [
        _spot_record("us-east-1a", "0.030100", "2026-11-20T06:00:00+00:00"),
        _spot_record("us-east-1b", "0.027400", "2026-11-20T08:00:00+00:00"),
        _spot_record("us-east-1b", "0.026200", "2026-11-19T08:00:00+00:00"),
        _spot_record("us-east-1d", "0.029000", "2026-11-20T07:00:00+00:00"),
    ]
    top = _compute(SPOT_NEED, _spot_catalog(cat, records)).best("compute")
    assert (top.option, top.purchase_option, top.count) == ("m7g.large", "spot", 1)
    assert top.monthly_cost_usd == pytest.approx(0.0274 * HOURS * 1, abs=0.01)
    assert top.config["spot_price_basis"] == "measured"
    assert top.config["spot_price_note"] == "measured spot price, us-east-1b, 2026-11-20"
    assert top.config["price_as_of"] == "2026-11-20T08:00:00Z"
    assert top.config["price_source"] == "test:describe-spot-price-history"
    spot = next(x.text for x in top.reasons if x.rule == "compute.spot")
    assert "measured spot price, us-east-1b, 2026-11-20" in spot
    assert "$0.0274-$0.0301/h" in spot  # the 3 AZs' spread


def test_spot_option_without_measured_prices_says_it_is_an_estimate(cat) -> None:
    # No ec2_spot_prices: m7g.large's spot price is the estimate on-demand x (1 - savings %),
    # priced x 730 h x 1 node and dated like its on-demand price.
    row = cat.ec2_prices.set_index(["instance_type", "region"]).loc[("m7g.large", "us-east-1")]
    est = row["ondemand_usd_per_hour"] * (1 - row["spot_savings_pct"] / 100)
    top = _compute(SPOT_NEED, _spot_catalog(cat, None)).best("compute")
    assert (top.option, top.purchase_option) == ("m7g.large", "spot")
    assert top.monthly_cost_usd == pytest.approx(est * HOURS * 1, abs=0.01)
    assert top.config["spot_price_basis"] == "estimate"
    assert top.config["price_as_of"] == row["price_as_of"]
    spot = next(x.text for x in top.reasons if x.rule == "compute.spot")
    assert spot.startswith("Spot (estimate from savings %")
    assert f"{row['spot_savings_pct']:.0f}% off the on-demand price" in spot


#: A profile ranked in three categories, balanced, with options at risk 0 and 2 (t4g.xlarge's
#: 40 % baseline carries the 40 % average only at its limit; c6g.2xlarge has ample headroom).
RANKED = {"region": "us-east-1", "top_n": 8,
          "compute": {"vcpus": 4, "memory_gib": 8,
                      "cpu_utilization": {"average_pct": 40, "p95_pct": 70, "peak_pct": 85}},
          # 4,000 IOPS: t4g.xlarge's baseline EBS IOPS (catalog ebs_baseline_iops), which
          # carries a sustained need; 6,000 is only within its 15,700 burst maximum, which
          # AWS guarantees 30 minutes a day (EBS-optimized instances), so it would reject it.
          "storage": {"size_gib": 200, "iops": 4000},
          "database": {"data_model": "relational", "size_gib": 100, "reads_per_s": 500,
                       "writes_per_s": 100}}
_RANKED_AT = re.compile(r"risk ([\d.]+), ranked at \$([\d,]+\.\d\d)")


def _rank_numbers(r, premium_pct: float) -> int:
    """Check every option's rank reason against the number that ranked it; count options.

    Balanced ranks by cost x (1 + premium x risk) (rules/rank.py:rank_balanced); the reason
    must print that number for the option's own cost and risk, and ``score`` (the ranking
    number normalised against #1) must be #1's printed number over the option's.
    """
    seen = 0
    for category in ("compute", "storage", "database"):
        opts = getattr(r.recommendations, category)
        assert len(opts) >= 2, category
        firsts = None
        for o in opts:
            text = next(x.text for x in o.reasons if x.rule == "rank.objective")
            assert f"+ {premium_pct:g}% per step of performance risk" in text, text
            risk, at = _RANKED_AT.search(text).groups()
            at_usd = float(at.replace(",", ""))
            assert float(risk) == o.performance_risk, (o.option, text)
            assert at_usd == pytest.approx(
                o.monthly_cost_usd * (1 + premium_pct / 100 * float(risk)), abs=0.011)
            firsts = firsts or at_usd
            assert o.score == pytest.approx(firsts / at_usd, rel=1e-3), (o.option, o.score)
            seen += 1
    return seen


def test_rank_reason_and_ranking_number_come_from_the_same_rule(cat, monkeypatch) -> None:
    """Mutate the balanced rule's premium: every option's reason and score move with it.

    At 10 %: t4g.xlarge ($0.1344/h x 730 = $98.112) at risk 2 ranks at $98.112 x 1.2 =
    $117.73, ahead of t4g.2xlarge ($0.2688 x 730 = $196.22) at risk 0 (the need averages
    1.6 vCPUs, 20 % of its 8, under its 40 % baseline; its 4,000 baseline EBS IOPS carry the
    sustained 4,000).  At 60 % per step the same t4g.xlarge ranks at $98.112 x 2.2 =
    $215.85, above t4g.2xlarge's $196.22: the order, the printed numbers and the scores all
    change, because one function gives all three.
    """
    import recommender.rules.rank as rank_mod

    before = _compute(RANKED, cat)
    assert _rank_numbers(before, RISK_PREMIUM_PCT) >= 6
    assert before.best("compute").option == "t4g.xlarge"
    monkeypatch.setattr(rank_mod, "RISK_PREMIUM_PCT", 60.0)
    after = _compute(RANKED, cat, explain=["t4g.xlarge"])
    assert _rank_numbers(after, 60.0) >= 6
    top = after.best("compute")
    assert (top.option, top.performance_risk) == ("t4g.2xlarge", 0.0)
    # One size per family is shown (t4g.2xlarge now), so t4g.xlarge's number is in why-not.
    assert "risk 2, ranked at $215.85" in after.why_not[0].text


IDLE_WEB = {"region": "us-east-1",
            "compute": {"vcpus": 2, "memory_gib": 4, "cpu_utilization": IDLE}}


def test_why_not_answers_on_the_cli_and_the_api(tmp_path, capsys, cat) -> None:
    """``--why-not`` (CLI) and the profile's ``explain`` (API) answer like ``recommend``.

    t3.medium ($0.0416 x 730 = $30.368) against t4g.medium ($0.0336 x 730 = $24.528):
    $5.84/month more, both risk 0; an unknown id still gets an answer line.
    """
    import json
    import warnings

    from recommender.surfaces.cli.main import main

    f = tmp_path / "idle.json"
    f.write_text(json.dumps(IDLE_WEB))
    assert main(["recommend", str(f), "--rules-only", "--format", "table",
                 "--why-not", "t3.medium", "--why-not", "nope.large"]) == 0
    out = capsys.readouterr().out
    assert "why not t3.medium: Rank" in out and "$5.84/month more than #1 (t4g.medium)" in out
    assert "why not nope.large:" in out
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        from fastapi.testclient import TestClient
    from recommender.surfaces.api import create_app

    with TestClient(create_app(cat)) as client:
        resp = client.post("/v1/recommendations", json={**IDLE_WEB, "explain": ["t3.medium"]})
    assert resp.status_code == 200
    (w,) = resp.json()["why_not"]
    assert w["option"] == "t3.medium" and "$5.84/month more than #1" in w["text"]


def test_burstable_capacity_is_its_sustained_baseline(cat) -> None:
    """Objective performance counts a T type at its baseline, not at full burst.

    t4g.medium earns 24 credits/h on 2 vCPUs: 24 / 60 / 2 = 20 % baseline per vCPU (AWS's
    credit table); its sustained capacity is perf_index (the catalog's measured figure) x 20 %,
    all of its 2 vCPUs usable by the 2.16-vCPU need, so it ranks far below fixed types.
    """
    perf = float(cat.ec2.set_index("instance_type").loc["t4g.medium", "perf_index"])
    r = _compute({**IDLE_WEB, "objective": "performance"}, cat, explain=["t4g.medium"])
    (w,) = r.why_not
    assert w.verdict in ("ranked", "shown")
    assert f"capacity {perf * 0.20:.2f}, risk" in w.text
    assert r.best("compute").config.get("credit_mode") is None


def test_contract_states_the_decision_principle_with_the_constants() -> None:
    """docs/CONTRACT.md's decision principle quotes the constants the ranking uses."""
    from pathlib import Path

    from recommender.rules.rank import CAPACITY_TIE

    text = (Path(__file__).resolve().parents[2] / "docs" / "CONTRACT.md").read_text()
    start = text.index("**The decision principle.**")
    para = " ".join(text[start:text.index("\n\n", start)].split())
    assert "hard constraints" in para and "nothing else is weighed" in para
    assert f"plus {RISK_PREMIUM_PCT:g} % per step of performance risk" in para
    # risk 2 adds 2 x N %: a risk-0 option stays above it until it costs 2 x N % more.
    assert f"unless it costs {2 * RISK_PREMIUM_PCT:g} % more" in para
    assert f"within {CAPACITY_TIE:.0%}".replace("%", " %") in para
