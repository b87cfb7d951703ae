"""The decisions an attendance plan delegates: each checks one rule and raises its named error.

They read plain values of the plan (its year, months and assignments), never change them, and
know nothing of the aggregate class, so ``domain.attendance_plan`` imports them one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from domain.attendance_plan_errors import (
    AlreadyAttendedThisMeeting,
    AssignmentAlreadySettled,
    CellNotUnderCommittee,
    DuplicateAssignment,
    MeetingOfAnotherCell,
    MonthOutsidePlanPeriod,
    ReportAlreadyFiled,
    ReportRequiresAttendance,
    UnknownAssignment,
)
from domain.attendance_plan_values import (
    ASSIGNMENT_STATE_LABELS,
    Assignee,
    Assignment,
    AssignmentState,
)
from domain.base import InvalidValue, require_text


def period(year: int, quarter: int | None) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidValue("Năm kế hoạch không hợp lệ", "year must be 2000–2100", field="year")
    if quarter is not None and not 1 <= quarter <= 4:
        raise InvalidValue("Quý phải từ 1 đến 4", "quarter must be 1–4", field="quarter")


def under_committee(committee_id: UUID, cell_ancestors: set[UUID]) -> None:
    if committee_id not in cell_ancestors:
        raise CellNotUnderCommittee(
            "Chi bộ không trực thuộc cấp ủy lập kế hoạch",
            "the cell is not under the committee that owns this plan",
            field="cell_id",
        )


def found(assignments: Mapping[UUID, Assignment], assignment_id: UUID) -> Assignment:
    try:
        return assignments[assignment_id]
    except KeyError:
        raise UnknownAssignment(
            "Không có phân công này trong kế hoạch",
            f"no assignment {assignment_id} in this plan",
            assignment_id=str(assignment_id),
        ) from None


def still_open(assignments: Mapping[UUID, Assignment], assignment_id: UUID) -> Assignment:
    a = found(assignments, assignment_id)
    if not a.state.is_open:
        raise AssignmentAlreadySettled(
            f"Phân công đã ở trạng thái «{ASSIGNMENT_STATE_LABELS[a.state]}», không thay đổi được",
            f"the assignment is already {a.state.value}",
            state=a.state.value,
        )
    return a


def closest_open(
    assignments: Iterable[Assignment], assignee: Assignee, cell_id: UUID, held_on: date
) -> Assignment | None:
    """The assignee's open assignment for the cell whose month is closest to the meeting."""
    candidates = [
        a
        for a in assignments
        if a.state.is_open
        and a.cell_id == cell_id
        and a.assignee.assignee_id == assignee.assignee_id
    ]
    if not candidates:
        return None
    month_index = held_on.year * 12 + held_on.month

    def distance(a: Assignment) -> int:
        assert a.month is not None
        return abs(a.month.year * 12 + a.month.month - month_index)

    return min(candidates, key=distance)


def month_in_period(year: int, months: tuple[int, ...], month: date) -> date:
    if month.year != year or month.month not in months:
        raise MonthOutsidePlanPeriod(
            "Tháng dự kiến nằm ngoài thời kỳ của kế hoạch",
            f"month {month:%Y-%m} is outside the plan's period",
            field="month",
        )
    return month.replace(day=1)


def not_duplicate(
    assignments: Iterable[Assignment],
    assignee_id: str,
    cell_id: UUID,
    month: date,
    except_id: UUID | None,
) -> None:
    for a in assignments:
        if (
            a.id != except_id
            and a.assignee.assignee_id == assignee_id
            and a.cell_id == cell_id
            and a.month == month
            and a.state is not AssignmentState.MISSED
        ):
            raise DuplicateAssignment(
                "Người này đã được phân công dự chi bộ này trong tháng này",
                "this assignee is already assigned to this cell in this month",
                assignment_id=str(a.id),
            )


def not_attended_yet(assignments: Iterable[Assignment], assignee_id: str, meeting_id: UUID) -> None:
    for other in assignments:
        if other.meeting_id == meeting_id and other.assignee.assignee_id == assignee_id:
            raise AlreadyAttendedThisMeeting(
                "Đã ghi nhận người này dự kỳ sinh hoạt này",
                "this assignee's attendance at this meeting is already recorded",
            )


def same_cell(target: Assignment, meeting_cell_id: UUID) -> None:
    if target.cell_id != meeting_cell_id:
        raise MeetingOfAnotherCell(
            "Kỳ sinh hoạt không thuộc chi bộ được phân công; hãy ghi là dự ngoài kế hoạch",
            "the meeting is not of the assigned cell; record it as unplanned instead",
            field="meeting_id",
        )


def reportable(a: Assignment, filed_on: date) -> None:
    """Báo cáo kết quả dự sinh hoạt: only for a meeting actually attended, once."""
    if a.state is AssignmentState.REPORTED:
        raise ReportAlreadyFiled(
            "Đã nộp báo cáo cho lần dự này", "a report was already filed for this attendance"
        )
    if a.state is not AssignmentState.ATTENDED or a.attended_on is None:
        raise ReportRequiresAttendance(
            "Chỉ báo cáo được khi đã dự kỳ sinh hoạt; hãy ghi nhận việc dự trước",
            "a report can be filed only for a meeting that was attended; record attendance first",
            state=a.state.value,
        )
    if filed_on < a.attended_on:
        raise InvalidValue(
            "Ngày báo cáo không thể trước ngày dự",
            "filed_on is before the meeting",
            field="filed_on",
        )


def assignee(value: Assignee) -> Assignee:
    return Assignee(
        require_text(value.assignee_id, "assignee_id", "Mã người được phân công", 100),
        require_text(value.name, "name", "Họ và tên", 200),
        value.role,
        value.position.strip(),
    )
