"""Admission rules of issue 12 §2 (HD 06-HD/TW of 9 June 2025, Charter art. 4.2): a union's
introduction replaces one introducer; the Youth Union route for young applicants; the 60-month
course certificate; one extension of a running deadline by at most 30 working days."""

from __future__ import annotations

from datetime import date

import pytest

from domain.admission_errors import (
    CourseCertificateExpired,
    DeadlineAlreadyExtended,
    ExtensionTooLong,
    NoRunningDeadline,
    NoStandingForStep,
    YouthUnionIntroductionRequired,
)
from domain.admission_values import DossierItem, IntroducingOrganisation, IntroductionBasis
from domain.calendar import WEEKENDS_ONLY
from tests.unit.test_admission import (
    COMMITTEE,
    INTRODUCER_A,
    INTRODUCER_B,
    OFFICIAL,
    SECRETARY,
    dossier,
    introduced,
    motion,
    new_case,
)

pytestmark = pytest.mark.unit

WORK = (IntroductionBasis.WORK, date(2022, 1, 1), date(2024, 2, 5), SECRETARY)


def test_a_young_applicant_needs_the_youth_union_route_where_one_exists():
    case = new_case(born=date(2000, 5, 1))  # 23 years old
    dossier(case)
    case.assign_introducer(INTRODUCER_A, OFFICIAL, *WORK)
    with pytest.raises(YouthUnionIntroductionRequired):
        case.assign_introducer(INTRODUCER_B, OFFICIAL, *WORK)
    with pytest.raises(YouthUnionIntroductionRequired):
        case.introduce_by_organisation(
            IntroducingOrganisation.TRADE_UNION, "2-NQ/CĐ", date(2024, 2, 5), SECRETARY
        )
    case.introduce_by_organisation(
        IntroducingOrganisation.YOUTH_UNION, "3-NQ/ĐTN", date(2024, 2, 5), SECRETARY
    )
    assert case.is_introduced


def test_where_there_is_no_youth_union_two_members_may_introduce_a_young_applicant():
    case = new_case(born=date(2000, 5, 1))
    dossier(case)
    case.state_no_youth_union(date(2024, 2, 5), "Hợp tác xã không có tổ chức Đoàn", SECRETARY)
    case.assign_introducer(INTRODUCER_A, OFFICIAL, *WORK)
    case.assign_introducer(INTRODUCER_B, OFFICIAL, *WORK)
    assert case.is_introduced


def test_past_youth_union_age_a_trade_union_resolution_and_one_member_introduce():
    case = new_case(born=date(1990, 5, 1))  # 33 years old
    dossier(case)
    case.introduce_by_organisation(
        IntroducingOrganisation.TRADE_UNION, "4-NQ/CĐ", date(2024, 2, 5), SECRETARY
    )
    assert not case.is_introduced
    case.assign_introducer(INTRODUCER_A, OFFICIAL, *WORK)
    assert case.is_introduced


def course_on(completed_on: date):
    case = new_case()
    case.certify_course("GCN-2019", completed_on, SECRETARY)
    for item in DossierItem:
        case.file_dossier_item(item, date(2024, 2, 1), SECRETARY)
    case.state_no_youth_union(date(2024, 2, 5), "Không có tổ chức Đoàn", SECRETARY)
    case.assign_introducer(INTRODUCER_A, OFFICIAL, *WORK)
    case.assign_introducer(INTRODUCER_B, OFFICIAL, *WORK)
    return case


def test_a_course_certificate_older_than_60_months_is_refused_at_the_cell_vote():
    expired = course_on(date(2019, 3, 4))  # valid until 04/03/2024; the vote is on 05/03/2024
    with pytest.raises(CourseCertificateExpired) as info:
        expired.record_cell_vote(motion(expired), WEEKENDS_ONLY, SECRETARY)
    assert info.value.details["valid_until"] == "2024-03-04"
    valid = course_on(date(2019, 3, 5))  # exactly 60 months on the day of the vote
    valid.record_cell_vote(motion(valid), WEEKENDS_ONLY, SECRETARY)
    assert valid.cell_vote_on == date(2024, 3, 5)


def test_a_running_deadline_is_extended_once_by_at_most_30_working_days():
    case = new_case()
    with pytest.raises(NoRunningDeadline):
        case.extend_deadline(
            "1-QĐ", date(2024, 2, 1), 10, "Xác minh lý lịch", WEEKENDS_ONLY, COMMITTEE
        )
    introduced(case)
    case.record_cell_vote(motion(case), WEEKENDS_ONLY, SECRETARY)
    due = case.due_on
    with pytest.raises(NoStandingForStep):
        case.extend_deadline("1-QĐ", date(2024, 5, 1), 10, "Xác minh", WEEKENDS_ONLY, SECRETARY)
    with pytest.raises(ExtensionTooLong):
        case.extend_deadline("1-QĐ", date(2024, 5, 1), 31, "Xác minh", WEEKENDS_ONLY, COMMITTEE)
    extended = case.extend_deadline(
        "15-QĐ/ĐU", date(2024, 5, 1), 30, "Chờ kết quả thẩm tra lý lịch", WEEKENDS_ONLY, COMMITTEE
    )
    assert extended == WEEKENDS_ONLY.add_working_days(due, 30)
    assert case.due_on == extended
    with pytest.raises(DeadlineAlreadyExtended):
        case.extend_deadline("16-QĐ", date(2024, 5, 2), 5, "Lần nữa", WEEKENDS_ONLY, COMMITTEE)
    # The next step's deadline is a new one, which may be extended once in turn.
    case.record_committee_vote(date(2024, 5, 3), 5, 7, COMMITTEE)
    case.record_decision("9-QĐ/ĐU", date(2024, 5, 6), date(2024, 5, 7), WEEKENDS_ONLY, COMMITTEE)
    case.extend_deadline(
        "17-QĐ", date(2024, 5, 8), 5, "Người vào Đảng ốm", WEEKENDS_ONLY, COMMITTEE
    )
