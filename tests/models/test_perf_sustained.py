"""Burstable types carry their sustained baseline capacity beside the burst perf_index.

The catalog build adds ``sustained_perf_index`` once (``catalog.merge.sustained_perf``) and
``recommender.models.perf_eval.sustained_perf_index`` reads it.  Expected values are worked
by hand from the sources: the baseline utilization per vCPU of the AWS EC2 User Guide
("Key concepts for burstable performance instances", ``facts/burstable_instances.csv``) and
CoreMark iterations/s of ec2instances.info (``ec2/ec2instances.info_benchmarks_...json``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from catalog.errors import CatalogSchemaError
from catalog.merge import sustained_perf
from catalog.schema import validate_table
from catalog.sources.ec2 import BENCHMARKS, BURSTABLE
from catalog.store import DEFAULT_SNAPSHOT_DIR, read_snapshot
from recommender.models.perf_eval import sustained_perf_index

# t3.micro: CoreMark 29,069.767442 it/s, m5.large (perf_index 1) 28,469.750890 it/s, so
# perf_index = 29,069.767442 / 28,469.750890 = 1.0210756; baseline 10 % per vCPU, so the
# sustained figure is 1.0210756 x 0.10 = 0.10210756 (the burst figure stays 1.0210756).
T3_MICRO_PERF, T3_MICRO_SUSTAINED = 1.0210756, 0.10210756
# t3.large: CoreMark 27,292.576419 / 28,469.750890 = 0.9586517; baseline 30 %: 0.2875955.
T3_LARGE_SUSTAINED = 0.2875955


@pytest.fixture(scope="module")
def ec2() -> pd.DataFrame:
    """The committed snapshot's ec2 table, schema-checked and hash-checked on read."""
    return read_snapshot(DEFAULT_SNAPSHOT_DIR).tables["ec2"].set_index("instance_type")


def test_snapshot_t3_sustained_is_perf_index_times_baseline(ec2: pd.DataFrame) -> None:
    assert ec2.loc["t3.micro", "perf_index"] == pytest.approx(T3_MICRO_PERF, rel=1e-6)
    assert ec2.loc["t3.micro", "sustained_perf_index"] == pytest.approx(T3_MICRO_SUSTAINED,
                                                                         rel=1e-6)
    assert ec2.loc["t3.large", "sustained_perf_index"] == pytest.approx(T3_LARGE_SUSTAINED,
                                                                         rel=1e-6)


def test_snapshot_non_burstable_sustain_their_perf_index(ec2: pd.DataFrame) -> None:
    other = ec2[~ec2["burstable"]]
    assert len(other) > 1000  # the catalog's non-T types, not an empty selection
    pd.testing.assert_series_equal(other["sustained_perf_index"], other["perf_index"],
                                   check_names=False)
    assert ec2.loc["m5.large", "sustained_perf_index"] == 1.0  # the reference type


def test_snapshot_every_burstable_sustains_less_than_its_burst(ec2: pd.DataFrame) -> None:
    burst = ec2[ec2["burstable"]]
    assert len(burst) > 0 and burst["baseline_pct_per_vcpu"].notna().all()
    assert (burst["sustained_perf_index"] < burst["perf_index"]).all()


@pytest.mark.shared
def test_hand_figures_come_from_the_source_files(shared_data) -> None:
    facts = pd.read_csv(shared_data / BURSTABLE).set_index("instance_type")
    assert facts.loc["t3.micro", "baseline_utilization_per_vcpu_pct"] == 10
    assert facts.loc["t3.large", "baseline_utilization_per_vcpu_pct"] == 30
    bench = json.loads((shared_data / BENCHMARKS).read_text())
    assert bench["t3.micro"]["coremark"]["iterations_second"] == 29069.767442
    assert bench["m5.large"]["coremark"]["iterations_second"] == 28469.75089


def _rows() -> pd.DataFrame:
    # A 20 %-baseline T type, a T type whose baseline is unknown (kept at perf_index, as the
    # rules do), a non-burstable type and a type without a perf_index.
    return pd.DataFrame({
        "instance_type": ["t9.large", "t9.xlarge", "m9.large", "x9.large"],
        "burstable": [True, True, False, False],
        "baseline_pct_per_vcpu": [20.0, np.nan, np.nan, np.nan],
        "perf_index": [2.0, 3.0, 1.5, np.nan],
    })


def test_build_column_by_hand() -> None:
    out = sustained_perf(_rows())["sustained_perf_index"].tolist()
    assert out[:3] == [pytest.approx(0.4), 3.0, 1.5]  # 2.0 x 20 / 100 = 0.4
    assert np.isnan(out[3])


def test_perf_eval_reads_the_column_and_keeps_its_result(ec2: pd.DataFrame) -> None:
    with_col = sustained_perf_index(ec2)
    without = sustained_perf_index(ec2.drop(columns="sustained_perf_index"))
    np.testing.assert_array_equal(with_col.to_numpy(), without.to_numpy())
    # The column is what is read: a table whose column says otherwise gets the column.
    rows = sustained_perf(_rows()).assign(sustained_perf_index=[0.1, 0.2, 0.3, 0.4])
    assert sustained_perf_index(rows).tolist() == [0.1, 0.2, 0.3, 0.4]


def test_schema_rejects_a_sustained_figure_above_the_burst(ec2: pd.DataFrame) -> None:
    rows = ec2.loc[["t3.micro", "t3.large", "m5.large"]].reset_index()  # 3 rows: fast
    validate_table("ec2", rows)
    bad = rows.copy()
    bad.loc[bad["instance_type"] == "t3.micro", "sustained_perf_index"] = 2.0  # > 1.0211
    with pytest.raises(CatalogSchemaError, match="sustained_within_perf_index"):
        validate_table("ec2", bad)
    # A reader's table, validated before the build adds the column, still passes.
    validate_table("ec2", rows.drop(columns="sustained_perf_index"))
