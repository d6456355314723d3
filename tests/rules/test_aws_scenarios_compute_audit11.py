"""AWS-documented compute scenarios, audit 11 (issue 9).

* REL10-BP01, "Deploy the workload to multiple locations"
  (https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html):
  a workload's resources are spread over several Availability Zones so that no single node
  or zone is a point of failure.  One EC2 instance lives in one AZ.  A production service
  sized on one node is therefore told so (a caution on each EC2 option) and how to ask for a
  fleet (``compute.scale_out: horizontal``, sized at two nodes or more, one per AZ); the
  choice and its price are not changed (the application may not run on two nodes).
"""

from __future__ import annotations

from typing import Any

from recommender.core.engine import recommend


def _ec2(cat: Any, **extra: Any) -> Any:
    prof = {"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16}}
    prof.update(extra.pop("top", {}))
    prof["compute"].update(extra)
    r = recommend(prof, catalog=cat, models=False)
    return [o for o in r.recommendations.compute if o.kind == "ec2"]


def _cautions(o: Any) -> dict[str, str]:
    return {x.rule: x.text for x in o.reasons if x.severity == "caution"}


def test_a_production_service_on_one_node_is_told_it_is_one_az(cat: Any) -> None:
    opts = _ec2(cat, top={"environment": "production"})
    assert opts and all(o.count == 1 for o in opts)
    for o in opts:
        text = _cautions(o)["compute.single_az"]
        assert "one Availability Zone" in text and "scale_out" in text
        assert "rel_fault_isolation_multiaz_region_system.html" in text
    # The cost stays one node's: 4 vCPUs / 16 GiB cheapest in us-east-1 on demand is
    # m6g.xlarge, $0.154/h x 730 h = $112.42 (the price row of the snapshot).
    assert opts[0].option == "m6g.xlarge" and opts[0].monthly_cost_usd == 112.42


def test_a_production_service_on_one_fargate_task_is_told_too(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "environment": "production", "top_n": 10,
                   "compute": {"vcpus": 4, "memory_gib": 16, "memory_used_gib": 4,
                               "cpu_utilization": {"average_pct": 20, "p95_pct": 30,
                                                   "peak_pct": 40}}},
                  catalog=cat, models=False)
    task = next(o for o in r.recommendations.compute if o.kind == "fargate")
    # One ECS task runs in one AZ as one instance does.
    assert task.count == 1 and "compute.single_az" in _cautions(task)


def test_no_single_az_caution_outside_production_or_for_a_fleet(cat: Any) -> None:
    for o in _ec2(cat) + _ec2(cat, top={"environment": "development"}):
        assert "compute.single_az" not in _cautions(o)
    fleet = _ec2(cat, top={"environment": "production"}, scale_out="horizontal")
    # Horizontal work is sized at two nodes at least (one per AZ): 2 x m6g.large,
    # 2 x $0.077/h x 730 h = $112.42, and carries no single-AZ caution.
    assert fleet[0].count == 2 and fleet[0].option == "m6g.large"
    assert fleet[0].monthly_cost_usd == 112.42
    assert all("compute.single_az" not in _cautions(o) for o in fleet)


def test_a_production_batch_job_is_not_a_service(cat: Any) -> None:
    # A job (compute.job) on one node runs and ends: no service to keep up in another AZ.
    job = {"framework": "spark", "application": "etl", "input_gib": 20, "runs_per_month": 30}
    for o in _ec2(cat, top={"environment": "production"}, hours_per_month=60, job=job):
        assert "compute.single_az" not in _cautions(o)
    # The same node count without the job section is a service, and is told.
    opts = _ec2(cat, top={"environment": "production"}, hours_per_month=60)
    assert opts and all("compute.single_az" in _cautions(o) for o in opts)


# EBS I/O characteristics (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html):
# "Amazon EBS counts each I/O operation per second (that is 256 KiB or smaller) as one IOPS",
# and an instance's EBS limits are IOPS as well as MB/s, its baseline what it sustains
# (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html).  500 MiB/s of 4 KiB
# I/O is 500 x 1,024 / 4 = 128,000 IOPS at the instance, with no storage.iops given.
_IO_BOUND = {"size_gib": 500, "throughput_mibps": 500, "io_size_kib": 4}


def _baseline_iops(cat: Any) -> dict[str, float]:
    e = cat.ec2.drop_duplicates("instance_type")
    return dict(zip(e["instance_type"], e["ebs_baseline_iops"], strict=True))


