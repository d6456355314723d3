"""Presets are valid profiles; the app's form covers the whole profile and round-trips."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from recommender.app.forms import (
    FIELDS,
    parse_utilization_csv,
    profile_from_state,
    state_from_profile,
)
from recommender.app.presets import PRESET_LABELS, get_preset, preset_names
from recommender.core.errors import ProfileError, UserError
from recommender.core.profile import WorkloadProfile, parse_profile

REQUIRED_PRESETS = {"web_app", "oltp_database", "analytics", "batch", "hpc",
                    "event_driven_function", "static_site"}


def test_every_workload_kind_has_a_preset() -> None:
    assert set(preset_names()) >= REQUIRED_PRESETS
    assert set(PRESET_LABELS) == set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_preset_is_a_valid_profile_that_round_trips_through_the_form(name: str) -> None:
    preset = get_preset(name)
    expected = parse_profile(preset).to_json_dict()
    again = parse_profile(profile_from_state(state_from_profile(preset))).to_json_dict()
    assert again == expected


def test_get_preset_returns_a_copy() -> None:
    get_preset("web_app")["compute"]["vcpus"] = 999
    assert get_preset("web_app")["compute"]["vcpus"] == 2
    with pytest.raises(KeyError, match="known"):
        get_preset("nope")


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted names of a model's fields, descending into nested sections (not Range)."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        ann = info.annotation
        nested = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type)
                  and issubclass(a, BaseModel) and a.__name__ != "Range"]
        if nested:
            out |= _leaf_fields(nested[0], f"{prefix}{name}.")
        else:
            out.add(f"{prefix}{name}")
    return out


def test_form_covers_every_profile_field() -> None:
    profile_fields = _leaf_fields(WorkloadProfile) - {"schema_version"}
    form_fields = {f.key for f in FIELDS}
    assert profile_fields - form_fields == set(), "profile fields missing from the form"
    assert form_fields - profile_fields == set(), "form fields not in the profile"


def test_unset_form_gives_an_empty_profile() -> None:
    assert profile_from_state(state_from_profile({})) == {"schema_version": "1"}


@pytest.mark.parametrize(
    ("key", "text", "field"),
    [("network.user_regions", "us-east-1:0.5", "network.user_regions"),
     ("compute.utilization_series_pct", "10, x, 30", "compute.utilization_series_pct")],
    ids=["shares-without-equals", "series-not-a-number"],
)
def test_unreadable_text_fields_name_the_field(key: str, text: str, field: str) -> None:
    state = state_from_profile({})
    state[key] = text
    with pytest.raises(ProfileError) as info:
        profile_from_state(state)
    assert info.value.errors[0]["field"] == field


def test_bad_form_values_are_refused_by_the_profile_rules() -> None:
    state = state_from_profile({})
    state["storage.read_fraction"] = 1.5
    with pytest.raises(ProfileError, match="storage.read_fraction"):
        parse_profile(profile_from_state(state))


def test_cloudwatch_csv_is_sorted_and_its_interval_found() -> None:
    csv = ("Timestamp,Value,Unit\n2024-01-01T00:10:00Z,30,Percent\n"
           "2024-01-01T00:00:00Z,10,Percent\n2024-01-01T00:05:00Z,20,Percent\n")
    values, interval = parse_utilization_csv(csv.encode())
    assert values == [10.0, 20.0, 30.0]
    assert interval == 5.0


def test_csv_without_timestamps_uses_the_numeric_column() -> None:
    values, interval = parse_utilization_csv("sample,cpu_pct\n1,5\n2,7.5\n")
    assert values == [5.0, 7.5] and interval is None


@pytest.mark.parametrize(
    ("csv", "match"),
    [("a,b\nx,y\n", "numeric"), ("timestamp,value\n2024-01-01,150\n", "between 0 and 100"),
     ("", "readable")],
    ids=["no-numbers", "out-of-range", "empty"],
)
def test_bad_csv_is_refused_with_the_rule(csv: str, match: str) -> None:
    with pytest.raises(UserError, match=match):
        parse_utilization_csv(csv)


def test_measured_job_runs_round_trip_and_bad_text_names_the_field() -> None:
    from recommender.app.forms import profile_from_state, state_from_profile
    from recommender.core.errors import ProfileError

    runs = [{"instance_type": "m5.xlarge", "count": 8, "runtime_s": 1500.0},
            {"instance_type": "c5.2xlarge", "count": 4, "runtime_s": 700.5}]
    state = state_from_profile({"compute": {"job": {"measurements": runs, "input_gib": 50}}})
    assert state["compute.job.measurements"] == "m5.xlarge x 8 = 1500; c5.2xlarge x 4 = 700.5"
    assert profile_from_state(state)["compute"]["job"] == {"input_gib": 50.0, "measurements": runs}
    with pytest.raises(ProfileError) as info:
        profile_from_state({**state, "compute.job.measurements": "m5.xlarge times 8"})
    assert info.value.errors[0]["field"] == "compute.job.measurements"
