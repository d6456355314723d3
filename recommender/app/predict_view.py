"""The Predictions page as data: requests from the form's rows, "best" as a sentence.

The page edits measured runs as table rows (``st.data_editor``); these functions turn the
rows into the ``predict-runtime`` / ``lambda-memory`` / ``next-run`` requests and the answers
into rounded sentences.  No Streamlit here, so they are tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd


def _rows(frame: pd.DataFrame | Iterable[Mapping[str, Any]], required: tuple[str, ...]
          ) -> list[dict[str, Any]]:
    """Rows with every ``required`` cell filled (a half-typed row is left out, not refused)."""
    df = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(list(frame))
    out: list[dict[str, Any]] = []
    for row in df.to_dict("records"):
        clean = {str(k): v for k, v in row.items() if v is not None and v == v and v != ""}
        if all(k in clean for k in required):
            out.append(clean)
    return out


def _whole(v: Any) -> Any:
    """A whole float as int (the editor gives 4.0 for a count of 4)."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def runtime_request(*, job: Mapping[str, Any], runs: Any, candidates: Any,
                    objective: str) -> dict[str, Any]:
    """A ``predict-runtime`` request (also a ``next-run`` one) from the form.

    ``runs`` rows have ``instance_type``, ``count``, ``runtime_s`` (or ``failed``);
    ``candidates`` rows ``instance_type``, ``count``.
    """
    measurements = []
    for r in _rows(runs, ("instance_type", "count")):
        if r.get("failed"):
            measurements.append({"instance_type": str(r["instance_type"]).strip(),
                                 "count": _whole(r["count"]), "failed": True})
        elif "runtime_s" in r:
            measurements.append({"instance_type": str(r["instance_type"]).strip(),
                                 "count": _whole(r["count"]), "runtime_s": float(r["runtime_s"])})
    cands = [{"instance_type": str(r["instance_type"]).strip(), "count": _whole(r["count"])}
             for r in _rows(candidates, ("instance_type", "count"))]
    request: dict[str, Any] = {"job": {k: v for k, v in job.items() if v not in (None, "")},
                               "measurements": measurements, "objective": objective}
    if cands:
        request["candidates"] = cands
    return request


#: The page's choices for the request's ``kind`` and ``parallel`` ("not said" leaves them out).
KIND_CHOICES = {"not said": None, "CPU-bound (computes)": "cpu_bound",
                "I/O-bound (waits on other services)": "io_bound", "mixed": "mixed"}
PARALLEL_CHOICES = {"not said": None, "multi-threaded": True, "single-threaded": False}


def lambda_request(*, runs: Any, arch: str, invocations_per_month: float | None,
                   memory_sizes: Iterable[int], objective: str, kind: str | None = None,
                   parallel: bool | None = None) -> dict[str, Any]:
    """A ``lambda-memory`` request from measured sizes (``memory_mb``, ``duration_ms``...).

    ``kind`` (cpu_bound, io_bound, mixed) and ``parallel`` go in only when said (None:
    the model's prior decides); a one-size prediction of a declared kind weighs training
    functions of that kind first.
    """
    measurements = []
    for r in _rows(runs, ("memory_mb", "duration_ms")):
        m = {"memory_mb": _whole(r["memory_mb"]), "duration_ms": float(r["duration_ms"])}
        if "max_memory_used_mb" in r:
            m["max_memory_used_mb"] = float(r["max_memory_used_mb"])
        measurements.append(m)
    request: dict[str, Any] = {"measurements": measurements, "arch": arch,
                               "objective": objective,
                               "candidate_memory_mb": sorted(int(m) for m in memory_sizes)}
    if invocations_per_month:
        request["invocations_per_month"] = float(invocations_per_month)
    if kind is not None:
        request["kind"] = kind
    if parallel is not None:
        request["parallel"] = bool(parallel)
    return request


def duration(seconds: float) -> str:
    """``26 min``, ``1 h 14 min``, ``45 s``: a runtime rounded for reading."""
    s = max(0.0, float(seconds))
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    h, m = divmod(round(s / 60), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def runtime_best_sentence(best: Mapping[str, Any] | None, objective: str) -> str:
    """``"Best for cost: 2 x m5.xlarge, about 26 min (3 min to 1 h 14 min), $0.17 per run."``"""
    if not best:
        return "No configuration is predicted to finish (see the notes)."
    low, high = best.get("runtime_s_low"), best.get("runtime_s_high")
    span = f" ({duration(low)} to {duration(high)})" if low is not None and high else ""
    cost = best.get("cost_usd")
    money = f", ${cost:,.2f} per run" if cost is not None else ""
    goal = "lowest cost" if objective == "cost" else "shortest time"
    return (f"Best for {goal}: {best['count']} x {best['instance_type']}, about "
            f"{duration(best['runtime_s'])}{span}{money}.")


def lambda_best_sentence(best: Mapping[str, Any] | None, objective: str) -> str:
    """``"Best (balanced): 2048 MB, about 234 ms per invocation (91-601 ms), $19.40/month."``"""
    if not best:
        return "No memory size fits the measured memory use."
    low, high = best.get("duration_ms_low"), best.get("duration_ms_high")
    span = f" ({low:.0f}-{high:.0f} ms)" if low is not None and high is not None else ""
    cost = best.get("monthly_cost_usd")
    money = f", ${cost:,.2f} per month" if cost is not None else ""
    return (f"Best ({objective}): {best['memory_mb']} MB, about {best['duration_ms']:.0f} ms "
            f"per invocation{span}{money}.")


#: Readable titles of the prediction tables' columns (units included).
RUNTIME_COLUMNS = {"instance_type": "Instance type", "count": "Nodes",
                   "runtime_s": "Runtime (s)", "runtime_s_low": "Runtime low (s)",
                   "runtime_s_high": "Runtime high (s)", "cost_usd": "Cost per run (USD)",
                   "measured": "Measured", "predicted_to_fail": "Predicted to fail"}
LAMBDA_COLUMNS = {"memory_mb": "Memory (MB)", "duration_ms": "Duration (ms)",
                  "duration_ms_low": "Duration low (ms)", "duration_ms_high": "Duration high (ms)",
                  "monthly_cost_usd": "Monthly cost (USD)", "measured": "Measured"}


def readable(predictions: list[dict[str, Any]], columns: Mapping[str, str]) -> pd.DataFrame:
    """The prediction rows with readable, rounded columns (others left out)."""
    df = pd.DataFrame(predictions)
    df = df[[c for c in columns if c in df.columns]].rename(columns=dict(columns))
    return df.round(2)
