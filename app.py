"""Streamlit app: describe a workload, get the recommended architecture and its alternatives.

Run with ``streamlit run app.py``.  This script names the pages (``st.navigation``) and draws
the main one; what it shows is decided by :mod:`recommender.app` (the form in ``forms``,
the presets in ``presets``, the readable tables and the bundle in ``results``, the figures in
``charts``); the answer comes from :func:`recommender.core.engine.recommend` and the templates
from :func:`recommender.surfaces.export.export_response`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from catalog import CatalogError, load_catalog
from recommender.app import charts, results
from recommender.app.forms import (
    FormField,
    groups_of,
    parse_utilization_csv,
    profile_from_state,
    state_from_profile,
)
from recommender.app.presets import PRESET_LABELS, get_preset
from recommender.core.engine import recommend
from recommender.core.errors import ProfileError, UserError
from recommender.core.profile import parse_profile
from recommender.core.response import CATEGORIES, Option, RecommendationResponse
from recommender.operations import monitoring_frame
from recommender.surfaces.export import export_response

_BOOL_LABELS = {None: "unset", True: "yes", False: "no"}
_FORM_TABS = (("General", ""), ("Compute", "compute"), ("Storage", "storage"),
              ("Database", "database"), ("Network", "network"))

st.set_page_config(page_title="AWS resource recommender", layout="wide")


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Any:
    """The embedded catalog snapshot, loaded and validated once per server."""
    return load_catalog()


def catalog_age(generated_at: str) -> str:
    """``"built 2026-11-26 (5 days ago)"`` from the manifest's ISO timestamp."""
    try:
        built = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError:
        return f"built {generated_at}"
    days = (datetime.now(UTC) - built).days
    return f"built {built:%Y-%m-%d} ({'today' if days < 1 else f'{days} days ago'})"


def apply_preset() -> None:
    """Fill every form field from the chosen preset (unset fields are cleared)."""
    name = st.session_state.get("preset")
    if name:
        st.session_state.update(state_from_profile(get_preset(name)))
        st.session_state.pop("response", None)


def field_widget(f: FormField, regions: list[str]) -> None:
    """Draw one form field; its value lives in ``st.session_state[f.key]``."""
    if f.widget in ("range", "intrange"):
        whole = f.widget == "intrange"
        lo, hi = st.columns(2)
        kw: dict[str, Any] = {"min_value": 0, "step": 1} if whole else {"min_value": 0.0}
        lo.number_input(f"{f.label} min", key=f"{f.key}.min", help=f.help, **kw)
        hi.number_input(f"{f.label} max", key=f"{f.key}.max", help=f.help, **kw)
    elif f.widget == "int":
        st.number_input(f.label, key=f.key, min_value=0, step=1, help=f.help)
    elif f.widget == "float":
        fraction = f.name.endswith("fraction")
        st.number_input(f.label, key=f.key, min_value=0.0, help=f.help,
                        format="%.3f" if fraction else "%g", step=0.05 if fraction else 1.0)
    elif f.widget == "region":
        current = st.session_state.get(f.key)
        options = [None, "auto", *regions]
        if current and current not in options:
            options.append(current)  # a preset's region the catalog does not price
        st.selectbox(f.label, options, key=f.key, help=f.help,
                     format_func=lambda v: "unset" if v is None else v, placeholder="unset")
    elif f.widget == "enum":
        st.selectbox(f.label, [None, *f.options], key=f.key, help=f.help,
                     format_func=lambda v: "unset" if v is None else v, placeholder="unset")
    elif f.widget == "bool":
        # A None in session state means "nothing selected" to Streamlit, which then shows
        # its placeholder rather than the None option: both read "unset".
        st.selectbox(f.label, [None, True, False], key=f.key, help=f.help,
                     format_func=lambda v: _BOOL_LABELS[v], placeholder="unset")
    elif f.widget == "multi":
        # No fixed options (the why-not list): the user types names of their own.
        st.multiselect(f.label, list(f.options), key=f.key, help=f.help, placeholder="unset",
                       accept_new_options=not f.options)
    else:
        st.text_input(f.label, key=f.key, help=f.help)


