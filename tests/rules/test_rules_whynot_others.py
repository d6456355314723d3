""""Why not X" for the options of storage and database, not only compute (issue 9).

Expected answers come from the AWS rules the options follow: io2 Block Express is the only
sub-millisecond EBS class (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html),
so at 0.5 ms gp3 is rejected by the latency class; st1's baseline is 40 MiB/s per TiB and sc1's
12 MiB/s per TiB (https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html), so 250 MiB/s
needs 250 / 12 = 20.8 TiB of sc1, above its 16 TiB maximum, while st1 at 6,400 GiB x $0.045 =
$288.00 is shown behind gp3 (2,048 x $0.08 + 125 x $0.04 = $168.84).
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend

ST1 = {"size_gib": 2048, "throughput_mibps": 250, "iops": 200, "access_pattern": "sequential",
       "sharing": "single_instance", "persistence": "persistent", "access_frequency": "warm"}


def _why(cat, storage, *names):
    r = recommend({"region": "us-east-1", "storage": storage}, catalog=cat, models=False,
                  explain=list(names))
    return {w.option: w for w in r.why_not}


def test_shown_storage_option_gets_its_rank_reason(cat):
    w = _why(cat, ST1, "st1")["st1"]
    assert (w.category, w.verdict, w.rank) == ("storage", "shown", 2)
    assert w.monthly_cost_usd == pytest.approx(288.0, abs=0.01)
    assert "gp3" in w.text


def test_rejected_volume_type_names_its_rule(cat):
    w = _why(cat, ST1, "sc1")["sc1"]
    assert (w.category, w.verdict, w.rule) == ("storage", "rejected", "ebs.size_above_volume_max")
    w = _why(cat, {"size_gib": 500, "iops": 6000, "latency_ms": 0.5}, "gp3")["gp3"]
    assert (w.verdict, w.rule) == ("rejected", "ebs.latency_class_too_slow")


def test_compute_names_still_answered_by_compute(cat):
    # No compute section: an EC2 type is unknown to this profile, as before.
    w = _why(cat, ST1, "m5.large")["m5.large"]
    assert (w.category, w.verdict) == ("compute", "unknown")
