"""Connections do not grow with provinces (issue 14 §1).

On a PostgreSQL of the test's own with ``max_connections = 100`` (the server where 34
provinces used to run out, about 3 connections each), one process provisions 60 provinces,
writes to each through the tenant cache (smaller than 60, so it evicts), reads each as the
tenant's role and runs each one's projections. It never meets "too many clients", and the
server sees no more connections than the process's budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.database import Database, EmbeddedPostgres
from infra.db_roles import fetch_as_tenant
from infra.readside import ReadSide
from infra.tenancy import TenantApplications, provision
from projections.registry import all_projections
from projections.scheduler import catch_up_round
from services.bootstrap import schema_parts
from tests.integration.queries import scalar

pytestmark = pytest.mark.integration

POOL_SIZE = 6
READ_POOL_SIZE = 4


@pytest.fixture
def small_server(pg_home: Path) -> Iterator[Database]:
    server = EmbeddedPostgres(pg_home)
    database = replace(server.start(), pool_size=POOL_SIZE)
    with database.direct() as conn:
        row = conn.execute("SHOW max_connections").fetchone()
    assert row is not None
    assert int(row[0]) == 100
    yield database
    database.close_pool()
    server.stop()


def server_connections(database: Database) -> int:
    query = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
    return int(scalar(database, query) or 0)


def test_sixty_provinces_in_one_process_never_run_out_of_connections(
    small_server: Database,
) -> None:
    database = small_server
    cache = TenantApplications(database, maxsize=16)
    readside = ReadSide(database, max_size=READ_POOL_SIZE)
    loop = asyncio.new_event_loop()
    seen: list[int] = []
    try:
        for i in range(60):
            tenant, created = provision(
                database, f"p{i:02d}_{uuid4().hex[:6]}", f"Tỉnh {i}", schema_parts()
            )
            assert created
            app = cache.get(tenant.slug)
            unit = OrgUnit.found(
                uuid4(), f"Tỉnh {i}", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM
            )
            assert app.save_all(unit) == 1
            done = catch_up_round(database, tenant.schema, all_projections())
            assert done.moved
            assert not done.errors
            rows = loop.run_until_complete(
                fetch_as_tenant(
                    readside,
                    tenant.schema,
                    f'SELECT name FROM "{tenant.schema}".org_units WHERE id = $1',
                    unit.id,
                )
            )
            assert [r["name"] for r in rows] == [f"Tỉnh {i}"]
            seen.append(server_connections(database))
        # The tenant cache evicted most of them; the applications it evicted still work.
        assert len(cache) == 16
    finally:
        loop.run_until_complete(readside.close())
        loop.close()
    # One process: its psycopg pool plus its read pool, whatever the number of provinces.
    assert max(seen) <= POOL_SIZE + READ_POOL_SIZE, seen
    assert seen[-1] <= seen[9] + 1, seen  # flat after the first ten provinces
