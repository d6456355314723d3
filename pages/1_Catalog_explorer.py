"""Catalog explorer: a price-and-spec browser of the embedded catalog.

EC2 types with one region's prices side by side (on-demand, spot, reserved), range filters
(vCPUs, memory, price, network, GPUs), natural size order and burstables at their sustained
baseline; every other table with its region and key filters.  The state is in the URL (each
widget is bound to a query parameter), so a filtered view can be shared as a link; changing
the table resets the filters.
"""

from __future__ import annotations

import streamlit as st

from catalog import TABLES, Catalog, load_catalog
from catalog.naming import natural_order
from recommender.app import charts
from recommender.app.explore import EC2_BROWSER_COLUMNS, PRICE_COLUMNS, filter_rows, price_table

FILTER_KEYS = ("q", "vcpus", "memory", "max_price", "network", "gpus", "arch", "current")
URL = "query-params"


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Catalog:
    return load_catalog()


def reset_filters() -> None:
    """A new table starts unfiltered (its columns differ from the last one's)."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def ec2_browser(catalog: Catalog, region: str) -> None:
    """EC2 specs and prices with range filters, a table and the price-performance chart."""
    spec = catalog.ec2
    c = st.columns(4)
    purchase = c[0].selectbox("Price", list(PRICE_COLUMNS), key="purchase", bind=URL,
                              help="Which price the filter, the USD/month column and the chart "
                                   "use; the table shows all of them.")
    vmax = int(spec["vcpus"].max())
    vcpus = c[1].slider("vCPUs", 1, vmax, (1, vmax), key="vcpus", bind=URL)
    mmax = float(spec["memory_gib"].max())
    memory = c[2].slider("Memory (GiB)", 0.0, mmax, (0.0, mmax), step=0.5, key="memory",
                         bind=URL)
    max_price = c[3].number_input("Max price (USD/hour)", min_value=0.0, value=None,
                                  step=0.01, key="max_price", bind=URL, placeholder="any")
    c = st.columns(4)
    network = c[0].number_input("Min network baseline (Gbps)", min_value=0.0, value=None,
                                key="network", bind=URL, placeholder="any")
    gpus = c[1].number_input("Min GPUs", min_value=0, value=None, step=1, key="gpus", bind=URL,
                             placeholder="any")
    arch = c[2].multiselect("Architecture", sorted(spec["arch"].dropna().unique()), key="arch",
                            bind=URL, placeholder="any")
    current = c[3].checkbox("Current generation only", value=True, key="current", bind=URL)
    query = st.text_input("Instance type contains", key="q", bind=URL, placeholder="e.g. m7g.")
    df = price_table(catalog, region, purchase)
    ranges = {"vcpus": vcpus, "memory_gib": memory, "price_usd_per_hour": (None, max_price),
              "network_baseline_gbps": (network, None), "gpus": (gpus, None)}
    values = {"arch": arch, "current_generation": [True] if current else []}
    rows = filter_rows(df, query=query, ranges=ranges, values=values)
    st.markdown(f"{len(rows):,} of {len(df):,} types priced in {region}")
    shown = rows[[k for k in EC2_BROWSER_COLUMNS if k in rows]].rename(columns=EC2_BROWSER_COLUMNS)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption("Burstable types are shown at their sustained baseline (the share of each vCPU "
               "they run without spending CPU credits). Prices: AWS Price List; spot prices "
               "are estimates of their date.")
    st.plotly_chart(charts.cost_vs_performance(
        rows, cost="monthly_usd", perf="perf_index_sustained", label="instance_type",
        color="arch", title=f"Monthly {purchase} price vs sustained compute capacity ({region})",
        x_title=f"{purchase.capitalize()} price (USD/month)",
        y_title="Sustained compute capacity (m5.large = 1)", log_axes=True), width="stretch",
        key="price_performance")


def table_browser(catalog: Catalog, kind: str, region: str) -> None:
    """Any other table: its region's rows, a key filter, natural order where it has types."""
    df = catalog.tables[kind]
    key = df.columns[0]
    query = st.text_input(f"{key} contains", key="q", bind=URL)
    rows = filter_rows(df, region=region if "region" in df.columns else None, query=query)
    rows = natural_order(rows) if "instance_type" in rows.columns else rows
    scope = f" in {region}" if "region" in df.columns else ""
    st.markdown(f"{len(rows):,} of {len(df):,} rows{scope}")
    st.dataframe(rows, hide_index=True, width="stretch")


catalog = get_catalog()
st.title("Catalog explorer")
st.caption(f"Catalog {catalog.version}, generated {catalog.generated_at}; prices from the AWS "
           "Price List. Rows marked verify come from a source that marks the figure as "
           "unchecked. The address bar holds the filters: copy it to share this view.")
top = st.columns(2)
kind = top[0].selectbox("Table", list(TABLES), key="table", bind=URL, on_change=reset_filters)
regions = list(catalog.regions)
region = top[1].selectbox("Region", regions,
                          index=regions.index("us-east-1") if "us-east-1" in regions else 0,
                          key="region", bind=URL)
if kind == "ec2":
    ec2_browser(catalog, region)
else:
    table_browser(catalog, kind, region)
