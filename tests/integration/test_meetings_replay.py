"""A replay (``MEETINGS.replaying``) leaves exactly the tables of the ordinary path, batch by batch.

Inside ``replaying`` the projection keeps every member's absence-streak state in memory between
batches instead of reading ``meeting_absence_state``; it must trust that state only while the
checkpoint is where its own last batch left it. It also stops writing that table (marked stale
in ``meeting_absence_cache``) until it has caught up (``settle``), and walks again, from memory,
the members marked on a meeting its previous batch opened. Each test applies the same batches
(same sizes, so the same ``meeting_cell_month.position``) once through the ordinary path and
once through the replay path, and compares the tables after every batch, every column: the
state table whenever it is not marked stale, and always once caught up. The cases: a province
with a back-dated meeting and attendance corrections (the members recomputed in full), a
synthetic year of meetings, another runner taking a batch in the middle of a replay, a replay
batch that fails, and a replay stopped and finished by ordinary catch-ups or by ``settle``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from typing import Any

import psycopg
import pytest

from bench.load import load
from bench.synthetic import Shape
from domain.base import SYSTEM
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.org_unit import Level
from infra.application import EVENTS_TABLE
from projections import engine, meetings, meetings_streaks, tracking
from projections import meetings_sql as sql
from projections.base import StoredEventRow
from projections.meetings import MEETINGS
from projections.meetings_sql import RECOMPUTE_SQL, TABLES
from projections.registry import all_projections
from tests.integration.test_projection_rollups import Province, build_province, found, hold

pytestmark = pytest.mark.integration

Snapshot = dict[str, Any]
CACHE = ("meeting_absence_state", "meeting_absence_cache")
FACTS = tuple(name for name in TABLES if name not in CACHE)
STALE = "stale"


def snapshot(database: Any, schema: str) -> Snapshot:
    """The tables, every column (``meeting_cell_month.position`` included), sorted; the
    streak states as ``STALE`` while a replay has them marked stale."""
    with database.connect() as conn:
        tables: Snapshot = {
            name: sorted(conn.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall(), key=repr)
            for name in TABLES
        }
    if tables["meeting_absence_cache"] != [(1, False)]:
        tables["meeting_absence_state"] = STALE
    return tables


def assert_same(replayed: list[Snapshot], ordinary: list[Snapshot]) -> list[bool]:
    """The replay's tables are the ordinary path's after every batch, its states too where not
    marked stale, and all of them once caught up; which of its batches left them stale."""
    assert len(replayed) == len(ordinary)
    for mine, theirs in zip(replayed, ordinary, strict=True):
        assert {n: mine[n] for n in FACTS} == {n: theirs[n] for n in FACTS}
        assert theirs["meeting_absence_state"] != STALE  # the ordinary path keeps it exact
        if mine["meeting_absence_state"] != STALE:
            assert mine == theirs
    assert replayed[-1] == ordinary[-1]
    return [s["meeting_absence_state"] == STALE for s in replayed]


def reset(database: Any, schema: str) -> None:
    """Empty tables and checkpoint, as ``engine.rebuild`` leaves them before its replay."""
    with database.connect(autocommit=False) as conn, conn.transaction():
        MEETINGS.drop(conn, schema)
        MEETINGS.install(conn, schema)
        tracking.reset(conn, schema, MEETINGS.name)


def position(database: Any, schema: str) -> int:
    with database.connect() as conn:
        return tracking.read_position(conn, schema, MEETINGS.name)


def in_another_thread(work: Callable[[], Any]) -> Any:
    """Run ``work`` as another runner would: not in the replaying thread."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


Step = tuple[str, int]
"""("replay" | "other", batch size): one batch by the replaying thread or by another runner."""


def run_steps(
    database: Any, schema: str, steps: Sequence[Step], replay: bool, projection: Any = MEETINGS
) -> list[Snapshot]:
    """Apply the batches of ``steps`` from empty tables, then the rest of the log in batches
    of the last size; the tables after each batch, then once caught up."""
    reset(database, schema)
    snapshots = []
    context: AbstractContextManager[Any] = MEETINGS.replaying(schema) if replay else nullcontext()
    head = position_of_head(database, schema)
    with context:
        plan = list(steps)
        while True:
            who, size = plan.pop(0) if plan else ("replay", steps[-1][1])
            before = position(database, schema)

            def batch(size: int = size) -> engine.CatchUp:
                return engine.catch_up(database, schema, projection, batch_size=size, max_batches=1)

            done = in_another_thread(batch) if who == "other" else batch()
            snapshots.append(snapshot(database, schema))
            if done.error is None and done.position >= head:
                break
            if done.error is not None:
                # A failed batch is narrowed down (smaller batches, each committed): the
                # checkpoint it reports is the one it left, never behind where it started.
                assert position(database, schema) == done.position >= before
        # Caught up: a catch-up with nothing left settles (if the last batch was a full one).
        engine.catch_up(database, schema, projection, batch_size=size)
        snapshots.append(snapshot(database, schema))
    return snapshots


