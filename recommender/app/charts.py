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


def spans_orders(values: Sequence[float] | pd.Series, ratio: float = 20.0) -> bool:
    """True when the positive values span more than ``ratio`` (max / min): use a log axis."""
    v = pd.Series(values, dtype="float64").dropna()
    v = v[v > 0]
    return bool(len(v) >= 2 and v.max() / v.min() > ratio)


def cost_vs_performance(
    df: pd.DataFrame,
    *,
    cost: str = "monthly_cost_usd",
    perf: str = "perf_index",
    label: str = "option",
    color: str | None = None,
    title: str = "Cost vs performance",
    x_title: str = "Monthly cost (USD)",
    y_title: str = "Compute capacity (m5.large = 1)",
    hover: str | None = None,
    log_axes: bool | None = None,
) -> go.Figure:
    """Scatter of cost against performance with the Pareto frontier drawn as a line.

    ``hover`` names a column of ready-made hover text (the option's key facts); without it
    the hover shows the label, cost and performance.  ``log_axes`` None chooses a log axis
    for each of cost and performance when its values span more than 20x.
    """
    data = df.dropna(subset=[cost, perf]).copy()
    data["_pareto"] = pareto_frontier(data, cost, perf)
    if hover is None:
        data["_hover"] = (data[label].astype(str) + "<br>" + data[cost].map("${:,.2f}".format)
                          + "<br>" + y_title + ": " + data[perf].map("{:.3g}".format))
        hover = "_hover"
    fig = go.Figure()
    groups = data.groupby(color, sort=True) if color else [("options", data)]
    for name, g in groups:
        fig.add_trace(
            go.Scatter(
                x=g[cost], y=g[perf], mode="markers", name=str(name), text=g[hover],
                hovertemplate="%{text}<extra></extra>",
                marker={"size": 9, "opacity": 0.8},
            )
        )
    front = data[data["_pareto"]].sort_values(cost)
    # A line only: markers on the frontier would hide the options' own points.
    fig.add_trace(
        go.Scatter(
            x=front[cost], y=front[perf], mode="lines", name="Pareto frontier",
            text=front[label], hoverinfo="skip",
            line={"color": "black", "dash": "dash", "shape": "hv", "width": 1},
        )
    )
    log_x = spans_orders(data[cost]) if log_axes is None else log_axes
    log_y = spans_orders(data[perf]) if log_axes is None else log_axes
    fig.update_layout(title=title, hovermode="closest", legend_title_text="")
    fig.update_xaxes(title_text=x_title + (" (log scale)" if log_x else ""),
                     type="log" if log_x else "linear")
    fig.update_yaxes(title_text=y_title + (" (log scale)" if log_y else ""),
                     type="log" if log_y else "linear")
    return fig


