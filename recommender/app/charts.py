"""Plotly figure builders shared by the Streamlit app and the notebooks.

Each builder takes plain data (a response, a DataFrame, a list of predictions) and returns a
``plotly.graph_objects.Figure``; none reads files or the network.  The one piece of logic,
:func:`pareto_frontier`, is a pure function with its own test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_COMPUTE_KINDS = ("ec2", "fargate", "lambda")


def pareto_frontier(df: pd.DataFrame, cost: str, perf: str) -> pd.Series:
    """Mark the rows no other row beats on both cost (lower) and performance (higher).

    Parameters
    ----------
    df : DataFrame
        One row per option.
    cost, perf : str
        Column names: ``cost`` is minimized, ``perf`` maximized.  Rows with either missing
        are never on the frontier.

    Returns
    -------
    Series of bool, aligned with ``df``.
    """
    on = pd.Series(False, index=df.index)
    valid = df[[cost, perf]].dropna()
    if valid.empty:
        return on
    # Sort by cost ascending (ties: best perf first); a row is on the frontier when its
    # performance beats every cheaper row's.
    ordered = valid.sort_values([cost, perf], ascending=[True, False])
    best = float("-inf")
    for idx, p in zip(ordered.index, ordered[perf], strict=True):
        if p > best:
            on[idx] = True
            best = p
    return on


def cost_vs_performance(
    df: pd.DataFrame,
    cost: str = "monthly_cost_usd",
    perf: str = "perf_index",
    label: str = "option",
    color: str | None = None,
    title: str = "Cost vs performance",
) -> go.Figure:
    """Scatter of cost against performance with the Pareto frontier drawn as a line."""
    data = df.dropna(subset=[cost, perf]).copy()
    data["_pareto"] = pareto_frontier(data, cost, perf)
    fig = go.Figure()
    groups = data.groupby(color, sort=True) if color else [("options", data)]
    for name, g in groups:
        fig.add_trace(
            go.Scatter(
                x=g[cost], y=g[perf], mode="markers", name=str(name), text=g[label],
                hovertemplate="%{text}<br>cost %{x:,.2f}<br>perf %{y:.2f}<extra></extra>",
                marker={"size": 8, "opacity": 0.7},
            )
        )
    front = data[data["_pareto"]].sort_values(cost)
    fig.add_trace(
        go.Scatter(
            x=front[cost], y=front[perf], mode="lines+markers", name="Pareto frontier",
            text=front[label], line={"color": "black", "dash": "dash", "shape": "hv"},
            marker={"symbol": "diamond", "size": 10, "color": "black"},
        )
    )
    fig.update_layout(title=title, xaxis_title=cost, yaxis_title=perf, hovermode="closest")
    return fig


def credit_balance(
    balance: Sequence[float],
    hours: Sequence[float] | None = None,
    interval_minutes: float = 5.0,
    max_credits: float | None = None,
    utilization_pct: Sequence[float] | None = None,
    title: str = "CPU-credit balance",
) -> go.Figure:
    """CPU-credit balance over time (and the utilization that drove it, when given).

    ``hours`` are the times of the balance points; without them the points are taken
    ``interval_minutes`` apart.
    """
    if hours is None:
        hours = [i * interval_minutes / 60.0 for i in range(len(balance))]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=list(hours), y=list(balance), name="credit balance",
                             mode="lines"))
    if max_credits is not None:
        fig.add_hline(y=max_credits, line_dash="dot", annotation_text="max credits")
    if utilization_pct is not None:
        u_hours = [i * interval_minutes / 60.0 for i in range(len(utilization_pct))]
        fig.add_trace(
            go.Scatter(x=u_hours, y=list(utilization_pct), name="CPU utilization %",
                       mode="lines", line={"width": 1}, opacity=0.5),
            secondary_y=True,
        )
        fig.update_yaxes(title_text="CPU %", secondary_y=True, range=[0, 100])
    fig.update_layout(title=title, xaxis_title="hours")
    fig.update_yaxes(title_text="credits", secondary_y=False, rangemode="tozero")
    return fig


def utilization_series(values: Sequence[float], interval_minutes: float = 5.0,
                       title: str = "Uploaded CPU utilization") -> go.Figure:
    """A utilization series (percent) against hours."""
    hours = [i * interval_minutes / 60.0 for i in range(len(values))]
    fig = go.Figure(go.Scatter(x=hours, y=list(values), mode="lines", name="CPU %"))
    fig.update_layout(title=title, xaxis_title="hours", yaxis_title="CPU %", height=260,
                      yaxis_range=[0, 100])
    return fig


def lambda_memory_curve(predictions: Sequence[dict[str, Any]] | pd.DataFrame,
                        title: str = "Lambda duration and cost vs memory") -> go.Figure:
    """Duration (with its interval) and monthly cost against the memory setting."""
    df = pd.DataFrame(predictions).sort_values("memory_mb")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    err = None
    if {"duration_ms_low", "duration_ms_high"} <= set(df.columns):
        err = {
            "type": "data", "symmetric": False,
            "array": (df["duration_ms_high"] - df["duration_ms"]).tolist(),
            "arrayminus": (df["duration_ms"] - df["duration_ms_low"]).tolist(),
        }
    fig.add_trace(go.Scatter(x=df["memory_mb"], y=df["duration_ms"], name="duration ms",
                             mode="lines+markers", error_y=err))
    if "monthly_cost_usd" in df:
        fig.add_trace(go.Scatter(x=df["memory_mb"], y=df["monthly_cost_usd"],
                                 name="monthly cost USD", mode="lines+markers"),
                      secondary_y=True)
    fig.update_layout(title=title, xaxis_title="memory (MB)")
    fig.update_yaxes(title_text="duration (ms)", secondary_y=False)
    fig.update_yaxes(title_text="USD / month", secondary_y=True)
    return fig


def compute_kind_costs(compute_options: Sequence[dict[str, Any]] | pd.DataFrame,
                       title: str = "EC2 vs Fargate vs Lambda: monthly cost") -> go.Figure:
    """The cheapest priced option of each compute kind, as bars (its name on the bar)."""
    df = pd.DataFrame(compute_options)
    if df.empty or "kind" not in df:
        df = pd.DataFrame(columns=["kind", "option", "monthly_cost_usd"])
    df = df[df["kind"].isin(_COMPUTE_KINDS)].dropna(subset=["monthly_cost_usd"])
    best = df.sort_values("monthly_cost_usd").groupby("kind", sort=False).head(1)
    best = best.set_index("kind").reindex([k for k in _COMPUTE_KINDS if k in set(best["kind"])])
    fig = go.Figure(go.Bar(x=list(best.index), y=best["monthly_cost_usd"],
                           text=best["option"], textposition="auto"))
    fig.update_layout(title=title, xaxis_title="compute kind", yaxis_title="USD / month")
    return fig


def compute_cost_vs_performance(compute: pd.DataFrame,
                                title: str = "Cost vs performance") -> go.Figure:
    """Cost against whole-deployment performance of a response's compute options.

    Parameters
    ----------
    compute : DataFrame
        ``RecommendationResponse.to_frame("compute")``.
    title : str

    Returns
    -------
    plotly Figure
        Performance is the predicted ``perf_index`` where any option has one, else
        ``4 - performance_risk`` (Lambda and Fargate carry no perf_index); either is
        multiplied by the node count because the cost is the whole deployment's.
    """
    df = compute.copy()
    if "predicted.perf_index" in df and df["predicted.perf_index"].notna().any():
        perf = "predicted.perf_index"
    else:
        perf = "performance (4 - risk)"
        df[perf] = 4.0 - df["performance_risk"]
    df[perf] = df[perf] * df["count"]
    return cost_vs_performance(df, perf=perf, color="kind", title=title)


def runtime_vs_nodes(predictions: Sequence[dict[str, Any]] | pd.DataFrame,
                     title: str = "Job runtime and cost across node counts") -> go.Figure:
    """Predicted runtime (with interval) and job cost against the node count, per type."""
    df = pd.DataFrame(predictions).sort_values(["instance_type", "count"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("runtime (s)", "cost (USD)"))
    for i, (itype, g) in enumerate(df.groupby("instance_type", sort=True)):
        err = None
        if {"runtime_s_low", "runtime_s_high"} <= set(g.columns):
            err = {"type": "data", "symmetric": False,
                   "array": (g["runtime_s_high"] - g["runtime_s"]).tolist(),
                   "arrayminus": (g["runtime_s"] - g["runtime_s_low"]).tolist()}
        color = _palette(i)
        fig.add_trace(go.Scatter(x=g["count"], y=g["runtime_s"], name=itype, mode="lines+markers",
                                 error_y=err, line={"color": color}, legendgroup=itype),
                      row=1, col=1)
        if "cost_usd" in g:
            fig.add_trace(go.Scatter(x=g["count"], y=g["cost_usd"], name=itype,
                                     mode="lines+markers", line={"color": color},
                                     legendgroup=itype, showlegend=False), row=1, col=2)
    fig.update_xaxes(title_text="nodes")
    fig.update_layout(title=title)
    return fig


def sweep_chart(sweep: pd.DataFrame, title: str = "Cost as load grows") -> go.Figure:
    """Monthly cost of the rank-1 option per category against the load factor."""
    fig = go.Figure()
    for category, g in sweep.groupby("category", sort=True):
        g = g.sort_values("factor")
        fig.add_trace(go.Scatter(x=g["factor"], y=g["monthly_cost_usd"], name=category,
                                 mode="lines+markers", text=g["option"],
                                 hovertemplate="x%{x}: %{text}<br>%{y:,.2f} USD<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="load factor", yaxis_title="USD / month",
                      xaxis_type="log")
    return fig


def family_value_bars(summary: pd.DataFrame, top: int = 20,
                      title: str = "Compute capacity per USD-hour by family") -> go.Figure:
    """Bars of the median ``perf_per_usd_hour`` of the best ``top`` families.

    ``summary`` is :func:`recommender.app.explore.family_summary` output.
    """
    df = summary.head(top)
    colors = ["#00CC96" if a == "arm64" else "#636EFA" for a in df["arch"]]
    fig = go.Figure(go.Bar(x=df["family"], y=df["median_perf_per_usd_hour"],
                           marker_color=colors, text=df["best_type"],
                           hovertemplate="%{x}: %{y:.1f} perf per USD-hour<br>best: %{text}"
                                         "<extra></extra>"))
    fig.update_layout(title=title + " (green: Graviton)", xaxis_title="family",
                      yaxis_title="perf_index per USD-hour")
    return fig


def _palette(i: int) -> str:
    colors = ("#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3", "#FF6692")
    return colors[i % len(colors)]
