"""Storage rules: latency classes gate EBS types; EFS and S3 classes follow access frequency.

Every price and limit is read from the committed catalog snapshot; none is typed here.  The
expected volume types are derived from the catalog's ``ebs.latency_class`` so the tests follow
the data, and the few hand-written expectations (io2 only under 1 ms, gp3 from 1 ms with a
"measure it" caution below 10 ms, st1 from 10 ms) are what the AWS EBS volume types doc says
the classes mean.
"""

from __future__ import annotations

import pandas as pd
import pytest
from engine_checks import check_response

from catalog.store import Catalog
from recommender import RecommendationResponse, WorkloadProfile, recommend
from recommender.app.presets import get_preset
from recommender.rules.storage.block import (
    LATENCY_CLASS_BOUND_MS,
    LATENCY_REJECT,
    latency_fit,
)

REGION = "us-east-1"


def _run(profile: dict, cat) -> RecommendationResponse:
    resp = recommend(profile, catalog=cat, models=False)
    check_response(WorkloadProfile.model_validate(profile), resp, cat)
    return resp


def _ebs(cat, region: str = REGION) -> pd.DataFrame:
    rows = cat.ebs[cat.ebs["region"] == region].set_index("volume_type")
    return rows.drop(index="standard", errors="ignore")  # previous generation: never offered


def _bound(cat, vt: str) -> float:
    return LATENCY_CLASS_BOUND_MS[str(_ebs(cat).loc[vt, "latency_class"])]


def _price(cat, item: str, region: str = REGION) -> float:
    up = cat.unit_prices
    rows = up[(up["item"] == item) & (up["region"] == region)]
    rows = rows[rows["tier_start"].fillna(0.0) == 0.0]
    assert len(rows) == 1, f"{item} in {region}: {len(rows)} first-tier rows"
    return float(rows["price_usd"].iloc[0])


def _has_per_gb_item(cat, prefix: str, region: str = REGION) -> bool:
    up = cat.unit_prices
    rows = up[up["item"].str.startswith(prefix + ".") & (up["region"] == region)]
    return bool((rows["unit"].str.contains("per GB") & ~rows["unit"].str.contains("month")).any())


def _ebs_ids(resp: RecommendationResponse) -> set[str]:
    return {o.option for o in resp.recommendations.storage if o.kind == "ebs"}


# ------------------------------------------------------------------ latency classes


def test_every_catalog_latency_class_has_a_bound(cat) -> None:
    assert set(cat.ebs["latency_class"]) <= set(LATENCY_CLASS_BOUND_MS)


def test_oltp_preset_at_1_ms_admits_gp3_with_a_measure_caution(cat) -> None:
    # https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html: gp3 is
    # "single-digit millisecond", so a 1 ms need is inside its band (measure it); only a need
    # under 1 ms requires io2 Block Express ("sub-millisecond").
    p = get_preset("oltp_database")
    assert p["storage"]["latency_ms"] == 1
    r = _run(p, cat)
    assert {"gp3", "io2"} <= _ebs_ids(r)
    gp3 = next(o for o in r.recommendations.storage if o.option == "gp3" and o.count == 1)
    lat = [x for x in gp3.reasons if x.rule == "storage.latency"]
    assert lat and "measure" in lat[0].text and lat[0].severity == "caution"


SEQ = {"size_gib": 2000, "throughput_mibps": 200, "access_pattern": "sequential"}
ALL = 10  # top_n large enough that no volume type is cut from the list


@pytest.mark.parametrize("need_ms", [0.5, 1, 5, 10, 50, 100, 1000])
def test_latency_admits_exactly_the_classes_that_meet_it(cat, need_ms: float) -> None:
    free = _ebs_ids(_run({"region": REGION, "top_n": ALL, "storage": SEQ}, cat))
    r = _run({"region": REGION, "top_n": ALL, "storage": {**SEQ, "latency_ms": need_ms}},
             cat)
    meets = {vt for vt in _ebs(cat).index
             if latency_fit(str(_ebs(cat).loc[vt, "latency_class"]), need_ms) != "fails"}
    assert _ebs_ids(r) == free & meets
    assert r.rejected.get(LATENCY_REJECT, 0) == len(set(_ebs(cat).index) - meets)
    for o in r.recommendations.storage:
        assert any(x.rule == "storage.latency" for x in o.reasons)


