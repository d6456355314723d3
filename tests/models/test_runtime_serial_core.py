"""The serial part of the runtime physics does not follow per-vCPU speed (a dev decision).

Issue 10's external check suggested the serial term ``s`` should scale with the per-vCPU
speed of the node type (``s * p_ref / p``, ``p = perf_index / vCPUs``).  That physics was
judged on the development groups only and made them worse (docs/models.md, section 2,
"Judged on dev and not adopted"), so the served physics keeps ``s`` the same on every type:
a faster core speeds up only the parallel part ``w / x``.  This test pins that choice by a
hand calculation, so that a later change to it is deliberate and goes back to the dev figures.
"""

from __future__ import annotations

import numpy as np
import pytest

from recommender.models.runtime import RuntimeModel


def _specs(types: list[str], nodes: list[int], cap: list[float], vcpus: list[float]
           ) -> dict[str, np.ndarray | list[str]]:
    c = np.asarray(cap, float)
    return {"instance_type": types, "nodes": np.asarray(nodes, float), "cap": c,
            "cap_low": c, "cap_high": c, "vcpus": np.asarray(vcpus, float),
            # One memory per vCPU everywhere: no memory pressure can be inferred.
            "memory_gib": 4.0 * np.asarray(vcpus, float),
            "net_gbps": np.full(len(types), 10.0), "amd": np.zeros(len(types))}


def _model() -> RuntimeModel:
    # Physics only: no correction, no scale-out overhead (lam = kap = 0), zero-width
    # intervals, so the prediction is T = s + w / x exactly.
    return RuntimeModel(correction=None, prior_x_half=1.0, zero_shot_s_per_gib_cap=0.0,
                        zero_shot_serial_s=0.0, log_q={k: (0.0, 0.0) for k in (0, 1, 2)},
                        overhead=(0.0, 0.0), use_correction=False)


def test_twice_the_per_vcpu_speed_halves_only_the_parallel_part() -> None:
    # Hand calculation.  Type "a": perf_index 2 per node, 8 vCPUs (per-vCPU speed 0.25).
    # Measured: 2 nodes (x = 4) 300 s and 4 nodes (x = 8) 200 s.  T = s + w / x gives
    # s + w / 4 = 300 and s + w / 8 = 200, so w / 8 = 100: w = 800, s = 100 s.
    # Type "b": perf_index 4 per node, the same 8 vCPUs (per-vCPU speed 0.5, twice a's).
    # On 2 nodes x = 8: T = 100 + 800 / 8 = 200 s (the serial 100 s unchanged).
    # The per-core physics not adopted would give 100 / 2 + 100 = 150 s.
    meas = _specs(["a", "a"], [2, 4], [2.0, 2.0], [8.0, 8.0])
    meas["runtime_s"] = np.array([300.0, 200.0])
    cand = _specs(["b", "b"], [2, 4], [4.0, 4.0], [8.0, 8.0])
    out = _model().predict_arrays(cand, meas, None)
    # On 4 nodes x = 16: 100 + 800 / 16 = 150 s.
    assert out["runtime_s"] == pytest.approx([200.0, 150.0], rel=1e-9)
    assert not out["measured"].any()


def test_the_same_speed_per_vcpu_on_more_vcpus_scales_only_by_capacity() -> None:
    # Type "c": perf_index 4 on 16 vCPUs, the same per-vCPU speed as "a" (0.25), twice the
    # node capacity.  From the same runs (s = 100 s, w = 800): 2 nodes, x = 8:
    # T = 100 + 800 / 8 = 200 s, the same as "b" above: only capacity enters the physics.
    meas = _specs(["a", "a"], [2, 4], [2.0, 2.0], [8.0, 8.0])
    meas["runtime_s"] = np.array([300.0, 200.0])
    cand = _specs(["c"], [2], [4.0], [16.0])
    out = _model().predict_arrays(cand, meas, None)
    assert out["runtime_s"] == pytest.approx([200.0], rel=1e-9)
