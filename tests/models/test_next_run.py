"""next-run: expected improvement, the plan, the request path, the CLI and the app view."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from recommender.core.errors import UserError
from recommender.models.next_run import expected_improvement, next_run, next_run_view, plan_next

EXAMPLE = Path(__file__).parents[2] / "examples" / "next_run.json"


def test_expected_improvement_closed_form() -> None:
    # Almost no spread: EI = max(best - value, 0): 10 - 8 = 2, and 0 for a worse candidate.
    ei = expected_improvement(10.0, np.log([8.0, 12.0]), np.array([1e-9, 1e-9]))
    assert ei == pytest.approx([2.0, 0.0], abs=1e-6)
    # Against the definition E[max(best - Y, 0)] by sampling a log-normal.
    rng = np.random.default_rng(1)
    y = np.exp(math.log(9.0) + 0.4 * rng.standard_normal(400_000))
    want = float(np.mean(np.maximum(10.0 - y, 0.0)))
    assert expected_improvement(10.0, np.log([9.0]), np.array([0.4]))[0] == pytest.approx(
        want, rel=0.01)


def test_plan_never_proposes_measured_or_excluded_and_regret_falls() -> None:
    value = np.array([10.0, 9.0, 5.0, 11.0, 4.0])
    low, high = value * 0.7, value * 1.4
    measured = np.array([True, False, False, False, False])
    excluded = np.array([False, False, False, False, True])  # the cheapest is predicted to fail
    plan = plan_next(value, low, high, measured, excluded, plan_runs=3)
    assert plan.pick == 2 and plan.best == 10.0 and plan.best_pos == 0
    regret = [r for _, r, _ in plan.regret]
    assert all(b <= a + 1e-9 for a, b in zip(regret, regret[1:], strict=False))
    assert all(4 not in picks and 0 not in picks for _, _, picks in plan.regret)


def test_plan_regret_without_a_best_or_an_optimum_is_nan_not_a_warning() -> None:
    import warnings

    value = np.array([10.0, 9.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 0/0 RuntimeWarning fuzz inputs used to raise
        # Every candidate excluded: no draw has a finite optimum, so no regret (NaN).
        none = plan_next(value, value * 0.7, value * 1.4, np.array([False, False]),
                         np.array([True, True]), plan_runs=2)
        # Nothing measured: no best yet, regret NaN now; one run later it is a number.
        fresh = plan_next(value, value * 0.7, value * 1.4, np.array([False, False]),
                          np.array([False, False]), plan_runs=1)
    assert none.pick is None and [math.isnan(r) for _, r, _ in none.regret] == [True]
    assert math.isnan(fresh.regret[0][1]) and fresh.regret[1][1] >= 0.0


def test_next_run_request_and_view(small_catalog, bundle) -> None:
    req = json.loads(EXAMPLE.read_text())
    r = next_run(req, catalog=small_catalog, bundle=bundle)
    measured = {(m["instance_type"], m["count"]) for m in req["measurements"]}
    assert (r.next.instance_type, r.next.count) not in measured
    # cost per run ~ nodes x runtime on one type: 8 x 574.43 = 4,595 < 24 x 233 = 5,592
    assert r.current_best.instance_type == "m5.xlarge" and r.current_best.count == 8
    assert [s.extra_runs for s in r.expected_regret] == list(range(req["plan_runs"] + 1))
    assert r.next.reason and 0 <= r.next.probability_better <= 1
    view = next_run_view(r)
    assert view["headline"].startswith("Run next:")
    assert view["regret_curve"]["extra_runs"] == [0, 1, 2, 3, 4]
    with pytest.raises(UserError, match="next-run"):
        next_run({**req, "plan_runs": 0}, catalog=small_catalog, bundle=bundle)


def test_next_run_cli(small_catalog, monkeypatch, capsys) -> None:
    import catalog.store
    from recommender.surfaces.cli.main import main

    monkeypatch.setattr(catalog.store, "load_catalog", lambda *a, **k: small_catalog)
    assert main(["next-run", str(EXAMPLE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["acquisition"] == "expected improvement" and out["next"]["instance_type"]


def test_example_requests_run(small_catalog, bundle) -> None:
    from recommender.models.endpoints import predict_lambda_memory, predict_runtime

    root = EXAMPLE.parent
    job = predict_runtime(json.loads((root / "job.json").read_text()), catalog=small_catalog,
                          bundle=bundle)
    assert job.best is not None and not job.best.predicted_to_fail
    fn = predict_lambda_memory(json.loads((root / "function.json").read_text()),
                               catalog=small_catalog, bundle=bundle)
    assert any(p.measured and p.duration_ms == 932.0 for p in fn.predictions)


def test_next_run_api_route(small_catalog) -> None:
    from fastapi.testclient import TestClient

    from recommender.surfaces.api import create_app

    with TestClient(create_app(small_catalog)) as client:
        r = client.post("/v1/predictions/next-run", json=json.loads(EXAMPLE.read_text()))
        assert r.status_code == 200, r.text
        assert r.json()["next"]["instance_type"]
        bad = client.post("/v1/predictions/next-run", json={"measurements": [], "plan_runs": 0})
        assert bad.status_code == 422 and "plan_runs" in bad.text


def test_lambda_memory_api_route_takes_a_declared_kind(small_catalog) -> None:
    from fastapi.testclient import TestClient

    from recommender.surfaces.api import create_app

    req = json.loads((EXAMPLE.parent / "function.json").read_text())
    assert req["kind"] == "cpu_bound"  # the example shows the field
    with TestClient(create_app(small_catalog)) as client:
        r = client.post("/v1/predictions/lambda-memory", json={**req, "kind": "io_bound"})
        assert r.status_code == 200, r.text
        assert any(n.startswith("kind io_bound") for n in r.json()["notes"])
        bad = client.post("/v1/predictions/lambda-memory", json={**req, "kind": "network"})
        assert bad.status_code == 422 and "kind" in bad.text


def _regret_by_definition(value, low, high, measured, excluded, picks_by_step):
    """Mean regret (%) of each step's picks over the full draws matrix, as defined in
    next_run_plan's docstring: each open candidate log-normal, measured ones fixed,
    excluded ones never the optimum."""
    from recommender.models.next_run_plan import N_DRAWS, SEED, Z90

    z = np.random.default_rng(SEED).standard_normal((N_DRAWS, len(value)))
    sigma = np.maximum((np.log(high) - np.log(low)) / (2 * Z90), 1e-6)
    draws = np.exp(np.log(value)[None, :] + sigma[None, :] * z)
    draws[:, measured] = value[measured]
    draws[:, excluded] = np.inf
    opt = draws.min(axis=1)
    best = value[measured & ~excluded].min()
    out = []
    for picks in picks_by_step:
        got = np.full(N_DRAWS, best)
        if picks:
            got = np.minimum(got, draws[:, picks].min(axis=1))
        out.append(float(np.mean(got / opt - 1.0) * 100))
    return out


def test_plan_regret_equals_the_full_draws_matrix_and_repeats() -> None:
    # The plan takes the optimum in log space and keeps the normal draws between calls;
    # both must give the numbers of the plain definition, call after call.
    rng = np.random.default_rng(7)
    value = rng.uniform(50, 150, 40)
    low, high = value * 0.7, value * 1.4
    measured = np.zeros(40, bool)
    measured[[3, 11]] = True
    value[3] = 45.0  # a measured best that is the optimum in many draws
    low[measured], high[measured] = value[measured], value[measured]
    excluded = np.zeros(40, bool)
    excluded[[5, 20]] = True
    first = plan_next(value, low, high, measured, excluded, plan_runs=3)
    again = plan_next(value, low, high, measured, excluded, plan_runs=3)
    assert first == again
    want = _regret_by_definition(value, low, high, measured, excluded,
                                 [p for _, _, p in first.regret])
    assert [r for _, r, _ in first.regret] == pytest.approx(want, rel=1e-12)
