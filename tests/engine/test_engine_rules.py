"""Table tests of the pure rule functions on small frames built from the schema's columns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from catalog.schema import Ec2PriceSchema, Ec2Schema
from recommender import recommend
from recommender.core.profile import parse_profile
from recommender.rules.compute import sizing as cr
from recommender.rules.compute.burst import (
    simulate_credits,
    synthetic_series,
    unlimited_surplus_usd,
)
from recommender.rules.compute.candidates import FilterContext, apply_filters, build_ec2_index
from recommender.rules.compute.elasticity import daily_autocorrelation, plan_scaling
from recommender.rules.compute.risk import limit_risk, utilization_risk
from recommender.rules.database import dynamodb_options
from recommender.rules.prices import PriceBook
from recommender.rules.rank import RISK_PREMIUM_PCT, RankTable, rank
from recommender.rules.storage.block import StorageNeed, evaluate_volume


def ec2_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows with every Ec2Schema column (defaults: unknown/false), validated."""
    cols = list(Ec2Schema.to_schema().columns)
    base = {c: None for c in cols}
    base.update(gpus=0, accelerators=0, burstable=False, efa_supported=False,
                ena_express_supported=False, placement_group_strategies="cluster,spread",
                current_generation=True, bare_metal=False, regions="us-east-1",
                perf_index_source="missing", spec_source="test", arch="x86_64")
    out = pd.DataFrame([{**base, **r} for r in rows], columns=cols)
    return Ec2Schema.validate(out)


def price_frame(rows: list[dict]) -> pd.DataFrame:
    cols = list(Ec2PriceSchema.to_schema().columns)
    base = {c: None for c in cols}
    base.update(region="us-east-1", price_as_of="2025-01-01", price_source="test", verify=False)
    return Ec2PriceSchema.validate(pd.DataFrame([{**base, **r} for r in rows], columns=cols))


@pytest.fixture()
def tiny():
    ec2 = ec2_frame([
        dict(instance_type="m5.large", family="m5", size="large", vcpus=2, memory_gib=8.0,
             perf_index=1.0, perf_index_source="measured"),
        dict(instance_type="m7g.large", family="m7g", size="large", vcpus=2, memory_gib=8.0,
             arch="arm64", perf_index=1.6, perf_index_source="measured"),
        dict(instance_type="r7g.large", family="r7g", size="large", vcpus=2, memory_gib=16.0,
             arch="arm64"),
        dict(instance_type="c7i.xlarge", family="c7i", size="xlarge", vcpus=4, memory_gib=8.0,
             perf_index=2.8, perf_index_source="measured", regions="eu-west-1"),
    ])
    prices = price_frame([
        dict(instance_type="m5.large", ondemand_usd_per_hour=0.096),
        dict(instance_type="m7g.large", ondemand_usd_per_hour=0.0816, spot_usd_per_hour_est=0.03,
             spot_interruption_band="<5%"),
        dict(instance_type="r7g.large", ondemand_usd_per_hour=0.1071),
        dict(instance_type="c7i.xlarge", region="eu-west-1", ondemand_usd_per_hour=0.2),
    ])
    return build_ec2_index(ec2, prices)


def _ctx(ix, **kw) -> FilterContext:
    r = ix.region_pos["us-east-1"]
    base = dict(region="us-east-1", vcpus_need=None, vcpus_max=None, memory_need=None,
                memory_max=None, gpus_min=None, gpus_max=None, arch=("x86_64", "arm64"),
                count=np.ones(ix.n), max_nodes=None, parallelism=None, horizontal=False,
                tightly_coupled=False, bandwidth_gbps=None, ebs_iops=None, ebs_mibps=None,
                price=ix.ondemand[r])
    base.update(kw)
    return FilterContext(**base)


def test_index_fills_missing_perf_with_a_flagged_vcpu_estimate(tiny) -> None:
    i = tiny.pos["r7g.large"]
    assert tiny.perf_source[i] == "estimated"
    # median per-vCPU capacity of the measured rows (0.5, 0.8, 0.7) x 2 vCPUs
    assert tiny.perf[i] == pytest.approx(2 * 0.7)


