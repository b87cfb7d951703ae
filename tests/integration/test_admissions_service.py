"""Admission services on a real PostgreSQL: votes read from real meetings, the province calendar,
a case that is not recognised, the recognition voted late, and the case reloaded from the log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.admission_errors import MotionDoesNotMatch
from domain.admission_values import (
    DossierItem,
    Education,
    IntroductionBasis,
    RecognitionOutcome,
)
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.member import DepartureReason, MemberStatus
from domain.org_unit import Level, OrgUnit
from domain.province import Province, ProvinceSettings
from domain.voting import MotionKind
from services.admissions import commands as svc
from services.admissions import records
from services.meetings import commands as meetings
from services.membership import org
from tests.builders import ADMIN, decided, official, opened_meeting, tallied_motion

pytestmark = pytest.mark.integration

VN = timedelta(hours=7)


def setup_cell(app):
    day = date(2015, 1, 1)
    root = OrgUnit.found(uuid4(), "Tỉnh", Level.PROVINCE, None, day, ADMIN)
    cell = OrgUnit.found(uuid4(), "Chi bộ cơ sở", Level.GRASSROOTS_CELL, root, day, ADMIN)
    app.save_all(root, cell)
    members = [
        official(
            app, ADMIN, cell.id, name, birth_date=date(1975, 1, 1), admitted_on=date(2000, 1, 1),
            official_on=date(2001, 1, 1), joined_cell_on=day,
        ).id
        for name in ("Lê A", "Phạm B", "Hồ C")
    ]  # fmt: skip
    return cell.id, members


def vote(app, cell, members, day, kind, subject, votes_for, against=0):
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - VN
    meeting_id = opened_meeting(app, ADMIN, cell, at, members[0], members[1], agenda=[])
    entries = [AttendanceEntry(m, AttendanceMark.PRESENT) for m in members]
    meetings.mark_attendance(app, ADMIN, meeting_id=meeting_id, entries=entries, expected=None)
    motion_id, _ = tallied_motion(
        app, ADMIN, meeting_id, kind, "Biểu quyết", (votes_for, against, 0), subject_id=subject
    )
    return meeting_id, motion_id


def ready_for_vote(
    app,
    full_name: str,
    gender: str,
    education: Education,
    basis: IntroductionBasis,
    days: list[date],
) -> tuple[UUID, UUID, list[UUID]]:
    """A case opened in a new cell and taken up to the cell's vote: course certificate, every
    dossier item and two introducers, on ``days`` (opened, certified, filed, introduced)."""
    cell, members = setup_cell(app)
    opened, certified, filed, introduced = days
    case, _ = svc.open_case(
        app,
        ADMIN,
        full_name=full_name,
        birth_date=date(2000, 9, 9),
        gender=gender,
        education=education,
        special_area=False,
        cell_id=cell,
        opened_on=opened,
    )
    svc.certify_course(app, ADMIN, case_id=case.id, certificate_no="GCN-1", completed_on=certified)
    for item in DossierItem:
        svc.file_dossier_item(app, ADMIN, case_id=case.id, item=item, on=filed)
    # Of Youth Union age (born 2000): two members introduce only where there is no Youth Union.
    records.state_no_youth_union(
        app, ADMIN, case_id=case.id, on=introduced, reason="Nơi làm việc không có tổ chức Đoàn"
    )
    for introducer in members[:2]:
        svc.assign_introducer(
            app,
            ADMIN,
            case_id=case.id,
            member_id=introducer,
            basis=basis,
            together_since=date(2020, 1, 1),
            on=introduced,
        )
    return case.id, cell, members


def admitted(app) -> tuple[UUID, UUID, list[UUID], UUID]:
    case_id, cell, members = ready_for_vote(
        app, "Vũ Thị Mai", "nu", Education.HIGHER, IntroductionBasis.STUDY,
        [date(2024, 1, 8), date(2024, 1, 20), date(2024, 2, 1), date(2024, 2, 5)],
    )  # fmt: skip
    meeting_id, motion_id = vote(
        app, cell, members, date(2024, 3, 4), MotionKind.ADMISSION, case_id, 2
    )
    svc.record_cell_vote(app, ADMIN, case_id=case_id, meeting_id=meeting_id, motion_id=motion_id)
    decided(app, ADMIN, case_id, "12-QĐ", date(2024, 4, 1), date(2024, 4, 2))
    done, _ = svc.hold_ceremony(
        app, ADMIN, case_id=case_id, on=date(2024, 4, 15), mentor_id=members[2]
    )
    return case_id, cell, members, done.member_id


def test_votes_come_from_the_meeting_and_a_mismatch_is_refused(app):
    case_id, cell, members = ready_for_vote(
        app, "Ngô Văn Nam", "nam", Education.LOWER_SECONDARY, IntroductionBasis.WORK,
        [date(2024, 1, 8), date(2024, 1, 20), date(2024, 2, 1), date(2024, 2, 5)],
    )  # fmt: skip
    other = uuid4()
    meeting_id, motion_id = vote(
        app, cell, members, date(2024, 3, 4), MotionKind.ADMISSION, other, 3
    )
    with pytest.raises(MotionDoesNotMatch):
        svc.record_cell_vote(
            app, ADMIN, case_id=case_id, meeting_id=meeting_id, motion_id=motion_id
        )
    reloaded = svc.load_case(app, case_id)
    assert reloaded.cell_vote_on is None
    assert len(reloaded.introducers) == 2


def test_not_recognised_leaves_the_list_and_late_recognition_is_dated_from_probation(app):
    case_id, cell, members, member_id = admitted(app)
    outcome_vote = vote(
        app,
        cell,
        [*members, member_id],
        date(2025, 5, 5),
        MotionKind.RECOGNITION,
        member_id,
        0,
        against=3,
    )
    svc.record_recognition_vote(
        app, ADMIN, case_id=case_id, meeting_id=outcome_vote[0], motion_id=outcome_vote[1]
    )
    case = svc.load_case(app, case_id)
    assert case.recognition_votes[-1][1] is RecognitionOutcome.PROPOSE_REMOVAL
    svc.record_recognition_decision(
        app, ADMIN, case_id=case_id, number="3-QĐ", decided_on=date(2025, 5, 20), recognised=False
    )
    member = org.load(app, type(app.repository.get(member_id)), member_id)
    assert member.departed == (DepartureReason.NOT_RECOGNISED, date(2025, 5, 20))
    assert org.load_roster(app, cell, ADMIN).standing(member_id, date(2025, 5, 21)) is None


def test_recognition_voted_late_is_official_from_the_end_of_probation(app):
    case_id, cell, members, member_id = admitted(app)
    late = vote(
        app, cell, [*members, member_id], date(2025, 9, 8), MotionKind.RECOGNITION, member_id, 3
    )
    svc.record_recognition_vote(app, ADMIN, case_id=case_id, meeting_id=late[0], motion_id=late[1])
    svc.record_recognition_decision(
        app, ADMIN, case_id=case_id, number="9-QĐ", decided_on=date(2025, 9, 22), recognised=True
    )
    member = app.repository.get(member_id)
    assert member.status is MemberStatus.OFFICIAL
    assert member.official_on == date(2025, 4, 15)
    roster = org.load_roster(app, cell, ADMIN)
    assert roster.standing(member_id, date(2025, 4, 15)).status is MemberStatus.OFFICIAL
    assert roster.standing(member_id, date(2025, 4, 14)).status is MemberStatus.PROBATIONARY


def test_province_days_off_shift_the_deadlines(app):
    province = Province.register(app.slug, "Tỉnh Thử", ADMIN)
    province.change_settings(
        ProvinceSettings(days_off=(date(2026, 3, 20),)), date(2026, 1, 1), ADMIN
    )
    app.save_all(province)
    calendar = svc.calendar_for(app)
    assert calendar.add_working_days(date(2026, 1, 30), 30) == date(2026, 3, 23)


class _EndOf2027(datetime):
    """The server's clock at the end of 2027: the recognition vote a year after the ceremony
    is held then, and a meeting is never opened ahead of its time (meeting_starts_in_future)."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return datetime(2027, 12, 31, 12, tzinfo=UTC).astimezone(tz)


