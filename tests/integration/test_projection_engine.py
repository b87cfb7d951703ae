"""The engine: exactly-once batches, rebuild = incremental, crash and resume, isolation, locks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
import pytest
from eventsourcing.tests.persistence import TrackingRecorderTestCase

from domain.org_unit import Level
from projections import engine, tracking
from projections.base import StoredEventRow
from projections.meetings import MEETINGS
from projections.meetings import TABLES as MEETING_TABLES
from projections.org_tree import TABLES as TREE_TABLES
from projections.registry import all_projections, dependents
from projections.rollup import ROLLUP
from projections.rollup import TABLES as ROLLUP_TABLES
from projections.roster import TABLES as ROSTER_TABLES
from projections.tracking import TrackingTable
from tests.integration.test_projection_rollups import build_province

pytestmark = pytest.mark.integration

ALL_TABLES = (*TREE_TABLES, *ROSTER_TABLES, *MEETING_TABLES, *ROLLUP_TABLES)
BOOKKEEPING = frozenset({("meeting_cell_month", "position")})
"""Columns naming the batch that last wrote a row: they differ with the batching, by design."""


def snapshot(
    database: Any, schema: str, tables: tuple[str, ...] = ALL_TABLES
) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows (bookkeeping columns left out), sorted, for comparison."""
    result = {}
    with database.connect() as conn:
        for name in tables:
            cur = conn.execute(f'SELECT * FROM "{schema}"."{name}"')
            keep = [i for i, c in enumerate(cur.description) if (name, c.name) not in BOOKKEEPING]
            result[name] = sorted((tuple(r[i] for i in keep) for r in cur.fetchall()), key=repr)
    return result


def positions(database: Any, schema: str) -> dict[str, int]:
    with database.connect() as conn:
        return {k: v.position for k, v in tracking.checkpoints(conn, schema).items()}


class CrashingProjection:
    """Applies part of the batch, then dies: the transaction must leave nothing behind."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.topics = inner.topics

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        self.inner.install(conn, schema)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        self.inner.drop(conn, schema)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        self.inner.apply(conn, schema, events[: len(events) // 2])
        raise RuntimeError("worker killed mid-batch")


def test_rebuild_gives_exactly_the_incremental_tables(app, tenant, database):
    build_province(app)
    # Incremental: small, uneven batches, several passes.
    for size in (1, 3, 7):
        for p in all_projections():
            engine.catch_up(database, tenant.schema, p, batch_size=size, max_batches=5)
    for done in engine.catch_up_all(database, tenant.schema, all_projections(), batch_size=2):
        assert done.error is None
    incremental = snapshot(database, tenant.schema)
    assert incremental["meetings"]
    assert incremental["org_closure_history"]
    for p in all_projections():
        rebuilt = engine.rebuild(database, tenant.schema, p)
        assert rebuilt.error is None
        assert rebuilt.start == 0
        assert rebuilt.position == app.log_position
    assert snapshot(database, tenant.schema) == incremental


def test_killed_mid_batch_then_resumed_equals_rebuild(app, tenant, database):
    build_province(app)
    engine.catch_up(database, tenant.schema, MEETINGS, batch_size=4, max_batches=2)
    before = positions(database, tenant.schema)["meetings"]
    rows_before = snapshot(database, tenant.schema)

    crashed = engine.catch_up(database, tenant.schema, CrashingProjection(MEETINGS), batch_size=50)
    # The error names the event it stopped at (the engine narrows a failed batch down).
    assert crashed.error.startswith("RuntimeError: worker killed mid-batch [event #")
    assert snapshot(database, tenant.schema) == rows_before  # rolled back, nothing half-written
    with database.connect() as conn:
        point = tracking.checkpoints(conn, tenant.schema)["meetings"]
    assert (point.position, point.error_position) == (before, before)
    assert point.last_error
    assert "killed" in point.last_error

    resumed = engine.catch_up(database, tenant.schema, MEETINGS, batch_size=50)
    assert resumed.error is None
    assert resumed.start == before
    with database.connect() as conn:
        assert tracking.checkpoints(conn, tenant.schema)["meetings"].last_error is None
    incremental = snapshot(database, tenant.schema)
    engine.rebuild(database, tenant.schema, MEETINGS)
    assert snapshot(database, tenant.schema) == incremental


def test_a_failing_projection_does_not_hold_up_the_others(app, tenant, database):
    build_province(app)
    broken = CrashingProjection(MEETINGS)
    others = [p for p in all_projections() if p.name != "meetings"]
    results = engine.catch_up_all(database, tenant.schema, [broken, *others])
    assert results[0].error is not None
    # Only what reads the meeting tables waits for them, without an error of its own.
    readers = {p.name for p in dependents("meetings")}
    assert readers == {"rollup"}
    assert all(r.error is None for r in results[1:])
    assert all(r.position == app.log_position for r in results[1:] if r.projection not in readers)
    status = {s.projection: s for s in engine.status(database, tenant.schema, all_projections())}
    assert status["meetings"].lag == app.log_position
    assert status["meetings"].error
    assert status["rollup"].lag == app.log_position
    assert status["rollup"].error is None
    assert status["org_tree"].lag == 0
    assert status["roster"].lag == 0
    # Once meetings is mended, the rollup follows it to the head.
    engine.catch_up_all(database, tenant.schema, [MEETINGS, ROLLUP])
    status = {s.projection: s for s in engine.status(database, tenant.schema, all_projections())}
    assert status["meetings"].lag == status["rollup"].lag == 0


def test_duplicate_catch_up_changes_nothing(app, tenant, database):
    build_province(app)
    engine.catch_up_all(database, tenant.schema, all_projections())
    once = snapshot(database, tenant.schema)
    again = engine.catch_up_all(database, tenant.schema, all_projections())
    assert all(r.events == 0 for r in again)
    assert snapshot(database, tenant.schema) == once


def test_a_pair_locked_by_another_worker_is_left_alone(app, tenant, database):
    build_province(app)
    with database.connect(autocommit=False) as holder:
        holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (engine.lock_key(tenant.schema, "meetings"),),
        )
        busy = engine.catch_up(database, tenant.schema, MEETINGS)
        free = engine.catch_up(database, tenant.schema, all_projections()[0])
        holder.rollback()
    assert busy.busy
    assert busy.events == 0
    assert positions(database, tenant.schema).get("meetings", 0) == 0
    assert not free.busy
    assert free.position == app.log_position
    assert engine.catch_up(database, tenant.schema, MEETINGS).position == app.log_position


def test_checkpoint_never_moves_back(tenant, database):
    with database.connect(autocommit=False) as conn, conn.transaction():
        assert tracking.advance(conn, tenant.schema, "x", 10)
        assert not tracking.advance(conn, tenant.schema, "x", 10)
        assert not tracking.advance(conn, tenant.schema, "x", 4)
        assert tracking.read_position(conn, tenant.schema, "x") == 10


class TestTrackingTable(TrackingRecorderTestCase):
    """The library's own suite for tracking recorders, on our table in a tenant schema."""

    @pytest.fixture(autouse=True)
    def _tenant(self, tenant: Any, database: Any) -> None:
        self.recorder = TrackingTable(database, tenant.schema)
        self.recorder.create_table()

    def create_recorder(self) -> TrackingTable:
        return self.recorder