def test_filters_count_each_rejection_once_by_first_failing_reason(tiny) -> None:
    res = apply_filters(tiny, _ctx(tiny, memory_need=12.0))
    assert [str(t) for t in tiny.types[res.passed]] == ["r7g.large"]
    assert res.rejected == {"ec2.not_offered_in_region": 1, "ec2.memory": 2}


def test_arch_filter(tiny) -> None:
    res = apply_filters(tiny, _ctx(tiny, arch=("x86_64",)))
    assert [str(t) for t in tiny.types[res.passed]] == ["m5.large"]
    assert res.rejected["ec2.architecture"] == 2


def test_capacity_counts_a_slower_vcpu_as_a_fraction_and_converts_with_measured_on(tiny) -> None:
    # perf_index: m5.large = 1.0 over 2 vCPUs (0.5 per vCPU, the reference); m7g.large 1.6
    # over 2 (0.8 per vCPU).  Without measured_on a faster vCPU counts as one: m7g 2 vCPUs.
    m5, m7g = tiny.pos["m5.large"], tiny.pos["m7g.large"]
    eff = cr.capacity_vcpus(tiny.speed, tiny.vcpus, None)
    assert eff[m5] == pytest.approx(2.0) and eff[m7g] == pytest.approx(2.0)
    # Measured on m5 (0.5 per vCPU): one m7g.large is 2 x 0.8 / 0.5 = 3.2 m5 vCPUs.
    eff = cr.capacity_vcpus(tiny.speed, tiny.vcpus, 0.5)
    assert eff[m7g] == pytest.approx(3.2)
    # Measured on m7g (0.8 per vCPU): one m5.large is 2 x 0.5 / 0.8 = 1.25 m7g vCPUs.
    assert cr.capacity_vcpus(tiny.speed, tiny.vcpus, 0.8)[m5] == pytest.approx(1.25)


def test_rightsizing_uses_p995_of_the_series_with_headroom() -> None:
    series = [10.0] * 199 + [50.0]
    p = parse_profile({"compute": {"vcpus": 8, "utilization_series_pct": series}})
    need = cr.derive_need(p)
    p995 = float(np.percentile(series, 99.5))
    assert need.demand_vcpus == pytest.approx(8 * p995 / 100)
    assert need.vcpus == pytest.approx(8 * p995 / 100 * 1.2)
    p2 = parse_profile({"compute": {"vcpus": 8, "cpu_utilization": {"p95_pct": 40},
                                    "cpu_headroom_pct": 30, "memory_used_gib": 10,
                                    "memory_headroom_pct": 10}})
    need2 = cr.derive_need(p2)
    assert need2.vcpus == pytest.approx(8 * 0.4 * 1.3)
    assert need2.memory_gib == pytest.approx(11.0)


def test_node_counts_split_the_need_when_scaling_out() -> None:
    p = parse_profile({"compute": {"vcpus": 10, "memory_gib": 40, "scale_out": "horizontal"}})
    need = cr.derive_need(p)
    counts = cr.node_counts(np.array([2.0, 4.0, 16.0]), np.array([8.0, 8.0, 64.0]), need)
    # The 16-vCPU size holds the need alone, but horizontal work keeps one node per AZ.
    assert counts.tolist() == [5.0, 5.0, 2.0]


def test_synthetic_series_reproduces_the_statistics() -> None:
    s = synthetic_series(20.0, 45.0, 70.0)
    assert s.max() == 70.0
    assert s.mean() == pytest.approx(20.0)
    assert np.percentile(s, 95) == pytest.approx(45.0, abs=3.0)