def test_deadline_items_follow_the_case_ceremony_and_recognition_decision(
    app, database, tenant, monkeypatch
):
    from projections.deadlines import DEADLINES, items_query

    monkeypatch.setattr(meetings, "datetime", _EndOf2027)
    from projections.engine import catch_up, install
    from projections.org_tree import ORG_TREE

    with database.connect() as conn:
        install(conn, tenant.schema, [ORG_TREE, DEADLINES])

    def items(until):
        for projection in (ORG_TREE, DEADLINES):
            assert catch_up(database, tenant.schema, projection).error is None
        query = items_query(lambda s, t: f'"{s}"."{t}"', tenant.schema, subtree=False)
        query = query.replace("$1::uuid", "NULL::uuid").replace("$2::date", "%(until)s::date")
        with database.connect() as conn:
            rows = conn.execute(query.replace("$3::int", "3"), {"until": until}).fetchall()
        return [(r[0], r[5], r[6]) for r in rows]

    case_id, cell, members = ready_for_vote(
        app, "Lý Thị Hoa", "nu", Education.HIGHER, IntroductionBasis.WORK,
        [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 3), date(2025, 12, 4)],
    )  # fmt: skip
    cited = vote(app, cell, members, date(2025, 12, 5), MotionKind.ADMISSION, case_id, 3)
    svc.record_cell_vote(app, ADMIN, case_id=case_id, meeting_id=cited[0], motion_id=cited[1])
    decided(app, ADMIN, case_id, "1-QĐ", date(2026, 1, 28), date(2026, 1, 30))
    # 30 working days from 30 Jan 2026 run over Tết: the ceremony is due on 20 March.
    assert items(date(2026, 3, 19)) == []
    assert items(date(2026, 3, 20)) == [("ceremony", date(2026, 1, 30), date(2026, 3, 20))]
    done, _ = svc.hold_ceremony(
        app, ADMIN, case_id=case_id, on=date(2026, 3, 20), mentor_id=members[2]
    )
    assert [i[0] for i in items(date(2027, 12, 31))] == ["recognition_vote"]
    cited = vote(
        app,
        cell,
        [*members, done.member_id],
        date(2027, 3, 22),
        MotionKind.RECOGNITION,
        done.member_id,
        3,
    )
    svc.record_recognition_vote(
        app, ADMIN, case_id=case_id, meeting_id=cited[0], motion_id=cited[1]
    )
    assert [i[0] for i in items(date(2027, 12, 31))] == ["recognition_decision"]
