"""The rules an admission case (hồ sơ kết nạp đảng viên) enforces, each a named error, and its value types.

Messages name the missing step or the rule, Vietnamese first, so the secretary knows what to fix.
"""

from __future__ import annotations

from enum import Enum

from domain.base import Actor, InvalidValue, RuleViolated, StateConflict


class Education(str, Enum):
    """Highest schooling of the applicant (trình độ học vấn)."""

    BELOW_LOWER_SECONDARY = "below_lower_secondary"  # chưa tốt nghiệp THCS
    LOWER_SECONDARY_EQUIVALENT = "lower_secondary_equivalent"  # tương đương THCS
    LOWER_SECONDARY = "lower_secondary"  # tốt nghiệp trung học cơ sở
    UPPER_SECONDARY = "upper_secondary"  # tốt nghiệp trung học phổ thông
    HIGHER = "higher"  # trung cấp, cao đẳng, đại học trở lên


class DossierItem(str, Enum):
    """Papers of step 3, in the order they are made."""

    APPLICATION = "application"  # đơn xin vào Đảng
    CV = "cv"  # lý lịch của người xin vào Đảng
    BACKGROUND_CHECK = "background_check"  # thẩm tra, xác minh lý lịch


DOSSIER_NAMES = {
    DossierItem.APPLICATION: ("Đơn xin vào Đảng", "the application"),
    DossierItem.CV: ("Lý lịch của người xin vào Đảng", "the CV"),
    DossierItem.BACKGROUND_CHECK: ("Kết quả thẩm tra lý lịch", "the background verification"),
}


class IntroductionBasis(str, Enum):
    """How an introducer knows the applicant (cùng … ít nhất 12 tháng)."""

    WORK = "work"  # cùng công tác, lao động
    STUDY = "study"  # cùng học tập
    RESIDENCE = "residence"  # cùng sinh hoạt nơi cư trú (QĐ 24 trở đi)


class IntroducingOrganisation(str, Enum):
    YOUTH_UNION = "youth_union"  # Ban chấp hành Đoàn cơ sở
    TRADE_UNION = "trade_union"  # Ban chấp hành Công đoàn cơ sở


class RecognitionOutcome(str, Enum):
    """Result of one recognition vote (biểu quyết công nhận đảng viên chính thức)."""

    PROPOSE_RECOGNITION = "propose_recognition"  # ≥ 2/3 đồng ý công nhận
    PROPOSE_REMOVAL = "propose_removal"  # ≥ 2/3 đề nghị xóa tên
    INCONCLUSIVE = "inconclusive"  # không đủ 2/3 bên nào
    ESCALATED = "escalated"  # lần thứ ba vẫn không đủ 2/3: cấp trên quyết định


CELL_ROLES = frozenset({"secretary", "tenant_admin", "system"})
"""Who records the cell's steps: the secretary's office (bí thư, chi ủy); domain.user.Role values."""
COMMITTEE_ROLES = frozenset({"superior_member", "tenant_admin", "system"})
"""Who records committee votes and decisions: members and staff of the superior committee."""


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


def require_role(by: Actor, roles: frozenset[str], step_vi: str, step_en: str) -> None:
    if by.role not in roles:
        raise NoStandingForStep(
            f"Vai trò «{by.role}» không có thẩm quyền: {step_vi}",
            f"role '{by.role}' has no standing to record: {step_en}",
            role=by.role,
            allowed=sorted(roles - {"system"}),
        )


def check_counts(votes_for: int, base: int, field: str, votes_against: int = 0) -> None:
    if votes_for < 0 or votes_against < 0 or base < 1 or votes_for + votes_against > base:
        raise InvalidVoteCount(
            "Số phiếu không hợp lệ: phiếu tán thành và không tán thành không âm, "
            "tổng không vượt số thành viên có quyền biểu quyết",
            "vote counts must be non-negative and not exceed the number entitled to vote",
            field=field,
        )
