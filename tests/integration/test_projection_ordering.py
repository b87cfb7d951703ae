"""A late committer is never skipped: "id > checkpoint" is safe because writers serialise.

The library inserts under ``LOCK TABLE … IN EXCLUSIVE MODE`` taken before ``nextval``, held to
commit. So while one writer holds ids it has not committed, no later writer can be given
ids, let alone commit them: there is never a committed id above an uncommitted one. The test
holds a writer open (lock taken, event inserted, not committed), starts a second save through
the application, checks it is *waiting on the lock* rather than committing past the first,
runs the engine (which must not move), then commits the first and sees both processed.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from projections import engine
from projections.org_tree import ORG_TREE

pytestmark = pytest.mark.integration


def waiting_writers(database: Any, schema: str) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks AS l JOIN pg_class AS c ON c.oid = l.relation"
            " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE NOT l.granted AND c.relname = 'chibo_events' AND n.nspname = %s",
            (schema,),
        ).fetchone()
    return int(row[0]) if row else 0


def units(database: Any, schema: str) -> set[Any]:
    with database.connect() as conn:
        return {r[0] for r in conn.execute(f'SELECT id FROM "{schema}".org_units').fetchall()}


def test_a_held_writer_is_not_passed_and_is_processed_once_committed(app, tenant, database):
    first = OrgUnit.found(uuid4(), "Đảng bộ tỉnh A", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    app.save_all(first)
    assert engine.catch_up(database, tenant.schema, ORG_TREE).position == app.log_position
    checkpoint = app.log_position

    held = OrgUnit.found(uuid4(), "Giao dịch giữ", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    stored = app.mapper.to_stored_event(held.collect_events()[0])
    later = OrgUnit.found(uuid4(), "Giao dịch sau", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    with database.connect(autocommit=False) as writer:
        # Exactly what the library's insert does, stopped before commit.
        writer.execute(f'LOCK TABLE "{tenant.schema}".chibo_events IN EXCLUSIVE MODE')
        row = writer.execute(
            f'INSERT INTO "{tenant.schema}".chibo_events'
            " (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
            " RETURNING notification_id",
            (stored.originator_id, stored.originator_version, stored.topic, stored.state),
        ).fetchone()
        assert row is not None
        held_id = row[0]

        saved: list[int] = []
        thread = threading.Thread(target=lambda: saved.append(app.save_all(later)))
        thread.start()
        for _ in range(2000):  # until the later save is queued on the table lock
            if waiting_writers(database, tenant.schema):
                break
            time.sleep(0.005)
        assert waiting_writers(database, tenant.schema) == 1
        assert thread.is_alive()
        assert not saved

        stuck = engine.catch_up(database, tenant.schema, ORG_TREE)
        assert stuck.position == checkpoint
        assert stuck.events == 0
        assert units(database, tenant.schema) == {first.id}
        writer.commit()

    thread.join()
    assert saved
    assert saved[0] > held_id
    done = engine.catch_up(database, tenant.schema, ORG_TREE)
    assert done.start == checkpoint
    assert done.events == 2
    assert done.position == saved[0]
    assert units(database, tenant.schema) == {first.id, held.id, later.id}


def test_a_rolled_back_writer_leaves_a_gap_that_is_passed(app, tenant, database):
    """An aborted insert burns its id; the next commit is processed and the gap never fills."""
    unit = OrgUnit.found(uuid4(), "Đảng bộ tỉnh B", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    stored = app.mapper.to_stored_event(unit.collect_events()[0])
    with database.connect(autocommit=False) as writer:
        writer.execute(f'LOCK TABLE "{tenant.schema}".chibo_events IN EXCLUSIVE MODE')
        writer.execute(
            f'INSERT INTO "{tenant.schema}".chibo_events'
            " (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
            (stored.originator_id, stored.originator_version, stored.topic, stored.state),
        )
        writer.rollback()
    other = OrgUnit.found(uuid4(), "Đảng bộ tỉnh C", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    position = app.save_all(other)
    done = engine.catch_up(database, tenant.schema, ORG_TREE)
    assert done.position == position
    assert units(database, tenant.schema) == {other.id}