def position_of_head(database: Any, schema: str) -> int:
    with database.connect() as conn:
        row = conn.execute(f'SELECT max(notification_id) FROM "{schema}".chibo_events').fetchone()
    return int(row[0] or 0) if row else 0


@pytest.fixture
def recomputes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The members of each full recompute (``RECOMPUTE_SQL``), as an array literal."""
    calls: list[str] = []
    real = meetings.run_sql

    def counting(conn: Any, schema: str, statement: str, **params: Any) -> Any:
        if statement is RECOMPUTE_SQL:
            calls.append(params["slow"])
        return real(conn, schema, statement, **params)

    monkeypatch.setattr(meetings, "run_sql", counting)
    return calls


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Each read of the saved states: None for the whole table (a replay's reseed)."""
    calls: list[str | None] = []
    real = meetings_streaks.load

    def counting(conn: Any, schema: str, members: str | None) -> Any:
        calls.append(members)
        return real(conn, schema, members)

    monkeypatch.setattr(meetings_streaks, "load", counting)
    return calls


def corrected_province(app: Any) -> Province:
    """The rollups' province, then a back-dated meeting and attendance corrections.

    C2 (e f g) had no regular meeting in February: one is recorded after March, so its
    members' seats come before their saved state. C1's March marks d present instead of
    excused, and February's d excused instead of unexcused, after April was held.
    """
    p = build_province(app)
    hold(app, p, "C2", date(2025, 2, 7), "PPE")
    april = hold(app, p, "C1", date(2025, 4, 2), "PPEE")
    hold(app, p, "C2", date(2025, 4, 3), "PPE")
    february, march = p.meetings[3], p.meetings[6]
    march.correct_attendance(
        [AttendanceEntry(p.members["d"], AttendanceMark.PRESENT)], "Ghi nhầm", SYSTEM
    )
    february.correct_attendance(
        [AttendanceEntry(p.members["d"], AttendanceMark.EXCUSED, "ốm")], "Có giấy", SYSTEM
    )
    april.correct_attendance(
        [AttendanceEntry(p.members["c"], AttendanceMark.PRESENT)], "Đến muộn", SYSTEM
    )
    app.save_all(march, february, april)
    return p


def members_of(literals: list[str]) -> set[str]:
    return {m for literal in literals for m in literal.strip("{}").split(",")}


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
def test_replay_equals_the_ordinary_path_batch_by_batch(
    app, tenant, database, loads, recomputes, size
):
    p = corrected_province(app)
    ordinary = run_steps(database, tenant.schema, [("replay", size)], replay=False)
    assert None not in loads
    loads.clear()
    recomputed = members_of(recomputes)
    recomputes.clear()
    replayed = run_steps(database, tenant.schema, [("replay", size)], replay=True)
    stale = assert_same(replayed, ordinary)
    # Stale while replaying, exact once caught up (a batch short of its size caught up).
    assert stale[0] == (size < 1000)
    assert not stale[-1]
    # The states were read once, at the first batch, then carried in memory.
    assert loads.count(None) == 1
    # The back-dated February and the corrections were recomputed in full.
    streaks = {(r[1], r[7]): r[9] for r in ordinary[-1]["meeting_attendance"] if r[5] == "regular"}
    d, g = p.members["d"], p.members["g"]
    # Only excused absences make a streak (HD 12 criterion 1): d is U, E, P, E after the
    # corrections; g is P, E (back-dated), U, E.
    assert [streaks[d, month] for month in (1, 2, 3, 4)] == [0, 1, 0, 1]
    assert [streaks[g, month] for month in (1, 2, 3, 4)] == [0, 1, 0, 1]
    # Only them: marks on a meeting the previous batch opened were walked again in memory.
    corrected = {str(p.members[n]) for n in "cdefg"}
    assert members_of(recomputes) <= corrected
    if size == 1:  # every cut falls between a meeting's opening and its marks
        assert recomputed - corrected


def test_a_rebuild_is_the_ordinary_path_with_the_same_batches(
    app, tenant, database, loads, monkeypatch
):
    p = corrected_province(app)
    # The log ends past the last meeting event: the checkpoint moves beyond the last batch.
    found(app, p, "C9", Level.CELL, "G1")
    statements: list[str] = []
    real = meetings_streaks.run_sql

    def recording(conn: Any, schema: str, statement: str, **params: Any) -> Any:
        statements.append(statement)
        return real(conn, schema, statement, **params)

    monkeypatch.setattr(meetings_streaks, "run_sql", recording)
    done = engine.rebuild(database, tenant.schema, MEETINGS, batch_size=5)
    assert done.error is None
    rebuilt = snapshot(database, tenant.schema)
    assert loads.count(None) == 1
    # Settled from memory, not from the seats.
    assert sql.CLEAR_STATES_SQL in statements
    assert sql.STATES_FROM_SEATS_SQL not in statements
    ordinary = run_steps(database, tenant.schema, [("replay", 5)], replay=False)
    assert rebuilt == ordinary[-1]
    assert rebuilt["meeting_absence_state"]


