"""The response model's notebook helpers and the catalog/model blocks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recommender import RecommendationResponse, recommend
from recommender.core.response import Option, Reason

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_frames(cat) -> None:
    r = recommend((GOLDEN / "burstable_dev.profile.json").read_text(), catalog=cat,
                  models=False)
    df = r.to_frame()
    assert list(df["category"].unique()) == ["compute"]  # explicit region, no network section
    assert df.loc[0, "option"] == r.recommendations.compute[0].option
    assert "config.credit_mode" in df.columns
    reasons = r.reasons_frame("compute")
    assert {"rule", "best_practice", "text"} <= set(reasons.columns)
    assert reasons["best_practice"].str.match(r"PERF0\d-BP\d\d").all()
    curve = r.predicted_frame("compute", 1, "credit_balance")
    assert len(curve) == len(r.recommendations.compute[0].predicted["credit_balance"])
    rej = r.rejected_frame()
    assert rej["count"].is_monotonic_decreasing and rej["count"].sum() == sum(r.rejected.values())


def test_catalog_and_model_blocks(cat) -> None:
    r = recommend({"compute": {"vcpus": 2}}, catalog=cat, models=False)
    assert r.catalog.version == cat.version and r.catalog.generated_at == cat.generated_at
    assert r.catalog.regions == list(cat.regions)
    assert r.model.version == "rules-only"
    r2 = recommend({"compute": {"vcpus": 2}}, catalog=cat,
                   models={"version": "perf-1", "trained_at": "2026-01-01"})
    assert r2.model.version == "perf-1" and r2.model.trained_at == "2026-01-01"


def test_empty_response_frames() -> None:
    r = RecommendationResponse()
    assert r.to_frame().empty and r.reasons_frame().empty and r.rejected_frame().empty
    assert r.best("compute") is None


def test_round_trip() -> None:
    o = Option(rank=1, option="gp3", kind="ebs", score=0.5, reasons=[
        Reason(rule="x", best_practice="PERF03-BP02", text="t")])
    r = RecommendationResponse(recommendations={"storage": [o]})
    assert RecommendationResponse.model_validate_json(r.model_dump_json()) == r
    assert isinstance(r.to_frame(), pd.DataFrame)


def test_verify_rows_are_flagged(cat) -> None:
    # io2's price row is marked verify in the catalog: the option must say so.
    io2 = cat.ebs[(cat.ebs["volume_type"] == "io2") & (cat.ebs["region"] == "us-east-1")]
    r = recommend((GOLDEN / "storage_sub_ms.profile.json").read_text(), catalog=cat,
                  models=False)
    o = r.best("storage")
    assert o.verify == bool(io2["verify"].iloc[0])
    if o.verify:
        assert any(x.severity == "verify" for x in o.reasons)


def test_profile_errors_helper_and_json_schema() -> None:
    from pydantic import ValidationError

    from recommender import WorkloadProfile, profile_errors

    try:
        WorkloadProfile.model_validate({"storage": {"iops": -1}, "top_n": "3"})
    except ValidationError as exc:
        errs = profile_errors(exc)
    assert {e["field"] for e in errs} == {"storage.iops", "top_n"}
    assert all(e["rule"] for e in errs)
    schema = WorkloadProfile.model_json_schema()
    assert "compute" in schema["properties"] and "Range" in schema["$defs"]
    p = WorkloadProfile.model_validate({"compute": {"vcpus": 2}})
    assert p.to_json_dict() == {"schema_version": "1", "compute": {"vcpus": {"min": 2.0}}}
