"""The admission case, steps 1–12: each rule refuses what it must, and the happy path goes through."""

from __future__ import annotations

import dataclasses
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.admission import AdmissionCase, MotionFacts, member_id_for
from domain.admission_errors import (
    ApplicantOverSixtyNeedsApproval,
    ApplicantTooYoung,
    CaseClosed,
    CeremonyOverdueNeedsApproval,
    EducationInsufficient,
    IntroducerNotOfficialMember,
    IntroducerTooShortTogether,
    IntroductionBasisNotAllowed,
    MentorNotOfficialMember,
    MotionDoesNotMatch,
    NoStandingForStep,
    RecognitionBeforeProbationEnds,
    StepMissing,
    TooManyIntroducers,
    VoteBelowTwoThirds,
)
from domain.admission_values import (
    DossierItem,
    Education,
    IntroducingOrganisation,
    IntroductionBasis,
    RecognitionOutcome,
)
from domain.calendar import WEEKENDS_ONLY
from domain.member import MemberStatus
from domain.roster import Standing
from domain.rules import QD_24_2021, QD_29_2016, RuleBook
from domain.voting import MotionKind, MotionResult
from tests.builders import COMMITTEE, INSPECTOR, SECRETARY

pytestmark = pytest.mark.unit

OFFICIAL = Standing(MemberStatus.OFFICIAL, exempted=False, suspended=False)
PROBATIONARY = Standing(MemberStatus.PROBATIONARY, exempted=False, suspended=False)
CELL = uuid4()
INTRODUCER_A, INTRODUCER_B, MENTOR = uuid4(), uuid4(), uuid4()


def new_case(
    education=Education.UPPER_SECONDARY, born=date(2000, 5, 1), grassroots=False, rules=None
):
    kwargs = {"rules": rules} if rules else {}
    return AdmissionCase.open(
        uuid4(),
        "Nguyễn Văn An",
        born,
        "nam",
        education,
        False,
        CELL,
        grassroots,
        date(2024, 1, 8),
        SECRETARY,
        **kwargs,
    )


def introduce(case, member_id, status, together_since, on, **more):
    """An introducer (người giới thiệu) from work, assigned by the cell's secretary."""
    case.assign_introducer(
        member_id, status, IntroductionBasis.WORK, together_since, on, SECRETARY, **more
    )


def dossier(case):
    case.certify_course("GCN-01", date(2024, 1, 20), SECRETARY)
    for item in DossierItem:
        case.file_dossier_item(item, date(2024, 2, 1), SECRETARY)


def introduced(case, **kwargs):
    dossier(case)
    # The applicant is of Youth Union age: two members introduce only where there is no Youth
    # Union (Charter art. 4.2), which the cell records first.
    case.state_no_youth_union(date(2024, 2, 5), "Doanh nghiệp không có tổ chức Đoàn", SECRETARY)
    for member in (INTRODUCER_A, INTRODUCER_B):
        introduce(case, member, OFFICIAL, date(2022, 1, 1), date(2024, 2, 5), **kwargs)


def motion(
    case_or_subject,
    kind=MotionKind.ADMISSION,
    held_on=date(2024, 3, 5),
    votes_for=6,
    against=0,
    base=9,
    passed=True,
    cell=CELL,
):
    subject = case_or_subject if isinstance(case_or_subject, UUID) else case_or_subject.id
    result = MotionResult.PASSED if passed else MotionResult.FAILED
    return MotionFacts(
        uuid4(), uuid4(), cell, held_on, kind, subject, result, votes_for, against, base
    )


def admitted(grassroots=False):
    case = new_case(grassroots=grassroots)
    introduced(case)
    case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    if not grassroots:
        case.record_committee_vote(date(2024, 3, 20), 5, 7, COMMITTEE)
    case.record_decision(
        "123-QĐ/ĐU", date(2024, 4, 10), date(2024, 4, 12), WEEKENDS_ONLY, COMMITTEE
    )
    case.hold_ceremony(date(2024, 5, 6), MENTOR, OFFICIAL, WEEKENDS_ONLY, SECRETARY)
    return case


