"""Streamlit app: describe a workload, get ranked and priced AWS options with reasons.

Run with ``streamlit run app.py``.  The script only composes widgets: the form is described
by :mod:`recommender.app.forms`, the presets by :mod:`recommender.app.presets`, the answer comes
from :func:`recommender.recommend`, the charts from :mod:`recommender.app.charts` and the
templates from :mod:`recommender.surfaces.export.bundle`.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from catalog import CatalogError, load_catalog
from recommender.app import charts
from recommender.app.forms import (
    FormField,
    fields_of,
    parse_utilization_csv,
    profile_from_state,
    state_from_profile,
)
from recommender.app.presets import PRESET_LABELS, get_preset
from recommender.core.engine import recommend
from recommender.core.errors import ProfileError, UserError
from recommender.core.profile import parse_profile
from recommender.core.response import CATEGORIES, RecommendationResponse
from recommender.surfaces.export import export_response

_BOOL_LABELS = {None: "unknown", True: "yes", False: "no"}
_TABLE_COLUMNS = ["rank", "option", "kind", "count", "purchase_option", "monthly_cost_usd",
                  "performance_risk", "score", "verify"]

st.set_page_config(page_title="AWS resource recommender", layout="wide")


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Any:
    """The embedded catalog snapshot, loaded and validated once per server."""
    return load_catalog()


def apply_preset() -> None:
    """Fill every form field from the chosen preset (unset fields are cleared)."""
    name = st.session_state.get("preset")
    if name:
        st.session_state.update(state_from_profile(get_preset(name)))
        st.session_state.pop("response", None)


def field_widget(f: FormField) -> None:
    """Draw one form field; its value lives in ``st.session_state[f.key]``."""
    if f.widget == "range":
        lo, hi = st.columns(2)
        lo.number_input(f"{f.label} min", key=f"{f.key}.min", min_value=0.0, help=f.help)
        hi.number_input(f"{f.label} max", key=f"{f.key}.max", min_value=0.0)
    elif f.widget == "int":
        st.number_input(f.label, key=f.key, min_value=0, step=1, help=f.help)
    elif f.widget == "float":
        fraction = f.name.endswith("fraction")
        st.number_input(f.label, key=f.key, min_value=0.0, help=f.help,
                        format="%.3f" if fraction else "%.2f", step=0.05 if fraction else 1.0)
    elif f.widget == "enum":
        st.selectbox(f.label, [None, *f.options], key=f.key, help=f.help,
                     format_func=lambda v: "unset" if v is None else v)
    elif f.widget == "bool":
        st.selectbox(f.label, [None, True, False], key=f.key, help=f.help,
                     format_func=lambda v: _BOOL_LABELS[v])
    elif f.widget == "multi":
        st.multiselect(f.label, list(f.options), key=f.key, help=f.help)
    else:
        st.text_input(f.label, key=f.key, help=f.help)


def draw_form() -> None:
    """The profile form: general settings, then compute, storage, database and network."""
    tabs = st.tabs(["General", "Compute", "Storage", "Database", "Network"])
    for tab, section in zip(tabs, ("", "compute", "storage", "database", "network"), strict=True):
        with tab:
            cols = st.columns(3)
            for i, f in enumerate(fields_of(section)):
                with cols[i % 3]:
                    field_widget(f)
            if section == "compute":
                upload = st.file_uploader("CPU utilization CSV (e.g. a CloudWatch export: "
                                          "timestamp, value)", type=["csv"],
                                          key="utilization_csv")
                if upload is not None:
                    show_upload(upload)


def show_upload(upload: Any) -> None:
    """Summarize an uploaded utilization series (it replaces the typed-in series)."""
    try:
        values, interval = parse_utilization_csv(upload.getvalue())
    except UserError as exc:
        st.error(str(exc))
        return
    every = f", {interval:g} min apart" if interval else ""
    st.caption(f"Using {len(values)} utilization samples from {upload.name}{every} "
               f"(mean {sum(values) / len(values):.1f}%, peak {max(values):.1f}%).")
    st.plotly_chart(charts.utilization_series(values, interval or 5.0), width="stretch")


def build_profile() -> dict[str, Any]:
    """The profile dict of the form, with an uploaded utilization series when there is one."""
    profile = profile_from_state(dict(st.session_state))
    upload = st.session_state.get("utilization_csv")
    if upload is not None:
        values, interval = parse_utilization_csv(upload.getvalue())
        compute = profile.setdefault("compute", {})
        compute["utilization_series_pct"] = values
        if interval and "series_interval_minutes" not in compute:
            compute["series_interval_minutes"] = interval
    return profile


def show_error(exc: Exception) -> None:
    """Each broken field and rule of a refused profile, or the error's text."""
    errors = getattr(exc, "errors", None)
    if errors:
        st.error("The profile breaks these rules:\n\n" + "\n".join(
            f"- **{e['field']}**: {e['rule']}" for e in errors))
    else:
        st.error(str(exc))


