"""Wire types for admission cases (hồ sơ kết nạp), the membership lifecycle and deadlines."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.admission_values import (
    DossierItem,
    Education,
    IntroducingOrganisation,
    IntroductionBasis,
    RecognitionOutcome,
)
from domain.lifecycle import NotedKind, RemovalGround
from services.wire import Command, Count, Name, Text

Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class OpenCase(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    full_name: Name
    birth_date: date
    gender: Annotated[str, msgspec.Meta(pattern="^(nam|nu|khac)$")]
    education: Education
    cell_id: UUID
    opened_on: date
    special_area: bool = False


class CertifyCourse(Command, kw_only=True):
    certificate_no: Ref
    completed_on: date


class FileDossierItem(Command, kw_only=True):
    item: DossierItem
    on: date


class AssignIntroducer(Command, kw_only=True):
    member_id: UUID
    basis: IntroductionBasis
    together_since: date
    on: date
    replaces: UUID | None = None


class IntroduceByOrganisation(Command, kw_only=True):
    organisation: IntroducingOrganisation
    resolution_no: Ref
    on: date


class CiteMotion(Command, kw_only=True):
    """A vote taken at a meeting: the case cites the meeting and its motion."""

    meeting_id: UUID
    motion_id: UUID


class CommitteeVote(Command, kw_only=True):
    on: date
    votes_for: Count
    committee_members: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class Decision(Command, kw_only=True):
    number: Ref
    decided_on: date
    received_on: date | None = None


class Ceremony(Command, kw_only=True):
    on: date
    mentor_id: UUID
    late_approval: str = ""


class RecognitionDecision(Command, kw_only=True):
    number: Ref
    decided_on: date
    recognised: bool


class CloseCase(Command, kw_only=True):
    on: date
    reason: Text


class CaseView(msgspec.Struct):
    id: UUID
    full_name: str
    cell_id: UUID
    stage: int
    """The last step done (1–12)."""
    introducers: list[UUID]
    cell_vote_on: date | None
    committee_vote_on: date | None
    decision_number: str | None
    ceremony_on: date | None
    member_id: UUID | None
    mentor_id: UUID | None
    probation_ends_on: date | None
    recognition_votes: list[tuple[date, RecognitionOutcome]]
    due_on: date | None
    closed: tuple[date, str] | None
    version: int


class Suspend(Command, kw_only=True):
    start: date
    reason: Text


class OnDay(Command, kw_only=True):
    on: date


class NoteMonth(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: NotedKind
    month: date
    excused: bool = False


class Remove(Command, kw_only=True):
    ground: RemovalGround
    decision_number: Ref
    on: date


class Death(Command, kw_only=True):
    on: date
    note: str = ""


class TransferOut(Command, kw_only=True):
    letter_number: Ref
    letter_on: date
    to_province: Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{1,30}$")]
    to_organisation: Name


class TransferIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    document: Annotated[str, msgspec.Meta(min_length=2, max_length=100_000)]
    cell_id: UUID
    presented_on: date
    late_reason: str = ""


class DeadlineItem(msgspec.Struct):
    kind: str
    what: str
    who: str
    overdue: bool
    source_id: UUID
    subject_id: UUID
    subject_name: str
    cell_id: UUID
    since: date
    due_on: date
    rule_set: str


class DeadlineList(msgspec.Struct):
    on: date
    unit_id: UUID | None
    due_soon_until: date
    overdue: int
    due_soon: int
    items: list[DeadlineItem]
