"""Predictions: analytics job runtime across node counts, Lambda duration and cost vs memory."""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from catalog import Catalog, load_catalog
from recommender.app import charts
from recommender.app.presets import EXAMPLE_LAMBDA_REQUEST, EXAMPLE_RUNTIME_REQUEST
from recommender.core.errors import UserError

st.set_page_config(page_title="Predictions", layout="wide")


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Catalog:
    return load_catalog()


def run(label: str, default: dict, predict: Callable, chart: Callable) -> None:
    text = st.text_area(f"{label} request (JSON)", json.dumps(default, indent=2), height=260,
                        key=f"{label}_request")
    if not st.button(f"Predict {label.lower()}", key=f"{label}_run"):
        return
    try:
        request = json.loads(text)
        response = predict(request, catalog=get_catalog())
    except json.JSONDecodeError as exc:
        st.error(f"{label} request: not JSON ({exc.msg} at line {exc.lineno})")
        return
    except UserError as exc:
        st.error(str(exc))
        return
    data = response.model_dump(mode="json")
    st.plotly_chart(chart(data["predictions"]), width="stretch")
    if data.get("best"):
        st.success("Best: " + json.dumps(data["best"]))
    st.dataframe(data["predictions"], hide_index=True, width="stretch")
    for note in data.get("notes", []):
        st.caption(note)


st.title("Predictions")
try:
    from recommender.models.lambda_mem import predict_lambda_memory
    from recommender.models.runtime import predict_runtime
except ImportError:
    st.info("The prediction models are not installed in this build.")
    st.stop()
runtime_tab, lambda_tab = st.tabs(["Job runtime", "Lambda memory"])
with runtime_tab:
    run("Runtime", EXAMPLE_RUNTIME_REQUEST, predict_runtime, charts.runtime_vs_nodes)
with lambda_tab:
    run("Lambda", EXAMPLE_LAMBDA_REQUEST, predict_lambda_memory, charts.lambda_memory_curve)
