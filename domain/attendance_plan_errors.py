"""Named refusals of a superior-level attendance plan, each with a stable ``code`` for clients."""

from __future__ import annotations

from domain.base import InvalidValue, NotFound, RuleViolated, StateConflict


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
