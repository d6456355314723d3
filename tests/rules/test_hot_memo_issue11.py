"""Per-book memos and deferred texts of the issue-11 hot path, against hand-written answers.

Each memo is checked against the answer written out from the rows it is given (never the
memo's own output) and for its scope: one price book per catalog, so a new catalog's book
answers from its own rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from catalog.store import load_catalog
from recommender import recommend
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.fargate import _arch_rates, _best_single, _task_arrays
from recommender.rules.compute.select import _id_rank
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


def _fargate_book(vcpu_usd: float, gb_usd: float) -> PriceBook:
    # https://aws.amazon.com/fargate/pricing/: per vCPU-hour and per GB-hour, by architecture;
    # task sizes as the ECS task-size table lists them (1 vCPU: 2-8 GB; 2 vCPU: 4-16 GB).
    rows = [["fargate", f"fargate.{what}.arm64", "us-east-1", unit, usd, 0.0, None, None,
             "2025-01-01", "test", False, None]
            for what, unit, usd in (("vcpu_hour", "USD per vCPU-hour", vcpu_usd),
                                    ("gb_hour", "USD per GB-hour", gb_usd))]
    facts = pd.DataFrame([
        ["fargate", "task_size_1vcpu_memory_gb", "2,3,4", "GB", None, "u", False, None],
        ["fargate", "task_size_2vcpu_memory_gb", "4,8", "GB", None, "u", False, None]],
        columns=["topic", "key", "value", "unit", "scope", "source_url", "verify", "notes"])
    return PriceBook(pd.DataFrame(rows, columns=COLS), facts)


def test_fargate_hourly_task_prices_are_the_books_own() -> None:
    book = _fargate_book(0.04, 0.004)
    got = _arch_rates(book, "us-east-1", "arm64")
    assert got is not None
    v, m, _ = _task_arrays(book)
    assert v.tolist() == [1.0, 1.0, 1.0, 2.0, 2.0] and m.tolist() == [2.0, 3.0, 4.0, 4.0, 8.0]
    # 1 vCPU x $0.04 + 2 GB x $0.004 = $0.048 an hour; 2 vCPU + 8 GB: 0.08 + 0.032 = $0.112.
    assert got[2] == (0.04, 0.004)
    assert got[3][0] == 1.0 * 0.04 + 2.0 * 0.004 and got[3][4] == 2.0 * 0.04 + 8.0 * 0.004
    assert _arch_rates(book, "us-east-1", "arm64") is got  # kept with the book
    assert _arch_rates(book, "us-east-1", "x86_64") is None  # no x86_64 rows: unpriced
    assert _arch_rates(book, "eu-west-1", "arm64") is None
    # A new catalog's book has its own rates.
    other = _arch_rates(_fargate_book(0.05, 0.005), "us-east-1", "arm64")
    assert other is not None and other[3][0] == 1.0 * 0.05 + 2.0 * 0.005


def test_single_task_pick_is_the_least_cost_then_fewest_vcpus_then_first_row() -> None:
    rng = np.random.default_rng(11)
    for _ in range(3000):
        n = int(rng.integers(1, 10))
        v = rng.choice([0.25, 0.5, 1.0, 2.0, 4.0, np.nan, np.inf], n)
        m = rng.choice([0.5, 1.0, 2.0, 4.0, np.nan, 0.0], n)
        vfy = rng.random(n) < 0.5
        rows = np.flatnonzero(rng.random(n) < 0.8)
        u = (float(rng.choice([0.04, 0.0, np.nan])), float(rng.choice([0.004, 0.0])))
        hours = float(rng.choice([730.0, 0.0, 1.0]))
        with np.errstate(invalid="ignore"):
            per_hour = v * u[0] + m * u[1]
            got = _best_single((v, m, vfy), rows, u, hours)
            memo = _best_single((v, m, vfy), rows, u, hours, per_hour=per_hour)
        if not len(rows):
            assert got is None and memo is None
            continue
        # By the rule's definition: the least cost (NaN last), then fewest vCPUs (NaN
        # last), then the first row; every cost NaN: the fewest vCPUs, then the first.
        cost = [(float(per_hour[i]) * hours) for i in rows]
        k = min(range(len(rows)), key=lambda j, c=cost, r=rows: _nan_last(c[j], v[r[j]], j))
        i = int(rows[k])
        want = (cost[k], 1, float(v[i]), float(m[i]), bool(vfy[i]))
        assert repr(got) == repr(want) and repr(memo) == repr(want)


def _nan_last(cost: float, vcpus: float, row: int) -> tuple[bool, float, bool, float, int]:
    """The order of (cost, vCPUs, row) with NaN after every number, as the sort puts it."""
    vc = float(vcpus)
    return (math.isnan(cost), 0.0 if math.isnan(cost) else cost, math.isnan(vc),
            0.0 if math.isnan(vc) else vc, row)


def test_one_serverless_id_is_placed_as_a_stable_sort_of_the_strings_places_it() -> None:
    ix = ec2_index(load_catalog())
    idx = np.arange(0, ix.n, 5)
    # Before every type, among the f-types, after every type, and equal to a type (which
    # the stable sort keeps after that type's EC2 row); also with no EC2 row at all.
    for rows in (idx, idx[:0]):
        for extra in ("a", "fargate", "zz", str(ix.types[idx[4]])):
            names = [str(s) for s in ix.types[rows]] + [extra]
            codes = _id_rank(ix, rows, [extra])
            assert codes is not None
            assert np.argsort(codes, kind="stable").tolist() == sorted(
                range(len(names)), key=names.__getitem__)
