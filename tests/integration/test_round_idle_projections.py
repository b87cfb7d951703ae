"""A catch-up round moves the projections with nothing to apply in one transaction
(``projections.scheduler.advance_idle``) and still ends with the same read models as a rebuild."""

from __future__ import annotations

from datetime import date

import pytest

from projections import engine
from projections.registry import all_projections
from projections.scheduler import advance_idle, catch_up_round
from tests.integration.test_projection_engine import positions, snapshot
from tests.integration.test_projection_rollups import build_province, hold

pytestmark = pytest.mark.integration


def test_only_projections_without_new_topics_are_moved_and_the_round_stays_exact(
    app, tenant, database
):
    province = build_province(app)
    assert not catch_up_round(database, tenant.schema, all_projections()).errors
    before = positions(database, tenant.schema)
    # One more meeting: meeting topics only.
    hold(app, province, "C1", date(2025, 4, 2), "PPPP")
    head = app.log_position
    with database.connect() as conn:
        written = {
            r[0]
            for r in conn.execute(
                f'SELECT topic FROM "{tenant.schema}".chibo_events WHERE notification_id > %s',
                (max(before.values()),),
            ).fetchall()
        }
    idle = advance_idle(database, tenant.schema, all_projections())
    after = positions(database, tenant.schema)
    for p in all_projections():
        concerned = bool(written & set(p.topics))
        assert (p.name in idle) == (not concerned), p.name
        assert after[p.name] == (head if p.name in idle else before[p.name]), p.name
    assert "meetings" not in idle
    assert "org_tree" in idle

    assert not catch_up_round(database, tenant.schema, all_projections()).errors
    assert set(positions(database, tenant.schema).values()) == {head}
    caught_up = snapshot(database, tenant.schema)
    for p in all_projections():
        engine.rebuild(database, tenant.schema, p)
    assert snapshot(database, tenant.schema) == caught_up


def test_a_pair_held_by_another_worker_is_left_to_the_engine(app, tenant, database):
    province = build_province(app)
    catch_up_round(database, tenant.schema, all_projections())
    hold(app, province, "C2", date(2025, 4, 3), "PPP")
    with database.connect(autocommit=False) as other, other.transaction():
        other.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (engine.lock_key(tenant.schema, "org_tree"),),
        )
        idle = advance_idle(database, tenant.schema, all_projections())
    assert "org_tree" not in idle
    assert idle  # the others with nothing to apply did move


@pytest.mark.parametrize("new_meeting", [False, True])
def test_work_left_deferred_is_settled_by_the_next_round(app, tenant, database, new_meeting):
    """``settle`` now runs inside the batch that caught up and is skipped when that batch's
    apply left nothing deferred: a rollup left pending (as a rebuild or an install leaves it)
    and a stale streak table must still be made whole by the next round, whether or not it
    has events to apply."""
    province = build_province(app)
    assert not catch_up_round(database, tenant.schema, all_projections()).errors
    with database.connect() as conn:
        conn.execute(f'UPDATE "{tenant.schema}".rollup_state SET full_pending = true')
        conn.execute(f'TRUNCATE "{tenant.schema}".rollup_node_month')
        conn.execute(f'UPDATE "{tenant.schema}".meeting_absence_cache SET stale = true')
        conn.execute(f'TRUNCATE "{tenant.schema}".meeting_absence_state')
    if new_meeting:
        hold(app, province, "C1", date(2025, 5, 6), "PEEP")
    assert not catch_up_round(database, tenant.schema, all_projections()).errors
    caught_up = snapshot(database, tenant.schema)
    assert caught_up["rollup_node_month"]
    assert caught_up["meeting_absence_state"]
    for p in all_projections():
        engine.rebuild(database, tenant.schema, p)
    assert snapshot(database, tenant.schema) == caught_up
