"""Values and named rules of a cell meeting (sinh hoạt chi bộ), used by ``domain.meeting``.

Kept apart from the aggregate so each module stays short; every refusal has its own class and
a stable ``code`` for clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from uuid import UUID

from domain.base import InvalidValue, NotFound, RuleViolated, StateConflict
from domain.org_unit import MeetingWindow


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
class Correction:
    """What was corrected after closing, why, and by whom (đính chính)."""

    what: str
    reason: str
    actor: str


def check_period(year: int, month: int) -> tuple[int, int]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidPeriod(
            "Kỳ sinh hoạt phải có năm 2000–2100 và tháng 1–12",
            "period must have a year in 2000–2100 and a month in 1–12",
            field="period",
        )
    return year, month


def check_aware(moment: datetime, field: str) -> datetime:
    """Times carry their offset, so a meeting's local date and length are unambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue(
            "Thời gian phải kèm múi giờ (ví dụ +07:00)",
            f"{field} must include a UTC offset (e.g. +07:00)",
            field=field,
        )
    return moment


def held_outside_window(held_on: date, period: tuple[int, int], window: MeetingWindow) -> bool:
    """A regular meeting is late when not held within the window of its own month."""
    return (held_on.year, held_on.month) != period or not window.contains(held_on)


# -- errors ---------------------------------------------------------------------------------


class InvalidPeriod(InvalidValue):
    code = "invalid_period"


class ThematicMeetingNeedsTopic(InvalidValue):
    code = "thematic_meeting_needs_topic"


class PremeetingNeedsRegularMeeting(RuleViolated):
    code = "premeeting_needs_regular_meeting"


class PremeetingAlreadyLinked(StateConflict):
    code = "premeeting_already_linked"


class MeetingNotOpen(StateConflict):
    code = "meeting_not_open"


class MeetingAlreadyOpen(StateConflict):
    code = "meeting_already_open"


class MeetingIsClosed(StateConflict):
    code = "meeting_is_closed"


class MeetingNotClosed(StateConflict):
    code = "meeting_not_closed"


class ChairAndSecretaryMustDiffer(InvalidValue):
    code = "chair_and_secretary_must_differ"


class ChairMustBePresent(RuleViolated):
    code = "chair_must_be_present"


class ExcusedAbsenceNeedsReason(InvalidValue):
    code = "excused_absence_needs_reason"


class DuplicateAttendanceEntry(InvalidValue):
    code = "duplicate_attendance_entry"


class AttendanceIncomplete(RuleViolated):
    code = "attendance_incomplete"


class MemberNotPresent(RuleViolated):
    code = "member_not_present"


class UnknownSpeaker(NotFound):
    code = "unknown_speaker"


class GuestAlreadyAdded(StateConflict):
    code = "guest_already_added"


class SelfCriticismAlreadyRecorded(StateConflict):
    code = "self_criticism_already_recorded"


class MotionNotFound(NotFound):
    code = "motion_not_found"


class MotionAlreadyExists(StateConflict):
    code = "motion_already_exists"


class MotionNeedsSubject(InvalidValue):
    code = "motion_needs_subject"


class MotionTakesNoSubject(InvalidValue):
    code = "motion_takes_no_subject"


class SubjectIsNotProbationary(RuleViolated):
    code = "subject_is_not_probationary"


class ApplicantAlreadyOnRoster(RuleViolated):
    code = "applicant_already_on_roster"


class DuplicateMotionForPerson(StateConflict):
    code = "duplicate_motion_for_person"


class NoMotionsAtPremeeting(RuleViolated):
    code = "no_motions_at_premeeting"


class MotionAlreadyDecided(StateConflict):
    code = "motion_already_decided"


class VotingMethodMismatch(StateConflict):
    code = "voting_method_mismatch"


class NoVotesRecorded(RuleViolated):
    code = "no_votes_recorded"


class MinutesNotRecorded(RuleViolated):
    code = "minutes_not_recorded"


class MinutesAlreadyApproved(StateConflict):
    code = "minutes_already_approved"


class UndecidedMotionRemains(StateConflict):
    code = "undecided_motion_remains"


class NegativeDues(InvalidValue):
    code = "negative_dues"


class NothingToCorrect(InvalidValue):
    code = "nothing_to_correct"
