"""Named refusals of a cell meeting (sinh hoạt chi bộ), each with a stable ``code`` for clients.

Raised by ``domain.meeting_checks``; mapped to HTTP in one place (``services.errors``).
"""

from __future__ import annotations

from domain.base import InvalidValue, NotFound, RuleViolated, StateConflict


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


class MeetingStartsInFuture(InvalidValue):
    """Opening records that the meeting has begun, so its start cannot be ahead of the clock."""

    code = "meeting_starts_in_future"


class MeetingCancelled(StateConflict):
    """The meeting was cancelled (hủy): nothing more happens to it."""

    code = "meeting_cancelled"


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


class DuesRecordAmbiguous(RuleViolated):
    """A member present is named neither as having paid nor as not having paid."""

    code = "dues_record_ambiguous"


class DuesPaidAndUnpaid(InvalidValue):
    code = "dues_paid_and_unpaid"


class AbsenceAlreadyApproved(StateConflict):
    code = "absence_already_approved"


class ApprovalAfterMeeting(InvalidValue):
    code = "approval_after_meeting"


class DisciplineNeedsSecretBallot(RuleViolated):
    code = "discipline_needs_secret_ballot"


class NothingToCorrect(InvalidValue):
    code = "nothing_to_correct"
