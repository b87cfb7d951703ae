"""Time travel: an aggregate as of a position, a date or a version; replay-until into a schema."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from psycopg import sql

from domain.base import SYSTEM, NotFound
from domain.org_unit import Level, OrgUnit
from infra.audit.timetravel import NothingAtThatTime, aggregate_as_of, instant
from projections.engine import catch_up_all
from projections.registry import all_projections
from services.audit.replay import drop_replay, list_replays, position_at, replay_until

pytestmark = pytest.mark.integration


def history(app):
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    commune = OrgUnit.found(uuid4(), "Đảng ủy xã A", Level.DIRECT, root, date(2020, 1, 1), SYSTEM)
    app.save_all(root, commune)
    commune.rename("Đảng ủy xã B", SYSTEM)
    middle = app.save_all(commune)
    commune.rename("Đảng ủy xã C", SYSTEM)
    later = OrgUnit.found(uuid4(), "Đảng ủy phường D", Level.DIRECT, root, date(2025, 7, 1), SYSTEM)
    app.save_all(commune, later, root)
    return commune, later, middle


def test_aggregate_as_of_a_position_a_version_and_now(app):
    commune, _, middle = history(app)
    at_middle = aggregate_as_of(app, commune.id, position=middle)
    assert at_middle.state["name"] == "Đảng ủy xã B"
    assert (at_middle.version, at_middle.position, at_middle.latest_version) == (2, middle, 3)
    assert aggregate_as_of(app, commune.id, version=1).state["name"] == "Đảng ủy xã A"
    now = aggregate_as_of(app, commune.id)
    assert now.state["name"] == "Đảng ủy xã C"
    assert now.aggregate_type == "OrgUnit"
    assert now.state["level"] == "direct"
    assert now.state["parent_id"] is not None


def test_aggregate_as_of_a_date_uses_the_recorded_timestamps(app):
    commune, _, _ = history(app)
    assert (
        aggregate_as_of(
            app, commune.id, at=datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        ).version
        == 3
    )
    with pytest.raises(NothingAtThatTime):
        aggregate_as_of(app, commune.id, at=date(2020, 1, 1))
    first = app.repository.get(commune.id, version=1).modified_on
    assert aggregate_as_of(app, commune.id, at=first).version == 1


def test_unknown_aggregate_is_not_found(app):
    history(app)
    with pytest.raises(NotFound):
        aggregate_as_of(app, uuid4(), position=1)


def test_a_date_is_the_end_of_that_day_in_vietnam():
    assert instant(date(2025, 3, 31)) == datetime(2025, 3, 31, 17, 0, tzinfo=UTC)
    assert instant(datetime(2025, 3, 31, 8, 0, tzinfo=UTC)) > datetime(
        2025, 3, 31, 8, 0, tzinfo=UTC
    )


def test_replay_until_rebuilds_every_read_model_as_then_and_leaves_live_ones_alone(
    app, tenant, database
):
    commune, later, middle = history(app)
    catch_up_all(database, tenant.schema, all_projections())
    live = sql.Identifier(tenant.schema)
    with database.connect() as conn:
        live_before = conn.execute(
            sql.SQL("SELECT projection, position FROM {}.projection_tracking ORDER BY 1").format(
                live
            )
        ).fetchall()
    result = replay_until(database, tenant.schema, middle)
    try:
        replay = sql.Identifier(result.schema)
        assert result.schema == f"{tenant.schema}_replay_{middle}"
        assert "audit_chain" not in result.projections
        assert "org_tree" in result.projections
        with database.connect() as conn:
            names = dict(
                conn.execute(sql.SQL("SELECT id, name FROM {}.org_units").format(replay)).fetchall()
            )
            assert names[commune.id] == "Đảng ủy xã B"
            assert later.id not in names
            trail = conn.execute(
                sql.SQL("SELECT max(notification_id) FROM {}.audit_trail").format(replay)
            ).fetchone()
            assert trail == (middle,)
            assert conn.execute(
                sql.SQL("SELECT count(*) FROM {}.chibo_events").format(replay)
            ).fetchone() == (middle,)
            assert conn.execute(
                sql.SQL("SELECT position FROM {}.replay_info").format(replay)
            ).fetchone() == (middle,)
            live_names = dict(
                conn.execute(sql.SQL("SELECT id, name FROM {}.org_units").format(live)).fetchall()
            )
            assert live_names[commune.id] == "Đảng ủy xã C"
            assert later.id in live_names
            live_after = conn.execute(
                sql.SQL(
                    "SELECT projection, position FROM {}.projection_tracking ORDER BY 1"
                ).format(live)
            ).fetchall()
        assert live_after == live_before
        assert list_replays(database, tenant.schema) == [result.schema]
    finally:
        drop_replay(database, tenant.schema, middle)
    assert list_replays(database, tenant.schema) == []


def test_position_at_a_date(app, tenant, database):
    history(app)
    today = datetime.now(UTC).date()
    assert position_at(database, tenant.schema, today + timedelta(days=1)) == app.log_position
    assert position_at(database, tenant.schema, date(2020, 1, 1)) == 0
