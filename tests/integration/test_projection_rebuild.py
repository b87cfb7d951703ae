"""Rebuild mode: batch size, read-ahead and indexes built at the end change no read model."""

from __future__ import annotations

from typing import Any

import pytest

from projections import engine, versions
from projections.audit_trail import TABLES as AUDIT_TABLES
from projections.prefetch import prefetching
from projections.registry import all_projections
from tests.integration.test_projection_engine import ALL_TABLES
from tests.integration.test_projection_engine import snapshot as engine_snapshot
from tests.integration.test_projection_rollups import build_province
from tests.unit.test_projection_columns import added_since_first

pytestmark = pytest.mark.integration

TABLES = (*ALL_TABLES, *AUDIT_TABLES)


def snapshot(database: Any, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    return engine_snapshot(database, schema, TABLES)


def indexes(database: Any, schema: str) -> set[str]:
    with database.connect() as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,))
        return {r[0] for r in rows.fetchall()}


def test_a_rebuild_in_tiny_batches_equals_one_in_a_single_batch(app, tenant, database):
    build_province(app)
    for p in all_projections():
        done = engine.rebuild(database, tenant.schema, p, batch_size=100_000)
        assert done.error is None
        assert done.batches == 1
    whole = snapshot(database, tenant.schema)
    assert whole["meeting_attendance"]
    assert whole["audit_trail"]
    # Batches of 3 cut meetings between opening and marking, so the slow streak path, the
    # read-ahead and the seats of meetings scheduled in an earlier batch all run.
    for p in all_projections():
        done = engine.rebuild(database, tenant.schema, p, batch_size=3)
        assert done.error is None
        assert done.batches >= done.events // 3
        assert done.position == app.log_position
    assert snapshot(database, tenant.schema) == whole


def test_deferred_indexes_are_built_again_after_a_rebuild(app, tenant, database):
    build_province(app)
    deferred = {i for p in all_projections() for i in getattr(p, "deferred_indexes", ())}
    assert {"audit_trail_actor", "roster_changes_cell"} <= deferred
    assert deferred <= indexes(database, tenant.schema)
    for p in all_projections():
        engine.rebuild(database, tenant.schema, p, batch_size=5)
    assert deferred <= indexes(database, tenant.schema)


def test_a_batch_read_ahead_for_another_position_is_thrown_away(app, tenant, database):
    build_province(app)
    meetings = next(p for p in all_projections() if p.name == "meetings")

    def read(conn: Any, after: int) -> Any:
        return engine.read_batch(conn, tenant.schema, after, meetings.topics, 4)

    with prefetching(database, read) as ahead:
        ahead.start(0)
        assert ahead.take(1) is None  # the checkpoint moved meanwhile: read again
        assert ahead.take(0) is None  # nothing is pending any more
        ahead.start(0)
        rows, top = ahead.take(0)
    assert len(rows) == 4
    assert top == rows[-1].notification_id


@pytest.mark.parametrize(
    ("name", "definition"),
    [
        ("members_present_cell", "(cell_id) WHERE (departed_on IS NULL)"),
        ("deadline_subjects_cell", "(cell_id)"),
    ],
)
def test_an_earlier_province_gets_a_new_read_side_index_from_migrate(
    container, tenant, database, name, definition
):
    """A read-side index added by a release needs no rebuild: ``chibo migrate`` (the same
    idempotent install as the server's start) creates it where it is missing."""
    with database.connect() as conn:
        conn.execute(f'DROP INDEX "{tenant.schema}".{name}')
    assert name not in indexes(database, tenant.schema)
    container.migrate([tenant.slug])
    with database.connect() as conn:
        found = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            (tenant.schema, name),
        ).fetchone()
    assert found is not None
    assert found[0].endswith(definition)


def test_a_province_made_before_special_duty_is_migrated(container, tenant, database):
    """Its attendance table lacks ``special_duty``, which the over-3 index names: the install
    adds the column first, so ``chibo migrate`` gets through and the version rebuild follows."""
    with database.connect() as conn:
        conn.execute(f'ALTER TABLE "{tenant.schema}".meeting_attendance DROP COLUMN special_duty')
    assert [t.slug for t in container.migrate([tenant.slug])] == [tenant.slug]
    assert "meeting_attendance_over_3_in_year" in indexes(database, tenant.schema)


@pytest.mark.parametrize(("name", "table", "column"), added_since_first())
def test_a_province_made_before_a_column_is_migrated_and_rebuilt(
    container, app, tenant, database, name, table, column
):
    """A column a release added to a table (tests.unit.test_projection_columns) is missing on
    a province made before it, with the indexes that name it: ``chibo migrate`` still gets
    through (the install adds it first) and the version rebuild leaves the read models as a
    fresh one."""
    build_province(app)
    for p in all_projections():
        assert engine.rebuild(database, tenant.schema, p).error is None
    whole, built = snapshot(database, tenant.schema), indexes(database, tenant.schema)
    assert whole[table]
    projection = next(p for p in all_projections() if p.name == name)
    with database.connect() as conn:
        conn.execute(f'ALTER TABLE "{tenant.schema}".{table} DROP COLUMN {column} CASCADE')
        versions.record(conn, tenant.schema, name, versions.declared(projection) - 1)
    assert [t.slug for t in container.migrate([tenant.slug])] == [tenant.slug]
    assert name in versions.upgrade_all(database, tenant.schema, all_projections())
    assert snapshot(database, tenant.schema) == whole
    assert indexes(database, tenant.schema) == built
