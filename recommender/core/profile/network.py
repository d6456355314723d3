"""The network section: where the users are and how data moves (CONTRACT 1)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from recommender.core.predictions import REGION_REGEX
from recommender.core.profile.fields import (
    MAX_QUANTITY,
    MAX_RATE,
    PROFILE_CONFIG,
    REGION_PATTERN,
    SHARE_TOLERANCE,
    Fraction,
    optional,
)

#: ``network.user_regions`` in the JSON Schema: region-code keys, at least one, shares 0-1.
_USER_REGIONS_SCHEMA: dict[str, Any] = {
    "propertyNames": {"pattern": REGION_REGEX}, "minProperties": 1,
}


class NetworkProfile(BaseModel):
    """Where the users are and how data moves."""

    model_config = PROFILE_CONFIG

    user_regions: dict[str, Fraction] | None = Field(
        default=None, json_schema_extra=_USER_REGIONS_SCHEMA,
        examples=[{"us-east-1": 0.6, "eu-west-1": 0.4}], description=(
            "AWS region code -> share of the users there, 0-1; at least one region; the "
            f"shares must sum to 1 (within {SHARE_TOLERANCE}), which the server checks "
            "(JSON Schema cannot express a sum)"))
    egress_gib_per_month: float | None = Field(default=None, ge=0, le=MAX_QUANTITY,
                                               examples=[2000], description=(
                                                   "data sent to the internet, GiB per month"))
    static_content_fraction: Fraction | None = optional(
        "share of the egress that is static content a CDN can cache, 0-1", 0.8)
    inter_node_latency_sensitive: bool | None = optional(
        "true when nodes exchange data constantly (cluster placement group, EFA)", True)
    bandwidth_gbps: float | None = Field(default=None, gt=0, le=MAX_RATE, examples=[25],
                                         description="network bandwidth per node, Gbps")
    on_premises_link: bool | None = optional(
        "true when the workload talks to an on-premises site (VPN / Direct Connect)", False)
    s3_traffic_gib_per_month: float | None = Field(
        default=None, ge=0, le=MAX_QUANTITY, examples=[5000], description=(
            "data between the workload and S3, GiB per month (drives the VPC endpoint "
            "advice)"))

    @field_validator("user_regions")
    @classmethod
    def _shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("must name at least one region")
        bad = [r for r in v if not REGION_PATTERN.fullmatch(r)]
        if bad:
            raise ValueError(f"keys must be AWS region codes (e.g. eu-west-1); not: {bad}")
        total = sum(v.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares must sum to 1 (got {total:.4g})")
        return v
