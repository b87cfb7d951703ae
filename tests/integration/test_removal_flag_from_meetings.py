"""The removal ground follows the records: closing regular meetings notes unexcused absences
and unpaid dues, corrections undo them, and three months in a year flag the member."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.base import Actor
from domain.lifecycle import removal_flag
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.member import Member, MemberStatus
from domain.org_unit import Level
from domain.voting import MotionKind, VotingMethod
from services.meetings import commands as meetings
from services.membership import org

pytestmark = pytest.mark.integration

BY = Actor("secretary-1", "secretary", "req-removal")
ICT = timezone(timedelta(hours=7))


@pytest.fixture
def cell(app):
    root, _ = org.found_unit(
        app,
        BY,
        name="Đảng bộ tỉnh",
        level=Level.PROVINCE,
        founded_on=date(2015, 1, 1),
        parent_id=None,
    )
    direct, _ = org.found_unit(
        app,
        BY,
        name="Đảng ủy xã",
        level=Level.DIRECT,
        founded_on=date(2015, 1, 1),
        parent_id=root.id,
    )
    base, _ = org.found_unit(
        app,
        BY,
        name="Đảng bộ xã",
        level=Level.GRASSROOTS_COMMITTEE,
        founded_on=date(2015, 1, 1),
        parent_id=direct.id,
    )
    unit, _ = org.found_unit(
        app,
        BY,
        name="Chi bộ thôn",
        level=Level.CELL,
        founded_on=date(2015, 1, 1),
        parent_id=base.id,
    )
    ids = []
    for index in range(4):
        member, _ = org.enrol_member(
            app, BY, full_name=f"Đảng viên {index}", birth_date=date(1980, 1, 1), gender="nam",
            cell_id=unit.id, status=MemberStatus.OFFICIAL, admitted_on=date(2005, 1, 1),
            official_on=date(2006, 1, 1), joined_cell_on=date(2015, 1, 1),
        )  # fmt: skip
        ids.append(member.id)
    return unit.id, ids


def hold(app, cell_id, ids, month, marks, payers):
    """A regular meeting of ``month`` 2025 with the given marks and dues payers, closed."""
    start = datetime(2025, month, 3, 14, tzinfo=ICT)
    meeting, _ = meetings.schedule(
        app, BY, cell_id=cell_id, kind=MeetingKind.REGULAR, period=(2025, month),
        scheduled_at=start, place="Nhà văn hóa", agenda=["Báo cáo"], topic="",
        regular_meeting_id=None,
    )  # fmt: skip
    meetings.open_meeting(
        app,
        BY,
        meeting_id=meeting.id,
        started_at=start,
        chair_id=ids[0],
        secretary_id=ids[1],
        expected=None,
    )
    entries = [
        AttendanceEntry(i, mark, "Ốm" if mark is AttendanceMark.EXCUSED else "")
        for i, mark in zip(ids, marks, strict=True)
    ]
    meetings.mark_attendance(app, BY, meeting_id=meeting.id, entries=entries, expected=None)
    meetings.record_minutes(app, BY, meeting_id=meeting.id, text="Biên bản", expected=None)
    _, motion_id, _ = meetings.propose_motion(
        app,
        BY,
        meeting_id=meeting.id,
        kind=MotionKind.MINUTES,
        title="Thông qua biên bản",
        subject_id=None,
        expected=None,
    )
    present = sum(m is AttendanceMark.PRESENT for m in marks)
    meetings.record_tally(
        app,
        BY,
        meeting_id=meeting.id,
        motion_id=motion_id,
        method=VotingMethod.SHOW_OF_HANDS,
        counts=(present, 0, 0),
        expected=None,
    )
    meetings.collect_dues(
        app,
        BY,
        meeting_id=meeting.id,
        total_vnd=50_000 * len(payers),
        payer_ids=payers,
        unpaid_ids=[x for x, mark in zip(ids, marks, strict=True) if mark is P and x not in payers],
        expected=None,
    )
    meetings.close(
        app, BY, meeting_id=meeting.id, ended_at=start + timedelta(hours=2), expected=None
    )
    return meeting.id


P, E, U = AttendanceMark.PRESENT, AttendanceMark.EXCUSED, AttendanceMark.UNEXCUSED


def test_three_months_of_missed_meetings_or_dues_flag_the_member(app, cell):
    cell_id, ids = cell
    chair, secretary, absentee, non_payer = ids
    # Jan: absentee away without reason; non_payer present but pays nothing.
    hold(app, cell_id, ids, 1, [P, P, U, P], [chair, secretary])
    # Feb: absentee away WITH a reason (not counted, nor are their dues); non_payer pays.
    hold(app, cell_id, ids, 2, [P, P, E, P], [chair, secretary, non_payer])
    hold(app, cell_id, ids, 3, [P, P, U, P], [chair, secretary])
    assert removal_flag(org.load(app, Member, absentee), 2025, 3) is None
    april = hold(app, cell_id, ids, 4, [P, P, U, P], [chair, secretary])
    absentee_flag = removal_flag(org.load(app, Member, absentee), 2025, 3)
    assert absentee_flag is not None
    assert absentee_flag.absence_months == (date(2025, 1, 1), date(2025, 3, 1), date(2025, 4, 1))
    payer_flag = removal_flag(org.load(app, Member, non_payer), 2025, 3)
    assert payer_flag is not None
    assert payer_flag.unpaid_months == (date(2025, 1, 1), date(2025, 3, 1), date(2025, 4, 1))
    assert removal_flag(org.load(app, Member, chair), 2025, 3) is None

    # April's minutes are corrected: the absentee had sent a reason. The flag is lifted.
    entries = [AttendanceEntry(absentee, E, "Đi viện, báo trước")]
    meetings.correct_attendance(
        app, BY, meeting_id=april, entries=entries, reason="Có giấy báo vắng", expected=None
    )
    assert removal_flag(org.load(app, Member, absentee), 2025, 3) is None
    # And the treasurer finds April's payment: dues corrected, flag lifted.
    meetings.correct_dues(
        app,
        BY,
        meeting_id=april,
        total_vnd=150_000,
        payer_ids=[chair, secretary, non_payer],
        unpaid_ids=[],
        reason="Sót tên",
        expected=None,
    )
    assert removal_flag(org.load(app, Member, non_payer), 2025, 3) is None