def test_full_path_to_official_member():
    case = admitted()
    assert case.member_id == member_id_for(case.id)
    assert case.probation_ends_on == date(2025, 5, 6)
    assert case.due_on == WEEKENDS_ONLY.add_working_days(date(2025, 5, 6), 30)
    outcome = case.record_recognition_vote(
        motion(case.member_id, MotionKind.RECOGNITION, date(2025, 5, 20)), WEEKENDS_ONLY, SECRETARY
    )
    assert outcome is RecognitionOutcome.PROPOSE_RECOGNITION
    official_on = case.record_recognition_decision("9-QĐ", date(2025, 6, 2), True, COMMITTEE)
    assert official_on == date(2025, 5, 6)
    assert case.closed == (date(2025, 6, 2), "official")


def test_recognition_voted_late_is_dated_from_the_end_of_probation():
    case = admitted()
    late = date(2025, 9, 15)  # months after the 30 working days
    case.record_recognition_vote(
        motion(case.member_id, MotionKind.RECOGNITION, late), WEEKENDS_ONLY, SECRETARY
    )
    assert case.record_recognition_decision("10-QĐ", date(2025, 10, 1), True, COMMITTEE) == date(
        2025, 5, 6
    )


def test_course_certificate_is_required_before_the_dossier():
    case = new_case()
    with pytest.raises(StepMissing, match="giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng"):
        case.file_dossier_item(DossierItem.APPLICATION, date(2024, 2, 1), SECRETARY)


def test_background_check_needs_application_and_cv():
    case = new_case()
    case.certify_course("GCN-01", date(2024, 1, 20), SECRETARY)
    with pytest.raises(StepMissing, match="đơn xin vào đảng"):
        case.file_dossier_item(DossierItem.BACKGROUND_CHECK, date(2024, 2, 1), SECRETARY)


def test_introducers_need_the_dossier():
    case = new_case()
    case.certify_course("GCN-01", date(2024, 1, 20), SECRETARY)
    with pytest.raises(StepMissing, match="step 3"):
        introduce(case, INTRODUCER_A, OFFICIAL, date(2022, 1, 1), date(2024, 2, 5))


def test_introducer_must_be_official_and_twelve_months_together():
    case = new_case()
    dossier(case)
    with pytest.raises(IntroducerNotOfficialMember):
        introduce(case, INTRODUCER_A, PROBATIONARY, date(2022, 1, 1), date(2024, 2, 5))
    with pytest.raises(IntroducerNotOfficialMember):
        introduce(case, INTRODUCER_A, None, date(2022, 1, 1), date(2024, 2, 5))
    with pytest.raises(IntroducerTooShortTogether):
        introduce(case, INTRODUCER_A, OFFICIAL, date(2023, 2, 6), date(2024, 2, 5))
    introduce(case, INTRODUCER_A, OFFICIAL, date(2023, 2, 5), date(2024, 2, 5))


def test_two_introducers_at_most_and_a_replacement_when_one_leaves():
    case = new_case()
    introduced(case)
    third = uuid4()
    with pytest.raises(TooManyIntroducers):
        introduce(case, third, OFFICIAL, date(2022, 1, 1), date(2024, 2, 6))
    introduce(case, third, OFFICIAL, date(2022, 1, 1), date(2024, 2, 6), replaces=INTRODUCER_A)
    assert set(case.introducers) == {INTRODUCER_B, third}


def test_youth_union_resolution_replaces_one_introducer_not_both():
    """Charter art. 4.2: the union committee's resolution and one official member."""
    case = new_case()
    dossier(case)
    case.introduce_by_organisation(
        IntroducingOrganisation.YOUTH_UNION, "05-NQ/ĐTN", date(2024, 2, 5), SECRETARY
    )
    assert not case.is_introduced
    with pytest.raises(StepMissing, match="introducers"):
        case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    work = (IntroductionBasis.WORK, date(2022, 1, 1), date(2024, 2, 5), SECRETARY)
    case.assign_introducer(INTRODUCER_A, OFFICIAL, *work)
    assert case.is_introduced
    with pytest.raises(TooManyIntroducers):
        case.assign_introducer(INTRODUCER_B, OFFICIAL, *work)


