"""EC2 generation from AWS's price feeds (issue 9, EC2 audit 11's handover).

AWS's on-demand price feeds split current and previous generation types into separate files
(``<region>-ondemand`` and ``<region>-previousgen-ondemand``; the split of
https://aws.amazon.com/ec2/previous-generation/).  The stored DescribeInstanceTypes records
(moto 5.2.5) flag m5, m6i, c5, r5, r6i, r7g, g5, c6gn and others as previous generation,
so the engine left them out whenever anything else fit and told users that m6i.xlarge
"is a previous-generation type".
"""

from __future__ import annotations

import pandas as pd

from catalog.sources.ec2 import feed_generation
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_snapshot


def test_the_feeds_verdict_wins_where_they_list_the_type() -> None:
    ec2 = pd.DataFrame({"instance_type": ["m5.large", "m3.medium", "x9.large"],
                        "current_generation": [False, True, False]})
    feeds = pd.DataFrame({"instance_type": ["m5.large", "m3.medium"],
                          "current_generation": [True, False]})
    out = feed_generation(ec2, feeds)
    # m5.large: in a current feed -> current; m3.medium: only in a previousgen feed ->
    # previous; x9.large: not listed -> its record's flag stays.
    assert out["current_generation"].tolist() == [True, False, False]
    assert out["current_generation"].dtype == bool
    assert ec2["current_generation"].tolist() == [False, True, False]  # input untouched


def test_the_snapshot_marks_current_families_current() -> None:
    ec2 = read_snapshot(DEFAULT_SNAPSHOT_DIR).ec2.drop_duplicates("instance_type")
    e = ec2.set_index("instance_type")["current_generation"]
    for t in ("m5.large", "m6i.xlarge", "c5.large", "r5.large", "r7g.large", "g5.xlarge"):
        assert bool(e[t]) is True, t
    for t in ("m3.medium", "r3.large", "c3.large", "t1.micro"):
        assert bool(e[t]) is False, t
