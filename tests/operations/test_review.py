"""Review: a saved response re-run against a rebuilt catalog reports what changed.

The catalogs come from the real-format fixtures through the catalog build (conftest.py):
the response is saved with a catalog built before m7g.large's records existed, then reviewed
against the catalog built from the sources that carry them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender import recommend
from recommender.core.errors import UserError
from recommender.operations import (
    compare,
    parse_saved,
    read_saved,
    review,
    review_many,
    summary_frame,
)

#: Exactly two vCPUs and 8 GiB on demand, cheapest first: of the fixture types only m5.large
#: (previous generation, kept while no current type fits) and m7g.large (current) fit.
PROFILE = {"name": "api", "region": "us-east-1", "objective": "cost",
           "purchase_options": ["on_demand"],
           "compute": {"vcpus": {"min": 2, "max": 2}, "memory_gib": {"min": 8, "max": 8},
                       "arch": "any", "hours_per_month": 730}}


@pytest.fixture(scope="module")
def saved(catalog_before_m7g):
    return recommend(PROFILE, catalog=catalog_before_m7g, models=False)


def test_saved_response_carries_what_a_review_needs(saved) -> None:
    data = json.loads(saved.model_dump_json())
    # The profile as parsed: a number is a range's minimum (CONTRACT section 1).
    assert data["profile"]["compute"]["vcpus"] == {"min": 2.0, "max": 2.0}
    assert data["profile"]["name"] == "api"
    assert data["catalog"]["version"] and data["catalog"]["generated_at"]
    assert data["model"]["version"] == "rules-only"
    m5 = [p for p in data["prices"] if p["option"] == "m5.large"]
    # karpenter_ondemand_linux_us-east-1_20260720.csv (AWS Price List): m5.large 0.096000.
    assert m5 == [{**m5[0], "item": "ec2.on_demand", "usd": 0.096, "unit": "hour"}]
    assert data["monitoring"], "the chosen EC2 type has alarms"


def test_review_reports_the_newer_generation_with_the_exact_saving(
        saved, catalog_full, tmp_path: Path) -> None:
    assert saved.best("compute").option == "m5.large"
    path = tmp_path / "saved.json"
    path.write_text(saved.model_dump_json())
    rev = review(path.read_text(), catalog=catalog_full, models=False)
    found = [f for f in rev.findings if f.kind == "newer_generation"]
    assert len(found) == 1, rev.findings
    f = found[0]
    # By hand, from the Karpenter price file (AWS Price List, us-east-1, USD/h):
    #   m5.large  0.096  x 730 h = 70.08 / month
    #   m7g.large 0.0816 x 730 h = 59.568 -> 59.57 / month (responses round to cents)
    #   saving 70.08 - 59.57 = 10.51 / month; x 12 = 126.12 / year
    assert (f.option, f.replacement) == ("m5.large", "m7g.large")
    assert f.saving_usd_per_month == 10.51
    assert f.saving_usd_per_year == 126.12
    assert f.best_practice == "PERF05-BP06" and "perf_process_culture" in f.text
    assert "$10.51/month" in f.text and "$126.12/year" in f.text
    assert (rev.saving_usd_per_month, rev.saving_usd_per_year) == (10.51, 126.12)
    # Same prices in both catalogs: nothing moved, nothing disappeared.
    assert not [x for x in rev.findings if x.kind in ("price_changed", "option_disappeared")]


def test_an_option_that_disappeared_is_reported(catalog_full, catalog_before_m7g) -> None:
    with_m7g = recommend(PROFILE, catalog=catalog_full, models=False)
    assert with_m7g.best("compute").option == "m7g.large"
    rev = review(with_m7g, catalog=catalog_before_m7g, models=False)
    kinds = {f.kind: f for f in rev.findings}
    assert kinds["option_disappeared"].option == "m7g.large"
    assert "better_option" not in {f.rule for f in rev.findings}  # m5.large costs more
    assert rev.saving_usd_per_month == 0.0


def test_a_price_that_moved_is_diffed_exactly(saved, catalog_before_m7g) -> None:
    # As if m5.large had cost 0.100 USD/h when the response was saved (73.00/month).
    old = saved.model_copy(deep=True)
    old.recommendations.compute[0].monthly_cost_usd = 73.0
    for p in old.prices:
        if p.option == "m5.large":
            p.usd = 0.1
    current = recommend(PROFILE, catalog=catalog_before_m7g, models=False)
    rev = compare(old, current, catalog_before_m7g)
    moved = [f for f in rev.findings if f.kind == "price_changed"]
    assert len(moved) == 1
    # (0.100 - 0.096) USD/h x 1 node x (73.00 / 0.100 = 730 h) = 2.92 / month less; 35.04/year.
    assert moved[0].saving_usd_per_month == 2.92
    assert moved[0].saving_usd_per_year == 35.04
    assert moved[0].before["usd"] == 0.1 and moved[0].after["usd"] == 0.096


def test_model_version_change_and_new_risk(saved, catalog_before_m7g) -> None:
    old = saved.model_copy(deep=True)
    old.model.version = "models-older"
    o = old.recommendations.compute[0]
    current = recommend(PROFILE, catalog=catalog_before_m7g, models=False)
    now = current.recommendations.compute[0]
    o.predicted["perf_index"] = 0.5
    now.predicted["perf_index"] = 1.0
    now.performance_risk = o.performance_risk + 1
    rev = compare(old, current, catalog_before_m7g)
    changed = [f for f in rev.findings if f.kind == "model_changed"]
    assert changed and changed[0].before == {"perf_index": 0.5}
    assert "models-older -> rules-only" in changed[0].text
    risk = [f for f in rev.findings if f.kind == "new_risk"]
    assert risk and risk[0].severity == "caution"


@pytest.mark.parametrize(("data", "match"), [
    ("{not json", "not JSON"),
    ({"foo": 1}, "recommendations"),
    ({"recommendations": {}, "bogus": 1}, "bogus"),
    ({"recommendations": {}}, "'profile' is missing"),
])
def test_bad_saved_responses_are_refused_with_the_field(data, match) -> None:
    with pytest.raises(UserError, match=match):
        parse_saved(data)


def test_batch_review_of_a_folder_sorts_savings(saved, catalog_full, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.json").write_text(saved.model_dump_json())
    same = recommend({**PROFILE, "name": "already-best"}, catalog=catalog_full, models=False)
    (folder / "b.json").write_text(same.model_dump_json())
    reviewed = review_many(read_saved(folder), catalog=catalog_full, models=False, workers=1)
    table = summary_frame(reviewed)
    assert list(table["workload"]) == ["api", "already-best"]
    assert list(table["saving_usd_per_month"]) == [10.51, 0.0]
    assert table.loc[0, "top_change"] == "m5.large -> m7g.large"


def test_jsonl_with_a_bad_line_names_the_line(saved, tmp_path: Path) -> None:
    f = tmp_path / "saved.jsonl"
    f.write_text(saved.model_dump_json() + "\n\n" + '{"recommendations": {}}\n')
    with pytest.raises(UserError, match=r"line 3: the field 'profile' is missing"):
        read_saved(f)


@pytest.mark.parametrize("name", ["web_app", "event_driven_function", "batch"])
def test_a_fresh_response_reviewed_against_its_own_catalog_has_no_findings(name) -> None:
    """Nothing changed, so nothing may be reported (each rank-1 option's prices are found
    again, e.g. RDS single-AZ and Multi-AZ rows of the same class are not mixed up)."""
    from recommender.app.presets import get_preset

    fresh = recommend(get_preset(name))
    assert {p.category for p in fresh.prices} >= {"compute"}
    assert review(fresh.model_dump_json()).findings == []


@pytest.mark.parametrize("kind", ["binary", "symlink_loop", "device", "binary_in_folder"])
def test_unreadable_saved_files_are_user_errors_naming_the_file(kind: str,
                                                                tmp_path: Path) -> None:
    # Before, a binary file was an unexpected UnicodeDecodeError and a symlink loop "no such
    # file or folder"; now each is refused by name (foundation.files.read_regular_text).
    if kind == "device":
        path, match = Path("/dev/zero"), "not a regular file"
    elif kind == "symlink_loop":
        path, match = tmp_path / "loop.json", "cannot be read"
        path.symlink_to(path)
    else:
        folder = tmp_path / "saved" if kind == "binary_in_folder" else tmp_path
        folder.mkdir(exist_ok=True)
        (folder / "x.json").write_bytes(b"\xff\xfe\x00{}")
        path, match = (folder if kind == "binary_in_folder" else folder / "x.json"), "UTF-8"
    with pytest.raises(UserError, match=match):
        read_saved(path)
