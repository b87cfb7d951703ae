"""Supervision services on the real database: transactions, rotation from meetings, read model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from psycopg import sql

from domain.attendance_plan import Assignee, AssigneeRole
from domain.meeting import Meeting
from domain.meeting_errors import MeetingIsClosed
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.member import DepartureReason
from domain.org_unit import Level
from domain.petition import CompetentLevel
from domain.quality import Rating
from domain.rotation import CarryReason, RotationSchedule
from infra.application import TenantApplication
from infra.database import Database
from infra.tenancy import Tenant
from projections import engine
from projections.org_tree import ORG_TREE
from projections.supervision import SUPERVISION
from services.errors import StaleWrite
from services.meetings import commands as meetings
from services.membership import org
from services.supervision import attendance, petitions, rotation
from services.supervision.common import PetitionInput
from tests.builders import ADMIN as BY
from tests.builders import official, opened_meeting, unit_chain

pytestmark = pytest.mark.integration

TEAM = Assignee("u-1", "Tổ công tác số 1", AssigneeRole.COMMITTEE_MEMBER, "Huyện ủy viên")


def build(app: TenantApplication) -> dict[str, Any]:
    day = date(2015, 1, 1)
    chain = (
        ("Tỉnh", Level.PROVINCE),
        ("Huyện ủy", Level.DIRECT),
        ("Đảng bộ xã", Level.GRASSROOTS_COMMITTEE),
        ("Chi bộ thôn", Level.CELL),
    )
    province, district, _, cell = unit_chain(app, BY, chain, founded_on=day)
    members = [
        official(
            app, BY, cell, name, birth_date=date(1970, 1, 1), admitted_on=date(2000, 1, 1),
            official_on=date(2001, 1, 1), joined_cell_on=day,
        ).id
        for name in ("Nguyễn An", "Lê Bình", "Trần Cường")
    ]  # fmt: skip
    return {"province": province, "district": district, "cell": cell, "m": members}


def held(app: TenantApplication, cell: UUID, day: date, chair: UUID, secretary: UUID) -> UUID:
    at = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
    return opened_meeting(app, BY, cell, at, chair, secretary, place="Nhà văn hóa")


def close(app: TenantApplication, meeting_id: UUID, marks: dict[UUID, AttendanceMark]) -> None:
    entries = [
        AttendanceEntry(m, mark, "ốm" if mark is not AttendanceMark.PRESENT else "")
        for m, mark in marks.items()
    ]
    meetings.mark_attendance(app, BY, meeting_id=meeting_id, entries=entries, expected=None)
    meetings.record_minutes(app, BY, meeting_id=meeting_id, text="Biên bản", expected=None)
    meetings.close(
        app, BY, meeting_id=meeting_id, ended_at=datetime(2019, 12, 31, tzinfo=UTC), expected=None
    )


def assign_team(
    app: TenantApplication, plan_id: UUID, cell: UUID, month: date, expected: int | None = None
) -> UUID:
    """The working team (tổ công tác) assigned to attend the cell's meeting of ``month``;
    the assignment's id."""
    _, aid, _ = attendance.assign(
        app, BY, plan_id=plan_id, assignee=TEAM, cell_id=cell, month=month, expected=expected
    )
    return aid


def report(
    app: TenantApplication,
    plan_id: UUID,
    aid: UUID,
    on: date,
    observations: str,
    rating: Rating,
    petitions: list[PetitionInput],
) -> list[UUID]:
    """The team's report on the meeting it attended, with the petitions raised there; their ids."""
    content = {"observations": observations, "quality": rating, "petitions": petitions}
    _, ids, _ = attendance.file_report(
        app, BY, plan_id=plan_id, assignment_id=aid, filed_on=on, **content
    )
    return ids


def died(app: TenantApplication, member: UUID) -> None:
    """The member died on 20 January 2019 and left the cell."""
    org.member_leaves(
        app,
        BY,
        member_id=member,
        reason=DepartureReason.DECEASED,
        on=date(2019, 1, 20),
        note="",
        expected=None,
    )


def test_attendance_saves_plan_and_guest_in_one_transaction(app: TenantApplication) -> None:
    t = build(app)
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["district"], year=2019, quarter=None, title="Kế hoạch 2019"
    )
    aid = assign_team(app, plan.id, t["cell"], date(2019, 3, 1))
    meeting_id = held(app, t["cell"], date(2019, 3, 4), t["m"][0], t["m"][1])
    _, settled, _ = attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=meeting_id, assignee=None, assignment_id=aid
    )
    assert settled == aid
    meeting: Any = app.repository.get(meeting_id)
    assert isinstance(meeting, Meeting)
    assert [g.assignee_id for g in meeting.guests.values()] == [aid]


def test_attendance_at_a_closed_meeting_saves_nothing(app: TenantApplication) -> None:
    t = build(app)
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["district"], year=2019, quarter=None, title="Kế hoạch 2019"
    )
    meeting_id = held(app, t["cell"], date(2019, 3, 4), t["m"][0], t["m"][1])
    close(app, meeting_id, dict.fromkeys(t["m"], AttendanceMark.PRESENT))
    with pytest.raises(MeetingIsClosed):
        attendance.record_attendance(
            app, BY, plan_id=plan.id, meeting_id=meeting_id, assignee=TEAM, assignment_id=None
        )
    assert app.repository.get(plan.id).assignments == {}


def test_stale_plan_write_is_refused(app: TenantApplication) -> None:
    t = build(app)
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["district"], year=2019, quarter=None, title="Kế hoạch 2019"
    )
    assign_team(app, plan.id, t["cell"], date(2019, 3, 1), expected=1)
    with pytest.raises(StaleWrite):
        assign_team(app, plan.id, t["cell"], date(2019, 4, 1), expected=1)


