"""The admission case (hồ sơ kết nạp đảng viên): from applicant to official member, steps 1–12.

Each command checks that the previous step is there (naming it when it is not), that the actor
has standing, and the rule of the rule set in force on the step's date; the event records the
facts, the rule set's code and the next due date in working days, so deadlines and audits read
the log without re-deciding. The applicant becomes a :class:`~domain.member.Member` at the
ceremony; the service creates that member and its roster entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.admission_errors import (
    CELL_ROLES,
    COMMITTEE_ROLES,
    DOSSIER_NAMES,
    ApplicantOverSixtyNeedsApproval,
    ApplicantTooYoung,
    CaseClosed,
    CeremonyOverdueNeedsApproval,
    DateBeforePreviousStep,
    DossierItem,
    Education,
    EducationInsufficient,
    IntroducerNotFound,
    IntroducerNotOfficialMember,
    IntroducerTooShortTogether,
    IntroducingOrganisation,
    IntroductionBasis,
    IntroductionBasisNotAllowed,
    MentorNotOfficialMember,
    MotionDoesNotMatch,
    RecognitionBeforeProbationEnds,
    RecognitionOutcome,
    StepAlreadyDone,
    StepMissing,
    TooManyIntroducers,
    VoteBelowTwoThirds,
    check_counts,
    require_role,
)
from domain.base import Actor, ChiboAggregate, require_text
from domain.calendar import WorkingCalendar, add_months, months_of_age
from domain.member import MemberStatus
from domain.roster import Standing
from domain.rules import RULES, RuleBook, RuleSet


@dataclass(frozen=True, slots=True)
class MotionFacts:
    """What the meeting says about a vote: read from domain.meeting.Meeting by the service."""

    meeting_id: UUID
    motion_id: UUID
    cell_id: UUID
    held_on: date
    kind: str
    """``admission`` or ``recognition`` (domain.voting.MotionKind values)."""
    subject_id: UUID
    passed: bool
    votes_for: int
    votes_against: int
    official_members: int
    """The legal base: the cell's official members on the day (Charter art. 10.5)."""


def member_id_for(case_id: UUID) -> UUID:
    """The member created at the ceremony gets an id derived from the case: found without lookup."""
    return uuid5(NAMESPACE_URL, f"chibo:admission-member:{case_id}")


def missing(vi: str, en: str, step: int) -> StepMissing:
    return StepMissing(f"Thiếu bước {step}: {vi}", f"step {step} is missing: {en}", step=step)


