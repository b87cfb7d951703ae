"""The decisions an admission case delegates: each checks one rule and raises its named error.

They take plain values (dates, the rule set in force, the case's recorded steps) and know
nothing of the aggregate class, so ``domain.admission`` imports them one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from domain.admission_errors import (
    ApplicantOverSixtyNeedsApproval,
    ApplicantTooYoung,
    CaseClosed,
    CeremonyOverdueNeedsApproval,
    CourseCertificateExpired,
    DateBeforePreviousStep,
    DeadlineAlreadyExtended,
    EducationInsufficient,
    ExtensionTooLong,
    InvalidVoteCount,
    MentorNotOfficialMember,
    MotionDoesNotMatch,
    NoRunningDeadline,
    NoStandingForStep,
    RecognitionBeforeProbationEnds,
    StepAlreadyDone,
    StepMissing,
    VoteBelowTwoThirds,
)
from domain.admission_state import AdmissionState
from domain.admission_values import (
    DOSSIER_NAMES,
    DossierItem,
    Education,
    MotionFacts,
    RecognitionOutcome,
)
from domain.base import Actor
from domain.calendar import add_months, months_of_age
from domain.member import MemberStatus
from domain.roster import Standing
from domain.rules import RuleSet
from domain.voting import MotionKind, MotionResult, Threshold, passes


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


def missing(vi: str, en: str, step: int) -> StepMissing:
    return StepMissing(f"Thiếu bước {step}: {vi}", f"step {step} is missing: {en}", step=step)


def case_open(closed: tuple[date, str] | None) -> None:
    if closed is not None:
        raise CaseClosed(
            f"Hồ sơ đã đóng ngày {closed[0]:%d/%m/%Y} ({closed[1]})",
            f"the case was closed on {closed[0].isoformat()} ({closed[1]})",
        )


def has_course(course: tuple[str, date] | None) -> None:
    if course is None:
        raise missing(
            "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
            "the awareness-course certificate is missing",
            2,
        )


def dossier_before_background_check(item: DossierItem, dossier: Mapping[DossierItem, date]) -> None:
    if item is DossierItem.BACKGROUND_CHECK:
        for earlier in (DossierItem.APPLICATION, DossierItem.CV):
            if earlier not in dossier:
                vi, en = DOSSIER_NAMES[earlier]
                raise missing(f"Chưa có {vi.lower()}", f"{en} is missing", 3)


def has_dossier(course: tuple[str, date] | None, dossier: Mapping[DossierItem, date]) -> None:
    has_course(course)
    for item in DossierItem:
        if item not in dossier:
            vi, en = DOSSIER_NAMES[item]
            raise missing(f"Chưa có {vi.lower()}", f"{en} is missing", 3)


def education(education: Education, special_area: bool, rule_set: RuleSet) -> None:
    if education in (Education.LOWER_SECONDARY, Education.UPPER_SECONDARY, Education.HIGHER):
        return
    if education is Education.LOWER_SECONDARY_EQUIVALENT and rule_set.accepts_equivalent_education:
        return
    if special_area:
        return  # miền núi, hải đảo, vùng khó khăn: hướng dẫn của Ban Bí thư applies
    raise EducationInsufficient(
        f"Theo {rule_set.title}, người vào Đảng phải có bằng tốt nghiệp trung học cơ sở trở lên",
        f"under {rule_set.code} the applicant needs a lower-secondary diploma or higher",
        field="education",
    )


def age(birth_date: date, on: date, rule_set: RuleSet) -> None:
    months = months_of_age(birth_date, on)
    if months < rule_set.min_age_months:
        raise ApplicantTooYoung(
            "Người vào Đảng chưa đủ 18 tuổi (tính theo tháng) vào ngày chi bộ xét",
            "the applicant is under 18 (counted in months) on the day the cell votes",
        )
    if months > rule_set.max_age_months:
        raise ApplicantOverSixtyNeedsApproval(
            "Người vào Đảng đã quá 60 tuổi: cần cấp ủy trực thuộc Trung ương xem xét, quyết định",
            "the applicant is over 60: the provincial committee must consider the case",
        )


def not_before(day: date, earlier: date, field: str) -> None:
    if day < earlier:
        raise DateBeforePreviousStep(
            f"Ngày {day:%d/%m/%Y} trước bước trước đó ({earlier:%d/%m/%Y})",
            f"{field} {day.isoformat()} is before the previous step ({earlier.isoformat()})",
            field=field,
        )


def motion_fits(
    motion: MotionFacts,
    kind: MotionKind,
    subject_id: UUID,
    cell_id: UUID,
    require_passed: bool = True,
) -> None:
    problems = []
    if motion.kind is not kind:
        problems.append(("loại biểu quyết không đúng", f"the motion is not a {kind.value} motion"))
    if motion.subject_id != subject_id:
        problems.append(("biểu quyết về người khác", "the motion is about someone else"))
    if motion.cell_id != cell_id:
        problems.append(("cuộc họp của chi bộ khác", "the meeting is of another cell"))
    if require_passed and motion.result is not MotionResult.PASSED:
        problems.append(("biểu quyết không được thông qua", "the motion did not pass"))
    if problems:
        raise MotionDoesNotMatch(
            "Biểu quyết không hợp lệ cho hồ sơ này: " + "; ".join(p[0] for p in problems),
            "the motion does not fit this case: " + "; ".join(p[1] for p in problems),
            motion_id=str(motion.motion_id),
        )


def two_thirds(rule_set: RuleSet, votes_for: int, base: int, base_vi: str) -> None:
    if not passes(Threshold.TWO_THIRDS, votes_for, base, rule_set):
        raise VoteBelowTwoThirds(
            f"Chỉ {votes_for}/{base} tán thành, chưa đủ 2/3 {base_vi}",
            f"only {votes_for} of {base} in favour: two thirds are required",
            votes_for=votes_for,
            base=base,
        )


def course_still_valid(case: AdmissionState, held_on: date, rule_set: RuleSet) -> None:
    """The awareness-course certificate is valid 60 months at the cell's vote (HD 06 §5.4)."""
    if case.course is None:
        return
    number, completed_on = case.course
    valid_until = add_months(completed_on, rule_set.course_valid_months)
    if held_on > valid_until:
        raise CourseCertificateExpired(
            f"Giấy chứng nhận bồi dưỡng nhận thức về Đảng số {number} "
            f"({completed_on:%d/%m/%Y}) chỉ có giá trị {rule_set.course_valid_months} tháng, "
            f"đến {valid_until:%d/%m/%Y}; người vào Đảng phải học lại",
            f"the course certificate of {completed_on.isoformat()} was valid "
            f"{rule_set.course_valid_months} months, until {valid_until.isoformat()}",
            valid_until=valid_until.isoformat(),
        )