def test_latency_boundaries_follow_the_class_names(cat) -> None:
    def ids(ms: float) -> set[str]:
        return _ebs_ids(_run({"region": REGION, "top_n": ALL,
                              "storage": {**SEQ, "latency_ms": ms}}, cat))
    # single-digit-ms covers 1-10 ms (with a caution below 10); tens-of-ms from 10 ms.
    assert "gp3" not in ids(0.9) and "gp3" in ids(1) and "gp3" in ids(5)
    assert "st1" not in ids(9.9) and "st1" in ids(10) and "st1" in ids(100)


def test_need_below_every_class_keeps_only_the_fastest_with_a_caution(cat) -> None:
    fastest = min(LATENCY_CLASS_BOUND_MS.values())
    r = _run({"region": REGION, "storage": {"size_gib": 200, "latency_ms": fastest / 2}}, cat)
    assert _ebs_ids(r) == {vt for vt in _ebs(cat).index if _bound(cat, vt) == fastest}
    o = r.best("storage")
    assert o.performance_risk >= 1
    assert any(x.rule == "storage.latency" and x.severity == "caution" for x in o.reasons)


def test_scratch_under_1_ms_gets_instance_store_and_io2_not_gp3(cat) -> None:
    r = _run({"region": REGION, "compute": {"vcpus": 8, "memory_gib": 64},
              "storage": {"size_gib": 1500, "iops": 20000, "latency_ms": 0.5,
                          "persistence": "scratch", "access_pattern": "random"}}, cat)
    ids = {o.option for o in r.recommendations.storage}
    assert ids == {"instance_store", "io2"}


def test_nothing_fits_names_latency_and_the_closest_classes_first(cat) -> None:
    # Beyond every instance's EBS IOPS limit, so not even a RAID 0 array can carry it.
    top = float(cat.ec2["ebs_max_iops"].max())
    r = _run({"region": REGION, "storage": {"size_gib": 100, "iops": top * 2,
                                            "latency_ms": 0.5}}, cat)
    assert r.recommendations.storage == []
    assert LATENCY_REJECT in r.warnings[0]
    closest = r.warnings[0].split("closest: ")[1].rstrip(".").split(", ")
    assert all(_bound(cat, vt) == LATENCY_CLASS_BOUND_MS["single-digit-ms"] for vt in closest)


# ------------------------------------------------------------------ EFS class and lifecycle


def test_analytics_preset_prices_warm_efs_in_ia_with_lifecycle(cat) -> None:
    p = get_preset("analytics")
    size = p["storage"]["size_gib"]
    o = _run(p, cat).best("storage")
    assert o.option == "efs" and o.config["storage_class"] == "ia"
    assert o.config["lifecycle"] == {"transition_to_ia": "AFTER_30_DAYS"}
    # 500 MiB/s, 90% reads, all month (https://aws.amazon.com/efs/pricing/): Elastic moves
    # 500 x 3,600 x 730 / 1,024 = 1,283,203 GiB x (0.9 x 0.03 + 0.1 x 0.06) = $42,346;
    # Provisioned: EFS meters reads at 1/3 (https://repost.aws/knowledge-center/
    # efs-choosing-correct-throughput-mode), so 500 MiB/s at 90% reads is metered at
    # 500 x (0.9 / 3 + 0.1) = 200 MiB/s; the data sits in IA, so Standard earns no Bursting
    # baseline: 200 x $6.00 = $1,200, with IA at the Bursting/Provisioned rate $0.025:
    # 5,000 x 0.025 + 1,200 = $1,325.
    assert size == 5000 and p["storage"]["throughput_mibps"] == 500
    assert o.config["throughput_mode"] == "provisioned"
    assert o.monthly_cost_usd == pytest.approx(1325.0, abs=0.01)
    standard = size * _price(cat, "efs.standard.storage_gb_month")
    assert o.predicted["monthly_cost_usd_all_standard"] == pytest.approx(standard)
    if not _has_per_gb_item(cat, "efs.ia"):
        assert any("access charges not in the catalog" in x.text for x in o.reasons)
        assert o.predicted["cost_excludes"]