class AdmissionCase(ChiboAggregate):
    """One applicant's admission case in one cell (hồ sơ kết nạp đảng viên)."""

    class Opened(ChiboAggregate.Created):
        full_name: str
        birth_date: date
        gender: str
        education: Education
        special_area: bool
        cell_id: UUID
        grassroots_cell: bool
        opened_on: date
        rule_set: str

    class CourseCertified(ChiboAggregate.Event):
        certificate_no: str
        completed_on: date

        def apply(self, case: AdmissionCase) -> None:
            case.course = (self.certificate_no, self.completed_on)

    class DossierItemFiled(ChiboAggregate.Event):
        item: DossierItem
        on: date

        def apply(self, case: AdmissionCase) -> None:
            case.dossier[self.item] = self.on

    class IntroducerAssigned(ChiboAggregate.Event):
        member_id: UUID
        basis: IntroductionBasis
        together_since: date
        on: date
        replaces: UUID | None
        rule_set: str

        def apply(self, case: AdmissionCase) -> None:
            if self.replaces is not None:
                case.introducers.pop(self.replaces, None)
            case.introducers[self.member_id] = self.on

    class IntroducedByOrganisation(ChiboAggregate.Event):
        organisation: IntroducingOrganisation
        resolution_no: str
        on: date

        def apply(self, case: AdmissionCase) -> None:
            case.organisation_introduction = (self.organisation, self.resolution_no, self.on)

    class CellVoted(ChiboAggregate.Event):
        meeting_id: UUID
        motion_id: UUID
        held_on: date
        votes_for: int
        official_members: int
        rule_set: str
        decision_due_on: date

        def apply(self, case: AdmissionCase) -> None:
            case.cell_vote_on = self.held_on
            case.due_on = self.decision_due_on

    class CommitteeVoted(ChiboAggregate.Event):
        on: date
        votes_for: int
        committee_members: int

        def apply(self, case: AdmissionCase) -> None:
            case.committee_vote_on = self.on

    class AdmissionDecided(ChiboAggregate.Event):
        number: str
        decided_on: date
        received_on: date
        rule_set: str
        ceremony_due_on: date

        def apply(self, case: AdmissionCase) -> None:
            case.decision = (self.number, self.decided_on, self.received_on)
            case.due_on = self.ceremony_due_on

    class CeremonyHeld(ChiboAggregate.Event):
        on: date
        member_id: UUID
        mentor_id: UUID
        late_approval: str
        probation_ends_on: date
        recognition_vote_due_on: date
        rule_set: str

        def apply(self, case: AdmissionCase) -> None:
            case.ceremony_on = self.on
            case.member_id = self.member_id
            case.mentor_id = self.mentor_id
            case.probation_ends_on = self.probation_ends_on
            case.due_on = self.recognition_vote_due_on

    class RecognitionVoted(ChiboAggregate.Event):
        meeting_id: UUID
        motion_id: UUID
        held_on: date
        votes_for: int
        votes_against: int
        official_members: int
        outcome: RecognitionOutcome
        rule_set: str
        decision_due_on: date | None

        def apply(self, case: AdmissionCase) -> None:
            case.recognition_votes.append((self.held_on, self.outcome))
            if self.decision_due_on is not None:
                case.due_on = self.decision_due_on

    class RecognitionDecided(ChiboAggregate.Event):
        number: str
        decided_on: date
        recognised: bool
        official_on: date | None

        def apply(self, case: AdmissionCase) -> None:
            case.recognition = (self.number, self.decided_on, self.recognised)
            case.due_on = None
            case.closed = (self.decided_on, "official" if self.recognised else "not_recognised")

    class Closed(ChiboAggregate.Event):
        on: date
        reason: str

        def apply(self, case: AdmissionCase) -> None:
            case.closed = (self.on, self.reason)
            case.due_on = None

    def __init__(
        self,
        full_name: str,
        birth_date: date,
        gender: str,
        education: Education,
        special_area: bool,
        cell_id: UUID,
        grassroots_cell: bool,
        opened_on: date,
        rule_set: str,
    ) -> None:
        self.full_name = full_name
        self.birth_date = birth_date
        self.gender = gender
        self.education = education
        self.special_area = special_area
        self.cell_id = cell_id
        self.grassroots_cell = grassroots_cell
        self.opened_on = opened_on
        self.course: tuple[str, date] | None = None
        self.dossier: dict[DossierItem, date] = {}
        self.introducers: dict[UUID, date] = {}
        self.organisation_introduction: tuple[IntroducingOrganisation, str, date] | None = None
        self.cell_vote_on: date | None = None
        self.committee_vote_on: date | None = None
        self.decision: tuple[str, date, date] | None = None
        self.ceremony_on: date | None = None
        self.member_id: UUID | None = None
        self.mentor_id: UUID | None = None
        self.probation_ends_on: date | None = None
        self.recognition_votes: list[tuple[date, RecognitionOutcome]] = []
        self.recognition: tuple[str, date, bool] | None = None
        self.due_on: date | None = None
        """When the next step with a deadline is due (None: no running deadline)."""
        self.closed: tuple[date, str] | None = None

    # -- step 1: eligibility --------------------------------------------------------------

    @classmethod
    def open(
        cls,
        id: UUID,
        full_name: str,
        birth_date: date,
        gender: str,
        education: Education,
        special_area: bool,
        cell_id: UUID,
        grassroots_cell: bool,
        opened_on: date,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> AdmissionCase:
        require_role(by, CELL_ROLES, "lập hồ sơ kết nạp", "open an admission case")
        rule_set = rules.in_force(opened_on)
        check_education(education, special_area, rule_set)
        if birth_date >= opened_on:
            raise ApplicantTooYoung(
                "Ngày sinh phải trước ngày lập hồ sơ", "birth_date is not in the past"
            )
        return cls._found(
            cls.Opened,
            by,
            id,
            full_name=require_text(full_name, "full_name", "Họ và tên", 200),
            birth_date=birth_date,
            gender=gender,
            education=education,
            special_area=special_area,
            cell_id=cell_id,
            grassroots_cell=grassroots_cell,
            opened_on=opened_on,
            rule_set=rule_set.code,
        )

    # -- steps 2–4: course, dossier, introducers -----------------------------------------

    def certify_course(self, certificate_no: str, completed_on: date, by: Actor) -> None:
        self.check_open()
        require_role(by, CELL_ROLES, "giấy chứng nhận lớp nhận thức về Đảng", "course certificate")
        self._record(
            self.CourseCertified,
            by,
            certificate_no=require_text(
                certificate_no, "certificate_no", "Số giấy chứng nhận", 100
            ),
            completed_on=completed_on,
        )

    def file_dossier_item(self, item: DossierItem, on: date, by: Actor) -> None:
        self.check_open()
        require_role(by, CELL_ROLES, DOSSIER_NAMES[item][0], DOSSIER_NAMES[item][1])
        self.require_course()
        if item is DossierItem.BACKGROUND_CHECK:
            for earlier in (DossierItem.APPLICATION, DossierItem.CV):
                if earlier not in self.dossier:
                    vi, en = DOSSIER_NAMES[earlier]
                    raise missing(f"Chưa có {vi.lower()}", f"{en} is missing", 3)
        self._record(self.DossierItemFiled, by, item=item, on=on)

    def assign_introducer(
        self,
        member_id: UUID,
        standing: Standing | None,
        basis: IntroductionBasis,
        together_since: date,
        on: date,
        by: Actor,
        replaces: UUID | None = None,
        rules: RuleBook = RULES,
    ) -> None:
        """Đảng viên giới thiệu: an official member of the cell, ≥ 12 months with the applicant."""
        self.check_open()
        require_role(by, CELL_ROLES, "người giới thiệu", "an introducer")
        self.require_dossier()
        if self.ceremony_on is not None:
            raise StepAlreadyDone("Đã kết nạp; không đổi người giới thiệu", "already admitted")
        rule_set = rules.in_force(on)
        if standing is None or standing.status is not MemberStatus.OFFICIAL or standing.suspended:
            raise IntroducerNotOfficialMember(
                "Người giới thiệu phải là đảng viên chính thức của chi bộ vào ngày giới thiệu",
                "an introducer must be an official member of the cell on the day",
                member_id=str(member_id),
            )
        if basis is IntroductionBasis.RESIDENCE and not rule_set.introducer_residence_counts:
            raise IntroductionBasisNotAllowed(
                f"Theo {rule_set.title}, cùng cư trú chưa là căn cứ giới thiệu",
                f"under {rule_set.code}, living in the same area is not a basis to introduce",
            )
        months = months_of_age(together_since, on) - (1 if on.day < together_since.day else 0)
        if months < rule_set.introducer_months_together:
            raise IntroducerTooShortTogether(
                f"Người giới thiệu mới cùng công tác/học tập/cư trú {months} tháng; cần ít nhất "
                f"{rule_set.introducer_months_together} tháng",
                f"the introducer has been with the applicant {months} months; at least "
                f"{rule_set.introducer_months_together} are required",
            )
        if replaces is not None and replaces not in self.introducers:
            raise IntroducerNotFound(
                "Người được thay thế không phải là người giới thiệu của hồ sơ này",
                "the replaced member is not an introducer of this case",
            )
        if replaces is None and (len(self.introducers) >= 2 or self.organisation_introduction):
            raise TooManyIntroducers(
                "Hồ sơ đã đủ người giới thiệu; dùng thay thế nếu một người chuyển đi",
                "the case already has its introducers; replace one instead",
            )
        if member_id in self.introducers:
            raise StepAlreadyDone("Đảng viên này đã là người giới thiệu", "already an introducer")
        self._record(
            self.IntroducerAssigned,
            by,
            member_id=member_id,
            basis=basis,
            together_since=together_since,
            on=on,
            replaces=replaces,
            rule_set=rule_set.code,
        )

    def introduce_by_organisation(
        self, organisation: IntroducingOrganisation, resolution_no: str, on: date, by: Actor
    ) -> None:
        """Nghị quyết giới thiệu của BCH Đoàn cơ sở / Công đoàn cơ sở instead of two members."""
        self.check_open()
        require_role(by, CELL_ROLES, "nghị quyết giới thiệu", "an introducing resolution")
        self.require_dossier()
        if self.introducers or self.organisation_introduction:
            raise TooManyIntroducers(
                "Hồ sơ đã có người giới thiệu", "the case already has its introducers"
            )
        self._record(
            self.IntroducedByOrganisation,
            by,
            organisation=organisation,
            resolution_no=require_text(resolution_no, "resolution_no", "Số nghị quyết", 100),
            on=on,
        )

    # -- steps 5–7: votes and decision ----------------------------------------------------

    def record_cell_vote(
        self, motion: MotionFacts, calendar: WorkingCalendar, by: Actor, rules: RuleBook = RULES
    ) -> None:
        self.check_open()
        require_role(by, CELL_ROLES, "biểu quyết của chi bộ", "the cell's vote")
        if not self.is_introduced:
            raise missing("Chưa có đủ người giới thiệu", "the introducers are missing", 4)
        if self.cell_vote_on is not None:
            raise StepAlreadyDone("Chi bộ đã biểu quyết kết nạp", "the cell has already voted")
        self.check_motion(motion, "admission", self.id)
        self.not_before(motion.held_on, max(self.dossier.values()), "held_on")
        rule_set = rules.in_force(motion.held_on)
        self.check_age(motion.held_on, rule_set)
        check_counts(motion.votes_for, motion.official_members, "votes_for", motion.votes_against)
        two_thirds(rule_set, motion.votes_for, motion.official_members, "số đảng viên chính thức")
        self._record(
            self.CellVoted,
            by,
            meeting_id=motion.meeting_id,
            motion_id=motion.motion_id,
            held_on=motion.held_on,
            votes_for=motion.votes_for,
            official_members=motion.official_members,
            rule_set=rule_set.code,
            decision_due_on=calendar.add_working_days(
                motion.held_on, rule_set.decision_working_days
            ),
        )

    def record_committee_vote(
        self, on: date, votes_for: int, committee_members: int, by: Actor, rules: RuleBook = RULES
    ) -> None:
        """Đảng ủy cơ sở xét: ≥ 2/3 of its members. Not needed for a grassroots cell."""
        self.check_open()
        require_role(by, COMMITTEE_ROLES, "biểu quyết của đảng ủy cơ sở", "the committee's vote")
        if self.cell_vote_on is None:
            raise missing("Chưa có nghị quyết của chi bộ", "the cell's vote is missing", 5)
        if self.committee_vote_on is not None:
            raise StepAlreadyDone("Đảng ủy cơ sở đã biểu quyết", "the committee has already voted")
        self.not_before(on, self.cell_vote_on, "on")
        rule_set = rules.in_force(on)
        check_counts(votes_for, committee_members, "votes_for")
        two_thirds(rule_set, votes_for, committee_members, "số cấp ủy viên")
        self._record(
            self.CommitteeVoted, by, on=on, votes_for=votes_for, committee_members=committee_members
        )

    def record_decision(
        self,
        number: str,
        decided_on: date,
        received_on: date,
        calendar: WorkingCalendar,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> None:
        """Quyết định kết nạp of the competent committee; the ceremony clock starts on receipt."""
        self.check_open()
        require_role(by, COMMITTEE_ROLES, "quyết định kết nạp", "the admission decision")
        if self.cell_vote_on is None:
            raise missing("Chưa có nghị quyết của chi bộ", "the cell's vote is missing", 5)
        if not self.grassroots_cell and self.committee_vote_on is None:
            raise missing(
                "Chưa có biểu quyết của đảng ủy cơ sở",
                "the grassroots committee's vote is missing",
                6,
            )
        if self.decision is not None:
            raise StepAlreadyDone("Đã có quyết định kết nạp", "the decision is already recorded")
        self.not_before(decided_on, self.committee_vote_on or self.cell_vote_on, "decided_on")
        self.not_before(received_on, decided_on, "received_on")
        rule_set = rules.in_force(decided_on)
        self._record(
            self.AdmissionDecided,
            by,
            number=require_text(number, "number", "Số quyết định", 100),
            decided_on=decided_on,
            received_on=received_on,
            rule_set=rule_set.code,
            ceremony_due_on=calendar.add_working_days(received_on, rule_set.ceremony_working_days),
        )

    # -- step 8: ceremony -----------------------------------------------------------------

    def hold_ceremony(
        self,
        on: date,
        mentor_id: UUID,
        mentor_standing: Standing | None,
        calendar: WorkingCalendar,
        by: Actor,
        late_approval: str = "",
        rules: RuleBook = RULES,
    ) -> UUID:
        """Lễ kết nạp; returns the new probationary member's id (the service enrols them)."""
        self.check_open()
        require_role(by, CELL_ROLES, "lễ kết nạp", "the admission ceremony")
        if self.decision is None:
            raise missing("Chưa có quyết định kết nạp", "the admission decision is missing", 7)
        if self.ceremony_on is not None:
            raise StepAlreadyDone("Đã tổ chức lễ kết nạp", "the ceremony is already recorded")
        self.not_before(on, self.decision[2], "on")
        if self.due_on is not None and on > self.due_on and not late_approval.strip():
            raise CeremonyOverdueNeedsApproval(
                f"Quá hạn tổ chức lễ kết nạp (hạn {self.due_on:%d/%m/%Y}); cần văn bản đồng ý "
                "của cấp ủy cấp trên trực tiếp",
                f"the ceremony is past its deadline ({self.due_on.isoformat()}); the direct "
                "superior committee's approval is required (late_approval)",
                field="late_approval",
            )
        if mentor_standing is None or mentor_standing.status is not MemberStatus.OFFICIAL:
            raise MentorNotOfficialMember(
                "Đảng viên giúp đỡ phải là đảng viên chính thức của chi bộ",
                "the mentor must be an official member of the cell",
                field="mentor_id",
            )
        rule_set = rules.in_force(on)
        ends = add_months(on, rule_set.probation_months)
        member_id = member_id_for(self.id)
        self._record(
            self.CeremonyHeld,
            by,
            on=on,
            member_id=member_id,
            mentor_id=mentor_id,
            late_approval=late_approval.strip(),
            probation_ends_on=ends,
            recognition_vote_due_on=calendar.add_working_days(
                ends, rule_set.recognition_vote_working_days
            ),
            rule_set=rule_set.code,
        )
        return member_id

    # -- steps 10–12: recognition ---------------------------------------------------------

    def record_recognition_vote(
        self, motion: MotionFacts, calendar: WorkingCalendar, by: Actor, rules: RuleBook = RULES
    ) -> RecognitionOutcome:
        self.check_open()
        require_role(by, CELL_ROLES, "biểu quyết công nhận chính thức", "the recognition vote")
        if self.probation_ends_on is None or self.member_id is None:
            raise missing("Chưa tổ chức lễ kết nạp", "the admission ceremony is missing", 8)
        if self.awaiting_recognition_decision:
            raise StepAlreadyDone(
                "Chi bộ đã có kết quả biểu quyết; chờ quyết định của cấp ủy",
                "the cell's vote is conclusive; the committee's decision is awaited",
            )
        self.check_motion(motion, "recognition", self.member_id, require_passed=False)
        if motion.held_on < self.probation_ends_on:
            raise RecognitionBeforeProbationEnds(
                f"Chưa hết 12 tháng dự bị (hết ngày {self.probation_ends_on:%d/%m/%Y})",
                f"probation ends on {self.probation_ends_on.isoformat()}; vote after that",
            )
        rule_set = rules.in_force(motion.held_on)
        check_counts(motion.votes_for, motion.official_members, "votes_for", motion.votes_against)
        if rule_set.reaches_two_thirds(motion.votes_for, motion.official_members):
            outcome = RecognitionOutcome.PROPOSE_RECOGNITION
        elif rule_set.reaches_two_thirds(motion.votes_against, motion.official_members):
            outcome = RecognitionOutcome.PROPOSE_REMOVAL
        elif len(self.recognition_votes) + 1 >= rule_set.inconclusive_votes_before_superior:
            outcome = RecognitionOutcome.ESCALATED
        else:
            outcome = RecognitionOutcome.INCONCLUSIVE
        due = (
            None
            if outcome is RecognitionOutcome.INCONCLUSIVE
            else calendar.add_working_days(
                motion.held_on, rule_set.recognition_decision_working_days
            )
        )
        self._record(
            self.RecognitionVoted,
            by,
            meeting_id=motion.meeting_id,
            motion_id=motion.motion_id,
            held_on=motion.held_on,
            votes_for=motion.votes_for,
            votes_against=motion.votes_against,
            official_members=motion.official_members,
            outcome=outcome,
            rule_set=rule_set.code,
            decision_due_on=due,
        )
        return outcome

    def record_recognition_decision(
        self, number: str, decided_on: date, recognised: bool, by: Actor
    ) -> date | None:
        """Quyết định công nhận; official from the end of probation, whenever this falls."""
        self.check_open()
        require_role(by, COMMITTEE_ROLES, "quyết định công nhận", "the recognition decision")
        if not self.awaiting_recognition_decision or self.probation_ends_on is None:
            raise missing(
                "Chưa có kết quả biểu quyết công nhận của chi bộ (đủ 2/3) hoặc chưa chuyển cấp trên",
                "the cell's conclusive recognition vote (or the escalation) is missing",
                10,
            )
        self.not_before(decided_on, self.recognition_votes[-1][0], "decided_on")
        official_on = self.probation_ends_on if recognised else None
        self._record(
            self.RecognitionDecided,
            by,
            number=require_text(number, "number", "Số quyết định", 100),
            decided_on=decided_on,
            recognised=recognised,
            official_on=official_on,
        )
        return official_on

    def close(self, on: date, reason: str, by: Actor) -> None:
        """Dừng hồ sơ (the applicant withdraws, the vote failed…) before the ceremony."""
        self.check_open()
        require_role(by, CELL_ROLES | COMMITTEE_ROLES, "dừng hồ sơ", "close the case")
        if self.ceremony_on is not None:
            raise StepAlreadyDone(
                "Đã kết nạp; dùng quyết định công nhận/xóa tên",
                "already admitted; decide recognition",
            )
        self._record(self.Closed, by, on=on, reason=require_text(reason, "reason", "Lý do"))

    # -- checks and queries ---------------------------------------------------------------

    @property
    def is_introduced(self) -> bool:
        return len(self.introducers) >= 2 or self.organisation_introduction is not None

    @property
    def awaiting_recognition_decision(self) -> bool:
        return bool(self.recognition_votes) and self.recognition_votes[-1][1] in (
            RecognitionOutcome.PROPOSE_RECOGNITION,
            RecognitionOutcome.PROPOSE_REMOVAL,
            RecognitionOutcome.ESCALATED,
        )

    def check_open(self) -> None:
        if self.closed is not None:
            raise CaseClosed(
                f"Hồ sơ đã đóng ngày {self.closed[0]:%d/%m/%Y} ({self.closed[1]})",
                f"the case was closed on {self.closed[0].isoformat()} ({self.closed[1]})",
            )

    def require_course(self) -> None:
        if self.course is None:
            raise missing(
                "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
                "the awareness-course certificate is missing",
                2,
            )

    def require_dossier(self) -> None:
        self.require_course()
        for item in DossierItem:
            if item not in self.dossier:
                vi, en = DOSSIER_NAMES[item]
                raise missing(f"Chưa có {vi.lower()}", f"{en} is missing", 3)

    def check_age(self, on: date, rule_set: RuleSet) -> None:
        months = months_of_age(self.birth_date, on)
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

    def check_motion(
        self, motion: MotionFacts, kind: str, subject_id: UUID, require_passed: bool = True
    ) -> None:
        problems = []
        if motion.kind != kind:
            problems.append(("loại biểu quyết không đúng", f"the motion is not a {kind} motion"))
        if motion.subject_id != subject_id:
            problems.append(("biểu quyết về người khác", "the motion is about someone else"))
        if motion.cell_id != self.cell_id:
            problems.append(("cuộc họp của chi bộ khác", "the meeting is of another cell"))
        if require_passed and not motion.passed:
            problems.append(("biểu quyết không được thông qua", "the motion did not pass"))
        if problems:
            raise MotionDoesNotMatch(
                "Biểu quyết không hợp lệ cho hồ sơ này: " + "; ".join(p[0] for p in problems),
                "the motion does not fit this case: " + "; ".join(p[1] for p in problems),
                motion_id=str(motion.motion_id),
            )

    @staticmethod
    def not_before(day: date, earlier: date, field: str) -> None:
        if day < earlier:
            raise DateBeforePreviousStep(
                f"Ngày {day:%d/%m/%Y} trước bước trước đó ({earlier:%d/%m/%Y})",
                f"{field} {day.isoformat()} is before the previous step ({earlier.isoformat()})",
                field=field,
            )


def check_education(education: Education, special_area: bool, rule_set: RuleSet) -> None:
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


def two_thirds(rule_set: RuleSet, votes_for: int, base: int, base_vi: str) -> None:
    if not rule_set.reaches_two_thirds(votes_for, base):
        raise VoteBelowTwoThirds(
            f"Chỉ {votes_for}/{base} tán thành, chưa đủ 2/3 {base_vi}",
            f"only {votes_for} of {base} in favour: two thirds are required",
            votes_for=votes_for,
            base=base,
        )
