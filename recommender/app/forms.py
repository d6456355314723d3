"""The profile form of the app as data, and the readers of what a user uploads.

:data:`FIELDS` lists every field of the workload profile once, with the widget that edits
it; :func:`state_from_profile` and :func:`profile_from_state` convert between a profile dict
and the flat ``{"compute.vcpus.min": 2, ...}`` widget state the app keeps.  They hold no
Streamlit code, so they are tested directly; the app only draws the widgets.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from recommender.core.errors import UserError
from recommender.core.profile import make_profile_error


@dataclass(frozen=True)
class FormField:
    """One profile field: where it lives and how it is edited.

    ``widget`` is one of ``range`` (min and max numbers), ``float``, ``int``, ``enum``,
    ``bool`` (yes / no / unknown), ``text``, ``multi`` (several of ``options``),
    ``shares`` (``region=share`` pairs), ``series`` (a list of numbers) or ``runs``
    (measured job runs written ``type x nodes = seconds``).
    """

    section: str  # "" for the top level
    name: str
    widget: str
    label: str
    options: tuple[str, ...] = ()
    help: str = ""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name


def _f(
    section: str, name: str, widget: str, label: str, *options: str, help: str = ""
) -> FormField:
    return FormField(section, name, widget, label, tuple(options), help)


SECTIONS: tuple[str, ...] = ("", "compute", "storage", "database", "network")

FIELDS: tuple[FormField, ...] = (
    _f("", "name", "text", "Workload name"),
    _f("", "region", "text", "Region", help="an AWS region code, or 'auto' to let it choose"),
    _f("", "objective", "enum", "Objective", "cost", "performance", "balanced"),
    _f("", "purchase_options", "multi", "Purchase options",
       "on_demand", "spot", "savings_plan", "reserved"),
    _f("", "top_n", "int", "Options per category"),
    _f("compute", "vcpus", "range", "vCPUs"),
    _f("compute", "memory_gib", "range", "Memory (GiB)"),
    _f("compute", "arch", "enum", "Architecture", "x86_64", "arm64", "any"),
    _f("compute", "gpus", "range", "GPUs"),
    _f("compute", "cpu_utilization.average_pct", "float", "CPU average %"),
    _f("compute", "cpu_utilization.p95_pct", "float", "CPU p95 %"),
    _f("compute", "cpu_utilization.peak_pct", "float", "CPU peak %"),
    _f("compute", "utilization_series_pct", "series", "CPU utilization series (%)",
       help="comma-separated samples, or upload a CloudWatch CSV below"),
    _f("compute", "series_interval_minutes", "float", "Minutes between samples"),
    _f("compute", "parallelism", "int", "Parallelism (threads/tasks)"),
    _f("compute", "scale_out", "enum", "Scale out", "none", "horizontal", "tightly_coupled"),
    _f("compute", "max_nodes", "int", "Max nodes"),
    _f("compute", "hours_per_month", "float", "Hours per month"),
    _f("compute", "interruption_tolerant", "bool", "Interruption tolerant"),
    _f("compute", "event_driven", "bool", "Event driven"),
    _f("compute", "invocations_per_month", "float", "Invocations per month"),
    _f("compute", "duration_ms", "float", "Duration per invocation (ms)"),
    _f("compute", "memory_mb_used", "float", "Memory used per invocation (MB)"),
    _f("compute", "memory_used_gib", "float", "Peak memory used (GiB)"),
    _f("compute", "cpu_headroom_pct", "float", "CPU headroom %"),
    _f("compute", "memory_headroom_pct", "float", "Memory headroom %"),
    _f("compute", "startup_time_s", "float", "Instance start-up time (s)"),
    _f("compute", "job.framework", "text", "Job framework", help="e.g. spark"),
    _f("compute", "job.application", "text", "Job application", help="e.g. kmeans, sort"),
    _f("compute", "job.input_gib", "float", "Job input (GiB)"),
    _f("compute", "job.measurements", "runs", "Measured job runs",
       help="type x nodes = seconds, e.g. m5.xlarge x 8 = 1500; m5.xlarge x 16 = 850"),
    _f("compute", "job.deadline_s", "float", "Job deadline (s)"),
    _f("compute", "job.runs_per_month", "float", "Job runs per month"),
    _f("storage", "size_gib", "range", "Size (GiB)"),
    _f("storage", "iops", "range", "IOPS"),
    _f("storage", "throughput_mibps", "range", "Throughput (MiB/s)"),
    _f("storage", "access_pattern", "enum", "Access pattern", "random", "sequential", "mixed"),
    _f("storage", "read_fraction", "float", "Read fraction (0-1)"),
    _f("storage", "io_size_kib", "float", "I/O size (KiB)"),
    _f("storage", "latency_ms", "float", "Latency target (ms)"),
    _f("storage", "sharing", "enum", "Sharing", "single_instance", "multi_instance", "web"),
    _f("storage", "persistence", "enum", "Persistence", "persistent", "scratch"),
    _f("storage", "access_frequency", "enum", "Access frequency", "hot", "warm", "cold",
       "archive"),
    _f("database", "data_model", "enum", "Data model", "relational", "key_value", "document",
       "analytics", "search", "cache"),
    _f("database", "engine", "text", "Preferred engine", help="e.g. postgresql, mysql, valkey"),
    _f("database", "size_gib", "range", "Size (GiB)"),
    _f("database", "reads_per_s", "float", "Reads per second"),
    _f("database", "writes_per_s", "float", "Writes per second"),
    _f("database", "item_size_kib", "float", "Item size (KiB)"),
    _f("database", "consistency", "enum", "Consistency", "strong", "eventual"),
    _f("database", "query_pattern", "enum", "Query pattern", "key_lookup", "joins",
       "aggregations", "full_text"),
    _f("database", "latency_ms", "float", "Latency target (ms)"),
    _f("database", "cacheable_read_fraction", "float", "Cacheable read fraction (0-1)"),
    _f("network", "user_regions", "shares", "User regions",
       help="region=share pairs summing to 1, e.g. us-east-1=0.7, eu-west-1=0.3"),
    _f("network", "egress_gib_per_month", "float", "Egress (GiB/month)"),
    _f("network", "static_content_fraction", "float", "Static content fraction (0-1)"),
    _f("network", "inter_node_latency_sensitive", "bool", "Inter-node latency sensitive"),
    _f("network", "bandwidth_gbps", "float", "Bandwidth (Gbps)"),
    _f("network", "on_premises_link", "bool", "On-premises link"),
    _f("network", "s3_traffic_gib_per_month", "float", "S3 traffic (GiB/month)"),
)


def fields_of(section: str) -> list[FormField]:
    """The fields of one section (``""`` for the top level), in form order."""
    return [f for f in FIELDS if f.section == section]


def _get(d: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)  # type: ignore[assignment]
    return d


def _put(d: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        d = d.setdefault(part, {})
    d[parts[-1]] = value


def state_from_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """Flat widget state (every key of the form, ``None`` when unset) for a profile dict."""
    state: dict[str, Any] = {}
    for f in FIELDS:
        v = _get(profile.get(f.section, {}) if f.section else profile, f.name)
        if f.widget == "range":
            lo, hi = (v.get("min"), v.get("max")) if isinstance(v, dict) else (v, None)
            state[f"{f.key}.min"], state[f"{f.key}.max"] = _num_or_none(lo), _num_or_none(hi)
        elif f.widget == "multi":
            state[f.key] = list(v or [])
        elif f.widget == "shares":
            state[f.key] = ", ".join(f"{k}={s:g}" for k, s in (v or {}).items())
        elif f.widget == "series":
            state[f.key] = ", ".join(f"{x:g}" for x in (v or []))
        elif f.widget == "runs":
            state[f.key] = "; ".join(
                f"{r['instance_type']} x {r['count']:g} = {r['runtime_s']:g}" for r in v or []
            )
        elif f.widget == "text":
            state[f.key] = "" if v is None else str(v)
        elif f.widget == "int":
            state[f.key] = None if _num_or_none(v) is None else int(v)
        elif f.widget == "float":
            state[f.key] = _num_or_none(v)
        else:
            state[f.key] = v
    return state


def _num_or_none(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _numbers(text: str, field: str) -> list[float]:
    out = []
    for tok in re.split(r"[,\s;]+", text.strip()):
        if not tok:
            continue
        try:
            out.append(float(tok))
        except ValueError:
            raise make_profile_error([{"field": field, "rule": f"not a number: {tok!r}"}]) from None
    return out


def _shares(text: str, field: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in re.split(r"[,;\n]+", text))):
        code, sep, share = pair.partition("=")
        try:
            if not sep:
                raise ValueError
            out[code.strip()] = float(share)
        except ValueError:
            raise make_profile_error(
                [{"field": field, "rule": f"write region=share pairs (got {pair!r})"}]
            ) from None
    return out


_RUN = re.compile(r"^\s*([a-z0-9][a-z0-9.-]*)\s*[x*]\s*(\d+)\s*=\s*([0-9.eE+]+)\s*s?\s*$")


def _runs(text: str, field: str) -> list[dict[str, Any]]:
    """Measured runs from ``"m5.xlarge x 8 = 1500; m5.xlarge x 16 = 850"``."""
    out = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]+", text))):
        m = _RUN.match(part)
        if not m:
            raise make_profile_error(
                [{"field": field, "rule": f"write 'type x nodes = seconds' (got {part!r})"}]
            )
        out.append({"instance_type": m[1], "count": int(m[2]), "runtime_s": float(m[3])})
    return out


def profile_from_state(state: dict[str, Any]) -> dict[str, Any]:
    """Build a profile dict from widget state; unset widgets are left out.

    Raises
    ------
    ProfileError
        When a text widget cannot be read (``user_regions``, the utilization series).  The
        profile's own rules are checked later by :func:`recommender.core.profile.parse_profile`.
    """
    profile: dict[str, Any] = {"schema_version": "1"}
    for f in FIELDS:
        target = profile.setdefault(f.section, {}) if f.section else profile
        if f.widget == "range":
            lo, hi = state.get(f"{f.key}.min"), state.get(f"{f.key}.max")
            rng = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            value: Any = rng or None
        elif f.widget == "int":
            v = state.get(f.key)
            value = None if v is None else (int(v) if float(v).is_integer() else v)
        elif f.widget in ("text",):
            value = (state.get(f.key) or "").strip() or None
        elif f.widget == "multi":
            value = list(state.get(f.key) or []) or None
        elif f.widget == "shares":
            value = _shares(state.get(f.key) or "", f.key) or None
        elif f.widget == "series":
            value = _numbers(state.get(f.key) or "", f.key) or None
        elif f.widget == "runs":
            value = _runs(state.get(f.key) or "", f.key) or None
        else:
            value = state.get(f.key)
        if value is not None:
            _put(target, f.name, value)
    return {k: v for k, v in profile.items() if v != {}}


_VALUE_NAMES = ("value", "values", "average", "avg", "maximum", "max", "cpuutilization", "cpu")
_TIME_NAMES = ("timestamp", "timestamps", "time", "date", "datetime")


def parse_utilization_csv(data: bytes | str) -> tuple[list[float], float | None]:
    """Read a CPU utilization CSV (e.g. a CloudWatch export: timestamp + value columns).

    Returns
    -------
    values : list of float
        Percent samples in time order.
    interval_minutes : float or None
        The median spacing of the timestamps, when there is a timestamp column.

    Raises
    ------
    UserError
        Naming the rule the file breaks (no numeric column, values outside 0-100...).
    """
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    try:
        df = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"utilization CSV: not a readable CSV ({exc})") from None
    cols = {c.strip().lower().replace(" ", ""): c for c in df.columns}
    time_col = next((cols[n] for n in _TIME_NAMES if n in cols), None)
    value_col = next((cols[n] for n in _VALUE_NAMES if n in cols), None)
    if value_col is None:
        numeric = [c for c in df.columns if c != time_col and pd.api.types.is_numeric_dtype(df[c])]
        if not numeric:
            raise UserError("utilization CSV: needs a numeric value column (e.g. 'value')")
        value_col = numeric[-1]
    values = pd.to_numeric(df[value_col], errors="coerce")
    interval = None
    if time_col is not None:
        ts = pd.to_datetime(df[time_col], errors="coerce", utc=True)
        order = ts.sort_values(kind="stable").index
        values, ts = values.loc[order], ts.loc[order]
        gaps = ts.diff().dropna().dt.total_seconds() / 60.0
        if len(gaps) and gaps.median() > 0:
            interval = float(gaps.median())
    values = values.dropna()
    if values.empty:
        raise UserError(f"utilization CSV: column {value_col!r} holds no numbers")
    if values.min() < 0 or values.max() > 100:
        raise UserError(
            f"utilization CSV: column {value_col!r} must be percent between 0 and 100 "
            f"(found {values.min():g} to {values.max():g})"
        )
    return [float(v) for v in values], interval
