"""Property tests: any valid profile gets options that satisfy every hard constraint; any
invalid profile gets a ProfileError naming the field, never another exception.

60 examples per property by default (fast); ``HYPO_N=1500 pytest tests/engine`` runs a
longer search.
"""

from __future__ import annotations

import json

import pytest
from engine_checks import check_response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import recommend
from recommender.core.errors import ProfileError
from recommender.core.profile import WorkloadProfile, parse_profile

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1",
           "ap-south-1", "sa-east-1", "ca-central-1"]

SETTINGS = settings(max_examples=int(__import__("os").environ.get("HYPO_N", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _opt(strategy):
    return st.one_of(st.none(), strategy)


def _range(lo: float, hi: float):
    num = st.floats(lo, hi, allow_nan=False)
    return st.one_of(num, st.builds(lambda a, b: {"min": min(a, b), "max": max(a, b)}, num, num),
                     st.builds(lambda a: {"min": a}, num))


pct = st.floats(0, 100, allow_nan=False)


@st.composite
def cpu_util(draw):
    vals = sorted(draw(st.lists(pct, min_size=3, max_size=3)))
    keep = draw(st.lists(st.booleans(), min_size=3, max_size=3))
    out = {k: v for k, v, y in zip(("average_pct", "p95_pct", "peak_pct"), vals, keep,
                                    strict=True) if y}
    return out or {"average_pct": vals[0]}


compute = st.fixed_dictionaries({}, optional={
    "vcpus": _range(0.25, 96), "memory_gib": _range(0.5, 768),
    "arch": st.sampled_from(["x86_64", "arm64", "any"]),
    "gpus": st.sampled_from([0, 1, {"min": 1, "max": 4}, {"max": 0}]),
    "cpu_utilization": cpu_util(),
    "utilization_series_pct": st.lists(pct, min_size=1, max_size=300),
    "parallelism": st.integers(1, 256),
    "scale_out": st.sampled_from(["none", "horizontal", "tightly_coupled"]),
    "max_nodes": st.integers(1, 64), "hours_per_month": st.floats(1, 744),
    "interruption_tolerant": st.booleans(), "event_driven": st.booleans(),
    "invocations_per_month": st.floats(0, 1e9), "duration_ms": st.floats(1, 1_200_000),
    "memory_mb_used": st.floats(16, 12_000), "startup_time_s": st.floats(0, 900),
    "memory_used_gib": st.floats(0.1, 512),
})
storage = st.fixed_dictionaries({}, optional={
    "size_gib": _range(1, 70000), "iops": _range(0, 300000), "throughput_mibps": _range(0, 5000),
    "access_pattern": st.sampled_from(["random", "sequential", "mixed"]),
    "read_fraction": st.floats(0, 1), "latency_ms": st.floats(0.1, 100),
    "sharing": st.sampled_from(["single_instance", "multi_instance", "web"]),
    "persistence": st.sampled_from(["persistent", "scratch"]),
    "access_frequency": st.sampled_from(["hot", "warm", "cold", "archive"]),
})
database = st.fixed_dictionaries({}, optional={
    "data_model": st.sampled_from(["relational", "key_value", "document", "analytics",
                                   "search", "cache"]),
    "size_gib": _range(1, 100000), "reads_per_s": st.floats(0, 1e6),
    "writes_per_s": st.floats(0, 1e5), "item_size_kib": st.floats(0.1, 400),
    "consistency": st.sampled_from(["strong", "eventual"]),
    "query_pattern": st.sampled_from(["key_lookup", "joins", "aggregations", "full_text"]),
    "latency_ms": st.floats(0.1, 1000), "cacheable_read_fraction": st.floats(0, 1),
})


@st.composite
def user_regions(draw):
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=4, unique=True))
    weights = draw(st.lists(st.integers(1, 10), min_size=len(regions), max_size=len(regions)))
    total = sum(weights)
    shares = [w / total for w in weights]
    return dict(zip(regions, shares, strict=True))


network = st.fixed_dictionaries({}, optional={
    "user_regions": user_regions(), "egress_gib_per_month": st.floats(0, 1e6),
    "static_content_fraction": st.floats(0, 1), "inter_node_latency_sensitive": st.booleans(),
    "bandwidth_gbps": st.floats(0.1, 200), "on_premises_link": st.booleans(),
    "s3_traffic_gib_per_month": st.floats(0, 1e6),
})
profiles = st.fixed_dictionaries({}, optional={
    "region": st.sampled_from(REGIONS + ["auto"]),
    "objective": st.sampled_from(["cost", "performance", "balanced"]),
    "purchase_options": st.lists(st.sampled_from(["on_demand", "spot", "savings_plan",
                                                  "reserved"]), min_size=1, max_size=4,
                                 unique=True),
    "top_n": st.integers(1, 10), "compute": compute, "storage": storage,
    "database": database, "network": network,
})


@SETTINGS
@given(data=profiles)
def test_valid_profiles_get_options_within_every_hard_constraint(data, cat) -> None:
    p = parse_profile(data)
    resp = recommend(p, catalog=cat, models=False)
    check_response(p, resp, cat)
    # The response always serialises to JSON and back (what the CLI and API send).
    assert json.loads(resp.model_dump_json())["schema_version"] == "1"


BAD_VALUES = [
    (("compute", "vcpus"), "four", "compute.vcpus"),
    (("compute", "vcpus"), -1, "compute.vcpus"),
    (("compute", "memory_gib"), {"min": 8, "max": 2}, "compute.memory_gib"),
    (("compute", "arch"), "sparc", "compute.arch"),
    (("compute", "parallelism"), 0, "compute.parallelism"),
    (("compute", "hours_per_month"), 800, "compute.hours_per_month"),
    (("compute", "utilization_series_pct"), [10, 120], "compute.utilization_series_pct.1"),
    (("compute", "cpu_utilization"), {"average_pct": 90, "peak_pct": 10},
     "compute.cpu_utilization"),
    (("compute", "interruption_tolerant"), "yes", "compute.interruption_tolerant"),
    (("storage", "iops"), -5, "storage.iops"),  # a bare number: the field written
    (("storage", "sharing"), "everyone", "storage.sharing"),
    (("storage", "read_fraction"), 1.5, "storage.read_fraction"),
    (("database", "data_model"), "graph", "database.data_model"),
    (("database", "reads_per_s"), "many", "database.reads_per_s"),
    (("network", "user_regions"), {"us-east-1": 0.5, "eu-west-1": 0.2},
     "network.user_regions"),
    (("network", "user_regions"), {"mars-north-1": 1.0}, "network.user_regions"),
    (("region",), "narnia", "region"),
    (("objective",), "cheapest", "objective"),
    (("schema_version",), "2", "schema_version"),
    (("top_n",), 0, "top_n"),
    (("compute", "vcpu"), 4, "compute.vcpu"),
    (("sizing",), {}, "sizing"),
]


@SETTINGS
@given(base=profiles, bad=st.sampled_from(BAD_VALUES))
def test_invalid_profiles_name_the_field(base, bad) -> None:
    path, value, field = bad
    data = json.loads(json.dumps(base))
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(ProfileError) as info:
        recommend(data, models=False)
    fields = [e["field"] for e in info.value.errors]
    assert field in fields, (fields, info.value)
    assert field in str(info.value)


@pytest.mark.parametrize("junk", [None, 3, "[]", "{", [1, 2], "null", b"\xff"])
def test_not_a_profile_is_a_clear_error(junk) -> None:
    with pytest.raises(ProfileError) as info:
        recommend(junk, models=False)
    assert info.value.errors and info.value.errors[0]["rule"]


def test_unpriced_region_is_a_profile_error(cat) -> None:
    with pytest.raises(ProfileError, match="region"):
        recommend({"region": "eu-south-2", "compute": {"vcpus": 2}}, catalog=cat, models=False)


def test_profile_is_frozen_and_absent_is_none() -> None:
    p = WorkloadProfile.model_validate({"compute": {"vcpus": 2}})
    assert p.compute.memory_gib is None and p.storage is None
    assert p.compute.vcpus.min == 2 and p.compute.vcpus.max is None
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error type varies
        p.region = "us-east-1"


cost_profiles = st.fixed_dictionaries({
    "region": st.sampled_from(REGIONS[:4]),
    "objective": st.just("cost"),
    "top_n": st.just(50),
    "compute": st.fixed_dictionaries(
        {"vcpus": st.integers(1, 96), "memory_gib": st.sampled_from([1, 2, 4, 8, 16, 64, 256])},
        optional={"cpu_utilization": st.fixed_dictionaries(
            {"average_pct": st.floats(1, 60), "peak_pct": st.floats(60, 100)}),
            "scale_out": st.sampled_from(["none", "horizontal"]),
            "arch": st.sampled_from(["x86_64", "arm64", "any"])}),
}, optional={"purchase_options": st.sampled_from([["on_demand"], ["reserved"],
                                                  ["on_demand", "reserved"]])})


@SETTINGS
@given(data=cost_profiles, pick=st.lists(st.integers(0, 10_000), min_size=10, max_size=10))
def test_cost_objective_never_ranks_a_cheaper_admissible_option_below_first(data, pick,
                                                                           cat) -> None:
    """Objective cost: no admissible option (shown or not) is cheaper than #1."""
    types = cat.ec2["instance_type"].tolist()
    names = [types[k % len(types)] for k in pick]
    r = recommend(data, catalog=cat, models=False, explain=names)
    opts = r.recommendations.compute
    if not opts:
        return
    first = opts[0].monthly_cost_usd
    shown = [o.monthly_cost_usd for o in opts if o.monthly_cost_usd is not None]
    assert shown == sorted(shown)
    for w in r.why_not:
        if w.verdict in ("ranked", "shown") and w.monthly_cost_usd is not None:
            assert w.monthly_cost_usd >= first - 0.01, (w.option, w.monthly_cost_usd, first)


#: Objective cost across categories: compute with serverless (Lambda, Fargate) competing
#: with EC2, storage (EBS, instance store, EFS, S3) and databases (every data model).
cost_all = st.fixed_dictionaries({
    "region": st.sampled_from(REGIONS[:4]),
    "objective": st.just("cost"),
    "top_n": st.just(50),
}, optional={
    "compute": st.fixed_dictionaries(
        {"vcpus": st.sampled_from([0.25, 0.5, 1, 2, 4, 16]),
         "memory_gib": st.sampled_from([0.5, 1, 2, 4, 8, 32])},
        optional={"event_driven": st.booleans(),
                  "invocations_per_month": st.floats(1e3, 1e8),
                  "duration_ms": st.floats(10, 60_000),
                  "interruption_tolerant": st.booleans(),
                  "scale_out": st.sampled_from(["none", "horizontal"])}),
    "storage": storage, "database": database,
})


@SETTINGS
@given(data=cost_all)
def test_cost_objective_ranks_every_category_cheapest_first(data, cat) -> None:
    """Objective cost, every ranked category: no option below #1 is cheaper than #1.

    ``top_n`` 50 shows every admissible option the category ranks, so "shown" is
    "admissible"; unpriced options (cost unknown) may only follow the priced ones.
    """
    r = recommend(data, catalog=cat, models=False)
    for category in ("compute", "storage", "database"):
        opts = getattr(r.recommendations, category)
        costs = [o.monthly_cost_usd for o in opts]
        priced = [c for c in costs if c is not None]
        assert costs[:len(priced)] == priced, (category, costs)  # unpriced last
        for k, c in enumerate(priced[1:], start=2):
            assert c >= priced[0] - 0.01, (category, k, opts[k - 1].option, c, priced[0])
