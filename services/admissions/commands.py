"""Application services for admission cases (hồ sơ kết nạp): load, decide, save in one transaction.

The calendar comes from the province (national holidays plus its days off); votes are read from
the meeting that took them, so a case can only cite a motion that really passed at its cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.admission import AdmissionCase, MotionFacts
from domain.admission_values import (
    DossierItem,
    Education,
    IntroducingOrganisation,
    IntroductionBasis,
)
from domain.base import Actor, NotFound
from domain.calendar import WorkingCalendar
from domain.meeting import Meeting
from domain.member import DepartureReason, Member, MemberStatus
from domain.org_unit import Level
from domain.province import Province, province_id
from domain.roster import Change
from infra.application import TenantApplication
from infra.holidays import province_calendar
from services.membership.org import find, load, load_cell, load_roster


class UnknownCase(NotFound):
    code = "unknown_admission_case"


class UnknownMotion(NotFound):
    code = "unknown_motion"


def calendar_for(app: TenantApplication) -> WorkingCalendar:
    """National holidays plus every day off the province has ever declared."""
    province = find(app, Province, province_id(app.slug))
    days_off: set[date] = set()
    if province is not None:
        for _, settings in province.settings_history:
            days_off.update(settings.days_off)
    return province_calendar(extra_days_off=days_off)


def load_case(app: TenantApplication, case_id: UUID, expected: int | None = None) -> AdmissionCase:
    return load(
        app,
        AdmissionCase,
        case_id,
        expected,
        missing=UnknownCase,
        name=("hồ sơ kết nạp", "admission case"),
    )


def motion_facts(app: TenantApplication, meeting_id: UUID, motion_id: UUID) -> MotionFacts:
    """What the meeting recorded about the motion: kind, subject, result, counts, legal base."""
    meeting = find(app, Meeting, meeting_id)
    motion = meeting.motions.get(motion_id) if meeting is not None else None
    if motion is None or meeting is None or meeting.held_on is None:
        raise UnknownMotion(
            "Không tìm thấy cuộc họp đã diễn ra hoặc vấn đề biểu quyết này",
            "no held meeting with this motion",
            meeting_id=str(meeting_id),
            motion_id=str(motion_id),
        )
    return MotionFacts(
        meeting_id=meeting_id,
        motion_id=motion_id,
        cell_id=meeting.cell_id,
        held_on=meeting.held_on,
        kind=motion.kind,
        subject_id=motion.subject_id,
        result=motion.result,
        votes_for=motion.votes_for,
        votes_against=motion.against,
        official_members=motion.base or 0,
    )


def open_case(
    app: TenantApplication,
    by: Actor,
    *,
    full_name: str,
    birth_date: date,
    gender: str,
    education: Education,
    special_area: bool,
    cell_id: UUID,
    opened_on: date,
) -> tuple[AdmissionCase, int]:
    cell = load_cell(app, cell_id)
    cell.check_active()
    case = AdmissionCase.open(
        uuid4(),
        full_name,
        birth_date,
        gender,
        education,
        special_area,
        cell_id,
        cell.level is Level.GRASSROOTS_CELL,
        opened_on,
        by,
    )
    return case, app.save_all(case)


def step(
    app: TenantApplication, case_id: UUID, expected: int | None, action: Any
) -> tuple[AdmissionCase, int]:
    """Load the case, run one command on it, save."""
    case = load_case(app, case_id, expected)
    action(case)
    return case, app.save_all(case)


def certify_course(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    certificate_no: str,
    completed_on: date,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(
        app, case_id, expected, lambda c: c.certify_course(certificate_no, completed_on, by)
    )


def file_dossier_item(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    item: DossierItem,
    on: date,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(app, case_id, expected, lambda c: c.file_dossier_item(item, on, by))


def assign_introducer(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    member_id: UUID,
    basis: IntroductionBasis,
    together_since: date,
    on: date,
    replaces: UUID | None = None,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    case = load_case(app, case_id, expected)
    standing = load_roster(app, case.cell_id, by).standing(member_id, on)
    case.assign_introducer(member_id, standing, basis, together_since, on, by, replaces)
    return case, app.save_all(case)


def introduce_by_organisation(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    organisation: IntroducingOrganisation,
    resolution_no: str,
    on: date,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(
        app,
        case_id,
        expected,
        lambda c: c.introduce_by_organisation(organisation, resolution_no, on, by),
    )


def cited_vote(
    decide: Callable[[AdmissionCase, MotionFacts, WorkingCalendar, Actor], object],
) -> Callable[..., tuple[AdmissionCase, int]]:
    """A step recording a vote the case cites (the meeting and its motion), judged on the
    motion's facts and the province's working calendar."""

    def command(
        app: TenantApplication,
        by: Actor,
        *,
        case_id: UUID,
        meeting_id: UUID,
        motion_id: UUID,
        expected: int | None = None,
    ) -> tuple[AdmissionCase, int]:
        facts = motion_facts(app, meeting_id, motion_id)
        calendar = calendar_for(app)
        return step(app, case_id, expected, lambda case: decide(case, facts, calendar, by))

    command.__name__ = command.__qualname__ = decide.__name__
    return command


record_cell_vote = cited_vote(AdmissionCase.record_cell_vote)
"""Chi bộ biểu quyết kết nạp (step 5)."""


def record_committee_vote(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    on: date,
    votes_for: int,
    committee_members: int,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(
        app,
        case_id,
        expected,
        lambda c: c.record_committee_vote(on, votes_for, committee_members, by),
    )


def record_decision(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    number: str,
    decided_on: date,
    received_on: date,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    calendar = calendar_for(app)
    return step(
        app,
        case_id,
        expected,
        lambda c: c.record_decision(number, decided_on, received_on, calendar, by),
    )


def hold_ceremony(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    on: date,
    mentor_id: UUID,
    late_approval: str = "",
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    """Lễ kết nạp: the applicant becomes a probationary member of the cell, in one transaction."""
    case = load_case(app, case_id, expected)
    roster = load_roster(app, case.cell_id, by)
    member_id = case.hold_ceremony(
        on, mentor_id, roster.standing(mentor_id, on), calendar_for(app), by, late_approval
    )
    member = Member.enrol(
        member_id,
        case.full_name,
        case.birth_date,
        case.gender,
        case.cell_id,
        MemberStatus.PROBATIONARY,
        on,
        None,
        on,
        by,
    )
    roster.enrol(member_id, MemberStatus.PROBATIONARY, on, by)
    return case, app.save_all(case, member, roster)


record_recognition_vote = cited_vote(AdmissionCase.record_recognition_vote)
"""Chi bộ xét công nhận đảng viên chính thức (step 10)."""


def record_recognition_decision(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    number: str,
    decided_on: date,
    recognised: bool,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    """Official from the end of probation; not recognised: off the list on the decision's day."""
    case = load_case(app, case_id, expected)
    assert case.member_id is not None
    member = load(app, Member, case.member_id)
    roster = load_roster(app, member.cell_id, by)
    official_on = case.record_recognition_decision(number, decided_on, recognised, by)
    if official_on is not None:
        member.recognise(official_on, number, by)
        roster.record(member.id, Change.RECOGNISED, official_on, by)
    else:
        member.leave(DepartureReason.NOT_RECOGNISED, decided_on, number, by)
        roster.record(member.id, Change.LEFT, decided_on, by)
    return case, app.save_all(case, member, roster)


def close_case(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    on: date,
    reason: str,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(app, case_id, expected, lambda c: c.close(on, reason, by))
