"""Shared by the supervision services: province settings, the working calendar, held meetings.

Supervision at the cell is split by feature: :mod:`services.supervision.attendance` (superior-level attendance
plans), :mod:`services.supervision.rotation` (rotating self-criticism) and :mod:`services.supervision.petitions`
(petitions followed to the answer). Each command loads the aggregates, lets them decide and
saves them in one transaction, returning ids and the log position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.base import StateConflict
from domain.calendar import WorkingCalendar
from domain.meeting import Meeting
from domain.petition import CompetentLevel
from domain.province import ProvinceSettings
from infra.application import TenantApplication
from infra.holidays import province_calendar
from services.membership.org import load


class MeetingNotHeld(StateConflict):
    code = "meeting_not_held"


@dataclass(frozen=True, slots=True)
class PetitionInput:
    content: str
    category: str
    competent_level: CompetentLevel


def calendar_for(settings: ProvinceSettings) -> WorkingCalendar:
    return province_calendar(settings)


def held_meeting(app: TenantApplication, meeting_id: UUID) -> tuple[Meeting, date]:
    meeting = load(app, Meeting, meeting_id)
    if meeting.held_on is None:
        raise MeetingNotHeld(
            "Kỳ sinh hoạt chưa diễn ra (chưa khai mạc)",
            "the meeting has not been held (opened) yet",
        )
    return meeting, meeting.held_on