def test_credit_balance_holds_below_baseline_and_charges_surplus_above() -> None:
    # t3.medium-like: 2 vCPUs, 24 credits/h (20 % baseline per vCPU), 576 max.
    one = dict(vcpus=np.array([2.0]), count=np.array([1.0]),
               credits_per_hour=np.array([24.0]), max_credits=np.array([576.0]))
    low = simulate_credits(np.full(288, 15.0), 2.0, 5.0, hours_per_month=730, **one)
    assert bool(low.holds[0]) and low.surplus_credits_month[0] == 0
    high = simulate_credits(np.full(288, 30.0), 2.0, 5.0, hours_per_month=730, **one)
    assert not bool(high.holds[0])
    # 0.6 vCPU used vs 0.4 earned: 0.2 vCPU x 60 min x 730 h surplus credits a month.
    assert high.surplus_credits_month[0] == pytest.approx(0.2 * 60 * 730)
    assert unlimited_surplus_usd(high.surplus_credits_month[0], 0.05) == pytest.approx(
        0.2 * 730 * 0.05)


def test_short_burst_draws_the_balance_down_then_recovers() -> None:
    series = np.array([5.0] * 250 + [100.0] * 38)
    r = simulate_credits(series, 2.0, 5.0, vcpus=np.array([2.0]), count=np.array([1.0]),
                         credits_per_hour=np.array([24.0]), max_credits=np.array([576.0]),
                         hours_per_month=730)
    curve = r.curves[0]
    assert curve.min() < 576 and r.min_balance[0] >= 0 and bool(r.holds[0])


