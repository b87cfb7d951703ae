"""Two provinces written through one shared pool, turn about, and each reads back its own;
each province's commits are announced on a channel of its own.

The library inserts events as an array of its composite type ``<schema>.stored_event_uuid``.
psycopg builds the Python class for a composite from its name and fields only (cached), so
every province's type maps to one class, and a connection that had registered two provinces'
types dumped province A's events as province B's type: the insert into A then failed with a
cast error. The shared pool hands every province the same connections, so this test keeps the
pool at one connection and alternates writes between two provinces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.application import EVENTS_TABLE, TenantApplication
from infra.database import Database, EmbeddedPostgres
from infra.tenancy import provision
from infra.tenant_store import commits_channel
from services.bootstrap import schema_parts
from tests.conftest import server_conninfo

pytestmark = pytest.mark.integration


@pytest.fixture
def one_connection(pg_home: Path) -> Iterator[Database]:
    server = EmbeddedPostgres(pg_home)
    database = replace(server.start(), pool_size=1)
    yield database
    database.close_pool()
    server.stop()


def test_two_provinces_write_turn_about_on_one_shared_connection(
    one_connection: Database,
) -> None:
    database = one_connection
    apps: list[TenantApplication] = []
    for name in ("a", "b"):
        tenant, _ = provision(
            database, f"w{name}_{uuid4().hex[:6]}", f"Tỉnh {name}", schema_parts()
        )
        apps.append(TenantApplication(tenant.slug, tenant.schema, database))
    written: dict[int, list[OrgUnit]] = {0: [], 1: []}
    for round_ in range(3):
        for i, app in enumerate(apps):
            unit = OrgUnit.found(
                uuid4(), f"Tỉnh {i} lần {round_}", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM
            )
            assert app.save_all(unit) == round_ + 1
            written[i].append(unit)
    for i, app in enumerate(apps):
        names = [app.repository.get(unit.id).name for unit in written[i]]
        assert names == [f"Tỉnh {i} lần {r}" for r in range(3)]
        # Each province's log holds its own three events, nothing of the other's.
        assert [n.originator_id for n in app.notification_log.select(1, 10)] == [
            unit.id for unit in written[i]
        ]


def test_each_province_notifies_its_own_commits_channel(database: Database) -> None:
    """The library's ``NOTIFY`` after an insert goes to a channel of the province's own."""
    apps = []
    for name in ("a", "b"):
        tenant, _ = provision(
            database, f"n{name}_{uuid4().hex[:6]}", f"Tỉnh {name}", schema_parts()
        )
        apps.append(TenantApplication(tenant.slug, tenant.schema, database))
    channels = [commits_channel(app.schema, EVENTS_TABLE) for app in apps]
    # LISTEN is session state: behind PgBouncer it needs the server itself.
    with psycopg.connect(server_conninfo(database), autocommit=True) as listening:
        for channel in channels:
            listening.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        unit = OrgUnit.found(uuid4(), "Tỉnh a", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
        apps[0].save_all(unit)
        heard = [note.channel for note in listening.notifies(timeout=2, stop_after=1)]
        heard += [note.channel for note in listening.notifies(timeout=0.3)]
    assert heard == [channels[0]]
