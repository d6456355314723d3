"""Workload presets: common workloads as ready-made profiles (CONTRACT section 1).

Pure data (no imports of ours), so the app, the CLI, the API docs and the notebooks share it
across the layers.

Each preset is a plain profile dict that validates as a
:class:`~recommender.core.profile.WorkloadProfile`.
The app fills its form from them; the API docs, notebooks and tests use them as examples.
They are starting points to edit, not measurements: the figures are typical of the
workload shape (an OLTP database is random, small-I/O, read-mostly; a batch job tolerates
interruption; an HPC job is tightly coupled), so each preset exercises the rules that matter
for that shape.
"""

from __future__ import annotations

import copy
from typing import Any

_PRESETS: dict[str, dict[str, Any]] = {
    "web_app": {
        "schema_version": "1",
        "name": "web app",
        "region": "us-east-1",
        "objective": "balanced",
        "purchase_options": ["on_demand", "savings_plan"],
        "top_n": 5,
        "compute": {
            "vcpus": 2,
            "memory_gib": 4,
            "arch": "any",
            "cpu_utilization": {"average_pct": 20, "p95_pct": 55, "peak_pct": 85},
            "scale_out": "horizontal",
            "max_nodes": 8,
            "hours_per_month": 730,
        },
        "storage": {
            "size_gib": 50,
            "iops": 3000,
            "access_pattern": "random",
            "sharing": "single_instance",
            "persistence": "persistent",
            "access_frequency": "hot",
        },
        "database": {
            "data_model": "relational",
            "size_gib": 100,
            "reads_per_s": 400,
            "writes_per_s": 80,
            "consistency": "strong",
            "query_pattern": "joins",
            "latency_ms": 10,
            "cacheable_read_fraction": 0.6,
        },
        "network": {
            "user_regions": {"us-east-1": 0.7, "eu-west-1": 0.3},
            "egress_gib_per_month": 500,
            "static_content_fraction": 0.5,
        },
    },
    "oltp_database": {
        "schema_version": "1",
        "name": "OLTP database",
        "region": "us-east-1",
        "objective": "performance",
        "purchase_options": ["on_demand", "reserved"],
        "top_n": 5,
        "compute": {"vcpus": 8, "memory_gib": 64, "arch": "any", "hours_per_month": 730},
        "storage": {
            "size_gib": 1000,
            "iops": 16000,
            "throughput_mibps": 500,
            "access_pattern": "random",
            "read_fraction": 0.7,
            "io_size_kib": 8,
            "latency_ms": 1,
            "sharing": "single_instance",
            "persistence": "persistent",
            "access_frequency": "hot",
        },
        "database": {
            "data_model": "relational",
            "engine": "postgresql",
            "size_gib": 1000,
            "reads_per_s": 5000,
            "writes_per_s": 1500,
            "consistency": "strong",
            "query_pattern": "joins",
            "latency_ms": 5,
        },
    },
    "analytics": {
        "schema_version": "1",
        "name": "analytics warehouse",
        "region": "us-east-1",
        "objective": "cost",
        "purchase_options": ["on_demand"],
        "top_n": 5,
        "compute": {"vcpus": 16, "memory_gib": 128, "hours_per_month": 300},
        "storage": {
            "size_gib": 5000,
            "throughput_mibps": 500,
            "access_pattern": "sequential",
            "io_size_kib": 1024,
            "read_fraction": 0.9,
            "sharing": "multi_instance",
            "persistence": "persistent",
            "access_frequency": "warm",
        },
        "database": {
            "data_model": "analytics",
            "size_gib": 3000,
            "reads_per_s": 50,
            "writes_per_s": 5,
            "query_pattern": "aggregations",
            "consistency": "eventual",
        },
    },
    "batch": {
        "schema_version": "1",
        "name": "nightly batch",
        "region": "us-east-1",
        "objective": "cost",
        "purchase_options": ["on_demand", "spot"],
        "top_n": 5,
        "compute": {
            "vcpus": 16,
            "memory_gib": 32,
            "arch": "any",
            "cpu_utilization": {"average_pct": 85, "p95_pct": 95, "peak_pct": 100},
            "parallelism": 64,
            "scale_out": "horizontal",
            "max_nodes": 10,
            "hours_per_month": 120,
            "interruption_tolerant": True,
        },
        "storage": {
            "size_gib": 500,
            "throughput_mibps": 250,
            "access_pattern": "sequential",
            "io_size_kib": 1024,
            "sharing": "multi_instance",
            "persistence": "scratch",
            "access_frequency": "warm",
        },
    },
    "hpc": {
        "schema_version": "1",
        "name": "tightly coupled HPC",
        "region": "us-east-1",
        "objective": "performance",
        "purchase_options": ["on_demand"],
        "top_n": 5,
        "compute": {
            "vcpus": 64,
            "memory_gib": 128,
            "arch": "x86_64",
            "cpu_utilization": {"average_pct": 90, "p95_pct": 98, "peak_pct": 100},
            "parallelism": 512,
            "scale_out": "tightly_coupled",
            "max_nodes": 8,
            "hours_per_month": 200,
            "interruption_tolerant": False,
        },
        "storage": {
            "size_gib": 2000,
            "throughput_mibps": 1000,
            "access_pattern": "sequential",
            "sharing": "multi_instance",
            "persistence": "scratch",
            "access_frequency": "hot",
        },
        "network": {"inter_node_latency_sensitive": True, "bandwidth_gbps": 50},
    },
    "event_driven_function": {
        "schema_version": "1",
        "name": "event-driven function",
        "region": "us-east-1",
        "objective": "cost",
        "top_n": 5,
        "compute": {
            "arch": "any",
            "event_driven": True,
            "invocations_per_month": 5_000_000,
            "duration_ms": 120,
            "memory_mb_used": 180,
        },
        "database": {
            "data_model": "key_value",
            "size_gib": 20,
            "reads_per_s": 200,
            "writes_per_s": 50,
            "item_size_kib": 2,
            "consistency": "eventual",
            "query_pattern": "key_lookup",
            "latency_ms": 10,
        },
    },
    "static_site": {
        "schema_version": "1",
        "name": "static site",
        "region": "us-east-1",
        "objective": "cost",
        "top_n": 5,
        "storage": {
            "size_gib": 20,
            "sharing": "web",
            "persistence": "persistent",
            "access_frequency": "hot",
        },
        "network": {
            "user_regions": {"us-east-1": 0.5, "eu-west-1": 0.3, "ap-northeast-1": 0.2},
            "egress_gib_per_month": 2000,
            "static_content_fraction": 1.0,
        },
    },
}