def test_scaling_approaches() -> None:
    day = [20 + 60 * (8 <= (i // 12) < 18) for i in range(288)]
    kw = dict(measured_vcpus=16.0, interval_min=5.0, node_vcpus=4.0, count=4, max_nodes=None,
              startup_s=300.0, cpu_headroom_pct=20.0)
    assert daily_autocorrelation(np.array(day * 2, dtype=float), 5.0) == pytest.approx(1.0)
    timed = plan_scaling(series_pct=np.array(day * 2, dtype=float), can_wait=False, **kw)
    assert timed.approach == "time" and timed.min_count <= timed.max_count
    assert timed.extra["scheduled_peak_hours"] == list(range(8, 18))
    assert plan_scaling(series_pct=np.array(day, dtype=float), can_wait=True, **kw).approach \
        == "buffer"
    noisy = np.random.default_rng(0).uniform(10, 90, 288)
    demand = plan_scaling(series_pct=noisy, can_wait=False, **kw)
    assert demand.approach == "demand" and 30 <= demand.target_pct <= 90
    capped = plan_scaling(series_pct=noisy, can_wait=False, **{**kw, "max_nodes": 2})
    assert capped.max_count == 2


EBS_GP3 = dict(volume_type="gp3", region="us-east-1", media="SSD", size_min_gib=1.0,
               size_max_gib=65536.0, iops_min=3000.0, iops_max=80000.0, iops_per_gib_max=500.0,
               included_iops=3000.0, throughput_max_mibps=2000.0,
               included_throughput_mibps=125.0, baseline_throughput_mibps_per_tib=None,
               latency_class="single-digit-ms", storage_usd_per_gb_month=0.08,
               iops_usd_per_iops_month=0.005, throughput_usd_per_mibps_month=0.04, verify=False)
EBS_ST1 = dict(EBS_GP3, volume_type="st1", media="HDD", size_min_gib=125.0, size_max_gib=16384.0,
               iops_min=None, iops_max=500.0, iops_per_gib_max=None, included_iops=None,
               throughput_max_mibps=500.0, included_throughput_mibps=None,
               baseline_throughput_mibps_per_tib=40.0, latency_class="tens-of-ms",
               storage_usd_per_gb_month=0.045, iops_usd_per_iops_month=None,
               throughput_usd_per_mibps_month=None)
EBS_IO2 = dict(EBS_GP3, volume_type="io2", size_min_gib=4.0, iops_min=100.0, iops_max=256000.0,
               iops_per_gib_max=1000.0, included_iops=None, included_throughput_mibps=None,
               latency_class="sub-ms", storage_usd_per_gb_month=0.125,
               iops_usd_per_iops_month=0.065, iops_tier2_start=32000.0,
               iops_tier2_usd_per_iops_month=0.0455, iops_tier3_start=64000.0,
               iops_tier3_usd_per_iops_month=0.032, throughput_usd_per_mibps_month=None)


def _need(**kw) -> StorageNeed:
    base = dict(size_gib=None, iops=None, mibps=None, latency_ms=None, pattern=None,
                sharing=None, persistence=None, frequency=None)
    return StorageNeed(**{**base, **kw})


def test_gp3_prices_only_iops_and_throughput_above_the_included() -> None:
    c, _ = evaluate_volume(EBS_GP3, _need(size_gib=500, iops=20000, mibps=250))
    assert c.monthly_cost_usd == pytest.approx(500 * 0.08 + 17000 * 0.005 + 125 * 0.04)
    assert c.config["iops"] == 20000


def test_st1_grows_until_baseline_throughput_covers_the_need() -> None:
    c, _ = evaluate_volume(EBS_ST1, _need(size_gib=500, mibps=300, pattern="sequential"))
    assert c.config["size_gib"] == math.ceil(300 / 40 * 1024)
    _, why = evaluate_volume(EBS_ST1, _need(size_gib=500, pattern="random"))
    assert why == "ebs.hdd_needs_sequential_access"


def test_io2_tiers_and_sub_ms_latency() -> None:
    c, _ = evaluate_volume(EBS_IO2, _need(size_gib=100, iops=70000, latency_ms=0.5))
    iops_cost = 32000 * 0.065 + 32000 * 0.0455 + 6000 * 0.032
    assert c.config["size_gib"] == 100 and c.monthly_cost_usd == pytest.approx(
        100 * 0.125 + iops_cost)
    _, why = evaluate_volume(EBS_GP3, _need(latency_ms=0.5))
    assert why == "ebs.latency_class_too_slow"
    _, why = evaluate_volume(EBS_GP3, _need(iops=90000))
    assert why == "ebs.iops_above_volume_max"


def _book() -> PriceBook:
    up = pd.DataFrame([
        dict(item="dynamodb.on_demand.read_request_unit", price_usd=1.25e-7),
        dict(item="dynamodb.on_demand.write_request_unit", price_usd=6.25e-7),
        dict(item="dynamodb.provisioned.rcu_hour", price_usd=0.00013),
        dict(item="dynamodb.provisioned.wcu_hour", price_usd=0.00065),
        dict(item="datatransfer.internet_out", price_usd=0.09, tier_start=0.0, tier_end=10240.0),
        dict(item="datatransfer.internet_out", price_usd=0.085, tier_start=10240.0),
    ]).assign(region="us-east-1", to_region=None, unit="USD", verify=False)
    up["tier_start"] = up.get("tier_start")
    up["tier_end"] = up.get("tier_end")
    facts = pd.DataFrame(columns=["topic", "key", "value", "unit", "scope", "source_url",
                                  "verify", "notes"])
    return PriceBook(up, facts)


def test_tiered_unit_price() -> None:
    c = _book().cost("datatransfer.internet_out", "us-east-1", 20480)
    assert c.usd == pytest.approx(10240 * 0.09 + 10240 * 0.085)
    assert _book().cost("datatransfer.internet_out", "eu-west-1", 5) is None


def test_dynamodb_capacity_unit_arithmetic() -> None:
    p = parse_profile({"database": {"data_model": "key_value", "reads_per_s": 100,
                                    "writes_per_s": 10, "item_size_kib": 6,
                                    "consistency": "strong"}})
    od, prov = dynamodb_options(p, _book(), "us-east-1", "key-value")
    secs = 730 * 3600
    # 6 KiB: 2 RCU per strong read (4 KiB units), 6 WCU per write (1 KiB units).
    assert od.monthly_cost_usd == pytest.approx(100 * 2 * secs * 1.25e-7 + 10 * 6 * secs * 6.25e-7)
    rcu, wcu = math.ceil(200 / 0.7), math.ceil(60 / 0.7)
    assert prov.monthly_cost_usd == pytest.approx(rcu * 730 * 0.00013 + wcu * 730 * 0.00065)
    # The export writes ProvisionedThroughput from config: the units priced, as integers.
    assert prov.config["capacity_mode"] == "provisioned"
    assert (prov.config["rcu"], prov.config["wcu"]) == (rcu, wcu)
    assert isinstance(prov.config["rcu"], int) and isinstance(prov.config["wcu"], int)
    assert od.config["capacity_mode"] == "on_demand" and "rcu" not in od.config


def test_risk_levels() -> None:
    assert utilization_risk(np.array([0.5, 0.7, 0.85, 0.95, 1.2])).tolist() == [0, 1, 2, 3, 4]
    r = limit_risk(5000, np.array([6000.0, 4000.0, 1000.0]), np.array([8000.0, 8000.0, 2000.0]))
    assert r.tolist() == [0.0, 2.0, 4.0]


def _table(cost, risk, cap=None):
    n = len(cost)
    return RankTable(ids=np.array([f"o{k}" for k in range(n)], dtype=object),
                     cost=np.array(cost, dtype=float), risk=np.array(risk, dtype=float),
                     capacity=np.array(cap if cap is not None else [1.0] * n, dtype=float))


def test_cost_objective_is_the_cheapest_first_and_score_is_its_ratio() -> None:
    r = rank(_table([120.0, 100.0, 150.0], [0, 3, 0]), "cost")
    assert r.order.tolist() == [1, 0, 2]
    # score = #1's cost / the option's: 100/120, 1, 100/150
    assert r.score.tolist() == pytest.approx([100 / 120, 1.0, 100 / 150])


def test_balanced_premium_is_bounded_by_the_named_constant() -> None:
    # A risk-2 option costing 100 is ranked at 100 x (1 + 2 x N%) = 120 with N = 10: a risk-0
    # option at 119 ranks above it, one at 121 below it.
    assert RISK_PREMIUM_PCT == 10.0
    assert rank(_table([100.0, 119.0], [2, 0]), "balanced").order.tolist() == [1, 0]
    assert rank(_table([100.0, 121.0], [2, 0]), "balanced").order.tolist() == [0, 1]


def test_performance_ranks_capacity_then_cost() -> None:
    # Capacities 4.0 and 4.05 are within the 2 % tie: the cheaper one wins; 6.0 beats both.
    r = rank(_table([100.0, 90.0, 300.0], [0, 0, 0], [4.05, 4.0, 6.0]), "performance")
    assert r.order.tolist() == [2, 1, 0]


def test_rank_reason_comes_from_the_ranking_number() -> None:
    """Mutate the rule's ranking number: the reason text changes with it (one source)."""
    from dataclasses import replace

    r = rank(_table([100.0, 110.0], [1, 0]), "balanced")
    before = r.reason(0).text
    assert "ranked at $110.00" in before  # 100 x (1 + 10 % x 1)
    mutated = replace(r, key=r.key * 2)
    after = mutated.reason(0).text
    assert after != before and "ranked at $220.00" in after


def test_commitments_table_prices_term_and_payment_and_falls_back_to_on_demand(tiny) -> None:
    """ec2_commitments, when the catalog has it, prices reserved at the asked term/payment; a
    type without such a row is priced on-demand and the warning says how many."""
    from types import SimpleNamespace

    from recommender.rules.compute.purchase import effective_prices

    # One 3-year partial-upfront Reserved row for m7g.large: $0.05/h effective (upfront spread
    # over the term), $400 upfront.  m5.large and r7g.large have none.
    rows = pd.DataFrame([dict(
        instance_type="m7g.large", region="us-east-1", offering="reserved_standard",
        term_years=3, payment="partial_upfront", effective_usd_per_hour=0.05,
        upfront_usd=400.0, recurring_usd_per_hour=0.0343, price_as_of="2026-01-01",
        price_source="test:ri", verify=False)])
    cat = SimpleNamespace(tables={"ec2_commitments": rows})
    prof = parse_profile({"purchase_options": ["reserved"], "purchase_term_years": 3,
                          "purchase_payment": "partial_upfront"})
    warnings: list[str] = []
    pr = effective_prices(tiny, tiny.region_pos["us-east-1"], ("reserved",), p=prof,
                          catalog=cat, warnings=warnings)
    m7g, m5 = tiny.pos["m7g.large"], tiny.pos["m5.large"]
    assert (pr.price[m7g], pr.po[m7g]) == (0.05, "reserved")
    assert pr.config(m7g)["term_years"] == 3 and pr.config(m7g)["payment"] == "partial_upfront"
    assert pr.config(m7g)["upfront_usd_per_node"] == 400.0
    assert pr.config(m7g)["price_source"] == "test:ri"
    # m5.large falls back to its on-demand $0.096/h, never dropped.
    assert (pr.price[m5], pr.po[m5]) == (0.096, "on_demand")
    assert any("Reserved Instances 3y partial upfront" in w and "2 of 3" in w for w in warnings)


def test_a_commitment_row_marked_verify_marks_the_price_used(tiny) -> None:
    """The ``verify`` flag of the row a price comes from reaches the pricing (issue 9: any
    price used marked verify reaches the option), whichever purchase option is chosen: a
    verified on-demand price does not hide an unverified reserved one, nor the reverse."""
    from types import SimpleNamespace

    from recommender.rules.compute.purchase import effective_prices

    rows = pd.DataFrame([dict(
        instance_type=t, region="us-east-1", offering="reserved_standard", term_years=1,
        payment="no_upfront", effective_usd_per_hour=0.01, upfront_usd=0.0,
        recurring_usd_per_hour=0.01, price_as_of="2026-01-01", price_source="test:ri",
        verify=flag) for t, flag in (("m7g.large", True), ("m5.large", False))])
    cat = SimpleNamespace(tables={"ec2_commitments": rows})
    prof = parse_profile({"purchase_options": ["on_demand", "reserved"]})
    r = tiny.region_pos["us-east-1"]
    pr = effective_prices(tiny, r, ("on_demand", "reserved"), p=prof, catalog=cat)
    m7g, m5, r7g = tiny.pos["m7g.large"], tiny.pos["m5.large"], tiny.pos["r7g.large"]
    # $0.01/h reserved is below every on-demand price here, so both are reserved.
    assert pr.po[m7g] == pr.po[m5] == "reserved"
    assert pr.unverified(m7g) and not pr.unverified(m5)
    # r7g.large has no reserved row: on-demand, with the on-demand row's own flag.
    assert pr.po[r7g] == "on_demand" and pr.unverified(r7g) == bool(tiny.verify[r][r7g])


def test_snapshot_reserved_price_marked_verify_reaches_the_option(cat) -> None:
    """x2iedn.32xlarge's reserved rows in sa-east-1 come from a source marked verify (the
    snapshot's ec2_commitments); reserved-only for 3,000 GiB picks it (it is the cheapest
    that fits at its reserved price), and the option must say the price is unverified.
    The expected cost is the table row's effective USD/h x 730 h (AWS's month)."""
    t = cat.tables["ec2_commitments"]
    row = t[(t.instance_type == "x2iedn.32xlarge") & (t.region == "sa-east-1")
            & (t.offering == "reserved_standard") & (t.term_years == 1)
            & (t.payment == "no_upfront")]
    assert len(row) == 1 and bool(row["verify"].iloc[0]), "the snapshot's row changed"
    resp = recommend({"region": "sa-east-1", "purchase_options": ["reserved"],
                      "compute": {"memory_gib": 3000}}, catalog=cat, models=False)
    o = next(o for o in resp.recommendations.compute if o.option == "x2iedn.32xlarge")
    assert o.purchase_option == "reserved"
    assert o.monthly_cost_usd == pytest.approx(float(row["effective_usd_per_hour"].iloc[0])
                                               * 730, abs=0.01)
    assert o.verify and any(r.rule == "catalog.verify" for r in o.reasons)
