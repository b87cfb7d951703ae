"""Records the integration and end-to-end tests build again and again, built one way.

Each builder takes every value a test may care about as a keyword, with the defaults most
tests used; a test that checks a value passes it. Nothing here asserts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from domain.base import Actor
from domain.meeting_values import MeetingKind
from domain.member import Member, MemberStatus
from domain.org_unit import Level
from domain.voting import MotionKind, MotionResult, VotingMethod
from services.admissions import commands as admissions
from services.meetings import commands as meetings
from services.membership import org

ICT = timezone(timedelta(hours=7))
"""Vietnam's clock (UTC+7), which meetings are scheduled by."""
SECRETARY = Actor("secretary-1", "secretary", "req-1")
"""The cell secretary (bí thư chi bộ) most tests act as."""
COMMITTEE = Actor("cmt", "superior_member", "req-1")
"""A member of the superior committee (cấp ủy cấp trên)."""
INSPECTOR = Actor("insp", "inspector", "req-1")
"""An inspection committee member (ủy ban kiểm tra)."""
ADMIN = Actor("admin", "tenant_admin", "req")
"""The province's tenant administrator."""


def official(
    app: Any,
    by: Actor,
    cell_id: UUID,
    full_name: str,
    *,
    birth_date: date = date(1980, 1, 1),
    gender: str = "nam",
    admitted_on: date = date(2005, 1, 1),
    official_on: date = date(2006, 1, 1),
    joined_cell_on: date = date(2015, 1, 1),
    party_card_number: str | None = None,
) -> Member:
    """An official member (đảng viên chính thức) enrolled in the cell."""
    member, _ = org.enrol_member(
        app,
        by,
        full_name=full_name,
        birth_date=birth_date,
        gender=gender,
        cell_id=cell_id,
        status=MemberStatus.OFFICIAL,
        admitted_on=admitted_on,
        official_on=official_on,
        joined_cell_on=joined_cell_on,
        party_card_number=party_card_number,
    )
    return member


VILLAGE_CHAIN = (
    ("Đảng bộ tỉnh", Level.PROVINCE),
    ("Đảng ủy xã", Level.DIRECT),
    ("Đảng bộ xã", Level.GRASSROOTS_COMMITTEE),
    ("Chi bộ thôn", Level.CELL),
)
"""Province → direct committee → grassroots committee → village cell."""


def unit_chain(
    app: Any,
    by: Actor,
    chain: Iterable[tuple[str, Level]] = VILLAGE_CHAIN,
    founded_on: date = date(2015, 1, 1),
) -> list[UUID]:
    """Units founded each under the one before; their ids, top first."""
    ids: list[UUID] = []
    for name, level in chain:
        unit, _ = org.found_unit(
            app,
            by,
            name=name,
            level=level,
            founded_on=founded_on,
            parent_id=ids[-1] if ids else None,
        )
        ids.append(unit.id)
    return ids


def scheduled_meeting(
    app: Any,
    by: Actor,
    cell_id: UUID,
    at: datetime,
    *,
    place: str = "Hội trường",
    agenda: Iterable[str] = (),
    period: tuple[int, int] | None = None,
    kind: MeetingKind = MeetingKind.REGULAR,
    regular_meeting_id: UUID | None = None,
) -> UUID:
    """A meeting (sinh hoạt chi bộ) scheduled for ``at``, of its month by default; its id."""
    meeting, _ = meetings.schedule(
        app,
        by,
        cell_id=cell_id,
        kind=kind,
        period=period or (at.year, at.month),
        scheduled_at=at,
        place=place,
        agenda=agenda,
        topic="",
        regular_meeting_id=regular_meeting_id,
    )
    return meeting.id


def opened_meeting(
    app: Any,
    by: Actor,
    cell_id: UUID,
    at: datetime,
    chair_id: UUID,
    secretary_id: UUID,
    *,
    started_at: datetime | None = None,
    **scheduling: Any,
) -> UUID:
    """A meeting scheduled for ``at`` (``scheduling``: the keywords of :func:`scheduled_meeting`)
    and opened then (or at ``started_at``); its id."""
    meeting_id = scheduled_meeting(app, by, cell_id, at, **scheduling)
    meetings.open_meeting(
        app,
        by,
        meeting_id=meeting_id,
        started_at=started_at or at,
        chair_id=chair_id,
        secretary_id=secretary_id,
        expected=None,
    )
    return meeting_id


def tallied_motion(
    app: Any,
    by: Actor,
    meeting_id: UUID,
    kind: MotionKind,
    title: str,
    counts: tuple[int, int, int],
    *,
    subject_id: UUID | None = None,
    method: VotingMethod = VotingMethod.SHOW_OF_HANDS,
) -> tuple[UUID, MotionResult]:
    """A motion proposed at an open meeting and its whole tally recorded: (its id, the result)."""
    _, motion_id, _ = meetings.propose_motion(
        app, by, meeting_id=meeting_id, kind=kind, title=title, subject_id=subject_id, expected=None
    )
    _, result, _ = meetings.record_tally(
        app,
        by,
        meeting_id=meeting_id,
        motion_id=motion_id,
        method=method,
        counts=counts,
        expected=None,
    )
    return motion_id, result


def decided(
    app: Any, by: Actor, case_id: UUID, number: str, decided_on: date, received_on: date
) -> None:
    """The superior committee's admission decision (quyết định kết nạp) recorded on the case,
    numbered ``number``, made on ``decided_on`` and received by the cell on ``received_on``."""
    admissions.record_decision(
        app, by, case_id=case_id, number=number, decided_on=decided_on, received_on=received_on
    )