@pytest.fixture
def synthetic(tenant, database) -> None:
    load(database, tenant.schema, Shape(seed=11, scale=0.003))


def test_a_synthetic_year_replays_exactly(synthetic, tenant, database, loads):
    ordinary = run_steps(database, tenant.schema, [("replay", 400)], replay=False)
    replayed = run_steps(database, tenant.schema, [("replay", 400)], replay=True)
    assert len(replayed) > 3
    # Stale until the last batch (short of its size: caught up, settled).
    assert assert_same(replayed, ordinary) == [True] * (len(replayed) - 2) + [False, False]
    assert loads.count(None) == 1
    assert any(r[9] >= 3 for r in ordinary[-1]["meeting_attendance"])


def test_a_batch_by_another_runner_mid_replay_is_noticed(synthetic, tenant, database, loads):
    # Three replay batches, one batch of another runner (its seats continue the streaks the
    # replay holds in memory, so it first makes the state table exact from the seats), then
    # the replay again: its memory is stale and must be read again from the table, once.
    steps: list[Step] = [("replay", 300)] * 3 + [("other", 500), ("replay", 300)]
    ordinary = run_steps(database, tenant.schema, steps, replay=False)
    loads.clear()
    replayed = run_steps(database, tenant.schema, steps, replay=True)
    stale = assert_same(replayed, ordinary)
    assert stale[:5] == [True, True, True, False, True]  # compared exactly after the other's
    assert loads.count(None) == 2


class FailingOnce:
    """MEETINGS, whose ``fail_at``-th batch raises after (or while) it was applied."""

    def __init__(self, fail_at: int, where: str) -> None:
        self.name, self.topics = MEETINGS.name, MEETINGS.topics
        self.install, self.drop = MEETINGS.install, MEETINGS.drop
        self.replaying, self.settle = MEETINGS.replaying, MEETINGS.settle
        self.discard = MEETINGS.discard
        self.fail_at, self.where, self.batches = fail_at, where, 0

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        self.batches += 1
        if self.batches != self.fail_at:
            MEETINGS.apply(conn, schema, events)
        elif self.where == "after":
            MEETINGS.apply(conn, schema, events)
            raise RuntimeError("killed after the batch was applied")
        else:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(meetings_streaks, "walk", _walk_then_fail)
                MEETINGS.apply(conn, schema, events)


_walk = meetings_streaks.walk


def _walk_then_fail(*args: Any) -> None:
    _walk(*args)
    raise RuntimeError("killed once the streaks were walked in memory")


@pytest.mark.parametrize("where", ["after", "inside"])
def test_a_failed_replay_batch_leaves_no_state_believed(synthetic, tenant, database, loads, where):
    ordinary = run_steps(database, tenant.schema, [("replay", 300)], replay=False)
    loads.clear()
    failing = FailingOnce(fail_at=3, where=where)
    replayed = run_steps(
        database, tenant.schema, [("replay", 300)], replay=True, projection=failing
    )
    assert failing.batches > 3  # it failed once, then went on
    # The engine narrowed the failed batch down and applied it in smaller batches, so the
    # cuts differ from the ordinary path's (and with them ``meeting_cell_month.position``,
    # the batch that last wrote a row); once caught up, every other value is the same, the
    # streak states included: none of the rolled-back batch was believed.
    assert without_positions(replayed[-1]) == without_positions(ordinary[-1])
    assert replayed[-1]["meeting_absence_state"] != STALE
    # Read at the first batch, and again after the failure (not trusted).
    assert loads.count(None) == 2


def without_positions(tables: Snapshot) -> Snapshot:
    """``tables`` without the last column of ``meeting_cell_month`` (its batch's position)."""
    return {**tables, "meeting_cell_month": [row[:-1] for row in tables["meeting_cell_month"]]}


def test_a_rolled_back_batch_is_discarded_from_the_replay_state(synthetic, tenant, database):
    """The engine tells the projection of every batch that did not commit (``discard``)."""
    reset(database, tenant.schema)
    failing = FailingOnce(fail_at=2, where="after")
    with MEETINGS.replaying(tenant.schema):
        engine.catch_up(database, tenant.schema, failing, batch_size=300, max_batches=1)
        replay = MEETINGS._replay(tenant.schema)
        assert replay is not None
        assert replay.position is not None
        with database.connect(autocommit=False) as conn, pytest.raises(RuntimeError):
            engine.run_batch(conn, tenant.schema, failing, 300)
        assert replay.position is None
        assert not replay.states


