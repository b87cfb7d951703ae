"""Superior-level attendance plans (phân công cấp ủy viên dự sinh hoạt chi bộ).

The standing committee of a superior level makes a plan for a year or a quarter, assigning its
committee members and staff to cells under it for expected months (seed 000: "kế hoạch phân
công các ban … dự sinh hoạt với các chi bộ"; seed 003: the district working groups). Each
assignment is contacted before the month, attended (the assignee is a guest of that meeting) or
missed with a reason, then reported: observations, an impression of quality and the petitions
collected. Attending a cell outside one's plan is allowed and recorded as unplanned.

Yearly visit quotas per role are province settings (one province: provincial committee members
at least 2 a year, lower levels at least 6); :meth:`AttendancePlan.quota_lines` shows who is short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain.base import (
    Actor,
    ChiboAggregate,
    InvalidValue,
    NotFound,
    RuleViolated,
    StateConflict,
    require_text,
)
from domain.quality import Rating


class AssigneeRole(str, Enum):
    """Whom the plan assigns; the role picks the yearly quota."""

    PROVINCIAL_COMMITTEE_MEMBER = "provincial_committee_member"  # tỉnh ủy viên
    COMMITTEE_MEMBER = "committee_member"  # cấp ủy viên cấp xã, huyện, cơ sở
    STAFF = "staff"  # cán bộ, chuyên viên các ban

    def yearly_quota(self, provincial: int, other: int) -> int:
        return provincial if self is AssigneeRole.PROVINCIAL_COMMITTEE_MEMBER else other


class AssignmentState(str, Enum):
    ASSIGNED = "assigned"  # đã phân công
    CONTACTED = "contacted"  # đã liên hệ cấp ủy cơ sở trước tháng
    ATTENDED = "attended"  # đã dự
    MISSED = "missed"  # không dự được, có lý do
    REPORTED = "reported"  # đã báo cáo kết quả dự sinh hoạt

    @property
    def is_open(self) -> bool:
        return self in (AssignmentState.ASSIGNED, AssignmentState.CONTACTED)


@dataclass(frozen=True, slots=True)
class Assignee:
    """A committee member or staff member assigned to attend (người được phân công)."""

    assignee_id: str
    name: str
    role: AssigneeRole
    position: str  # chức vụ, as shown in the meeting's guest list


@dataclass
class Assignment:
    """One expected visit of one assignee to one cell; state only, changed by plan events."""

    id: UUID
    assignee: Assignee
    cell_id: UUID
    month: date | None  # first day of the expected month; None when unplanned
    state: AssignmentState = AssignmentState.ASSIGNED
    contacted_on: date | None = None
    meeting_id: UUID | None = None
    attended_on: date | None = None
    missed_reason: str | None = None
    quality_impression: Rating | None = None
    petition_ids: tuple[UUID, ...] = ()

    @property
    def unplanned(self) -> bool:
        return self.month is None

    @property
    def contacted_in_time(self) -> bool | None:
        """Contact before the month starts (seed 000: "từ thời điểm cuối của tháng trước")."""
        if self.contacted_on is None or self.month is None:
            return None
        return self.contacted_on < self.month


@dataclass(frozen=True, slots=True)
class QuotaLine:
    assignee: Assignee
    quota: int
    planned: int
    attended: int

    @property
    def short_in_plan(self) -> int:
        return max(0, self.quota - self.planned)

    @property
    def short_in_attendance(self) -> int:
        return max(0, self.quota - self.attended)


class MonthOutsidePlanPeriod(InvalidValue):
    code = "month_outside_plan_period"


class CellNotUnderCommittee(RuleViolated):
    code = "cell_not_under_committee"


class DuplicateAssignment(StateConflict):
    code = "duplicate_assignment"


class UnknownAssignment(NotFound):
    code = "unknown_assignment"


class AssignmentAlreadySettled(StateConflict):
    code = "assignment_already_settled"


class MeetingOfAnotherCell(RuleViolated):
    code = "meeting_of_another_cell"


class AlreadyAttendedThisMeeting(StateConflict):
    code = "already_attended_this_meeting"


class ReportRequiresAttendance(RuleViolated):
    code = "report_requires_attendance"


class ReportAlreadyFiled(StateConflict):
    code = "report_already_filed"


class AttendancePlan(ChiboAggregate):
    """A superior committee's plan (kế hoạch) for one year or one quarter."""

    class Made(ChiboAggregate.Created):
        committee_id: UUID
        year: int
        quarter: int | None
        title: str

    class Assigned(ChiboAggregate.Event):
        assignment_id: UUID
        assignee: Assignee
        cell_id: UUID
        month: date

        def apply(self, plan: AttendancePlan) -> None:
            plan.assignments[self.assignment_id] = Assignment(
                self.assignment_id, self.assignee, self.cell_id, self.month
            )

    class Reassigned(ChiboAggregate.Event):
        assignment_id: UUID
        assignee: Assignee
        month: date
        reason: str

        def apply(self, plan: AttendancePlan) -> None:
            a = plan.assignments[self.assignment_id]
            a.assignee, a.month = self.assignee, self.month
            a.state, a.contacted_on = AssignmentState.ASSIGNED, None

    class Contacted(ChiboAggregate.Event):
        assignment_id: UUID
        contacted_on: date
        note: str

        def apply(self, plan: AttendancePlan) -> None:
            a = plan.assignments[self.assignment_id]
            a.state, a.contacted_on = AssignmentState.CONTACTED, self.contacted_on

    class Attended(ChiboAggregate.Event):
        assignment_id: UUID
        meeting_id: UUID
        held_on: date

        def apply(self, plan: AttendancePlan) -> None:
            a = plan.assignments[self.assignment_id]
            a.state, a.meeting_id, a.attended_on = (
                AssignmentState.ATTENDED,
                self.meeting_id,
                self.held_on,
            )

    class AttendedUnplanned(ChiboAggregate.Event):
        assignment_id: UUID
        assignee: Assignee
        cell_id: UUID
        meeting_id: UUID
        held_on: date

        def apply(self, plan: AttendancePlan) -> None:
            plan.assignments[self.assignment_id] = Assignment(
                self.assignment_id,
                self.assignee,
                self.cell_id,
                None,
                AssignmentState.ATTENDED,
                meeting_id=self.meeting_id,
                attended_on=self.held_on,
            )

    class Missed(ChiboAggregate.Event):
        assignment_id: UUID
        reason: str

        def apply(self, plan: AttendancePlan) -> None:
            a = plan.assignments[self.assignment_id]
            a.state, a.missed_reason = AssignmentState.MISSED, self.reason

    class ReportFiled(ChiboAggregate.Event):
        assignment_id: UUID
        filed_on: date
        observations: str
        quality_impression: Rating
        petition_ids: tuple[UUID, ...]

        def apply(self, plan: AttendancePlan) -> None:
            a = plan.assignments[self.assignment_id]
            a.state = AssignmentState.REPORTED
            a.quality_impression, a.petition_ids = self.quality_impression, self.petition_ids

    def __init__(self, committee_id: UUID, year: int, quarter: int | None, title: str) -> None:
        self.committee_id = committee_id
        self.year = year
        self.quarter = quarter
        self.title = title
        self.assignments: dict[UUID, Assignment] = {}

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def make(
        cls, id: UUID, committee_id: UUID, year: int, quarter: int | None, title: str, by: Actor
    ) -> AttendancePlan:
        if not 2000 <= year <= 2100:
            raise InvalidValue("Năm kế hoạch không hợp lệ", "year must be 2000–2100", field="year")
        if quarter is not None and not 1 <= quarter <= 4:
            raise InvalidValue("Quý phải từ 1 đến 4", "quarter must be 1–4", field="quarter")
        return cls._found(
            cls.Made,
            by,
            id,
            committee_id=committee_id,
            year=year,
            quarter=quarter,
            title=require_text(title, "title", "Tên kế hoạch"),
        )

    def assign(
        self,
        assignment_id: UUID,
        assignee: Assignee,
        cell_id: UUID,
        cell_ancestors: set[UUID],
        month: date,
        by: Actor,
    ) -> None:
        """Phân công: ``cell_ancestors`` are the ids above the cell in the tree today."""
        month = self._check_month(month)
        if self.committee_id not in cell_ancestors:
            raise CellNotUnderCommittee(
                "Chi bộ không trực thuộc cấp ủy lập kế hoạch",
                "the cell is not under the committee that owns this plan",
                field="cell_id",
            )
        self._check_not_duplicate(assignee.assignee_id, cell_id, month, None)
        self._record(
            self.Assigned,
            by,
            assignment_id=assignment_id,
            assignee=_checked(assignee),
            cell_id=cell_id,
            month=month,
        )

    def reassign(
        self, assignment_id: UUID, assignee: Assignee, month: date, reason: str, by: Actor
    ) -> None:
        a = self._open(assignment_id)
        month = self._check_month(month)
        self._check_not_duplicate(assignee.assignee_id, a.cell_id, month, assignment_id)
        self._record(
            self.Reassigned,
            by,
            assignment_id=assignment_id,
            assignee=_checked(assignee),
            month=month,
            reason=require_text(reason, "reason", "Lý do phân công lại"),
        )

    def record_contact(self, assignment_id: UUID, on: date, note: str, by: Actor) -> None:
        """Liên hệ trước với cấp ủy cơ sở; a contact after the month starts is shown as late."""
        self._open(assignment_id)
        self._record(
            self.Contacted, by, assignment_id=assignment_id, contacted_on=on, note=note.strip()
        )

    def record_attendance(
        self,
        assignee: Assignee,
        meeting_id: UUID,
        meeting_cell_id: UUID,
        held_on: date,
        new_assignment_id: UUID,
        by: Actor,
        assignment_id: UUID | None = None,
    ) -> UUID:
        """The assignee attended a held meeting; returns the assignment it settles.

        Without ``assignment_id`` the assignee's open assignment for that cell closest to the
        meeting's month is used; when there is none the visit is recorded as unplanned.
        """
        for other in self.assignments.values():
            if (
                other.meeting_id == meeting_id
                and other.assignee.assignee_id == assignee.assignee_id
            ):
                raise AlreadyAttendedThisMeeting(
                    "Đã ghi nhận người này dự kỳ sinh hoạt này",
                    "this assignee's attendance at this meeting is already recorded",
                )
        target = (
            self._open(assignment_id)
            if assignment_id
            else self._match(assignee, meeting_cell_id, held_on)
        )
        if target is not None:
            if target.cell_id != meeting_cell_id:
                raise MeetingOfAnotherCell(
                    "Kỳ sinh hoạt không thuộc chi bộ được phân công; hãy ghi là dự ngoài kế hoạch",
                    "the meeting is not of the assigned cell; record it as unplanned instead",
                    field="meeting_id",
                )
            self._record(
                self.Attended, by, assignment_id=target.id, meeting_id=meeting_id, held_on=held_on
            )
            return target.id
        self._record(
            self.AttendedUnplanned,
            by,
            assignment_id=new_assignment_id,
            assignee=_checked(assignee),
            cell_id=meeting_cell_id,
            meeting_id=meeting_id,
            held_on=held_on,
        )
        return new_assignment_id

    def record_missed(self, assignment_id: UUID, reason: str, by: Actor) -> None:
        self._open(assignment_id)
        self._record(
            self.Missed,
            by,
            assignment_id=assignment_id,
            reason=require_text(reason, "reason", "Lý do không dự"),
        )

    def file_report(
        self,
        assignment_id: UUID,
        filed_on: date,
        observations: str,
        quality_impression: Rating,
        petition_ids: tuple[UUID, ...],
        by: Actor,
    ) -> None:
        """Báo cáo kết quả dự sinh hoạt: only for a meeting actually attended, once."""
        a = self.assignment(assignment_id)
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
        self._record(
            self.ReportFiled,
            by,
            assignment_id=assignment_id,
            filed_on=filed_on,
            observations=require_text(observations, "observations", "Nhận xét", 8000),
            quality_impression=quality_impression,
            petition_ids=petition_ids,
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def months(self) -> tuple[int, ...]:
        if self.quarter is None:
            return tuple(range(1, 13))
        return tuple(range(3 * self.quarter - 2, 3 * self.quarter + 1))

    def assignment(self, assignment_id: UUID) -> Assignment:
        try:
            return self.assignments[assignment_id]
        except KeyError:
            raise UnknownAssignment(
                "Không có phân công này trong kế hoạch",
                f"no assignment {assignment_id} in this plan",
                assignment_id=str(assignment_id),
            ) from None

    def quota_lines(self, provincial_quota: int, other_quota: int) -> list[QuotaLine]:
        """Per assignee: quota (pro rata for a quarter plan), visits planned and attended."""
        share = len(self.months) / 12
        people: dict[str, list[Assignment]] = {}
        for a in self.assignments.values():
            people.setdefault(a.assignee.assignee_id, []).append(a)
        lines = []
        for visits in people.values():
            assignee = visits[-1].assignee
            quota = math.ceil(assignee.role.yearly_quota(provincial_quota, other_quota) * share)
            planned = sum(
                1 for a in visits if not a.unplanned and a.state is not AssignmentState.MISSED
            )
            attended = sum(1 for a in visits if a.attended_on is not None)
            lines.append(QuotaLine(assignee, quota, planned, attended))
        return sorted(lines, key=lambda line: line.assignee.name)

    def _open(self, assignment_id: UUID) -> Assignment:
        a = self.assignment(assignment_id)
        if not a.state.is_open:
            raise AssignmentAlreadySettled(
                f"Phân công đã ở trạng thái «{a.state.value}», không thay đổi được",
                f"the assignment is already {a.state.value}",
                state=a.state.value,
            )
        return a

    def _match(self, assignee: Assignee, cell_id: UUID, held_on: date) -> Assignment | None:
        candidates = [
            a
            for a in self.assignments.values()
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

    def _check_month(self, month: date) -> date:
        if month.year != self.year or month.month not in self.months:
            raise MonthOutsidePlanPeriod(
                "Tháng dự kiến nằm ngoài thời kỳ của kế hoạch",
                f"month {month:%Y-%m} is outside the plan's period",
                field="month",
            )
        return month.replace(day=1)

    def _check_not_duplicate(
        self, assignee_id: str, cell_id: UUID, month: date, except_id: UUID | None
    ) -> None:
        for a in self.assignments.values():
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


def _checked(assignee: Assignee) -> Assignee:
    return Assignee(
        require_text(assignee.assignee_id, "assignee_id", "Mã người được phân công", 100),
        require_text(assignee.name, "name", "Họ và tên", 200),
        assignee.role,
        assignee.position.strip(),
    )
