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
from datetime import date
from uuid import UUID

from domain import attendance_plan_checks as check
from domain.attendance_plan_values import (
    Assignee,
    AssigneeRole,
    Assignment,
    AssignmentState,
    QuotaLine,
)
from domain.base import Actor, ChiboAggregate, require_text
from domain.quality import Rating

__all__ = [
    "Assignee",
    "AssigneeRole",
    "Assignment",
    "AssignmentState",
    "AttendancePlan",
    "QuotaLine",
]


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
        check.period(year, quarter)
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
        month = check.month_in_period(self.year, self.months, month)
        check.under_committee(self.committee_id, cell_ancestors)
        check.not_duplicate(self.assignments.values(), assignee.assignee_id, cell_id, month, None)
        self._record(
            self.Assigned,
            by,
            assignment_id=assignment_id,
            assignee=check.assignee(assignee),
            cell_id=cell_id,
            month=month,
        )

    def reassign(
        self, assignment_id: UUID, assignee: Assignee, month: date, reason: str, by: Actor
    ) -> None:
        a = check.still_open(self.assignments, assignment_id)
        month = check.month_in_period(self.year, self.months, month)
        check.not_duplicate(
            self.assignments.values(), assignee.assignee_id, a.cell_id, month, assignment_id
        )
        self._record(
            self.Reassigned,
            by,
            assignment_id=assignment_id,
            assignee=check.assignee(assignee),
            month=month,
            reason=require_text(reason, "reason", "Lý do phân công lại"),
        )

    def record_contact(self, assignment_id: UUID, on: date, note: str, by: Actor) -> None:
        """Liên hệ trước với cấp ủy cơ sở; a contact after the month starts is shown as late."""
        check.still_open(self.assignments, assignment_id)
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
        check.not_attended_yet(self.assignments.values(), assignee.assignee_id, meeting_id)
        target = (
            check.still_open(self.assignments, assignment_id)
            if assignment_id
            else check.closest_open(self.assignments.values(), assignee, meeting_cell_id, held_on)
        )
        if target is not None:
            check.same_cell(target, meeting_cell_id)
            self._record(
                self.Attended, by, assignment_id=target.id, meeting_id=meeting_id, held_on=held_on
            )
            return target.id
        self._record(
            self.AttendedUnplanned,
            by,
            assignment_id=new_assignment_id,
            assignee=check.assignee(assignee),
            cell_id=meeting_cell_id,
            meeting_id=meeting_id,
            held_on=held_on,
        )
        return new_assignment_id

    def record_missed(self, assignment_id: UUID, reason: str, by: Actor) -> None:
        check.still_open(self.assignments, assignment_id)
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
        check.reportable(self.assignment(assignment_id), filed_on)
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
        return check.found(self.assignments, assignment_id)

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
