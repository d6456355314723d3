"""The workload profile: what an architect knows about a workload (CONTRACT section 1).

Every section and field is optional and an absent field means *unknown / no constraint*,
never zero, so every field defaults to ``None``.  Ranges accept a number (a minimum) or
``{"min": .., "max": ..}`` and are always stored as :class:`Range`.

The models are strict (a string where a number belongs is refused, not coerced), frozen
(a profile is a value) and forbid unknown keys (a typo is refused rather than silently
ignored).  :func:`parse_profile` turns pydantic's errors into a :class:`ProfileError` whose
message names each field and the rule it breaks; :func:`profile_errors` gives the same as
data (``[{"field": "compute.vcpus.min", "rule": "..."}]``) for the API and the app.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from recommender.core.errors import ProfileError
from recommender.core.profile.compute import (
    MAX_JOB_MEASUREMENTS,
    ComputeProfile,
    CpuUtilization,
    JobMeasurement,
    JobProfile,
)
from recommender.core.profile.data import DatabaseProfile, StorageProfile
from recommender.core.profile.fields import (
    MAX_QUANTITY,
    MAX_RATE,
    MAX_SERIES,
    PROFILE_CONFIG,
    REGION_OR_AUTO_REGEX,
    REGION_PATTERN,
    SCHEMA_VERSION,
    SHARE_TOLERANCE,
    Range,
    optional,
)
from recommender.core.profile.network import NetworkProfile

__all__ = [
    "MAX_JOB_MEASUREMENTS", "MAX_QUANTITY", "MAX_RATE", "MAX_SERIES", "REGION_PATTERN",
    "SCHEMA_VERSION", "SHARE_TOLERANCE", "ComputeProfile", "CpuUtilization", "DatabaseProfile",
    "JobMeasurement", "JobProfile", "NetworkProfile", "PurchaseOption", "Range",
    "StorageProfile", "WorkloadProfile", "field_errors", "make_profile_error",
    "parse_profile", "profile_errors",
]


PurchaseOption = Literal["on_demand", "spot", "savings_plan", "reserved"]


class WorkloadProfile(BaseModel):
    """A workload profile, schema version "1" (CONTRACT section 1).

    Every field is optional: an absent field means unknown / no constraint, never zero.
    """

    model_config = PROFILE_CONFIG

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description=(
        "version of this profile schema; always \"1\""))
    name: str | None = Field(default=None, max_length=200, examples=["checkout service"],
                             description="a label for the workload, echoed in the response")
    region: str | None = Field(default=None, max_length=40, pattern=REGION_OR_AUTO_REGEX,
                               examples=["us-east-1", "auto"], description=(
                                   "AWS region code the options are priced in, or `auto` "
                                   "(also when absent) to let the recommender choose on price "
                                   "and the users' latency. A code the catalog has no prices "
                                   "for is refused (checked by the server)"))
    objective: Literal["cost", "performance", "balanced"] | None = optional(
        "what to rank by among the options that meet every constraint; absent: balanced",
        "cost")
    purchase_options: list[PurchaseOption] | None = Field(
        default=None, min_length=1, json_schema_extra={"uniqueItems": True},
        examples=[["on_demand", "spot"]], description=(
            "purchase options to consider, each at most once; absent: on_demand (and spot "
            "when compute.interruption_tolerant)"))
    top_n: int | None = Field(default=None, ge=1, le=50, examples=[5], description=(
        "options per category; absent: 3"))
    max_monthly_usd: float | None = Field(default=None, gt=0, le=MAX_QUANTITY, examples=[500],
                                          description=(
                                              "monthly budget, USD; `performance` ranks within "
                                              "it and options over it are rejected"))
    purchase_term_years: Literal[1, 3] | None = optional(
        "Reserved Instance / Savings Plans term, years; absent: 1", 1)
    purchase_payment: Literal["no_upfront", "partial_upfront", "all_upfront"] | None = optional(
        "Reserved Instance / Savings Plans payment option; absent: no_upfront", "no_upfront")
    explain: list[str] | None = Field(default=None, max_length=20, examples=[["t3.medium"]],
                                      description=(
                                          "option ids to explain (\"why not t3.medium?\"), "
                                          "answered in the response's `why_not`"))
    environment: Literal["production", "staging", "development", "test"] | None = optional(
        "`production` asks for AWS's availability best practices (Multi-AZ databases, "
        "OpenSearch across three AZs)", "production")
    compute: ComputeProfile | None = optional("compute needs (EC2, Fargate, Lambda, batch jobs)")
    storage: StorageProfile | None = optional("block, file or object storage needs")
    database: DatabaseProfile | None = optional("data store needs")
    network: NetworkProfile | None = optional("where the users are and how data moves")

    @field_validator("purchase_options")
    @classmethod
    def _unique_options(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("must not repeat an option")
        return v

    def to_json_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready data, without absent fields."""
        return self.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------------------- errors


def profile_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Readable ``[{"field": "compute.vcpus.min", "rule": "..."}]`` from a ValidationError."""
    return field_errors(exc.errors(include_url=False))


def field_errors(
    errors: Iterable[Mapping[str, Any]], root: str = "(profile)", schema: str = "profile schema"
) -> list[dict[str, str]]:
    """Readable ``{"field", "rule"}`` pairs from pydantic error dicts (also the API's 422s).

    Parameters
    ----------
    errors : iterable of dict
        Pydantic's ``ValidationError.errors()`` (or FastAPI's request validation errors).
    root : str
        The field name of an error on the whole document.
    schema : str
        What an unknown field is "not in".

    Returns
    -------
    list of dict
    """
    from recommender.core.messages import sentences

    return sentences(errors, root=root, schema=schema)


def _error_text(errors: list[dict[str, str]]) -> str:
    lines = [f"{e['field']}: {e['rule']}" for e in errors]
    return "invalid workload profile:\n  " + "\n  ".join(lines)


def make_profile_error(errors: list[dict[str, str]]) -> ProfileError:
    """A :class:`ProfileError` whose text lists each field and rule; ``.errors`` holds them."""
    err = ProfileError(_error_text(errors))
    err.errors = errors  # type: ignore[attr-defined]
    return err


def parse_profile(data: Any) -> WorkloadProfile:
    """Validate a profile given as a dict, JSON text/bytes or a :class:`WorkloadProfile`.

    Raises
    ------
    ProfileError
        Naming each field and the rule it breaks (``.errors`` has them as data).
    """
    if isinstance(data, WorkloadProfile):
        return data
    try:
        if isinstance(data, str | bytes | bytearray):
            return WorkloadProfile.model_validate_json(data)
        if not isinstance(data, dict):
            raise make_profile_error(
                [{"field": "(profile)", "rule": "must be a JSON object (a mapping of sections)"}]
            )
        return WorkloadProfile.model_validate(data)
    except ValidationError as exc:
        raise make_profile_error(profile_errors(exc)) from None
    except json.JSONDecodeError as exc:  # pragma: no cover - pydantic reports JSON itself
        raise make_profile_error([{"field": "(profile)", "rule": f"not JSON: {exc}"}]) from None