def draw_form(regions: list[str]) -> None:
    """The profile form: one tab per section, its fields grouped by what they describe."""
    tabs = st.tabs([label for label, _ in _FORM_TABS])
    for tab, (_, section) in zip(tabs, _FORM_TABS, strict=True):
        with tab:
            for group, fields in groups_of(section).items():
                st.markdown(f"**{group}**")
                cols = st.columns(3)
                for i, f in enumerate(fields):
                    with cols[i % 3]:
                        field_widget(f, regions)
            if section == "compute":
                upload = st.file_uploader("CPU utilization CSV (e.g. a CloudWatch export: "
                                          "timestamp, value)", type=["csv"],
                                          key="utilization_csv",
                                          help="Percent samples; they replace the series "
                                               "typed above and drive the burst simulation.")
                if upload is not None:
                    show_upload(upload)


def show_upload(upload: Any) -> None:
    """Summarize an uploaded utilization series (it replaces the typed-in series)."""
    from recommender.app.csv_upload import read_utilization_csv

    try:
        read = read_utilization_csv(upload.getvalue())
    except UserError as exc:
        st.error(str(exc))
        return
    values, interval = read.values, read.interval_minutes
    for note in read.notes:  # what was left out of the file, and why
        st.warning(note)
    every = f", {interval:g} min apart" if interval else ""
    st.caption(f"Using {len(values)} utilization samples from {upload.name}{every} "
               f"(mean {sum(values) / len(values):.1f}%, peak {max(values):.1f}%).")
    st.plotly_chart(charts.utilization_series(values, interval or 5.0), width="stretch")


def build_profile() -> dict[str, Any]:
    """The profile dict of the form, with an uploaded utilization series when there is one."""
    profile = profile_from_state(st.session_state.to_dict())
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


def show_bundle(bundle: dict[str, Any]) -> None:
    """The recommended architecture first: its total as a breakdown, then what it leaves out."""
    st.markdown("### Recommended architecture")
    breakdown = results.breakdown_frame(bundle)
    total = bundle.get("total_monthly_usd")
    if not breakdown.empty:
        st.plotly_chart(charts.bundle_breakdown(breakdown, total), width="stretch",
                        key="bundle_breakdown")
    elif isinstance(total, int | float):
        st.metric("Total monthly cost", results.money(total))
    parts = results.components_frame(bundle)
    if not parts.empty:
        st.dataframe(parts.rename(columns={"category": "Category", "option": "Option",
                                           "kind": "Kind", "count": "Nodes / units",
                                           "monthly_usd": "Monthly cost (USD)"}),
                     hide_index=True, width="stretch")
    unpriced = results.unpriced_rows(bundle)
    if unpriced:
        st.caption("Not in the total: " + "; ".join(unpriced))
    alternatives = results.alternatives_by_category(bundle)
    if alternatives:
        st.markdown("**Alternatives that would change it**")
        for category, rows in alternatives.items():
            st.markdown(f"- *{category}*: " + " · ".join(r["summary"] for r in rows))


def option_label(o: Option) -> str:
    """The expander title of one option: rank, name, size, price, risk and price date."""
    size = f" x {o.count}" if o.count > 1 else ""
    flag = " · verify" if o.verify else ""
    as_of = o.config.get("price_as_of")
    when = f" · price of {as_of}" if as_of else ""
    return (f"#{o.rank} {o.option}{size} ({results.kind_name(o.kind)}) · "
            f"{results.money(o.monthly_cost_usd)} · risk {o.performance_risk:g} of 4{when}{flag}")


def show_category(resp: RecommendationResponse, category: str) -> None:
    """The options of one category as a table, each with its reasons, then its charts."""
    options = resp.options(category)
    if not options:
        st.info(f"No {category} options: the profile says nothing about {category}, or "
                "nothing fits (see the warnings above).")
        return
    frame = resp.to_frame(category)
    st.dataframe(results.option_table(frame), hide_index=True, width="stretch")
    for o in options:
        with st.expander(option_label(o), expanded=o.rank == 1):
            for r in o.reasons:
                mark = {"caution": "caution: ", "verify": "verify: "}.get(r.severity, "")
                st.markdown(f"- `{r.best_practice}` {mark}{r.text} _({r.rule})_")
            for u in o.unpriced:
                st.markdown(f"- not priced: {u.item} ({u.reason})")
            shown = {k: v for k, v in o.config.items() if not isinstance(v, dict | list)}
            if shown:
                st.caption("config: " + ", ".join(f"{k} = {v}" for k, v in shown.items()))
    show_charts(resp, category, frame)


