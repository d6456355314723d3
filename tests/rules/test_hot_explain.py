"""The per-type facts an EC2 option reads once per index (explain.type_facts) and the
database table's deployments read once per (service, engine) (issue 11's hot path).

Both replace work done on every call; these tests pin what they hold against the AWS specs
and against the plain scan they replace, and that one index's facts never answer for
another's."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from catalog.store import load_catalog
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.explain import facts_memo, type_facts
from recommender.rules.database_common import db_rows


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog()


def test_facts_of_m5_large_match_the_aws_spec(catalog: Any) -> None:
    # https://aws.amazon.com/ec2/instance-types/m5/: m5.large has 2 vCPUs and 8 GiB;
    # 8 / 2 = 4 GiB per vCPU (hand calculation), a general purpose type on x86_64.
    ix = ec2_index(catalog)
    f = type_facts(facts_memo(catalog, ix), ix, ix.pos["m5.large"])
    assert (f.itype, f.family, f.vcpus, f.memory_gib) == ("m5.large", "m5", 2.0, 8.0)
    assert (f.vcpus_text, f.memory_text) == ("2", "8")
    assert f.family_text == "general family (4 GiB per vCPU)"
    assert f.config == {"instance_type": "m5.large", "vcpus": 2, "memory_gib": 8.0,
                        "arch": "x86_64"}
    assert f.accelerator == () and not f.graviton
    # read once per catalog: a second table of the same catalog gets the same facts
    assert type_facts(facts_memo(catalog, ix), ix, ix.pos["m5.large"]) is f


def test_facts_are_per_index_never_shared(catalog: Any) -> None:
    # Another index (a rebuilt catalog) must not answer with the first one's facts for the
    # same row position: fails if the cache were keyed by the row alone.
    ix = ec2_index(catalog)
    i = ix.pos["m5.large"]
    type_facts(facts_memo(catalog, ix), ix, i)
    types = np.array(ix.types, dtype=object)
    types[i] = "m5.renamed"
    other = dataclasses.replace(ix, types=types)
    assert type_facts(facts_memo(catalog, other), other, i).itype == "m5.renamed"
    assert type_facts(facts_memo(catalog, ix), ix, i).itype == "m5.large"


def test_deployments_equal_the_scan_of_every_key(catalog: Any) -> None:
    table = db_rows(catalog)
    keys = list(table)
    assert keys, "the embedded snapshot has database rows"
    for service, engine in sorted({k[:2] for k in keys}):
        scan = sorted({k[2] for k in keys if k[0] == service and k[1] == engine})
        assert table.deployments(service, engine) == scan  # type: ignore[attr-defined]
    assert table.deployments("elasticache", "no-such-engine") == []  # type: ignore[attr-defined]
