"""Streamlit app (placeholder until the app issue): browse the embedded catalog."""

from __future__ import annotations

import streamlit as st

from catalog import TABLES, load_catalog

st.set_page_config(page_title="AWS resource recommender", layout="wide")
st.title("AWS resource-selection recommender")
cat = st.cache_resource(load_catalog)()
st.caption(f"Catalog {cat.version}, generated {cat.generated_at}. Prices: AWS Price List.")
kind = st.selectbox("Table", list(TABLES))
st.dataframe(getattr(cat, kind), use_container_width=True)