def extension(case: AdmissionState, decided_on: date, working_days: int, rule_set: RuleSet) -> date:
    """A running deadline may be extended once, by at most 30 working days; returns it."""
    if case.due_on is None:
        raise NoRunningDeadline(
            "Hồ sơ không có thời hạn nào đang chạy", "the case has no running deadline"
        )
    if case.extended_due_on is not None and case.extended_due_on == case.due_on:
        raise DeadlineAlreadyExtended(
            "Thời hạn này đã được gia hạn một lần", "this deadline was already extended once"
        )
    if not 1 <= working_days <= rule_set.deadline_extension_working_days:
        raise ExtensionTooLong(
            f"Chỉ được gia hạn từ 1 đến {rule_set.deadline_extension_working_days} ngày làm việc",
            f"an extension is 1 to {rule_set.deadline_extension_working_days} working days",
            field="working_days",
        )
    return case.due_on


def cell_vote(case: AdmissionState, motion: MotionFacts, rule_set: RuleSet) -> None:
    """Step 5: the cell's resolution, ≥ 2/3 of its official members."""
    if not case.is_introduced:
        raise missing("Chưa có đủ người giới thiệu", "the introducers are missing", 4)
    if case.cell_vote_on is not None:
        raise StepAlreadyDone("Chi bộ đã biểu quyết kết nạp", "the cell has already voted")
    motion_fits(motion, MotionKind.ADMISSION, case.id, case.cell_id)
    not_before(motion.held_on, max(case.dossier.values()), "held_on")
    age(case.birth_date, motion.held_on, rule_set)
    course_still_valid(case, motion.held_on, rule_set)
    check_counts(motion.votes_for, motion.official_members, "votes_for", motion.votes_against)
    two_thirds(rule_set, motion.votes_for, motion.official_members, "số đảng viên chính thức")


def committee_vote(
    case: AdmissionState, on: date, votes_for: int, committee_members: int, rule_set: RuleSet
) -> None:
    """Step 6: the grassroots committee, ≥ 2/3 of its members."""
    if case.cell_vote_on is None:
        raise missing("Chưa có nghị quyết của chi bộ", "the cell's vote is missing", 5)
    if case.committee_vote_on is not None:
        raise StepAlreadyDone("Đảng ủy cơ sở đã biểu quyết", "the committee has already voted")
    not_before(on, case.cell_vote_on, "on")
    check_counts(votes_for, committee_members, "votes_for")
    two_thirds(rule_set, votes_for, committee_members, "số cấp ủy viên")


def admission_decision(case: AdmissionState, decided_on: date, received_on: date) -> None:
    """Step 7: the competent committee's decision follows the votes it needs."""
    if case.cell_vote_on is None:
        raise missing("Chưa có nghị quyết của chi bộ", "the cell's vote is missing", 5)
    if not case.grassroots_cell and case.committee_vote_on is None:
        raise missing(
            "Chưa có biểu quyết của đảng ủy cơ sở", "the grassroots committee's vote is missing", 6
        )
    if case.decision is not None:
        raise StepAlreadyDone("Đã có quyết định kết nạp", "the decision is already recorded")
    not_before(decided_on, case.committee_vote_on or case.cell_vote_on, "decided_on")
    not_before(received_on, decided_on, "received_on")


