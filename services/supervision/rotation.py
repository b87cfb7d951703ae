"""Application services for rotating self-criticism (tự phê bình và phê bình xoay vòng).

A turn is taken by the meeting's one self-criticism command
(``services.meetings.commands.record_self_criticism``, which calls :func:`count_turn`) and saved
with the meeting it was taken at; the schedule follows the cell's dated roster before every command, so new members queue and leavers drop out without a separate step.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.attendance_plan_errors import MeetingOfAnotherCell
from domain.base import Actor
from domain.meeting import Meeting, MeetingKind
from domain.meeting_errors import MeetingNotClosed
from domain.meeting_values import AttendanceMark
from domain.member import Member
from domain.roster import Change
from domain.rotation import RotationSchedule, schedule_id
from infra.application import TenantApplication
from services.membership.org import (
    UnknownMember,
    load,
    load_cell,
    load_many,
    load_roster,
    settings_on,
)
from services.supervision.common import held_meeting


def cycle_of(day: date) -> tuple[date, date]:
    """The default cycle is the calendar year [U]."""
    return date(day.year, 1, 1), date(day.year, 12, 31)


def _on_roster(app: TenantApplication, cell_id: UUID, on: date, by: Actor) -> dict[UUID, date]:
    """Members on the roster on ``on``, with the day they (last) joined it."""
    roster = load_roster(app, cell_id, by)
    joined: dict[UUID, date] = {}
    for member_id in roster.members_on(on):
        enrolments = [
            day
            for day, change in roster.changes[member_id]
            if day <= on and change in (Change.ENROLLED_OFFICIAL, Change.ENROLLED_PROBATIONARY)
        ]
        joined[member_id] = max(enrolments, default=on)
    return joined


def _given_name_order(app: TenantApplication, members: dict[UUID, date]) -> list[UUID]:
    """Vietnamese lists are ordered by given name (tên), then the full name."""

    found = load_many(app, Member, members)

    def key(member_id: UUID) -> tuple[str, str]:
        record = found[member_id]
        if record is None:
            raise UnknownMember(
                f"Không tìm thấy Member {member_id}", f"no Member with id {member_id}"
            )
        name = record.full_name
        return name.split()[-1].casefold(), name.casefold()

    return sorted(members, key=key)


def schedule_for(
    app: TenantApplication, cell_id: UUID, on: date, by: Actor, sync: bool = True
) -> RotationSchedule:
    """The cell's schedule for the cycle holding ``on``: opened on first use, synced to the roster."""
    start, end = cycle_of(on)
    try:
        found: object = app.repository.get(schedule_id(cell_id, start))
        assert isinstance(found, RotationSchedule)
        schedule = found
    except AggregateNotFoundError:
        load_cell(app, cell_id)
        members = _on_roster(app, cell_id, max(start, on), by)
        schedule = RotationSchedule.open(cell_id, start, end, _given_name_order(app, members), by)
    if sync:
        schedule.sync_roster(_on_roster(app, cell_id, on, by), on, by)
    return schedule


def count_turn(
    app: TenantApplication, meeting: Meeting, member_id: UUID, by: Actor
) -> RotationSchedule | None:
    """The turn of a self-criticism recorded at the meeting (issue 12 §5: the one command,
    ``services.meetings.commands.record_self_criticism``, counts for the rotation): at a regular meeting, for a member still due this cycle. The
    province's turns per meeting are a range, not a cap, so a further turn is taken too."""
    if meeting.kind is not MeetingKind.REGULAR or meeting.held_on is None:
        return None
    schedule = schedule_for(app, meeting.cell_id, meeting.held_on, by)
    if meeting.id in schedule.settled:
        return None  # a correction after the meeting's turns were settled: recorded only
    if not meeting.is_closed:  # a correction after closing records what was said
        schedule.check_second_turn(member_id, able_to_perform(meeting))
    if member_id not in schedule.queue():
        return None  # taken already this cycle: the meeting records it, the rotation does not
    turns = settings_on(app, meeting.held_on).rotation_turns_per_meeting
    limit = max(turns, len(meeting.self_criticisms))
    schedule.take_turn(member_id, meeting.id, meeting.held_on, True, limit, by)
    return schedule


def able_to_perform(meeting: Meeting) -> set[UUID]:
    """The meeting's own members who could perform there: not exempted (unless present),
    suspended or temporarily away; a temporary member performs in their home cell."""
    present = meeting.present
    return {
        e.member_id
        for e in meeting.roster.values()
        if not (e.suspended or e.transferred_out or e.temporary)
        and (not e.exempted or e.member_id in present)
    }


def settle_turns(
    app: TenantApplication, by: Actor, *, meeting_id: UUID
) -> tuple[RotationSchedule, int]:
    """After a closed meeting: carry over due members who were absent, exempted or skipped."""
    meeting, held_on = held_meeting(app, meeting_id)
    if not meeting.is_closed:
        raise MeetingNotClosed(
            "Chỉ chốt lượt tự phê bình sau khi bế mạc",
            "settle the turns after the meeting is closed",
        )
    schedule = schedule_for(app, meeting.cell_id, held_on, by)
    regular = meeting.kind is MeetingKind.REGULAR
    turns = settings_on(app, held_on).rotation_turns_per_meeting
    # Turns on the meeting's record that the rotation lacks (older logs, recorded before the
    # one command counted them) count too: the closed meeting's record is what happened, so
    # they are taken even beyond the usual number.
    for member_id in meeting.self_criticisms:
        if member_id in schedule.queue():
            limit = max(turns, len(meeting.self_criticisms))
            schedule.take_turn(member_id, meeting.id, held_on, regular, limit, by)
    present = meeting.present
    absent = {m for m in meeting.roster if meeting.attendance.get(m) is not AttendanceMark.PRESENT}
    exempted = {
        e.member_id for e in meeting.roster.values() if e.exempted and e.member_id not in present
    }
    schedule.settle_meeting(meeting.id, held_on, regular, turns, absent, exempted, by)
    return schedule, app.save_all(schedule)


def absent_from(
    app: TenantApplication, cell_id: UUID, meeting_id: UUID | None
) -> tuple[set[UUID], date | None]:
    """The members marked absent at the cell's meeting while it is under way, and its day.

    Only a running meeting replaces its absentees: before it opens nobody is known absent, and
    once closed its turns are settled (``settle_turns`` carries the absentees over)."""
    if meeting_id is None:
        return set(), None
    meeting = load(app, Meeting, meeting_id)
    if meeting.cell_id != cell_id:
        raise MeetingOfAnotherCell(
            "Kỳ sinh hoạt này không thuộc chi bộ đang xem",
            "this meeting belongs to another cell",
            field="meeting_id",
        )
    if not meeting.is_open:
        return set(), meeting.held_on
    marked = meeting.attendance.items()
    return {m for m, mark in marked if mark is not AttendanceMark.PRESENT}, meeting.held_on


def exempted_on(app: TenantApplication, cell_id: UUID, on: date, by: Actor) -> set[UUID]:
    roster = load_roster(app, cell_id, by)
    return {m for m, standing in roster.members_on(on).items() if standing.exempted}
