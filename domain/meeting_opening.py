"""Opening a cell meeting (khai mạc): the facts of ``Meeting.Opened`` and the checks on them.

Kept apart from ``domain.meeting_checks`` so that module stays short. The clock is passed in
(``now``), never read here: the service gives the server's time, a test its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from domain.meeting_checks import aware, chair_and_secretary, not_opened
from domain.meeting_errors import MeetingStartsInFuture
from domain.meeting_state import MeetingState
from domain.meeting_values import MeetingKind
from domain.org_unit import MeetingWindow
from domain.roster import Standing
from domain.voting import roster_entries

# A phone's or a laptop's clock may run a few minutes ahead of the server's.
CLOCK_ALLOWANCE = timedelta(minutes=10)
# Vietnam keeps one offset all year (no daylight saving), so a fixed zone is exact.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def held_outside_window(held_on: date, period: tuple[int, int], window: MeetingWindow) -> bool:
    """A regular meeting is late when not held within the window of its own month."""
    return (held_on.year, held_on.month) != period or not window.contains(held_on)


def not_in_future(started_at: datetime, now: datetime | None) -> None:
    """A meeting is opened when it starts, not before (issue 12 §5); minutes of slack."""
    if now is None or started_at <= now + CLOCK_ALLOWANCE:
        return
    local, clock = started_at.astimezone(VIETNAM), now.astimezone(VIETNAM)
    raise MeetingStartsInFuture(
        f"Giờ khai mạc {local:%H:%M %d/%m/%Y} còn ở tương lai (bây giờ là "
        f"{clock:%H:%M %d/%m/%Y}, giờ Việt Nam); hãy khai mạc khi cuộc họp bắt đầu",
        f"the start {local:%d/%m/%Y %H:%M} (Asia/Ho_Chi_Minh) is in the future "
        f"(now {clock:%d/%m/%Y %H:%M}); open the meeting when it starts",
        field="started_at",
    )


def opening(
    m: MeetingState,
    started_at: datetime,
    chair_id: UUID,
    secretary_id: UUID,
    roster: Mapping[UUID, Standing],
    window: MeetingWindow,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The facts of ``Meeting.Opened``; a regular meeting outside the window is flagged late."""
    not_opened(m)
    aware(started_at, "started_at")
    not_in_future(started_at, now)
    entries = roster_entries(roster)
    chair_and_secretary(chair_id, secretary_id, {e.member_id: e for e in entries})
    late = m.kind is MeetingKind.REGULAR and held_outside_window(
        started_at.date(), m.period, window
    )
    return {
        "started_at": started_at,
        "chair_id": chair_id,
        "secretary_id": secretary_id,
        "roster": entries,
        "window_first_day": window.first_day,
        "window_last_day": window.last_day,
        "is_late": late,
    }