@pytest.mark.parametrize(("freq", "cls", "archive_transition"), [
    ("hot", "standard", None), ("warm", "ia", None), ("cold", "ia", None),
    ("archive", "archive", "AFTER_90_DAYS"), (None, "standard", None),
])
def test_efs_class_by_access_frequency(cat, freq, cls, archive_transition) -> None:
    storage = {"size_gib": 800, "sharing": "multi_instance", "persistence": "persistent",
               **({"access_frequency": freq} if freq else {})}
    o = _run({"region": REGION, "storage": storage}, cat).best("storage")
    assert o.config["storage_class"] == cls
    assert o.monthly_cost_usd == pytest.approx(800 * _price(cat, f"efs.{cls}.storage_gb_month"))
    access = [x for x in o.reasons if x.rule == "storage.access_charges"]
    if cls == "standard":
        assert "lifecycle" not in o.config and not access
    else:
        assert o.config["lifecycle"].get("transition_to_archive") == archive_transition
        assert access and o.predicted["cost_excludes"]


def test_scratch_efs_stays_on_standard(cat) -> None:
    o = _run(get_preset("batch"), cat).best("storage")
    assert o.option == "efs" and o.config["storage_class"] == "standard"
    assert "lifecycle" not in o.config


def test_access_charges_from_the_catalog_are_named_when_present(cat) -> None:
    # A catalog that has a per-GB read item for EFS IA (made from a real row, so no price is
    # typed here): the option must quote it instead of saying it is missing.
    up = cat.unit_prices
    row = up[(up["item"] == "efs.ia.storage_gb_month") & (up["region"] == REGION)].copy()
    row["item"], row["unit"] = "efs.ia.read_access_gb", "USD per GB"
    richer = Catalog(tables={**cat.tables, "unit_prices": pd.concat([up, row])},
                     manifest=cat.manifest)
    o = recommend(get_preset("analytics"), catalog=richer, models=False).best("storage")
    access = [x.text for x in o.reasons if x.rule == "storage.access_charges"]
    assert access and "efs.ia.read_access_gb" in access[0]
    assert "not in the catalog" not in access[0]
    assert "efs.ia.read_access_gb" in o.predicted["cost_excludes"]
    assert "efs.ia.read_access_gb" in {u.item for u in o.unpriced}


# ------------------------------------------------------------------ S3 class and retrieval


@pytest.mark.parametrize(("freq", "cls"), [
    # "warm" alone does not choose Standard-IA (30-day minimum duration): Intelligent-Tiering.
    ("hot", "standard"), ("warm", "intelligent_tiering"), ("cold", "glacier_instant"),
    ("archive", "glacier_deep_archive"), (None, "intelligent_tiering"),
])
def test_s3_class_by_access_frequency_and_retrieval_stated(cat, freq, cls) -> None:
    storage = {"size_gib": 1000, "sharing": "web", **({"access_frequency": freq} if freq else {})}
    o = _run({"region": REGION, "storage": storage}, cat).best("storage")
    assert o.option == "s3" and o.config["storage_class"] == cls
    assert o.monthly_cost_usd == pytest.approx(1000 * _price(cat, f"s3.{cls}.storage_gb_month"))
    access = [x.text for x in o.reasons if x.rule == "storage.access_charges"]
    if cls in ("standard", "intelligent_tiering"):
        assert not access
    elif not _has_per_gb_item(cat, f"s3.{cls}"):
        assert access and "retrieval charges not in the catalog" in access[0]
    assert any(x.rule == "storage.request_charges" for x in o.reasons)
