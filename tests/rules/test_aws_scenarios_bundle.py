"""AWS-documented scenarios of whole bundles: storage that needs an EC2 host (issue 9).

* Instance store is the instance's own disk
  (https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html): the
  instance that has it is the compute, and its price is counted once.
* RAID 0 stripes volumes in the instance's OS
  (https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html); a Fargate task takes
  one EBS volume (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html).
  When one gp3 cannot carry the need, the gp3 array competes on cost with one io2.
Prices: catalog us-east-1 (i4g.2xlarge $0.61776/h; gp3 $0.08/GB-month, $0.005 per IOPS above
3,000, $0.04 per MiB/s above 125; io2 $0.125/GB-month, IOPS $0.065 to 32,000, $0.0455 to
64,000, $0.03185 above).
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend


def _bundle(profile: dict, cat):
    r = recommend(profile, catalog=cat, models=False)
    return r, {c.role: c for c in r.bundle.components}


def test_instance_store_host_is_the_compute_priced_once(cat):
    # 8 vCPU / 64 GiB with 1,500 GiB of scratch: i4g.2xlarge (8 vCPU, 64 GiB, 1,746 GiB
    # NVMe) at $0.61776/h x 730 = $450.96, counted once; running a separate r6g.2xlarge
    # beside it ($294.34) counted a second instance ($745.30 before).
    r, parts = _bundle({"region": "us-east-1", "compute": {"vcpus": 8, "memory_gib": 64},
                        "storage": {"size_gib": 1500, "iops": 200000, "persistence": "scratch",
                                    "access_pattern": "random"}}, cat)
    store = r.recommendations.storage[0]
    assert store.kind == "instance_store"
    itype = store.config["instance_type"]
    assert parts["compute"].option == itype and parts["compute"].kind == "ec2"
    assert parts["storage"].monthly_cost_usd == 0.0
    price = float(cat.ec2_prices.query("instance_type == @itype and region == 'us-east-1'")[
        "ondemand_usd_per_hour"].iloc[0])
    assert r.bundle.total_monthly_usd == pytest.approx(price * 730, abs=0.05)
    # The host is priced as the instance; the storage option itself shows the change of host,
    # $0.00 here since i4g.2xlarge is the compute's rank 1 (the compute filter admits only
    # types that carry 200,000 EBS IOPS or hold the 1,500 GiB on their own SSD).
    assert r.bundle.breakdown["compute"] == pytest.approx(price * 730, abs=0.01)
    assert store.config["instance_monthly_cost_usd"] == pytest.approx(price * 730, abs=0.01)
    assert r.recommendations.compute[0].option == itype and store.monthly_cost_usd == 0.0


def test_gp3_array_outranks_a_dearer_single_io2(cat):
    # 4,000 GiB at 150,000 IOPS and 3,000 MiB/s: one gp3 tops out at 80,000 IOPS and 2,000
    # MiB/s, so 2 x gp3 of 2,000 GiB, 75,000 IOPS, 1,500 MiB/s each:
    # 2 x (2,000 x 0.08 + 72,000 x 0.005 + 1,375 x 0.04) = 2 x 575 = $1,150.00.
    # One io2: 4,000 x 0.125 + 32,000 x 0.065 + 32,000 x 0.0455 + 86,000 x 0.03185 =
    # 500 + 2,080 + 1,456 + 2,739.10 = $6,775.10, about six times the array.
    r, _ = _bundle({"region": "us-east-1", "storage": {
        "size_gib": 4000, "iops": 150000, "throughput_mibps": 3000, "access_pattern": "random",
        "sharing": "single_instance"}}, cat)
    top = r.recommendations.storage[0]
    assert (top.option, top.count, top.config.get("raid")) == ("gp3", 2, "raid0")
    assert top.monthly_cost_usd == pytest.approx(1150.0, abs=0.01)
    io2 = next(o for o in r.recommendations.storage if o.option == "io2" and o.count == 1)
    assert io2.monthly_cost_usd == pytest.approx(6775.10, abs=0.01)


def test_fargate_cannot_host_a_raid_array(cat):
    # Same array beside an 8 vCPU / 32 GiB need: Fargate may rank first among compute, but
    # the bundle's compute must be an EC2 instance to stripe 2 volumes.
    r, parts = _bundle({"region": "us-east-1",
                        "compute": {"vcpus": 8, "memory_gib": 32, "hours_per_month": 730},
                        "storage": {"size_gib": 4000, "iops": 150000, "throughput_mibps": 3000,
                                    "access_pattern": "random",
                                    "sharing": "single_instance"}}, cat)
    assert r.recommendations.storage[0].count == 2
    assert parts["compute"].kind == "ec2"


def test_instance_store_from_the_compute_stage_carries_the_unchecked_iops_risk(cat):
    # AWS's SSD instance store table gives IOPS per type; the catalog has none, so a
    # 200,000 IOPS need is unchecked on either path (compute-stage instance or storage-only
    # search): risk 1 with the caution, never a silent 0.
    r, _ = _bundle({"region": "us-east-1", "compute": {"vcpus": 8, "memory_gib": 64},
                    "storage": {"size_gib": 1500, "iops": 200000, "persistence": "scratch",
                                "access_pattern": "random"}}, cat)
    store = r.recommendations.storage[0]
    assert store.kind == "instance_store" and store.performance_risk >= 1.0
    assert any(x.rule == "storage.instance_store_iops" and x.severity == "caution"
               for x in store.reasons)


def test_instance_store_fleet_counts_every_node_once(cat):
    # 64 vCPU / 256 GiB scaling out over up to 8 nodes with 1,000 GiB of scratch each: the
    # compute stage's instance with local NVMe runs as a fleet; its cost covers every node,
    # so the bundle's compute is that fleet (same count) and the storage adds nothing.
    r, parts = _bundle({"region": "us-east-1",
                        "compute": {"vcpus": 64, "memory_gib": 256, "scale_out": "horizontal",
                                    "max_nodes": 8, "hours_per_month": 730},
                        "storage": {"size_gib": 1000, "iops": 100000, "persistence": "scratch",
                                    "access_pattern": "random"}}, cat)
    store = r.recommendations.storage[0]
    assert store.kind == "instance_store"
    itype, nodes = store.config["instance_type"], store.count
    price = float(cat.ec2_prices.query("instance_type == @itype and region == 'us-east-1'")[
        "ondemand_usd_per_hour"].iloc[0])
    vcpus = int(cat.ec2.query("instance_type == @itype")["vcpus"].iloc[0])
    assert nodes * vcpus >= 64  # the fleet covers the vCPU need
    assert parts["compute"].option == itype and parts["compute"].count == nodes
    assert parts["compute"].monthly_cost_usd == pytest.approx(nodes * price * 730, abs=0.05)
    assert parts["storage"].monthly_cost_usd == 0.0
