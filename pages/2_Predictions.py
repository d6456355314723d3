"""Predictions: a batch job's runtime across clusters and the next run to measure; a Lambda
function's duration and cost across memory sizes.  Both take a form (measured runs as rows)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from catalog import Catalog, load_catalog
from recommender.app import charts
from recommender.app import predict_view as pv
from recommender.app.presets import EXAMPLE_LAMBDA_REQUEST, EXAMPLE_RUNTIME_REQUEST
from recommender.core.errors import UserError

LAMBDA_SIZES = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10240)


@st.cache_resource(show_spinner="Loading the catalog...")
def get_catalog() -> Catalog:
    return load_catalog()


def _rows(key: str, default: list[dict[str, Any]], config: dict[str, Any]) -> pd.DataFrame:
    """An editable table of rows (add with +, delete with the row's checkbox)."""
    frame = pd.DataFrame(default, columns=list(config))
    if "failed" in frame:  # a checkbox column needs booleans, not missing values
        frame["failed"] = frame["failed"].astype("boolean").fillna(False).astype(bool)
    return st.data_editor(frame, num_rows="dynamic", key=key, column_config=config,
                          hide_index=True, width="stretch")


def runtime_form() -> None:
    """Measured runs and candidate clusters in, predicted runtimes and the next run out."""
    ex = EXAMPLE_RUNTIME_REQUEST
    cols = st.columns(4)
    framework = cols[0].text_input("Framework", ex["job"].get("framework", ""),
                                   key="rt_framework", help="The job's framework, e.g. spark.")
    application = cols[1].text_input("Application", ex["job"].get("application", ""),
                                     key="rt_application",
                                     help="What the job computes, e.g. sort, kmeans.")
    input_gib = cols[2].number_input("Input (GiB)", value=float(ex["job"].get("input_gib", 0)),
                                     min_value=0.0, key="rt_input",
                                     help="Input size of one run in GiB, e.g. 100.")
    objective = cols[3].selectbox("Objective", ["cost", "time"], key="rt_objective",
                                  help="Rank by cost per run or by runtime.")
    st.markdown("**Measured runs** (one row per run you timed)")
    runs = _rows("rt_runs", ex["measurements"], {
        "instance_type": st.column_config.TextColumn("Instance type", help="e.g. m5.xlarge"),
        "count": st.column_config.NumberColumn("Nodes", min_value=1, step=1, format="%d"),
        "runtime_s": st.column_config.NumberColumn("Runtime (s)", min_value=0.0,
                                                   help="wall-clock seconds, e.g. 900"),
        "failed": st.column_config.CheckboxColumn("Failed", help="the run did not finish"),
    })
    st.markdown("**Clusters to compare**")
    cands = _rows("rt_candidates", ex["candidates"], {
        "instance_type": st.column_config.TextColumn("Instance type"),
        "count": st.column_config.NumberColumn("Nodes", min_value=1, step=1, format="%d"),
    })
    if not st.button("Predict runtime", key="runtime_run", type="primary"):
        return
    request = pv.runtime_request(job={"framework": framework, "application": application,
                                      "input_gib": input_gib or None},
                                 runs=runs, candidates=cands, objective=objective)
    try:
        from recommender.models.endpoints import predict_runtime

        data = predict_runtime(request, catalog=get_catalog()).model_dump(mode="json")
    except UserError as exc:
        st.error(str(exc))
        return
    st.success(pv.runtime_best_sentence(data.get("best"), objective))
    show_next_run(request)
    st.plotly_chart(charts.runtime_vs_nodes(data["predictions"]), width="stretch")
    st.dataframe(pv.readable(data["predictions"], pv.RUNTIME_COLUMNS), hide_index=True,
                 width="stretch")
    for note in data.get("notes", []):
        st.caption(note)


def show_next_run(request: dict[str, Any]) -> None:
    """The next configuration worth measuring (from the models' next-run planner)."""
    try:
        from recommender.models.next_run import next_run, next_run_view
    except ImportError:
        return
    try:
        view = next_run_view(next_run(request, catalog=get_catalog()))
    except UserError as exc:
        st.caption(f"Next run: {exc}")
        return
    st.info(f"{view['headline']}. {view['reason']}")
    st.caption(f"Best measured so far: {view['current_best']}.")


def lambda_form() -> None:
    """Measured sizes in, duration and cost per memory size out (like Lambda Power Tuning)."""
    ex = EXAMPLE_LAMBDA_REQUEST
    cols = st.columns(3)
    arch = cols[0].selectbox("Architecture", ["arm64", "x86_64"], key="lm_arch",
                             help="arm64 (Graviton) or x86_64.")
    invocations = cols[1].number_input("Invocations per month",
                                       value=float(ex.get("invocations_per_month", 0)),
                                       min_value=0.0, step=100_000.0, format="%.0f",
                                       key="lm_invocations", help="e.g. 3000000")
    objective = cols[2].selectbox("Objective", ["balanced", "cost", "speed"], key="lm_objective",
                                  help="What 'best' means: lowest cost, fastest, or a balance.")
    cols = st.columns(2)
    kind = cols[0].selectbox(
        "What the function spends its time on", list(pv.KIND_CHOICES), key="lm_kind",
        help="Computing (CPU-bound) or waiting on S3, DynamoDB, HTTP (I/O-bound). From one "
             "measured size this decides how much faster more memory makes it.")
    parallel = cols[1].selectbox(
        "Threads", list(pv.PARALLEL_CHOICES), key="lm_parallel",
        help="Multi-threaded code uses the extra vCPUs above 1,769 MB (up to 6 at 10,240 MB).")
    sizes = st.multiselect("Memory sizes to compare (MB)", LAMBDA_SIZES,
                           default=[m for m in ex["candidate_memory_mb"] if m in LAMBDA_SIZES],
                           key="lm_sizes", placeholder="unset")
    st.markdown("**Measured sizes** (one row per memory setting you ran)")
    runs = _rows("lm_runs", ex["measurements"], {
        "memory_mb": st.column_config.NumberColumn("Memory (MB)", min_value=128, step=1,
                                                   format="%d"),
        "duration_ms": st.column_config.NumberColumn("Duration (ms)", min_value=0.0,
                                                     help="Lambda's Duration (not Billed "
                                                          "Duration), average, e.g. 820"),
        "max_memory_used_mb": st.column_config.NumberColumn(
            "Max memory used (MB)", min_value=0.0, help="Lambda's Max Memory Used, e.g. 190"),
    })
    if not st.button("Predict Lambda memory", key="lambda_run", type="primary"):
        return
    request = pv.lambda_request(runs=runs, arch=arch, invocations_per_month=invocations,
                                memory_sizes=sizes, objective=objective,
                                kind=pv.KIND_CHOICES[kind], parallel=pv.PARALLEL_CHOICES[parallel])
    try:
        from recommender.models.endpoints import predict_lambda_memory

        data = predict_lambda_memory(request, catalog=get_catalog()).model_dump(mode="json")
    except UserError as exc:
        st.error(str(exc))
        return
    st.success(pv.lambda_best_sentence(data.get("best"), objective))
    st.plotly_chart(charts.lambda_memory_curve(data["predictions"]), width="stretch")
    st.dataframe(pv.readable(data["predictions"], pv.LAMBDA_COLUMNS), hide_index=True,
                 width="stretch")
    for note in data.get("notes", []):
        st.caption(note)


st.title("Predictions")
runtime_tab, lambda_tab = st.tabs(["Job runtime", "Lambda memory"])
with runtime_tab:
    runtime_form()
with lambda_tab:
    lambda_form()