def show_category(resp: RecommendationResponse, category: str) -> None:
    """The options of one category as a table, then each with its reasons."""
    options = resp.options(category)
    if not options:
        st.info(f"No {category} options (the profile says nothing about it, or nothing fits).")
        return
    frame = resp.to_frame(category)
    st.dataframe(frame[[c for c in _TABLE_COLUMNS if c in frame]], hide_index=True,
                 width="stretch")
    for o in options:
        flag = " · ⚠ verify" if o.verify else ""
        cost = "no price" if o.monthly_cost_usd is None else f"${o.monthly_cost_usd:,.2f}/month"
        with st.expander(f"#{o.rank} {o.option} ({o.kind}) · {cost} · risk "
                         f"{o.performance_risk:.1f}{flag}", expanded=o.rank == 1):
            for r in o.reasons:
                mark = {"caution": "⚠ ", "verify": "🔎 verify: "}.get(r.severity, "")
                st.markdown(f"- `{r.best_practice}` {mark}{r.text} _({r.rule})_")
            if o.config:
                st.caption("config: " + json.dumps(o.config, default=str))


def show_charts(resp: RecommendationResponse) -> None:
    """Cost against performance, cost per compute kind and a credit-balance curve."""
    compute = resp.to_frame("compute")
    if compute.empty:
        return
    left, right = st.columns(2)
    left.plotly_chart(charts.compute_cost_vs_performance(compute), width="stretch")
    right.plotly_chart(charts.compute_kind_costs(compute), width="stretch")
    for o in resp.options("compute"):
        curve = o.predicted.get("credit_balance")
        if isinstance(curve, list) and curve:
            st.plotly_chart(charts.credit_balance(
                curve, hours=o.predicted.get("credit_balance_hours"),
                title=f"CPU-credit balance of #{o.rank} {o.option}"), width="stretch")
            break
    st.caption("Lambda memory and job runtime curves: see the Predictions page.")


def show_downloads(resp: RecommendationResponse) -> None:
    """The response as JSON and the rank-1 bundle as CloudFormation and Terraform."""
    data = resp.model_dump(mode="json")
    cols = st.columns(3)
    cols[0].download_button("Response (JSON)", json.dumps(data, indent=2),
                            file_name="recommendation.json", mime="application/json")
    for col, fmt, ext in ((cols[1], "cloudformation", "json"), (cols[2], "terraform", "tf")):
        try:
            text = export_response(data, fmt)
        except UserError as exc:
            col.caption(f"{fmt}: {exc}")
            continue
        col.download_button(f"Bundle ({fmt})", text, file_name=f"bundle.{ext}", mime="text/plain")


def show_response(resp: RecommendationResponse) -> None:
    """The whole answer: warnings, each category, rejections, charts and downloads."""
    st.subheader(f"Recommendations for {resp.name or 'the workload'}"
                 + (f" in {resp.region}" if resp.region else ""))
    st.caption(f"Catalog {resp.catalog.version} ({resp.catalog.generated_at}) · model "
               f"{resp.model.version} · schema {resp.schema_version}")
    for w in resp.warnings:
        st.warning(w)
    tabs = st.tabs([c.capitalize() for c in CATEGORIES])
    for tab, category in zip(tabs, CATEGORIES, strict=True):
        with tab:
            show_category(resp, category)
    if resp.rejected:
        with st.expander(f"Rejected candidates ({sum(resp.rejected.values())})"):
            st.dataframe(resp.rejected_frame(), hide_index=True, width="stretch")
    show_charts(resp)
    show_downloads(resp)


st.title("AWS resource-selection recommender")
try:
    catalog = get_catalog()
except CatalogError as exc:
    st.error(f"The catalog cannot be loaded: {exc}")
    st.stop()
st.caption(f"Catalog {catalog.version}, generated {catalog.generated_at}; "
           f"{len(catalog.regions)} priced regions. Prices: AWS Price List.")

for key, value in state_from_profile({}).items():
    st.session_state.setdefault(key, value)
st.selectbox("Start from a preset", [None, *PRESET_LABELS], key="preset", on_change=apply_preset,
             format_func=lambda v: "choose a workload preset..." if v is None else PRESET_LABELS[v])
draw_form()

if st.button("Recommend", type="primary", key="run"):
    try:
        profile = parse_profile(build_profile())
        with st.spinner("Ranking options..."):
            st.session_state["response"] = recommend(profile, catalog=catalog).model_dump(
                mode="json")
    except (ProfileError, UserError) as exc:
        st.session_state.pop("response", None)
        show_error(exc)

if "response" in st.session_state:
    show_response(RecommendationResponse.model_validate(st.session_state["response"]))
