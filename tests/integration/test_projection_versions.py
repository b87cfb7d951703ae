"""Projection versions (issue 14 §4): a read model whose version a release changed is rebuilt
on every province, by the workers on their own or by ``chibo migrate --now``, and only once."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg import sql

from projections import engine, versions
from projections.meetings import MEETINGS
from projections.registry import all_projections
from services import cli, workers
from services.cli import wiring
from tests.integration.test_projection_engine import positions, snapshot
from tests.integration.test_projection_rollups import build_province
from tests.integration.test_workers import drain

pytestmark = pytest.mark.integration


@pytest.fixture
def console(container, monkeypatch):
    monkeypatch.setattr(wiring, "open_container", lambda: container)
    monkeypatch.setattr(container, "close", lambda: None)
    return lambda *argv: cli.main(list(argv))


@pytest.fixture
def caught_up(app, tenant, database) -> dict[str, Any]:
    """A province with every read model at the head; its rows, to compare after a rebuild."""
    build_province(app)
    for p in all_projections():
        assert engine.catch_up(database, tenant.schema, p).error is None
    return snapshot(database, tenant.schema)


def tamper(database: Any, schema: str) -> None:
    """What an older release's code might have left: rows the current code would not write."""
    with database.connect() as conn:
        conn.execute(sql.SQL("DELETE FROM {}.meeting_attendance").format(sql.Identifier(schema)))


def stored(database: Any, schema: str) -> dict[str, tuple[int, str]]:
    with database.connect() as conn:
        return versions.stored(conn, schema)


def stale(database: Any, schema: str) -> list[str]:
    with database.connect() as conn:
        return [p.name for p in versions.stale(conn, schema, all_projections())]


def test_every_projection_declares_a_version_and_a_province_starts_current(tenant, database):
    assert all(isinstance(versions.declared(p), int) for p in all_projections())
    assert all(versions.declared(p) >= versions.BASELINE for p in all_projections())
    # A new province's tables are this release's: every projection at its declared version.
    assert stored(database, tenant.schema) == {
        p.name: (versions.declared(p), versions.CURRENT) for p in all_projections()
    }
    assert stale(database, tenant.schema) == []


def test_an_older_province_without_rows_is_at_the_baseline(app, tenant, database):
    """Provinces from before versions: no rows, each projection at version 1; provisioning
    again (``chibo migrate``) records nothing for a province that has caught up before."""
    build_province(app)
    engine.catch_up(database, tenant.schema, MEETINGS)
    with database.connect() as conn:
        conn.execute(
            sql.SQL("DELETE FROM {}.projection_version").format(sql.Identifier(tenant.schema))
        )
        versions.install_part(conn, tenant.schema)
    assert stored(database, tenant.schema) == {}
    assert stale(database, tenant.schema) == [
        p.name for p in all_projections() if versions.declared(p) != versions.BASELINE
    ]


def test_migrate_now_rebuilds_a_changed_projection_and_what_reads_it_once(
    console, caught_up, tenant, database, monkeypatch, capsys
):
    tamper(database, tenant.schema)
    bumped = versions.declared(MEETINGS) + 1  # what the next release declares
    monkeypatch.setattr(MEETINGS, "version", bumped, raising=False)
    assert stale(database, tenant.schema) == ["meetings"]

    # Without --now it only says what the workers will rebuild.
    assert console("migrate", "--tenant", tenant.slug) == 0
    assert "meetings" in capsys.readouterr().out
    assert snapshot(database, tenant.schema)["meeting_attendance"] == []

    assert console("migrate", "--tenant", tenant.slug, "--now") == 0
    out = capsys.readouterr().out
    assert "meetings" in out
    assert "rollup" in out  # rollup reads the meetings tables
    assert snapshot(database, tenant.schema) == caught_up
    assert stored(database, tenant.schema)["meetings"] == (bumped, versions.CURRENT)
    assert stale(database, tenant.schema) == []

    # Idempotent: nothing is rebuilt the second time (the checkpoints' rows stay as they are).
    with database.connect() as conn:
        before = conn.execute(
            sql.SQL("SELECT projection, updated_at FROM {}.projection_tracking ORDER BY 1").format(
                sql.Identifier(tenant.schema)
            )
        ).fetchall()
    assert console("migrate", "--tenant", tenant.slug, "--now") == 0
    assert "up to date" in capsys.readouterr().out
    with database.connect() as conn:
        after = conn.execute(
            sql.SQL("SELECT projection, updated_at FROM {}.projection_tracking ORDER BY 1").format(
                sql.Identifier(tenant.schema)
            )
        ).fetchall()
    assert after == before


def test_the_worker_rebuilds_a_changed_projection_by_itself(
    caught_up, app, tenant, database, monkeypatch
):
    tamper(database, tenant.schema)
    bumped = versions.declared(MEETINGS) + 1
    monkeypatch.setattr(MEETINGS, "version", bumped, raising=False)
    runtime = workers.configure(database, None, threads=2, tick_seconds=None)
    try:
        workers.notify_committed(tenant.slug)
        drain(runtime)
    finally:
        workers.shutdown()
    assert snapshot(database, tenant.schema) == caught_up
    assert stored(database, tenant.schema)["meetings"] == (bumped, versions.CURRENT)
    assert positions(database, tenant.schema)["meetings"] == app.log_position


def test_an_interrupted_rebuild_is_still_stale_and_views_can_say_so(tenant, database):
    with database.connect() as conn:
        versions.record(conn, tenant.schema, "meetings", 1, versions.REBUILDING)
        assert versions.rebuilding(conn, tenant.schema) == ["meetings"]
    assert stale(database, tenant.schema) == ["meetings"]
    assert versions.upgrade_all(database, tenant.schema, all_projections()) == [
        "meetings",
        "rollup",
    ]
    assert stale(database, tenant.schema) == []
