"""Superior-level attendance plans: assignments, contact, attendance, reports, quotas."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import attendance_plan_errors as errors
from domain.attendance_plan import Assignee, AssigneeRole, AssignmentState, AttendancePlan
from domain.base import InvalidValue
from domain.quality import Rating
from tests.builders import COMMITTEE as BY
from tests.unit.test_mapper_roundtrip import rebuilt_through_the_mapper

pytestmark = pytest.mark.unit

COMMITTEE = uuid4()
CELL, OTHER_CELL = uuid4(), uuid4()
UNDER = {COMMITTEE, uuid4()}
AN = Assignee("u-an", "Nguyễn Văn An", AssigneeRole.PROVINCIAL_COMMITTEE_MEMBER, "Tỉnh ủy viên")
BINH = Assignee("u-binh", "Trần Thị Bình", AssigneeRole.STAFF, "Chuyên viên Ban Tổ chức")


def plan(quarter: int | None = None) -> AttendancePlan:
    return AttendancePlan.make(uuid4(), COMMITTEE, 2025, quarter, "Kế hoạch dự sinh hoạt 2025", BY)


def assigned(p: AttendancePlan, who: Assignee = AN, month: int = 3, cell=CELL):  # type: ignore[no-untyped-def]  # `cell` takes the module's test UUID
    aid = uuid4()
    p.assign(aid, who, cell, UNDER, date(2025, month, 1), BY)
    return aid


def test_assign_records_the_expected_month() -> None:
    p = plan()
    aid = assigned(p)
    a = p.assignment(aid)
    assert (a.state, a.month, a.cell_id) == (AssignmentState.ASSIGNED, date(2025, 3, 1), CELL)


def test_invalid_period_is_refused() -> None:
    with pytest.raises(InvalidValue):
        AttendancePlan.make(uuid4(), COMMITTEE, 2025, 5, "x", BY)


def test_month_must_be_in_the_plan_period() -> None:
    p = plan(quarter=2)
    with pytest.raises(errors.MonthOutsidePlanPeriod):
        assigned(p, month=7)
    with pytest.raises(errors.MonthOutsidePlanPeriod):
        p.assign(uuid4(), AN, CELL, UNDER, date(2026, 4, 1), BY)
    assigned(p, month=6)


def test_cell_must_be_under_the_committee() -> None:
    with pytest.raises(errors.CellNotUnderCommittee):
        plan().assign(uuid4(), AN, CELL, {uuid4()}, date(2025, 3, 1), BY)


def test_no_duplicate_assignment_same_person_cell_month() -> None:
    p = plan()
    assigned(p)
    with pytest.raises(errors.DuplicateAssignment):
        assigned(p)
    assigned(p, who=BINH)


def test_reassign_to_another_person_resets_contact() -> None:
    p = plan()
    aid = assigned(p)
    p.record_contact(aid, date(2025, 2, 25), "Đã báo Đảng ủy xã", BY)
    p.reassign(aid, BINH, date(2025, 4, 1), "Đồng chí An đi công tác", BY)
    a = p.assignment(aid)
    assert (a.assignee, a.month, a.state, a.contacted_on) == (
        BINH,
        date(2025, 4, 1),
        AssignmentState.ASSIGNED,
        None,
    )


def test_contact_before_the_month_is_in_time_after_is_late() -> None:
    p = plan()
    early, late = assigned(p), assigned(p, month=4)
    p.record_contact(early, date(2025, 2, 27), "", BY)
    p.record_contact(late, date(2025, 4, 2), "", BY)
    assert p.assignment(early).contacted_in_time is True
    assert p.assignment(late).contacted_in_time is False


def test_attendance_settles_the_matching_assignment() -> None:
    p = plan()
    aid = assigned(p)
    meeting = uuid4()
    settled = p.record_attendance(AN, meeting, CELL, date(2025, 3, 3), uuid4(), BY)
    assert settled == aid
    a = p.assignment(aid)
    assert (a.state, a.meeting_id, a.attended_on) == (
        AssignmentState.ATTENDED,
        meeting,
        date(2025, 3, 3),
    )


def test_attending_another_cell_is_recorded_as_unplanned() -> None:
    p = plan()
    assigned(p)
    new_id = uuid4()
    settled = p.record_attendance(AN, uuid4(), OTHER_CELL, date(2025, 3, 3), new_id, BY)
    assert settled == new_id
    assert p.assignment(new_id).unplanned
    assert p.assignment(new_id).state is AssignmentState.ATTENDED


def test_explicit_assignment_must_match_the_meeting_cell() -> None:
    p = plan()
    aid = assigned(p)
    with pytest.raises(errors.MeetingOfAnotherCell):
        p.record_attendance(
            AN, uuid4(), OTHER_CELL, date(2025, 3, 3), uuid4(), BY, assignment_id=aid
        )


def test_same_meeting_cannot_be_attended_twice_by_one_person() -> None:
    p = plan()
    meeting = uuid4()
    p.record_attendance(AN, meeting, CELL, date(2025, 3, 3), uuid4(), BY)
    with pytest.raises(errors.AlreadyAttendedThisMeeting):
        p.record_attendance(AN, meeting, CELL, date(2025, 3, 3), uuid4(), BY)


def test_missed_needs_a_reason_and_settles() -> None:
    p = plan()
    aid = assigned(p)
    with pytest.raises(InvalidValue):
        p.record_missed(aid, " ", BY)
    p.record_missed(aid, "Trùng lịch họp Huyện ủy", BY)
    assert p.assignment(aid).state is AssignmentState.MISSED
    with pytest.raises(errors.AssignmentAlreadySettled):
        p.record_contact(aid, date(2025, 3, 1), "", BY)
    with pytest.raises(errors.AssignmentAlreadySettled):
        p.reassign(aid, BINH, date(2025, 3, 1), "x", BY)


def test_report_only_for_an_attended_meeting() -> None:
    p = plan()
    aid = assigned(p)
    with pytest.raises(errors.ReportRequiresAttendance):
        p.file_report(aid, date(2025, 3, 4), "Sinh hoạt nghiêm túc", Rating.KHA, (), BY)
    p.record_missed(aid, "Ốm", BY)
    with pytest.raises(errors.ReportRequiresAttendance):
        p.file_report(aid, date(2025, 3, 4), "Sinh hoạt nghiêm túc", Rating.KHA, (), BY)


def test_report_is_filed_once_after_the_meeting() -> None:
    p = plan()
    aid = assigned(p)
    p.record_attendance(AN, uuid4(), CELL, date(2025, 3, 3), uuid4(), BY)
    with pytest.raises(InvalidValue):
        p.file_report(aid, date(2025, 3, 2), "x", Rating.KHA, (), BY)
    petitions = (uuid4(), uuid4())
    p.file_report(aid, date(2025, 3, 4), "Nhiều ý kiến xây dựng", Rating.TOT, petitions, BY)
    a = p.assignment(aid)
    assert (a.state, a.quality_impression, a.petition_ids) == (
        AssignmentState.REPORTED,
        Rating.TOT,
        petitions,
    )
    with pytest.raises(errors.ReportAlreadyFiled):
        p.file_report(aid, date(2025, 3, 5), "x", Rating.KHA, (), BY)


def test_unknown_assignment_is_404() -> None:
    with pytest.raises(errors.UnknownAssignment):
        plan().record_contact(uuid4(), date(2025, 3, 1), "", BY)


def test_quota_shows_who_is_short() -> None:
    p = plan()
    for month in (2, 5):
        assigned(p, AN, month)
    for month in (1, 2, 3):
        assigned(p, BINH, month)
    p.record_attendance(BINH, uuid4(), CELL, date(2025, 1, 3), uuid4(), BY)
    p.record_attendance(BINH, uuid4(), OTHER_CELL, date(2025, 1, 9), uuid4(), BY)  # unplanned
    lines = {line.assignee.assignee_id: line for line in p.quota_lines(2, 6)}
    assert (lines["u-an"].quota, lines["u-an"].planned, lines["u-an"].short_in_plan) == (2, 2, 0)
    binh = lines["u-binh"]
    assert (binh.quota, binh.planned, binh.attended, binh.short_in_plan) == (6, 3, 2, 3)
    assert binh.short_in_attendance == 4


def test_missed_visits_do_not_count_towards_the_plan_quota() -> None:
    p = plan()
    assigned(p, AN, 2)
    p.record_missed(assigned(p, AN, 5), "Đi công tác", BY)
    (line,) = p.quota_lines(2, 6)
    assert (line.planned, line.short_in_plan) == (1, 1)


def test_quarter_plan_prorates_the_yearly_quota() -> None:
    p = plan(quarter=1)
    assigned(p, BINH, 1)
    (line,) = p.quota_lines(2, 6)
    assert (line.quota, line.short_in_plan) == (2, 1)


def test_events_round_trip_through_the_mapper() -> None:
    p = plan()
    aid = assigned(p)
    p.record_contact(aid, date(2025, 2, 25), "ok", BY)
    p.reassign(aid, BINH, date(2025, 3, 1), "đổi người", BY)
    p.record_attendance(BINH, uuid4(), CELL, date(2025, 3, 3), uuid4(), BY)
    p.record_attendance(AN, uuid4(), OTHER_CELL, date(2025, 3, 3), uuid4(), BY)
    p.file_report(aid, date(2025, 3, 4), "Tốt", Rating.TOT, (uuid4(),), BY)
    p.record_missed(assigned(p, AN, 6), "bận", BY)
    copy = rebuilt_through_the_mapper(p)
    assert isinstance(copy, AttendancePlan)
    assert copy.assignments == p.assignments


def test_a_settled_assignment_is_named_in_words_not_its_code() -> None:
    """Issue 12 §5: a person reads «không dự được», never "missed"."""
    p = plan()
    aid = assigned(p)
    p.record_missed(aid, "Trùng lịch họp Huyện ủy", BY)
    with pytest.raises(errors.AssignmentAlreadySettled) as refused:
        p.record_contact(aid, date(2025, 3, 1), "", BY)
    assert refused.value.vi == "Phân công đã ở trạng thái «không dự được», không thay đổi được"
    assert refused.value.details == {"state": "missed"}
