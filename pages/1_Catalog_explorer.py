"""Catalog explorer: browse and filter every table of the embedded catalog."""

from __future__ import annotations

import streamlit as st

from catalog import TABLES, Catalog, load_catalog
from recommender.app import charts
from recommender.app.explore import family_summary, filter_rows, price_performance

st.set_page_config(page_title="Catalog explorer", layout="wide")


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Catalog:
    return load_catalog()


catalog = get_catalog()
st.title("Catalog explorer")
st.caption(f"Catalog {catalog.version}, generated {catalog.generated_at}. Rows marked "
           "verify=True come from a source that marks the figure as unchecked.")

kind = st.selectbox("Table", list(TABLES), key="table")
df = catalog.tables[kind]
cols = st.columns(3)
region = None
if "region" in df.columns:
    regions = sorted(df["region"].dropna().unique())
    default = regions.index("us-east-1") if "us-east-1" in regions else 0
    region = cols[0].selectbox("Region", regions, index=default, key="region")
query = cols[1].text_input(f"{df.columns[0]} contains", key="query")
ranges, values = {}, {}
if kind == "ec2":
    vmin, vmax = int(df["vcpus"].min()), int(df["vcpus"].max())
    lo, hi = cols[2].slider("vCPUs", vmin, vmax, (vmin, vmax), key="vcpus")
    ranges["vcpus"] = (lo, hi)
    values["arch"] = st.multiselect("Architecture", sorted(df["arch"].unique()), key="arch")
    if st.checkbox("Current generation only", value=True, key="current"):
        values["current_generation"] = [True]
rows = filter_rows(df, region=region, query=query, ranges=ranges, values=values)
st.write(f"{len(rows):,} of {len(df):,} rows")
st.dataframe(rows, hide_index=True, width="stretch")

st.header("EC2 price-performance")
pp_region = st.selectbox("Priced region", catalog.regions,
                         index=catalog.regions.index("us-east-1")
                         if "us-east-1" in catalog.regions else 0, key="pp_region")
pp = price_performance(catalog, pp_region, current_only=True)
pp = filter_rows(pp, query=query) if kind == "ec2" else pp
left, right = st.columns([3, 2])
left.plotly_chart(charts.cost_vs_performance(
    pp, cost="monthly_usd", perf="perf_index", label="instance_type", color="arch",
    title=f"Monthly on-demand cost vs compute capacity ({pp_region})"), width="stretch")
right.dataframe(family_summary(pp), hide_index=True, width="stretch")
