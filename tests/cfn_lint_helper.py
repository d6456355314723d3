"""Export-test helpers: cfn-lint imported on first use, and python-hcl2's quotes dropped.

Importing cfn-lint pulls jsonschema's format checkers, and ``rfc3987_syntax`` builds its
grammar at import: 5-11 s on a 2-core machine. At module level in a test file that cost is paid
at collection by every xdist worker, even in a run that selects no export test; here it is paid
once, by the process that lints a template.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: cfn-lint (1.51-1.58) still caps gp3 at 16,000 IOPS in E3671; AWS raised it to 80,000 (the
#: EC2 API's CreateVolume: gp3 3,000-80,000 IOPS, botocore 1.44.8, the catalog's ebs table).
_GP3_OLD_MAX = re.compile(r"^(\d+) is greater than the maximum of 16000$")
GP3_MAX_IOPS = 80_000


def _stale_gp3_cap(m: Any) -> bool:
    """A match that only repeats cfn-lint's pre-2025 gp3 IOPS maximum (16,000)."""
    hit = _GP3_OLD_MAX.match(str(m.message)) if m.rule.id == "E3671" else None
    return hit is not None and int(hit.group(1)) <= GP3_MAX_IOPS


def cfn_lint(text: str, regions: tuple[str, ...] = ("us-east-1",)) -> list[Any]:
    """Every cfn-lint match (errors, warnings, informational) for the template ``text``,
    but for the stale gp3 IOPS maximum (:data:`GP3_MAX_IOPS`)."""
    from cfnlint.api import ManualArgs, lint

    return [m for m in lint(text, config=ManualArgs(regions=list(regions)))
            if not _stale_gp3_cap(m)]


def linted_template(text: str) -> dict[str, Any]:
    """The CloudFormation template ``text`` parsed, after asserting cfn-lint finds nothing."""
    errors = [f"{m.rule.id} {m.message}" for m in cfn_lint(text)]
    assert not errors, "\n".join(errors)
    return dict(json.loads(text))


def unquote(v: Any) -> Any:
    """python-hcl2 keeps the quotes of labels and strings; drop them for comparisons."""
    if isinstance(v, str) and len(v) >= 2 and v[0] == v[-1] == '"':
        return v[1:-1]
    if isinstance(v, list):
        return [unquote(x) for x in v]
    if isinstance(v, dict):
        return {unquote(k): unquote(x) for k, x in v.items() if k != "__is_block__"}
    return v