def test_cell_vote_needs_introducers_and_two_thirds_of_official_members():
    case = new_case()
    dossier(case)
    with pytest.raises(StepMissing, match="introducers"):
        case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    case.introduce_by_organisation(
        IntroducingOrganisation.YOUTH_UNION, "1-NQ/ĐTN", date(2024, 2, 5), SECRETARY
    )
    introduce(case, INTRODUCER_A, OFFICIAL, date(2022, 1, 1), date(2024, 2, 5))
    with pytest.raises(VoteBelowTwoThirds):
        case.record_cell_vote(motion(case, votes_for=5, base=9), WEEKENDS_ONLY, SECRETARY)
    case.record_cell_vote(motion(case, votes_for=6, base=9), WEEKENDS_ONLY, SECRETARY)
    assert case.due_on == WEEKENDS_ONLY.add_working_days(date(2024, 3, 5), 60)


def test_cell_vote_must_be_the_passed_admission_motion_about_this_applicant():
    case = new_case()
    introduced(case)
    for bad in (
        motion(case, kind=MotionKind.RECOGNITION),
        motion(uuid4()),
        motion(case, passed=False),
        motion(case, cell=uuid4()),
    ):
        with pytest.raises(MotionDoesNotMatch):
            case.record_cell_vote(bad, WEEKENDS_ONLY, SECRETARY)


def test_age_is_judged_in_months_on_the_day_of_the_cell_vote():
    young = new_case(born=date(2006, 4, 30))
    introduced(young)
    with pytest.raises(ApplicantTooYoung):
        young.record_cell_vote(motion(young, held_on=date(2024, 3, 29)), WEEKENDS_ONLY, SECRETARY)
    young.record_cell_vote(motion(young, held_on=date(2024, 4, 1)), WEEKENDS_ONLY, SECRETARY)
    old = new_case(born=date(1964, 2, 1))
    introduced(old)
    with pytest.raises(ApplicantOverSixtyNeedsApproval):
        old.record_cell_vote(motion(old), WEEKENDS_ONLY, SECRETARY)


def test_committee_vote_and_decision_order():
    case = new_case()
    introduced(case)
    with pytest.raises(StepMissing, match="step 5"):
        case.record_committee_vote(date(2024, 3, 20), 5, 7, COMMITTEE)
    case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    with pytest.raises(StepMissing, match="step 6"):
        case.record_decision("1", date(2024, 4, 1), date(2024, 4, 1), WEEKENDS_ONLY, COMMITTEE)
    with pytest.raises(VoteBelowTwoThirds):
        case.record_committee_vote(date(2024, 3, 20), 4, 7, COMMITTEE)
    case.record_committee_vote(date(2024, 3, 20), 5, 7, COMMITTEE)


def test_grassroots_cell_has_no_committee_vote():
    case = admitted(grassroots=True)
    assert case.committee_vote_on is None
    assert case.ceremony_on == date(2024, 5, 6)


def test_late_ceremony_needs_the_superior_committees_approval():
    case = new_case(grassroots=True)
    introduced(case)
    case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    case.record_decision("1", date(2024, 4, 10), date(2024, 4, 12), WEEKENDS_ONLY, COMMITTEE)
    due = WEEKENDS_ONLY.add_working_days(date(2024, 4, 12), 30)
    late = date(due.year, due.month, due.day + 1)
    with pytest.raises(CeremonyOverdueNeedsApproval):
        case.hold_ceremony(late, MENTOR, OFFICIAL, WEEKENDS_ONLY, SECRETARY)
    with pytest.raises(MentorNotOfficialMember):
        case.hold_ceremony(due, MENTOR, PROBATIONARY, WEEKENDS_ONLY, SECRETARY)
    case.hold_ceremony(
        late, MENTOR, OFFICIAL, WEEKENDS_ONLY, SECRETARY, late_approval="CV 12-CV/ĐU"
    )


def test_recognition_not_before_probation_ends():
    case = admitted()
    with pytest.raises(RecognitionBeforeProbationEnds):
        case.record_recognition_vote(
            motion(case.member_id, MotionKind.RECOGNITION, date(2025, 5, 5)),
            WEEKENDS_ONLY,
            SECRETARY,
        )