def test_the_compute_filter_counts_the_storage_throughput_as_io_operations(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
                   "storage": _IO_BOUND}, catalog=cat, models=False)
    base = _baseline_iops(cat)
    ec2 = [o for o in r.recommendations.compute if o.kind == "ec2"]
    # m8gb.xlarge (4 vCPUs, 16 GiB) sustains 30,000 EBS IOPS, under 128,000: not offered;
    # every EC2 option shown sustains at least 128,000 (c8gb.8xlarge: 240,000).
    assert ec2 and all(base[o.option] >= 128_000 for o in ec2)
    assert "m8gb.xlarge" not in {o.option for o in ec2}
    text = next(x.text for x in ec2[0].reasons if x.rule == "compute.ebs_limits")
    assert "128,000 IOPS" in text and "ebs-optimized.html" in text
    # A Fargate task's EBS baseline is far below it: Fargate is left out, not ranked first.
    assert all(o.kind != "fargate" for o in r.recommendations.compute)
    assert r.rejected.get("fargate.ebs_above_task_baseline")


def test_without_an_io_size_only_the_given_iops_bind(cat: Any) -> None:
    r = recommend({"region": "us-east-1", "compute": {"vcpus": 4, "memory_gib": 16},
                   "storage": {"size_gib": 500, "throughput_mibps": 500}},
                  catalog=cat, models=False)
    # No I/O size: the I/O count of the throughput is unknown; 500 MiB/s = 524 MB/s is within
    # m8gb.xlarge's 781.25 MB/s baseline, so the 4 vCPU / 16 GiB types stay.
    ec2 = [o for o in r.recommendations.compute if o.kind == "ec2"]
    assert ec2 and ec2[0].config["vcpus"] == 4
    # Types whose baseline is under 524 MB/s are left out, and each option then says why it
    # holds the load.
    assert r.rejected.get("ec2.ebs_limits_below_storage_need")
    assert all(any(x.rule == "compute.ebs_limits" for x in o.reasons) for o in ec2)


# Scratch data (storage.persistence scratch) lives on EBS or on the instance store ("ideal for
# temporary storage ... scratch data", https://docs.aws.amazon.com/ec2/latest/instancetypes/
# so-instance-store-volumes.html).  On EBS, the instance's EBS limits bind like any storage
# load (a hard constraint; https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html).
_SCRATCH = {"region": "us-east-1", "objective": "cost", "compute": {"vcpus": 8, "memory_gib": 32},
            "storage": {"size_gib": 800, "iops": 40000, "persistence": "scratch"}}


def _hourly(cat: Any, itype: str) -> float:
    rows = cat.ec2_prices.query("instance_type == @itype and region == 'us-east-1'")
    return float(rows["ondemand_usd_per_hour"].iloc[0])


def test_scratch_on_ebs_is_held_to_the_instance_ebs_limits(cat: Any) -> None:
    r = recommend(_SCRATCH, catalog=cat, models=False)
    e = cat.ec2.drop_duplicates("instance_type").set_index("instance_type")
    ec2 = [o for o in r.recommendations.compute if o.kind == "ec2"]
    # Before: m6g.2xlarge (8 vCPUs, 32 GiB, 20,000 baseline EBS IOPS, no instance store) was
    # rank 1 and the bundle ran gp3 at 40,000 IOPS on it, which it cannot carry:
    # $0.308 x 730 = $224.84 + gp3 $249.00 = $473.84.  Now every EC2 option either sustains
    # 40,000 EBS IOPS or holds the 800 GiB on its own SSD.
    assert "m6g.2xlarge" not in {o.option for o in ec2}
    for o in ec2:
        row = e.loc[o.option]
        store = float(row["instance_storage_gib"]) if row["instance_storage_type"] == "ssd" \
            else 0.0
        assert float(row["ebs_baseline_iops"]) >= 40_000 or store >= 800


def test_the_instance_store_is_priced_as_the_change_of_host(cat: Any) -> None:
    r = recommend(_SCRATCH, catalog=cat, models=False)
    first = r.recommendations.compute[0]
    store = next(o for o in r.recommendations.storage if o.kind == "instance_store")
    host = store.config["instance_type"]
    host_month = round(_hourly(cat, host) * 730, 2)       # c6gd.4xlarge: 0.6144 x 730 = 448.51
    first_month = round(_hourly(cat, first.option) * 730, 2)  # m8gb.2xlarge: 424.86
    assert store.config["instance_monthly_cost_usd"] == host_month
    assert store.monthly_cost_usd == round(host_month - first_month, 2)  # 23.65
    # Under cost the store (the change of host) ranks before gp3 ($249.00 at 800 GiB and
    # 40,000 IOPS: 800 x 0.08 + 37,000 x 0.005 = $249.00), and the bundle runs the store's
    # instance alone: $448.51, against $424.86 + $249.00 = $673.86 on EBS.
    assert r.recommendations.storage[0].kind == "instance_store"
    assert r.bundle.total_monthly_usd == host_month
    assert [c.option for c in r.bundle.components][:1] == [host]
