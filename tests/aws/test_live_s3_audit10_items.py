"""The live refresh maps the S3 items audit 10 added to the local build (retrievals, Deep
Archive GET and restore requests, the Intelligent-Tiering monitoring fee) by the usage types
of the S3 usage-report page
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/aws-usage-report-understand.html:
"region-Retrieval-SIA: The number of bytes of data retrieved from STANDARD_IA storage",
"region-Requests-GDA-Tier3: The number of S3 Glacier Deep Archive standard restore
requests", "region-Monitoring-Automation-INT: The number of unique objects monitored and
auto-tiered").  Before, a live build had no rule for them: the options fell back to "not in
the catalog" wording wherever the live rows replaced the local ones.
"""

from __future__ import annotations

import pytest

from catalog.sources.live_rules import SERVICES


def _item(usage: str) -> str | None:
    spec = SERVICES["s3"]
    rule = next((r for r in spec.rules if r.matches(usage, {})), None)
    return None if rule is None else rule.item


@pytest.mark.parametrize(("usage", "item"), [
    ("USE1-Retrieval-SIA", "s3.standard_ia.retrieval_gb"),
    ("Retrieval-SIA", "s3.standard_ia.retrieval_gb"),  # us-east-1 may carry no prefix
    ("EU-Retrieval-ZIA", "s3.one_zone_ia.retrieval_gb"),
    ("USW2-Requests-GDA-Tier2", "s3.glacier_deep_archive.get_request"),
    ("APN1-Requests-GDA-Tier3", "s3.glacier_deep_archive.restore_request"),
    ("USE2-Monitoring-Automation-INT", "s3.intelligent_tiering.monitoring_object_month"),
])
def test_audit10_items_have_live_rules(usage: str, item: str) -> None:
    assert _item(usage) == item


@pytest.mark.parametrize("usage", [
    "USE1-Requests-Tier3",  # lifecycle requests to Glacier AND its standard restores
    "USE1-Standard-Retrieval-Bytes",  # Glacier Flexible and Deep Archive alike
])
def test_shared_usage_types_are_not_mapped_to_one_class(usage: str) -> None:
    assert _item(usage) is None