def test_three_inconclusive_votes_go_to_the_superior():
    case = admitted()
    votes = [date(2025, 5, 20), date(2025, 6, 20), date(2025, 7, 21)]
    outcomes = [
        case.record_recognition_vote(
            motion(
                case.member_id, MotionKind.RECOGNITION, day, votes_for=5, against=3, passed=False
            ),
            WEEKENDS_ONLY,
            SECRETARY,
        )
        for day in votes
    ]
    assert outcomes == [RecognitionOutcome.INCONCLUSIVE] * 2 + [RecognitionOutcome.ESCALATED]
    assert case.record_recognition_decision("7-QĐ", date(2025, 8, 1), False, COMMITTEE) is None
    assert case.closed == (date(2025, 8, 1), "not_recognised")


def test_decision_needs_a_conclusive_vote():
    case = admitted()
    with pytest.raises(StepMissing, match="step 10"):
        case.record_recognition_decision("1", date(2025, 6, 1), True, COMMITTEE)
    case.record_recognition_vote(
        motion(
            case.member_id,
            MotionKind.RECOGNITION,
            date(2025, 5, 20),
            votes_for=1,
            against=7,
            passed=False,
        ),
        WEEKENDS_ONLY,
        SECRETARY,
    )
    assert case.awaiting_recognition_decision


def test_people_without_standing_are_refused():
    with pytest.raises(NoStandingForStep):
        AdmissionCase.open(
            uuid4(),
            "A",
            date(2000, 1, 1),
            "nam",
            Education.HIGHER,
            False,
            CELL,
            False,
            date(2024, 1, 8),
            INSPECTOR,
        )
    case = new_case()
    introduced(case)
    case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    with pytest.raises(NoStandingForStep):
        case.record_committee_vote(date(2024, 3, 20), 5, 7, SECRETARY)


def test_closed_case_refuses_further_steps():
    case = new_case()
    case.close(date(2024, 1, 10), "Rút đơn", SECRETARY)
    with pytest.raises(CaseClosed):
        case.certify_course("x", date(2024, 1, 11), SECRETARY)


def test_same_history_judged_under_two_rule_sets_differs_exactly_where_rules_differ():
    """QĐ 29 vs QĐ 24: 'equivalent' schooling and residence-based introductions; the rest agrees."""
    only_29 = RuleBook((QD_29_2016,))
    only_24 = RuleBook((dataclasses.replace(QD_24_2021, effective_from=QD_29_2016.effective_from),))

    def history(rules):
        results = {}
        try:
            case = new_case(Education.LOWER_SECONDARY_EQUIVALENT, rules=rules)
            results["education"] = "accepted"
        except EducationInsufficient:
            results["education"] = "refused"
            case = new_case(Education.LOWER_SECONDARY, rules=rules)
        dossier(case)
        case.state_no_youth_union(date(2024, 2, 5), "Không có tổ chức Đoàn", SECRETARY)
        try:
            case.assign_introducer(
                INTRODUCER_A,
                OFFICIAL,
                IntroductionBasis.RESIDENCE,
                date(2022, 1, 1),
                date(2024, 2, 5),
                SECRETARY,
                rules=rules,
            )
            results["residence_introducer"] = "accepted"
        except IntroductionBasisNotAllowed:
            results["residence_introducer"] = "refused"
            introduce(case, INTRODUCER_A, OFFICIAL, date(2022, 1, 1), date(2024, 2, 5), rules=rules)
        introduce(case, INTRODUCER_B, OFFICIAL, date(2022, 1, 1), date(2024, 2, 5), rules=rules)
        try:
            case.record_cell_vote(motion(case, votes_for=5), WEEKENDS_ONLY, SECRETARY, rules=rules)
            results["cell_vote_5_of_9"] = "accepted"
        except VoteBelowTwoThirds:
            results["cell_vote_5_of_9"] = "refused"
        case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY, rules=rules)
        results["decision_due"] = case.due_on
        return results

    under_29, under_24 = history(only_29), history(only_24)
    differing = {k for k in under_29 if under_29[k] != under_24[k]}
    assert differing == {"education", "residence_introducer"}
    assert under_29["education"] == "accepted"
    assert under_24["education"] == "refused"
    assert under_29["residence_introducer"] == "refused"
    assert under_24["residence_introducer"] == "accepted"