def test_a_replay_stopped_mid_way_is_finished_by_ordinary_catch_ups(synthetic, tenant, database):
    ordinary = run_steps(database, tenant.schema, [("replay", 350)], replay=False)
    reset(database, tenant.schema)
    with MEETINGS.replaying(tenant.schema):
        engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=3)
    assert snapshot(database, tenant.schema)["meeting_absence_state"] == STALE
    # The first ordinary batch makes the states exact from the seats, then continues them.
    engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=1)
    assert snapshot(database, tenant.schema) == ordinary[3]
    while engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=1).events:
        pass
    assert snapshot(database, tenant.schema) == ordinary[-1]


def ordinary_then_emptied(database: Any, schema: str, max_batches: int) -> Snapshot:
    """The tables after an ordinary catch-up of ``max_batches`` batches of 350; the tables are
    emptied again for the replay to compare with it."""
    reset(database, schema)
    engine.catch_up(database, schema, MEETINGS, batch_size=350, max_batches=max_batches)
    ordinary = snapshot(database, schema)
    reset(database, schema)
    return ordinary


def test_a_replay_stopped_mid_way_is_made_exact_by_settle(synthetic, tenant, database):
    ordinary = ordinary_then_emptied(database, tenant.schema, max_batches=3)
    with MEETINGS.replaying(tenant.schema):
        engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=3)
    assert snapshot(database, tenant.schema)["meeting_absence_state"] == STALE
    # Settled by another runner (or this one, after its replay): no memory to flush.
    settle(database, tenant.schema)
    assert snapshot(database, tenant.schema) == ordinary


def settle(database: Any, schema: str) -> None:
    with database.connect(autocommit=False) as conn, conn.transaction():
        MEETINGS.settle(conn, schema)


def test_a_replay_settles_from_memory_only_at_its_own_checkpoint(
    synthetic, tenant, database, monkeypatch
):
    ordinary = ordinary_then_emptied(database, tenant.schema, max_batches=2)
    with MEETINGS.replaying(tenant.schema):
        engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=2)
        with monkeypatch.context() as patch:
            patch.setattr(meetings_streaks, "make_exact", None)  # from memory, not the seats
            settle(database, tenant.schema)
        assert snapshot(database, tenant.schema) == ordinary
        engine.catch_up(database, tenant.schema, MEETINGS, batch_size=350, max_batches=1)
        assert snapshot(database, tenant.schema)["meeting_absence_state"] == STALE
        # Another runner moves the checkpoint past a meeting event (past any other event the
        # memory would still hold): the memory, emptied here, is not used.
        with database.connect(autocommit=False) as conn, conn.transaction():
            at = tracking.read_position(conn, tenant.schema, MEETINGS.name)
            row = conn.execute(
                f'SELECT min(notification_id) FROM "{tenant.schema}".{EVENTS_TABLE}'
                " WHERE notification_id > %s AND topic = ANY(%s)",
                (at, list(MEETINGS.topics)),
            ).fetchone()
            assert row is not None
            assert row[0] is not None
            tracking.advance(conn, tenant.schema, MEETINGS.name, row[0])
        MEETINGS._local.replay.states.clear()
        settle(database, tenant.schema)
        settled = snapshot(database, tenant.schema)
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (member_id) member_id, year, month, held_on, meeting_id, streak"
            f" FROM \"{tenant.schema}\".meeting_attendance WHERE kind = 'regular'"
            " ORDER BY member_id, year DESC, month DESC, held_on DESC, meeting_id DESC"
        ).fetchall()
    assert settled["meeting_absence_state"] == sorted(rows, key=repr)
    assert rows
    assert settled["meeting_absence_state"] != ordinary["meeting_absence_state"]  # moved on


def test_replay_state_belongs_to_its_thread_and_schema(app, tenant, database):
    build_province(app)
    for p in all_projections():
        engine.catch_up(database, tenant.schema, p)
    with MEETINGS.replaying("another_schema"):
        # Not this schema's replay: the ordinary path, nothing kept.
        reset(database, tenant.schema)
        engine.catch_up(database, tenant.schema, MEETINGS, batch_size=4, max_batches=2)
        state = MEETINGS._local.replay
        assert state.schema == "another_schema"
        assert state.position is None
        assert not state.states
        with MEETINGS.replaying(tenant.schema):
            in_another_thread(
                lambda: engine.catch_up(database, tenant.schema, MEETINGS, batch_size=4)
            )
            assert not MEETINGS._local.replay.states  # the other thread's batches kept nothing
        assert MEETINGS._local.replay is state
    assert getattr(MEETINGS._local, "replay", None) is None
