"""Faults that stopped a province's read models (issue 13 §1): the empty log, poison events,
quarantine, and a rebuild started while another process holds the projection's lock."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any
from uuid import uuid4

import pytest

from projections import engine, installation
from projections.registry import all_projections
from tests.integration.queries import scalar
from tests.integration.test_projection_engine import positions
from tests.integration.test_projection_rollups import build_province
from tests.integration.test_workers import drain, runtime  # noqa: F401 (a fixture)

pytestmark = pytest.mark.integration


def test_a_tick_on_a_fresh_province_leaves_every_checkpoint_at_the_start(
    runtime,  # noqa: F811 (the fixture imported above)
    app,
    tenant,
    database,
):
    """Provision, let the worker tick before the first event, then write: all is projected."""
    with database.connect() as conn:
        empty = conn.execute(f'SELECT count(*) FROM "{tenant.schema}".chibo_events').fetchone()
    assert empty == (0,)  # provisioning writes no event: the log is empty at the tick
    runtime.tick()
    drain(runtime)
    assert set(positions(database, tenant.schema).values()) <= {0}

    build_province(app)
    runtime.notify_committed(tenant.slug)
    drain(runtime)
    head = app.log_position
    assert positions(database, tenant.schema) == {p.name: head for p in all_projections()}
    with database.connect() as conn:
        units = conn.execute(f'SELECT count(*) FROM "{tenant.schema}".org_units').fetchone()
    assert units is not None
    assert units[0] > 0
    assert all(s.lag == 0 for s in engine.status(database, tenant.schema, all_projections()))


def test_a_checkpoint_left_at_the_end_of_time_is_repaired(app, tenant, database):
    """A province hit by the old fault (checkpoints at 2**63-1) catches up again."""
    from projections import tracking

    with database.connect(autocommit=False) as conn, conn.transaction():
        tracking.install_tracking(conn, tenant.schema)
        for p in all_projections():
            tracking.advance(conn, tenant.schema, p.name, 2**63 - 1)
    build_province(app)
    installation.installed.clear()  # a new process: the repair runs once per process and pair
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None
    assert positions(database, tenant.schema) == {
        p.name: app.log_position for p in all_projections()
    }


@pytest.fixture
def env(database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _lock(conn: Any, schema: str, name: str) -> None:
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (engine.lock_key(schema, name),)
    )


def _waiters(database: Any) -> int:
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    return int(scalar(database, query) or 0)


def _wait_for_waiters(database: Any, count: int) -> None:
    """Until ``count`` sessions wait for an advisory lock (bounded, so a fault fails, not hangs)."""
    import time

    for _ in range(1500):
        if _waiters(database) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{count} waiting lock requests never appeared")


def _org_units(database: Any, schema: str) -> int:
    with database.connect() as conn:
        row = conn.execute(f'SELECT count(*) FROM "{schema}".org_units').fetchone()
    return int(row[0]) if row else 0


def test_a_rebuild_behind_a_busy_lock_waits_and_refills_the_tables(
    app, tenant, database, env, capsys
):
    """The reported run: a process holds the lock; the rebuild waits, drops, and the lock is
    taken again before its replay. It used to print ``ok`` and leave the tables empty."""
    import threading

    from services.cli import main

    build_province(app)
    engine.catch_up_all(database, tenant.schema, all_projections())
    full = _org_units(database, tenant.schema)
    assert full > 0
    stack = ExitStack()
    first = stack.enter_context(database.connect(autocommit=False))
    second_conn = stack.enter_context(database.connect(autocommit=False))
    _lock(first, tenant.schema, "org_tree")
    codes: list[int] = []
    rebuild = threading.Thread(
        target=lambda: codes.append(
            main(["projections", "rebuild", "--tenant", tenant.slug, "--projection", "org_tree"])
        )
    )
    rebuild.start()
    _wait_for_waiters(database, 1)  # the rebuild waits for the lock
    # A second process queues behind it: it gets the lock as soon as the drop commits.
    second = threading.Thread(target=_lock, args=(second_conn, tenant.schema, "org_tree"))
    second.start()
    _wait_for_waiters(database, 2)
    first.rollback()
    second.join()
    _wait_for_waiters(database, 1)  # the rebuild now waits for its replay, not "ok"
    assert rebuild.is_alive()
    second_conn.rollback()
    rebuild.join()
    stack.close()
    assert codes == [0]
    assert _org_units(database, tenant.schema) == full
    assert positions(database, tenant.schema)["org_tree"] == app.log_position


def test_a_rebuild_that_cannot_get_the_lock_fails_and_drops_nothing(
    app, tenant, database, env, capsys
):
    from services.cli import main

    build_province(app)
    engine.catch_up_all(database, tenant.schema, all_projections())
    full = _org_units(database, tenant.schema)
    with database.connect(autocommit=False) as holder:
        _lock(holder, tenant.schema, "org_tree")
        code = main(
            ["projections", "rebuild", "--tenant", tenant.slug, "--projection", "org_tree",
             "--wait", "0.5"]
        )  # fmt: skip
        holder.rollback()
    assert code != 0
    err = capsys.readouterr().err
    assert "org_tree" in err
    assert "đang bận" in err
    assert "busy" in err
    assert _org_units(database, tenant.schema) == full


class FailsOn:
    """A projection that cannot apply one event (as a value it cannot store would)."""

    def __init__(self, inner: Any, notification_id: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.topics = inner.topics
        self.bad = notification_id

    def install(self, conn: Any, schema: str) -> None:
        self.inner.install(conn, schema)

    def drop(self, conn: Any, schema: str) -> None:
        self.inner.drop(conn, schema)

    def apply(self, conn: Any, schema: str, events: Any) -> None:
        if any(e.notification_id == self.bad for e in events):
            raise ValueError("cannot store this value")
        self.inner.apply(conn, schema, events)


def _renamed_root(app: Any, names: list[str]) -> tuple[Any, list[int]]:
    from datetime import date
    from uuid import uuid4

    from domain.base import SYSTEM
    from domain.org_unit import Level, OrgUnit

    root = OrgUnit.found(uuid4(), names[0], Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    ids = [app.save_all(root)]
    for name in names[1:]:
        root.rename(name, SYSTEM)
        ids.append(app.save_all(root))
    return root, ids


def _unit_name(database: Any, schema: str, unit_id: Any) -> str:
    with database.connect() as conn:
        row = conn.execute(
            f'SELECT name FROM "{schema}".org_units WHERE id = %s', (unit_id,)
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_nul_character_already_in_the_log_stops_no_projection(app, tenant, database):
    """Events stored before the API refused control characters: every read model goes on."""
    root, ids = _renamed_root(app, ["Đảng bộ tỉnh", "Đảng bộ\x00 tỉnh", "Đảng bộ tỉnh Mới"])
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done
        assert done.position == ids[-1]
    assert _unit_name(database, tenant.schema, root.id) == "Đảng bộ tỉnh Mới"
    with database.connect() as conn:
        trail = conn.execute(
            f'SELECT count(*) FROM "{tenant.schema}".audit_trail WHERE notification_id = %s',
            (ids[1],),
        ).fetchone()
        stored = conn.execute(
            f'SELECT state FROM "{tenant.schema}".chibo_events WHERE notification_id = %s',
            (ids[1],),
        ).fetchone()
    assert trail == (1,)
    assert stored is not None
    assert b"\\u0000" in bytes(stored[0])  # the log keeps the original


def test_the_bad_event_is_named_and_everything_before_it_is_applied(app, tenant, database):
    from projections.org_tree import ORG_TREE
    from projections.poison import quarantine

    root, ids = _renamed_root(app, [f"Đảng bộ {i}" for i in range(12)])
    bad = ids[7]
    failing = FailsOn(ORG_TREE, bad)
    done = engine.catch_up(database, tenant.schema, failing)
    assert done.error is not None
    assert f"event #{bad}" in done.error
    assert positions(database, tenant.schema)["org_tree"] == ids[6]  # all before it applied
    assert _unit_name(database, tenant.schema, root.id) == "Đảng bộ 6"
    status = {s.projection: s for s in engine.status(database, tenant.schema, all_projections())}
    assert status["org_tree"].error is not None
    assert f"event #{bad}" in status["org_tree"].error

    with database.connect(autocommit=False) as conn, conn.transaction():
        quarantine(conn, tenant.schema, "org_tree", bad, "ops.nguyen", "tên hỏng / bad name")
    done = engine.catch_up(database, tenant.schema, failing)
    assert done.error is None
    assert done.position == ids[-1]
    assert _unit_name(database, tenant.schema, root.id) == "Đảng bộ 11"
    status = {s.projection: s for s in engine.status(database, tenant.schema, all_projections())}
    assert status["org_tree"].quarantined == (bad,)
    assert status["org_tree"].error is None
    assert status["audit_trail"].quarantined == ()
    with database.connect() as conn:
        kept = conn.execute(
            f'SELECT count(*) FROM "{tenant.schema}".chibo_events WHERE notification_id = %s',
            (bad,),
        ).fetchone()
    assert kept == (1,)


def test_quarantine_from_the_command_line_is_recorded_and_shown(app, tenant, database, env, capsys):
    from services.cli import main

    root, ids = _renamed_root(app, ["Đảng bộ A", "Đảng bộ B", "Đảng bộ C"])
    args = ["projections", "quarantine", "--tenant", tenant.slug, "--projection", "org_tree"]
    assert main([*args, "--event", str(ids[2]), "--reason", "thử / test", "--actor", "ops"]) == 0
    assert f"#{ids[2]}" in capsys.readouterr().out
    engine.catch_up_all(database, tenant.schema, all_projections())
    assert _unit_name(database, tenant.schema, root.id) == "Đảng bộ B"  # C was skipped
    assert main(["projections", "status", "--tenant", tenant.slug]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    org_tree = next(line for line in lines if line[1] == "org_tree")
    assert org_tree[5] == f"#{ids[2]}"
    with database.connect() as conn:
        row = conn.execute(
            f'SELECT actor, reason FROM "{tenant.schema}".projection_quarantine'
        ).fetchone()
    assert row == ("ops", "thử / test")
    # An event already applied cannot be quarantined: it is in the tables.
    assert main([*args, "--event", str(ids[1]), "--reason", "x"]) == 2
    assert "already applied" in capsys.readouterr().err


def test_a_nul_in_a_meeting_topic_already_in_the_log_stops_no_projection(app, tenant, database):
    """The reported case: a cell secretary's meeting topic (and place, agenda, minutes) with a
    NUL, stored before the API refused it, failed every batch of ``meetings`` and
    ``audit_trail`` for good. Every read model now applies it and the meetings after it."""
    from datetime import UTC, date, datetime

    from domain.base import SYSTEM
    from domain.meeting import Meeting
    from domain.meeting_values import MeetingKind
    from tests.integration.test_projection_rollups import hold

    p = build_province(app)
    poisoned = Meeting.schedule(
        uuid4(),
        p.id("C1"),
        MeetingKind.THEMATIC,
        (2025, 4),
        datetime(2025, 4, 2, 8, tzinfo=UTC),
        "Hội\x00 trường",
        ["Nội\x00 dung"],
        "Học tập\x00 Nghị quyết",
        SYSTEM,
    )
    app.save_all(poisoned)
    later = hold(app, p, "C1", date(2025, 4, 9), "PPPP")
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done
        assert done.position == app.log_position, done
    with database.connect() as conn:
        topic = conn.execute(
            f'SELECT topic FROM "{tenant.schema}".meetings WHERE id = %s', (poisoned.id,)
        ).fetchone()
        after = conn.execute(
            f'SELECT held_on FROM "{tenant.schema}".meetings WHERE id = %s', (later.id,)
        ).fetchone()
        trail = conn.execute(
            f'SELECT count(*) FROM "{tenant.schema}".audit_trail WHERE aggregate_id = %s',
            (poisoned.id,),
        ).fetchone()
        stored = conn.execute(
            f'SELECT state FROM "{tenant.schema}".chibo_events WHERE originator_id = %s',
            (poisoned.id,),
        ).fetchone()
    assert topic == ("Học tập\ufffd Nghị quyết",)  # the read model's stand-in character
    assert after == (date(2025, 4, 9),)
    assert trail == (1,)
    assert stored is not None
    assert b"\\u0000" in bytes(stored[0])  # the log keeps what was sent
