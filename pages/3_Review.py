"""Review: re-check a saved response against today's catalog; its alarms and load-test plan."""

from __future__ import annotations

import json

import streamlit as st

from catalog import Catalog, load_catalog
from recommender.core.errors import UserError
from recommender.operations import (
    benchmark_plan,
    compare,
    monitoring_frame,
    parse_many,
    summary_frame,
)

st.set_page_config(page_title="Review", layout="wide")


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Catalog:
    return load_catalog()


catalog = get_catalog()
st.title("Review a saved recommendation")
st.caption(f"Today's catalog {catalog.version}. A saved response carries its profile and the "
           "prices it used; the review re-runs the profile and reports a newer or cheaper "
           "option (saving per month and year), prices that moved, options that disappeared, "
           "model changes and new risks (PERF05-BP06, keep your workload up to date).")

upload = st.file_uploader("Saved response (JSON, or JSON Lines for many)",
                          type=["json", "jsonl"], key="upload")
pasted = st.text_area("... or paste it here", height=160, key="pasted")
if not st.button("Review", key="review"):
    st.stop()

text = upload.getvalue().decode("utf-8", "replace") if upload is not None else pasted
lines = [ln for ln in text.splitlines() if ln.strip()]
many = len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines)
items = [(f"line {n}", ln) for n, ln in enumerate(lines, 1)] if many else [("response", text)]
try:
    saved = parse_many(items)
    from recommender.core.engine import recommend

    reviewed = []
    for s in saved:
        current = recommend(s.response.profile or {}, catalog=catalog)
        reviewed.append((s, compare(s.response, current, catalog), current))
except UserError as exc:
    st.error(str(exc))
    st.stop()

st.subheader("Savings per workload")
st.dataframe(summary_frame([(s, r) for s, r, _ in reviewed]), hide_index=True)
for s, rev, current in reviewed:
    st.subheader(f"{rev.name or '(unnamed)'} ({s.source})")
    st.caption(f"catalog {rev.saved_catalog.version} -> {rev.current_catalog.version}; "
               f"model {rev.saved_model.version} -> {rev.current_model.version}")
    if not rev.findings:
        st.success("No change: the saved choice is still today's best.")
    for f in rev.findings:
        saving = (f" — saves ${f.saving_usd_per_month:,.2f}/month, "
                  f"${f.saving_usd_per_year:,.2f}/year"
                  if f.saving_usd_per_month and f.saving_usd_per_month > 0 else "")
        show = st.warning if f.severity == "caution" else st.info
        show(f"**{f.kind}** ({f.category}, {f.best_practice}){saving}: {f.text}")
    st.markdown("**Alarms for today's choice** (exported with the CloudFormation and "
                "Terraform bundle)")
    st.dataframe(monitoring_frame(current), hide_index=True)
    plan = benchmark_plan(current)
    if plan:
        st.markdown("**Load-test plan** (PERF05-BP04): measure these, then feed the results "
                    "back into the profile")
        for p in plan:
            with st.expander(f"{p.category} #{p.rank} {p.option}: {p.tool}"):
                st.write("Measure: " + ", ".join(p.measure))
                st.write(f"Targets: {p.targets}")
                st.code(p.run if isinstance(p.run, str) else json.dumps(p.run, indent=2))
                st.write("Feed back: " + p.feed_back)
