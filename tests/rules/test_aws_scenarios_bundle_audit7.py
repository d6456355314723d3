"""AWS-documented bundle scenarios, audit 7 (issue 9: every cost counted or named).

* Fargate task ephemeral storage
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html):
  every task on Linux platform version 1.4.0 or later gets 20 GiB, configurable up to
  200 GiB, deleted when the task stops; the container image is stored on it too.  AWS Fargate
  pricing (https://aws.amazon.com/fargate/pricing/): 20 GB included, the GB configured above
  billed per GB-hour.  So scratch data of a Fargate task needs no separate EBS volume.
* DAX and DynamoDB consistency models
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.consistency.html): DAX
  passes strongly consistent reads to DynamoDB and does not cache them, so a caching
  trade-off over strongly consistent reads offloads none of them as they are.
* An EBS volume attaches to one instance at a time, Multi-Attach aside
  (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-attaching-volume.html), and a launch
  template's block device mapping creates its volumes for every instance it launches
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-device-mapping-concepts.html;
  the export puts the data volume there): N nodes run N volumes.
Prices: catalog us-east-1 (Fargate arm64 $0.03238 per vCPU-hour, $0.00356 per GB-hour;
ephemeral storage $0.000111 per GB-hour; gp3 $0.08 per GB-month; c6g.4xlarge $0.544/h).
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend
from recommender.surfaces.export.bundle import chosen_bundle

# 0.5 vCPU / 1 GB task: (0.5 x 0.03238 + 1 x 0.00356) x 730 = 0.01975 x 730 = $14.42.
FARGATE_730H = 14.42


def _run(cat, size_gib: float, *, hours: float = 730, persistence: str = "scratch"):
    r = recommend({"region": "us-east-1",
                   "compute": {"vcpus": 0.5, "memory_gib": 1, "hours_per_month": hours},
                   "storage": {"size_gib": size_gib, "persistence": persistence}},
                  catalog=cat, models=False)
    assert r.recommendations.compute[0].kind == "fargate"
    return r, {c.role: c for c in r.bundle.components}


def test_catalog_prices_the_ephemeral_storage_above_20_gb(cat):
    row = cat.unit_prices.query(
        "item == 'fargate.ephemeral_storage_gb_hour' and region == 'us-east-1'")
    assert float(row["price_usd"].iloc[0]) == pytest.approx(0.000111)


def test_small_scratch_fits_in_the_included_20_gib(cat):
    # 5 GiB <= 20 GiB included: $0. Before, a separate gp3 of 5 x $0.08 = $0.40 was added
    # (total $14.82); now the total is the task alone, $14.42.
    r, parts = _run(cat, 5)
    st = parts["storage"]
    assert (st.option, st.category, st.monthly_cost_usd) == (
        "fargate:ephemeral_storage", "compute", 0.0)
    assert r.bundle.total_monthly_usd == pytest.approx(FARGATE_730H, abs=0.01)
    assert "storage" not in r.bundle.breakdown or r.bundle.breakdown["storage"] == 0.0
    assert "fargate-task-storage.html" in st.why
    # The image shares the storage; its size is unknown, so it is named, never dropped.
    assert any("container image" in u.item for u in r.bundle.unpriced)


def test_larger_scratch_pays_the_gb_configured_above_20(cat):
    # 100 GiB: (100 - 20) x $0.000111 x 730 h = 80 x $0.08103 = $6.4824 -> $6.48, below a
    # 100 GiB gp3 at 100 x $0.08 = $8.00. Total 14.42 + 6.48 = $20.90.
    r, parts = _run(cat, 100)
    assert parts["storage"].monthly_cost_usd == pytest.approx(6.48, abs=0.005)
    assert r.bundle.total_monthly_usd == pytest.approx(20.90, abs=0.01)


def test_ephemeral_storage_is_billed_for_the_task_hours_only(cat):
    # 200 h a month: task (0.01975 x 200) = $3.95; storage 80 x $0.000111 x 200 = $1.776
    # -> $1.78 (a gp3 volume would bill the whole month, $8.00).
    r, parts = _run(cat, 100, hours=200)
    assert parts["storage"].monthly_cost_usd == pytest.approx(1.78, abs=0.005)
    assert r.bundle.total_monthly_usd == pytest.approx(3.95 + 1.78, abs=0.01)


def test_above_200_gib_or_persistent_data_keeps_the_volume(cat):
    # 250 GiB is above the 200 GiB a task may configure: gp3 250 x $0.08 = $20.00.
    _, parts = _run(cat, 250)
    assert (parts["storage"].option, parts["storage"].monthly_cost_usd) == ("gp3", 20.0)
    # Persistent data outlives the task, which ephemeral storage does not: gp3 5 x 0.08.
    _, parts = _run(cat, 5, persistence="persistent")
    assert parts["storage"].option != "fargate:ephemeral_storage"


def test_export_creates_no_ebs_volume_for_ephemeral_scratch(cat):
    r, _ = _run(cat, 5)
    b = chosen_bundle(r.model_dump(mode="json"))
    assert [c.category for c in b.components] == ["compute"]


def _caching(cat, consistency: str):
    r = recommend({"region": "us-east-1", "database": {
        "data_model": "key_value", "reads_per_s": 5000, "writes_per_s": 100,
        "item_size_kib": 1, "consistency": consistency, "cacheable_read_fraction": 0.8,
        "size_gib": 50}}, catalog=cat, models=False)
    return next(o for o in r.recommendations.tradeoffs if o.option == "caching")


def test_dax_offloads_no_strongly_consistent_reads(cat):
    # 80% of 5,000 reads/s cacheable: 4,000 reads/s would leave the table, but only if
    # eventually consistent; as strongly consistent reads DAX passes them all through.
    t = _caching(cat, "strong")
    assert t.predicted["offloaded_reads_per_s"] == 0.0
    why = t.reasons[0].text
    assert "DAX.consistency.html" in why and "4,000 reads/s" in why
    assert "eventually consistent" in t.config["service"]
    # Still named, never silently dropped: DAX's own cost depends on the cache size.
    assert any(u.item.startswith("caching trade-off") for u in t.unpriced)


def test_dax_offloads_eventually_consistent_reads(cat):
    # Eventual: 0.8 x 5,000 = 4,000 reads/s served by DAX.
    t = _caching(cat, "eventual")
    assert t.predicted["offloaded_reads_per_s"] == 4000.0
    assert t.config["service"] == "DynamoDB Accelerator (DAX)"


def test_each_ec2_node_pays_for_its_own_volume(cat):
    # 32 vCPU horizontal -> 2 x c6g.4xlarge: 2 x $0.544 x 730 = $794.24; the exported launch
    # template gives each its own 100 GiB gp3 (100 x $0.08 = $8.00): 2 x $8.00 = $16.00.
    # Total $810.24 (before: the volume counted once, $802.24).
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 32, "memory_gib": 64, "scale_out": "horizontal", "max_nodes": 8,
        "hours_per_month": 730}, "storage": {"size_gib": 100, "sharing": "single_instance"}},
        catalog=cat, models=False)
    parts = {c.role: c for c in r.bundle.components}
    assert (parts["compute"].option, parts["compute"].count) == ("c6g.4xlarge", 2)
    assert parts["compute"].monthly_cost_usd == pytest.approx(794.24, abs=0.01)
    assert (parts["storage"].option, parts["storage"].count) == ("gp3", 2)
    assert parts["storage"].monthly_cost_usd == pytest.approx(16.00, abs=0.01)
    assert r.bundle.total_monthly_usd == pytest.approx(810.24, abs=0.01)
    assert "ebs-attaching-volume.html" in parts["storage"].why
    # The ranked storage option itself stays one volume at $8.00.
    assert r.recommendations.storage[0].monthly_cost_usd == pytest.approx(8.00, abs=0.01)
    vol = chosen_bundle(r.model_dump(mode="json")).of("compute").volume
    assert vol is not None and vol.size_gib == 100


def test_one_node_keeps_one_volume(cat):
    # 4 vCPU on one node: one gp3 of 100 GiB, $8.00.
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
                   "storage": {"size_gib": 100, "sharing": "single_instance"}},
                  catalog=cat, models=False)
    parts = {c.role: c for c in r.bundle.components}
    assert parts["compute"].count == 1
    assert (parts["storage"].count, parts["storage"].monthly_cost_usd) == (1, 8.0)
