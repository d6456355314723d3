"""The build orchestrator on the fixture sources: fresh-clone build, atomicity, diff, merge."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from catalog.build import build_catalog, merge_table
from catalog.errors import BuildError, CatalogSchemaError
from catalog.sources import SourceRecord, SourceResult
from catalog.store import read_snapshot
from foundation.integrity import sha256_file

KARP = "ec2/karpenter_ondemand_linux_us-east-1_20260720.csv"


def _lines(path, newline=""):
    """The lines of a text file (for ``csv.DictReader``), with the file closed again."""
    with open(path, newline=newline) as f:
        return f.read().splitlines(keepends=True)


def _hashes(d: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(d.iterdir())}


def test_fresh_clone_build(fixture_snapshot: Path, catalog_data: Path):
    cat = read_snapshot(fixture_snapshot)
    m = cat.manifest
    assert m["catalog_version"] == f"1+{m['generated_at']}"
    assert m["build"]["source"] == "local"
    listed = {s["path"]: s["sha256"] for s in m["sources"]}
    for rel in (KARP, "ec2/moto-5.2.5_instance_types.json.gz", "facts/ebs_volume_types.csv"):
        assert listed[rel] == sha256_file(catalog_data / rel)
    assert m["row_counts"] == {k: len(v) for k, v in cat.tables.items()}
    assert m["regions"] == sorted(set(cat.ec2_prices["region"]))
    assert any("Savings Plans" in g for g in m["coverage_gaps"])
    # priced_ec2 follows the merged prices: the fixture has no ca-central-1 EC2 feed.
    priced = cat.tables["regions"].set_index("region")["priced_ec2"]
    assert priced["us-east-1"] and priced["eu-west-1"] and not priced["ca-central-1"]
    assert any("ca-central-1" in g for g in m["coverage_gaps"])
    # Every price's region is in the type's offered regions.
    offered = cat.ec2.set_index("instance_type")["regions"].str.split(",")
    for t, r in zip(cat.ec2_prices["instance_type"], cat.ec2_prices["region"], strict=True):
        assert r in offered[t]
    efa = cat.facts.set_index(["topic", "key"]).loc[
        ("network_option", "efa.capable_instance_types"), "value"
    ]
    assert int(efa) == int(cat.ec2["efa_supported"].sum())


def test_failing_reader_leaves_snapshot_untouched(
    make_readers, fixture_snapshot, catalog_data, tmp_path
):
    out = tmp_path / "snap"
    shutil.copytree(fixture_snapshot, out)
    before = _hashes(out)

    def boom() -> SourceResult:
        raise OSError("disk on fire")

    with pytest.raises(BuildError, match="disk on fire"):
        build_catalog(
            "local",
            catalog_data,
            out_dir=out,
            progress=False,
            readers=[*make_readers(catalog_data), ("boom", boom)],
        )
    assert _hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]  # no temp dir left


def test_invalid_price_leaves_snapshot_untouched(
    make_readers, fixture_snapshot, catalog_data, tmp_path
):
    out = tmp_path / "snap"
    shutil.copytree(fixture_snapshot, out)
    before = _hashes(out)
    data = tmp_path / "data"
    shutil.copytree(catalog_data, data)
    rows = list(csv.DictReader(_lines(data / KARP)))
    rows[0]["ondemand_usd_per_hour"] = "0.000000"  # a zero price must be refused
    with open(data / KARP, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(CatalogSchemaError, match="ondemand_usd_per_hour"):
        build_catalog("local", data, out_dir=out, progress=False, readers=make_readers(data))
    assert _hashes(out) == before


def test_diff_against_previous(make_readers, fixture_snapshot, catalog_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(catalog_data, data)
    rows = list(csv.DictReader(_lines(data / KARP)))
    old = {r["instance_type"]: float(r["ondemand_usd_per_hour"]) for r in rows}
    for r in rows:
        if r["instance_type"] == "m5.large":
            r["ondemand_usd_per_hour"] = "0.120000"
    rows = [r for r in rows if r["instance_type"] != "c8a.large"]
    with open(data / KARP, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = build_catalog(
        "local",
        data,
        out_dir=tmp_path / "new",
        previous_dir=fixture_snapshot,
        progress=False,
        readers=make_readers(data),
    )
    d = report.diff
    assert d["previous"]
    assert d["tables"]["ec2_prices"]["removed"] == 1
    assert d["tables"]["ec2_prices"]["added"] == 0
    assert d["tables"]["ec2"] == {"rows": d["tables"]["ec2"]["rows"], "added": 0, "removed": 0}
    changes = d["ec2_price_changes"]
    assert changes["count"] == 1
    top = changes["largest"][0]
    assert (top["instance_type"], top["region"]) == ("m5.large", "us-east-1")
    assert top["old"] == old["m5.large"] and top["new"] == 0.12
    assert top["change_pct"] == pytest.approx((0.12 / old["m5.large"] - 1) * 100, abs=1e-3)
    assert "m5.large us-east-1" in report.summary()
    assert read_snapshot(tmp_path / "new").manifest["diff"] == d


def test_merge_table_newest_price_wins():
    a = pd.DataFrame(
        {
            "instance_type": ["m5.large", "t3.micro"],
            "region": "us-east-1",
            "ondemand_usd_per_hour": [0.1, 0.01],
            "price_as_of": "2026-07-20",
        }
    )
    b = pd.DataFrame(
        {
            "instance_type": ["m5.large", "c5.large"],
            "region": "us-east-1",
            "ondemand_usd_per_hour": [0.2, 0.085],
            "price_as_of": ["2025-04-04", "unknown"],
        }
    )
    for frames in ([a, b], [b, a]):
        m = merge_table("ec2_prices", frames).set_index("instance_type")
        assert m.loc["m5.large", "ondemand_usd_per_hour"] == 0.1
        assert len(m) == 3


def test_offer_files_refresh_carries_other_tables(fixture_snapshot, tmp_path, monkeypatch):
    from catalog.sources import live

    prev = read_snapshot(fixture_snapshot)
    row = prev.ec2_prices.query("instance_type == 'm5.large' and region == 'us-east-1'").iloc[0]
    offer = tmp_path / "offer.csv"
    offer.write_text("stand-in offer file\n")

    def fake_offer_files(paths, progress=None):
        assert progress is not None
        assert paths == [offer]
        rows = pd.DataFrame(
            {
                "instance_type": ["m5.large"],
                "region": ["us-east-1"],
                "ondemand_usd_per_hour": [0.101],
                "price_as_of": ["2027-01-01"],
                "price_source": ["offer:test"],
                "verify": [False],
            }
        )
        return SourceResult(
            tables={"ec2_prices": rows},
            sources=[SourceRecord("offer:test", str(offer), "test", "2027-01-01")],
        )

    monkeypatch.setattr(live, "read_offer_files", fake_offer_files)
    report = build_catalog(
        "offer-files",
        [offer],
        out_dir=tmp_path / "new",
        previous_dir=fixture_snapshot,
        progress=False,
    )
    cat = read_snapshot(tmp_path / "new")
    carried = report.manifest["carried_over"]
    assert set(carried) == {"ec2", "ebs", "database", "unit_prices", "facts", "regions", "latency",
                            "ec2_commitments", "ec2_spot_prices"}
    assert set(carried.values()) == {prev.version}
    new = cat.ec2_prices.set_index(["instance_type", "region"])
    assert new.loc[("m5.large", "us-east-1"), "ondemand_usd_per_hour"] == 0.101
    # Spot and RI figures survive the refresh; the spot estimate follows the new price.
    s = row["spot_savings_pct"]
    assert new.loc[("m5.large", "us-east-1"), "spot_savings_pct"] == s
    assert new.loc[("m5.large", "us-east-1"), "spot_usd_per_hour_est"] == pytest.approx(
        0.101 * (1 - s / 100)
    )
    assert len(new) == len(prev.ec2_prices)  # other rows kept
    assert report.diff["ec2_price_changes"]["count"] == 1
    assert {s["id"] for s in report.manifest["sources"]} >= {
        "offer:test",
        "karpenter:ondemand_us-east-1",
    }


def test_live_sources_need_a_previous_snapshot(tmp_path):
    with pytest.raises(BuildError, match="previous snapshot"):
        build_catalog("aws", out_dir=tmp_path / "none", progress=False)


def test_local_build_reports_missing_data_dir(tmp_path):
    with pytest.raises(BuildError, match="does not exist"):
        build_catalog("local", tmp_path / "absent", out_dir=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_manifest_is_json_with_every_table(fixture_snapshot):
    m = json.loads((fixture_snapshot / "manifest.json").read_text())
    assert set(m["files"]) == {f"{t}.parquet" for t in m["row_counts"]}


def test_aws_refresh_keeps_measured_perf_and_burst_facts(
    fixture_snapshot, catalog_data, tmp_path, monkeypatch
):
    import gzip

    from catalog.sources import live
    from catalog.sources.ec2 import MOTO_TYPES, specs_frame

    moto = json.loads(gzip.decompress((catalog_data / MOTO_TYPES).read_bytes()))
    infos = {t: moto[t] for t in ("m5.large", "t3.micro")}
    no_burst = pd.DataFrame(
        columns=[
            "instance_type",
            "baseline_utilization_per_vcpu_pct",
            "cpu_credits_earned_per_hour",
            "max_earned_credits_accrued",
        ]
    )

    def fake_aws(regions, session=None, progress=None, services=None):
        assert regions == ["us-east-1"]
        ec2 = specs_frame(infos, no_burst, {}, {t: {"us-east-1"} for t in infos})
        ec2["spec_source"] = "aws:test"
        return SourceResult(tables={"ec2": ec2})

    monkeypatch.setattr(live, "read_aws", fake_aws)
    build_catalog(
        "aws",
        out_dir=tmp_path / "new",
        previous_dir=fixture_snapshot,
        progress=False,
        regions=["us-east-1"],
    )
    prev = read_snapshot(fixture_snapshot).ec2.set_index("instance_type")
    new = read_snapshot(tmp_path / "new").ec2.set_index("instance_type")
    assert len(new) == len(prev)
    assert new.loc["m5.large", "spec_source"] == "aws:test"
    assert new.loc["m5.large", "perf_index"] == 1.0
    assert new.loc["m5.large", "perf_index_source"] == "measured"
    assert (
        new.loc["t3.micro", "cpu_credits_per_hour"] == prev.loc["t3.micro", "cpu_credits_per_hour"]
    )
    assert new.loc["t3.micro", "regions"] == prev.loc["t3.micro", "regions"]


def test_each_source_listed_once(fixture_snapshot):
    ids = [s["id"] for s in read_snapshot(fixture_snapshot).manifest["sources"]]
    assert len(ids) == len(set(ids))
    assert "facts:burstable_instances" in ids
