"""What the catalog's sources cannot give is named, never left out (issue 9).

Each gap is one the stored sources (``../shared/data/PROVENANCE.md``) list as missing:
* AWS's "SSD instance store volumes" table of per-type IOPS
  (https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html);
* FSx for Lustre prices (https://aws.amazon.com/fsx/lustre/pricing/);
* the aggregated monthly free allowance of data out to the internet
  (https://aws.amazon.com/ec2/pricing/on-demand/, "Data Transfer"): the feed has the paid tiers
  only, so 300 GiB out of us-east-1 costs 300 x $0.09 = $27.00 in the tool, not the $18.00 a
  100 GB allowance would give, and the bundle says so.
Each must appear in the option's ``unpriced`` list and in the bundle's, with its reason.
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend


def _run(cat, **sections):
    return recommend({"region": "us-east-1", **sections}, catalog=cat, models=False)


def _named(items, word):
    return [u for u in items if word in u.item]


def test_instance_store_iops_are_named_as_unknown(cat):
    r = _run(cat, storage={"size_gib": 2000, "iops": 400000, "latency_ms": 0.2,
                           "persistence": "scratch", "access_pattern": "random"})
    store = next(o for o in r.recommendations.storage if o.kind == "instance_store")
    assert store.performance_risk >= 1  # an unchecked need is a risk
    named = _named(store.unpriced, "instance-store IOPS")
    assert named and "400,000" in named[0].item and "so-instance-store-volumes" in named[0].reason
    assert _named(r.bundle.unpriced, "instance-store IOPS")


def test_instance_store_host_names_its_iops_once(cat):
    # The instance-store host is the compute and the storage (one option seen twice): the
    # bundle names the gap once.
    r = _run(cat, compute={"vcpus": 8, "memory_gib": 64},
             storage={"size_gib": 1500, "iops": 200000, "persistence": "scratch",
                      "access_pattern": "random"})
    assert len(_named(r.bundle.unpriced, "instance-store IOPS")) == 1


def test_fsx_for_lustre_without_prices_is_named(cat):
    if any(i.startswith("fsx.") for i in cat.unit_prices["item"]):
        pytest.skip("this catalog prices FSx (a live build): nothing to name")
    r = _run(cat, storage={"size_gib": 4096, "throughput_mibps": 2000,
                           "sharing": "multi_instance", "persistence": "scratch",
                           "access_pattern": "sequential"})
    efs = r.recommendations.storage[0]
    assert efs.option == "efs" and _named(efs.unpriced, "FSx for Lustre")
    assert "no FSx prices" in _named(r.bundle.unpriced, "FSx for Lustre")[0].reason
    assert r.rejected.get("storage.fsx_no_price_in_catalog") == 1


def test_data_out_free_allowance_is_named_when_not_in_the_catalog(cat):
    if any("free" in i and i.startswith("datatransfer.") for i in cat.unit_prices["item"]):
        pytest.skip("this catalog has a data-transfer free-tier row: it must be applied")
    r = _run(cat, network={"egress_gib_per_month": 300, "static_content_fraction": 0.0})
    out = next(c for c in r.bundle.components if c.kind == "data_transfer")
    assert out.monthly_cost_usd == pytest.approx(300 * 0.09, abs=0.01)  # no allowance taken
    named = _named(r.bundle.unpriced, "free allowance of data out")
    assert named and "not deducted" in named[0].item