def ceremony(
    case: AdmissionState, on: date, late_approval: str, mentor_standing: Standing | None
) -> None:
    """Step 8: after the decision is received, within its deadline or with approval."""
    if case.decision is None:
        raise missing("Chưa có quyết định kết nạp", "the admission decision is missing", 7)
    if case.ceremony_on is not None:
        raise StepAlreadyDone("Đã tổ chức lễ kết nạp", "the ceremony is already recorded")
    not_before(on, case.decision[2], "on")
    due_on = case.due_on
    if due_on is not None and on > due_on and not late_approval.strip():
        raise CeremonyOverdueNeedsApproval(
            f"Quá hạn tổ chức lễ kết nạp (hạn {due_on:%d/%m/%Y}); cần văn bản đồng ý "
            "của cấp ủy cấp trên trực tiếp",
            f"the ceremony is past its deadline ({due_on.isoformat()}); the direct "
            "superior committee's approval is required (late_approval)",
            field="late_approval",
        )
    if mentor_standing is None or mentor_standing.status is not MemberStatus.OFFICIAL:
        raise MentorNotOfficialMember(
            "Đảng viên giúp đỡ phải là đảng viên chính thức của chi bộ",
            "the mentor must be an official member of the cell",
            field="mentor_id",
        )


def recognition_outcome(
    rule_set: RuleSet, votes_for: int, votes_against: int, base: int, earlier_votes: int
) -> RecognitionOutcome:
    """Two thirds either way decide; after the set number of inconclusive votes, the superior."""
    if passes(Threshold.TWO_THIRDS, votes_for, base, rule_set):
        return RecognitionOutcome.PROPOSE_RECOGNITION
    if passes(Threshold.TWO_THIRDS, votes_against, base, rule_set):
        return RecognitionOutcome.PROPOSE_REMOVAL
    if earlier_votes + 1 >= rule_set.inconclusive_votes_before_superior:
        return RecognitionOutcome.ESCALATED
    return RecognitionOutcome.INCONCLUSIVE


def recognition_vote(
    case: AdmissionState, motion: MotionFacts, rule_set: RuleSet
) -> RecognitionOutcome:
    """Step 10: the cell's recognition vote, after probation; returns what it decides."""
    if case.probation_ends_on is None or case.member_id is None:
        raise missing("Chưa tổ chức lễ kết nạp", "the admission ceremony is missing", 8)
    if case.awaiting_recognition_decision:
        raise StepAlreadyDone(
            "Chi bộ đã có kết quả biểu quyết; chờ quyết định của cấp ủy",
            "the cell's vote is conclusive; the committee's decision is awaited",
        )
    motion_fits(motion, MotionKind.RECOGNITION, case.member_id, case.cell_id, require_passed=False)
    if motion.held_on < case.probation_ends_on:
        raise RecognitionBeforeProbationEnds(
            f"Chưa hết 12 tháng dự bị (hết ngày {case.probation_ends_on:%d/%m/%Y})",
            f"probation ends on {case.probation_ends_on.isoformat()}; vote after that",
        )
    check_counts(motion.votes_for, motion.official_members, "votes_for", motion.votes_against)
    return recognition_outcome(
        rule_set,
        motion.votes_for,
        motion.votes_against,
        motion.official_members,
        len(case.recognition_votes),
    )


def recognition_decision(case: AdmissionState, decided_on: date, recognised: bool) -> date | None:
    """Step 11; returns the day the member is official: the end of probation, if recognised."""
    if not case.awaiting_recognition_decision or case.probation_ends_on is None:
        raise missing(
            "Chưa có kết quả biểu quyết công nhận của chi bộ (đủ 2/3) hoặc chưa chuyển cấp trên",
            "the cell's conclusive recognition vote (or the escalation) is missing",
            10,
        )
    not_before(decided_on, case.recognition_votes[-1][0], "decided_on")
    return case.probation_ends_on if recognised else None


def closable(case: AdmissionState) -> None:
    if case.ceremony_on is not None:
        raise StepAlreadyDone(
            "Đã kết nạp; dùng quyết định công nhận/xóa tên", "already admitted; decide recognition"
        )


def step(
    case: AdmissionState, by: Actor, roles: frozenset[str], step_vi: str, step_en: str
) -> None:
    """Every step: the case is still open and the actor has standing to record it."""
    case_open(case.closed)
    require_role(by, roles, step_vi, step_en)


def born_before(birth_date: date, opened_on: date) -> None:
    if birth_date >= opened_on:
        raise ApplicantTooYoung(
            "Ngày sinh phải trước ngày lập hồ sơ", "birth_date is not in the past"
        )


def dossier_item(case: AdmissionState, item: DossierItem) -> None:
    """Step 3: papers follow the course; the background check follows application and CV."""
    has_course(case.course)
    dossier_before_background_check(item, case.dossier)
