"""Wire types for cell meetings (sinh hoạt chi bộ): what a client sends, and its adapter to
the domain.

What a meeting shows, and the adapter from the domain, are in ``view_schemas``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.quality import QualityScores
from domain.voting import MotionKind, VoteChoice, VotingMethod
from services.wire import Command, Count, Name, Text
from services.written import arguments

Points = Annotated[int, msgspec.Meta(ge=0, le=20)]


class ScheduleMeeting(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    cell_id: UUID
    kind: MeetingKind
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    month: Annotated[int, msgspec.Meta(ge=1, le=12)]
    scheduled_at: datetime
    place: Name
    agenda: list[Text] = []
    topic: str = ""
    regular_meeting_id: UUID | None = None


class Reschedule(Command, kw_only=True):
    scheduled_at: datetime
    place: Name


class CancelMeeting(Command, kw_only=True):
    reason: Text


class OpenMeeting(Command, kw_only=True):
    started_at: datetime
    chair_id: UUID
    secretary_id: UUID


class AttendanceItem(msgspec.Struct, forbid_unknown_fields=True):
    member_id: UUID
    mark: AttendanceMark
    reason: str = ""


class MarkAttendance(Command, kw_only=True):
    entries: Annotated[list[AttendanceItem], msgspec.Meta(min_length=1)]


class AddGuest(Command, kw_only=True):
    name: Name
    position: str = ""
    is_superior: bool = False
    assignee_id: UUID | None = None


class RecordOpinion(Command, kw_only=True):
    speaker_id: UUID
    topic: Text


class RecordSelfCriticism(Command, kw_only=True):
    """Until closing a record; after it a correction, which needs ``reason`` (issue 12 §5)."""

    member_id: UUID
    reason: str = ""


class ProposeMotion(Command, kw_only=True):
    kind: MotionKind
    title: Text
    subject_id: UUID | None = None


class CastBallot(Command, kw_only=True):
    member_id: UUID
    choice: VoteChoice


class CountBallots(Command, kw_only=True):
    pass


class RecordTally(Command, kw_only=True):
    method: VotingMethod
    votes_for: Count
    against: Count
    abstain: Count = 0


class RecordMinutes(Command, kw_only=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]


class AssessQuality(Command, kw_only=True):
    attendance: Points
    preparation: Points
    conduct: Points
    principles: Points
    implementation: Points
    combined_session: bool = False
    """A thematic and a regular meeting held in one session (120 minutes under HD 42)."""
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    """Required when the rating is above what the evidence supports."""


class CollectDues(Command, kw_only=True):
    """Both lists are required: every member present is named as paid or unpaid (issue 12)."""

    total_vnd: Annotated[int, msgspec.Meta(ge=0)]
    payer_ids: list[UUID]
    unpaid_ids: list[UUID]


class CloseMeeting(Command, kw_only=True):
    ended_at: datetime


class CorrectAttendance(MarkAttendance, kw_only=True):
    reason: Text


class CorrectTally(Command, kw_only=True):
    votes_for: Count
    against: Count
    abstain: Count
    reason: Text


class CorrectMinutes(RecordMinutes, kw_only=True):
    reason: Text


class CorrectDues(CollectDues, kw_only=True):
    reason: Text


# -- the adapter to the domain ------------------------------------------------------------------


def attendance_entries(items: list[AttendanceItem]) -> list[AttendanceEntry]:
    return [AttendanceEntry(i.member_id, i.mark, i.reason) for i in items]


def entered(ctx: Any, data: MarkAttendance, path: dict[str, Any]) -> dict[str, Any]:
    """A command route's arguments from an attendance body: its entries as the domain's."""
    return arguments(data) | {"entries": attendance_entries(data.entries)}


def counted(ctx: Any, data: RecordTally | CorrectTally, path: dict[str, Any]) -> dict[str, Any]:
    """A command route's arguments from a tally body: the three counts as one triple."""
    sent = arguments(data)
    sent["counts"] = (sent.pop("votes_for"), sent.pop("against"), sent.pop("abstain"))
    return sent


def scored(ctx: Any, data: AssessQuality, path: dict[str, Any]) -> dict[str, Any]:
    """A command route's arguments from a quality assessment: the five scores as one value."""
    sent = arguments(data)
    for criterion in ("attendance", "preparation", "conduct", "principles", "implementation"):
        del sent[criterion]
    return sent | {"scores": quality_scores(data)}


def quality_scores(body: AssessQuality) -> QualityScores:
    return QualityScores(
        body.attendance, body.preparation, body.conduct, body.principles, body.implementation
    )
