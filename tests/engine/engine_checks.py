"""Hard-constraint checks of a response against its profile and the catalog.

Shared by the golden and the property tests: every option must satisfy every hard
constraint of the profile, checked here independently of the engine's own filters (straight
from the catalog tables).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from recommender.core.profile import WorkloadProfile
from recommender.core.response import CATEGORIES, RecommendationResponse
from recommender.rules.compute.sizing import derive_need

EPS = 1e-6


def _fact(cat, topic: str, key: str) -> float:
    f = cat.facts
    row = f[(f["topic"] == topic) & (f["key"] == key)]
    return float(row["value"].iloc[0])


def fargate_pairs(cat) -> set[tuple[float, float]]:
    f = cat.facts
    out = set()
    for key, value in zip(f["key"], f["value"], strict=True):
        m = re.fullmatch(r"task_size_([\d.]+)vcpu_memory_gb", str(key))
        if m:
            out |= {(float(m.group(1)), float(v)) for v in str(value).split(",")}
    return out


def check_response(p: WorkloadProfile, resp: RecommendationResponse, cat) -> None:
    """Assert the response's structure and every hard constraint of the profile."""
    assert resp.schema_version == "1"
    assert resp.region in set(cat.ec2_prices["region"]), resp.region
    if p.region not in (None, "auto"):
        assert resp.region == p.region
    for name in CATEGORIES:
        opts = getattr(resp.recommendations, name)
        assert [o.rank for o in opts] == list(range(1, len(opts) + 1)), name
        for o in opts:
            assert 0.0 <= o.score <= 1.0
            assert 0.0 <= o.performance_risk <= 4.0
            assert o.count >= 1
            assert o.monthly_cost_usd is None or o.monthly_cost_usd >= 0
            assert o.reasons, f"{o.option} has no reasons"
            # verify=True exactly when a reason tells the user which figure is unverified.
            assert o.verify == any(r.severity == "verify" for r in o.reasons), o.option
            if o.monthly_cost_usd is None and name in ("compute", "storage", "database"):
                assert any(r.rule.endswith("price") or "size_unknown" in r.rule
                           for r in o.reasons), f"unpriced {o.option} does not say why"
    if p.compute is None:
        assert resp.recommendations.compute == []
    else:
        _check_compute(p, resp, cat)
    _check_storage(p, resp, cat)
    for o in resp.recommendations.network[:1]:
        assert o.option == f"region:{resp.region}"
    assert all(v > 0 for v in resp.rejected.values())


def _committed_hourly(cat, o, region: str, pr) -> float:
    """The reserved or Savings Plans 1y/3y no-upfront USD/h the option should cost, from the
    catalog's rows; a commitment row marked ``verify`` must reach the option."""
    term = o.config["term_years"]
    offering = {"reserved": "reserved_standard", "savings_plan": "savings_plan_compute"}[
        o.purchase_option]
    assert o.config["offering"] == offering
    table = cat.tables.get("ec2_commitments")
    if table is None or len(table) == 0:
        assert o.purchase_option == "reserved"  # ec2_prices has no Savings Plans column
        return pr[f"reserved_{term}y_no_upfront_usd_per_hour"]
    rows = table[(table["instance_type"] == o.option) & (table["region"] == region)
                 & (table["offering"] == offering) & (table["term_years"] == term)
                 & (table["payment"] == "no_upfront")]
    assert len(rows) == 1, (o.option, region, len(rows))
    if bool(rows["verify"].iloc[0]):
        assert o.verify, f"{o.option}: its {o.purchase_option} price is marked verify"
    return float(rows["effective_usd_per_hour"].iloc[0])


