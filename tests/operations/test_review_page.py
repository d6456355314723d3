"""The app's Review page, run headless: a pasted saved response gets findings, alarms, plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from recommender import recommend
from recommender.app.presets import get_preset

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


def _app_test() -> type[AppTest]:
    # Imported on use: streamlit's import costs each xdist worker about a second at collection.
    from streamlit.testing.v1 import AppTest

    return AppTest


ROOT = Path(__file__).resolve().parents[2]


def test_review_page_shows_the_review_the_alarms_and_the_plan() -> None:
    saved = recommend(get_preset("web_app"))
    data = saved.model_dump(mode="json")
    # As if the chosen EC2 type had cost more when saved: the review must report the move.
    for p in data["prices"]:
        if p["category"] == "compute" and p["rank"] == 1:
            p["usd"] = round(p["usd"] * 2, 6)
    at = _app_test().from_file(str(ROOT / "pages/3_Review.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    at.text_area(key="pasted").set_value(saved.__class__.model_validate(data)
                                         .model_dump_json()).run()
    at.button(key="review").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    texts = [m.value for m in [*at.info, *at.warning]]
    assert any("price_changed" in t for t in texts), texts
    assert len(at.dataframe) >= 2  # the savings table and the alarms
    frames = [d.value for d in at.dataframe]
    assert any("metric" in f.columns and "CPUUtilization" in set(f["metric"]) for f in frames)


def test_review_page_names_the_missing_profile() -> None:
    at = _app_test().from_file(str(ROOT / "pages/3_Review.py"), default_timeout=120).run()
    at.text_area(key="pasted").set_value('{"recommendations": {}}').run()
    at.button(key="review").click().run()
    assert not at.exception, at.exception
    assert any("'profile' is missing" in e.value for e in at.error)


def test_main_app_lists_the_alarms_of_the_answer() -> None:
    at = _app_test().from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.selectbox(key="preset").set_value("web_app").run()
    at.button(key="run").click().run()
    assert not at.exception, at.exception
    assert any(e.label.startswith("Alarms that keep the choice efficient") for e in at.expander)
