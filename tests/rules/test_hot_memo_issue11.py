"""Per-book memos and deferred texts of the issue-11 hot path, against hand-written answers.

Each memo is checked against the answer written out from the rows it is given (never the
memo's own output) and for its scope: one price book per catalog, so a new catalog's book
answers from its own rows.
"""

from __future__ import annotations

import pandas as pd

from recommender import recommend
from recommender.rules.prices import PriceBook

COLS = ["service", "item", "region", "unit", "price_usd", "tier_start", "tier_end",
        "to_region", "price_as_of", "price_source", "verify", "notes"]


def _book(items: list[tuple[str, str]]) -> PriceBook:
    rows = [["fsx", item, region, "USD per GB-month", 0.1, 0.0, None, None, "2025-01-01",
             "test", False, None] for item, region in items]
    facts = pd.DataFrame(columns=["topic", "key", "value", "unit", "scope", "source_url",
                                  "verify", "notes"])
    return PriceBook(pd.DataFrame(rows, columns=COLS), facts)


def test_book_items_are_the_rows_of_the_prefix_and_region_each_time() -> None:
    book = _book([("fsx.lustre.scratch_2.storage_gb_month", "us-east-1"),
                  ("fsx.lustre.persistent_1.storage_gb_month", "us-east-1"),
                  ("fsx.lustre.scratch_2.storage_gb_month", "eu-west-1"),
                  ("fsx.windows.ssd.storage_gb_month", "us-east-1")])
    want = ["fsx.lustre.persistent_1.storage_gb_month", "fsx.lustre.scratch_2.storage_gb_month"]
    first = book.items("fsx.lustre.", "us-east-1")
    assert first == want
    first.append("changed by the caller")  # a caller's list is its own
    assert book.items("fsx.lustre.", "us-east-1") == want
    assert book.items("fsx.lustre.", "eu-west-1") == ["fsx.lustre.scratch_2.storage_gb_month"]
    assert book.items("fsx.lustre.", "ap-south-1") == []
    # A new catalog has a new book: its own rows answer, not the first book's memo.
    other = _book([("fsx.lustre.persistent_2.storage_gb_month", "us-east-1")])
    assert other.items("fsx.lustre.", "us-east-1") == ["fsx.lustre.persistent_2.storage_gb_month"]
    assert book.items("fsx.lustre.", "us-east-1") == want


def test_burstable_drop_note_is_written_when_why_not_asks() -> None:
    # A flat 60 % load measured on 2 vCPUs: on a 2-vCPU t3.medium it averages 60 % per vCPU
    # against its 20 % baseline per vCPU (AWS, burstable performance instances: t3.medium
    # baseline 20 %), so standard-mode credits run out.
    r = recommend({"region": "us-east-1", "compute": {
        "vcpus": 2, "memory_gib": 1, "utilization_series_pct": [60.0] * 288}},
        models=False, explain=["t3.medium"])
    (w,) = r.why_not
    assert w.verdict == "rejected"
    assert w.text.startswith("Rejected: t3.medium: burstable credits run out (standard mode: "
                             "the load averages 60% per vCPU against a 20% baseline, so the "
                             "balance runs out; unlimited mode ")
    assert r.rejected["ec2.burstable_credits_run_out"] >= 1
