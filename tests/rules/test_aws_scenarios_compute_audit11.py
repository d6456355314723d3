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
