"""Application services for cell meetings (sinh hoạt chi bộ): load, decide, save, return.

Opening a meeting reads the cell's dated roster and its meeting window (or the province's
default) once, and hands them to the aggregate, so every later vote is judged on that snapshot.
Every command accepts ``expected_version``; a stale one is refused with 409.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import TypeVar
from uuid import UUID, uuid4

from domain import lifecycle
from domain.base import Actor, NotFound
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, MeetingKind
from domain.member import Member
from domain.org_unit import OrgUnit
from domain.quality import QualityScores, Rating
from domain.voting import MotionKind, MotionResult, VoteChoice, VotingMethod
from infra.application import TenantApplication
from services.membership.org import load, load_cell, load_roster, settings_on

R = TypeVar("R")


class UnknownMeeting(NotFound):
    code = "unknown_meeting"


def load_meeting(app: TenantApplication, meeting_id: UUID, expected: int | None = None) -> Meeting:
    return load(
        app,
        Meeting,
        meeting_id,
        expected,
        missing=UnknownMeeting,
        name=("cuộc sinh hoạt", "meeting"),
    )


def change(
    app: TenantApplication, meeting_id: UUID, expected: int | None, action: Callable[[Meeting], R]
) -> tuple[Meeting, R, int]:
    """Load one meeting, let it decide, save it: the shape of every single-meeting command."""
    meeting = load_meeting(app, meeting_id, expected)
    outcome = action(meeting)
    return meeting, outcome, app.save_all(meeting)


# -- scheduling and opening -------------------------------------------------------------------


def schedule(
    app: TenantApplication,
    by: Actor,
    *,
    cell_id: UUID,
    kind: MeetingKind,
    period: tuple[int, int],
    scheduled_at: datetime,
    place: str,
    agenda: Iterable[str],
    topic: str,
    regular_meeting_id: UUID | None,
) -> tuple[Meeting, int]:
    load_cell(app, cell_id).check_active()
    regular = load_meeting(app, regular_meeting_id) if regular_meeting_id else None
    meeting = Meeting.schedule(
        uuid4(), cell_id, kind, period, scheduled_at, place, agenda, topic, by, regular
    )
    return meeting, app.save_all(meeting, *([regular] if regular else []))


def reschedule(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    at: datetime,
    place: str,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(app, meeting_id, expected, lambda m: m.reschedule(at, place, by))


def cancel(
    app: TenantApplication, by: Actor, *, meeting_id: UUID, reason: str, expected: int | None
) -> tuple[Meeting, None, int]:
    """Cancel a meeting not yet opened; the invitations outbox tells everyone invited."""
    return change(app, meeting_id, expected, lambda m: m.cancel(reason, by))


def open_meeting(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    started_at: datetime,
    chair_id: UUID,
    secretary_id: UUID,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    meeting = load_meeting(app, meeting_id, expected)
    cell = load(app, OrgUnit, meeting.cell_id)
    held_on = started_at.date()
    roster = load_roster(app, meeting.cell_id, by).members_on(held_on, with_temporary=True)
    window = cell.meeting_window or settings_on(app, held_on).meeting_window
    meeting.open(started_at, chair_id, secretary_id, roster, window, by, now=datetime.now(UTC))
    return meeting, None, app.save_all(meeting)


# -- during the meeting ----------------------------------------------------------------------


def mark_attendance(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    entries: list[AttendanceEntry],
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(app, meeting_id, expected, lambda m: m.mark_attendance(entries, by))


def add_guest(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    name: str,
    position: str,
    is_superior: bool,
    assignee_id: UUID | None,
    expected: int | None,
) -> tuple[Meeting, UUID, int]:
    return change(
        app,
        meeting_id,
        expected,
        lambda m: m.add_guest(name, position, is_superior, assignee_id, by, uuid4()),
    )


def record_opinion(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    speaker_id: UUID,
    topic: str,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(app, meeting_id, expected, lambda m: m.record_opinion(speaker_id, topic, by))


def record_self_criticism(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    member_id: UUID,
    expected: int | None,
    reason: str = "",
) -> tuple[Meeting, None, int]:
    """Recorded on the meeting and, at a regular meeting, as the member's rotation turn; after
    closing the same command is a correction with its reason (``Meeting.SelfCriticismCorrected``)."""
    from services.supervision.rotation import count_turn  # supervision reads meetings

    meeting = load_meeting(app, meeting_id, expected)
    if meeting.is_closed:
        meeting.correct_self_criticism(member_id, reason, by)
    else:
        meeting.record_self_criticism(member_id, by)
    schedule = count_turn(app, meeting, member_id, by)
    return meeting, None, app.save_all(meeting, *([schedule] if schedule is not None else []))


def propose_motion(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    kind: MotionKind,
    title: str,
    subject_id: UUID | None,
    expected: int | None,
) -> tuple[Meeting, UUID, int]:
    motion_id = uuid4()

    def propose(m: Meeting) -> UUID:
        m.propose_motion(motion_id, kind, title, subject_id, by)
        return motion_id

    return change(app, meeting_id, expected, propose)


def cast_ballot(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    motion_id: UUID,
    member_id: UUID,
    choice: VoteChoice,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(
        app, meeting_id, expected, lambda m: m.cast_ballot(motion_id, member_id, choice, by)
    )


def count_ballots(
    app: TenantApplication, by: Actor, *, meeting_id: UUID, motion_id: UUID, expected: int | None
) -> tuple[Meeting, MotionResult, int]:
    return change(app, meeting_id, expected, lambda m: m.count_ballots(motion_id, by))


def record_tally(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    motion_id: UUID,
    method: VotingMethod,
    counts: tuple[int, int, int],
    expected: int | None,
) -> tuple[Meeting, MotionResult, int]:
    return change(
        app, meeting_id, expected, lambda m: m.record_tally(motion_id, method, *counts, by=by)
    )


def record_minutes(
    app: TenantApplication, by: Actor, *, meeting_id: UUID, text: str, expected: int | None
) -> tuple[Meeting, None, int]:
    return change(app, meeting_id, expected, lambda m: m.record_minutes(text, by))


def assess_quality(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    scores: QualityScores,
    expected: int | None,
    combined_session: bool = False,
    reason: str = "",
) -> tuple[Meeting, Rating, int]:
    """Weighted and rated by the province's settings in force on the meeting day."""

    def assess(m: Meeting) -> Rating:
        settings = settings_on(app, m.held_on or date.today())
        return m.assess_quality(
            scores,
            settings.quality,
            by,
            weights=settings.quality_weights,
            combined_session=combined_session,
            reason=reason,
        )

    return change(app, meeting_id, expected, assess)


