"""Catalog exploration and capacity-planning helpers (used by the notebooks and the app)."""

from __future__ import annotations

import pandas as pd
import pytest

from catalog import Catalog
from recommender.app.explore import family_summary, filter_rows, price_performance
from recommender.app.planning import capacity_sweep, scale_profile
from recommender.app.presets import get_preset


def _tiny_catalog() -> Catalog:
    ec2 = pd.DataFrame({
        "instance_type": ["a1.large", "a1.xlarge", "b2.large", "old.large"],
        "family": ["a1", "a1", "b2", "old"], "size": ["large", "xlarge", "large", "large"],
        "vcpus": [2, 4, 2, 2], "memory_gib": [4.0, 8.0, 8.0, 4.0],
        "arch": ["arm64", "arm64", "x86_64", "x86_64"],
        "current_generation": [True, True, True, False], "burstable": [False] * 4,
        "perf_index": [1.0, 2.0, 1.5, None], "perf_index_source": ["measured"] * 3 + ["missing"],
    })
    prices = pd.DataFrame({
        "instance_type": ["a1.large", "a1.xlarge", "b2.large", "old.large", "b2.large"],
        "region": ["r-1", "r-1", "r-1", "r-1", "r-2"],
        "ondemand_usd_per_hour": [0.1, 0.2, 0.1, 0.05, 9.0], "verify": [False] * 5,
    })
    return Catalog(tables={"ec2": ec2, "ec2_prices": prices})


def test_price_performance_ranks_value_in_one_region() -> None:
    pp = price_performance(_tiny_catalog(), "r-1")
    assert pp["instance_type"].tolist() == ["b2.large", "a1.large", "a1.xlarge", "old.large"]
    assert pp.loc[0, "perf_per_usd_hour"] == pytest.approx(15.0)
    assert pp.loc[0, "monthly_usd"] == pytest.approx(73.0)
    assert "old.large" not in price_performance(_tiny_catalog(), "r-1", True)["instance_type"]


def test_family_summary_medians_and_best_type() -> None:
    fam = family_summary(price_performance(_tiny_catalog(), "r-1"))
    assert fam["family"].tolist() == ["b2", "a1"]  # old has no perf_index
    a1 = fam.set_index("family").loc["a1"]
    assert (a1["sizes"], a1["best_type"]) == (2, "a1.large")


def test_filter_rows() -> None:
    prices = _tiny_catalog().ec2_prices
    assert len(filter_rows(prices, region="r-2")) == 1
    assert filter_rows(prices, query="A1.")["instance_type"].tolist() == ["a1.large", "a1.xlarge"]
    ec2 = _tiny_catalog().ec2
    got = filter_rows(ec2, ranges={"vcpus": (3, None)}, values={"arch": ["arm64"], "family": []})
    assert got["instance_type"].tolist() == ["a1.xlarge"]


def test_scale_profile_scales_load_not_data() -> None:
    base = get_preset("web_app")
    big = scale_profile(base, 10)
    assert big["compute"]["vcpus"] == 20 and big["database"]["reads_per_s"] == 4000
    assert big["storage"]["size_gib"] == base["storage"]["size_gib"]
    assert big["compute"]["max_nodes"] == base["compute"]["max_nodes"]
    assert base["compute"]["vcpus"] == 2  # the input is not modified
    rng = scale_profile({"compute": {"vcpus": {"min": 2, "max": 4}}}, 3)
    assert rng["compute"]["vcpus"] == {"min": 6, "max": 12}
    with pytest.raises(ValueError, match="factor"):
        scale_profile(base, 0)


def test_capacity_sweep_cost_grows_with_load(catalog) -> None:
    sweep = capacity_sweep(get_preset("web_app"), factors=(1, 10), catalog=catalog,
                           progress=False)
    compute = sweep[sweep["category"] == "compute"].set_index("factor")
    assert compute.loc[10, "monthly_cost_usd"] > compute.loc[1, "monthly_cost_usd"]
    assert set(sweep["category"]) == {"compute", "storage", "database", "network"}


def test_price_table_joins_prices_and_shows_burstables_at_their_baseline(catalog) -> None:
    from recommender.app.explore import price_table

    df = price_table(catalog, "us-east-1", "on-demand").set_index("instance_type")
    # t3.micro: 2 vCPUs at a 10% baseline each (AWS burstable baseline table) -> 0.2 vCPUs.
    assert df.loc["t3.micro", "sustained_vcpus"] == pytest.approx(0.2)
    assert df.loc["m5.large", "sustained_vcpus"] == 2
    # m5.large on demand in us-east-1: 0.096 USD/hour (AWS Price List) -> 70.08 USD per 730 h.
    assert df.loc["m5.large", "monthly_usd"] == pytest.approx(0.096 * 730)
    order = list(df.index)
    assert order.index("m5.2xlarge") < order.index("m5.12xlarge")


def test_sweep_totals_never_drop_a_missing_cost() -> None:
    from recommender.app.planning import sweep_totals

    sweep = pd.DataFrame([
        {"factor": 1, "category": "compute", "monthly_cost_usd": 10.0},
        {"factor": 1, "category": "storage", "monthly_cost_usd": 5.0},
        {"factor": 100, "category": "compute", "monthly_cost_usd": None},  # nothing fits
        {"factor": 100, "category": "storage", "monthly_cost_usd": 500.0},
        {"factor": 1, "category": "network", "monthly_cost_usd": 1.0},
        {"factor": 100, "category": "network", "monthly_cost_usd": 2.0},
    ])
    totals = sweep_totals(sweep, exclude=["network"])
    assert totals.loc[1, "total"] == 15.0 and totals.loc[1, "missing"] == ""
    # 500 alone would understate the bill: the total is unknown and says why.
    assert pd.isna(totals.loc[100, "total"]) and totals.loc[100, "missing"] == "compute"
    assert totals.loc[1, "usd_per_unit_load"] == 15.0
