"""The admission case (hồ sơ kết nạp đảng viên): from applicant to official member, steps 1–12.

Each command checks that the previous step is there (naming it when it is not), that the actor
has standing, and the rule of the rule set in force on the step's date; the event records the
facts, the rule set's code and the next due date in working days, so deadlines and audits read
the log without re-deciding. The applicant becomes a :class:`~domain.member.Member` at the
ceremony; the service creates that member and its roster entry in the same transaction.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain import admission_checks as check
from domain.admission_records import AdmissionRecords
from domain.admission_values import (
    CELL_ROLES,
    COMMITTEE_ROLES,
    DOSSIER_NAMES,
    DossierItem,
    Education,
    IntroducingOrganisation,
    IntroductionBasis,
    MotionFacts,
    RecognitionOutcome,
    member_id_for,
)
from domain.base import Actor, ChiboAggregate, require_text
from domain.calendar import WorkingCalendar, add_months
from domain.roster import Standing
from domain.rules import RULES, RuleBook

__all__ = ["AdmissionCase", "MotionFacts", "member_id_for"]


class AdmissionCase(AdmissionRecords, ChiboAggregate):
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

    class NoYouthUnionStated(ChiboAggregate.Event):
        """The cell records there is no Youth Union where the applicant works or lives."""

        on: date
        reason: str

        def apply(self, case: AdmissionCase) -> None:
            case.no_youth_union = (self.on, self.reason)

    class DeadlineExtended(ChiboAggregate.Event):
        """A recorded decision extends the running deadline once (gia hạn)."""

        decision_no: str
        decided_on: date
        working_days: int
        reason: str
        previous_due_on: date
        due_on: date
        rule_set: str

        def apply(self, case: AdmissionCase) -> None:
            case.due_on = case.extended_due_on = self.due_on

    class Closed(ChiboAggregate.Event):
        on: date
        reason: str

        def apply(self, case: AdmissionCase) -> None:
            case.closed = (self.on, self.reason)
            case.due_on = None

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
        check.require_role(by, CELL_ROLES, "lập hồ sơ kết nạp", "open an admission case")
        rule_set = rules.in_force(opened_on)
        check.education(education, special_area, rule_set)
        check.born_before(birth_date, opened_on)
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
        check.step(self, by, CELL_ROLES, "giấy chứng nhận lớp nhận thức về Đảng", "the course")
        number = require_text(certificate_no, "certificate_no", "Số giấy chứng nhận", 100)
        self._record(self.CourseCertified, by, certificate_no=number, completed_on=completed_on)

    def file_dossier_item(self, item: DossierItem, on: date, by: Actor) -> None:
        check.step(self, by, CELL_ROLES, *DOSSIER_NAMES[item])
        check.dossier_item(self, item)
        self._record(self.DossierItemFiled, by, item=item, on=on)

    # -- steps 5–7: votes and decision ----------------------------------------------------

    def record_cell_vote(
        self, motion: MotionFacts, calendar: WorkingCalendar, by: Actor, rules: RuleBook = RULES
    ) -> None:
        check.step(self, by, CELL_ROLES, "biểu quyết của chi bộ", "the cell's vote")
        rule_set = rules.in_force(motion.held_on)
        check.cell_vote(self, motion, rule_set)
        self._record(
            self.CellVoted,
            by,
            **motion.cited(),
            rule_set=rule_set.code,
            decision_due_on=calendar.add_working_days(
                motion.held_on, rule_set.decision_working_days
            ),
        )

    def record_committee_vote(
        self, on: date, votes_for: int, committee_members: int, by: Actor, rules: RuleBook = RULES
    ) -> None:
        """Đảng ủy cơ sở xét: ≥ 2/3 of its members. Not needed for a grassroots cell."""
        check.step(
            self, by, COMMITTEE_ROLES, "biểu quyết của đảng ủy cơ sở", "the committee's vote"
        )
        check.committee_vote(self, on, votes_for, committee_members, rules.in_force(on))
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
        check.step(self, by, COMMITTEE_ROLES, "quyết định kết nạp", "the admission decision")
        check.admission_decision(self, decided_on, received_on)
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
        check.step(self, by, CELL_ROLES, "lễ kết nạp", "the admission ceremony")
        check.ceremony(self, on, late_approval, mentor_standing)
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
        check.step(self, by, CELL_ROLES, "biểu quyết công nhận chính thức", "the recognition vote")
        rule_set = rules.in_force(motion.held_on)
        outcome = check.recognition_vote(self, motion, rule_set)
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
            **motion.cited(),
            votes_against=motion.votes_against,
            outcome=outcome,
            rule_set=rule_set.code,
            decision_due_on=due,
        )
        return outcome

    def record_recognition_decision(
        self, number: str, decided_on: date, recognised: bool, by: Actor
    ) -> date | None:
        """Quyết định công nhận; official from the end of probation, whenever this falls."""
        check.step(self, by, COMMITTEE_ROLES, "quyết định công nhận", "the recognition decision")
        official_on = check.recognition_decision(self, decided_on, recognised)
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
        check.step(self, by, CELL_ROLES | COMMITTEE_ROLES, "dừng hồ sơ", "close the case")
        check.closable(self)
        self._record(self.Closed, by, on=on, reason=require_text(reason, "reason", "Lý do"))