def credit_balance(
    balance: Sequence[float],
    *,
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
    fig.update_layout(title=title, xaxis_title="Time (hours)")
    fig.update_yaxes(title_text="CPU credits", secondary_y=False, rangemode="tozero")
    return fig


def utilization_series(values: Sequence[float], interval_minutes: float = 5.0,
                       title: str = "Uploaded CPU utilization") -> go.Figure:
    """A utilization series (percent) against hours."""
    hours = [i * interval_minutes / 60.0 for i in range(len(values))]
    fig = go.Figure(go.Scatter(x=hours, y=list(values), mode="lines", name="CPU %"))
    fig.update_layout(title=title, xaxis_title="Time (hours)", yaxis_title="CPU utilization (%)",
                      height=260,
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
    fig.update_layout(title=title, xaxis_title="Memory setting (MB)")
    fig.update_yaxes(title_text="Duration per invocation (ms)", secondary_y=False)
    fig.update_yaxes(title_text="Monthly cost (USD)", secondary_y=True)
    return fig


_KIND_TITLES = {"ec2": "EC2", "fargate": "Fargate", "lambda": "Lambda"}


def compute_kinds(compute_options: Sequence[dict[str, Any]] | pd.DataFrame) -> list[str]:
    """The compute kinds (EC2, Fargate, Lambda) that have a priced option, in that order."""
    df = pd.DataFrame(compute_options)
    if df.empty or "kind" not in df or "monthly_cost_usd" not in df:
        return []
    present = set(df.dropna(subset=["monthly_cost_usd"])["kind"])
    return [k for k in _COMPUTE_KINDS if k in present]


def compute_kind_costs(compute_options: Sequence[dict[str, Any]] | pd.DataFrame,
                       title: str = "EC2 vs Fargate vs Lambda: cheapest option of each"
                       ) -> go.Figure:
    """The cheapest priced option of each compute kind, as bars (its name on the bar)."""
    df = pd.DataFrame(compute_options)
    if df.empty or "kind" not in df:
        df = pd.DataFrame(columns=["kind", "option", "monthly_cost_usd"])
    df = df[df["kind"].isin(_COMPUTE_KINDS)].dropna(subset=["monthly_cost_usd"])
    best = df.sort_values("monthly_cost_usd").groupby("kind", sort=False).head(1)
    best = best.set_index("kind").reindex([k for k in _COMPUTE_KINDS if k in set(best["kind"])])
    fig = go.Figure(go.Bar(x=[_KIND_TITLES[k] for k in best.index], y=best["monthly_cost_usd"],
                           text=best["option"], textposition="auto",
                           hovertemplate="%{text}<br>$%{y:,.2f} per month<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="Compute service",
                      yaxis_title="Monthly cost (USD)")
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
        Every option is a point, EC2, Fargate and Lambda alike.  When every option has a
        predicted ``perf_index`` the y axis is that capacity times the node count (the cost
        is the whole deployment's); Lambda and Fargate carry none, so with any of them the
        y axis is the performance headroom ``4 - performance_risk`` that every option has.
    """
    df = compute.copy()
    if df.empty:
        return cost_vs_performance(pd.DataFrame(columns=["monthly_cost_usd", "y", "option"]),
                                   perf="y", title=title)
    capacity = df.get("predicted.perf_index")
    if capacity is not None and capacity.notna().all():
        df["y"] = capacity * df["count"]
        y_title = "Compute capacity, all nodes (m5.large = 1)"
    else:
        df["y"] = 4.0 - df["performance_risk"]
        y_title = "Performance headroom (4 = no predicted risk)"
    df["Service"] = df["kind"].map(lambda k: _KIND_TITLES.get(k, str(k)))
    df["_hover"] = [_option_hover({str(k): v for k, v in r.items()})
                    for r in df.to_dict("records")]
    return cost_vs_performance(df, perf="y", color="Service", title=title, y_title=y_title,
                               hover="_hover")


def _option_hover(row: dict[str, Any]) -> str:
    """The key facts of one option for a chart's hover box."""
    lines = [f"#{row.get('rank')} {row.get('option')} x {row.get('count', 1)}"]
    cost = row.get("monthly_cost_usd")
    if cost is not None and cost == cost:
        lines.append(f"${cost:,.2f} per month ({row.get('purchase_option') or 'on demand'})")
    for key, fmt in (("config.vcpus", "{:g} vCPUs"), ("config.memory_gib", "{:g} GiB memory"),
                     ("config.memory_mb", "{:g} MB memory"),
                     ("predicted.perf_index", "capacity {:.2f} (m5.large = 1)"),
                     ("predicted.duration_ms", "{:.0f} ms per invocation")):
        v = row.get(key)
        if isinstance(v, int | float) and v == v:
            lines.append(fmt.format(v))
    lines.append(f"performance risk {row.get('performance_risk', 0):g} of 4")
    return "<br>".join(lines)


def option_costs(frame: pd.DataFrame, title: str) -> go.Figure:
    """Monthly cost of each ranked option of one category, as horizontal bars."""
    df = frame.dropna(subset=["monthly_cost_usd"]).sort_values("rank", ascending=False)
    labels = [f"#{r} {o}" for r, o in zip(df["rank"], df["option"], strict=True)]
    fig = go.Figure(go.Bar(x=df["monthly_cost_usd"], y=labels, orientation="h",
                           hovertemplate="%{y}<br>$%{x:,.2f} per month<extra></extra>"))
    log_x = spans_orders(df["monthly_cost_usd"], ratio=100.0)
    fig.update_layout(title=title, height=max(220, 60 + 40 * len(df)),
                      yaxis_title="", xaxis_title="Monthly cost (USD)"
                      + (" (log scale)" if log_x else ""))
    fig.update_xaxes(type="log" if log_x else "linear")
    return fig


def bundle_breakdown(breakdown: pd.DataFrame, total: float | None = None,
                     title: str = "Monthly cost of the recommended architecture") -> go.Figure:
    """The bundle's cost per component as one stacked horizontal bar (the total's parts).

    ``breakdown`` is :func:`recommender.app.results.breakdown_frame` output.
    """
    fig = go.Figure()
    for i, row in enumerate(breakdown.itertuples(index=False)):
        fig.add_trace(go.Bar(
            x=[row.monthly_usd], y=["total"], orientation="h", name=str(row.component),
            marker_color=_palette(i), text=[f"${row.monthly_usd:,.0f}"], textposition="inside",
            hovertemplate=f"{row.component}<br>$%{{x:,.2f}} per month<extra></extra>"))
    total = float(breakdown["monthly_usd"].sum()) if total is None else total
    # The legend goes above the bar: below it, it sat on the axis title (seen in the
    # README's screenshot).
    fig.update_layout(barmode="stack", title=f"{title}: ${total:,.2f}", height=260,
                      xaxis_title="Monthly cost (USD)", yaxis_visible=False,
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      margin={"t": 90})
    return fig


def runtime_vs_nodes(predictions: Sequence[dict[str, Any]] | pd.DataFrame,
                     title: str = "Job runtime and cost across node counts") -> go.Figure:
    """Predicted runtime (with interval) and job cost against the node count, per type."""
    df = pd.DataFrame(predictions).sort_values(["instance_type", "count"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Runtime", "Cost"))
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
    fig.update_xaxes(title_text="Nodes")
    fig.update_yaxes(title_text="Runtime per run (s)", row=1, col=1)
    fig.update_yaxes(title_text="Cost per run (USD)", row=1, col=2)
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
    fig.update_layout(title=title, xaxis_title="Load factor (x the profile, log scale)",
                      yaxis_title="Monthly cost (USD)", xaxis_type="log")
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
    fig.update_layout(title=title + " (green: Graviton)", xaxis_title="Instance family",
                      yaxis_title="Compute capacity per USD-hour (m5.large = 1)")
    return fig


def use_static_renderer() -> str:
    """Make notebook charts show in a static view too; returns the renderer chosen.

    ``notebook`` embeds plotly.js in the output (no CDN; renders in exported HTML); with
    kaleido installed a PNG is added, which viewers that run no JavaScript show.
    """
    import plotly.io as pio

    try:
        import kaleido  # noqa: F401
        renderer = "notebook+png"
    except ImportError:
        renderer = "notebook"
    pio.renderers.default = renderer
    return renderer


def _palette(i: int) -> str:
    colors = ("#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3", "#FF6692")
    return colors[i % len(colors)]