#: Human labels for the app's preset picker, in display order.
PRESET_LABELS: dict[str, str] = {
    "web_app": "Web app",
    "oltp_database": "OLTP database",
    "analytics": "Analytics",
    "batch": "Batch",
    "hpc": "HPC",
    "event_driven_function": "Event-driven function",
    "static_site": "Static site",
}


def preset_names() -> list[str]:
    """Names of the presets, in display order."""
    return list(PRESET_LABELS)


def get_preset(name: str) -> dict[str, Any]:
    """Return a fresh copy of preset ``name`` (safe to modify).

    Parameters
    ----------
    name : str
        One of :func:`preset_names`.

    Raises
    ------
    KeyError
        Naming the known presets when ``name`` is not one of them.
    """
    if name not in _PRESETS:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(preset_names())}")
    return copy.deepcopy(_PRESETS[name])


#: Example requests of the prediction endpoints (CONTRACT section 4), for the app and docs.
EXAMPLE_RUNTIME_REQUEST: dict[str, Any] = {
    "job": {"framework": "spark", "application": "sort", "input_gib": 100},
    "measurements": [{"instance_type": "m5.xlarge", "count": 4, "runtime_s": 900}],
    "candidates": [{"instance_type": t, "count": n}
                   for t in ("m5.xlarge", "c5.2xlarge", "r5.xlarge") for n in (2, 4, 8, 16)],
    "objective": "cost",
}
EXAMPLE_LAMBDA_REQUEST: dict[str, Any] = {
    "measurements": [{"memory_mb": 512, "duration_ms": 820, "max_memory_used_mb": 190}],
    "arch": "arm64",
    "invocations_per_month": 3_000_000,
    "candidate_memory_mb": [256, 512, 768, 1024, 1536, 2048, 3008],
    "objective": "balanced",
}
