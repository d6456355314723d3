"""What an option of a previous-generation type says (PERF02-BP01).

AWS keeps previous-generation types for existing workloads: "We encourage you to use the
latest generation of instances to get the best performance" (Previous Generation Instances,
PREVIOUS_GENERATION_URL).  ``select.generation_stage`` admits one only when no
current-generation type fits, and its option says so.
"""

from __future__ import annotations

from recommender.rules.base import PERF02_SELECT, reason

PREVIOUS_GENERATION_URL = "https://aws.amazon.com/ec2/previous-generation/"

PREVIOUS_GENERATION = reason(
    "compute.generation", PERF02_SELECT,
    "Previous generation: admitted only because no current-generation type meets the need; "
    "AWS encourages the latest generation for the best performance and lists upgrade paths "
    f"({PREVIOUS_GENERATION_URL}). Its capacity is counted at its perf_index.", "caution")
