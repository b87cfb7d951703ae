"""The removal ground follows the records: closing regular meetings notes unexcused absences
and unpaid dues, corrections undo them, and three months in a year flag the member."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.base import Actor
from domain.lifecycle import removal_flag
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.member import Member
from domain.voting import MotionKind
from services.meetings import commands as meetings
from services.membership import org
from tests.builders import ICT, official, opened_meeting, tallied_motion, unit_chain

pytestmark = pytest.mark.integration

BY = Actor("secretary-1", "secretary", "req-removal")


@pytest.fixture
def cell(app):
    *_, unit_id = unit_chain(app, BY)
    return unit_id, [official(app, BY, unit_id, f"Đảng viên {index}").id for index in range(4)]


def hold(app, cell_id, ids, month, marks, payers):
    """A regular meeting of ``month`` 2025 with the given marks and dues payers, closed."""
    start = datetime(2025, month, 3, 14, tzinfo=ICT)
    meeting_id = opened_meeting(
        app, BY, cell_id, start, ids[0], ids[1], place="Nhà văn hóa", agenda=["Báo cáo"]
    )
    entries = [
        AttendanceEntry(i, mark, "Ốm" if mark is AttendanceMark.EXCUSED else "")
        for i, mark in zip(ids, marks, strict=True)
    ]
    meetings.mark_attendance(app, BY, meeting_id=meeting_id, entries=entries, expected=None)
    meetings.record_minutes(app, BY, meeting_id=meeting_id, text="Biên bản", expected=None)
    present = sum(m is AttendanceMark.PRESENT for m in marks)
    tallied_motion(app, BY, meeting_id, MotionKind.MINUTES, "Thông qua biên bản", (present, 0, 0))
    meetings.collect_dues(
        app,
        BY,
        meeting_id=meeting_id,
        total_vnd=50_000 * len(payers),
        payer_ids=payers,
        unpaid_ids=[x for x, mark in zip(ids, marks, strict=True) if mark is P and x not in payers],
        expected=None,
    )
    meetings.close(
        app, BY, meeting_id=meeting_id, ended_at=start + timedelta(hours=2), expected=None
    )
    return meeting_id


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