def test_back_dated_meetings_and_corrections_keep_streaks_exact(app, tenant, database):
    """Streaks continue from saved state; out-of-order seats and corrections recompute."""
    from datetime import date

    from domain.base import SYSTEM
    from domain.meeting_values import AttendanceEntry, AttendanceMark
    from tests.integration.test_projection_rollups import (
        DOWN_TO_G,
        caught_up,
        enrol,
        founded,
        hold,
        streaks_of,
    )

    p = founded(app, *DOWN_TO_G, ("C", Level.CELL, "G"))
    enrol(app, p, "C", "abc")

    def streaks() -> dict[tuple[int, int], int]:
        return {(y, m): s for y, m, s in streaks_of(database, tenant.schema, p.members["c"])}

    def catch_up() -> None:
        caught_up(database, tenant.schema)

    march = hold(app, p, "C", date(2025, 3, 3), "PPE")
    catch_up()
    assert streaks() == {(2025, 3): 1}
    hold(app, p, "C", date(2025, 1, 3), "PPE")  # back-dated: recorded after March
    hold(app, p, "C", date(2025, 2, 3), "PPE")
    catch_up()
    assert streaks() == {(2025, 1): 1, (2025, 2): 2, (2025, 3): 3}
    hold(app, p, "C", date(2025, 4, 2), "PPE")
    catch_up()
    assert streaks()[2025, 4] == 4
    march.correct_attendance(
        [AttendanceEntry(p.members["c"], AttendanceMark.PRESENT)], "Ghi nhầm", SYSTEM
    )
    app.save_all(march)
    catch_up()
    assert streaks() == {(2025, 1): 1, (2025, 2): 2, (2025, 3): 0, (2025, 4): 1}
    incremental = snapshot(database, tenant.schema)
    engine.rebuild(database, tenant.schema, MEETINGS)
    assert snapshot(database, tenant.schema) == incremental


def test_two_engines_racing_on_one_pair_apply_each_batch_once(app, tenant, database):
    """Both loop with tiny batches; any batch applied twice would break a primary key."""
    import threading

    build_province(app)
    results: list[Any] = []

    def run() -> None:
        for _ in range(40):
            results.append(engine.catch_up(database, tenant.schema, MEETINGS, batch_size=2))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.error is None for r in results)
    assert positions(database, tenant.schema)["meetings"] == app.log_position
    assert (
        sum(r.events for r in results) == engine.rebuild(database, tenant.schema, MEETINGS).events
    )