def test_report_petitions_are_saved_with_the_report(app: TenantApplication) -> None:
    t = build(app)
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["district"], year=2019, quarter=None, title="Kế hoạch 2019"
    )
    meeting_id = held(app, t["cell"], date(2019, 4, 1), t["m"][0], t["m"][1])
    _, aid, _ = attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=meeting_id, assignee=TEAM, assignment_id=None
    )
    items = [PetitionInput("Đường liên thôn", "hạ tầng", CompetentLevel.PROVINCE)]
    ids = report(app, plan.id, aid, date(2019, 4, 2), "Tốt", Rating.TOT, items)
    petition: Any = app.repository.get(ids[0])
    # 15 working days from Monday 1 April 2019, skipping Hùng Kings' day (Sunday 14 April,
    # observed on Monday 15 April); without the holiday it would be 22 April.
    assert petition.raised_on == date(2019, 4, 1)
    assert petition.due_on == date(2019, 4, 23)
    unit = petitions.competent_unit(app, t["cell"], CompetentLevel.PROVINCE)
    assert unit.id == t["province"]


def test_rotation_follows_meetings_and_the_roster(app: TenantApplication) -> None:
    t = build(app)
    an, binh, cuong = t["m"]
    m1 = held(app, t["cell"], date(2019, 1, 3), binh, cuong)
    # Recorded through the meeting's one command: the turn is taken at once, settling keeps it.
    meetings.record_self_criticism(app, BY, meeting_id=m1, member_id=binh, expected=None)
    close(
        app,
        m1,
        {an: AttendanceMark.EXCUSED, binh: AttendanceMark.PRESENT, cuong: AttendanceMark.PRESENT},
    )
    schedule, _ = rotation.settle_turns(app, BY, meeting_id=m1)
    assert schedule.carried[an][1] is CarryReason.ABSENT
    assert binh in schedule.taken
    died(app, cuong)
    m2 = held(app, t["cell"], date(2019, 2, 4), an, binh)
    meetings.record_self_criticism(app, BY, meeting_id=m2, member_id=an, expected=None)
    stored: Any = app.repository.get(schedule.id)
    assert isinstance(stored, RotationSchedule)
    assert cuong in stored.dropped
    assert stored.coverage().rate == 1.0


def rows(database: Database, schema: str, name: str) -> set[tuple[Any, ...]]:
    with database.connect() as conn:
        return set(
            conn.execute(
                sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
            ).fetchall()
        )


def test_projection_in_small_batches_equals_a_rebuild(
    app: TenantApplication, database: Database, tenant: Tenant
) -> None:
    t = build(app)
    an, binh, cuong = t["m"]
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["district"], year=2019, quarter=None, title="Kế hoạch 2019"
    )
    aid = assign_team(app, plan.id, t["cell"], date(2019, 1, 1))
    attendance.record_contact(
        app, BY, plan_id=plan.id, assignment_id=aid, on=date(2018, 12, 28), note=""
    )
    m1 = held(app, t["cell"], date(2019, 1, 3), an, binh)
    attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=m1, assignee=None, assignment_id=aid
    )
    # Bình volunteers; An, first in order, is carried over
    meetings.record_self_criticism(app, BY, meeting_id=m1, member_id=binh, expected=None)
    clean_water = PetitionInput("Nước sạch", "dân sinh", CompetentLevel.COMMUNE_DISTRICT)
    ids = report(app, plan.id, aid, date(2019, 1, 4), "Khá", Rating.KHA, [clean_water])
    close(
        app,
        m1,
        {an: AttendanceMark.PRESENT, binh: AttendanceMark.PRESENT, cuong: AttendanceMark.EXCUSED},
    )
    rotation.settle_turns(app, BY, meeting_id=m1)
    petitions.forward(app, BY, petition_id=ids[0], on=date(2019, 1, 5))
    petitions.accept(app, BY, petition_id=ids[0], on=date(2019, 1, 6))
    petitions.resolve(
        app, BY, petition_id=ids[0], response="Đã lắp đặt", document_ref="1-CV", on=date(2019, 1, 7)
    )
    petitions.answer_back(app, BY, petition_id=ids[0], on=date(2019, 1, 8))
    petitions.reopen(
        app, BY, petition_id=ids[0], cell_id=t["cell"], reason="Chưa có nước", on=date(2019, 1, 9)
    )
    died(app, binh)
    m2 = held(app, t["cell"], date(2019, 2, 4), an, cuong)
    meetings.record_self_criticism(app, BY, meeting_id=m2, member_id=an, expected=None)

    both: list[Any] = [ORG_TREE, SUPERVISION]
    with database.connect() as conn:
        engine.install(conn, tenant.schema, both)
    engine.catch_up(database, tenant.schema, SUPERVISION, batch_size=1)
    tables = ("sup_plans", "sup_assignments", "sup_petitions", "sup_schedules", "sup_rotation")
    small = {name: rows(database, tenant.schema, name) for name in tables}
    engine.rebuild(database, tenant.schema, SUPERVISION)
    assert {name: rows(database, tenant.schema, name) for name in tables} == small
    (petition,) = small["sup_petitions"]
    assert petition[7:] == ("reopened", t["district"], None, 1)
    by_member = {r[1]: r[2:] for r in small["sup_rotation"]}
    assert by_member == {
        an: (False, date(2019, 2, 4), 1),  # carried once, then took the turn
        binh: (True, date(2019, 1, 3), 0),  # took the turn, then left the cell
        cuong: (False, None, 0),
    }
