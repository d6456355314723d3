"""A storage load that peaks briefly (issue 9): ``storage.peak_minutes_per_day``.

EBS-optimized instances (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html):
"Some instance types can support maximum performance for 30 minutes at least once every 24
hours ... After the maximum performance duration, they revert to baseline performance."  So a
load whose peaks last at most 30 minutes a day may be carried at the maximum (risk 2, the
burst reason); absent or longer, it is sustained and must fit the baseline.  The compute
filter and the storage option's cross-check read one rule (``candidates.ebs_limits`` with
``risk.ebs_load_sustained``).

Hand example, read from catalog/snapshot/ec2.parquet (ebs_baseline_iops, ebs_max_iops):

    m5.large    baseline 3,600 IOPS, maximum 18,750 IOPS (previous generation)
    m6g.large   baseline 3,600 IOPS, maximum 20,000 IOPS, on-demand $0.077/h in us-east-1

6,000 IOPS lies between baseline and maximum of both.  Sustained: m5.large is rejected by
``ec2.ebs_limits_below_storage_need``.  With ``peak_minutes_per_day`` 20 it passes that filter
(it is then dropped only as previous generation), and m6g.large ranks #1 at risk 2:
0.077 x 730 = $56.21; gp3 200 GiB at 6,000 IOPS: 200 x 0.08 + 3,000 x 0.005 = $31.00.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recommender.core.engine import recommend
from recommender.core.errors import ProfileError
from recommender.core.profile import parse_profile
from recommender.rules.base import Candidate
from recommender.rules.compute.candidates import (
    EBS_OPTIMIZED_URL,
    FilterContext,
    ebs_load_sustained,
    ec2_index,
    filter_ebs,
)
from recommender.rules.storage.block import cross_check_instance
from recommender.rules.storage.need import StorageNeed, storage_need

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
M5_LARGE: dict[str, Any] = {"instance_type": "m5.large", "base_iops": 3600.0, "max_iops": 18750.0,
              "base_mbps": 81.25, "max_mbps": 593.75}


def _need(storage: dict[str, Any]) -> StorageNeed:
    n = storage_need(parse_profile({"storage": storage}))
    assert n is not None
    return n


def _profile(**storage: Any) -> dict[str, Any]:
    return {"region": "us-east-1", "compute": {"vcpus": 2, "memory_gib": 8},
            "storage": {"size_gib": 200, "iops": 6000, **storage}}


@pytest.mark.parametrize(("value", "words"), [
    (0, "greater than 0"), (-5, "greater than 0"), (1441, "at most 1440"),
    (math.inf, "finite"), (math.nan, "finite"), ("20", "a number"), (True, "a number"),
])
def test_bad_values_name_the_field_and_the_rule(value, words):
    with pytest.raises(ProfileError) as e:
        parse_profile(_profile(peak_minutes_per_day=value))
    assert "storage.peak_minutes_per_day" in str(e.value) and words in str(e.value)


def _peak(profile: dict[str, Any]) -> float | None:
    s = parse_profile(profile).storage
    assert s is not None
    return s.peak_minutes_per_day


def test_the_field_defaults_to_null_sustained():
    assert _peak(_profile()) is None
    assert _peak(_profile(peak_minutes_per_day=1440)) == 1440


@pytest.mark.parametrize(("peak", "sustained"), [
    (None, True), (0.5, False), (20, False), (30, False), (30.01, True), (1440, True)])
def test_30_minutes_a_day_is_the_bound(peak, sustained):
    assert ebs_load_sustained(peak) is sustained


def test_sustained_6000_iops_rejects_m5_large(cat):
    r = recommend(_profile(), catalog=cat, models=False, explain=["m5.large"])
    w = r.why_not[0]
    assert w.verdict == "rejected" and w.rule == "ec2.ebs_limits_below_storage_need"
    assert "sustains 3600 EBS IOPS" in w.text and "30 minutes" in w.text


def test_peaks_of_20_minutes_let_m5_large_pass_the_ebs_limit(cat):
    r = recommend(_profile(peak_minutes_per_day=20), catalog=cat, models=False,
                  explain=["m5.large"])
    w = r.why_not[0]
    # Past the EBS filter: m5.large is ranked (rank 7 at risk 2, the burst maximum carrying
    # the 20-minute peaks).  Before, the catalog flagged M5 as previous generation and that
    # stage dropped it; AWS's price feeds list M5 as current generation.
    assert w.verdict == "ranked" and w.rule == "rank.objective"


def test_ebs_peak20_ranks_m6g_large_first_at_risk_2(cat):
    p = json.loads((EXAMPLES / "ebs_peak20.json").read_text())
    r = recommend(p, catalog=cat, models=False)
    top = r.recommendations.compute[0]
    assert top.option == "m6g.large"
    assert top.monthly_cost_usd == pytest.approx(56.21, abs=0.01)  # 0.077 x 730
    assert top.performance_risk == 2
    burst = next(x for x in top.reasons if x.rule == "risk.ebs_burst")
    assert "30 minutes at least once every 24 hours" in burst.text
    assert "3600 IOPS" in burst.text and EBS_OPTIMIZED_URL in burst.text
    # The storage option's cross-check against m6g.large agrees: risk 2, the same reason.
    gp3 = next(o for o in r.recommendations.storage if o.option == "gp3")
    assert gp3.monthly_cost_usd == pytest.approx(31.0, abs=0.01)
    assert gp3.performance_risk == 2
    assert any(x.rule == "storage.instance_limit" and "30 minutes" in x.text
               for x in gp3.reasons)


def test_without_the_field_the_same_profile_keeps_todays_choice(cat):
    p = json.loads((EXAMPLES / "ebs_peak20.json").read_text())
    del p["storage"]["peak_minutes_per_day"]
    top = recommend(p, catalog=cat, models=False).recommendations.compute[0]
    # Sustained: a type whose baseline carries 6,000 IOPS (c6g.xlarge, risk 0).
    assert top.option != "m6g.large" and top.performance_risk == 0


def _cand() -> Candidate:
    return Candidate("gp3", "ebs", 31.0, [])


@pytest.mark.parametrize(("iops", "peak", "risk"), [
    (6000, None, 4.0),    # above the 3,600 baseline, sustained: what the filter rejects
    (6000, 45, 4.0),      # peaks longer than 30 minutes: sustained
    (6000, 20, 2.0),      # within the 18,750 maximum, short peaks: the burst
    (20000, 20, 4.0),     # above the maximum even in a burst
    (3000, None, 0.0),    # within the baseline
])
def test_the_storage_cross_check_follows_the_same_rule(iops, peak, risk):
    st: dict[str, Any] = {"size_gib": 200, "iops": iops}
    if peak is not None:
        st["peak_minutes_per_day"] = peak
    n = _need(st)
    c = _cand()
    assert cross_check_instance(c, n, M5_LARGE, "m5.large") == risk
    assert all("m5.large" in x.text for x in c.reasons)


@pytest.mark.parametrize("peak", [None, 20])
@pytest.mark.parametrize(("iops", "mibps"), [(6000, None), (None, 300), (12000, 400)])
def test_compute_filter_and_storage_option_never_disagree(cat, peak, iops, mibps):
    """Every type the compute filter rejects is risk 4 on the storage side, and back."""
    ix = ec2_index(cat)
    sustained = ebs_load_sustained(peak)
    ctx = FilterContext(
        region="us-east-1", vcpus_need=None, vcpus_max=None, memory_need=None,
        memory_max=None, gpus_min=None, gpus_max=None, arch=("x86_64", "arm64"),
        count=np.ones(ix.n), max_nodes=None, parallelism=None, horizontal=False,
        tightly_coupled=False, bandwidth_gbps=None, ebs_iops=iops, ebs_mibps=mibps,
        price=np.ones(ix.n), ebs_sustained=sustained)
    mask = filter_ebs(ix, ctx).mask
    st: dict[str, Any] = {"size_gib": 500}
    st |= {"iops": iops} if iops else {}
    st |= {"throughput_mibps": mibps} if mibps else {}
    st |= {"peak_minutes_per_day": peak} if peak else {}
    n = _need(st)
    known = np.flatnonzero(~np.isnan(ix.ebs_base_iops) & ~np.isnan(ix.ebs_base_mbps))
    for i in known[:: max(1, len(known) // 150)]:
        lim = {"base_iops": float(ix.ebs_base_iops[i]), "max_iops": float(ix.ebs_max_iops[i]),
               "base_mbps": float(ix.ebs_base_mbps[i]), "max_mbps": float(ix.ebs_max_mbps[i])}
        risk = cross_check_instance(_cand(), n, lim, str(ix.types[i]))
        assert (risk == 4.0) == (not mask[i]), str(ix.types[i])