def _check_compute(p: WorkloadProfile, resp: RecommendationResponse, cat) -> None:
    need = derive_need(p)
    c = p.compute
    ec2 = cat.ec2.set_index("instance_type")
    prices = cat.ec2_prices.set_index(["instance_type", "region"])
    for o in resp.recommendations.compute:
        if o.kind == "ec2":
            row = ec2.loc[o.option]
            n = o.count
            assert row["arch"] in need.arch, (o.option, row["arch"])
            burst = o.config.get("credit_mode") is not None
            if need.vcpus is not None and not (c and c.measured_on):
                # A burstable type holds the peak demand at 100 % of its vCPUs (its credits
                # are judged separately); the others the need with its headroom.
                want = need.demand_vcpus if burst and need.demand_vcpus else need.vcpus
                assert row["vcpus"] * n >= want - EPS, (o.option, want)
            if need.vcpus_max is not None:
                assert row["vcpus"] <= need.vcpus_max + EPS
            if need.memory_gib is not None:
                assert row["memory_gib"] * n >= need.memory_gib - EPS, o.option
            if need.memory_max is not None:
                assert row["memory_gib"] <= need.memory_max + EPS
            if need.gpus_min is not None:
                assert row["gpus"] >= need.gpus_min
            if need.gpus_max is not None:
                assert row["gpus"] <= need.gpus_max
            if need.max_nodes is not None:
                assert n <= need.max_nodes
            if not need.horizontal:
                assert n == 1
            pr = prices.loc[(o.option, resp.region)]
            if o.purchase_option == "spot":
                assert c.interruption_tolerant is True
                # The measured price (the lowest AZ's, ec2_prices.spot_usd_per_hour) where
                # the catalog has one, else the advisor's estimate (CONTRACT section 2).
                measured = pr["spot_usd_per_hour"]
                hourly = pr["spot_usd_per_hour_est"] if pd.isna(measured) else measured
            elif o.purchase_option in ("reserved", "savings_plan"):
                # The profile's term (default 1 year), no upfront: from ec2_commitments when
                # the catalog has it (the engine's documented source), else ec2_prices.
                assert o.config["payment"] == "no_upfront"
                hourly = _committed_hourly(cat, o, resp.region, pr)
            else:
                assert o.purchase_option == "on_demand"
                hourly = pr["ondemand_usd_per_hour"]
            # A commitment bills every hour of its term, used or not (Reserved Instances,
            # payment options; Savings Plans commit USD per hour): 730 h a month at least.
            committed = o.purchase_option in ("reserved", "savings_plan")
            base = hourly * n * (max(need.hours, 730.0) if committed else need.hours)
            if o.config.get("credit_mode") == "unlimited":
                assert o.monthly_cost_usd >= base - 0.01
            else:
                assert abs(o.monthly_cost_usd - base) <= 0.01 + 1e-6 * base, (o.option, base)
            if row["burstable"] or re.match(r"t\d", str(row["family"])):
                assert o.config.get("credit_mode") in ("standard", "unlimited")
                assert o.predicted.get("credit_balance")
            if need.tightly_coupled and n > 1:
                assert "cluster" in str(row["placement_group_strategies"]).split(",")
            if p.network and p.network.bandwidth_gbps:
                peak = row["network_peak_gbps"]
                peak = row["network_baseline_gbps"] if math.isnan(peak) else peak
                assert peak >= p.network.bandwidth_gbps
            s = p.storage
            if (s and s.persistence != "scratch" and s.sharing in (None, "single_instance")
                    and s.iops and s.iops.min):
                assert row["ebs_max_iops"] >= s.iops.min
            if pr["verify"]:
                assert o.verify
        elif o.kind == "fargate":
            assert not (c.gpus and (c.gpus.min or 0) > 0)
            pair = (o.config["vcpu"], o.config["memory_gib"])
            assert pair in fargate_pairs(cat), pair
            if need.vcpus is not None:
                assert pair[0] * o.count >= need.vcpus - EPS
            if need.memory_gib is not None:
                assert pair[1] * o.count >= need.memory_gib - EPS
            assert o.config["arch"] in need.arch
        elif o.kind == "lambda":
            assert c.event_driven or c.invocations_per_month is not None
            mem = o.config["memory_mb"]
            assert _fact(cat, "lambda", "memory_min") <= mem
            assert mem <= _fact(cat, "lambda", "memory_max_standard_function")
            if c.duration_ms is not None:
                assert c.duration_ms <= _fact(cat, "lambda", "timeout_max") * 1000
            if c.memory_mb_used is not None:
                assert mem >= c.memory_mb_used
        else:
            raise AssertionError(f"unexpected compute kind {o.kind}")


def _check_storage(p: WorkloadProfile, resp: RecommendationResponse, cat) -> None:
    s = p.storage
    if s is None:
        assert resp.recommendations.storage == []
        return
    ebs = cat.ebs
    for o in resp.recommendations.storage:
        if o.kind == "ebs":
            assert s.sharing in (None, "single_instance")
            rows = ebs[ebs["volume_type"] == o.option]
            row = rows[rows["region"] == resp.region]
            row = (row if len(row) else rows).iloc[0]
            # A RAID 0 set of ``volumes`` identical volumes: per-volume limits, summed need.
            vol = int(o.config.get("volumes", 1))
            size = o.config["size_gib"]
            per_size = o.config.get("size_gib_per_volume", size)
            assert row["size_min_gib"] <= per_size <= row["size_max_gib"]
            if s.size_gib and s.size_gib.min:
                assert size >= s.size_gib.min
            iops = o.config.get("iops")
            per_iops = o.config.get("iops_per_volume", iops)
            if s.iops and s.iops.min:
                assert s.iops.min <= row["iops_max"] * vol
                if iops is not None:
                    assert s.iops.min <= iops and per_iops <= row["iops_max"]
                included = 0.0 if math.isnan(row["included_iops"]) else row["included_iops"]
                if not math.isnan(row["iops_per_gib_max"]) and per_iops is not None:
                    assert per_iops <= max(included, per_size * row["iops_per_gib_max"]) + EPS
            tp = s.throughput_mibps.min if s.throughput_mibps else None
            if tp:
                assert tp <= row["throughput_max_mibps"] * vol
                base = row["baseline_throughput_mibps_per_tib"]
                if not math.isnan(base):
                    assert size / 1024 * base >= tp - EPS
            if s.latency_ms is not None and s.latency_ms < 1:
                assert row["latency_class"] == "sub-ms"
            if str(row["media"]).upper() != "SSD":
                assert s.access_pattern == "sequential"
            assert o.option != "standard"
        elif o.kind == "efs":
            assert s.sharing == "multi_instance"
        elif o.kind == "s3":
            assert s.sharing == "web" or s.access_frequency in ("cold", "archive")
        elif o.kind == "instance_store":
            assert s.persistence == "scratch"
            row = cat.ec2.set_index("instance_type").loc[o.config["instance_type"]]
            assert row["instance_storage_gib"] >= (s.size_gib.min if s.size_gib else 0)
        else:
            raise AssertionError(f"unexpected storage kind {o.kind}")
