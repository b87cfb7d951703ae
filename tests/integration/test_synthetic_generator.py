"""The benchmark's synthetic province: repeatable for a seed, loadable, and true to the domain.

A tiny scale of the same generator the benchmark runs at full size: its events are decoded by
the real mapper and replayed into the real aggregates, and its figures fall in the ranges the
generator promises (attendance about 90%, ratings mostly Tốt/Khá, some late and missing
meetings, quarterly thematic meetings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import sql

from bench.load import drop, load, province
from bench.synthetic import Shape, generate
from domain.meeting import Meeting, MeetingKind
from domain.meeting_values import AttendanceMark
from domain.member import Member, MemberStatus
from domain.org_unit import ALLOWED_PARENTS, Level, OrgUnit
from domain.quality import Rating
from infra.application import TenantApplication
from infra.database import Database
from infra.mapper import MsgspecMapper
from infra.tenancy import Tenant
from services.bootstrap import Container

pytestmark = pytest.mark.integration

TINY = Shape(seed=11, scale=0.003)  # 18 cells, a few hundred members, a year of meetings


def stored(shape: Shape) -> Iterator[tuple[object, ...]]:
    mapper = MsgspecMapper()
    for save in generate(shape):
        for event in save:
            s = mapper.to_stored_event(event)
            yield s.originator_id, s.originator_version, s.topic, s.state


def test_the_same_seed_gives_the_same_log_byte_for_byte() -> None:
    first = list(stored(TINY))
    assert first == list(stored(TINY))
    assert first != list(stored(Shape(seed=12, scale=TINY.scale)))
    assert len(first) > 5_000


@pytest.fixture
def loaded(database: Database, tenant: Tenant, app: TenantApplication) -> tuple[int, list[Any]]:
    count = load(database, tenant.schema, TINY)
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT originator_id, topic FROM {}.chibo_events"
                " WHERE originator_version = 1 ORDER BY notification_id"
            ).format(sql.Identifier(tenant.schema))
        ).fetchall()
    aggregates: list[Any] = [app.repository.get(originator_id) for originator_id, _ in rows]
    return count, aggregates


def test_loaded_events_replay_into_the_real_aggregates(
    loaded: tuple[int, list[Any]], database: Database, tenant: Tenant
) -> None:
    count, aggregates = loaded
    with database.connect() as conn:
        ids = conn.execute(
            sql.SQL("SELECT min(notification_id), max(notification_id), count(*) FROM {}").format(
                sql.Identifier(tenant.schema, "chibo_events")
            )
        ).fetchone()
    assert ids == (1, count, count)  # COPY gave gap-free ids in generation order
    units = [a for a in aggregates if isinstance(a, OrgUnit)]
    by_id = {u.id: u for u in units}
    assert [u.level for u in units].count(Level.PROVINCE) == 1
    for unit in units:
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        assert (parent.level if parent else None) in ALLOWED_PARENTS[unit.level] or (
            parent is None and unit.level is Level.PROVINCE
        )
        assert unit.child_ids == {u.id for u in units if u.parent_id == unit.id}
    cells = [u for u in units if u.level.holds_meetings]
    assert len(cells) == TINY.cells
    members = [a for a in aggregates if isinstance(a, Member)]
    assert 5 * len(cells) <= len(members) <= 60 * len(cells)
    surnames = Counter(m.full_name.split()[0] for m in members)
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    for meeting in (a for a in aggregates if isinstance(a, Meeting)):
        if meeting.is_closed and meeting.kind is not MeetingKind.COMMITTEE_PREMEETING:
            assert not meeting.unmarked
            assert meeting.minutes_approved
            assert all(motion.is_decided for motion in meeting.motions.values())


def test_figures_fall_in_the_promised_ranges(loaded: tuple[int, list[Any]]) -> None:
    _, aggregates = loaded
    meetings = [a for a in aggregates if isinstance(a, Meeting)]
    regular = [m for m in meetings if m.kind is MeetingKind.REGULAR]
    held = [m for m in regular if m.is_closed]
    marks = Counter(mark for m in held for mark in m.attendance.values())
    rate = marks[AttendanceMark.PRESENT] / sum(marks.values())
    assert 0.85 <= rate <= 0.95
    assert marks[AttendanceMark.EXCUSED] > marks[AttendanceMark.UNEXCUSED] > 0
    ratings = Counter(m.quality_rating for m in held)
    assert (ratings[Rating.TOT] + ratings[Rating.KHA]) / len(held) >= 0.8
    assert any(m.is_late for m in held)
    cell_months = TINY.cells * 12
    assert len(held) < cell_months  # some months have no regular meeting
    assert len(held) > 0.95 * cell_months
    thematic = [m for m in meetings if m.kind is MeetingKind.THEMATIC and m.is_closed]
    assert 0.6 * TINY.cells * 4 <= len(thematic) <= TINY.cells * 4
    assert any(m.kind is MeetingKind.COMMITTEE_PREMEETING for m in meetings)
    assert any(
        motion.ballots for m in held for motion in m.motions.values()
    )  # roll-call recognition votes
    recognised = [
        a
        for a in aggregates
        if isinstance(a, Member)
        and a.status is MemberStatus.OFFICIAL
        and a.admitted_on.year >= 2024
    ]
    assert recognised  # probationary members recognised as official during the year


def test_a_complete_province_is_reused_and_an_incomplete_one_is_redone(
    container: Container,
) -> None:
    shape = Shape(seed=3, scale=0.001)
    try:
        first = province(container, shape, reuse=True)
        again = province(container, shape, reuse=True)
        assert (again.events, again.seconds) == (first.events, 0.0)
        assert again.tenant == first.tenant
        with container.database.connect() as conn:
            conn.execute(
                sql.SQL("DELETE FROM {}").format(sql.Identifier(first.tenant.schema, "bench_meta"))
            )
        redone = province(container, shape, reuse=True)
        assert redone.seconds > 0
        assert redone.events == first.events
    finally:
        drop(container.database, shape.slug)
