"""Feature building: one builder for training and inference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.models.features import (
    PERF_COLUMNS,
    RUNTIME_COLUMNS,
    lambda_cpu_share,
    node_specs,
    parse_family,
    perf_features,
    runtime_features,
)


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("m5a", ("m", 5.0, "a")),
        ("c7i-flex", ("c", 7.0, "i-flex")),
        ("u7i-12tb", ("u", 7.0, "i-12tb")),
        ("hpc7a", ("hpc", 7.0, "a")),
        ("mac2-m2pro", ("mac", 2.0, "-m2pro")),
    ],
    ids=["amd", "flex", "high-memory", "hpc", "mac"],
)
def test_parse_family(family: str, expected: tuple) -> None:
    assert parse_family(family) == expected


def test_parse_family_without_generation_is_nan() -> None:
    series, gen, _ = parse_family("weird")
    assert series == "weird" and np.isnan(gen)


def test_perf_features_columns_and_values(ec2_excerpt: pd.DataFrame) -> None:
    f = perf_features(ec2_excerpt).set_index(ec2_excerpt["instance_type"])
    assert tuple(f.columns) == PERF_COLUMNS
    assert f.loc["m5.large", "log_vcpus"] == pytest.approx(np.log(2))
    assert f.loc["m7g.large", "arm"] == 1.0 and f.loc["m7g.large", "manu_aws"] == 1.0
    assert f.loc["m5a.xlarge", "manu_amd"] == 1.0 and f.loc["m5a.xlarge", "manu_intel"] == 0.0
    assert f.loc["m4.xlarge", "generation"] == 4.0
    assert f.loc["c7gn.xlarge", "suffix_n"] == 1.0 and f.loc["c7i.2xlarge", "suffix_n"] == 0.0
    # memory per vCPU separates compute / general / memory families
    assert (
        f.loc["c5.xlarge", "log_mem_per_vcpu"]
        < f.loc["m5.xlarge", "log_mem_per_vcpu"]
        < f.loc["r5.xlarge", "log_mem_per_vcpu"]
    )


def test_node_specs_rejects_unknown_type(ec2_excerpt: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="nope.large"):
        node_specs(ec2_excerpt, ["m5.large", "nope.large"])


def test_node_specs_interval_defaults_to_point_when_measured(ec2_excerpt: pd.DataFrame) -> None:
    s = node_specs(ec2_excerpt, ["m5.large", "m4.xlarge"])
    assert s["cap"].iloc[0] == pytest.approx(1.0)  # m5.large is the reference
    assert (s["cap_low"] == s["cap"]).all() and (s["cap_high"] == s["cap"]).all()


def test_runtime_features_relative_to_anchor(ec2_excerpt: pd.DataFrame) -> None:
    target = node_specs(ec2_excerpt, ["m5.xlarge", "m5.2xlarge"])
    target["nodes"] = [8, 16]
    anchor = target.iloc[0]
    f = runtime_features(target, anchor, np.zeros(2), 0.2, 40.0)
    assert tuple(f.columns) == RUNTIME_COLUMNS
    assert f["log_node_ratio"].iloc[0] == 0 and f["log_node_ratio"].iloc[1] == pytest.approx(
        np.log(2)
    )
    assert f["log_mem_node_ratio"].iloc[1] == pytest.approx(np.log(2))
    assert f["log_total_mem_per_gib"].iloc[0] == pytest.approx(np.log(8 * 16 / 40))
    assert np.isnan(
        runtime_features(target, anchor, np.zeros(2), 0.2, None)["log_total_mem_per_gib"]
    ).all()


def test_lambda_cpu_share_follows_the_documented_rule() -> None:
    share = lambda_cpu_share(np.array([128, 1769, 4096, 10240]))
    assert share[0] == pytest.approx(128 / 1769)
    assert share[1] == share[2] == share[3] == pytest.approx(1.0)
    par = lambda_cpu_share(np.array([1769, 10240]), parallel=True)
    assert par[0] == pytest.approx(1.0) and par[1] == pytest.approx(6.0)