def collect_dues(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    total_vnd: int,
    payer_ids: list[UUID],
    unpaid_ids: list[UUID],
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(
        app, meeting_id, expected, lambda m: m.collect_dues(total_vnd, payer_ids, unpaid_ids, by)
    )


def close(
    app: TenantApplication, by: Actor, *, meeting_id: UUID, ended_at: datetime, expected: int | None
) -> tuple[Meeting, None, int]:
    """Close; a regular meeting also notes absences and unpaid dues for the removal ground."""
    return counting_missed_months(app, meeting_id, expected, lambda m: m.close(ended_at, by), by)


def counting_missed_months(
    app: TenantApplication,
    meeting_id: UUID,
    expected: int | None,
    action: Callable[[Meeting], object],
    by: Actor,
) -> tuple[Meeting, None, int]:
    """Run ``action`` and keep the members' noted months in step with the meeting, in one save.

    Closing and every correction after it change what the meeting counts against a member
    ("missed meetings or dues 3 months in a year"), so the removal flag follows the records.
    """
    meeting = load_meeting(app, meeting_id, expected)
    before = lifecycle.missed_at(meeting)
    action(meeting)
    after = lifecycle.missed_at(meeting)
    touched = {member_id for member_id, _ in before ^ after}
    members = {member_id: load(app, Member, member_id) for member_id in touched}
    active = {i: m for i, m in members.items() if m.is_active}
    year, month = meeting.period
    lifecycle.renote_months(
        active,
        frozenset(x for x in before if x[0] in active),
        frozenset(x for x in after if x[0] in active),
        date(year, month, 1),
        by,
    )
    return meeting, None, app.save_all(meeting, *active.values())


# -- corrections after closing ---------------------------------------------------------------


def correct_attendance(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    entries: list[AttendanceEntry],
    reason: str,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return counting_missed_months(
        app, meeting_id, expected, lambda m: m.correct_attendance(entries, reason, by), by
    )


def correct_tally(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    motion_id: UUID,
    counts: tuple[int, int, int],
    reason: str,
    expected: int | None,
) -> tuple[Meeting, MotionResult, int]:
    return change(
        app,
        meeting_id,
        expected,
        lambda m: m.correct_tally(motion_id, *counts, reason=reason, by=by),
    )


def correct_minutes(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    text: str,
    reason: str,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    return change(app, meeting_id, expected, lambda m: m.correct_minutes(text, reason, by))


def correct_dues(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    total_vnd: int,
    payer_ids: list[UUID],
    unpaid_ids: list[UUID],
    reason: str,
    expected: int | None,
) -> tuple[Meeting, None, int]:
    def correct(m: Meeting) -> None:
        m.correct_dues(total_vnd, payer_ids, unpaid_ids, reason, by)

    return counting_missed_months(app, meeting_id, expected, correct, by)
