"""gp3's throughput-per-IOPS limit enters the ``ebs`` table from the facts table (issue 9).

facts/ebs_volume_types.csv (hand-written from the EC2 user guide, CC BY-SA 4.0) states it in
the gp3 row's notes: "Throughput:IOPS ratio 0.25 MiB/s per provisioned IOPS"
(https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).  No other row states
a ratio, so the other types stay NaN rather than getting an invented one.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from catalog.sources.ebs import limits_frame, throughput_per_iops
from catalog.store import load_catalog


def test_ratio_is_read_from_the_notes_text():
    assert throughput_per_iops(["x", "Throughput:IOPS ratio 0.25 MiB/s per provisioned IOPS"]) \
        == pytest.approx(0.25)
    assert throughput_per_iops(["16 KiB per provisioned IOPS above 32,000 IOPS"]) is None


@pytest.mark.shared
def test_only_gp3_has_a_ratio_in_the_facts_table(shared_data):
    facts = pd.read_csv(shared_data / "facts/ebs_volume_types.csv", dtype=str)
    lim = limits_frame(facts).set_index("volume_type")["throughput_mibps_per_iops_max"]
    assert lim["gp3"] == pytest.approx(0.25)
    assert all(math.isnan(lim[v]) for v in ("gp2", "io1", "io2", "st1", "sc1"))


def test_the_snapshot_carries_it_for_gp3_in_every_region():
    ebs = load_catalog().ebs
    gp3 = ebs[ebs["volume_type"] == "gp3"]["throughput_mibps_per_iops_max"]
    assert len(gp3) > 10 and (gp3 == 0.25).all()
