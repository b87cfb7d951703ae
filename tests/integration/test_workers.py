"""Workers on the in-process stub broker: catch-up after commits, duplicates, unknown tenants."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from dramatiq.common import dq_name

from domain.base import DomainError
from infra.tenancy import provision
from projections import engine
from projections.registry import all_projections
from services import workers
from services.bootstrap import schema_parts
from tests.conftest import drop_tenant, new_slug
from tests.integration.test_projection_engine import positions, snapshot
from tests.integration.test_projection_rollups import build_province

pytestmark = pytest.mark.integration


@pytest.fixture
def runtime(database: Any) -> Iterator[workers.Runtime]:
    started = workers.configure(database, None, threads=3, tick_seconds=None)
    yield started
    workers.shutdown()


def drain(runtime: workers.Runtime) -> None:
    """Until no message is queued, delayed or running (busy pairs come back delayed)."""
    broker: Any = runtime.broker
    for _ in range(3):
        broker.join(runtime.queue, fail_fast=True)
        broker.join(dq_name(runtime.queue), fail_fast=True)
        assert runtime.worker is not None
        runtime.worker.join()


def test_notify_after_commits_brings_every_projection_to_the_head(runtime, app, tenant, database):
    build_province(app)
    workers.notify_committed(tenant.slug)
    drain(runtime)
    head = app.log_position
    assert positions(database, tenant.schema) == {p.name: head for p in all_projections()}
    caught_up = snapshot(database, tenant.schema)
    for p in all_projections():
        engine.rebuild(database, tenant.schema, p)
    assert snapshot(database, tenant.schema) == caught_up


def test_duplicate_and_concurrent_deliveries_have_no_effect(runtime, app, tenant, database):
    build_province(app)
    workers.notify_committed(tenant.slug)
    drain(runtime)
    once = snapshot(database, tenant.schema)
    for _ in range(4):  # three worker threads race on the same pairs
        runtime.actors.catch_up_pair.send(tenant.slug, "meetings")
        runtime.notify_committed(tenant.slug)
    drain(runtime)
    assert snapshot(database, tenant.schema) == once


def test_messages_for_unknown_tenants_are_dropped(runtime, app, tenant, database):
    build_province(app)
    runtime.actors.catch_up_tenant.send("khong_co_tinh")
    runtime.actors.catch_up_pair.send("khong_co_tinh", "meetings")
    drain(runtime)  # fail_fast: an exception in an actor would surface here
    assert positions(database, tenant.schema) == {}
    with pytest.raises(DomainError):
        runtime.notify_committed("Not A Slug!")


def test_the_periodic_tick_catches_up_without_any_notification(app, tenant, database):
    build_province(app)
    runtime = workers.configure(database, None, threads=2, tick_seconds=0.05)
    head = {p.name: app.log_position for p in all_projections()}
    try:
        for _ in range(400):  # every projection, not only the first to finish
            if positions(database, tenant.schema) == head:
                break
            time.sleep(0.025)
    finally:
        workers.shutdown()
    assert runtime.worker is None
    assert positions(database, tenant.schema) == {
        p.name: app.log_position for p in all_projections()
    }


def test_a_command_over_http_wakes_the_workers_by_itself(runtime, container, tenant, database):
    """The wiring: every commit of a cached tenant application enqueues its catch-up."""
    from litestar.testing import TestClient

    from domain.user import Role
    from services.app import create_app
    from tests.e2e.auth_helpers import bearer, found_root, token

    wired = type(container.applications)(database, 4, on_committed=workers.notify_committed)
    container.applications = wired
    try:
        with TestClient(create_app(container)) as client:
            client.headers.update(bearer(token(container, tenant.slug, Role.TENANT_ADMIN)))
            response = found_root(client, f"/api/v1/t/{tenant.slug}")
            assert response.status_code == 201, response.text
        drain(runtime)  # no explicit notify: the save itself enqueued the work
        position = response.json()["position"]
        assert set(positions(database, tenant.schema).values()) == {position}
    finally:
        wired.close()


def test_a_province_removed_after_its_message_was_sent_is_dropped_not_failed(runtime, database):
    """The tick sends a message per province; one dropped before the message runs (its schema
    gone, the cached placement stale) must not fail the message: CI's shared database met it."""
    doomed, _ = provision(database, new_slug(), "Tỉnh Sắp Xoá", schema_parts())
    runtime.actors.catch_up_province.send(doomed.slug)
    runtime.actors.expire_reports.send(doomed.slug, 7.0)
    drain(runtime)  # the worker now holds the province's placement and its application
    drop_tenant(database, doomed)
    runtime.actors.catch_up_province.send(doomed.slug)
    runtime.actors.expire_reports.send(doomed.slug, 7.0)  # the store's own error type
    drain(runtime)  # fail_fast: a failed message would surface here


def test_a_province_still_in_the_catalog_without_its_schema_fails_the_message(
    runtime, database, tenant
):
    """The tolerance above is for a removed or moved province only: one the catalog still
    places where its schema is missing is broken, and the message fails loudly."""
    with database.connect() as conn:
        conn.execute(f'DROP SCHEMA "{tenant.schema}" CASCADE')
    runtime.actors.catch_up_province.send(tenant.slug)
    with pytest.raises(Exception, match=tenant.schema):
        drain(runtime)
