"""The app's text and upload parsers: a clear message per bad line, never a traceback."""

from __future__ import annotations

import pytest

from recommender.app.csv_upload import read_utilization_csv
from recommender.app.forms import profile_from_state
from recommender.core.errors import ProfileError, UserError

RUNS = "compute.job.measurements"


@pytest.mark.parametrize("text, words", [
    ("m5.xlarge x 1 = .", "seconds '.' is not a number"),
    ("m5.xlarge x 1 = 1e5e5", "seconds '1e5e5' is not a number"),
    ("m5.xlarge x " + "9" * 5000 + " = 10", "nodes 999999999999... is too long"),
    ("m5.xlarge x 1 = 1e400", "seconds must be a finite number"),
    ("m5.xlarge x 1 = nan", "seconds must be a finite number"),
    ("m5.xlarge x 1.5 = 10", "whole number"),
    ("just words", "write 'type x nodes = seconds'"),
])
def test_bad_measured_runs_are_named_per_run(text, words) -> None:
    with pytest.raises(ProfileError) as info:
        profile_from_state({RUNS: f"m5.xlarge x 2 = 100; {text}"})
    errors = info.value.errors  # type: ignore[attr-defined]
    assert errors[0]["field"] == RUNS and errors[0]["rule"].startswith("run 2: ")
    assert words in errors[0]["rule"], errors


def test_every_bad_run_is_reported_at_once() -> None:
    with pytest.raises(ProfileError) as info:
        profile_from_state({RUNS: "m5.xlarge x 1 = .; c5.large x 2 = 100; x"})
    rules = [e["rule"] for e in info.value.errors]  # type: ignore[attr-defined]
    assert [r.split(":")[0] for r in rules] == ["run 1", "run 3"]


def test_good_runs_still_parse() -> None:
    p = profile_from_state({RUNS: "m5.xlarge x 8 = 1500; m5.xlarge x 16 = 850s"})
    assert p["compute"]["job"]["measurements"][1] == {
        "instance_type": "m5.xlarge", "count": 16, "runtime_s": 850.0}


def test_epoch_seconds_are_seconds() -> None:
    # 1704067200 = 2024-01-01T00:00:00Z; samples 300 s apart -> 5 minutes.
    r = read_utilization_csv("timestamp,value\n1704067500,20\n1704067200,10\n1704067800,30\n")
    assert r.values == [10.0, 20.0, 30.0] and r.interval_minutes == 5.0


def test_epoch_milliseconds_are_milliseconds() -> None:
    r = read_utilization_csv("timestamp,value\n1704067200000,10\n1704067260000,20\n")
    assert r.interval_minutes == 1.0


@pytest.mark.parametrize("csv, words", [
    ("timestamp,value\n1704067200,10\n1704067500\n", "line(s) 3"),
    ("timestamp,value\n1704067200,10,99\n", "line(s) 2"),
    ("timestamp,value\n1704067200,true\n1704067500,false\n", "true/false"),
    (b"\xff\xfe\x00\x01binary", "not UTF-8"),
    ("", "empty"),
])
def test_bad_csv_is_refused_naming_the_line_or_rule(csv, words) -> None:
    with pytest.raises(UserError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_utilization_csv(csv)


def test_dropped_rows_are_reported_with_their_lines() -> None:
    r = read_utilization_csv("timestamp,value\n1704067200,10\n1704067500,n/a\n"
                             "1704067800,30\n1704068100,1e999\n")
    assert r.values == [10.0, 30.0]
    assert r.notes and "dropped 2 row(s)" in r.notes[0] and "line(s) 3, 5" in r.notes[0]


def test_cloudwatch_export_still_reads() -> None:
    csv = ("Timestamp,Value,Unit\n2024-01-01T00:10:00Z,30,Percent\n"
           "2024-01-01T00:00:00Z,10,Percent\n2024-01-01T00:05:00Z,20,Percent\n")
    r = read_utilization_csv(csv.encode())
    assert r.values == [10.0, 20.0, 30.0] and r.interval_minutes == 5.0 and r.notes == []
