"""Chart builders: the Pareto frontier logic and that each figure holds the data given."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.app import charts


def test_pareto_frontier_keeps_only_undominated_rows() -> None:
    df = pd.DataFrame({"cost": [1.0, 2.0, 3.0, 2.5, None, 4.0],
                       "perf": [1.0, 3.0, 2.0, 3.5, 9.0, 3.5]},
                      index=list("abcdef"))
    front = charts.pareto_frontier(df, "cost", "perf")
    # c is beaten by b (cheaper, faster); f ties d on perf but costs more; e has no cost.
    assert front[front].index.tolist() == ["a", "b", "d"]


def test_pareto_frontier_of_nothing_is_empty() -> None:
    df = pd.DataFrame({"cost": [None], "perf": [1.0]})
    assert not charts.pareto_frontier(df, "cost", "perf").any()


def test_cost_vs_performance_draws_the_frontier() -> None:
    df = pd.DataFrame({"option": ["a", "b", "c"], "kind": ["ec2", "ec2", "fargate"],
                       "monthly_cost_usd": [10, 20, 30], "perf_index": [1.0, 2.0, 1.5]})
    fig = charts.cost_vs_performance(df, color="kind")
    front = [t for t in fig.data if t.name == "Pareto frontier"][0]
    assert list(front.text) == ["a", "b"]
    assert {t.name for t in fig.data} == {"ec2", "fargate", "Pareto frontier"}


def test_compute_cost_vs_performance_scores_the_whole_deployment() -> None:
    df = pd.DataFrame({"option": ["m5.large", "c7g.large"], "kind": ["ec2", "ec2"],
                       "count": [3, 1], "monthly_cost_usd": [210.0, 60.0],
                       "performance_risk": [1.0, 2.5], "predicted.perf_index": [1.0, 1.8]})
    fig = charts.compute_cost_vs_performance(df)
    ec2 = [t for t in fig.data if t.name == "EC2"][0]
    assert list(ec2.y) == [3.0, 1.8]  # perf_index x nodes: 1.0 x 3, 1.8 x 1
    assert "m5.large x 3" in ec2.text[0] and "$210.00 per month" in ec2.text[0]


def test_compute_cost_vs_performance_keeps_options_without_a_perf_index() -> None:
    # Lambda has no perf_index: the y axis falls back to the headroom every option has
    # (4 - risk), so Lambda stays on the chart instead of being dropped.
    df = pd.DataFrame({"option": ["m5.large", "lambda"], "kind": ["ec2", "lambda"],
                       "count": [3, 1], "monthly_cost_usd": [210.0, 30.0],
                       "performance_risk": [1.0, 2.5], "predicted.perf_index": [1.0, None]})
    fig = charts.compute_cost_vs_performance(df)
    assert {t.name for t in fig.data} == {"EC2", "Lambda", "Pareto frontier"}
    assert list([t for t in fig.data if t.name == "Lambda"][0].y) == [1.5]
    assert "headroom" in fig.layout.yaxis.title.text
    assert list(df.columns)[-1] == "predicted.perf_index"  # the caller's frame is untouched


def test_compute_kind_costs_picks_the_cheapest_per_kind() -> None:
    opts = [{"kind": "ec2", "option": "m5.large", "monthly_cost_usd": 70.0},
            {"kind": "ec2", "option": "t4g.small", "monthly_cost_usd": 12.0},
            {"kind": "lambda", "option": "lambda", "monthly_cost_usd": 30.0},
            {"kind": "fargate", "option": "fargate", "monthly_cost_usd": None}]
    bar = charts.compute_kind_costs(opts).data[0]
    assert list(bar.x) == ["EC2", "Lambda"]
    assert list(bar.y) == [12.0, 30.0] and list(bar.text) == ["t4g.small", "lambda"]


def test_credit_balance_hours_follow_the_interval() -> None:
    fig = charts.credit_balance([10, 20, 30], interval_minutes=30, utilization_pct=[5, 5, 5])
    assert list(fig.data[0].x) == [0.0, 0.5, 1.0]
    assert len(fig.data) == 2


@pytest.mark.parametrize("builder", ["lambda_memory_curve", "runtime_vs_nodes"])
def test_prediction_charts_hold_every_point(builder: str) -> None:
    if builder == "lambda_memory_curve":
        data = [{"memory_mb": m, "duration_ms": 1000 / m * 128, "duration_ms_low": 1,
                 "duration_ms_high": 2000, "monthly_cost_usd": m / 100} for m in (512, 128)]
        fig = charts.lambda_memory_curve(data)
        assert list(fig.data[0].x) == [128, 512]
    else:
        data = [{"instance_type": t, "count": n, "runtime_s": 100 / n, "cost_usd": n * 1.0}
                for t in ("c5.xlarge", "m5.xlarge") for n in (1, 2, 4)]
        fig = charts.runtime_vs_nodes(data)
        assert len(fig.data) == 4 and list(fig.data[0].x) == [1, 2, 4]


def test_utilization_series_spacing() -> None:
    fig = charts.utilization_series([1, 2, 3], interval_minutes=60)
    assert list(fig.data[0].x) == [0.0, 1.0, 2.0]


def test_sweep_chart_has_one_line_per_category() -> None:
    sweep = pd.DataFrame({"factor": [1, 10, 1, 10], "category": ["compute"] * 2 + ["storage"] * 2,
                          "option": ["a", "b", "c", "d"], "monthly_cost_usd": [1, 9, 2, 3]})
    fig = charts.sweep_chart(sweep)
    assert [t.name for t in fig.data] == ["compute", "storage"]


def test_family_value_bars_colors_graviton() -> None:
    summary = pd.DataFrame({"family": ["c7g", "c7i"], "arch": ["arm64", "x86_64"],
                            "median_perf_per_usd_hour": [30.0, 20.0],
                            "best_type": ["c7g.large", "c7i.large"]})
    bar = charts.family_value_bars(summary).data[0]
    assert list(bar.x) == ["c7g", "c7i"] and bar.marker.color[0] != bar.marker.color[1]
