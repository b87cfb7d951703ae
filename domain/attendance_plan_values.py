"""Value types of a superior-level attendance plan (kế hoạch phân công dự sinh hoạt chi bộ).

Shared by ``domain.attendance_plan`` (the aggregate and its events) and
``domain.attendance_plan_checks``; events carry them, stored as plain fields, so they may move
between modules without touching the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

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


ASSIGNMENT_STATE_LABELS = {
    AssignmentState.ASSIGNED: "đã phân công",
    AssignmentState.CONTACTED: "đã liên hệ",
    AssignmentState.ATTENDED: "đã dự",
    AssignmentState.MISSED: "không dự được",
    AssignmentState.REPORTED: "đã báo cáo",
}
"""Words a person reads for each state (refusals, the documents' tables): never the code."""


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
