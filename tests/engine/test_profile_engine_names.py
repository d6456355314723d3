"""RDS's own engine names reach the catalog's engine (core.profile.data.canonical_engine).

"postgres" is RDS's API name for PostgreSQL (CreateDBInstance ``Engine`` valid values:
aurora-mysql, aurora-postgresql, ..., mysql, postgres, ...;
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).  Before,
``"engine": "postgres"`` was looked up as an engine the catalog lacks: every RDS and Aurora
option came back unpriced ("No rds:postgres node classes in the catalog").
"""

from __future__ import annotations

import pytest

from recommender.core.engine import recommend
from recommender.core.errors import ProfileError


def _db(engine: str) -> dict[str, object]:
    return {"database": {"data_model": "relational", "size_gib": 100, "engine": engine},
            "purchase_options": ["reserved"]}


def test_postgres_is_postgresql_and_priced() -> None:
    r = recommend(_db("postgres"), models=False)
    best = r.options("database")[0]
    # Hand figure, us-east-1: working set 25 % of 100 GiB = 25 GiB of memory -> db.r6g.xlarge
    # (32 GiB); its 1-year No Upfront reserved rate in the catalog's RDS PostgreSQL Single-AZ
    # rows is $0.2597/h: 0.2597 x 730 = $189.58; gp3 storage 100 GB x $0.115/GB-month
    # (https://aws.amazon.com/rds/pricing/) = $11.50; total $201.08.
    assert best.option == "rds:postgresql"
    assert best.config["instance_class"] == "db.r6g.xlarge"
    assert best.monthly_cost_usd == pytest.approx(201.08, abs=0.005)
    assert r.profile is not None and r.profile["database"]["engine"] == "postgresql"


@pytest.mark.parametrize(("given", "engine"), [("Postgres", "postgresql"),
                                               (" PostgreSQL ", "postgresql"),
                                               ("aurora-postgresql", "postgresql"),
                                               ("aurora-mysql", "mysql"),
                                               ("MySQL", "mysql")])
def test_names_and_case_give_the_same_answer(given: str, engine: str) -> None:
    a = recommend(_db(given), models=False).options("database")
    b = recommend(_db(engine), models=False).options("database")
    assert [o.model_dump() for o in a] == [o.model_dump() for o in b]
    assert all(o.monthly_cost_usd is not None for o in a[:2])


def test_blank_engine_is_an_error_naming_the_field() -> None:
    with pytest.raises(ProfileError) as err:
        recommend(_db("   "), models=False)
    assert "database.engine" in str(err.value)