def show_charts(resp: RecommendationResponse, category: str, frame: Any) -> None:
    """The charts of one category's tab (compute: cost vs performance, kinds, credits)."""
    if category != "compute":
        if frame["monthly_cost_usd"].notna().sum() >= 2:
            st.plotly_chart(charts.option_costs(frame, f"{category.capitalize()} options: "
                                                "monthly cost"), width="stretch",
                            key=f"costs_{category}")
        return
    left, right = st.columns(2)
    left.plotly_chart(charts.compute_cost_vs_performance(frame), width="stretch",
                      key="compute_cost_perf")
    if len(charts.compute_kinds(frame)) >= 2:
        right.plotly_chart(charts.compute_kind_costs(frame), width="stretch", key="kinds")
    for o in resp.options("compute"):
        curve = o.predicted.get("credit_balance")
        if isinstance(curve, list) and curve:
            right.plotly_chart(charts.credit_balance(
                curve, hours=o.predicted.get("credit_balance_hours"),
                title=f"CPU-credit balance of #{o.rank} {o.option}"), width="stretch",
                key="credits")
            break
    st.caption("Lambda memory and job runtime curves: see the Predictions page.")


def show_downloads(resp: RecommendationResponse) -> None:
    """The response as JSON and the bundle as CloudFormation and Terraform (HCL and JSON)."""
    data = resp.model_dump(mode="json")
    cols = st.columns(4)
    cols[0].download_button("Response (JSON)", json.dumps(data, indent=2),
                            file_name="recommendation.json", mime="application/json")
    for col, fmt, ext in ((cols[1], "cloudformation", "json"), (cols[2], "terraform", "tf"),
                          (cols[3], "terraform-json", "tf.json")):
        try:
            text = export_response(data, fmt)
        except UserError as exc:
            col.caption(f"{fmt}: {exc}")
            continue
        col.download_button(f"Bundle ({fmt})", text, file_name=f"bundle.{ext}", mime="text/plain")


def show_response(resp: RecommendationResponse) -> None:
    """The whole answer: the bundle, then each category's options and charts, then downloads."""
    st.subheader(f"Recommendations for {resp.name or 'the workload'}"
                 + (f" in {resp.region}" if resp.region else ""))
    st.caption(f"Catalog {resp.catalog.version} ({catalog_age(resp.catalog.generated_at)}) · "
               f"model {resp.model.version} · schema {resp.schema_version}")
    for w in resp.warnings:
        st.warning(w)
    bundle = results.bundle_of(resp)
    if bundle:
        show_bundle(bundle)
    counts = {c: len(resp.options(c)) for c in CATEGORIES}
    labels = {c: f"{c.capitalize()} ({counts[c]})" for c in CATEGORIES}
    first = results.first_tab_with_results(counts, CATEGORIES)
    tabs = st.tabs(list(labels.values()), default=labels[first] if first else None)
    for tab, category in zip(tabs, CATEGORIES, strict=True):
        with tab:
            show_category(resp, category)
    if resp.rejected:
        with st.expander(f"Rejected candidates ({sum(resp.rejected.values())})"):
            st.dataframe(resp.rejected_frame().rename(columns={"reason": "Reason",
                                                               "count": "Candidates"}),
                         hide_index=True, width="stretch")
    if resp.monitoring:  # the CloudWatch alarms the export creates (PERF05-BP02)
        with st.expander(f"Alarms that keep the choice efficient ({len(resp.monitoring)})"):
            st.dataframe(monitoring_frame(resp), hide_index=True, width="stretch")
    show_downloads(resp)


def recommend_page() -> None:
    """The main page: a preset or the form, the Recommend button, then the answer."""
    st.title("AWS resource-selection recommender")
    try:
        catalog = get_catalog()
    except CatalogError as exc:
        st.error(f"The catalog cannot be loaded: {exc}")
        st.stop()
    st.caption(f"Catalog {catalog.version}, {catalog_age(catalog.generated_at)}; "
               f"{len(catalog.regions)} priced regions. Prices: AWS Price List.")
    for key, value in state_from_profile({}).items():
        st.session_state.setdefault(key, value)
    st.selectbox("Start from a preset", [None, *PRESET_LABELS], key="preset",
                 on_change=apply_preset,
                 format_func=lambda v: "unset (fill the form)" if v is None
                 else PRESET_LABELS[v])
    draw_form(list(catalog.regions))
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


st.navigation([
    st.Page(recommend_page, title="Recommend", url_path="recommend", default=True),
    st.Page("pages/1_Catalog_explorer.py", title="Catalog explorer", url_path="explorer"),
    st.Page("pages/2_Predictions.py", title="Predictions", url_path="predictions"),
]).run()
