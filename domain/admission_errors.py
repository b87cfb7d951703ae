"""Named refusals of an admission case (hồ sơ kết nạp đảng viên), each with a stable ``code``.

Raised by ``domain.admission_checks``; messages name the missing step or the rule, Vietnamese
first, so the secretary knows what to fix.
"""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class StepMissing(RuleViolated):
    """A step was attempted before the one it depends on."""

    code = "step_missing"


class NoStandingForStep(RuleViolated):
    code = "no_standing_for_step"


class CaseClosed(StateConflict):
    code = "case_closed"


class StepAlreadyDone(StateConflict):
    code = "step_already_done"


class EducationInsufficient(RuleViolated):
    code = "education_insufficient"


class ApplicantTooYoung(RuleViolated):
    code = "applicant_too_young"


class ApplicantOverSixtyNeedsApproval(RuleViolated):
    code = "applicant_over_sixty_needs_approval"


class IntroducerNotOfficialMember(RuleViolated):
    code = "introducer_not_official_member"


class IntroducerTooShortTogether(RuleViolated):
    code = "introducer_too_short_together"


class IntroductionBasisNotAllowed(RuleViolated):
    code = "introduction_basis_not_allowed"


class TooManyIntroducers(RuleViolated):
    code = "too_many_introducers"


class IntroducerNotFound(StateConflict):
    code = "introducer_not_found"


class YouthUnionIntroductionRequired(RuleViolated):
    """An applicant of Youth Union age, where a Youth Union exists, is introduced by its
    committee's resolution and one official member (Charter art. 4.2)."""

    code = "youth_union_introduction_required"


class CourseCertificateExpired(RuleViolated):
    code = "course_certificate_expired"


class NoRunningDeadline(StateConflict):
    code = "no_running_deadline"


class DeadlineAlreadyExtended(StateConflict):
    code = "deadline_already_extended"


class ExtensionTooLong(RuleViolated):
    code = "extension_too_long"


class VoteBelowTwoThirds(RuleViolated):
    code = "vote_below_two_thirds"


class InvalidVoteCount(InvalidValue):
    code = "invalid_vote_count"


class MotionDoesNotMatch(RuleViolated):
    """The meeting's motion is not a passed motion of the right kind about this person."""

    code = "motion_does_not_match"


class CeremonyOverdueNeedsApproval(RuleViolated):
    code = "ceremony_overdue_needs_approval"


class MentorNotOfficialMember(RuleViolated):
    code = "mentor_not_official_member"


class RecognitionBeforeProbationEnds(RuleViolated):
    code = "recognition_before_probation_ends"


class DateBeforePreviousStep(InvalidValue):
    code = "date_before_previous_step"
