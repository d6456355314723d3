"""Fleet shape of scaled-out work: node counts, the fewest-nodes rule and the per-node floor.

An architect does not split a small need over many tiny nodes (each pays OS/runtime memory
and is one more to run), keeps at least one node per Availability Zone for horizontal work,
and never uses a node smaller than one parallel task.
"""

from __future__ import annotations

import numpy as np
import pytest

from recommender import recommend
from recommender.app.presets import get_preset, preset_names
from recommender.core.profile import parse_profile
from recommender.rules.compute import sizing as cr
from recommender.rules.compute.elasticity import plan_scaling
from recommender.rules.compute.fleet import fewest_nodes


def _need(**compute):
    return cr.derive_need(parse_profile({"compute": compute}))


def test_min_nodes_follow_the_scale_out_shape() -> None:
    assert _need(vcpus=2, scale_out="horizontal").min_nodes == 2
    assert _need(vcpus=2, scale_out="horizontal", max_nodes=1).min_nodes == 1
    assert _need(vcpus=2, scale_out="tightly_coupled").min_nodes == 1
    assert _need(vcpus=2).min_nodes == 1
    one = cr.node_counts(np.array([64.0]), np.array([256.0]),
                         _need(vcpus=2, scale_out="tightly_coupled"))
    assert one.tolist() == [1.0]


def test_fewest_nodes_drops_smaller_sizes_of_a_family() -> None:
    fam = np.array(["t4g", "t4g", "t4g", "t4g", "m7g"], dtype=object)
    count = np.array([8.0, 4.0, 2.0, 2.0, 3.0])
    cost = np.array([10.0, 10.0, 10.0, 20.0, 9.0])  # linear price within the family
    alive = np.array([True, True, True, True, True])
    keep, fmin = fewest_nodes(fam, count, cost, alive, cheaper_may_add_nodes=False)
    assert keep.tolist() == [False, False, True, True, True]
    assert fmin == {"t4g": 2.0, "m7g": 3.0}
    # A size ruled out by a hard filter does not set the family's fewest count.
    keep, fmin = fewest_nodes(fam, count, cost, alive & (count != 2), False)
    assert keep.tolist() == [False, True, False, False, True] and fmin["t4g"] == 4.0


def test_parallel_tasks_take_more_nodes_only_when_cheaper() -> None:
    fam = np.array(["c7g"] * 4, dtype=object)
    count = np.array([10.0, 5.0, 3.0, 2.0])
    cost = np.array([20.0, 20.0, 24.0, 32.0])  # rounding makes the 2-node fleet dearer
    alive = np.ones(4, dtype=bool)
    keep, _ = fewest_nodes(fam, count, cost, alive, cheaper_may_add_nodes=True)
    # 10 nodes cost no less than 5: dropped; 5 and 3 nodes save money: kept.
    assert keep.tolist() == [False, True, True, True]


def test_web_app_preset_gets_few_right_sized_nodes(cat) -> None:
    r = recommend(get_preset("web_app"), catalog=cat, models=False)
    need = cr.derive_need(parse_profile(get_preset("web_app")))
    ec2 = cat.ec2.set_index("instance_type")
    opts = [o for o in r.recommendations.compute if o.kind == "ec2"]
    assert opts
    for o in opts:
        # 2.04 vCPUs and 4 GiB fit on two nodes of most families: never 8 x 0.5 GiB.
        assert o.count == need.min_nodes == 2, (o.option, o.count)
        assert ec2.loc[o.option, "memory_gib"] * o.count >= need.memory_gib
        assert o.config["scaling"]["min_count"] >= 2
        text = " ".join(x.text for x in o.reasons if x.rule == "compute.node_count")
        assert "one per Availability Zone" in text and "Fewest nodes first" in text
    for o in r.recommendations.compute:
        if o.kind == "fargate":
            assert o.count == 2


def test_per_node_floor_is_one_parallel_task(cat) -> None:
    p = {"region": "us-east-1", "compute": {"vcpus": 32, "memory_gib": 128, "parallelism": 2,
                                            "scale_out": "horizontal", "arch": "any"}}
    r = recommend(p, catalog=cat, models=False)
    ec2 = cat.ec2.set_index("instance_type")
    assert r.rejected.get("ec2.node_below_per_node_floor", 0) > 0
    assert r.recommendations.compute
    for o in r.recommendations.compute:
        if o.kind == "ec2":
            assert ec2.loc[o.option, "vcpus"] >= 16 and ec2.loc[o.option, "memory_gib"] >= 64
            assert any("Per-node floor 16 vCPUs and 64 GiB" in x.text for x in o.reasons)
        elif o.kind == "fargate":
            assert o.config["vcpu"] >= 16 and o.config["memory_gib"] >= 64


def test_scaling_minimum_keeps_one_node_per_az() -> None:
    kw = dict(series_pct=np.full(288, 5.0), measured_vcpus=4.0, interval_min=5.0,
              node_vcpus=8.0, count=2, max_nodes=None, startup_s=300.0, can_wait=False,
              cpu_headroom_pct=20.0)
    assert plan_scaling(**kw).min_count == 1
    two = plan_scaling(**kw, min_nodes=2)
    assert two.min_count == 2 and "one per Availability Zone" in two.reasons[-1].text


@pytest.mark.parametrize("name", preset_names())
def test_presets_never_split_into_smaller_nodes_at_no_saving(name: str, cat) -> None:
    """No preset option uses a size whose family meets the need in fewer nodes for no more."""
    profile = get_preset(name)
    r = recommend(profile, catalog=cat, models=False)
    need = cr.derive_need(parse_profile(profile)) if profile.get("compute") else None
    ec2 = cat.ec2.set_index("instance_type")
    prices = cat.ec2_prices.set_index(["instance_type", "region"])["ondemand_usd_per_hour"]
    for o in r.recommendations.compute:
        if o.kind != "ec2" or o.count == 1:
            continue
        fam = ec2.loc[o.option, "family"]
        for t, row in ec2[ec2["family"] == fam].iterrows():
            n = max(need.min_nodes, int(np.ceil(need.vcpus / row["vcpus"] - 1e-9)),
                    int(np.ceil(need.memory_gib / row["memory_gib"] - 1e-9)))
            if n < o.count and (t, r.region) in prices.index and o.purchase_option == \
                    "on_demand":
                assert prices[(t, r.region)] * n > prices[(o.option, r.region)] * o.count, (
                    o.option, o.count, t, n)
