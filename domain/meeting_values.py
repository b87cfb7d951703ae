"""Value types of a cell meeting (sinh hoạt chi bộ): kinds, attendance marks, guests, opinions.

Shared by ``domain.meeting`` (the aggregate and its events), ``domain.meeting_state`` and
``domain.meeting_checks``. Events carry them as plain fields, so they may move between modules
without touching the stored log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID


class MeetingKind(str, Enum):
    """Kinds of meeting of a cell."""

    REGULAR = "regular"  # sinh hoạt thường kỳ (hằng tháng)
    THEMATIC = "thematic"  # sinh hoạt chuyên đề
    EXTRAORDINARY = "extraordinary"  # sinh hoạt bất thường
    COMMITTEE_PREMEETING = "committee_premeeting"  # họp chi ủy trước kỳ sinh hoạt


class AttendanceMark(str, Enum):
    """A member's attendance (điểm danh)."""

    PRESENT = "present"  # có mặt
    EXCUSED = "excused"  # vắng có lý do
    UNEXCUSED = "unexcused"  # vắng không lý do


@dataclass(frozen=True, slots=True)
class AttendanceEntry:
    member_id: UUID
    mark: AttendanceMark
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Guest:
    """A named guest (khách mời), e.g. the superior committee member in charge of the cell."""

    id: UUID
    name: str
    position: str
    is_superior: bool  # cấp ủy viên / cán bộ cấp trên dự sinh hoạt
    assignee_id: UUID | None  # the superior-attendance assignment this visit fulfils


@dataclass(frozen=True, slots=True)
class Opinion:
    """An opinion given at the meeting (ý kiến phát biểu)."""

    speaker_id: UUID  # a member present, or a guest
    topic: str
    by_guest: bool


@dataclass(frozen=True, slots=True)
class AbsenceApproval:
    """The convening committee approved a named member's absence, before or at the meeting
    (vắng mặt được cấp ủy triệu tập đồng ý). Only such absentees leave the majority base;
    an "excused" attendance mark alone does not (Charter art. 9.5)."""

    member_id: UUID
    approved_by: str  # who approved: name and office, e.g. "Đ/c Lê Văn B, Bí thư chi bộ"
    approved_on: date
    note: str


@dataclass(frozen=True, slots=True)
class Correction:
    """What was corrected after closing, why, and by whom (đính chính)."""

    what: str
    reason: str
    actor: str
