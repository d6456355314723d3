"""EFS One Zone automatic backups are named as an unpriced cost.

https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html: "When you use the CLI or API to
create a file system, automatic backups are enabled by default only for One Zone file
systems" (the default plan: daily backups kept 35 days).  AWS Backup bills that storage and
the catalog has no AWS Backup price, so a One Zone option names it in ``unpriced``; a
Regional file system (backups off by default through the API) does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.core.engine import recommend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aws_scenarios"
ITEM = "AWS Backup of the EFS One Zone file system (automatic backups)"


def _top(cat, **extra):
    p = json.loads((EXAMPLES / "efs_dev.json").read_text()) | extra
    return recommend(p, catalog=cat, models=False).recommendations.storage[0]


def test_one_zone_names_its_default_backups_unpriced(cat):
    # efs_dev: 1,000 GiB of hot development files on One Zone, 1,000 x $0.16 = $160.00; the
    # backups are not in that figure.
    top = _top(cat)
    assert top.config["file_system_type"] == "one_zone"
    assert top.monthly_cost_usd == pytest.approx(160.00, abs=0.01)
    backup = next(u for u in top.unpriced if u.item == ITEM)
    assert "awsbackup.html" in backup.reason and "35 days" in backup.reason
    assert backup.estimate_monthly_usd is None


def test_regional_file_system_names_no_backup(cat):
    # Production keeps the Regional file system, whose API default is no automatic backups.
    top = _top(cat, environment="production")
    assert "file_system_type" not in top.config
    assert ITEM not in {u.item for u in top.unpriced}
