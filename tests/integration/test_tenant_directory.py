"""The workers' tenant directory reads the catalog once per province and follows the catalog's
notifications (``LISTEN chibo_catalog``) instead of reading it per message (issue 14 §2)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import sql

from domain.base import DomainError
from infra.directory import FOLLOWING_TTL, TenantDirectory
from infra.notifications import CATALOG_CHANGED, Listener, notify
from infra.tenancy import CATALOG
from tests.conftest import server_conninfo

pytestmark = pytest.mark.integration


@pytest.fixture
def listener(database: Any) -> Iterator[Listener]:
    started = Listener(server_conninfo(database)).start()
    assert started.connected.wait(10)
    yield started
    started.stop()


def until(predicate: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_many_messages_read_the_catalog_once(database, tenant, listener):
    directory = TenantDirectory(database, ttl=0.0).follow(listener)
    for _ in range(50):
        assert directory.placed(tenant.slug) == (database, tenant.schema)
    # A TTL of zero alone would have read it 50 times: the notifications are what it trusts.
    assert directory.lookups == 1
    assert directory._trust() == FOLLOWING_TTL


def test_a_catalog_change_is_seen_at_the_next_message(database, tenant, listener):
    directory = TenantDirectory(database).follow(listener)
    assert directory.tenant(tenant.slug).name == "Tỉnh Thử Nghiệm"
    with database.connect() as conn:
        conn.execute(
            sql.SQL("UPDATE {}.tenants SET name = %s WHERE slug = %s").format(
                sql.Identifier(CATALOG)
            ),
            ("Tỉnh Đổi Tên", tenant.slug),
        )
        notify(conn, CATALOG_CHANGED, tenant.slug)
    assert until(lambda: directory.tenant(tenant.slug).name == "Tỉnh Đổi Tên")
    assert directory.lookups == 2


def test_without_a_listener_only_the_ttl_bounds_an_entry(database, tenant):
    directory = TenantDirectory(database, ttl=0.0)
    for _ in range(3):
        directory.schema(tenant.slug)
    assert directory.lookups == 3


def test_an_unknown_province_is_refused_and_never_cached(database, listener):
    directory = TenantDirectory(database).follow(listener)
    for _ in range(2):
        with pytest.raises(DomainError):
            directory.tenant("no_such_province")
    assert directory.lookups == 2


def test_a_dropped_listener_forgets_everything(database, tenant, listener):
    directory = TenantDirectory(database).follow(listener)
    directory.tenant(tenant.slug)
    # What the listener does when its connection drops or comes back (a note may be lost).
    listener._wake_all()
    directory.tenant(tenant.slug)
    assert directory.lookups == 2
